import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as ProtobufModule from 'protobufjs';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestCluster, clusterTls } from './helpers/cluster.js';
import { BIN } from './helpers/cli.js';
import { ProtoError, ProtoWriter, asInt64, asString, asVarint, readFields, type FieldValue } from '../src/adapters/etcd/light/proto-wire.js';
import {
  decodeMemberListResponse,
  decodeStatusResponse,
  encodeAuthenticateRequest,
  encodeMemberListRequest,
  encodeRangeRequest,
} from '../src/adapters/etcd/light/etcd-messages.js';
import { GrpcError, decodeGrpcMessage } from '../src/adapters/etcd/light/grpc-status.js';
import { fetchMetricsText } from '../src/adapters/etcd/metrics.js';
import { describeCertificate, fetchServerCertificate } from '../src/adapters/etcd/server-cert.js';
import { readMetric } from '../src/core/metrics/read-metric.js';
import { PollClient } from '../src/adapters/etcd/light/poll-client.js';
import { createMemberClient } from '../src/adapters/etcd/member-client.js';
import type { ClientOptions } from '../src/adapters/etcd/member-client.js';
import { listMembers, probeMember } from '../src/adapters/etcd/probe.js';
import { explainEtcdError } from '../src/core/errors/explain-etcd-error.js';
import { generatePkiSync } from '../src/core/pki/generate.js';

function fieldsOf(message: Buffer): Array<[number, FieldValue]> {
  const fields: Array<[number, FieldValue]> = [];
  readFields(message, (field, value) => fields.push([field, value]));
  return fields;
}

describe('protobuf wire codec', () => {
  it('round-trips varints up to 2^64-1, above 2^53 exactly', () => {
    const values = [1n, 127n, 128n, 300n, 2n ** 32n, 2n ** 53n + 1n, 0xd0af23495c6733afn, 2n ** 64n - 1n];
    for (const value of values) {
      const [[field, decoded]] = fieldsOf(new ProtoWriter().uint64(7, value).finish()) as [[number, FieldValue]];
      expect(field).toBe(7);
      expect(decoded).toBe(value);
    }
    // Numbers go the same way as bigints.
    expect(new ProtoWriter().uint64(1, 300).finish()).toEqual(new ProtoWriter().uint64(1, 300n).finish());
    expect(() => new ProtoWriter().uint64(1, 2 ** 60)).toThrow(ProtoError);
  });

  it('writes negative int64 as ten bytes and reads it back', () => {
    const message = new ProtoWriter().int64(3, -1n).finish();
    expect(message).toHaveLength(11);
    expect(asInt64(fieldsOf(message)[0]![1], 'x')).toBe(-1n);
  });

  it('round-trips strings as UTF-8 and leaves out proto3 defaults', () => {
    const message = new ProtoWriter().bytes(1, 'clé').bytes(2, '').bool(3, false).uint64(4, 0).bool(5, true).finish();
    const fields = fieldsOf(message);
    expect(fields.map(([f]) => f)).toEqual([1, 5]);
    expect(asString(fields[0]![1], 'x')).toBe('clé');
    expect(asVarint(fields[1]![1], 'x')).toBe(1n);
  });

  it('encodes a quorum read the way protoc does', () => {
    // key=1 "health", count_only=9 true; serializable=false is left out.
    expect(encodeRangeRequest({ key: 'health', countOnly: true }).toString('hex')).toBe('0a066865616c7468' + '4801');
    expect(encodeMemberListRequest({ linearizable: true }).toString('hex')).toBe('0801');
    expect(encodeMemberListRequest({ linearizable: false })).toHaveLength(0);
  });

  it('agrees with protobufjs on etcd’s own rpc.proto', () => {
    const require = createRequire(import.meta.url);
    const protobuf = require('protobufjs') as typeof ProtobufModule;
    const proto = fileURLToPath(new URL('../node_modules/etcd3/proto/rpc.proto', import.meta.url));
    const root = new protobuf.Root().loadSync(proto, { keepCase: true });
    const type = (name: string) => root.lookupType(`etcdserverpb.${name}`);
    const asObject = (name: string, bytes: Buffer) => type(name).toObject(type(name).decode(bytes), { longs: String, defaults: true });

    expect(asObject('RangeRequest', encodeRangeRequest({ key: 'k', rangeEnd: 'l', limit: 5, keysOnly: true, serializable: true }))).toMatchObject({
      limit: '5',
      keys_only: true,
      serializable: true,
      count_only: false,
    });
    expect(asObject('AuthenticateRequest', encodeAuthenticateRequest({ name: 'root', password: 'pä55' }))).toEqual({ name: 'root', password: 'pä55' });

    const memberId = '15037318487154287535'; // above 2^53
    const fields = {
      header: { cluster_id: '18446744073709551615', member_id: memberId, revision: '42', raft_term: '7' },
      version: '3.5.30',
      dbSize: '20480',
      leader: memberId,
      raftIndex: '9007199254740993',
      raftTerm: '7',
      raftAppliedIndex: '8',
      errors: ['memberID:1 alarm:NOSPACE ', 'other'],
      dbSizeInUse: '16384',
      isLearner: true,
    };
    const status = type('StatusResponse').encode(type('StatusResponse').fromObject(fields)).finish();
    expect(decodeStatusResponse(Buffer.from(status))).toEqual(fields);

    const list = type('MemberListResponse').encode(
      type('MemberListResponse').fromObject({
        members: [{ ID: memberId, name: 'etcd-1', peerURLs: ['https://a:2380'], clientURLs: ['https://a:2379', 'https://b:2379'] }, { ID: '1', isLearner: true }],
      }),
    ).finish();
    expect(decodeMemberListResponse(Buffer.from(list)).members).toEqual([
      { ID: memberId, name: 'etcd-1', peerURLs: ['https://a:2380'], clientURLs: ['https://a:2379', 'https://b:2379'], isLearner: false },
      { ID: '1', name: '', peerURLs: [], clientURLs: [], isLearner: true },
    ]);
  });

  it('skips fields it does not know (a newer etcd) and rejects truncated messages', () => {
    const newer = Buffer.concat([new ProtoWriter().bytes(2, '3.6.0').finish(), new ProtoWriter().bytes(11, '3.6.0').uint64(12, 2n ** 31n).finish()]);
    expect(decodeStatusResponse(newer).version).toBe('3.6.0');
    expect(() => decodeStatusResponse(Buffer.from([0x12, 0x05, 0x33]))).toThrow(ProtoError);
    expect(() => decodeStatusResponse(Buffer.from([0x18, 0x80]))).toThrow(ProtoError);
  });

  it('decodes percent-encoded grpc-message texts', () => {
    expect(decodeGrpcMessage('etcdserver: no leader')).toBe('etcdserver: no leader');
    expect(decodeGrpcMessage('caf%C3%A9 100%25 %0Anext')).toBe('café 100% \nnext');
    expect(decodeGrpcMessage('odd %zz and %4')).toBe('odd %zz and %4');
    expect(new GrpcError(14, 'connect ECONNREFUSED 127.0.0.1:1').message).toBe('14 UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:1');
  });
});

