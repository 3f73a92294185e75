import { describe, expect, it } from 'vitest';
import { summarizeCluster } from '../src/core/cluster/summary.js';
import type { MemberSample, MemberState } from '../src/core/cluster/types.js';
import { memberView } from '../src/core/view/member-view.js';
import { statusTable } from '../src/core/view/status-report.js';
import { createCockpitStore } from '../src/state/store.js';
import { chooseLayout } from '../src/ui/layout.js';

function sample(over: Partial<MemberSample> = {}): MemberSample {
  return {
    memberId: 'a1',
    clusterId: 'c1',
    version: '3.5.30',
    dbSize: 100_000,
    dbSizeInUse: 80_000,
    leaderId: 'a1',
    raftTerm: 3,
    raftIndex: 120,
    raftAppliedIndex: 120,
    revision: 50,
    isLearner: false,
    errors: [],
    alarms: [],
    quorumRead: 'ok',
    latencyMs: 4,
    ...over,
  };
}

function member(name: string, health: MemberState['health'], over: Partial<MemberSample> = {}, extra: Partial<MemberState> = {}): MemberState {
  return { endpoint: `https://${name}:2379`, name, health, last: sample(over), lastSeen: 1000, ...extra };
}

describe('summarizeCluster: quorum and tolerance', () => {
  it.each([
    ['3 of 3 serving', ['ok', 'ok', 'ok'], 'ok', 1],
    ['2 of 3 serving', ['ok', 'unreachable', 'ok'], 'ok', 0],
    ['1 of 3 serving', ['ok', 'unreachable', 'timeout'], 'lost', 0],
  ] as const)('%s', (_label, healths, quorum, tolerates) => {
    const members = healths.map((h, i) => member(`m${i}`, h, { memberId: `id${i}`, leaderId: 'id0' }, h === 'ok' ? {} : { strikes: 2 }));
    const s = summarizeCluster(members);
    expect(s.quorum).toBe(quorum);
    expect(s.tolerates).toBe(tolerates);
    expect(s.answering).toBe(healths.filter((h) => h === 'ok').length);
  });

  it('a member that answers but cannot serve quorum reads does not count towards quorum', () => {
    const members = [
      member('a', 'degraded', { memberId: 'a', quorumRead: 'failed' }, { strikes: 2 }),
      member('b', 'timeout', { memberId: 'b' }, { strikes: 2 }),
      member('c', 'unreachable', { memberId: 'c' }, { strikes: 2, downSince: 5000 }),
    ];
    const s = summarizeCluster(members);
    expect(s.quorum).toBe('lost');
    expect(s.lostSince).toBe(5000);
    expect(s.answering).toBe(1);
  });

  it('one failed poll is not an outage: quorum is unknown until a second poll confirms it', () => {
    const once = [member('a', 'ok'), member('b', 'timeout', {}, { strikes: 1 }), member('c', 'unreachable', {}, { strikes: 2 })];
    expect(summarizeCluster(once)).toMatchObject({ quorum: 'unknown', quorumReason: 'b failed one poll; waiting for the next to confirm' });
    const twice = [once[0]!, { ...once[1]!, strikes: 2 }, once[2]!];
    expect(summarizeCluster(twice).quorum).toBe('lost');
  });

  it("the cockpit's own setup is not a cluster state: members it cannot ask make quorum unknown, with the reason", () => {
    const members = [member('a', 'ok'), member('b', 'setup', {}, { strikes: 2, reason: 'wrong user name or password' }), member('c', 'unreachable', {}, { strikes: 2 })];
    expect(summarizeCluster(members)).toMatchObject({ quorum: 'unknown', quorumReason: 'cannot check b: wrong user name or password' });
  });

  it('learners do not count as voters', () => {
    const members = [
      member('a', 'ok', { memberId: 'a' }),
      member('b', 'ok', { memberId: 'b' }),
      member('c', 'ok', { memberId: 'c', isLearner: true }),
    ];
    const s = summarizeCluster(members, [
      { id: 'a', name: 'a', peerUrls: [], clientUrls: [], isLearner: false, started: true },
      { id: 'b', name: 'b', peerUrls: [], clientUrls: [], isLearner: false, started: true },
      { id: 'c', name: 'c', peerUrls: [], clientUrls: [], isLearner: true, started: true },
    ]);
    expect(s.voters).toBe(2);
    expect(s.tolerates).toBe(0);
  });

  it('names the leader and collects alarms', () => {
    const members = [
      member('etcd-1', 'ok', { memberId: 'a', leaderId: 'b' }),
      member('etcd-2', 'degraded', { memberId: 'b', leaderId: 'b', alarms: ['NOSPACE'] }),
    ];
    const s = summarizeCluster(members);
    expect(s.leaderName).toBe('etcd-2');
    expect(s.alarms).toEqual(['NOSPACE on etcd-2']);
  });

  it('is unknown before anything answered', () => {
    expect(summarizeCluster([{ endpoint: 'e', name: 'e', health: 'unknown' }]).quorum).toBe('unknown');
  });
});

