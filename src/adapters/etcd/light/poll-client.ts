import type { ClientOptions } from '../member-client.js';
import { GrpcConnection, type HandshakeCertificate } from './grpc-connection.js';
import { GrpcError } from './grpc-status.js';
import type { GrpcMessageStream } from './grpc-message-stream.js';
import {
  METHODS,
  decodeAuthenticateResponse,
  decodeMemberListResponse,
  decodeRangeResponse,
  decodeStatusResponse,
  encodeAuthenticateRequest,
  encodeMemberListRequest,
  encodeRangeRequest,
  encodeStatusRequest,
  type Member,
  type RangeResponse,
  type StatusResponse,
} from './etcd-messages.js';

/** etcd's answers when a token expired (TTL, restart) or the auth store changed since it was issued. */
const STALE_TOKEN = /invalid auth token|revision of auth store is old|user name is empty/;
const AUTH_NOT_ENABLED = /authentication is not enabled/;

/**
 * The three calls the poller makes, to one member, without etcd3 (grpc-js
 * and protobufjs cost ~0.3 s to load and about twice the CPU per call).
 * Every call has its own deadline covering connect, authentication and the
 * call. With a user and password it authenticates once and sends the token,
 * authenticating again once when etcd no longer takes it.
 */
export class PollClient {
  private readonly connection: GrpcConnection;
  private token?: Promise<string>;

  /** `bulk`: the connection will carry a snapshot (large HTTP/2 windows). */
  constructor(
    readonly endpoint: string,
    private readonly options: ClientOptions,
    connection: { bulk?: boolean } = {},
  ) {
    this.connection = new GrpcConnection(endpoint, {
      tls: options.tls,
      serverName: options.serverName,
      connectTimeoutMs: options.deadlineMs,
      bulk: connection.bulk ?? false,
    });
  }

  async status(): Promise<StatusResponse> {
    return decodeStatusResponse(await this.call(METHODS.status, encodeStatusRequest()));
  }

  /** A linearizable read of one key (through raft): what `etcdctl endpoint health` does. */
  async quorumRead(key = 'health'): Promise<RangeResponse> {
    return decodeRangeResponse(await this.call(METHODS.range, encodeRangeRequest({ key, countOnly: true, serializable: false })));
  }

  async memberList(linearizable = false): Promise<Member[]> {
    return decodeMemberListResponse(await this.call(METHODS.memberList, encodeMemberListRequest({ linearizable }))).members;
  }

  /** Maintenance.Snapshot: a server stream of SnapshotResponse messages (decode with decodeSnapshotResponse). */
  async snapshotStream(): Promise<GrpcMessageStream> {
    const metadata = this.usesPassword() ? tokenMetadata(await this.currentToken(Date.now() + this.options.deadlineMs)) : {};
    return this.connection.openStream(METHODS.snapshot, Buffer.alloc(0), metadata);
  }

  /** The member's Prometheus text, over the same connection (mTLS applies; RBAC does not). */
  async metricsText(): Promise<string> {
    return (await this.connection.get('/metrics', Date.now() + this.options.deadlineMs)).toString('utf8');
  }

  /** The certificate the member presented when this client's connection was made, if it is still open. */
  peerCertificate(): HandshakeCertificate | undefined {
    return this.connection.peerCertificate();
  }

  close(): void {
    this.connection.close();
  }

  private async call(method: string, request: Buffer): Promise<Buffer> {
    const deadline = Date.now() + this.options.deadlineMs;
    if (!this.usesPassword()) return this.connection.unary(method, request, {}, deadline);
    const issued = this.currentToken(deadline);
    try {
      return await this.connection.unary(method, request, tokenMetadata(await issued), deadline);
    } catch (err) {
      if (!(err instanceof GrpcError && STALE_TOKEN.test(err.details))) throw err;
      if (this.token === issued) this.token = undefined; // unless a parallel call already got a new one
      return this.connection.unary(method, request, tokenMetadata(await this.currentToken(deadline)), deadline);
    }
  }

  private usesPassword(): boolean {
    const { user, password } = this.options.credentials;
    return Boolean(user) && password !== undefined;
  }

  /** One Authenticate in flight at most; a failed one is not remembered. */
  private currentToken(deadline: number): Promise<string> {
    if (!this.token) {
      const attempt = this.authenticate(deadline);
      this.token = attempt;
      attempt.catch(() => {
        if (this.token === attempt) this.token = undefined;
      });
    }
    return this.token;
  }

  private async authenticate(deadline: number): Promise<string> {
    const { user, password } = this.options.credentials;
    const request = encodeAuthenticateRequest({ name: user!, password: password! });
    try {
      return decodeAuthenticateResponse(await this.connection.unary(METHODS.authenticate, request, {}, deadline)).token;
    } catch (err) {
      // As etcdctl does: a password for a cluster without auth is no reason to fail.
      if (err instanceof GrpcError && AUTH_NOT_ENABLED.test(err.details)) return '';
      throw err;
    }
  }
}

function tokenMetadata(token: string): Record<string, string> {
  return token ? { token } : {};
}
