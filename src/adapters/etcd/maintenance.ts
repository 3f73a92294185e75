import type { Etcd3 } from 'etcd3';
import { hexToDecimal, idToHex } from '../../core/ids.js';
import type { RaisedAlarm } from '../../core/ports/etcd.js';

/** Defragment one member. It blocks that member's reads and writes while it runs: give it a long deadline. */
export async function defragment(client: Etcd3, deadlineMs: number): Promise<void> {
  await client.maintenance.defragment({ deadline: Date.now() + deadlineMs });
}

/** Must be sent to the current leader. */
export async function moveLeader(leaderClient: Etcd3, targetHexId: string, deadlineMs: number): Promise<void> {
  await leaderClient.maintenance.moveLeader({ targetID: hexToDecimal(targetHexId) }, { deadline: Date.now() + deadlineMs });
}

/** Compacts history up to `revision`; `physical` waits until the backend has dropped it. */
export async function compact(client: Etcd3, revision: number, deadlineMs: number): Promise<void> {
  await client.kv.compact({ revision: String(revision), physical: true }, { deadline: Date.now() + deadlineMs });
}


/** Note: an alarm request goes through raft; list alarms on demand, not on every poll. */
export async function listAlarms(client: Etcd3): Promise<RaisedAlarm[]> {
  const res = await client.maintenance.alarm({ action: 'Get', memberID: '0', alarm: 'None' });
  return res.alarms.map((a) => ({ memberId: idToHex(a.memberID), alarm: String(a.alarm).toUpperCase() }));
}

export async function disarmAlarm(client: Etcd3, alarm: RaisedAlarm): Promise<void> {
  const type = alarm.alarm === 'NOSPACE' ? 'Nospace' : alarm.alarm === 'CORRUPT' ? 'Corrupt' : 'None';
  await client.maintenance.alarm({ action: 'Deactivate', memberID: hexToDecimal(alarm.memberId), alarm: type });
}

export async function currentRevision(client: Etcd3): Promise<number> {
  const status = await client.maintenance.status();
  return Number(status.header.revision);
}
