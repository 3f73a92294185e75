import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePrometheusText, metricValue, histogramsOf, type Bucket } from '../src/core/metrics/prometheus.js';
import { histogramQuantile, deltaQuantile, bucketDelta } from '../src/core/metrics/histogram.js';
import { computeSignals, recordLeaderChanges, rttWindow, toScrape, type LeaderChangeHistory, type MemberSignals } from '../src/core/metrics/signals.js';
import {
  SIGNAL_THRESHOLDS,
  appliedLagVerdict,
  dbQuotaVerdict,
  fragmentationVerdict,
  latencyVerdict,
  leaderChangesVerdict,
  proposalsFailedVerdict,
  proposalsPendingVerdict,
  type Verdict,
} from '../src/core/metrics/thresholds.js';
import { fetchMetricsText } from '../src/adapters/etcd/metrics.js';
import { createPooledClient } from '../src/adapters/etcd/member-client.js';
import { startTestCluster, clusterTls } from './helpers/cluster.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/etcd-3.5-metrics.txt', import.meta.url));
const fixtureText = readFileSync(FIXTURE, 'utf8');
const MIN = 60_000;

/** Cumulative buckets from bounds and counts; the last bound is +Inf. */
function buckets(bounds: number[], counts: number[]): Bucket[] {
  return [...bounds, Infinity].map((le, i) => ({ le, count: counts[i]! }));
}

function expectNoNaN(signals: MemberSignals): void {
  for (const [name, signal] of Object.entries(signals)) {
    if (signal.value !== undefined) expect(Number.isFinite(signal.value), name).toBe(true);
  }
}

describe('Prometheus text parser on a real etcd 3.5.30 capture', () => {
  const metrics = parsePrometheusText(fixtureText);

  it('reads every sample line and the unlabelled gauges', () => {
    const sampleLines = fixtureText.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).length;
    const parsed = [...metrics.samples.values()].reduce((n, list) => n + list.length, 0);
    expect(parsed).toBe(sampleLines);
    expect(metricValue(metrics, 'etcd_server_quota_backend_bytes')).toBe(2147483648);
    expect(metricValue(metrics, 'etcd_server_version', { server_version: '3.5.30' })).toBe(1);
    expect(metrics.types.get('etcd_server_proposals_committed_total')).toBe('gauge');
  });

  it('groups histograms by name and labels, and leaves summaries alone', () => {
    const [fsync, ...more] = histogramsOf(metrics, 'etcd_disk_wal_fsync_duration_seconds');
    expect(more).toHaveLength(0);
    expect(fsync!.labels).toEqual({});
    expect(fsync!.buckets.map((b) => b.le)).toEqual([...Array.from({ length: 14 }, (_, i) => 0.001 * 2 ** i), Infinity]);
    expect(fsync!.count).toBe(57);
    expect(fsync!.sum).toBeGreaterThan(0);
    const rtt = histogramsOf(metrics, 'etcd_network_peer_round_trip_time_seconds');
    expect(rtt.map((h) => h.labels.To).sort()).toEqual(['4f08d656164ca87f', '70182fe756c1de96']);
    expect(rtt[0]!.buckets).toHaveLength(17);
    expect(metrics.histograms.has('go_gc_duration_seconds')).toBe(false);
  });

  it('unescapes label values and keeps special values', () => {
    const m = parsePrometheusText(
      ['# TYPE x gauge', 'x{path="C:\\\\dir",msg="say \\"hi\\"\\n",b="1"} +Inf 1700000000000', 'y NaN', 'broken{ 1'].join('\n'),
    );
    expect(m.samples.get('x')![0]).toEqual({ name: 'x', labels: { path: 'C:\\dir', msg: 'say "hi"\n', b: '1' }, value: Infinity });
    expect(Number.isNaN(m.samples.get('y')![0]!.value)).toBe(true);
    expect(metricValue(m, 'y')).toBeUndefined();
    expect(m.samples.has('broken')).toBe(false);
  });

  it('computes signals from a single scrape: p99 since member start, no rate yet', () => {
    const s = computeSignals(undefined, toScrape(fixtureText, 0), []);
    expect(s.walFsyncP99Ms.value).toBeCloseTo(2.86, 6); // 56.43rd of 57 in (2, 4] ms, 1 of 1 there
    expect(s.walFsyncP99Ms.basis).toBe('since-start');
    expect(s.backendCommitP99Ms.value).toBeCloseTo(3.82, 6);
    expect(s.peerRttP99Ms.value).toBeCloseTo(3.184, 6);
    expect(s.peerRttP99Ms.peer).toBe('4f08d656164ca87f');
    expect(s.proposalsFailedRate.value).toBeUndefined();
    expect(s.leaderChanges15m.value).toBe(0);
    expect(s.appliedLag.value).toBe(0);
    expect(s.quotaBytes.value).toBe(2147483648);
    expect(s.dbSize.value).toBe(40960);
    expect(s.dbSizeInUse.value).toBe(40960);
    const { proposalsFailedRate, ...rest } = s;
    expect(proposalsFailedRate.verdict.tone).toBe('dim');
    expect(Object.values(rest).map((x) => x.verdict.tone)).toEqual(Array(9).fill('normal'));
    expectNoNaN(s);
  });

  it('gives undefined (dim), never NaN, for metrics missing from a scrape', () => {
    const s = computeSignals(toScrape('', 0), toScrape('up 1\n', 1000), []);
    for (const signal of Object.values(s)) {
      expect(signal.value).toBeUndefined();
      expect(signal.verdict).toEqual({ tone: 'dim' });
    }
  });
});

