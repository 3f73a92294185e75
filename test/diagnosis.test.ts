import { describe, expect, it } from 'vitest';
import { aboutDuration, quotaFullForecast } from '../src/core/metrics/quota-forecast.js';
import { diagnoseLeaderChanges, leaderDiagnosisFor } from '../src/core/metrics/leader-diagnosis.js';
import { coveredSpan } from '../src/core/metrics/leader-history.js';
import { recordSizes, statusDiagnosis, withStatusDiagnosis } from '../src/core/view/status-diagnosis.js';
import { clusterEvents } from '../src/core/timeline/cluster-events.js';
import type { MemberState, SignalSummary } from '../src/core/cluster/types.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const GiB = 1024 ** 3;

/** One point every 30 s (the pane history's step), growing by `perHour` bytes an hour from `start`. */
function growing(points: number, start: number, perHour: number, t0 = 0) {
  return Array.from({ length: points }, (_, i) => ({ at: t0 + i * 30_000, dbSize: start + (perHour * i * 30_000) / HOUR }));
}

describe('quota full estimate', () => {
  it('extrapolates the growth over the window to the quota', () => {
    // 1 GiB used of 2 GiB, 1 GiB / 72 h: about 3 days left.
    const f = quotaFullForecast(growing(30, GiB, GiB / 72), 2 * GiB);
    expect(f?.text).toBe('quota full in about 3 days at the current growth');
    expect(f!.msLeft / HOUR).toBeCloseTo(72 - 14.5 / 60, 1);
  });

  it.each([
    [5 * HOUR, 'about 5 hours'],
    [40 * MIN, 'about 40 min'],
    [20 * DAY, 'about 20 days'],
  ])('says %d ms as %s', (ms, words) => {
    expect(`about ${aboutDuration(ms)}`).toBe(words);
  });

  it('measures from the last drop: a defragment in the window does not hide the growth after it', () => {
    const before = growing(10, 1.5 * GiB, GiB / 10);
    const after = growing(10, 0.5 * GiB, GiB / 48, 10 * 30_000);
    const f = quotaFullForecast([...before, ...after], 2 * GiB);
    // 1.5 GiB to go at 1 GiB per 48 h, from the newest point.
    expect(f?.text).toBe('quota full in about 3 days at the current growth');
  });

  it('is robust to noise: a least-squares line, not the last two points', () => {
    const noisy = growing(30, GiB, GiB / 72).map((p, i) => ({ ...p, dbSize: p.dbSize + (i % 2 === 0 ? 4096 : 0) }));
    expect(quotaFullForecast(noisy, 2 * GiB)?.text).toBe('quota full in about 3 days at the current growth');
  });

  it('skips points where the member was down', () => {
    const points = growing(30, GiB, GiB / 72);
    const withGaps = points.map((p, i) => (i % 3 === 1 ? undefined : p));
    expect(quotaFullForecast(withGaps, 2 * GiB)?.text).toBe('quota full in about 3 days at the current growth');
  });

  it.each([
    ['no quota known', growing(30, GiB, GiB / 72), undefined],
    ['flat', growing(30, GiB, 0), 2 * GiB],
    ['shrinking', growing(30, GiB, -GiB / 72), 2 * GiB],
    ['too few samples', growing(3, GiB, GiB / 72), 2 * GiB],
    ['too short a stretch since the last drop', [...growing(20, 1.9 * GiB, GiB), ...growing(2, 0.1 * GiB, GiB, 20 * 30_000)], 2 * GiB],
    ['already at the quota (the alarm says so)', growing(30, 2 * GiB, GiB / 72), 2 * GiB],
    ['more than a year away', growing(30, GiB, 1000), 2 * GiB],
  ])('says nothing when %s', (_label, samples, quota) => {
    expect(quotaFullForecast(samples, quota)).toBeUndefined();
  });
});

