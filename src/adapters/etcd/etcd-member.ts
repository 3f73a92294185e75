/** The core's EtcdMember port over one etcd3 gRPC client. */
import type { Etcd3 } from 'etcd3';
import { hexToDecimal, idToHex } from '../../core/ids.js';
import type { MemberSample } from '../../core/cluster/types.js';
import type { AddedMember, CreateResult, EtcdMember, MemberStatusLine } from '../../core/ports/etcd.js';
import { hashKv } from './hash-kv.js';
import { compact, defragment, disarmAlarm, listAlarms, moveLeader } from './maintenance.js';
import { listMembers, probeMember } from './probe.js';
import { saveSnapshot, streamSnapshot } from './snapshot.js';

export function etcdMember(client: Etcd3): EtcdMember {
  return {
    probe: (steady?: MemberSample) => probeMember(client, steady),
    status: () => statusLine(client),
    listMembers: () => listMembers(client),
    defragment: (deadlineMs) => defragment(client, deadlineMs),
    moveLeader: (target, deadlineMs) => moveLeader(client, target, deadlineMs),
    compact: (revision, deadlineMs) => compact(client, revision, deadlineMs),
    listAlarms: () => listAlarms(client),
    disarmAlarm: (alarm) => disarmAlarm(client, alarm),
    hashKv: (revision) => hashKv(client, revision),
    countKeysAt: (revision) => client.getAll().revision(revision).count(),
    writeAndDelete: async (key, value) => {
      await client.put(key).value(value);
      await client.delete().key(key);
    },
    createLeased: (key, value, ttl, onLost) => createLeased(client, key, value, ttl, onLost),
    addLearner: (peerUrl) => addLearner(client, peerUrl),
    removeMember: async (hexId) => void (await client.cluster.memberRemove({ ID: hexToDecimal(hexId) })),
    saveSnapshot: (file, options) => saveSnapshot(client, file, options),
    streamSnapshot: (write, options) => streamSnapshot(client, write, options),
    revokeLease: async (leaseId) => void (await client.leaseClient.leaseRevoke({ ID: leaseId })),
    promoteMember: async (hexId) => void (await client.cluster.memberPromote({ ID: hexToDecimal(hexId) })),
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

