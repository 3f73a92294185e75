/**
 * An in-memory etcd cluster behind the EtcdMember port (src/core/ports/etcd.ts),
 * for fast tests of our own logic: it keeps members, the leader, DB sizes, a
 * lease-backed key space for the cluster lock, and a log of every mutating call
 * in order. It is not etcd: tests of etcd's behaviour run against real members.
 */
import type { MemberListEntry, MemberSample } from '../../src/core/cluster/types.js';
import type { AddedMember, CreateResult, EtcdMember, MemberStatusLine, ProbeResult, RaisedAlarm } from '../../src/core/ports/etcd.js';
import { boltSnapshotBytes, FakeSnapshotSource } from './fake-snapshot-source.js';

export interface FakeNode {
  name: string;
  endpoint: string;
  id: string;
  dbSize: number;
  dbSizeInUse: number;
  up: boolean;
  alarms: string[];
  isLearner: boolean;
}

export class FakeEtcdCluster {
  readonly nodes: FakeNode[];
  leaderId: string;
  raftTerm = 2;
  revision = 100;
  /** Mutating calls in the order they reached the cluster: "etcd-2 defragment", "etcd-1 move-leader etcd-2". */
  readonly calls: string[] = [];
  readonly keys = new Map<string, { value: string; leaseId?: string }>();
  private nextLease = 1;
  /** Makes the next call of this kind on this member fail with the message. */
  readonly failures = new Map<string, string>();

  constructor(members: { name: string; dbSize?: number; dbSizeInUse?: number }[], leader = members[0]!.name) {
    this.nodes = members.map((m, i) => ({
      name: m.name,
      endpoint: `https://127.0.0.${i + 1}:2379`,
      id: (0x1000 + i).toString(16).padStart(16, '0'),
      dbSize: m.dbSize ?? 400_000_000,
      dbSizeInUse: m.dbSizeInUse ?? 100_000_000,
      up: true,
      alarms: [],
      isLearner: false,
    }));
    this.leaderId = this.node(leader).id;
  }

  node(nameOrEndpoint: string): FakeNode {
    const n = this.nodes.find((x) => x.name === nameOrEndpoint || x.endpoint === nameOrEndpoint);
    if (!n) throw new Error(`no fake member ${nameOrEndpoint}`);
    return n;
  }

  /** The member stops answering; a leader that stops leaves the leadership to the next member up, as an election would. */
  kill(name: string): void {
    const n = this.node(name);
    n.up = false;
    if (this.leaderId === n.id) {
      const next = this.nodes.find((x) => x.up && !x.isLearner);
      if (next && this.hasQuorum()) {
        this.leaderId = next.id;
        this.raftTerm += 1;
      }
    }
  }

  revive(name: string): void {
    this.node(name).up = true;
  }

  hasQuorum(): boolean {
    const voters = this.nodes.filter((n) => !n.isLearner);
    return voters.filter((n) => n.up).length >= Math.floor(voters.length / 2) + 1;
  }

  /** What a probe of this member sees now. */
  probe(endpoint: string): ProbeResult {
    const n = this.node(endpoint);
    if (!n.up) return { ok: false, kind: 'unreachable', reason: `connection refused at ${new URL(endpoint).host} (etcd not running or not listening)` };
    return { ok: true, sample: this.sample(n) };
  }

  sample(n: FakeNode): MemberSample {
    const quorum = this.hasQuorum();
    return {
      memberId: n.id,
      clusterId: 'cafe000000000001',
      version: '3.5.30',
      dbSize: n.dbSize,
      dbSizeInUse: n.dbSizeInUse,
      leaderId: quorum ? this.leaderId : '',
      raftTerm: this.raftTerm,
      raftIndex: this.revision + 10,
      raftAppliedIndex: this.revision + 10,
      revision: this.revision,
      isLearner: n.isLearner,
      errors: [],
      alarms: n.alarms,
      quorumRead: quorum ? 'ok' : 'failed',
      quorumReadReason: quorum ? undefined : 'etcdserver: request timed out (no quorum)',
      latencyMs: 3,
    };
  }

  memberList(): MemberListEntry[] {
    return this.nodes.map((n) => ({ id: n.id, name: n.name, peerUrls: [n.endpoint.replace(':2379', ':2380')], clientUrls: [n.endpoint], isLearner: n.isLearner, started: true }));
  }

  /** The EtcdMember port for one member, as OperationContext.clientFor hands it out. */
  clientFor(endpoint: string): EtcdMember {
    return new FakeEtcdMember(this, this.node(endpoint));
  }

  record(n: FakeNode, call: string): void {
    const failure = this.failures.get(`${n.name} ${call.split(' ')[0]}`);
    if (failure !== undefined) {
      this.failures.delete(`${n.name} ${call.split(' ')[0]}`);
      throw new Error(failure);
    }
    if (!n.up) throw new Error(`14 UNAVAILABLE: connect ECONNREFUSED ${new URL(n.endpoint).host}`);
    this.calls.push(`${n.name} ${call}`);
  }

