import { osUser, type AuditLog, type AuditResult } from '../../adapters/audit-log.js';
import { explainEtcdError } from '../errors/explain-etcd-error.js';

export interface ActionMeta {
  action: string;
  target: string;
  params: Record<string, string | number | boolean>;
  cluster: string;
  etcdUser?: string;
}

/**
 * Runs one mutating action: says what starts, runs it, and records the outcome
 * in the audit log whatever happens. Errors come back in plain words.
 */
export async function runAudited<T>(
  audit: AuditLog,
  meta: ActionMeta,
  say: (line: string) => void,
  work: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  const started = Date.now();
  say(`${meta.action} ${meta.target}: started`);
  let result: AuditResult = 'ok';
  let error: string | undefined;
  try {
    const value = await work();
    say(`${meta.action} ${meta.target}: done`);
    return { ok: true, value };
  } catch (err) {
    result = 'failed';
    error = plainError(err);
    say(`${meta.action} ${meta.target}: FAILED: ${error}`);
    return { ok: false, error };
  } finally {
    record(audit, meta, result, error, started);
  }
}

export function recordRefusal(audit: AuditLog, meta: ActionMeta, result: 'cancelled' | 'refused', why: string): void {
  record(audit, meta, result, why, Date.now());
}

function record(audit: AuditLog, meta: ActionMeta, result: AuditResult, error: string | undefined, started: number): void {
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
