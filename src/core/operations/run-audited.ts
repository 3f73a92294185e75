import { osUser, type AuditSink, type AuditResult } from '../ports/audit.js';
import { explainEtcdError } from '../errors/explain-etcd-error.js';
import { ClusterLockHeldError, type LockAcquirer } from './cluster-lock.js';

export interface ActionMeta {
  action: string;
  target: string;
  params: Record<string, string | number | boolean>;
  cluster: string;
  etcdUser?: string;
}

export type AuditedOutcome<T> = { ok: true; value: T } | { ok: false; error: string; lockHeld?: boolean };

/**
 * Runs one mutating action: takes the cluster lock (when given one), says
 * what starts, runs it, releases the lock and records the outcome in the
 * audit log whatever happens. Errors come back in plain words.
 */
export async function runAudited<T>(
  audit: AuditSink,
  meta: ActionMeta,
  say: (line: string) => void,
  work: () => Promise<T>,
  lock?: LockAcquirer,
): Promise<AuditedOutcome<T>> {
  let held;
  try {
    held = await lock?.();
  } catch (err) {
    if (!(err instanceof ClusterLockHeldError)) throw err;
    say(`${meta.action} ${meta.target}: ${err.message}`);
    recordRefusal(audit, meta, 'refused', err.message, say);
    return { ok: false, error: err.message, lockHeld: true };
  }
  const started = Date.now();
  say(`${meta.action} ${meta.target}: started`);
  let result: AuditResult = 'ok';
  let error: string | undefined;
  // The lock is released before the outcome is said: whoever acts on "done" finds the cluster free.
  try {
    const value = await work().finally(() => held?.release());
    say(`${meta.action} ${meta.target}: done`);
    return { ok: true, value };
  } catch (err) {
    result = 'failed';
    error = plainError(err);
    say(`${meta.action} ${meta.target}: FAILED: ${error}`);
    return { ok: false, error };
  } finally {
    record(audit, meta, result, error, started, say);
  }
}

export function recordRefusal(audit: AuditSink, meta: ActionMeta, result: 'cancelled' | 'refused', why: string, say?: (line: string) => void): void {
  record(audit, meta, result, why, Date.now(), say);
}

/** A failed audit write is said, never allowed to turn the action's outcome into a failure. */
function record(audit: AuditSink, meta: ActionMeta, result: AuditResult, error: string | undefined, started: number, say?: (line: string) => void): void {
  try {
    append(audit, meta, result, error, started);
  } catch (err) {
    const line = `warning: the audit log ${audit.path} was not written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the ${meta.action} ${result === 'ok' ? 'succeeded' : `ended ${result}`}`;
    if (say) say(line);
    else process.stderr.write(line + '\n');
  }
}

function append(audit: AuditSink, meta: ActionMeta, result: AuditResult, error: string | undefined, started: number): void {
  audit.append({
    time: new Date(started).toISOString(),
    user: osUser(),
    etcdUser: meta.etcdUser,
    cluster: meta.cluster,
    action: meta.action,
    target: meta.target,
    params: meta.params,
    result,
    error,
    durationMs: Date.now() - started,
  });
}

/** gRPC errors get etcd's meaning in plain words; our own errors already are plain words: their first line. */
function plainError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const fromGrpc = /^\d+ [A-Z_]+: /.test(message) || typeof (err as { code?: unknown })?.code === 'number';
  return fromGrpc ? explainEtcdError(err).message : (message.split('\n')[0] ?? message);
}