describe('memberView', () => {
  it('shows a down member with why, since when, and its last values as stale', () => {
    const m = member('etcd-2', 'unreachable', {}, { reason: 'connection refused at 127.0.0.2:2379', downSince: 10_000, lastSeen: 9_000 });
    const v = memberView(m, 22_000);
    expect(v.health.text).toBe('DOWN');
    expect(v.reason).toContain('connection refused');
    expect(v.seen.text).toMatch(/down since \d\d:\d\d:\d\d \(12s\), last seen/);
    expect(v.stale).toBe(true);
    expect(v.raftIndex).toBe('120');
  });

  it.each([
    [0.5 * 2 ** 31, 'normal'],
    [0.85 * 2 ** 31, 'warning'],
    [0.97 * 2 ** 31, 'critical'],
  ])('quota share of db size %d is %s', (dbSize, tone) => {
    const v = memberView(member('a', 'ok', { dbSize, dbSizeInUse: dbSize }, { quotaBytes: 2 ** 31 }), 0);
    expect(v.quota.tone).toBe(tone);
  });

  it('flags fragmentation when under half the file is in use and much could be reclaimed, and points at defrag', () => {
    const fragmented = memberView(member('a', 'ok', { dbSize: 200e6, dbSizeInUse: 60e6 }), 0);
    expect(fragmented.inUse.tone).toBe('warning');
    // 70 % and 140 MB free: defrag --auto's default rule holds, so the pane says what it would get back.
    expect(fragmented.advice).toEqual(['defrag would reclaim 140 MB (d)']);
    expect(memberView(member('a', 'ok', { dbSize: 150e6, dbSizeInUse: 70e6 }), 0).advice).toEqual([
      'fragmented: 47 % in use, 80 MB to reclaim with defragment (d)',
    ]);
    expect(memberView(member('a', 'ok', { dbSize: 200e6, dbSizeInUse: 180e6 }), 0).inUse.tone).toBe('normal');
    // A fresh, tiny database is not worth a warning even when mostly free.
    expect(memberView(member('a', 'ok', { dbSize: 40_000, dbSizeInUse: 10_000 }), 0).advice).toEqual([]);
  });

  it.each([
    [{ memberId: 'a', leaderId: 'a' }, 'leader'],
    [{ memberId: 'a', leaderId: 'b' }, 'follower'],
    [{ memberId: 'a', leaderId: 'b', isLearner: true }, 'learner'],
  ])('role of %o is %s', (over, role) => {
    expect(memberView(member('a', 'ok', over), 0).role).toBe(role);
  });
});

describe('statusTable', () => {
  it('prints one header and a row per member, from the same view as the panes', () => {
    const text = statusTable([member('etcd-1', 'ok'), member('etcd-2', 'unreachable', {}, { reason: 'connection refused' })], 0);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^NAME\s+ENDPOINT\s+ID\s+ROLE/);
    expect(lines[2]).toContain('DOWN: connection refused');
  });
});

