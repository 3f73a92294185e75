import { constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { GrpcCode, GrpcError, closedWithoutStatus, decodeGrpcMessage, transportError } from './grpc-status.js';

export interface MessageHandlers {
  /** The message as views of the received bytes, one per piece it arrived in (no copy). */
  message(parts: Buffer[]): void;
  /** The server closed the stream with grpc-status 0. */
  end(): void;
  /** Once at most, and nothing after it. */
  error(err: GrpcError): void;
}

/**
 * The messages of one server-streaming gRPC call as they arrive, each as
 * views of the chunks it came in: a large message spans several, and
 * joining them would copy every byte once more.
 * pause() stops reading, so HTTP/2 flow control holds the server back.
 */
export class GrpcMessageStream {
  /** The pieces of a message not yet complete (its 5-byte prefix included), and its whole length once known. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private need = -1;
  private grpcStatus: number | undefined;
  private grpcMessage = '';
  private httpStatus = 0;
  private done = false;
  private handlers?: MessageHandlers;

  constructor(private readonly stream: ClientHttp2Stream) {
    stream.on('response', (headers) => {
      this.httpStatus = Number(headers[':status']);
      this.readStatus(headers); // a trailers-only answer: an error without messages
    });
    stream.on('trailers', (headers) => this.readStatus(headers));
  }

  /** Starts the flow of messages (until now the stream buffers, within its window). */
  start(handlers: MessageHandlers): void {
    this.handlers = handlers;
    this.stream.on('data', (chunk: Buffer) => this.take(chunk));
    this.stream.on('error', (err) => this.fail(transportError(err)));
    this.stream.on('close', () => this.closed());
  }

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  /** Ends the call; no handler is called after this. */
  cancel(): void {
    this.done = true;
    if (!this.stream.closed) this.stream.close(constants.NGHTTP2_CANCEL);
  }

  private readStatus(headers: IncomingHttpHeaders): void {
    const status = headers['grpc-status'];
    if (status === undefined) return;
    this.grpcStatus = Number(status);
    this.grpcMessage = decodeGrpcMessage(String(headers['grpc-message'] ?? ''));
  }

  private take(chunk: Buffer): void {
    if (this.done) return;
    let pos = 0;
    if (this.heldBytes > 0) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      if (this.need < 0 && !this.learnLength()) return;
      if (this.heldBytes < this.need) return;
      pos = chunk.length - (this.heldBytes - this.need);
      this.held[this.held.length - 1] = chunk.subarray(0, pos);
      const parts = withoutPrefix(this.held);
      this.held = [];
      this.heldBytes = 0;
      this.need = -1;
      this.handlers!.message(parts);
      if (this.done) return;
    }
    while (chunk.length - pos >= 5) {
      if (chunk[pos] !== 0) return this.fail(compressed());
      const end = pos + 5 + chunk.readUInt32BE(pos + 1);
      if (end > chunk.length) break;
      this.handlers!.message([chunk.subarray(pos + 5, end)]);
      if (this.done) return;
      pos = end;
    }
    if (pos < chunk.length) {
      this.held = [chunk.subarray(pos)];
      this.heldBytes = chunk.length - pos;
      this.learnLength();
    }
  }

  /** Reads the held message's prefix once 5 bytes are in; false until then (or when it fails the stream). */
  private learnLength(): boolean {
    if (this.heldBytes < 5) return false;
    const first = this.held[0]!;
    const prefix = first.length >= 5 ? first : Buffer.concat(this.held).subarray(0, 5);
    if (prefix[0] !== 0) {
      this.fail(compressed());
      return false;
    }
    this.need = 5 + prefix.readUInt32BE(1);
    return true;
  }

  private closed(): void {
    if (this.done) return;
    if (this.grpcStatus === undefined) return this.fail(closedWithoutStatus(this.httpStatus, this.stream.rstCode, this.stream.session as ClientHttp2Session | undefined));
    if (this.grpcStatus !== GrpcCode.OK) return this.fail(new GrpcError(this.grpcStatus, this.grpcMessage));
    if (this.heldBytes > 0) return this.fail(new GrpcError(GrpcCode.INTERNAL, `the stream ended inside a message (${this.heldBytes} bytes of it)`));
    this.done = true;
    this.handlers!.end();
  }

  private fail(err: GrpcError): void {
    if (this.done) return;
    this.cancel();
    this.handlers!.error(err);
  }
}

function compressed(): GrpcError {
  return new GrpcError(GrpcCode.INTERNAL, 'compressed gRPC message (not asked for)');
}

/** The pieces after the 5-byte gRPC prefix. */
function withoutPrefix(parts: Buffer[]): Buffer[] {
  let skip = 5;
  const out: Buffer[] = [];
  for (const part of parts) {
    if (skip >= part.length) {
      skip -= part.length;
      continue;
    }
    out.push(skip > 0 ? part.subarray(skip) : part);
    skip = 0;
  }
  return out;
}