  needQuorum(): void {
    if (!this.hasQuorum()) throw new Error('etcdserver: request timed out');
  }

  newLease(): string {
    return String(this.nextLease++);
  }
}

class FakeEtcdMember implements EtcdMember {
  private readonly snapshots: FakeSnapshotSource;

  constructor(
    private readonly cluster: FakeEtcdCluster,
    private readonly n: FakeNode,
  ) {
    this.snapshots = new FakeSnapshotSource(() => {
      cluster.record(n, 'snapshot');
      return boltSnapshotBytes(16, n.name);
    });
  }

  async probe(): Promise<ProbeResult> {
    return this.cluster.probe(this.n.endpoint);
  }

  async status(): Promise<MemberStatusLine> {
    if (!this.n.up) throw new Error(`14 UNAVAILABLE: connect ECONNREFUSED ${new URL(this.n.endpoint).host}`);
    const s = this.cluster.sample(this.n);
    return { memberId: s.memberId, leaderId: s.leaderId, dbSize: s.dbSize, dbSizeInUse: s.dbSizeInUse, revision: s.revision };
  }

  async listMembers(): Promise<MemberListEntry[]> {
    this.cluster.needQuorum();
    return this.cluster.memberList();
  }

  async defragment(): Promise<void> {
    this.cluster.record(this.n, 'defragment');
    this.n.dbSize = this.n.dbSizeInUse;
  }

  async moveLeader(targetHexId: string): Promise<void> {
    const target = this.cluster.nodes.find((x) => x.id === targetHexId);
    this.cluster.record(this.n, `move-leader ${target?.name ?? targetHexId}`);
    if (this.cluster.leaderId !== this.n.id) throw new Error('etcdserver: not leader');
    if (!target?.up) throw new Error('etcdserver: bad leader transferee');
    this.cluster.leaderId = target.id;
    this.cluster.raftTerm += 1;
  }

  async compact(revision: number): Promise<void> {
    this.cluster.needQuorum();
    this.cluster.record(this.n, `compact ${revision}`);
  }

  async listAlarms(): Promise<RaisedAlarm[]> {
    this.cluster.needQuorum();
    return this.cluster.nodes.flatMap((x) => x.alarms.map((alarm) => ({ memberId: x.id, alarm })));
  }

  async disarmAlarm(alarm: RaisedAlarm): Promise<void> {
    this.cluster.needQuorum();
    this.cluster.record(this.n, `disarm ${alarm.alarm}`);
    const owner = this.cluster.nodes.find((x) => x.id === alarm.memberId);
    if (owner) owner.alarms = owner.alarms.filter((a) => a !== alarm.alarm);
  }

  async hashKv(revision: number): Promise<string> {
    return `hash-${revision}`;
  }

  async countKeysAt(): Promise<number> {
    return this.cluster.keys.size;
  }

  async writeAndDelete(key: string): Promise<void> {
    this.cluster.needQuorum();
    this.cluster.record(this.n, `write-and-delete ${key}`);
  }

  async createLeased(key: string, value: string): Promise<CreateResult> {
    this.cluster.needQuorum();
    const current = this.cluster.keys.get(key);
    if (current) return { created: false, current: current.value };
    const leaseId = this.cluster.newLease();
    this.cluster.keys.set(key, { value, leaseId });
    this.cluster.calls.push(`${this.n.name} lock ${key}`);
    const release = async (): Promise<void> => this.revokeLease(leaseId);
    return { created: true, held: { leaseId, release } };
  }

  async addLearner(peerUrl: string): Promise<AddedMember> {
    this.cluster.needQuorum();
    this.cluster.record(this.n, `add-learner ${peerUrl}`);
    const id = (0x2000 + this.cluster.nodes.length).toString(16).padStart(16, '0');
    return { id, members: [...this.cluster.memberList(), { id, name: '', peerUrls: [peerUrl] }] };
  }

  async removeMember(hexId: string): Promise<void> {
    this.cluster.needQuorum();
    this.cluster.record(this.n, `remove-member ${hexId}`);
  }

  async promoteMember(hexId: string): Promise<void> {
    this.cluster.needQuorum();
    this.cluster.record(this.n, `promote-member ${hexId}`);
  }

  async revokeLease(leaseId: string): Promise<void> {
    for (const [key, entry] of this.cluster.keys) {
      if (entry.leaseId === leaseId) {
        this.cluster.keys.delete(key);
        this.cluster.calls.push(`${this.n.name} unlock ${key}`);
      }
    }
  }

  saveSnapshot: EtcdMember['saveSnapshot'] = (file, options) => this.snapshots.saveSnapshot(file, options);
  streamSnapshot: EtcdMember['streamSnapshot'] = (write, options) => this.snapshots.streamSnapshot(write, options);
}
