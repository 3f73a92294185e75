import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type SecureClientSessionOptions } from 'node:http2';
import { isIP } from 'node:net';
import { checkServerIdentity, createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import type { TlsMaterial } from '../../../core/tls/material.js';
import { GrpcCode, GrpcError, closedWithoutStatus, decodeGrpcMessage, transportError, watchServerSettings } from './grpc-status.js';
import { GrpcMessageStream } from './grpc-message-stream.js';

export interface ConnectionOptions {
  tls: TlsMaterial;
  /** Name to check the server certificate against instead of the URL's host. */
  serverName?: string;
  /** How long a TCP + TLS + HTTP/2 handshake may take before it is abandoned. */
  connectTimeoutMs: number;
  /** Large HTTP/2 windows and frames, for a call that streams a whole database (a snapshot). */
  bulk?: boolean;
}

/** Go gRPC's cap: a stream that may have 16 MiB in flight runs at the disk's and the network's pace, not the window's. */
const BULK_WINDOW = 16 << 20;
const BULK_FRAME = 1 << 20;

/**
 * Unary gRPC calls to one endpoint over one HTTP/2 session, made again after
 * it dies, with at most one handshake in flight. The socket is unref'd: an
 * idle connection never keeps the process alive; a call's deadline timer
 * does, until the call ends.
 */
/** The certificate the server presented in the live session's handshake (verified: chain and name). */
export interface HandshakeCertificate {
  x509: X509Certificate;
  /** Date.now() of the handshake. */
  at: number;
}

export class GrpcConnection {
  private session?: ClientHttp2Session;
  private sessionCertificate?: HandshakeCertificate;
  private connecting?: { session: ClientHttp2Session; ready: Promise<ClientHttp2Session> };
  private closed = false;
  private readonly authority: string;

  /** Throws when the endpoint is no http(s):// URL. */
  constructor(
    readonly endpoint: string,
    private readonly options: ConnectionOptions,
  ) {
    this.authority = authorityOf(endpoint);
  }

  /** Sends one request message and resolves with the response message; rejects with a GrpcError. */
  unary(path: string, message: Buffer, metadata: Record<string, string>, deadline: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      let stream: ClientHttp2Stream | undefined;
      let settled = false;
      const settle = (err: Error | undefined, answer?: Buffer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          if (stream && !stream.closed) stream.close(constants.NGHTTP2_CANCEL);
          reject(err);
        } else {
          resolve(answer!);
        }
      };
      const timer = setTimeout(() => settle(new GrpcError(GrpcCode.DEADLINE_EXCEEDED, 'Deadline exceeded')), Math.max(0, deadline - Date.now()));
      this.connect().then(
        (session) => {
          if (settled) return;
          try {
            stream = this.send(session, path, message, metadata, deadline, settle);
          } catch (err) {
            settle(transportError(err));
          }
        },
        (err: unknown) => settle(transportError(err)),
      );
    });
  }

  /**
   * Starts a server-streaming call: resolves once the request is sent (the
   * connection made within connectTimeoutMs); its messages flow from
   * `start()`. No deadline: the caller watches for a stalled stream.
   */
  openStream(path: string, message: Buffer, metadata: Record<string, string>): Promise<GrpcMessageStream> {
    return this.connect().then(
      (session) => {
        try {
          const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...metadata });
          const messages = new GrpcMessageStream(stream);
          stream.end(frame(message));
          return messages;
        } catch (err) {
          throw transportError(err);
        }
      },
      (err: unknown) => {
        throw transportError(err);
      },
    );
  }

  /**
   * A plain HTTP GET on the same session (etcd serves /metrics beside gRPC on
   * the client port): no second TLS connection every scrape.
   */
  get(path: string, deadline: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      let stream: ClientHttp2Stream | undefined;
      const timer = setTimeout(() => {
        stream?.close(constants.NGHTTP2_CANCEL);
        reject(new GrpcError(GrpcCode.DEADLINE_EXCEEDED, `GET ${path}: deadline exceeded`));
      }, Math.max(0, deadline - Date.now()));
      const done = (err: Error | undefined, body?: Buffer): void => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(body!);
      };
      this.connect().then((session) => {
        stream = session.request({ ':method': 'GET', ':path': path });
        const chunks: Buffer[] = [];
        let status = 0;
        stream.on('response', (headers) => (status = Number(headers[':status'])));
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', (err) => done(transportError(err)));
        stream.on('close', () => (status === 200 ? done(undefined, Buffer.concat(chunks)) : done(new Error(`GET ${path} answered HTTP ${status || 'nothing'}`))));
        stream.end();
      }, (err: unknown) => done(transportError(err)));
    });
  }

  /** The server certificate of the live session; undefined without one (not connected, or plain HTTP). */
  peerCertificate(): HandshakeCertificate | undefined {
    const live = this.session;
    return live && !live.closed && !live.destroyed ? this.sessionCertificate : undefined;
  }

  /** Ends the session now; calls in flight fail, later calls fail at once. */
  close(): void {
    this.closed = true;
    this.session?.destroy();
    this.connecting?.session.destroy();
    this.session = undefined;
  }

  private send(
    session: ClientHttp2Session,
    path: string,
    message: Buffer,
    metadata: Record<string, string>,
    deadline: number,
    settle: (err: Error | undefined, answer?: Buffer) => void,
  ): ClientHttp2Stream {
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      // The server gives up too, instead of finishing work nobody waits for.
      'grpc-timeout': `${Math.min(99_999_999, Math.max(1, deadline - Date.now()))}m`,
      ...metadata,
    });
    const chunks: Buffer[] = [];
    let httpStatus = 0;
    let grpcStatus: number | undefined;
    let grpcMessage = '';
    const readStatus = (headers: IncomingHttpHeaders): void => {
      const status = headers['grpc-status'];
      if (status === undefined) return;
      grpcStatus = Number(status);
      grpcMessage = decodeGrpcMessage(String(headers['grpc-message'] ?? ''));
    };
    stream.on('response', (headers) => {
      httpStatus = Number(headers[':status']);
      readStatus(headers); // a trailers-only answer: an error without a body
    });
    stream.on('trailers', readStatus);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (err) => settle(transportError(err)));
    stream.on('close', () => {
      if (grpcStatus === undefined) return settle(closedWithoutStatus(httpStatus, stream.rstCode, session));
      if (grpcStatus !== GrpcCode.OK) return settle(new GrpcError(grpcStatus, grpcMessage));
      try {
        settle(undefined, unframe(Buffer.concat(chunks)));
      } catch (err) {
        settle(err as Error);
      }
    });
    stream.end(frame(message));
    return stream;
  }

  private connect(): Promise<ClientHttp2Session> {
    if (this.closed) return Promise.reject(new GrpcError(GrpcCode.CANCELLED, 'client closed'));
    const live = this.session;
    if (live && !live.closed && !live.destroyed) return Promise.resolve(live);
    if (!this.connecting) {
      let session: ClientHttp2Session;
      try {
        session = connect(this.authority, this.sessionOptions());
      } catch (err) {
        return Promise.reject(transportError(err)); // unusable key or certificate
      }
      session.unref();
      watchServerSettings(session);
      const ready = this.handshake(session).finally(() => {
        this.connecting = undefined;
      });
      this.connecting = { session, ready };
    }
    return this.connecting.ready;
  }

  private handshake(session: ClientHttp2Session): Promise<ClientHttp2Session> {
    return new Promise((resolve, reject) => {
      const fail = (err: Error): void => {
        clearTimeout(timer);
        session.destroy();
        reject(transportError(err));
      };
      const timer = setTimeout(
        () => fail(new GrpcError(GrpcCode.DEADLINE_EXCEEDED, `connecting to ${this.endpoint} timed out after ${this.options.connectTimeoutMs} ms`)),
        this.options.connectTimeoutMs,
      );
      timer.unref();
      const closedEarly = (): void => fail(new GrpcError(GrpcCode.UNAVAILABLE, 'Connection closed before the HTTP/2 handshake finished'));
      session.once('error', fail);
      session.once('close', closedEarly);
      session.once('connect', () => {
        clearTimeout(timer);
        session.off('error', fail);
        session.off('close', closedEarly);
        // A session torn down (the deadline, a SIGSTOPped member) between the handshake and this event has no socket left.
        if (session.destroyed || !session.socket) return closedEarly();
        this.adopt(session);
        resolve(session);
      });
    });
  }

  /** The next call opens a new session once this one errs, closes or is told to go away. */
  private adopt(session: ClientHttp2Session): void {
    if (this.closed) {
      session.destroy();
      return;
    }
    this.session = session;
    if (this.options.bulk) session.setLocalWindowSize(2 * BULK_WINDOW);
    // Read once, at the handshake: Node 20 hands a TLS socket's X509 peer certificate out only once.
    const x509 = (session.socket as TLSSocket | undefined)?.getPeerX509Certificate?.();
    this.sessionCertificate = x509 ? { x509, at: Date.now() } : undefined;
    const forget = (): void => {
      if (this.session === session) this.session = undefined;
    };
    session.on('error', forget);
    session.once('close', forget);
    session.once('goaway', forget);
  }

  private sessionOptions(): SecureClientSessionOptions {
    const { tls, serverName } = this.options;
    const options: SecureClientSessionOptions = { secureContext: secureContextFor(tls), settings: { enablePush: false } };
    if (this.options.bulk) {
      options.settings = { enablePush: false, initialWindowSize: BULK_WINDOW, maxFrameSize: BULK_FRAME };
      options.maxSessionMemory = 4 * (BULK_WINDOW >> 20); // MB: a paused stream holds up to a window
    }
    if (serverName && isIP(serverName) === 0) options.servername = serverName;
    // An IP as SNI is not allowed (RFC 6066): check the name without sending it.
    else if (serverName) options.checkServerIdentity = (_host, cert) => checkServerIdentity(serverName, cert);
    return options;
  }
}

