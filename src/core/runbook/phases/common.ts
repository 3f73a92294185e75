/** Helpers the phase files share. */
import type { ExecResult } from '../../transport.js';
import { adviceFor } from '../advice.js';
import { classifyFailure, RunbookFailure, type FailureKind } from '../failures.js';
import type { NodeRuntime } from '../node-runtime.js';
import type { CheckResult, RunContext } from '../types.js';

export const COMMAND_TIMEOUT_MS = 60_000;

export function standardAdvice(error: unknown): string {
  return adviceFor(classifyFailure(error));
}

/** Runs a command on the node (through sudo when the node uses it and `privileged`). */
export function exec(node: NodeRuntime, command: string, options: { privileged?: boolean; timeoutMs?: number; stdin?: string } = {}): Promise<ExecResult> {
  return node.transport.exec(command, {
    sudo: Boolean(options.privileged && node.sudo),
    timeoutMs: options.timeoutMs ?? COMMAND_TIMEOUT_MS,
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
  });
}

/** Like exec, but a non-zero exit is a failure naming the node, what was done, and what it printed. */
export async function mustExec(
  node: NodeRuntime,
  command: string,
  what: string,
  options: { privileged?: boolean; timeoutMs?: number; kind?: FailureKind } = {},
): Promise<ExecResult> {
  const r = await exec(node, command, options);
  if (r.code !== 0) {
    const kind = options.kind ?? (r.code === 127 ? 'missing-tool' : 'other');
    const said = (r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n');
    throw new RunbookFailure(kind, `${node.spec.name}: ${what} failed (exit ${r.code})${said ? `: ${said}` : ''}`, [node.spec.name]);
  }
  return r;
}

/**
 * Phase 0 steps are done once their measurements are recorded for the node
 * (or, for cluster steps, for every node): a rerun must not re-test ports
 * that etcd now holds.
 */
export function preflightRecorded(run: RunContext, node?: string): CheckResult {
  const record = run.state.load().preflight;
  if (!record) return { done: false, reason: 'no preflight recorded yet' };
  const names = node ? [node] : run.inventory.nodes.map((n) => n.name);
  const missing = names.filter((n) => !record.nodes[n]);
  if (missing.length > 0) return { done: false, reason: `no preflight recorded for ${missing.join(', ')}` };
  const { heartbeatIntervalMs, electionTimeoutMs } = record.recommended;
  return { done: true, detail: `recorded ${record.measuredAt}: heartbeat ${heartbeatIntervalMs} ms, election ${electionTimeoutMs} ms` };
}

export function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
