/** Where every action's start and end are recorded (a JSON-lines file in the adapters). */
import { userInfo } from 'node:os';

export type AuditResult = 'ok' | 'failed' | 'cancelled' | 'refused';

export interface AuditEntry {
  time: string;
  /** The operating-system user at the keyboard, and the etcd user the cockpit acts as. */
  user: string;
  etcdUser?: string;
  cluster: string;
  action: string;
  target: string;
  /** Never secrets: callers pass only names, sizes and flags. */
  params: Record<string, string | number | boolean>;
  result: AuditResult;
  error?: string;
  durationMs: number;
}

export interface AuditSink {
  readonly path: string;
  append(entry: AuditEntry): void;
}

/** The operating-system user at the keyboard, as the audit log and the cluster lock name them. */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
