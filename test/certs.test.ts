/**
 * `certs status` and `certs renew` against a real 3-node TLS+RBAC etcd 3.5
 * cluster that the runbook bootstraps on loopback addresses (LocalTransport +
 * ProcessSupervisor). Every etcd is killed by its pid file in afterAll.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectCertReport } from '../src/cli/commands/certs/status.js';
import { runOperationVerb, type VerbOptions } from '../src/cli/commands/operation-verb.js';
import { openSession, type Session } from '../src/cli/session.js';
import { UsageError } from '../src/cli/usage-error.js';
import { issueNodeCerts } from '../src/core/pki/generate.js';
import { closeRunContext, createRunContext } from '../src/adapters/runbook/run-context.js';
import { runRunbook } from '../src/core/runbook/engine.js';
import { clientTls } from '../src/core/runbook/etcd-access.js';
import type { RunContext } from '../src/core/runbook/types.js';
import { issueRenewBatch } from '../src/core/operations/certs/renew-batch.js';
import { deployNewLeaves } from '../src/core/operations/certs/deploy-leaves.js';
import { createElement } from 'react';
import { AuditLog } from '../src/adapters/audit-log.js';
import { operationContext } from '../src/cli/operation-context.js';
import { OperationRunner } from '../src/state/operation-runner.js';
import { emptyRunbookView } from '../src/state/runbook-view.js';
import { Root } from '../src/ui/Root.js';
import { loadTheme } from '../src/ui/theme.js';
import { KEYS, frameOnceItShows, renderAt, tick } from './helpers/render.js';
import { runCli } from './helpers/cli.js';
import { startClientLoop } from './helpers/client-loop.js';
import { localFixture, teardownLocal, type LocalFixture } from './helpers/runbook-fixture.js';

let fx: LocalFixture;
let run: RunContext;
const started = performance.now();
const nodes = () => fx.inventory.nodes;
const pkiDir = () => join(fx.workdir, 'pki');
const nodePki = (name: string, file: string) => join(fx.workdir, 'nodes', name, 'etc/etcd/pki', file);
const serial = (file: string) => new X509Certificate(readFileSync(file)).serialNumber;

beforeAll(async () => {
  fx = await localFixture({ prefix: 'cockpit-certs-' });
  run = createRunContext({ inventory: fx.inventory, killOnExit: true });
  const report = await runRunbook(run, { phases: [0, 1, 2, 3, 4, 5, 6, 7] });
  if (report.outcome !== 'done') throw new Error(`bootstrap failed: ${report.failed?.stepId}: ${report.failed?.error}`);
  console.log(`certs: cluster bootstrapped in ${((performance.now() - started) / 1000).toFixed(1)} s`);
});

afterAll(async () => {
  if (run) await closeRunContext(run);
  if (fx) await teardownLocal(fx.dir, fx.workdir);
  console.log(`certs: ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
});

function cliSession(): Promise<Session> {
  return openSession(
    {
      clusterName: fx.inventory.cluster,
      members: nodes().map((n) => ({ endpoint: n.clientUrl, name: n.name, serverName: n.name })),
      tls: { cacert: join(pkiDir(), 'ca.crt'), cert: join(pkiDir(), 'clients', 'root.crt'), key: join(pkiDir(), 'clients', 'root.key') },
      inventory: fx.inventory,
    },
    { intervalMs: 500, commandTimeoutMs: 2000, readOnly: false },
  );
}

const changeOpts = (more: Partial<VerbOptions> = {}): VerbOptions => ({
  command: 'certs',
  args: ['renew'],
  force: false,
  yes: true,
  dryRun: false,
  readOnly: false,
  pauseMs: 0,
  auditLog: join(fx.dir, 'audit.log'),
  waitMs: 30_000,
  ...more,
});


async function plant(name: string, file: 'server' | 'peer', spec: { ip: string; days?: number }): Promise<void> {
  const node = run.nodes.find((n) => n.spec.name === name)!;
  const ca = { certPem: readFileSync(join(pkiDir(), 'ca.crt'), 'utf8'), keyPem: readFileSync(join(pkiDir(), 'ca.key'), 'utf8') };
  const issued = issueNodeCerts(ca, { name, ip: spec.ip }, spec.days ? { days: spec.days } : {})[file];
  await node.transport.writeFile(`/etc/etcd/pki/${file}.key`, issued.keyPem, { mode: 0o600 });
  await node.transport.writeFile(`/etc/etcd/pki/${file}.crt`, issued.certPem, { mode: 0o644 });
}

describe('certs status', () => {
  it('reads every certificate on every node and in the local PKI: all good, exit 0', async () => {
    const report = await collectCertReport(fx.inventory);
    expect(report.problems).toEqual([]);
    expect(report.exitCode).toBe(0);
    const where = report.rows.map((r) => `${r.place} ${r.file.split('/').pop()}`);
    for (const n of nodes()) expect(where).toEqual(expect.arrayContaining([`${n.name} ca.crt`, `${n.name} server.crt`, `${n.name} peer.crt`]));
    expect(where).toEqual(expect.arrayContaining(['local ca.crt', 'local root.crt', 'local patroni.crt']));
    const server2 = report.rows.find((r) => r.place === 'etcd-2' && r.kind === 'server')!;
    expect(server2.sans).toContain(nodes()[1]!.address);
    expect(server2.serial).toBe(serial(nodePki('etcd-2', 'server.crt')).toLowerCase());
  });

  it('finds a planted SAN without the node address and a peer certificate that ends in 5 days; the CLI exits 1 and never prints a key', async () => {
    await plant('etcd-2', 'server', { ip: '10.9.9.9' });
    await plant('etcd-3', 'peer', { ip: nodes()[2]!.address, days: 5 });
    const report = await collectCertReport(fx.inventory);
    expect(report.problems).toEqual([`etcd-2 server.crt: SAN lacks ${nodes()[1]!.address}`, 'etcd-3 peer.crt: expires in 4 days']);
    expect(report.exitCode).toBe(1);

    const cli = await runCli(['certs', 'status', '-f', fx.inventoryPath], {}, 60_000);
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stdout).toContain(`etcd-2 server.crt: SAN lacks ${nodes()[1]!.address}`);
    expect(cli.stdout).toMatch(/^etcd-3 +peer\.crt +CN=etcd-3 +4 +[0-9a-f]{12} +WARN$/m);
    expect(cli.stdout + cli.stderr).not.toMatch(/PRIVATE KEY/);
    const json = await runCli(['certs', 'status', '-f', fx.inventoryPath, '-o', 'json'], {}, 60_000);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { problems: string[] }).problems).toHaveLength(2);
  });
});

describe('certs renew', () => {
  it('a dry run lists every step and changes nothing; without the CA key it is refused before anything is written', async () => {
    const session = await cliSession();
    const out: string[] = [];
    try {
      expect(await runOperationVerb(session, changeOpts({ dryRun: true }), fx.inventory, (l) => void out.push(l))).toBe(0);
      const caKey = join(pkiDir(), 'ca.key');
      renameSync(caKey, `${caKey}.away`);
      try {
        await expect(runOperationVerb(session, changeOpts(), fx.inventory, () => {})).rejects.toThrow(UsageError);
        await expect(runOperationVerb(session, changeOpts(), fx.inventory, () => {})).rejects.toThrow(/the CA key .*ca\.key is not here/);
      } finally {
        renameSync(`${caKey}.away`, caKey);
      }
    } finally {
      session.poller.stop();
    }
    const text = out.join('\n');
    expect(text).toMatch(/^1\. issue new certificates from the CA in /m);
    for (const n of nodes()) expect(text).toContain(`${n.name}: upload server.key, server.crt, peer.key, peer.crt as *.new`);
    expect(text).toMatch(/Restart every member of rb-test, one at a time/);
    expect(text).toContain('nothing was changed');
    expect(existsSync(join(fx.workdir, 'pki-renew'))).toBe(false);
    expect(text).not.toMatch(/PRIVATE KEY/);
  });

  it('T in the live view plans the same renewal as the CLI, after saying it is reaching the nodes; Esc cancels, audited, nothing changed', async () => {
    const session = await cliSession();
    const audit = join(fx.dir, 'audit-tui.log');
    const before = serial(nodePki('etcd-1', 'server.crt'));
    const operations = new OperationRunner(
      session.store,
      (log) => operationContext(session, log, 0),
      new AuditLog(audit),
      { cluster: fx.inventory.cluster },
      () => ({
        snapshotDir: join(fx.dir, 'snapshots'),
        pauseMs: 0,
        etcdutl: run.snapshotStatus,
        openRun: (inventory) => {
          const opened = createRunContext({ inventory });
          return { run: opened, close: () => closeRunContext(opened) };
        },
      }),
    );
    try {
      await session.poller.pollOnce();
      session.store.getState().setRunbook(emptyRunbookView([]));
      const ui = renderAt(createElement(Root, { store: session.store, theme: loadTheme('dark'), onQuit: () => {}, operations, inventory: fx.inventory }), { columns: 120, rows: 40 });
      await ui.press('T');
      expect(ui.lastFrame()).toContain('certs-renew: preparing, reaching the nodes before asking');
      const frame = await frameOnceItShows(ui, 'Renew the certificates of');
      await ui.press(KEYS.escape);
      for (let i = 0; i < 100 && !existsSync(audit); i++) await tick(50);
      ui.unmount();
      expect(frame).toContain(`Renew the certificates of ${fx.inventory.cluster}`);
      const records = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(records).toEqual([expect.objectContaining({ action: 'certs-renew', target: 'cluster', result: 'cancelled' })]);
      expect(serial(nodePki('etcd-1', 'server.crt'))).toBe(before);
    } finally {
      session.poller.stop();
    }
  });

  it('replaces every leaf (new serials, same CA) with a rolling restart; a client looping on reads and writes never fails', async () => {
    const before = Object.fromEntries(nodes().flatMap((n) => ['server.crt', 'peer.crt'].map((f) => [`${n.name}/${f}`, serial(nodePki(n.name, f))])));
    const rootBefore = serial(join(pkiDir(), 'clients', 'root.crt'));
    const ca = readFileSync(join(pkiDir(), 'ca.crt'), 'utf8');
    const loop = startClientLoop(nodes(), clientTls(run, 'root'), '/certs-test/loop');
    const session = await cliSession();
    const out: string[] = [];
    const t0 = performance.now();
    let code: number;
    try {
      code = await runOperationVerb(session, changeOpts(), fx.inventory, (l) => void out.push(l));
    } finally {
      session.poller.stop();
    }
    const { rounds, failures } = await loop.stop();
    console.log(`certs renew: ${((performance.now() - t0) / 1000).toFixed(1)} s, client rounds ${rounds}, failures ${failures.length}`);
    expect(code, out.join('\n')).toBe(0);
    expect(failures).toEqual([]);
    expect(rounds).toBeGreaterThan(20);
    for (const n of nodes()) {
      for (const f of ['server.crt', 'peer.crt']) {
        const file = nodePki(n.name, f);
        expect(serial(file)).not.toBe(before[`${n.name}/${f}`]);
        expect(new X509Certificate(readFileSync(file)).verify(new X509Certificate(ca).publicKey)).toBe(true);
        expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(pkiDir(), n.name, f), 'utf8'));
      }
      expect(statSync(nodePki(n.name, 'server.key')).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(join(pkiDir(), 'ca.crt'), 'utf8')).toBe(ca);
    expect(serial(join(pkiDir(), 'clients', 'root.crt'))).not.toBe(rootBefore);
    // Patroni's certificate keeps its shape: no CN (etcd's JSON gateway refuses one).
    expect(new X509Certificate(readFileSync(join(pkiDir(), 'clients', 'patroni.crt'))).subject).toBe('OU=patroni');
    expect(statSync(join(pkiDir(), 'clients', 'patroni.key')).mode & 0o777).toBe(0o600);
    expect(out.filter((l) => /: stopping etcd/.test(l))).toHaveLength(3);
    expect(existsSync(join(fx.workdir, 'pki-renew'))).toBe(false);
    const report = await collectCertReport(fx.inventory);
    expect(report.problems).toEqual([]);
    const audit = readFileSync(join(fx.dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit.at(-1)).toMatchObject({ action: 'certs-renew', result: 'ok', cluster: 'rb-test' });
    expect(JSON.stringify(audit)).not.toMatch(/PRIVATE KEY/);
  });

  it('a run interrupted after issuing and deploying to one node is finished by the next: the staged certificates are kept, the others deployed', async () => {
    issueRenewBatch(run);
    const first = run.nodes[0]!;
    await deployNewLeaves(first, run.workdir);
    const staged = serial(join(fx.workdir, 'pki-renew', first.spec.name, 'server.crt'));
    const session = await cliSession();
    const out: string[] = [];
    try {
      expect(await runOperationVerb(session, changeOpts(), fx.inventory, (l) => void out.push(l)), out.join('\n')).toBe(0);
    } finally {
      session.poller.stop();
    }
    const text = out.join('\n');
    expect(text).toContain(`already hold them`);
    expect(text).not.toMatch(/issued \d+ certificates/);
    expect(text).not.toContain(`${first.spec.name}: new server and peer certificates in place`);
    for (const n of nodes().slice(1)) expect(text).toContain(`${n.name}: new server and peer certificates in place`);
    expect(serial(nodePki(first.spec.name, 'server.crt'))).toBe(staged);
    expect(serial(join(pkiDir(), first.spec.name, 'server.crt'))).toBe(staged);
    expect(existsSync(join(fx.workdir, 'pki-renew'))).toBe(false);
    expect((await collectCertReport(fx.inventory)).exitCode).toBe(0);
  });
});
