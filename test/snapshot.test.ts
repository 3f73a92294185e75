import { etcdutlStatusReader } from '../src/adapters/local/etcdutl-status.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { startTestCluster, clusterTls } from './helpers/cluster.js';
import { createMemberClient, createPooledClient } from '../src/adapters/etcd/member-client.js';
import type { Credentials } from '../src/core/ports/etcd-connector.js';
import { etcdMember } from '../src/adapters/etcd/etcd-member.js';
import { TrailerHasher, checkSha256Trailer, verifySnapshot, verifyStreamedSnapshot } from '../src/core/snapshot/verify.js';
import { listSnapshots, snapshotAge } from '../src/core/snapshot/catalog.js';
import { inspectSnapshotFile } from '../src/core/snapshot/file-shape.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;
let cluster: Cluster;
let dir: string;
const KEYS = 300;
const clients: Etcd3[] = [];

function tls(cert?: string, key?: string) {
  return clusterTls(cluster, { cert, key });
}
function memberClient(i: number, credentials: Credentials = {}, cert?: { cert: string; key: string }): Etcd3 {
  const client = createMemberClient(cluster.nodes[i]!.clientUrl, { tls: tls(cert?.cert, cert?.key), credentials, deadlineMs: 2000 });
  clients.push(client);
  return client;
}
const partFiles = () => readdirSync(dir).filter((n) => n.includes('.part.'));

beforeAll(async () => {
  cluster = await startTestCluster();
  dir = join(cluster.dir, 'snapshots');
  mkdirSync(dir);
  const pool = createPooledClient(cluster.nodes.map((n) => n.clientUrl), { tls: tls(), credentials: {}, deadlineMs: 2000 });
  clients.push(pool);
  for (let i = 0; i < KEYS; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => pool.put(`/snap/key-${i + j}`).value('v'.repeat(1000))));
  }
});
afterAll(async () => {
  for (const c of clients) c.close();
  await cluster?.cleanup();
});