const contexts = new WeakMap<TlsMaterial, SecureContext>();

/**
 * One TLS context per set of certificate files, shared by every member's
 * connection and reconnection: building one (parsing the CA bundle and key)
 * costs more CPU than the handshake itself.
 */
function secureContextFor(tls: TlsMaterial): SecureContext {
  let context = contexts.get(tls);
  if (!context) {
    context = createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key });
    contexts.set(tls, context);
  }
  return context;
}

function authorityOf(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`not an http(s):// endpoint: ${endpoint}`);
  return `${url.protocol}//${url.host}`;
}

/** A gRPC message on the wire: a compression flag, a 4-byte length, the bytes. */
function frame(message: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(5 + message.length);
  framed.writeUInt8(0, 0);
  framed.writeUInt32BE(message.length, 1);
  message.copy(framed, 5);
  return framed;
}

function unframe(body: Buffer): Buffer {
  if (body.length < 5) throw new GrpcError(GrpcCode.INTERNAL, 'response without a gRPC message');
  if (body[0] !== 0) throw new GrpcError(GrpcCode.INTERNAL, 'compressed gRPC response (not asked for)');
  const length = body.readUInt32BE(1);
  if (body.length < 5 + length) throw new GrpcError(GrpcCode.INTERNAL, 'truncated gRPC response');
  return body.subarray(5, 5 + length);
}