describe('histogram quantile (PromQL histogram_quantile)', () => {
  const b = buckets([0.1, 0.2, 0.4], [10, 20, 30, 30]);
  it.each([
    ['median, middle bucket', 0.5, b, 0.15],
    ['p90', 0.9, b, 0.34],
    ['p99', 0.99, b, 0.394],
    ['first bucket interpolates from 0', 0.99, buckets([1, 2], [100, 100, 100]), 0.99],
    ['rank in +Inf answers the highest finite bound', 0.5, buckets([1, 2], [10, 20, 100]), 2],
    ['q = 1 is the top of the last filled bucket', 1, buckets([0.1, 0.2], [5, 10, 10]), 0.2],
    ['non-monotonic counts are clamped', 0.5, buckets([0.1, 0.2], [10, 9, 10]), 0.05],
    ['bucket order does not matter', 0.5, [...b].reverse(), 0.15],
  ])('%s', (_, q, input, expected) => {
    expect(histogramQuantile(q, input)).toBeCloseTo(expected, 9);
  });

  it.each([
    ['no observations', 0.99, buckets([0.1, 0.2], [0, 0, 0])],
    ['no +Inf bucket', 0.99, [{ le: 0.1, count: 1 }, { le: 0.2, count: 2 }]],
    ['only +Inf', 0.99, [{ le: Infinity, count: 5 }]],
    ['q above 1', 1.5, b],
    ['q NaN', NaN, b],
  ])('%s → undefined', (_, q, input) => {
    expect(histogramQuantile(q, input)).toBeUndefined();
  });

  // 1100 fast fsyncs since start, then 50 slow ones in the last interval.
  const before = buckets([0.001, 0.01, 0.1], [1000, 1100, 1100, 1100]);
  const after = buckets([0.001, 0.01, 0.1], [1000, 1100, 1150, 1150]);
  it.each([
    ['the interval only: 49.5th of 50 in (0.01, 0.1]', before, after, 0.0991],
    ['counter reset (member restarted): current alone, 1.98th of 2 in (1, 2]', buckets([1, 2], [5, 10, 10]), buckets([1, 2], [1, 2, 2]), 1.98],
    ['bucket bounds changed: current alone', buckets([1], [5, 5]), buckets([1, 2], [1, 2, 2]), 1.98],
  ])('delta quantile: %s', (_, prev, cur, expected) => {
    expect(deltaQuantile(0.99, prev, cur)).toBeCloseTo(expected, 9);
  });

  it('the delta p99 differs from the since-start p99 on the same scrape', () => {
    expect(histogramQuantile(0.99, after)).toBeCloseTo(0.0793, 9); // 1138.5th of 1150
    expect(bucketDelta(before, after).map((x) => x.count)).toEqual([0, 0, 50, 50]);
  });

  it('empty delta (nothing observed between scrapes) → undefined', () => {
    expect(deltaQuantile(0.99, after, after)).toBeUndefined();
  });
});