describe('store', () => {
  it('keeps the same member object when a poll brings nothing new, so nothing re-renders', () => {
    const store = createCockpitStore({ clusterName: 'c', members: [{ endpoint: 'e1' }] });
    store.getState().applyProbe('e1', { ok: true, sample: sample() }, 1000);
    const first = store.getState().members.e1;
    store.getState().applyProbe('e1', { ok: true, sample: sample() }, 1000);
    expect(store.getState().members.e1).toBe(first);
  });

  it('records when a member went down and keeps its last sample', () => {
    const store = createCockpitStore({ clusterName: 'c', members: [{ endpoint: 'e1' }] });
    store.getState().applyProbe('e1', { ok: true, sample: sample() }, 1000);
    store.getState().applyProbe('e1', { ok: false, kind: 'unreachable', reason: 'connection refused' }, 2000);
    store.getState().applyProbe('e1', { ok: false, kind: 'unreachable', reason: 'connection refused' }, 3000);
    const m = store.getState().members.e1!;
    expect(m.health).toBe('unreachable');
    expect(m.downSince).toBe(2000);
    expect(m.last?.raftIndex).toBe(120);
    store.getState().applyProbe('e1', { ok: true, sample: sample() }, 4000);
    expect(store.getState().members.e1!.downSince).toBeUndefined();
  });

  it('moves the selection around the ring', () => {
    const store = createCockpitStore({ clusterName: 'c', members: [{ endpoint: 'a' }, { endpoint: 'b' }, { endpoint: 'c' }] });
    store.getState().moveSelection(-1);
    expect(store.getState().selected).toBe(2);
    store.getState().moveSelection(1);
    expect(store.getState().selected).toBe(0);
  });
});

describe('chooseLayout', () => {
  it.each([
    [3, 120, 37, 'wide', 3],
    [3, 200, 57, 'wide', 3],
    [3, 80, 21, 'compact', 1],
    [5, 80, 21, 'line', 1],
    [5, 200, 57, 'wide', 5],
    [3, 120, 12, 'line', 1],
  ])('%d members at %dx%d rows -> %s', (members, columns, rows, variant, perRow) => {
    const layout = chooseLayout(members, columns, rows);
    expect(layout.variant).toBe(variant);
    expect(layout.perRow).toBe(perRow);
  });
});

describe('advice', () => {
  it('is not given from the numbers of a member that is down', () => {
    const signals = { walFsyncP99Ms: 48, problems: [{ text: 'fsync p99 48 ms > 10 ms: slow disk', tone: 'warning' as const }] };
    expect(memberView(member('a', 'ok', {}, { signals }), 0).advice).toEqual(['fsync p99 48 ms > 10 ms: slow disk']);
    expect(memberView(member('a', 'unreachable', {}, { signals, downSince: 0 }), 0).advice).toEqual([]);
  });
});

describe('store: shown latency', () => {
  const latencies = (measured: number[]): string[] => {
    const store = createCockpitStore({ clusterName: 'c', members: [{ endpoint: 'e1' }] });
    return measured.map((latencyMs, i) => {
      store.getState().applyProbe('e1', { ok: true, sample: { ...sample(), latencyMs } }, 1000 * (i + 1));
      return memberView(store.getState().members.e1!, 0).latency;
    });
  };

  it('a one-poll blip into another step (the poll with the linearizable read) is not shown, and redraws nothing', () => {
    expect(latencies([3, 4, 45, 3, 3, 2, 38, 4])).toEqual(Array(8).fill('<10 ms'));
  });

  it('a member slow on two polls in a row is shown slow, and fast again after two fast polls', () => {
    expect(latencies([3, 45, 50, 60, 3, 2])).toEqual(['<10 ms', '<10 ms', '<100 ms', '<100 ms', '<100 ms', '<10 ms']);
  });
});
