/**
 * Service-level day-2 operations against a real 3-node TLS+RBAC etcd 3.5
 * cluster that the runbook bootstraps on loopback addresses (LocalTransport +
 * ProcessSupervisor). Every etcd is killed by its pid file in afterAll.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemberClient } from '../src/adapters/etcd/member-client.js';
import { fetchMetricsText } from '../src/adapters/etcd/metrics.js';
import { readMetric } from '../src/core/metrics/read-metric.js';
import { probeMember } from '../src/adapters/etcd/probe.js';
import { runOperationVerb, type VerbOptions } from '../src/cli/commands/operation-verb.js';
import { watchDownMembers } from '../src/state/down-diagnosis.js';
import { createServer } from 'node:net';
import { openSession, type Session } from '../src/cli/session.js';
import { UsageError } from '../src/cli/usage-error.js';
import type { OperationContext } from '../src/core/operations/context.js';
import {
  buildQuotaRequest,
  buildRebootstrapRequest,
  buildReplaceMemberRequest,
  buildRestartRequest,
  buildRestoreRequest,
  buildRollingRestartRequest,
  restartMember,
  serviceDeps,
  ServiceOpRefused,
  withDeps,
  type QuotaResult,
  type ReplaceResult,
  type RestartResult,
  type RebootstrapResult,
  type RestoreResult,
  type ServiceDeps,
} from '../src/core/operations/service/index.js';
import { leaderOf } from '../src/core/operations/service/live-members.js';
import { patchConfigText } from '../src/core/operations/service/config-file.js';
import { takeSnapshot } from '../src/core/operations/snapshot.js';
import { backupLine, planBackup, type BackupPolicy } from '../src/core/operations/backup-first.js';
import { runOperation } from '../src/core/operations/run-operation.js';
import { verifySnapshot } from '../src/core/snapshot/verify.js';
import { AuditLog } from '../src/adapters/audit-log.js';
import { closeRunContext, createRunContext } from '../src/adapters/runbook/run-context.js';
import { runRunbook } from '../src/core/runbook/engine.js';
import { memberConfigText } from '../src/core/runbook/phases/phase4-config.js';
import { clientTls } from '../src/core/runbook/etcd-access.js';
import type { RunContext } from '../src/core/runbook/types.js';
import { createCockpitStore, type CockpitStore } from '../src/state/store.js';
import { Poller } from '../src/state/poller.js';
import { localFixture, teardownLocal, type LocalFixture } from './helpers/runbook-fixture.js';

let fx: LocalFixture;
let run: RunContext;
let poller: Poller;
let store: CockpitStore;
let ctx: OperationContext;
let deps: ServiceDeps;
const lines: string[] = [];
const extraClients: Etcd3[] = [];

/** A client as Patroni connects: its own certificate, user and password; closed in afterAll. */
function patroniClient(node: { clientUrl: string; name: string }): Etcd3 {
  const client = createMemberClient(node.clientUrl, {
    tls: clientTls(run, 'patroni'),
    credentials: { user: 'patroni', password: password('patroni') },
    deadlineMs: 3000,
    serverName: node.name,
  });
  extraClients.push(client);
  return client;
}
const started = performance.now();

const nodes = () => fx.inventory.nodes;
const endpointOf = (name: string) => nodes().find((n) => n.name === name)!.clientUrl;
const kv = () => poller.clientFor(nodes()[0]!.clientUrl);
const password = (user: string) => readFileSync(join(fx.workdir, 'secrets', `${user}.password`), 'utf8').trim();
const nodeRoot = (name: string) => join(fx.workdir, 'nodes', name);

async function pids(): Promise<Record<string, number | undefined>> {
  const entries = await Promise.all(run.nodes.map(async (n) => [n.spec.name, (await n.service.status()).pid] as const));
  return Object.fromEntries(entries);
}

async function polled() {
  await poller.pollOnce();
  return ctx.members();
}

async function allHealthy(): Promise<boolean> {
  const results = await Promise.all(nodes().map((n) => probeMember(poller.clientFor(n.clientUrl))));
  return results.every((r) => r.ok && r.sample.quorumRead === 'ok' && !r.sample.isLearner);
}

