import { disarmAlarm, listAlarms, type RaisedAlarm } from '../../adapters/etcd/maintenance.js';
import { compactHistory } from './compact.js';
import { defragMembers } from './defrag.js';
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
  const alarms = await listAlarms(anyClient(ctx).client);
  return alarms.map((a) => ({ ...a, name: nameOfMember(ctx, a.memberId) }));
}

export async function disarmAll(ctx: OperationContext): Promise<number> {
  const { client } = anyClient(ctx);
  const alarms = await listAlarms(client);
  for (const alarm of alarms) {
    await disarmAlarm(client, alarm);
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
  const { client } = anyClient(ctx);
  await client.put(CHECK_KEY).value(new Date().toISOString());
  await client.delete().key(CHECK_KEY);
  ctx.log('a test write went through: the cluster accepts writes again');
}