describe('connecting', () => {
  it('opens one connection for parallel calls, and a new one after a handshake that never finished', async () => {
    // Accepts TCP and never answers the TLS handshake: a hung member as the client sees it.
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new PollClient(`https://127.0.0.1:${port}`, { tls: {}, credentials: {}, deadlineMs: 300 });
    try {
      const started = Date.now();
      const answers = await Promise.allSettled([client.status(), client.quorumRead(), client.memberList(), client.status()]);
      expect(Date.now() - started).toBeLessThan(800);
      expect(answers.map((a) => a.status === 'rejected' && explainEtcdError(a.reason).kind)).toEqual(['timeout', 'timeout', 'timeout', 'timeout']);
      expect(sockets).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 100)); // the abandoned handshake's own timeout
      await Promise.allSettled([client.status(), client.status()]);
      expect(sockets).toHaveLength(2);
    } finally {
      client.close();
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startTestCluster();
});
afterAll(async () => {
  await cluster?.cleanup();
});

const tls = (cacert?: string, cert?: string, key?: string) => clusterTls(cluster, { cacert, cert, key });
const options = (overrides: Partial<ClientOptions> = {}): ClientOptions => ({ tls: tls(), credentials: {}, deadlineMs: 2000, ...overrides });

/** A follower: stopping the leader would stall the others' quorum reads until an election. */
async function aFollower(): Promise<{ name: string; endpoint: string }> {
  const client = new PollClient(cluster.nodes[0]!.clientUrl, options());
  try {
    const status = await client.status();
    const members = await client.memberList();
    const follower = members.find((m) => m.ID !== status.leader)!;
    return { name: follower.name, endpoint: follower.clientURLs[0]! };
  } finally {
    client.close();
  }
}

async function waitUntilAnswering(endpoint: string, timeoutMs = 20_000): Promise<void> {
  const client = new PollClient(endpoint, options({ deadlineMs: 1000 }));
  const until = Date.now() + timeoutMs;
  try {
    for (;;) {
      const result = await probeMember(client);
      if (result.ok && result.sample.quorumRead === 'ok') return;
      if (Date.now() > until) throw new Error(`${endpoint} not back: ${result.ok ? 'no quorum read' : result.reason}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    client.close();
  }
}

function runNode(args: string[], timeoutMs = 15_000): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
function requireDist(): void {
  if (!existsSync(join(DIST, 'adapters/etcd/light/poll-client.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
}

describe('the light client against a real cluster', () => {
  it('reads the same status as etcd3 for the same member', async () => {
    const endpoint = cluster.nodes[1]!.clientUrl;
    const etcd3 = createMemberClient(endpoint, options());
    const light = new PollClient(endpoint, options());
    try {
      const before = await etcd3.maintenance.status();
      const ours = await light.status();
      const after = await etcd3.maintenance.status();
      const { header, raftIndex, raftAppliedIndex, ...rest } = ours;
      const { header: h0, raftIndex: i0, raftAppliedIndex: a0, ...restBefore } = before;
      expect(rest).toEqual(restBefore);
      expect({ cluster_id: header.cluster_id, member_id: header.member_id, raft_term: header.raft_term }).toEqual({
        cluster_id: h0.cluster_id,
        member_id: h0.member_id,
        raft_term: h0.raft_term,
      });
      // Indices and revision may move between the calls, never backwards.
      for (const [ours_, lo, hi] of [
        [raftIndex, i0, after.raftIndex],
        [raftAppliedIndex, a0, after.raftAppliedIndex],
        [header.revision, h0.revision, after.header.revision],
      ] as const) {
        expect(BigInt(ours_)).toBeGreaterThanOrEqual(BigInt(lo));
        expect(BigInt(ours_)).toBeLessThanOrEqual(BigInt(hi));
      }
    } finally {
      etcd3.close();
      light.close();
    }
  });

  it('reads /metrics over the same HTTP/2 connection: the same families as /metrics over HTTPS', async () => {
    const endpoint = cluster.nodes[0]!.clientUrl;
    const light = new PollClient(endpoint, options());
    try {
      await light.status();
      const text = await light.metricsText();
      const reference = await fetchMetricsText(endpoint, options().tls, 3000);
      const families = (t: string) => new Set(t.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]));
      expect(families(text)).toEqual(families(reference));
      expect(readMetric(text, 'etcd_server_has_leader')).toBe(1);
      expect(text).toContain('etcd_server_quota_backend_bytes');
    } finally {
      light.close();
    }
  });

  it("keeps the certificate of its own handshake (the poller's certificate read needs no second one), gone once closed", async () => {
    const endpoint = cluster.nodes[2]!.clientUrl;
    const light = new PollClient(endpoint, options());
    try {
      expect(light.peerCertificate()).toBeUndefined();
      const before = Date.now();
      await light.status();
      const seen = light.peerCertificate()!;
      expect(seen.at).toBeGreaterThanOrEqual(before);
      const separate = await fetchServerCertificate(endpoint, options().tls, 3000);
      expect(describeCertificate(seen.x509)).toEqual(separate);
      expect(separate.subjectCN).toBe(cluster.nodes[2]!.name);
    } finally {
      light.close();
    }
    expect(light.peerCertificate()).toBeUndefined();
  });

  it('serves a quorum read and the member list etcd3 sees', async () => {
    const endpoint = cluster.nodes[0]!.clientUrl;
    const etcd3 = createMemberClient(endpoint, options());
    const light = new PollClient(endpoint, options());
    try {
      const read = await light.quorumRead();
      expect(read.header.member_id).not.toBe('0');
      expect(await listMembers(light)).toEqual(await listMembers(etcd3));
      const probe = await probeMember(light);
      const reference = await probeMember(etcd3);
      expect(probe.ok && reference.ok).toBe(true);
      if (probe.ok && reference.ok) {
        expect({ ...probe.sample, latencyMs: 0 }).toEqual({ ...reference.sample, latencyMs: 0 });
        expect(probe.sample.quorumRead).toBe('ok');
      }
    } finally {
      etcd3.close();
      light.close();
    }
  });

  it('a wrong CA is the unknown-CA explanation', async () => {
    const other = generatePkiSync({ nodes: [], clients: [], caBits: 2048 });
    const file = join(cluster.dir, 'light-other-ca.crt');
    writeFileSync(file, other.ca.certPem);
    const client = new PollClient(cluster.nodes[0]!.clientUrl, options({ tls: tls(file) }));
    try {
      const err = await client.status().then(() => undefined, (e: unknown) => e);
      expect(explainEtcdError(err)).toEqual({ kind: 'tls', message: 'server certificate is not signed by the CA given in --cacert (unknown CA)' });
    } finally {
      client.close();
    }
  });

  it('no client certificate and a server name the certificate does not cover: the TLS explanations', async () => {
    const noCert = new PollClient(cluster.nodes[0]!.clientUrl, options({ tls: { ca: readFileSync(cluster.tls.cacert) } }));
    const wrongName = new PollClient(cluster.nodes[0]!.clientUrl, options({ serverName: 'wrong.example' }));
    try {
      const noCertResult = await probeMember(noCert);
      expect(!noCertResult.ok && noCertResult.reason).toMatch(/server requires a client certificate/);
      const wrongNameResult = await probeMember(wrongName);
      expect(!wrongNameResult.ok && wrongNameResult.reason).toMatch(/server certificate does not cover "wrong\.example" \(its SANs: IP Address:127\./);
    } finally {
      noCert.close();
      wrongName.close();
    }
  });

  it('a SIGSTOPped member is a timeout within deadline + 500 ms, connected or not, and answers again after SIGCONT', async () => {
    const victim = await aFollower();
    const deadlineMs = 800;
    const connected = new PollClient(victim.endpoint, options({ deadlineMs }));
    const fresh = new PollClient(victim.endpoint, options({ deadlineMs }));
    try {
      await connected.status();
      cluster.members.get(victim.name)!.signal('SIGSTOP');
      for (const client of [connected, fresh]) {
        const started = Date.now();
        const result = await probeMember(client);
        const took = Date.now() - started;
        expect(result).toMatchObject({ ok: false, kind: 'timeout' });
        expect(took).toBeGreaterThanOrEqual(deadlineMs - 50);
        expect(took).toBeLessThan(deadlineMs + 500);
      }
    } finally {
      cluster.members.get(victim.name)!.signal('SIGCONT');
    }
    try {
      await waitUntilAnswering(victim.endpoint);
      expect((await probeMember(connected)).ok).toBe(true);
    } finally {
      connected.close();
      fresh.close();
    }
  });

  it('a killed member is unreachable; the same client reconnects once it is back', async () => {
    const victim = await aFollower();
    const member = cluster.members.get(victim.name)!;
    const client = new PollClient(victim.endpoint, options({ deadlineMs: 1000 }));
    try {
      await client.status();
      await member.stop({ graceMs: 0 }); // SIGKILL by pid
      const result = await probeMember(client);
      expect(result).toMatchObject({ ok: false, kind: 'unreachable' });
      const again = await probeMember(client); // a new connection attempt: refused
      expect(again).toMatchObject({ ok: false, kind: 'unreachable' });
      expect(!again.ok && again.reason).toMatch(/^connection refused at 127\.[\d.]+:2379/);
    } finally {
      await member.start();
    }
    try {
      await waitUntilAnswering(victim.endpoint);
      expect((await probeMember(client)).ok).toBe(true);
    } finally {
      client.close();
    }
  });

  it('never keeps the process alive, with or without close()', async () => {
    requireDist();
    const script = join(cluster.dir, 'light-exit.mjs');
    writeFileSync(
      script,
      `import { readFileSync } from 'node:fs';
const { PollClient } = await import(${JSON.stringify(join(DIST, 'adapters/etcd/light/poll-client.js'))});
const tls = { ca: readFileSync(${JSON.stringify(cluster.tls.cacert)}), cert: readFileSync(${JSON.stringify(cluster.tls.cert)}), key: readFileSync(${JSON.stringify(cluster.tls.key)}) };
const client = new PollClient(${JSON.stringify(cluster.nodes[0]!.clientUrl)}, { tls, credentials: {}, deadlineMs: 2000 });
await client.status();
await client.memberList();
if (process.argv[2] === 'close') client.close();
console.log('done');
`,
    );
    for (const mode of ['close', 'leave-open']) {
      const run = await runNode([script, mode]);
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe('done\n');
      expect(run.code).toBe(0);
      expect(run.ms).toBeLessThan(3000);
    }
  });

  it('`status` and the poller do not load etcd3, grpc-js or protobufjs', async () => {
    requireDist();
    const hook = join(cluster.dir, 'loaded-modules-hook.mjs');
    writeFileSync(
      hook,
      `import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  const heavy = Object.keys(cache).filter((k) => /node_modules\\/(etcd3|@grpc|protobufjs)\\//.test(k));
  process.stderr.write('heavy modules: ' + heavy.length + '\\n');
});
`,
    );
    const status = await runNode(['--import', hook, BIN, 'status', '-o', 'json', '-f', cluster.inventoryPath]);
    expect(JSON.parse(status.stdout).members.map((m: { health: string; reason: string | null }) => `${m.health} ${m.reason}`)).toEqual(['ok null', 'ok null', 'ok null']);
    expect(status.code).toBe(0);
    expect(status.stderr).toBe('heavy modules: 0\n');

    const pollerScript = join(cluster.dir, 'poller-only.mjs');
    writeFileSync(
      pollerScript,
      `import { readFileSync } from 'node:fs';
const { createCockpitStore } = await import(${JSON.stringify(join(DIST, 'state/store.js'))});
const { Poller } = await import(${JSON.stringify(join(DIST, 'state/poller.js'))});
await import(${JSON.stringify(join(DIST, 'app/run-tui.js'))});
const tls = { ca: readFileSync(${JSON.stringify(cluster.tls.cacert)}), cert: readFileSync(${JSON.stringify(cluster.tls.cert)}), key: readFileSync(${JSON.stringify(cluster.tls.key)}) };
const store = createCockpitStore({ clusterName: 't', members: ${JSON.stringify(cluster.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name })))} });
const poller = new Poller(store, { intervalMs: 1000, clientOptions: () => ({ tls, credentials: {}, deadlineMs: 2000 }) });
await poller.pollOnce();
console.log(Object.values(store.getState().members).map((m) => m.health).join(','));
poller.stop();
`,
    );
    const polled = await runNode(['--import', hook, pollerScript]);
    expect(polled.stdout).toBe('ok,ok,ok\n');
    expect(polled.stderr).toBe('heavy modules: 0\n');
  });
});

// Last: auth stays on for the rest of the cluster's life.
describe('the light client with auth enabled', () => {
  const rootPassword = 'r00t-' + Math.random().toString(36).slice(2);
  const root = () => ({ cert: cluster.clientCerts.root!.cert, key: cluster.clientCerts.root!.key });

  beforeAll(async () => {
    const admin = createMemberClient(cluster.nodes[0]!.clientUrl, options({ tls: tls(undefined, root().cert, root().key) }));
    try {
      await admin.user('root').create(rootPassword);
      await admin.user('root').addRole('root');
      await admin.auth.authEnable({});
    } finally {
      admin.close();
    }
  });

  it('authenticates with user and password and sends the token', async () => {
    // The operator certificate's CN is no etcd user: only the token makes it root.
    const client = new PollClient(cluster.nodes[0]!.clientUrl, options({ credentials: { user: 'root', password: rootPassword } }));
    const certOnly = new PollClient(cluster.nodes[0]!.clientUrl, options());
    try {
      const result = await probeMember(client);
      expect(result.ok && result.sample.quorumRead).toBe('ok');
      expect((await client.memberList()).map((m) => m.name).sort()).toEqual(['etcd-1', 'etcd-2', 'etcd-3']);
      const denied = await certOnly.status().then(() => undefined, (e: unknown) => e);
      expect(explainEtcdError(denied).kind).toBe('auth');
    } finally {
      client.close();
      certOnly.close();
    }
  });

  it('authenticates again, once, when etcd no longer takes the token', async () => {
    const client = new PollClient(cluster.nodes[0]!.clientUrl, options({ credentials: { user: 'root', password: rootPassword } }));
    try {
      await client.status();
      // What a member restart or the token TTL does: etcd answers "invalid auth token".
      (client as unknown as { token: Promise<string> }).token = Promise.resolve('not-a-token.1');
      expect((await client.status()).version).toMatch(/^3\.5\./);
    } finally {
      client.close();
    }
  });

  it('a wrong password is the auth explanation, and no password shows up in the error', async () => {
    const secret = 'wrong-' + rootPassword;
    const client = new PollClient(cluster.nodes[0]!.clientUrl, options({ credentials: { user: 'root', password: secret } }));
    try {
      const err = (await client.status().then(() => undefined, (e: unknown) => e)) as Error;
      expect(explainEtcdError(err)).toEqual({ kind: 'auth', message: 'wrong user name or password' });
      expect(`${err.message} ${err.stack} ${JSON.stringify(err)}`).not.toContain(secret);
      const probe = await probeMember(client);
      expect(JSON.stringify(probe)).not.toContain(secret);
    } finally {
      client.close();
    }
  });
});
