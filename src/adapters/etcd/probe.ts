import { monotonicMs } from './monotonic.js';
import type { Etcd3 } from 'etcd3';
import { idToHex } from '../../core/ids.js';
import { explainEtcdError } from '../../core/errors/explain-etcd-error.js';
import type { MemberListEntry, MemberSample } from '../../core/cluster/types.js';
import type { ProbeResult } from '../../core/ports/etcd.js';
import { PollClient } from './light/poll-client.js';
import type { Member, StatusResponse } from './light/etcd-messages.js';


/** Failures that say nothing about the member: our TLS files, our credentials, our permissions, the URL we were given. */
const OWN_SETUP = new Set(['tls', 'auth', 'permission', 'protocol']);

/** The poller's light client, or an etcd3 client (operations probe with the clients they already hold). */
export type ProbeClient = PollClient | Etcd3;

/**
 * One poll of one member: status and a linearizable read (what `etcdctl
 * endpoint health` does), in parallel so a slow part costs one deadline, not
 * two. Alarms come from the status' `errors`: an Alarm GET request goes
 * through raft and would append an entry to the log on every poll.
 *
 * With `steady` (the member's previous sample, when it was healthy and the
 * read is not due), only status is asked; the read follows at once if status
 * shows anything that could mean lost quorum (no leader, another leader or
 * term), otherwise the previous read's verdict stands. Halves the calls of a
 * quiet cluster.
 */
export async function probeMember(client: ProbeClient, steady?: MemberSample): Promise<ProbeResult> {
  const started = monotonicMs();
  const [status, read] = steady ? await statusThenReadIfChanged(client, steady) : await Promise.allSettled([askStatus(client), askQuorumRead(client)]);
  const latencyMs = Math.round(monotonicMs() - started);
  if (status.status === 'rejected') {
    const explained = explainEtcdError(status.reason);
    const kind = explained.kind === 'timeout' || explained.kind === 'unreachable' ? explained.kind : OWN_SETUP.has(explained.kind) ? 'setup' : 'error';
    return { ok: false, kind, reason: explained.message };
  }
  const s = status.value;
  const memberId = idToHex(s.header.member_id);
  const readFailure = read.status === 'rejected' ? explainEtcdError(read.reason) : undefined;
  // A permission error still proves the member served the read through raft.
  const quorumRead = !readFailure || readFailure.kind === 'permission' ? 'ok' : 'failed';
  const { alarms, otherErrors } = splitStatusErrors(s.errors);
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
      errors: otherErrors,
      alarms: alarms.filter((a) => a.memberId === memberId).map((a) => a.alarm),
      quorumRead,
      quorumReadReason: quorumRead === 'failed' ? readFailure?.message : undefined,
      latencyMs,
    },
  };
}

async function statusThenReadIfChanged(
  client: ProbeClient,
  steady: MemberSample,
): Promise<[PromiseSettledResult<StatusResponse>, PromiseSettledResult<unknown>]> {
  const skipped: PromiseSettledResult<unknown> = { status: 'fulfilled', value: undefined };
  const [status] = await Promise.allSettled([askStatus(client)]);
  if (status.status === 'rejected') return [status, skipped];
  const s = status.value;
  const changed = s.leader === '0' || idToHex(s.leader) !== steady.leaderId || Number(s.raftTerm) !== steady.raftTerm;
  return [status, changed ? (await Promise.allSettled([askQuorumRead(client)]))[0] : skipped];
}

function askStatus(client: ProbeClient): Promise<StatusResponse> {
  return client instanceof PollClient ? client.status() : client.maintenance.status();
}

function askQuorumRead(client: ProbeClient): Promise<unknown> {
  return client instanceof PollClient ? client.quorumRead() : client.get('health').exists();
}

export async function listMembers(client: ProbeClient): Promise<MemberListEntry[]> {
  const members: Member[] = client instanceof PollClient ? await client.memberList(false) : (await client.cluster.memberList({ linearizable: false })).members;
  return members.map((m) => ({
    id: idToHex(m.ID),
    name: m.name,
    peerUrls: m.peerURLs,
    clientUrls: m.clientURLs,
    isLearner: Boolean(m.isLearner),
    started: m.name !== '' && m.clientURLs.length > 0,
  }));
}

const ALARM_TEXT = /^memberID:(\d+) alarm:([A-Z_]+)\s*$/;

/** etcd lists every raised alarm of the cluster in each member's status errors as `memberID:<dec> alarm:NOSPACE `. */
export function splitStatusErrors(errors: string[]): { alarms: { memberId: string; alarm: string }[]; otherErrors: string[] } {
  const alarms: { memberId: string; alarm: string }[] = [];
  const otherErrors: string[] = [];
  for (const text of errors) {
    const match = text.match(ALARM_TEXT);
    if (match) alarms.push({ memberId: idToHex(match[1]!), alarm: match[2]! });
    else otherErrors.push(text);
  }
  return { alarms, otherErrors };
}