describe('leader changes beside disk and network', () => {
  const calm = { walFsyncP99Ms: 2.1, backendCommitP99Ms: 8, peerRttP99Ms: 1.2 };

  it('names the slow disk', () => {
    const d = diagnoseLeaderChanges([
      { name: 'etcd-1', ...calm, leaderChanges: 3, leaderChangesSpanMs: 10 * MIN },
      { name: 'etcd-2', ...calm, walFsyncP99Ms: 180, leaderChanges: 2, leaderChangesSpanMs: 10 * MIN },
      { name: 'etcd-3', ...calm, leaderChanges: 3, leaderChangesSpanMs: 10 * MIN },
    ]);
    expect(d).toEqual({
      key: 'disk:etcd-2',
      cause: 'disk',
      text: "3 leader changes in 10 min while etcd-2's fsync p99 was 180 ms: etcd-2's disk is the likely cause",
    });
  });

  it('names a slow backend commit as the disk too', () => {
    const d = diagnoseLeaderChanges([
      { name: 'etcd-1', ...calm, leaderChanges: 5 },
      { name: 'etcd-3', ...calm, backendCommitP99Ms: 600 },
    ]);
    expect(d?.text).toBe("5 leader changes in 15 min while etcd-3's backend commit p99 was 600 ms: etcd-3's disk is the likely cause");
  });

  it('names the network when peer round trips are slow', () => {
    const d = diagnoseLeaderChanges([
      { name: 'etcd-1', ...calm, peerRttP99Ms: 410, leaderChanges: 4, leaderChangesSpanMs: 12 * MIN },
      { name: 'etcd-2', ...calm, peerRttP99Ms: 160 },
    ]);
    expect(d).toEqual({
      key: 'network:etcd-1',
      cause: 'network',
      text: "4 leader changes in 12 min while etcd-1's peer RTT p99 was 410 ms: the network between etcd-1 and its peers is the likely cause",
    });
  });

  it('picks the signal furthest past its limit when disk and network are both slow', () => {
    const d = diagnoseLeaderChanges([
      { name: 'etcd-1', ...calm, walFsyncP99Ms: 150, leaderChanges: 3 },
      { name: 'etcd-2', ...calm, peerRttP99Ms: 900 },
    ]);
    expect(d?.cause).toBe('network');
  });

  it('says when neither disk nor network explains it', () => {
    expect(diagnoseLeaderChanges([{ name: 'etcd-1', ...calm, leaderChanges: 3, leaderChangesSpanMs: 4 * MIN }])?.text).toBe(
      '3 leader changes in 4 min with fsync, commit and peer RTT p99 within limits: look for CPU starvation or members restarting',
    );
  });

  it.each([
    ['fewer than 3 changes', [{ name: 'etcd-1', walFsyncP99Ms: 900, leaderChanges: 2 }]],
    ['no leader-change reading yet', [{ name: 'etcd-1', walFsyncP99Ms: 900 }]],
    ['no members', []],
  ])('says nothing with %s', (_label, members) => {
    expect(diagnoseLeaderChanges(members)).toBeUndefined();
  });

  it('covers only the stretch the cockpit has watched', () => {
    expect(coveredSpan([], 1000)).toBeUndefined();
    expect(coveredSpan([{ at: 0, total: 1 }], 10 * MIN)).toBe(10 * MIN);
    expect(coveredSpan([{ at: 0, total: 1 }], 40 * MIN)).toBe(15 * MIN);
  });
});

function member(name: string, signals: Partial<SignalSummary> | undefined, health: MemberState['health'] = 'ok', dbSize = 1000): MemberState {
  return {
    endpoint: `https://${name}:2379`,
    name,
    health,
    quotaBytes: 2 * GiB,
    signals: signals && { problems: [], ...signals },
    last: {
      memberId: name, clusterId: 'c', version: '3.5.30', dbSize, dbSizeInUse: dbSize, leaderId: 'etcd-1', raftTerm: 2, raftIndex: 1,
      raftAppliedIndex: 1, revision: 1, isLearner: false, errors: [], alarms: [], quorumRead: 'ok', latencyMs: 1,
    },
  };
}

describe('the diagnosis over the cluster state', () => {
  it('leaves members that do not answer out: their last numbers are history', () => {
    const members = [member('etcd-1', { leaderChanges15m: 3, walFsyncP99Ms: 2 }), member('etcd-2', { walFsyncP99Ms: 400 }, 'unreachable')];
    expect(leaderDiagnosisFor(members)?.cause).toBe('unknown');
  });

  it('is a timeline event once per cause, not on every /metrics read', () => {
    const view = (fsync: number, changes: number) => {
      const members = [member('etcd-1', { leaderChanges15m: changes, walFsyncP99Ms: 2 }), member('etcd-2', { walFsyncP99Ms: fsync })];
      return { order: members.map((m) => m.endpoint), members: Object.fromEntries(members.map((m) => [m.endpoint, m])) };
    };
    const first = clusterEvents(view(180, 2), view(180, 3), 0);
    expect(first).toContainEqual({ text: "3 leader changes in 15 min while etcd-2's fsync p99 was 180 ms: etcd-2's disk is the likely cause", tone: 'warning' });
    expect(clusterEvents(view(180, 3), view(210, 4), 0).filter((e) => e.text.includes('leader changes'))).toEqual([]);
  });

  it('status: the estimate comes from what -w has seen; a single look has none', () => {
    let sizes = recordSizes({}, [member('etcd-1', undefined, 'ok', GiB)], 0);
    expect(statusDiagnosis([member('etcd-1', undefined)], sizes).quotaFull).toEqual({});
    for (let i = 1; i <= 10; i++) sizes = recordSizes(sizes, [member('etcd-1', undefined, 'ok', GiB + (i * 30_000 * GiB) / (72 * HOUR))], i * 30_000);
    const d = statusDiagnosis([member('etcd-1', undefined)], sizes);
    expect(d.lines).toEqual(['etcd-1: quota full in about 3 days at the current growth']);
    expect(d.quotaFull['etcd-1']!.text).toBe('quota full in about 3 days at the current growth');
    const json = withStatusDiagnosis({ cluster: 'c', members: [{ name: 'etcd-1' }, { name: 'etcd-2' }] }, d);
    expect(json.members[0]).toMatchObject({ quotaFull: { text: 'quota full in about 3 days at the current growth' } });
    expect(json.members[1]).toMatchObject({ quotaFull: null });
    expect(json.diagnosis).toEqual({ leaderChanges: null, lines: d.lines });
    // Points older than 15 minutes fall out.
    expect(recordSizes(sizes, [member('etcd-1', undefined)], 21 * MIN)['https://etcd-1:2379']!.length).toBe(1);
  });
});
