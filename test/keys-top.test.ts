import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, clusterTls } from './helpers/cluster.js';
import { runCli } from './helpers/cli.js';
import { createMemberClient, createPooledClient } from '../src/adapters/etcd/member-client.js';
import { scanKeyspace } from '../src/adapters/etcd/keyspace-scan.js';
import { PrefixTally } from '../src/core/keys/prefix-tally.js';
import { displayPrefix } from '../src/core/keys/key-prefix.js';
import type { Etcd3 } from 'etcd3';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;

/** Three prefixes with known counts and value sizes; the events' 20 kB values force many small pages. */
const LAYOUT = [
  { prefix: '/registry/pods', keys: 1500, valueBytes: 100 },
  { prefix: '/registry/events', keys: 300, valueBytes: 20_000 },
  { prefix: '/app/config', keys: 40, valueBytes: 7 },
];

function keyOf(prefix: string, i: number): string {
  return `${prefix}/ns-${i % 7}/item-${i}`;
}

function expected(): Map<string, { keys: number; bytes: number }> {
  const rows = new Map<string, { keys: number; bytes: number }>();
  for (const { prefix, keys, valueBytes } of LAYOUT) {
    let bytes = 0;
    for (let i = 0; i < keys; i++) bytes += Buffer.byteLength(keyOf(prefix, i)) + valueBytes;
    rows.set(prefix, { keys, bytes });
  }
  return rows;
}

async function putAll(client: Etcd3, keys: string[], value: string): Promise<void> {
  for (let i = 0; i < keys.length; i += 100) {
    await Promise.all(keys.slice(i, i + 100).map((k) => client.put(k).value(value)));
  }
}

