import type { Etcd3 } from 'etcd3';
import { idToHex } from '../../core/ids.js';
import { explainEtcdError } from '../../core/errors/explain-etcd-error.js';
import type { MemberListEntry, MemberSample } from '../../core/cluster/types.js';

export type ProbeResult =
  | { ok: true; sample: MemberSample }
  | { ok: false; kind: 'timeout' | 'unreachable' | 'error'; reason: string };

/**
 * One poll of one member: status, its alarms and a linearizable read (what
 * `etcdctl endpoint health` does), all in parallel so a slow part costs one
 * deadline, not three.
 */
export async function probeMember(client: Etcd3): Promise<ProbeResult> {
  const started = performance.now();
  const [status, alarms, read] = await Promise.allSettled([
    client.maintenance.status(),
    client.maintenance.alarm({ action: 'Get', memberID: '0', alarm: 'None' }),
    client.get('health').exists(),
  ]);
  const latencyMs = Math.round(performance.now() - started);
  if (status.status === 'rejected') {
    const explained = explainEtcdError(status.reason);
    const kind = explained.kind === 'timeout' || explained.kind === 'unreachable' ? explained.kind : 'error';
    return { ok: false, kind, reason: explained.message };
  }
  const s = status.value;
  const memberId = idToHex(s.header.member_id);
  const readFailure = read.status === 'rejected' ? explainEtcdError(read.reason) : undefined;
  // A permission error still proves the member served the read through raft.
  const quorumRead = !readFailure || readFailure.kind === 'permission' ? 'ok' : 'failed';
  const memberAlarms =
    alarms.status === 'fulfilled'
      ? alarms.value.alarms.filter((a) => idToHex(a.memberID) === memberId).map((a) => a.alarm)
      : [];
  return {
    ok: true,
    sample: {
      memberId,
      clusterId: idToHex(s.header.cluster_id),
      version: s.version,
      dbSize: Number(s.dbSize),
      dbSizeInUse: Number(s.dbSizeInUse),
      leaderId: s.leader === '0' ? '' : idToHex(s.leader),
      raftTerm: Number(s.raftTerm),
      raftIndex: Number(s.raftIndex),
      raftAppliedIndex: Number(s.raftAppliedIndex),
      revision: Number(s.header.revision),
      isLearner: s.isLearner,
      errors: s.errors,
      alarms: memberAlarms,
      quorumRead,
      quorumReadReason: quorumRead === 'failed' ? readFailure?.message : undefined,
      latencyMs,
    },
  };
}

export async function listMembers(client: Etcd3): Promise<MemberListEntry[]> {
  const res = await client.cluster.memberList({ linearizable: false });
  return res.members.map((m) => ({
    id: idToHex(m.ID),
    name: m.name,
    peerUrls: m.peerURLs,
    clientUrls: m.clientURLs,
    isLearner: Boolean(m.isLearner),
    started: m.name !== '' && m.clientURLs.length > 0,
  }));
}
