import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatClock } from '../src/core/format/time.js';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, clusterTls } from './helpers/cluster.js';
import { clusterEvents } from '../src/core/timeline/cluster-events.js';
import { createCockpitStore } from '../src/state/store.js';
import { Poller } from '../src/state/poller.js';
import { exportTimeline, watchClusterEvents } from '../src/state/timeline.js';
import { moveLeaderTo } from '../src/core/operations/leader.js';
import type { MemberSample, MemberState } from '../src/core/cluster/types.js';

function member(name: string, health: MemberState['health'], over: Partial<MemberSample> = {}, extra: Partial<MemberState> = {}): MemberState {
  return {
    endpoint: name, name, health,
    last: {
      memberId: name, clusterId: 'c', version: '3.5.30', dbSize: 1, dbSizeInUse: 1, leaderId: 'a', raftTerm: 2, raftIndex: 1,
      raftAppliedIndex: 1, revision: 1, isLearner: false, errors: [], alarms: [], quorumRead: 'ok', latencyMs: 1, ...over,
    },
    ...extra,
  };
}
const view = (...ms: MemberState[]) => ({ order: ms.map((m) => m.endpoint), members: Object.fromEntries(ms.map((m) => [m.endpoint, m])) });

describe('clusterEvents (pure)', () => {
  it.each([
    [
      'a leader change, with the term',
      view(member('a', 'ok'), member('b', 'ok'), member('c', 'ok')),
      view(member('a', 'ok', { leaderId: 'b', raftTerm: 3 }), member('b', 'ok', { leaderId: 'b', raftTerm: 3 }), member('c', 'ok', { leaderId: 'b', raftTerm: 3 })),
      ['leader changed from a to b (term 3)'],
    ],
    [
      'a member going down',
      view(member('a', 'ok'), member('b', 'ok'), member('c', 'ok')),
      view(member('a', 'ok'), member('b', 'ok'), member('c', 'unreachable', {}, { reason: 'connection refused at c:2379' })),
      ['c down: connection refused at c:2379'],
    ],
    [
      'a member coming back, with how long it was away',
      view(member('a', 'ok'), member('b', 'ok'), member('c', 'unreachable', {}, { downSince: 0 })),
      view(member('a', 'ok'), member('b', 'ok'), member('c', 'ok')),
      ['c back after 12s'],
    ],
    [
      'an alarm raised',
      view(member('a', 'ok')),
      view(member('a', 'degraded', { alarms: ['NOSPACE'] })),
      ['alarm NOSPACE raised on a'],
    ],
    [
      'quorum lost',
      view(member('a', 'ok'), member('b', 'timeout', {}, { strikes: 1, downSince: 11_000 }), member('c', 'unreachable', {}, { strikes: 2, downSince: 9_000 })),
      view(member('a', 'ok'), member('b', 'timeout', {}, { strikes: 2, downSince: 11_000 }), member('c', 'unreachable', {}, { strikes: 2, downSince: 9_000 })),
      [`quorum LOST: the cluster accepts no writes (first failure at ${formatClock(9_000)})`],
    ],
    [
      'one late answer says a member is down, not that quorum is lost',
      view(member('a', 'ok'), member('b', 'ok'), member('c', 'unreachable', {}, { strikes: 2 })),
      view(member('a', 'ok'), member('b', 'timeout', {}, { strikes: 1 }), member('c', 'unreachable', {}, { strikes: 2 })),
      ['b down: timeout'],
    ],
    [
      'a certificate under 7 days is an event',
      view(member('a', 'ok', {}, { cert: { daysLeft: 9, notAfter: 'x' } })),
      view(member('a', 'ok', {}, { cert: { daysLeft: 6, notAfter: 'x' } })),
      ['a: certificate expires in 6 days (< 7): renew now, no restart needed'],
    ],
  ])('%s', (_label, before, after, texts) => {
    expect(clusterEvents(before, after, 12_000).map((e) => e.text)).toEqual(texts);
  });

  it('says nothing when nothing changed', () => {
    const v = view(member('a', 'ok'), member('b', 'ok'));
    expect(clusterEvents(v, v, 0)).toEqual([]);
  });
});

describe('the timeline on a real cluster', () => {
  let cluster: Awaited<ReturnType<typeof startTestCluster>>;
  let poller: Poller;
  const store = () => storeRef!;
  let storeRef: ReturnType<typeof createCockpitStore> | undefined;

  beforeAll(async () => {
    cluster = await startTestCluster();
    storeRef = createCockpitStore({ clusterName: 'test', members: cluster.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name })) });
    const tls = clusterTls(cluster);
    poller = new Poller(storeRef, { intervalMs: 1000, clientOptions: () => ({ tls, credentials: {}, deadlineMs: 2000 }) });
    await poller.pollOnce();
  });
  afterAll(async () => {
    poller?.stop();
    await cluster?.cleanup();
  });

  it('records a real leader change within 3 s, and e writes it to a file', async () => {
    const unwatch = watchClusterEvents(store());
    poller.start();
    const members = () => store().getState().order.map((e) => store().getState().members[e]!);
    const target = members().find((m) => m.last && m.last.leaderId !== m.last.memberId)!;
    const started = Date.now();
    await moveLeaderTo({ clientFor: (e) => poller.memberFor(e), members, log: () => {}, longDeadlineMs: 10_000, pauseMs: 0 }, target.endpoint);
    let event: string | undefined;
    while (!event && Date.now() - started < 3000) {
      event = store().getState().events.find((e) => e.text.startsWith('leader changed from'))?.text;
      await new Promise((r) => setTimeout(r, 50));
    }
    unwatch();
    expect(event).toMatch(new RegExp(`^leader changed from etcd-\\d to ${target.name} \\(term \\d+\\)$`));
    expect(members().length).toBe(3);

    const file = join(cluster.dir, 'timeline.jsonl');
    const { count, textFile } = exportTimeline(store(), file);
    expect(count).toBeGreaterThan(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.event === event && l.cluster === 'test')).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(textFile).toBe(join(cluster.dir, 'timeline.txt'));
    const text = readFileSync(textFile, 'utf8').trim().split('\n');
    expect(text).toHaveLength(count);
    const line = text.find((l) => l.endsWith(`  ${event}`));
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}(normal|warning) +leader changed/);
    expect(statSync(textFile).mode & 0o777).toBe(0o600);
  });
});