describe('keys top on a real 3-member TLS cluster', () => {
  let cluster: Cluster;
  let pooled: Etcd3;
  beforeAll(async () => {
    cluster = await startTestCluster();
    pooled = createPooledClient(cluster.nodes.map((n) => n.clientUrl), { tls: clusterTls(cluster), credentials: {}, deadlineMs: 10_000 });
    for (const { prefix, keys, valueBytes } of LAYOUT) {
      await putAll(pooled, Array.from({ length: keys }, (_, i) => keyOf(prefix, i)), 'v'.repeat(valueBytes));
    }
  }, 120_000);
  afterAll(async () => {
    pooled?.close();
    await cluster?.cleanup();
  });

  it('counts keys and bytes per prefix exactly, read from a follower (-o json, --read-only)', async () => {
    const run = await runCli(['keys', 'top', '--read-only', '-o', 'json', '-f', cluster.inventoryPath]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { top: { prefix: string; keys: number; bytes: number }[]; totalKeys: number; memberRole: string; pages: number };
    expect(json, run.stdout).toMatchObject({ memberRole: 'follower' });
    const want = expected();
    expect(json.totalKeys).toBe(1840);
    expect(json.memberRole).toBe('follower');
    expect(json.pages).toBeGreaterThan(3);
    // Sorted by bytes: events (6 MB) before pods before config.
    expect(json.top).toEqual(['/registry/events', '/registry/pods', '/app/config'].map((p) => ({ prefix: p, ...want.get(p)! })));
  });

  it('takes --prefix, --depth, --limit and --sort count, and prints a table by default', async () => {
    const json = JSON.parse((await runCli(['keys', 'top', '--prefix', '/registry/', '--depth', '3', '--limit', '2', '--sort', 'count', '-o', 'json', '-f', cluster.inventoryPath])).stdout) as {
      totalKeys: number;
      top: { prefix: string; keys: number }[];
    };
    expect(json.totalKeys).toBe(1800);
    expect(json.top).toHaveLength(2);
    // 1500 pods over 7 namespaces: ns-0..ns-2 hold 215, the rest 214.
    expect(json.top.map((r) => [r.prefix, r.keys])).toEqual([['/registry/pods/ns-0', 215], ['/registry/pods/ns-1', 215]]);
    const table = await runCli(['keys', 'top', '-f', cluster.inventoryPath]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^revision \d+ · 1,840 keys · .* · 3 prefixes at depth 2 · read from etcd-\d \(follower\)/);
    expect(table.stdout.split('\n')[2]).toMatch(/^\/registry\/events\s+300\s+6\.\d+ MB\s+\d+%$/);
  });

  it('sees one revision: writes made during the scan do not change the result', async () => {
    const follower = cluster.nodes[1]!;
    const client = createMemberClient(follower.clientUrl, { tls: clusterTls(cluster), credentials: {}, deadlineMs: 10_000 });
    try {
      const before = await pooled.get('/none').exec();
      const tally = new PrefixTally(2);
      let wrote = false;
      const done = await scanKeyspace(client, {
        onKey: (key, valueBytes) => tally.add(key, valueBytes),
        onPage: async () => {
          if (wrote) return;
          wrote = true;
          // After the first page: new keys everywhere (before and after the scan's position), one deleted, one grown.
          await putAll(pooled, ['/aaa/new/1', '/registry/pods/zz-new', '/zzz/new/1'], 'x'.repeat(50));
          await pooled.delete().key(keyOf('/registry/pods', 3));
          await pooled.put(keyOf('/registry/events', 5)).value('y'.repeat(50_000));
        },
      });
      expect(done.revision).toBe(before.header.revision);
      const rows = new Map(tally.entries().map((r) => [displayPrefix(r.prefix), { keys: r.keys, bytes: r.bytes }]));
      expect(rows).toEqual(expected());
      // The writes are there for a scan started now.
      const after = JSON.parse((await runCli(['keys', 'top', '-o', 'json', '-f', cluster.inventoryPath])).stdout) as { totalKeys: number };
      expect(after.totalKeys).toBe(1840 + 3 - 1);
    } finally {
      client.close();
    }
  });

  it('reads every key exactly once through windows, gaps and binary keys', async () => {
    const keys: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      const head = ['a', 'ab', 'b', 'b/c/d/e', 'zz'][i % 5]!;
      keys.push(Buffer.concat([Buffer.from(`/w/${head}/${(i * 7919).toString(36)}`), i % 11 === 0 ? Buffer.from([0xff, 0x00, i % 256]) : Buffer.alloc(0)]));
    }
    keys.push(Buffer.from('/w/'), Buffer.from([0x2f, 0x77, 0x2f, 0xff, 0xff]), Buffer.from([0x2f, 0x77, 0x2f, 0xff]));
    for (let i = 0; i < keys.length; i += 200) await Promise.all(keys.slice(i, i + 200).map((k) => pooled.put(k).value(Buffer.alloc(k.length % 50))));
    const client = createMemberClient(cluster.nodes[0]!.clientUrl, { tls: clusterTls(cluster), credentials: {}, deadlineMs: 10_000 });
    try {
      const seen: string[] = [];
      const done = await scanKeyspace(client, { prefix: Buffer.from('/w/'), onKey: (key, valueBytes) => {
        seen.push(Buffer.from(key).toString('hex'));
        expect(valueBytes).toBe(key.length % 50);
      } });
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(keys.length);
      expect(done.totalKeys).toBe(keys.length);
      expect(done.bytes).toBe(keys.reduce((n, k) => n + k.length + (k.length % 50), 0));
      expect(done.pages).toBeGreaterThan(1);
    } finally {
      client.close();
    }
  });

  it('refuses bad flags with one line and exit 2 before connecting', async () => {
    for (const [argv, message] of [
      [['keys', 'top', '--depth', '0'], '--depth 0 is out of range (1 to 16)'],
      [['keys', 'top', '--limit', '1001'], '--limit 1001 is out of range (1 to 1000)'],
      [['keys', 'top', '--sort', 'byte'], 'did you mean --sort bytes?'],
      [['keys', 'top', '/registry'], 'did you mean `--prefix /registry`?'],
      [['keys', 'topp'], 'did you mean `keys top`?'],
      [['status', '--depth', '3'], '--depth only applies to keys top'],
    ] as const) {
      const run = await runCli([...argv, '-f', cluster.inventoryPath]);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