describe('threshold verdicts', () => {
  const Q = 2147483648;
  it.each<[string, Verdict, Verdict]>([
    ['fsync at target', latencyVerdict('walFsyncP99Ms', 10), { tone: 'normal' }],
    ['fsync just over', latencyVerdict('walFsyncP99Ms', 10.4), { tone: 'warning', why: 'fsync p99 10.4 ms > 10 ms: slow disk' }],
    ['fsync slow', latencyVerdict('walFsyncP99Ms', 48), { tone: 'warning', why: 'fsync p99 48 ms > 10 ms: slow disk' }],
    ['fsync at mixin limit', latencyVerdict('walFsyncP99Ms', 500), { tone: 'warning', why: 'fsync p99 500 ms > 10 ms: slow disk' }],
    ['fsync over mixin limit', latencyVerdict('walFsyncP99Ms', 620), { tone: 'critical', why: 'fsync p99 620 ms > 500 ms: slow disk' }],
    ['fsync since start', latencyVerdict('walFsyncP99Ms', 48, true), { tone: 'warning', why: 'fsync p99 48 ms > 10 ms: slow disk (since member start)' }],
    ['commit at target', latencyVerdict('backendCommitP99Ms', 25), { tone: 'normal' }],
    ['commit slow', latencyVerdict('backendCommitP99Ms', 40), { tone: 'warning', why: 'backend commit p99 40 ms > 25 ms: slow disk' }],
    ['commit at mixin limit', latencyVerdict('backendCommitP99Ms', 250), { tone: 'warning', why: 'backend commit p99 250 ms > 25 ms: slow disk' }],
    ['commit over mixin limit', latencyVerdict('backendCommitP99Ms', 300), { tone: 'critical', why: 'backend commit p99 300 ms > 250 ms: slow disk' }],
    ['rtt at limit', latencyVerdict('peerRttP99Ms', 150), { tone: 'normal' }],
    ['rtt over', latencyVerdict('peerRttP99Ms', 210), { tone: 'critical', why: 'peer RTT p99 210 ms > 150 ms: slow network' }],
    ['latency unknown', latencyVerdict('peerRttP99Ms', undefined), { tone: 'dim' }],
    ['3 leader changes', leaderChangesVerdict(3), { tone: 'normal' }],
    ['4 leader changes', leaderChangesVerdict(4), { tone: 'critical', why: '4 leader changes in 15 min >= 4: unstable leadership' }],
    ['5 failed proposals', proposalsFailedVerdict(5), { tone: 'normal' }],
    ['5.4 failed proposals', proposalsFailedVerdict(5.4), { tone: 'warning', why: '5.4 failed proposals per 15 min > 5: elections or lost quorum' }],
    ['180 failed proposals', proposalsFailedVerdict(180), { tone: 'warning', why: '180 failed proposals per 15 min > 5: elections or lost quorum' }],
    ['pending 10, rising', proposalsPendingVerdict(10, 0), { tone: 'normal' }],
    ['pending 11, rising', proposalsPendingVerdict(11, 3), { tone: 'warning', why: '11 proposals pending, up from 3: commits are not keeping up' }],
    ['pending 11, steady', proposalsPendingVerdict(11, 11), { tone: 'normal' }],
    ['pending 11, no previous scrape', proposalsPendingVerdict(11, undefined), { tone: 'normal' }],
    ['lag 2500', appliedLagVerdict(2500), { tone: 'normal' }],
    ['lag 2501', appliedLagVerdict(2501), { tone: 'warning', why: 'applied lag 2501 entries > 2500: member is slow to apply' }],
    ['lag 5000', appliedLagVerdict(5000), { tone: 'warning', why: 'applied lag 5000 entries > 2500: member is slow to apply' }],
    ['lag 5001', appliedLagVerdict(5001), { tone: 'critical', why: 'applied lag 5001 entries > 5000: etcd rejects new requests ("too many requests")' }],
    ['db 80 %', dbQuotaVerdict(0.8 * Q, Q), { tone: 'normal' }],
    ['db 80.4 %', dbQuotaVerdict(0.804 * Q, Q), { tone: 'warning', why: 'db 80.4 % of quota (1.73 GB of 2.15 GB) > 80 %: compact and defragment, or raise the quota' }],
    ['db 85 %', dbQuotaVerdict(0.85 * Q, Q), { tone: 'warning', why: 'db 85 % of quota (1.83 GB of 2.15 GB) > 80 %: compact and defragment, or raise the quota' }],
    ['db 95 %', dbQuotaVerdict(0.95 * Q, Q), { tone: 'warning', why: 'db 95 % of quota (2.04 GB of 2.15 GB) > 80 %: compact and defragment, or raise the quota' }],
    ['db 96 %', dbQuotaVerdict(0.96 * Q, Q), { tone: 'critical', why: 'db 96 % of quota (2.06 GB of 2.15 GB) > 95 %: NOSPACE alarm is near' }],
    ['db without quota', dbQuotaVerdict(Q, undefined), { tone: 'normal' }],
    ['30 % in use, 70 MB free', fragmentationVerdict(30e6, 100e6), { tone: 'warning', why: 'fragmented: 30 % in use, 70 MB to reclaim with defragment' }],
    ['50 % in use', fragmentationVerdict(50e6, 100e6), { tone: 'normal' }],
    ['20 % in use but only 48 MB free', fragmentationVerdict(12e6, 60e6), { tone: 'normal' }],
    ['fresh member: 20 kB of 40 kB', fragmentationVerdict(20480, 40960), { tone: 'normal' }],
  ])('%s', (_, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('every row of the thresholds table names its metric and source', () => {
    for (const row of Object.values(SIGNAL_THRESHOLDS)) {
      expect(row.metric).toMatch(/^etcd_/);
      expect(row.source.length).toBeGreaterThan(0);
      expect('warning' in row || 'critical' in row).toBe(true);
    }
  });
});

describe('rates and the rolling leader-change window', () => {
  const scrape = (at: number, lines: string[]) => toScrape(lines.join('\n'), at);
  const leader = (at: number, total: number) => scrape(at, [`etcd_server_leader_changes_seen_total ${total}`]);

  it('extrapolates failed proposals per 15 min from the delta, a restart counts as the new total', () => {
    const failed = (at: number, n: number) => scrape(at, [`etcd_server_proposals_failed_total ${n}`]);
    expect(computeSignals(failed(0, 0), failed(10_000, 2), []).proposalsFailedRate.value).toBe(180);
    expect(computeSignals(failed(0, 7), failed(60_000, 7), []).proposalsFailedRate.value).toBe(0);
    expect(computeSignals(failed(0, 7), failed(90_000, 1), []).proposalsFailedRate.value).toBe(10);
  });

  it('counts leader changes over the last 15 minutes of readings', () => {
    let history: LeaderChangeHistory = [];
    let previous: ReturnType<typeof leader> | undefined;
    const step = (minute: number, total: number) => {
      const current = leader(minute * MIN, total);
      const signals = computeSignals(previous, current, history);
      history = recordLeaderChanges(history, current);
      previous = current;
      return signals.leaderChanges15m;
    };
    expect(step(0, 1).value).toBe(0); // the first election since start is not in the window
    expect(step(1, 2).value).toBe(1);
    expect(step(2, 3).value).toBe(2);
    expect(step(3, 4)).toEqual({ value: 3, verdict: { tone: 'normal' } });
    expect(step(4, 5)).toEqual({ value: 4, verdict: { tone: 'critical', why: '4 leader changes in 15 min >= 4: unstable leadership' } });
    expect(step(15, 5).value).toBe(4); // (0, 15]: the changes read at 1..4 min
    expect(step(17, 5).value).toBe(2); // (2, 17]: the changes at 3 and 4 min
    expect(step(20, 5).value).toBe(0);
    expect(step(21, 1).value).toBe(1); // counter went down: member restarted, one election seen since
    expect(history.length).toBeLessThanOrEqual(5);
  });

  it('keeps the history small over an hour of 10 s polls', () => {
    let history: LeaderChangeHistory = [];
    for (let t = 0; t <= 60 * MIN; t += 10_000) history = recordLeaderChanges(history, leader(t, 1 + Math.floor(t / (20 * MIN))));
    expect(history.length).toBe(91); // 15 min / 10 s + the baseline
    expect(computeSignals(undefined, leader(60 * MIN, 4), history).leaderChanges15m.value).toBe(1);
  });

  it('a stale or empty history still counts the previous → current change', () => {
    expect(computeSignals(leader(0, 3), leader(5_000, 4), []).leaderChanges15m.value).toBe(1);
  });
});

describe('signals from a real etcd 3.5 member', () => {
  let cluster: Awaited<ReturnType<typeof startTestCluster>>;
  beforeAll(async () => {
    cluster = await startTestCluster();
  });
  afterAll(async () => {
    await cluster?.cleanup();
  });

  it('two scrapes 1 s apart with writes between: finite p99s over the interval, 2 GiB default quota', async () => {
    const tls = clusterTls(cluster);
    const node = cluster.nodes[0]!;
    const scrapeNow = async () => toScrape(await fetchMetricsText(node.clientUrl, tls, 3000, node.name), Date.now());
    const pooled = createPooledClient([node.clientUrl], { tls, credentials: {}, deadlineMs: 5000 });
    try {
      const first = await scrapeNow();
      const until = Date.now() + 1000;
      for (let i = 0; Date.now() < until; i++) await pooled.put(`/signals/${i % 10}`).value('x'.repeat(100));
      const second = await scrapeNow();

      const s = computeSignals(first, second, recordLeaderChanges([], first));
      for (const latency of [s.walFsyncP99Ms, s.backendCommitP99Ms]) {
        expect(Number.isFinite(latency.value)).toBe(true);
        expect(latency.value).toBeGreaterThan(0);
        expect(latency.basis).toBe('interval');
      }
      expect(s.quotaBytes.value).toBe(2147483648);
      expect(s.proposalsFailedRate.value).toBe(0);
      expect(s.leaderChanges15m.value).toBe(0);
      expect(s.appliedLag.value).toBeGreaterThanOrEqual(0);
      expect(s.dbSizeInUse.value).toBeLessThanOrEqual(s.dbSize.value!);
      expectNoNaN(s);
    } finally {
      pooled.close();
    }
  });
});

describe('parsing only the families the signals read', () => {
  it('gives the same signals from real etcd 3.5 /metrics as parsing everything, and every family exists there', async () => {
    const { SIGNAL_FAMILIES } = await import('../src/core/metrics/signals.js');
    const full = parsePrometheusText(fixtureText);
    for (const family of SIGNAL_FAMILIES) expect(full.types.has(family), family).toBe(true);
    const filtered = toScrape(fixtureText, 1000);
    expect(filtered.metrics.samples.size).toBeLessThan(full.samples.size / 5);
    expect(computeSignals(undefined, filtered, [])).toEqual(computeSignals(undefined, { at: 1000, metrics: full }, []));
  });

  it('keeps exactly what parsing everything keeps of those families, odd spacing and comments included', () => {
    const families = new Set(['etcd_disk_wal_fsync_duration_seconds', 'etcd_server_quota_backend_bytes', 'odd_total']);
    const odd = '\n  etcd_server_quota_backend_bytes 5\n#  TYPE odd_total counter\n\todd_total{a="b"} 7\r\netcd_server_quota_backend_bytes_x 9\n';
    for (const text of [fixtureText, fixtureText + odd]) {
      const full = parsePrometheusText(text);
      const filtered = parsePrometheusText(text, families);
      const familyOf = (name: string) => name.replace(/_(bucket|sum|count)$/, '');
      expect([...filtered.samples]).toEqual([...full.samples].filter(([name]) => families.has(familyOf(name))));
      expect([...filtered.types]).toEqual([...full.types].filter(([name]) => families.has(name)));
      expect([...filtered.histograms]).toEqual([...full.histograms].filter(([name]) => families.has(name)));
    }
  });
});

describe('peer RTT over the recent window, not since the member started', () => {
  // Cumulative buckets: `fast` samples under 1 ms, `slow` ones between 0.5 s and 1 s.
  const rtt = (fast: number, slow: number, at: number) =>
    toScrape(
      [
        '# TYPE etcd_network_peer_round_trip_time_seconds histogram',
        `etcd_network_peer_round_trip_time_seconds_bucket{To="abc",le="0.001"} ${fast}`,
        `etcd_network_peer_round_trip_time_seconds_bucket{To="abc",le="0.5"} ${fast}`,
        `etcd_network_peer_round_trip_time_seconds_bucket{To="abc",le="1"} ${fast + slow}`,
        `etcd_network_peer_round_trip_time_seconds_bucket{To="abc",le="+Inf"} ${fast + slow}`,
        `etcd_network_peer_round_trip_time_seconds_sum{To="abc"} 1`,
        `etcd_network_peer_round_trip_time_seconds_count{To="abc"} ${fast + slow}`,
      ].join('\n') + '\n',
      at,
    );

  it('a slow network hours ago does not colour a fast one now, though the last 15 s held no RTT sample', () => {
    const hoursAgo = rtt(0, 100, 0); // the member's early life: all slow
    const windowStart = rtt(0, 100, 3_600_000);
    const previous = rtt(10, 100, 3_600_000 + 60_000); // fast samples since
    const current = rtt(10, 100, 3_600_000 + 75_000); // none in the last 15 s (etcd samples every 30 s)
    const { keep, base } = rttWindow([hoursAgo, windowStart, previous], current);
    expect(keep).toEqual([windowStart, previous, current]);
    const s = computeSignals(previous, current, [], base);
    expect(s.peerRttP99Ms.basis).toBe('interval');
    expect(s.peerRttP99Ms.value).toBeLessThan(1);
    // Without the window the only basis is the histogram since start, which says slow.
    expect(computeSignals(previous, current, []).peerRttP99Ms.value).toBeGreaterThan(500);
  });
});
