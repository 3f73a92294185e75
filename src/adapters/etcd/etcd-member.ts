/** The core's EtcdMember port over one etcd3 gRPC client; snapshots stream over the light client. */
import type { Etcd3 } from 'etcd3';
import { hexToDecimal, idToHex } from '../../core/ids.js';
import type { MemberSample } from '../../core/cluster/types.js';
import type { AddedMember, CreateResult, EtcdMember, MemberStatusLine } from '../../core/ports/etcd.js';
import { hashKv } from './hash-kv.js';
import { compact, defragment, disarmAlarm, listAlarms, moveLeader } from './maintenance.js';
import { listMembers, probeMember } from './probe.js';
import type { OpenSnapshot } from './snapshot.js';
import { createMemberClient, memberClientTarget, type ClientOptions } from './member-client.js';
import { PollClient } from './light/poll-client.js';

// The poller builds a member for every endpoint; the snapshot code (and its verification) loads only when one is taken.
const snapshotCode = () => import('./snapshot.js');

export function etcdMember(client: Etcd3): EtcdMember {
  const target = memberClientTarget(client);
  // A connection of its own per snapshot: the poller's keeps its small windows and never waits behind a database.
  const snapshots = target ? lightSnapshotOnce(() => new PollClient(target.endpoint, target.options, { bulk: true })) : async () => (await snapshotCode()).etcd3Snapshot(client)();
  return memberOver(() => client, snapshots);
}

/**
 * One member for a one-shot command: snapshots stream over `light` (already
 * connected, say by a probe), and etcd3 is loaded only if another call is
 * made. The caller closes `light`.
 */
export function lightEtcdMember(light: PollClient, options: ClientOptions): EtcdMember {
  let client: Etcd3 | undefined;
  return memberOver(() => (client ??= createMemberClient(light.endpoint, options)), async () => (await snapshotCode()).lightSnapshot(light)());
}

/** A fresh light client per snapshot, closed when the stream ends however it ends. */
function lightSnapshotOnce(connect: () => PollClient): OpenSnapshot {
  return async () => {
    const light = connect();
    try {
      const stream = await (await snapshotCode()).lightSnapshot(light)();
      return {
        ...stream,
        start: (handlers) =>
          stream.start({
            ...handlers,
            end: () => (light.close(), handlers.end()),
            error: (err) => (light.close(), handlers.error(err)),
          }),
        cancel: () => (stream.cancel(), light.close()),
      };
    } catch (err) {
      light.close();
      throw err;
    }
  };
}

function memberOver(etcd3: () => Etcd3, snapshots: OpenSnapshot): EtcdMember {
  return {
    probe: (steady?: MemberSample) => probeMember(etcd3(), steady),
    status: () => statusLine(etcd3()),
    listMembers: () => listMembers(etcd3()),
    defragment: (deadlineMs) => defragment(etcd3(), deadlineMs),
    moveLeader: (target, deadlineMs) => moveLeader(etcd3(), target, deadlineMs),
    compact: (revision, deadlineMs) => compact(etcd3(), revision, deadlineMs),
    listAlarms: () => listAlarms(etcd3()),
    disarmAlarm: (alarm) => disarmAlarm(etcd3(), alarm),
    hashKv: (revision) => hashKv(etcd3(), revision),
    countKeysAt: (revision) => etcd3().getAll().revision(revision).count(),
    writeAndDelete: async (key, value) => {
      await etcd3().put(key).value(value);
      await etcd3().delete().key(key);
    },
    createLeased: (key, value, ttl, onLost) => createLeased(etcd3(), key, value, ttl, onLost),
    addLearner: (peerUrl) => addLearner(etcd3(), peerUrl),
    removeMember: async (hexId) => void (await etcd3().cluster.memberRemove({ ID: hexToDecimal(hexId) })),
    saveSnapshot: async (file, options) => (await snapshotCode()).saveSnapshot(snapshots, file, options),
    streamSnapshot: async (write, options) => (await snapshotCode()).streamSnapshot(snapshots, write, options),
    revokeLease: async (leaseId) => void (await etcd3().leaseClient.leaseRevoke({ ID: leaseId })),
    promoteMember: async (hexId) => void (await etcd3().cluster.memberPromote({ ID: hexToDecimal(hexId) })),
  };
}

/** The revision as well: currentRevision reads the same status. */
async function statusLine(client: Etcd3): Promise<MemberStatusLine> {
  const s = await client.maintenance.status();
  return {
    memberId: idToHex(s.header.member_id),
    leaderId: s.leader === '0' ? '' : idToHex(s.leader),
    dbSize: Number(s.dbSize),
    dbSizeInUse: Number(s.dbSizeInUse),
    revision: Number(s.header.revision),
  };
}

async function createLeased(client: Etcd3, key: string, value: string, ttl: number, onLost: () => void): Promise<CreateResult> {
  const lease = client.lease(ttl, { autoKeepAlive: true });
  // A grant that fails emits 'lost' too: only a lease that held the key can be lost.
  let holding = false;
  lease.on('lost', () => holding && onLost());
  const quietRelease = () => lease.revoke().catch(() => undefined);
  try {
    const leaseId = await lease.grant();
    const result = await client.if(key, 'Create', '==', 0).then(client.put(key).value(value).lease(leaseId)).commit();
    if (result.succeeded) {
      holding = true;
      return { created: true, held: { leaseId, release: () => lease.revoke() } };
    }
  } catch (err) {
    await quietRelease();
    throw err;
  }
  const current = await client.get(key).string().catch(() => null);
  await quietRelease();
  return { created: false, current };
}

async function addLearner(client: Etcd3, peerUrl: string): Promise<AddedMember> {
  const added = await client.cluster.memberAdd({ peerURLs: [peerUrl], isLearner: true });
  return {
    id: idToHex(added.member.ID),
    members: added.members.map((m) => ({ id: idToHex(m.ID), name: m.ID === added.member.ID ? '' : m.name, peerUrls: m.peerURLs })),
  };
}

