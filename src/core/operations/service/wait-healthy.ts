import { isRunning } from '../../ports/service-manager.js';
import type { MemberSample, MemberState } from '../../cluster/types.js';
import type { NodeRuntime } from '../../runbook/node-runtime.js';
import { readableLogLine } from '../../runbook/cluster-health.js';
import { sleep } from '../context.js';
import type { ServiceOpsContext } from './context.js';

const POLL_MS = 250;
/** A service seen dead this long after the start has crashed, not still starting. */
const DEAD_FOR_MS = 2000;
const LOG_LINES = 8;

export type Readiness = 'voter' | 'started';

/**
 * Waits until the member answers: as a healthy voting member serving quorum
 * reads with a leader ('voter'), or just answering status ('started', for a
 * learner that cannot serve reads yet). Fails early when its service dies,
 * with the service state and the tail of its log.
 */
export async function waitHealthy(
  ctx: ServiceOpsContext,
  member: MemberState,
  node: NodeRuntime,
  options: { timeoutMs?: number; readiness?: Readiness } = {},
): Promise<MemberSample> {
  const timeoutMs = options.timeoutMs ?? ctx.healthTimeoutMs;
  const readiness = options.readiness ?? 'voter';
  const started = Date.now();
  let last: string;
  let deadSince: number | undefined;
  for (;;) {
    const result = await ctx.clientFor(member.endpoint).probe();
    if (result.ok) {
      const s = result.sample;
      if (readiness === 'started') return s;
      if (s.isLearner) last = 'still a learner';
      else if (s.quorumRead !== 'ok') last = s.quorumReadReason ?? 'cannot serve a quorum read yet';
      else if (!s.leaderId) last = 'no leader yet';
      else return s;
    } else {
      last = result.reason;
    }
    const status = await node.service.status().catch(() => undefined);
    if (status && !isRunning(status.state)) deadSince ??= Date.now();
    else deadSince = undefined;
    const dead = deadSince !== undefined && Date.now() - deadSince >= DEAD_FOR_MS;
    if (dead || Date.now() - started >= timeoutMs) {
      const seconds = Math.round((Date.now() - started) / 1000);
      const why = dead ? `its service stopped running` : `it did not answer healthy within ${seconds} s`;
      throw new Error(`${member.name}: ${why} (last: ${last})\n${await serviceReport(node)}`);
    }
    await sleep(POLL_MS);
  }
}

/** The service state and the end of its log, indented: what an operator reads first. */
export async function serviceReport(node: NodeRuntime): Promise<string> {
  const status = await node.service.status().catch((err: Error) => ({ state: 'unknown', detail: err.message }));
  const tail = await node.service.logsTail(LOG_LINES).catch((err: Error) => `(cannot read the log: ${err.message})`);
  const lines = tail.split('\n').map((l) => `    | ${readableLogLine(l)}`);
  return [`    service ${status.state}${status.detail ? ` (${status.detail})` : ''}; last log lines:`, ...lines].join('\n');
}
