/**
 * What went wrong, as a kind the advice and the UI can switch on. Steps throw
 * RunbookFailure for failures they recognise; classifyFailure() sorts the
 * rest (SSH host keys, connection errors, etcd errors).
 */
import { HostKeyError } from '../errors/host-key-error.js';
import { explainEtcdError } from '../errors/explain-etcd-error.js';

export type FailureKind =
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'host-key-revoked'
  | 'unreachable'
  | 'ssh-auth'
  | 'sudo'
  | 'missing-tool'
  | 'port-busy'
  | 'peer-unreachable'
  | 'binary'
  | 'tls'
  | 'bootstrap-timeout'
  | 'member-exited'
  | 'quorum'
  | 'auth'
  | 'permission'
  | 'config'
  | 'other';

export class RunbookFailure extends Error {
  override name = 'RunbookFailure';

  constructor(
    readonly kind: FailureKind,
    message: string,
    /** Nodes the failure is about (e.g. the members that did not start). */
    readonly nodes: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function classifyFailure(err: unknown): FailureKind {
  if (err instanceof RunbookFailure) return err.kind;
  if (err instanceof HostKeyError) {
    switch (err.kind) {
      case 'unknown':
        return 'host-key-unknown';
      case 'changed':
        return 'host-key-changed';
      case 'revoked':
        return 'host-key-revoked';
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/authentication failed \(/.test(message)) return 'ssh-auth';
  if (/^ssh .*: (connection refused|connection timed out|host not found|host unreachable|connection reset)/.test(message)) return 'unreachable';
  const explained = explainEtcdError(err);
  switch (explained.kind) {
    case 'tls':
      return 'tls';
    case 'auth':
      return 'auth';
    case 'permission':
      return 'permission';
    case 'timeout':
    case 'unreachable':
      return 'quorum';
    case 'protocol':
      return 'config';
    case 'error':
      return 'other';
  }
}
