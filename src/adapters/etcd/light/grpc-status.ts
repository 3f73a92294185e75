import { constants, type ClientHttp2Session } from 'node:http2';
/**
 * gRPC status codes and errors worded the way grpc-js words them
 * (`14 UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:2379`), which is what
 * explainEtcdError reads.
 */

const CODE_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export class GrpcError extends Error {
  override name = 'GrpcError';

  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`${code} ${CODE_NAMES[code] ?? 'UNKNOWN'}: ${details}`);
  }
}

/** Socket, TLS and HTTP/2 failures: the call never reached etcd, or its answer never came back. */
export function transportError(err: unknown): GrpcError {
  if (err instanceof GrpcError) return err;
  return new GrpcError(GrpcCode.UNAVAILABLE, err instanceof Error ? err.message : String(err));
}

/** The status gRPC prescribes for a response that is not gRPC at all (a proxy's error page, say). */
export function codeForHttpStatus(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return GrpcCode.INTERNAL;
    case 401:
      return GrpcCode.UNAUTHENTICATED;
    case 403:
      return GrpcCode.PERMISSION_DENIED;
    case 404:
      return GrpcCode.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcCode.UNAVAILABLE;
    default:
      return GrpcCode.UNKNOWN;
  }
}

/** grpc-message is percent-encoded UTF-8; a malformed escape stays as it came. */
export function decodeGrpcMessage(raw: string): string {
  if (!raw.includes('%')) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const hex = raw.charCodeAt(i) === 0x25 ? raw.slice(i + 1, i + 3) : '';
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(raw.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Sessions whose server sent its HTTP/2 settings: an etcd client port does at once, a peer port or a TLS port spoken to in plain text never does. */
const spokeHttp2 = new WeakSet<ClientHttp2Session>();

export function watchServerSettings(session: ClientHttp2Session): void {
  session.once('remoteSettings', () => spokeHttp2.add(session));
}

const NOT_GRPC = 'Connection closed before the server spoke HTTP/2';

/** Why a call ended without a gRPC status: an HTTP error, a refused or reset stream, a dropped connection, a server that is no gRPC server. */
export function closedWithoutStatus(httpStatus: number, rstCode: number | undefined, session?: ClientHttp2Session): GrpcError {
  if (httpStatus === 0 && session && !spokeHttp2.has(session)) return new GrpcError(GrpcCode.UNAVAILABLE, NOT_GRPC);
  if (httpStatus !== 0 && httpStatus !== 200) return new GrpcError(codeForHttpStatus(httpStatus), `Received HTTP status code ${httpStatus}`);
  if (rstCode === constants.NGHTTP2_REFUSED_STREAM) return new GrpcError(GrpcCode.UNAVAILABLE, 'Stream refused by server');
  if (rstCode !== undefined && rstCode !== constants.NGHTTP2_NO_ERROR && rstCode !== constants.NGHTTP2_CANCEL) {
    return new GrpcError(GrpcCode.INTERNAL, `Received RST_STREAM with code ${rstCode}`);
  }
  return new GrpcError(GrpcCode.UNAVAILABLE, 'Connection dropped');
}
