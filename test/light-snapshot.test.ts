import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ClientHttp2Stream } from 'node:http2';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { GrpcMessageStream } from '../src/adapters/etcd/light/grpc-message-stream.js';
import { GrpcError } from '../src/adapters/etcd/light/grpc-status.js';
import { ProtoWriter } from '../src/adapters/etcd/light/proto-wire.js';
import { decodeSnapshotResponse } from '../src/adapters/etcd/light/snapshot-response.js';
import { PollClient } from '../src/adapters/etcd/light/poll-client.js';
import { lightEtcdMember } from '../src/adapters/etcd/etcd-member.js';
import { createMemberClient, type ClientOptions } from '../src/adapters/etcd/member-client.js';
import { etcdutlStatusReader } from '../src/adapters/local/etcdutl-status.js';
import { checkSha256Trailer, verifySnapshot } from '../src/core/snapshot/verify.js';
import { clusterTls, startTestCluster } from './helpers/cluster.js';

/** Node's HTTP/2 stream as GrpcMessageStream uses it: events in, pause/resume/close out. */
class FakeHttp2Stream extends EventEmitter {
  closed = false;
  rstCode: number | undefined;
  close(code: number): void {
    this.closed = true;
    this.rstCode = code;
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
}

function snapshotMessage(remaining: number, blob: Buffer, version = ''): Buffer {
  const header = new ProtoWriter().uint64(1, 0xd0af23495c6733afn).uint64(2, 7n).int64(3, 42).finish();
  const body = new ProtoWriter().bytes(1, header).uint64(2, remaining).bytes(3, blob).bytes(4, version).finish();
  const framed = Buffer.alloc(5 + body.length);
  framed.writeUInt32BE(body.length, 1);
  body.copy(framed, 5);
  return framed;
}

/** Feeds `wire` in pieces of `size` bytes and collects what comes out. */
function receive(wire: Buffer, size: number, trailers: Record<string, string> = { 'grpc-status': '0' }) {
  const http2 = new FakeHttp2Stream();
  const stream = new GrpcMessageStream(http2 as unknown as ClientHttp2Stream);
  const got: { blobs: Buffer[]; remaining: number[]; ended: boolean; error?: GrpcError } = { blobs: [], remaining: [], ended: false };
  stream.start({
    message: (parts) => {
      const chunk = decodeSnapshotResponse(parts);
      got.blobs.push(Buffer.concat(chunk.blob));
      got.remaining.push(chunk.remainingBytes);
    },
    end: () => (got.ended = true),
    error: (err) => (got.error = err),
  });
  http2.emit('response', { ':status': 200 });
  for (let off = 0; off < wire.length; off += size) http2.emit('data', wire.subarray(off, off + size));
  http2.emit('trailers', trailers);
  http2.emit('close');
  return got;
}

describe('the light snapshot stream, message by message', () => {
  const blobs = [Buffer.alloc(32 * 1024, 1), Buffer.from('second'), Buffer.alloc(0), Buffer.alloc(1000, 7)];
  for (let i = 0; i < blobs[0]!.length; i++) blobs[0]![i] = (i * 131) & 0xff;
  const wire = Buffer.concat(blobs.map((b, i) => snapshotMessage(blobs.length - 1 - i, b, i === 3 ? '3.5.0' : '')));

  it('gives every blob and remaining_bytes exactly, however the bytes are cut into reads', () => {
    for (const size of [1, 2, 4, 5, 6, 7, 4096, 12311, 16375, wire.length]) {
      const got = receive(wire, size);
      expect(got.error, `reads of ${size}`).toBeUndefined();
      expect(got.ended).toBe(true);
      expect(got.remaining).toEqual([3, 2, 1, 0]);
      expect(got.blobs.map((b) => createHash('sha256').update(b).digest('hex'))).toEqual(blobs.map((b) => createHash('sha256').update(b).digest('hex')));
    }
  });

  it('a message cut off by the end of the stream is an error, not a short snapshot', () => {
    const got = receive(wire.subarray(0, wire.length - 10), 4096);
    expect(got.ended).toBe(false);
    expect(got.error?.message).toMatch(/ended inside a message/);
  });

  it('grpc-status in the trailers wins over the messages that came before', () => {
    const got = receive(wire, 4096, { 'grpc-status': '7', 'grpc-message': 'etcdserver:%20permission%20denied' });
    expect(got.ended).toBe(false);
    expect(got.error).toBeInstanceOf(GrpcError);
    expect(got.error?.message).toBe('7 PERMISSION_DENIED: etcdserver: permission denied');
  });

  it('a stream closed without any status is a dropped connection', () => {
    const http2 = new FakeHttp2Stream();
    const stream = new GrpcMessageStream(http2 as unknown as ClientHttp2Stream);
    let error: Error | undefined;
    stream.start({ message: () => undefined, end: () => undefined, error: (err) => (error = err) });
    http2.emit('data', wire.subarray(0, 100));
    http2.emit('close');
    expect(error?.message).toMatch(/^14 UNAVAILABLE/);
  });
});

describe('the light snapshot from a real member', () => {
  let cluster: Awaited<ReturnType<typeof startTestCluster>>;
  let dir: string;
  const etcd3Clients: Etcd3[] = [];
  const options = (credentials: ClientOptions['credentials'] = {}, cert?: { cert: string; key: string }): ClientOptions => ({
    tls: clusterTls(cluster, cert ?? {}),
    credentials,
    deadlineMs: 5000,
  });

  beforeAll(async () => {
    cluster = await startTestCluster();
    dir = join(cluster.dir, 'light');
    mkdirSync(dir);
    const pool = createMemberClient(cluster.nodes[0]!.clientUrl, options());
    etcd3Clients.push(pool);
    const value = Buffer.alloc(256 * 1024, 'v');
    await Promise.all(Array.from({ length: 24 }, (_, i) => pool.put(`/light/${i}`).value(value))); // ~6 MB: many messages and write batches
  });
  afterAll(async () => {
    for (const c of etcd3Clients) c.close();
    await cluster?.cleanup();
  });

  it('saves a snapshot that hashes to its trailer and etcdutl reads', async () => {
    const light = new PollClient(cluster.nodes[1]!.clientUrl, options(), { bulk: true });
    try {
      const file = join(dir, 'light.db');
      const saved = await lightEtcdMember(light, options()).saveSnapshot(file);
      expect(saved.sha256Trailer).toBe('ok');
      expect(saved.bytes).toBe(statSync(file).size);
      expect(saved.bytes).toBeGreaterThan(6 * 1024 * 1024);
      expect(await checkSha256Trailer(file)).toEqual({ status: 'ok', bytes: saved.bytes });
      expect((await verifySnapshot(file, etcdutlStatusReader(cluster.binaries.etcdutl))).ok).toBe(true);
    } finally {
      light.close();
    }
  });

  it('a member that refuses (grpc-status 7 from etcd: a user without the root role) fails in plain words and leaves no file', async () => {
    const root = createMemberClient(cluster.nodes[0]!.clientUrl, options({}, cluster.clientCerts.root));
    etcd3Clients.push(root);
    await root.user('root').create('root-pw');
    await root.user('root').addRole('root');
    await root.user('plain').create('plain-pw');
    await root.auth.authEnable({});
    const light = new PollClient(cluster.nodes[0]!.clientUrl, options({ user: 'plain', password: 'plain-pw' }), { bulk: true });
    try {
      const member = lightEtcdMember(light, options({ user: 'plain', password: 'plain-pw' }));
      await expect(member.saveSnapshot(join(dir, 'refused.db'))).rejects.toThrow(/^snapshot failed: permission denied/);
      expect(readdirSync(dir).filter((n) => n.startsWith('refused'))).toEqual([]);
    } finally {
      light.close();
    }
  });
});
