import { constants, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { GrpcCode, GrpcError, closedWithoutStatus, decodeGrpcMessage, transportError } from './grpc-status.js';

export interface MessageHandlers {
  /** A view into the received bytes: valid for as long as it is referenced. */
  message(message: Buffer): void;
  /** The server closed the stream with grpc-status 0. */
  end(): void;
  /** Once at most, and nothing after it. */
  error(err: GrpcError): void;
}

/**
 * The messages of one server-streaming gRPC call as they arrive. A message
 * that lies whole in a received chunk is handed on as a view, not copied.
 * pause() stops reading, so HTTP/2 flow control holds the server back.
 */
export class GrpcMessageStream {
  private held: Buffer[] = [];
  private heldBytes = 0;
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
    let data = chunk;
    if (this.heldBytes > 0) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      if (this.heldBytes < 5) return;
      const first = this.held[0]!;
      const length = first.length >= 5 ? first.readUInt32BE(1) : Buffer.concat(this.held).readUInt32BE(1);
      if (this.heldBytes < 5 + length) return;
      data = Buffer.concat(this.held, this.heldBytes);
      this.held = [];
      this.heldBytes = 0;
    }
    let pos = 0;
    while (data.length - pos >= 5) {
      if (data[pos] !== 0) return this.fail(new GrpcError(GrpcCode.INTERNAL, 'compressed gRPC message (not asked for)'));
      const end = pos + 5 + data.readUInt32BE(pos + 1);
      if (end > data.length) break;
      this.handlers!.message(data.subarray(pos + 5, end));
      if (this.done) return;
      pos = end;
    }
    if (pos < data.length) {
      this.held.push(data.subarray(pos));
      this.heldBytes = data.length - pos;
    }
  }

  private closed(): void {
    if (this.done) return;
    if (this.grpcStatus === undefined) return this.fail(closedWithoutStatus(this.httpStatus, this.stream.rstCode));
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