describe('saveSnapshot from a real member', () => {
  let saved: Awaited<ReturnType<ReturnType<typeof etcdMember>['saveSnapshot']>>;
  const file = () => join(dir, 'good.db');

  it('streams to a 0600 file via a part file, reporting growing progress up to the file size', async () => {
    const progress: Array<[number, number | undefined]> = [];
    saved = await etcdMember(memberClient(0)).saveSnapshot(file(), { onProgress: (n, total) => progress.push([n, total]) });
    const info = statSync(file());
    expect(info.mode & 0o777).toBe(0o600);
    expect(saved.bytes).toBe(info.size);
    expect(saved.sha256Trailer).toBe('ok');
    expect(partFiles()).toEqual([]);
    expect(progress.length).toBeGreaterThan(2);
    const counts = progress.map(([n]) => n);
    expect(counts.every((n, i) => i === 0 || n > counts[i - 1]!)).toBe(true);
    expect(counts.at(-1)).toBe(info.size);
    expect(progress.every(([, total]) => total === info.size)).toBe(true);
    expect((await checkSha256Trailer(file())).status).toBe('ok');
  });

  it('verifies to the numbers etcdutl prints and the revision the cluster is at', async () => {
    const v = await verifySnapshot(file(), etcdutlStatusReader(cluster.binaries.etcdutl));
    const status = await memberClient(0).maintenance.status();
    const etcdutl = (format: string) =>
      execFileSync(cluster.binaries.etcdutl, ['snapshot', 'status', file(), '-w', format], { encoding: 'utf8' });
    const json = JSON.parse(etcdutl('json'));
    expect(v).toMatchObject({
      ok: true,
      sha256: 'ok',
      bytes: saved.bytes,
      hash: etcdutl('simple').split(',')[0],
      revision: json.revision,
      totalKeys: json.totalKey,
      totalSize: json.totalSize,
    });
    expect(v.hash).toBe(Number(json.hash).toString(16));
    expect(v.revision).toBe(Number(status.header.revision)); // nothing was written since the save
    expect(v.totalKeys).toBeGreaterThanOrEqual(KEYS);
  });

  it('a file just streamed is judged by the trailer the stream checked, not hashed again; a size that differs is refused', async () => {
    const reader = etcdutlStatusReader(cluster.binaries.etcdutl);
    const whole = await verifySnapshot(file(), reader);
    const streamed = await verifyStreamedSnapshot(file(), { status: saved.sha256Trailer, bytes: saved.bytes }, reader);
    expect(streamed).toEqual(whole);
    const other = await verifyStreamedSnapshot(file(), { status: 'ok', bytes: saved.bytes + 512 }, reader);
    expect(other).toMatchObject({ ok: false, problem: `the saved file has ${saved.bytes} bytes, the stream had ${saved.bytes + 512}` });
  });

  it('refuses a copy with one byte flipped in the middle', async () => {
    const bytes = readFileSync(file());
    bytes[bytes.length >> 1]! ^= 0x01;
    const bad = join(dir, 'flipped.db');
    writeFileSync(bad, bytes);
    const v = await verifySnapshot(bad, etcdutlStatusReader(cluster.binaries.etcdutl));
    expect(v.ok).toBe(false);
    expect(v.sha256).toBe('mismatch');
    expect(v.problem).toBe('snapshot is corrupted: its SHA-256 trailer does not match its contents');
  });

  it('refuses a truncated copy, and a raw db copy unless asked to accept one', async () => {
    const bytes = readFileSync(file());
    const cut = join(dir, 'cut.db');
    writeFileSync(cut, bytes.subarray(0, (bytes.length >> 1) + 100));
    await expect(verifySnapshot(cut, etcdutlStatusReader(cluster.binaries.etcdutl))).rejects.toThrow(/cut\.db is truncated: its header says [\d.]+ [kM]B of database, the file has/);

    const raw = join(dir, 'raw.db');
    writeFileSync(raw, bytes.subarray(0, bytes.length - 32));
    const refused = await verifySnapshot(raw, etcdutlStatusReader(cluster.binaries.etcdutl));
    expect(refused).toMatchObject({ ok: false, sha256: 'missing' });
    expect(refused.problem).toMatch(/^no SHA-256 trailer: this is a raw copy/);
    const accepted = await verifySnapshot(raw, etcdutlStatusReader(cluster.binaries.etcdutl), { allowMissingTrailer: true });
    expect(accepted).toMatchObject({ ok: true, sha256: 'missing', revision: (await verifySnapshot(file(), etcdutlStatusReader(cluster.binaries.etcdutl))).revision });
  });

  it('refuses a file with a valid trailer that is no database', async () => {
    const junk = Buffer.alloc(32 * 1024, 7);
    const file = join(dir, 'junk.snapshot');
    writeFileSync(file, Buffer.concat([junk, createHash('sha256').update(junk).digest()]));
    await expect(verifySnapshot(file, etcdutlStatusReader(cluster.binaries.etcdutl))).rejects.toThrow(/junk\.snapshot is not an etcd snapshot: it does not start with a bbolt database header/);
  });

  it('reads the size a real snapshot must have from its bbolt header: pages in use times page size, plus the trailer', async () => {
    const shape = await inspectSnapshotFile(file());
    expect(shape.trailer).toBe(true);
    expect(shape.meta.pageSize).toBe(4096);
    expect(shape.bytes).toBe(shape.meta.pgid * shape.meta.pageSize + 32);
    expect(shape.bytes).toBe(saved.bytes);
  });

  it('a hung member (SIGSTOP) fails the save after the idle timeout and leaves the target byte-identical', async () => {
    const target = join(dir, 'keep.db');
    writeFileSync(target, 'the previous good snapshot');
    const before = readFileSync(target);
    const client = memberClient(1);
    await client.maintenance.status(); // connected before the member stops
    const victim = cluster.members.get(cluster.nodes[1]!.name)!;
    victim.signal('SIGSTOP');
    try {
      const started = Date.now();
      await expect(etcdMember(client).saveSnapshot(target, { idleTimeoutMs: 800 })).rejects.toThrow(/snapshot stalled: the member sent nothing for 800 ms/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      victim.signal('SIGCONT');
    }
    expect(readFileSync(target).equals(before)).toBe(true);
    expect(partFiles()).toEqual([]);
  });

  it('an unreachable member fails in plain words and writes nothing', async () => {
    const client = createMemberClient('https://127.0.0.1:1', { tls: tls(), credentials: {}, deadlineMs: 1000 });
    clients.push(client);
    await expect(etcdMember(client).saveSnapshot(join(dir, 'never.db'), { idleTimeoutMs: 3000 })).rejects.toThrow(/snapshot failed: connection refused/);
    expect(readdirSync(dir)).not.toContain('never.db');
    expect(partFiles()).toEqual([]);
  });

  it('works with user + password auth (etcd3 1.1.2 alone drops the token on this stream)', async () => {
    const root = memberClient(0, {}, cluster.clientCerts.root);
    await root.user('root').create('snap-pw');
    await root.user('root').addRole('root');
    await root.auth.authEnable({});
    const withPassword = memberClient(0, { user: 'root', password: 'snap-pw' }); // operator cert: its CN is no user
    const result = await etcdMember(withPassword).saveSnapshot(join(dir, 'auth.db'));
    expect(result.sha256Trailer).toBe('ok');
  });
});

describe('listSnapshots and the trailer hasher', () => {
  it('lists *.db and *.snapshot files newest first, skipping part files, folders and others', async () => {
    const d = join(cluster.dir, 'catalog');
    mkdirSync(join(d, 'folder.db'), { recursive: true });
    const now = Date.now();
    const make = (name: string, ageS: number) => {
      writeFileSync(join(d, name), name);
      utimesSync(join(d, name), (now - ageS * 1000) / 1000, (now - ageS * 1000) / 1000);
    };
    make('old.db', 3 * 3600);
    make('new.snapshot', 5);
    make('mid.db', 125);
    make('x.db.part.abc123', 1);
    make('notes.txt', 1);
    const files = await listSnapshots(d);
    expect(files.map((f) => f.name)).toEqual(['new.snapshot', 'mid.db', 'old.db']);
    expect(files.map((f) => snapshotAge(f, now))).toEqual(['5s', '2m05s', '3h00m']);
    expect(files[0]!.bytes).toBe('new.snapshot'.length);
    expect(await listSnapshots(join(d, 'absent'))).toEqual([]);
  });

  it('gives the same answer however the bytes are chunked', () => {
    const body = Buffer.alloc(8192);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    const whole = Buffer.concat([body, createHash('sha256').update(body).digest()]);
    for (const size of [1, 7, 31, 32, 33, 4096, whole.length]) {
      const h = new TrailerHasher();
      for (let off = 0; off < whole.length; off += size) h.update(whole.subarray(off, off + size));
      expect(h.finish()).toEqual({ status: 'ok', bytes: whole.length });
    }
    const h = new TrailerHasher();
    h.update(body);
    expect(h.finish().status).toBe('missing');
  });
});

describe('a snapshot bigger than one write batch', () => {
  it('lands on disk in order: the saved file hashes to its trailer and etcdutl reads it', async () => {
    // Auth is on by now (the test above): the root certificate's CN is the root user.
    const root = cluster.clientCerts.root!;
    const pool = createPooledClient(cluster.nodes.map((n) => n.clientUrl), { tls: tls(root.cert, root.key), credentials: {}, deadlineMs: 10_000 });
    clients.push(pool);
    const value = Buffer.alloc(512 * 1024, 'b');
    await Promise.all(Array.from({ length: 40 }, (_, i) => pool.put(`/snap/big-${i}`).value(value))); // ~20 MB: several 4 MiB batches
    const target = join(dir, 'big.db');
    const saved = await etcdMember(memberClient(1, {}, root)).saveSnapshot(target);
    expect(saved.bytes).toBeGreaterThan(16 * 1024 * 1024);
    expect(await checkSha256Trailer(target)).toEqual({ status: 'ok', bytes: saved.bytes });
    expect((await verifySnapshot(target, etcdutlStatusReader(cluster.binaries.etcdutl))).ok).toBe(true);
  });
});
