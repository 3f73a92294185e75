import { appendFileSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AuditEntry, AuditSink } from '../core/ports/audit.js';

/** `$XDG_STATE_HOME/etcd-cockpit`, else `~/.local/state/etcd-cockpit`: the audit log and snapshots live here. */
export function stateDir(env: Record<string, string | undefined> = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'etcd-cockpit');
}

/** `$ETCD_COCKPIT_AUDIT_LOG`, else `<stateDir>/audit.log`. */
export function defaultAuditLogPath(env: Record<string, string | undefined> = process.env): string {
  return env.ETCD_COCKPIT_AUDIT_LOG || join(stateDir(env), 'audit.log');
}

/** Appends one JSON line per action; the file is private to the user (0600). */
export class AuditLog implements AuditSink {
  constructor(readonly path: string) {}

  append(entry: AuditEntry): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    appendFileSync(this.path, JSON.stringify(entry) + '\n', { mode: 0o600 });
  }
}
