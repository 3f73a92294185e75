/**
 * What core needs from one etcd member. The adapters implement it over the
 * etcd3 gRPC client (src/adapters/etcd/etcd-member.ts); core never sees gRPC.
 */
import type { MemberListEntry, MemberSample } from '../cluster/types.js';
import type { SnapshotSource } from './snapshot-stream.js';

export type ProbeResult =
  | { ok: true; sample: MemberSample }
  | { ok: false; kind: 'timeout' | 'unreachable' | 'error' | 'setup'; reason: string };

export interface RaisedAlarm {
  memberId: string;
  alarm: string;
}

export interface MemberStatusLine {
  memberId: string;
  /** '' when the member knows no leader. */
  leaderId: string;
  dbSize: number;
  dbSizeInUse: number;
  revision: number;
}

export interface AddedMember {
  id: string;
  /** Every member after the add, the new one included (its name is '' until it starts). */
  members: { id: string; name: string; peerUrls: string[] }[];
}

/** A lease-backed key held while an operation runs. */
export interface HeldKey {
  /** Rejects when the lease's own client cannot reach the member any more (revoke by leaseId elsewhere). */
  release(): Promise<void>;
  leaseId: string;
}

export type CreateResult = { created: true; held: HeldKey } | { created: false; current: string | null };

export interface EtcdMember extends SnapshotSource {
  /** Status and a quorum read, as `etcdctl endpoint health` judges; `steady` skips the read when nothing moved. */
  probe(steady?: MemberSample): Promise<ProbeResult>;
  status(): Promise<MemberStatusLine>;
  listMembers(): Promise<MemberListEntry[]>;
  defragment(deadlineMs: number): Promise<void>;
  /** Must be sent to the current leader. */
  moveLeader(targetHexId: string, deadlineMs: number): Promise<void>;
  /** Physical: returns once the backend has dropped the history. */
  compact(revision: number, deadlineMs: number): Promise<void>;
  /** Goes through raft: ask on demand, never on every poll. */
  listAlarms(): Promise<RaisedAlarm[]>;
  disarmAlarm(alarm: RaisedAlarm): Promise<void>;
  hashKv(revision: number): Promise<string>;
  countKeysAt(revision: number): Promise<number>;
  /** A write that must go through (proves the cluster accepts writes), removed again at once. */
  writeAndDelete(key: string, value: string): Promise<void>;
  /** Creates `key` only if absent, bound to a lease kept alive until released; onLost when keepalives stop. */
  createLeased(key: string, value: string, ttlSeconds: number, onLost: () => void): Promise<CreateResult>;
  addLearner(peerUrl: string): Promise<AddedMember>;
  removeMember(hexId: string): Promise<void>;
  promoteMember(hexId: string): Promise<void>;
  revokeLease(leaseId: string): Promise<void>;
}