beforeAll(async () => {
  fx = await localFixture({ prefix: 'cockpit-svcops-' });
  run = createRunContext({ inventory: fx.inventory, killOnExit: true });
  const report = await runRunbook(run, { phases: [0, 1, 2, 3, 4, 5, 6, 7] });
  if (report.outcome !== 'done') throw new Error(`bootstrap failed: ${report.failed?.stepId}: ${report.failed?.error}`);
  const tls = clientTls(run, 'root');
  store = createCockpitStore({ clusterName: fx.inventory.cluster, members: nodes().map((n) => ({ endpoint: n.clientUrl, name: n.name })) });
  const serverName = (endpoint: string) => nodes().find((n) => n.clientUrl === endpoint)?.name;
  poller = new Poller(store, { intervalMs: 500, clientOptions: (e) => ({ tls, credentials: {}, deadlineMs: 2000, serverName: serverName(e) }) });
  ctx = {
    clientFor: (e) => poller.memberFor(e),
    members: () => store.getState().order.map((e) => store.getState().members[e]!),
    log: (line) => void lines.push(line),
    longDeadlineMs: 30_000,
    pauseMs: 0,
  };
  deps = serviceDeps(run, { healthTimeoutMs: 30_000 });
  await poller.pollOnce();
  console.log(`service-ops: cluster bootstrapped in ${((performance.now() - started) / 1000).toFixed(1)} s`);
});

