import type { RaisedAlarm } from '../ports/etcd.js';
import { compactHistory } from './compact.js';
import { defragMembers, type DefragResult } from './defrag.js';
import { formatBinaryBytes, formatBytes, formatPercent } from '../format/bytes.js';
import type { OperationContext } from './context.js';

function anyClient(ctx: OperationContext) {
  const member = ctx.members().find((m) => m.health !== 'unreachable' && m.health !== 'timeout' && m.health !== 'unknown');
  if (!member) throw new Error('no member is answering');
  return { client: ctx.clientFor(member.endpoint), member };
}

export function nameOfMember(ctx: OperationContext, memberId: string): string {
  return ctx.members().find((m) => m.last?.memberId === memberId)?.name ?? memberId;
}

export async function alarmList(ctx: OperationContext): Promise<(RaisedAlarm & { name: string })[]> {
  const alarms = await anyClient(ctx).client.listAlarms();
  return alarms.map((a) => ({ ...a, name: nameOfMember(ctx, a.memberId) }));
}

export async function disarmAll(ctx: OperationContext): Promise<number> {
  const { client } = anyClient(ctx);
  const alarms = await client.listAlarms();
  for (const alarm of alarms) {
    await client.disarmAlarm(alarm);
    ctx.log(`disarmed ${alarm.alarm} on ${nameOfMember(ctx, alarm.memberId)}`);
  }
  if (alarms.length === 0) ctx.log('no alarm was raised');
  return alarms.length;
}

const CHECK_KEY = '/etcd-cockpit/nospace-check';

/**
 * The NOSPACE recovery from etcd's maintenance guide: compact to the current
 * revision, defragment every member (followers first, leader last), disarm,
 * then prove that a write goes through again.
 */
export async function recoverFromNospace(ctx: OperationContext): Promise<void> {
  await compactHistory(ctx, {});
  const results = await defragMembers(ctx, { force: true });
  const failed = results.filter((r) => r.skipped);
  if (failed.length > 0) ctx.log(`warning: not defragmented: ${failed.map((r) => `${r.name} (${r.skipped})`).join(', ')}`);
  await disarmAll(ctx);
  // Before the test write: when the live data fills the quota, that write fails too, with etcd's words instead of ours.
  refuseDoneWhileNearlyFull(ctx, results);
  const { client } = anyClient(ctx);
  await client.writeAndDelete(CHECK_KEY, new Date().toISOString());
  ctx.log('a test write went through: the cluster accepts writes again');
}

/** Below this share of the quota after recovery there is room to work; above it the alarm comes back soon. */
export const NOSPACE_SAFE_SHARE = 0.8;

/**
 * Compaction and defragmentation only give back what was history and free
 * pages: when the live data itself nearly fills the quota, "done" would be
 * untrue. Says what to do next instead.
 */
function refuseDoneWhileNearlyFull(ctx: OperationContext, results: DefragResult[]): void {
  const members = ctx.members();
  const shares = results.flatMap((r) => {
    const quota = members.find((m) => m.name === r.name)?.quotaBytes;
    return r.after !== undefined && quota ? [{ name: r.name, after: r.after, quota, share: r.after / quota }] : [];
  });
  if (shares.length === 0) {
    ctx.log('warning: the quota is unknown (no /metrics answer), so how much room is left cannot be told');
    return;
  }
  const worst = shares.reduce((a, b) => (b.share > a.share ? b : a));
  if (worst.share < NOSPACE_SAFE_SHARE) {
    ctx.log(`room to work: the database fills ${formatPercent(worst.share)} of the ${formatBinaryBytes(worst.quota)} quota (${worst.name})`);
    return;
  }
  throw new Error(
    `not recovered: after compaction and defragmentation the database still fills ${formatPercent(worst.share)} of the ${formatBinaryBytes(worst.quota)} quota on ${worst.name} ` +
      `(${formatBytes(worst.after)}): the live data itself is that big and the alarm will return. The alarm is disarmed for now; ` +
      `delete keys that are not needed, or raise the quota (etcd-cockpit quota SIZE, a rolling restart), then run nospace-recover again`,
  );
}