afterAll(async () => {
  for (const c of extraClients) c.close();
  poller?.stop();
  if (run) await closeRunContext(run);
  if (fx) await teardownLocal(fx.dir, fx.workdir);
  console.log(`service-ops: ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
});

function cliSession(): Promise<Session> {
  const pki = join(fx.workdir, 'pki');
  return openSession(
    {
      clusterName: fx.inventory.cluster,
      members: nodes().map((n) => ({ endpoint: n.clientUrl, name: n.name, serverName: n.name })),
      tls: { cacert: join(pki, 'ca.crt'), cert: join(pki, 'clients', 'root.crt'), key: join(pki, 'clients', 'root.key') },
      inventory: fx.inventory,
    },
    { intervalMs: 500, commandTimeoutMs: 2000, readOnly: false },
  );
}

const cliOpts = (command: string, args: string[], more: Partial<VerbOptions> = {}): VerbOptions => ({
  command: command as VerbOptions['command'],
  args,
  force: false,
  yes: true,
  readOnly: false,
  pauseMs: 0,
  auditLog: join(fx.dir, 'audit.log'),
  waitMs: 30_000,
  ...more,
});

const auditEntries = () =>
  readFileSync(join(fx.dir, 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('restart', () => {
  it('the CLI restarts a member through its service; it comes back healthy with a new pid, audited', async () => {
    const before = await pids();
    const session = await cliSession();
    const out: string[] = [];
    try {
      const code = await runOperationVerb(session, cliOpts('restart', ['etcd-2']), fx.inventory, (l) => void out.push(l));
      expect(code, out.join('\n')).toBe(0);
    } finally {
      session.poller.stop();
    }
    const after = await pids();
    expect(after['etcd-2']).toBeDefined();
    expect(after['etcd-2']).not.toBe(before['etcd-2']);
    expect(after['etcd-1']).toBe(before['etcd-1']);
    expect(out.join('\n')).toMatch(/etcd-2: healthy again after [\d.]+ s/);
    expect(await allHealthy()).toBe(true);
    expect(auditEntries().at(-1)).toMatchObject({ action: 'restart', target: 'etcd-2', result: 'ok', cluster: 'rb-test' });
  });

  it('the CLI refuses without an inventory runbook section, in --read-only, and without --yes off a terminal', async () => {
    const session = await cliSession();
    try {
      const noRunbook = { ...fx.inventory, runbook: undefined };
      await expect(runOperationVerb(session, cliOpts('restart', ['etcd-2']), noRunbook)).rejects.toThrow(/needs an inventory with a runbook: section/);
      await expect(runOperationVerb(session, cliOpts('rolling-restart', [], { readOnly: true }))).rejects.toThrow(
        'refused: rolling-restart changes the cluster and --read-only is on',
      );
      expect(auditEntries().at(-1)).toMatchObject({ action: 'rolling-restart', result: 'refused', error: 'read-only mode' });
      const asked = runOperationVerb(session, cliOpts('restart', ['etcd-2'], { yes: false }), fx.inventory, () => {});
      await expect(asked).rejects.toThrow(UsageError);
      await expect(asked).rejects.toThrow(/without --yes/);
    } finally {
      session.poller.stop();
    }
  });

  it('the quorum guard refuses a restart while another member is SIGKILLed; restarting the dead one is allowed', async () => {
    const victim = run.nodes.find((n) => n.spec.name === 'etcd-3')!;
    await victim.service.stop({ graceMs: 0 });
    const before = await pids();
    const members = await polled();
    expect(() => buildRestartRequest({ cluster: 'rb-test', members, member: 'etcd-1' }, deps)).toThrow(ServiceOpRefused);
    expect(() => buildRestartRequest({ cluster: 'rb-test', members, member: 'etcd-1' }, deps)).toThrow(
      /restarting etcd-1 leaves 1 of 3 voting members up, but quorum needs 2 \(etcd-3 is down\)/,
    );
    // The work re-checks on live probes, whatever the polled state says.
    await expect(restartMember(withDeps({ ...ctx, members: () => members.map((m) => ({ ...m, health: 'ok' as const })) }, deps), 'etcd-1')).rejects.toThrow(
      /etcd-3 is down/,
    );
    const forced = buildRestartRequest({ cluster: 'rb-test', members, member: 'etcd-1', force: true }, deps);
    expect(forced.typed).toBe('etcd-1');
    expect(forced.summary.join('\n')).toMatch(/WARNING: restarting etcd-1 leaves 1 of 3/);
    expect(await pids()).toEqual(before);

    const revive = buildRestartRequest({ cluster: 'rb-test', members, member: 'etcd-3' }, deps);
    expect(revive.typed).toBeUndefined();
    const result = (await revive.work(ctx)) as RestartResult;
    expect(result.name).toBe('etcd-3');
    expect(await allHealthy()).toBe(true);
  });
});

describe('rolling restart', () => {
  it('restarts followers first and the leader last, after moving leadership away', async () => {
    const members = await polled();
    const leader = leaderOf(members)!.name;
    const request = buildRollingRestartRequest({ cluster: 'rb-test', members }, deps);
    expect(request.summary.at(-2)).toMatch(new RegExp(`^3\\. ${leader} \\(leader`));
    lines.length = 0;
    const before = await pids();
    const results = (await request.work(ctx)) as RestartResult[];
    // The order the work chose from live probes (an election could have happened since the poll).
    const order = lines.find((l) => l.startsWith('rolling restart, in this order: '))!.split(': ')[1]!.split(', ');
    expect(results.map((r) => r.name)).toEqual(order);
    expect(results.map((r) => r.wasLeader)).toEqual([false, false, true]);
    const last = results[2]!.name;
    if (last !== leader) console.log(`leadership moved from ${leader} to ${last} between the poll and the rolling restart`);
    const after = await pids();
    for (const name of ['etcd-1', 'etcd-2', 'etcd-3']) expect(after[name]).not.toBe(before[name]);
    const moved = lines.findIndex((l) => l.startsWith(`moving leadership from ${last} to`));
    const stopped = lines.findIndex((l) => l.startsWith(`${last}: stopping`));
    expect(moved).toBeGreaterThan(-1);
    expect(moved).toBeLessThan(stopped);
    expect(lines.filter((l) => /: stopping etcd/.test(l)).map((l) => l.split(':')[0])).toEqual(results.map((r) => r.name));
    expect(await allHealthy()).toBe(true);
  });
});

describe('a member that cannot start', () => {
  it('is said with the line of its log that tells why (its peer port is taken), not only "connection refused"', async () => {
    const node = run.nodes.find((n) => n.spec.name === 'etcd-3')!;
    const peer = new URL(node.spec.peerUrl);
    await node.service.stop({ graceMs: 5000 });
    // The other members keep dialling the peer port: their connections are dropped, so close() does not wait on them.
    const squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(Number(peer.port), peer.hostname, resolve));
    store.setState({ events: [] });
    const stopWatch = watchDownMembers(store, fx.inventory);
    try {
      await node.service.start().catch(() => undefined);
      const said = () => store.getState().events.find((e) => e.text.startsWith('etcd-3 down: ') && !e.text.includes('connection refused'));
      for (const deadline = Date.now() + 30_000; !said() && Date.now() < deadline; ) {
        await poller.pollOnce();
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(said()?.text).toMatch(/^etcd-3 down: fatal: .*address already in use · service (failed|inactive)/);
      expect(said()?.tone).toBe('critical');
    } finally {
      stopWatch();
      await new Promise((resolve) => squatter.close(resolve));
      await restartMember(withDeps(ctx, deps), 'etcd-3');
    }
    expect(await allHealthy()).toBe(true);
  });
});

describe('rolling restart that fails', () => {
  it('stops at the first member that does not come back, with its service state and log tail; the rest are not touched', async () => {
    const configs = nodes().map((n) => join(nodeRoot(n.name), 'etc/etcd/etcd.conf.yml'));
    const good = configs.map((c) => readFileSync(c, 'utf8'));
    configs.forEach((c, i) => writeFileSync(c, patchConfigText(good[i]!, { 'listen-client-urls': 'https://not-an-ip:2379' })));
    const before = await pids();
    lines.length = 0;
    try {
      const request = buildRollingRestartRequest({ cluster: 'rb-test', members: await polled() }, deps);
      await expect(request.work(ctx)).rejects.toThrow(/^rolling restart stopped at (etcd-\d) \(nothing restarted; not restarted: etcd-\d, etcd-\d\): \1: its service stopped running/);
    } finally {
      configs.forEach((c, i) => writeFileSync(c, good[i]!));
    }
    const failed = lines.find((l) => l.startsWith('rolling restart stopped at '))!.split(' ')[4]!;
    expect(lines.join('\n')).toMatch(/ {4}service failed \(etcd \(pid \d+\) exited/);
    expect(lines.some((l) => l.startsWith('    | ') && /not-an-ip/.test(l))).toBe(true);
    const after = await pids();
    for (const n of nodes()) if (n.name !== failed) expect(after[n.name]).toBe(before[n.name]);
    await restartMember(withDeps(ctx, deps), failed);
    expect(await allHealthy()).toBe(true);
  });
});

describe('quota', () => {
  it('refuses above 8 GiB without force, then a raised quota shows in /metrics after the rolling restart', async () => {
    const members = await polled();
    expect(() => buildQuotaRequest({ cluster: 'rb-test', members, bytes: 16 * 1024 ** 3 }, deps)).toThrow(/above the 8 GiB etcd advises/);
    const bytes = 3 * 1024 ** 3;
    const request = buildQuotaRequest({ cluster: 'rb-test', members, bytes }, deps);
    expect(request.typed).toBeUndefined();
    const result = (await request.work(ctx)) as QuotaResult;
    expect(result.restarts).toHaveLength(3);
    const tls = clientTls(run, 'root');
    for (const n of nodes()) {
      expect(readMetric(await fetchMetricsText(n.clientUrl, tls, 3000, n.name), 'etcd_server_quota_backend_bytes')).toBe(bytes);
      expect(readFileSync(join(nodeRoot(n.name), 'etc/etcd/etcd.conf.yml'), 'utf8')).toContain(`quota-backend-bytes: ${bytes}\n`);
    }
    // A later phase 4 (or re-bootstrap) renders the configs again: the raised quota stays.
    expect(run.state.load().quotaBackendBytes).toBe(bytes);
    expect(memberConfigText(run, run.nodes[0]!)).toContain(`quota-backend-bytes: ${bytes}\n`);
  });
});

describe('restore from a snapshot', () => {
  const snapshotDir = () => join(fx.dir, 'snapshots');
  let snapshotFile: string;
  let snapshotRevision: number;

  beforeAll(async () => {
    mkdirSync(snapshotDir(), { recursive: true });
    for (let i = 0; i < 20; i++) await kv().put(`/restore/a-${i}`).value(`first-${i}`);
    const members = await polled();
    const member = members.find((m) => m.name === 'etcd-2')!;
    snapshotFile = join(snapshotDir(), 'rb-test-before.db');
    const verified = await takeSnapshot(ctx, { member, file: snapshotFile, etcdutl: deps.etcdutl() });
    if (!verified.ok) throw new Error(verified.problem);
    snapshotRevision = verified.revision;
    for (let i = 0; i < 5; i++) await kv().put(`/restore/late-${i}`).value('late');
    await kv().delete().key('/restore/a-0');
    await kv().put('/restore/a-1').value('overwritten');
  });

  it('refuses a corrupted snapshot before anything is stopped', async () => {
    const bad = join(snapshotDir(), 'corrupted.db');
    copyFileSync(snapshotFile, bad);
    const bytes = readFileSync(bad);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = bytes[mid]! ^ 0xff;
    writeFileSync(bad, bytes);
    const before = await pids();
    const members = await polled();
    await expect(buildRestoreRequest({ cluster: 'rb-test', members, file: bad }, deps)).rejects.toThrow(ServiceOpRefused);
    await expect(buildRestoreRequest({ cluster: 'rb-test', members, file: bad }, deps)).rejects.toThrow(
      /snapshot is corrupted: its SHA-256 trailer does not match its contents; nothing was stopped/,
    );
    await expect(buildRestoreRequest({ cluster: 'rb-test', members, file: join(fx.dir, 'missing.db') }, deps)).rejects.toThrow(/no such snapshot file/);
    // the work checks again, in case the file changed after the confirmation
    const good = await buildRestoreRequest({ cluster: 'rb-test', members, file: snapshotFile }, deps);
    const original = readFileSync(snapshotFile);
    writeFileSync(snapshotFile, bytes);
    try {
      await expect(good.work(ctx)).rejects.toThrow(/nothing was stopped/);
    } finally {
      writeFileSync(snapshotFile, original);
    }
    expect(await pids()).toEqual(before);
    expect(await allHealthy()).toBe(true);
  });

  it('brings back the snapshot: its keys and revision, and drops the later writes; old data dirs kept aside', async () => {
    const members = await polled();
    const request = await buildRestoreRequest({ cluster: 'rb-test', members, file: snapshotFile }, deps);
    expect(request.typed).toBe('rb-test');
    lines.length = 0;
    const result = (await request.work(ctx)) as RestoreResult;
    expect(result.proof.snapshotRevision).toBe(snapshotRevision);
    for (const rev of Object.values(result.proof.revisions)) expect(rev).toBe(snapshotRevision);
    const status = await kv().maintenance.status();
    expect(Number(status.header.revision)).toBe(snapshotRevision);
    const restored = await kv().getAll().prefix('/restore/').strings();
    expect(restored).toEqual(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`/restore/a-${i}`, `first-${i}`])));
    expect(result.proof.liveKeys).toBeGreaterThanOrEqual(20);
    expect(result.proof.liveKeys).toBeLessThanOrEqual(result.proof.snapshotTotalKeys);
    for (const n of nodes()) {
      expect(existsSync(join(result.keptAside[n.name]!, 'member'))).toBe(true);
      expect(result.keptAside[n.name]).toContain(join(nodeRoot(n.name), 'var/lib/etcd.before-restore-'));
      expect(readFileSync(join(nodeRoot(n.name), 'etc/etcd/etcd.conf.yml'), 'utf8')).toContain(`initial-cluster-token: ${result.token}\n`);
    }
    expect(lines.join('\n')).toMatch(/the old data dir is kept at/);
    expect(await allHealthy()).toBe(true);
    // RBAC came back with the data: patroni still writes /service/
    const node = nodes()[1]!;
    const patroni = patroniClient(node);
    await patroni.put('/service/after-restore').value('ok');
  });
});

describe('re-bootstrap', () => {
  const dir = () => join(fx.dir, 'rebootstrap-snapshots');

  it('plans its backup: only a snapshot the cockpit saved of this cluster within --max-age counts; else one is taken, or it is refused', async () => {
    mkdirSync(dir(), { recursive: true });
    const members = await polled();
    const policy: BackupPolicy = { dir: dir(), maxAgeMs: 3600_000, etcdutl: deps.etcdutl() };
    const plan = (more: Partial<BackupPolicy> = {}, input: Partial<Parameters<typeof planBackup>[2]> = {}) =>
      planBackup('required', { ...policy, ...more }, { cluster: 'rb-test', members, ...input });
    // An empty folder, a copy without the cockpit's record, garbage: a new one is taken from a follower.
    copyFileSync(join(fx.dir, 'snapshots', 'rb-test-before.db'), join(dir(), 'rb-test-copied.db'));
    writeFileSync(join(dir(), 'rb-test-garbage.db'), Buffer.alloc(4096 + 32, 7));
    const take = await plan();
    expect(take).toMatchObject({ kind: 'take', dir: dir() });
    expect(take.kind === 'take' && take.from).not.toBe(leaderOf(members)!.name);
    expect(backupLine(take, policy)).toMatch(/^Backup first: a snapshot of etcd-\d into .*rebootstrap-snapshots, verified before anything changes; if it fails, nothing changes\.$/);
    // One the cockpit saved and verified just now counts, as long as it is younger than the limit and of this cluster.
    const saved = join(dir(), 'rb-test-saved.db');
    const verified = await takeSnapshot(ctx, { member: members.find((m) => m.name === 'etcd-2')!, file: saved, etcdutl: deps.etcdutl(), cluster: 'rb-test' });
    expect(verified.ok).toBe(true);
    const existing = await plan();
    expect(existing).toMatchObject({ kind: 'existing', snapshot: { file: saved } });
    const line = backupLine(existing, policy);
    expect(line.startsWith(`Backup: ${saved} (`), line).toBe(true);
    expect(line).toMatch(/, revision \d+, .*, saved \d+s ago \(younger than --max-age 1h00m\)\.$/);
    // Writes after it are named: the operator decides whether that backup is enough.
    await kv().put('/after-the-backup').value('x');
    const later = await plan({}, { members: await polled() });
    expect(backupLine(later, policy)).toMatch(/\(younger than --max-age 1h00m\); the \d+ revisions? written since are not in it \(--take-snapshot takes a new one\)\.$/);
    expect(await plan({ alwaysTake: true })).toMatchObject({ kind: 'take' });
    expect(await plan({}, { cluster: 'other-cluster' })).toMatchObject({ kind: 'take' });
    expect(await plan({}, { exclude: saved })).toMatchObject({ kind: 'take' });
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(saved, twoHoursAgo, twoHoursAgo);
    expect(await plan()).toMatchObject({ kind: 'take' });
    expect(await plan({ maxAgeMs: 3 * 3600_000 })).toMatchObject({ kind: 'existing' });
    // Nobody answers, or the folder's disk cannot hold a database that size: nothing to take.
    const down = members.map((m) => ({ ...m, health: 'unreachable' as const }));
    expect(await plan({}, { members: down })).toEqual({ kind: 'none', why: 'no member answers, so the current data cannot be saved first' });
    const huge = members.map((m) => ({ ...m, last: m.last && { ...m.last, dbSize: 2 ** 60 } }));
    const full = await plan({}, { members: huge });
    expect(full.kind === 'none' && full.why).toMatch(/^.* has [\d.]+ [kMGT]B free and the snapshot needs about [\d.]+ [A-Z]?B$/);
  });

  it('through the runner: the confirmation names the backup, it is taken before the data is erased, and RBAC comes back with the same passwords', async () => {
    await kv().put('/service/before-rebootstrap').value('x');
    const members = await polled();
    const request = buildRebootstrapRequest({ cluster: 'rb-test', members, snapshotDir: dir() }, deps);
    expect(request.typed).toBe('rb-test');
    const asked: string[] = [];
    const audit = join(fx.dir, 'audit-rebootstrap.log');
    lines.length = 0;
    const outcome = await runOperation(request, ctx, {
      audit: new AuditLog(audit),
      who: { cluster: 'rb-test' },
      readOnly: false,
      confirm: async (r) => {
        asked.push(...r.summary);
        return true;
      },
      backup: { dir: dir(), maxAgeMs: 3600_000, etcdutl: deps.etcdutl(), alwaysTake: true },
    });
    expect(outcome.result, JSON.stringify(outcome)).toBe('done');
    expect(asked[1]).toMatch(/^Backup first: a snapshot of etcd-\d into .*rebootstrap-snapshots/);
    const backup = (outcome.result === 'done' && (outcome.value as RebootstrapResult).backup) || '';
    expect(backup.startsWith(dir())).toBe(true);
    expect((await verifySnapshot(backup, deps.etcdutl())).ok).toBe(true);
    // taken before anything was stopped
    const taken = lines.findIndex((l) => l.startsWith('backup: '));
    expect(taken).toBeGreaterThan(-1);
    expect(taken).toBeLessThan(lines.findIndex((l) => /stopp/.test(l)));
    const records = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { params: Record<string, unknown>; result: string });
    expect(records.at(-1)).toMatchObject({ result: 'ok', params: { backup: `new in ${dir()}` } });
    expect(lines.join('\n')).toMatch(/rbac\.users: created user root, user patroni/);
    for (const user of ['root', 'patroni']) expect(lines.join('\n')).not.toContain(password(user));
    expect(await allHealthy()).toBe(true);
    expect(await kv().get('/service/before-rebootstrap').string()).toBeNull();
    expect((await kv().auth.authStatus()).enabled).toBe(true);
    const node = nodes()[2]!;
    const patroni = patroniClient(node);
    await patroni.put('/service/after-rebootstrap').value('ok');
    expect(await patroni.get('/service/after-rebootstrap').string()).toBe('ok');
    await expect(patroni.put('/other/x').value('no')).rejects.toThrow(/permission denied/);
  });
});

describe('member replace', () => {
  it('removes, wipes, re-adds as learner, promotes: 3 started voting members, the replaced one healthy', async () => {
    await kv().put('/replace/marker').value('kept');
    const members = await polled();
    const target = members.find((m) => m.name !== leaderOf(members)!.name)!.name;
    const request = buildReplaceMemberRequest({ cluster: 'rb-test', members, member: target }, deps);
    expect(request.typed).toBe(target);
    lines.length = 0;
    const result = (await request.work(ctx)) as ReplaceResult;
    expect(result.voters).toBe(3);
    expect(result.newId).not.toBe(result.oldId);
    const list = await kv().cluster.memberList({ linearizable: true });
    expect(list.members.map((m) => [m.name, m.isLearner, m.clientURLs.length > 0]).sort()).toEqual([
      ['etcd-1', false, true],
      ['etcd-2', false, true],
      ['etcd-3', false, true],
    ]);
    const probe = await probeMember(poller.clientFor(endpointOf(target)));
    expect(probe.ok && probe.sample.quorumRead === 'ok' && !probe.sample.isLearner).toBe(true);
    const own = createMemberClient(endpointOf(target), { tls: clientTls(run, 'root'), credentials: {}, deadlineMs: 3000, serverName: target });
    extraClients.push(own);
    expect(await own.get('/replace/marker').serializable(true).string()).toBe('kept');
    expect(lines.join('\n')).toMatch(new RegExp(`${target}: added back as learner`));
    expect(readFileSync(join(nodeRoot(target), 'etc/etcd/etcd.conf.yml'), 'utf8')).toMatch(/initial-cluster-state: existing\n/);
    expect(readFileSync(join(nodeRoot(target), 'etc/etcd/etcd.conf.yml'), 'utf8')).toContain(`quota-backend-bytes: ${3 * 1024 ** 3}\n`);
  });
});
