/**
 * Dry runs: the exact commands and file contents per node, no secret in them,
 * nothing touched. And the CLI's answers to bad input (exit 2, one line).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { runRunbookCommand } from '../src/cli/commands/runbook.js';
import { parseInventory } from '../src/core/inventory/parse.js';
import { generatePki } from '../src/core/pki/generate.js';
import { writePki } from '../src/core/pki/write.js';
import { closeRunContext, createRunContext } from '../src/adapters/runbook/run-context.js';
import { runRunbook } from '../src/core/runbook/engine.js';
import type { RunbookEvent } from '../src/core/runbook/events.js';
import { clientCertNames, localPki } from '../src/core/runbook/local-pki.js';
import { ensureGeneratedPassword } from '../src/core/runbook/passwords.js';
import { RUNBOOK_STEPS } from '../src/core/runbook/phases/index.js';
import type { RunContext } from '../src/core/runbook/types.js';
import { collect, localFixture, teardownLocal, type LocalFixture } from './helpers/runbook-fixture.js';

let fx: LocalFixture | undefined;
let ctx: RunContext | undefined;

afterEach(async () => {
  if (ctx) await closeRunContext(ctx);
  if (fx) await teardownLocal(fx.dir, fx.workdir);
  ctx = undefined;
  fx = undefined;
});

type PlanEvent = Extract<RunbookEvent, { type: 'plan' }>;
const plans = (events: RunbookEvent[]) => events.filter((e): e is PlanEvent => e.type === 'plan');
const planOf = (events: RunbookEvent[], stepId: string, target: string) => plans(events).find((e) => e.stepId === stepId && e.target === target)!.text;

function capture() {
  let text = '';
  return { stream: new Writable({ write: (chunk, _e, cb) => ((text += String(chunk)), cb()) }), text: () => text };
}

async function cli(argv: string[]) {
  const out = capture();
  const err = capture();
  const code = await runRunbookCommand(argv, { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** Every private key and password that exists in the workdir. */
function secretsIn(workdir: string, nodes: string[]): string[] {
  const pki = localPki(workdir);
  const keys = [pki.caKey, ...nodes.flatMap((n) => [pki.server(n).key, pki.peer(n).key]), ...['operator', 'root', 'patroni'].map((c) => pki.client(c).key)];
  const bodies = keys.flatMap((k) => readFileSync(k, 'utf8').split('\n').filter((l) => l.length > 40));
  const passwords = ['root', 'patroni'].map((u) => readFileSync(join(workdir, 'secrets', `${u}.password`), 'utf8').trim());
  return [...bodies, ...passwords];
}

describe('dry run on local nodes', () => {
  it('plans every step per node with exact commands and files, masks every secret, touches nothing', async () => {
    fx = await localFixture({ prefix: 'cockpit-rb-plan-' });
    ctx = createRunContext({ inventory: fx.inventory });
    // a PKI and passwords already exist (as after phase 3 and 7.1): their secrets must not leak into the plan
    writePki(localPki(fx.workdir).dir, await generatePki({ nodes: fx.inventory.nodes.map((n) => ({ name: n.name, ip: n.address })), clients: clientCertNames(ctx.settings), caBits: 2048 }));
    for (const user of ['root', 'patroni'] as const) ensureGeneratedPassword(ctx, user);
    const before = readdirSync(fx.workdir).sort();

    const c = collect();
    const report = await runRunbook(ctx, { dryRun: true, listener: c.listener });
    expect(report.outcome).toBe('dry-run');
    expect(readdirSync(fx.workdir).sort()).toEqual(before); // no nodes/, no state.json
    expect(existsSync(join(fx.workdir, 'nodes'))).toBe(false);

    // every step on every target was planned or said why it does not apply
    const planned = new Set(plans(c.events).map((e) => `${e.stepId}@${e.target}`));
    for (const r of report.records) {
      if (r.skip === 'not-applicable') expect(r.detail).toMatch(/local node/);
      else expect(planned.has(`${r.stepId}@${r.target}`), `${r.stepId}@${r.target}`).toBe(true);
    }
    expect(RUNBOOK_STEPS.length).toBe(24);
    expect(planOf(c.events, 'pki.token-deploy', 'etcd-1')).toMatch(/jwt\.key \(mode 0600\): <private key, generated in phase 3, mode 0600>/);

    const root1 = join(fx.workdir, 'nodes', 'etcd-1');
    expect(planOf(c.events, 'host.dirs', 'etcd-1')).toBe(
      '$ mkdir -p "$NODE_ROOT"/var/lib/etcd "$NODE_ROOT"/etc/etcd/pki && chmod 700 "$NODE_ROOT"/var/lib/etcd && chmod 750 "$NODE_ROOT"/etc/etcd "$NODE_ROOT"/etc/etcd/pki',
    );
    expect(planOf(c.events, 'install.binaries', 'etcd-2')).toMatch(/^\$ mkdir -p "\$NODE_ROOT"\/usr\/local\/bin && install -m 0755 \S+\/etcd "\$NODE_ROOT"\/usr\/local\/bin\/etcd && /);
    const deploy = planOf(c.events, 'pki.deploy', 'etcd-1');
    expect(deploy).toContain(`file ${root1}/etc/etcd/pki/server.key (mode 0600): <private key, `);
    expect(deploy).toMatch(/server\.key \(mode 0600\): <private key, \d+ bytes, mode 0600>/);
    expect(deploy).toContain(`file ${root1}/etc/etcd/pki/ca.crt (mode 0644):\n    | -----BEGIN CERTIFICATE-----`);
    expect(deploy).not.toContain('ca.key');
    const config = planOf(c.events, 'config.write', 'etcd-1');
    expect(config).toContain("local: tuning: the runbook's defaults until phase 0 has measured the RTT");
    expect(config).toContain(`    | data-dir: ${root1}/var/lib/etcd\n`);
    expect(config).toContain('    | heartbeat-interval: 250\n    | election-timeout: 2500\n');
    expect(config).toContain(`    | listen-client-urls: https://${fx.addresses[0]}:2379\n`);
    expect(planOf(c.events, 'rbac.users', 'cluster')).toContain('etcd: UserAdd name=patroni password=<secret: patroni password>');
    expect(planOf(c.events, 'bootstrap.start', 'cluster')).toContain(`[etcd-1] local: start ${root1}/usr/local/bin/etcd with ETCD_CONFIG_FILE=${root1}/etc/etcd/etcd.conf.yml`);

    const everything = JSON.stringify(c.events);
    for (const secret of secretsIn(fx.workdir, ['etcd-1', 'etcd-2', 'etcd-3'])) expect(everything).not.toContain(secret);

    // the CLI's plan prints the same, per node, on stdout
    const r = await cli(['plan', '-f', fx.inventoryPath]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`-- pki.deploy on etcd-2 (local, NODE_ROOT=${join(fx.workdir, 'nodes', 'etcd-2')})`);
    expect(r.stdout).toContain('== Phase 6: Bootstrap the cluster');
    expect(r.stderr).toContain('Dry run of phases 0, 1, 2, 3, 4, 5, 6, 7, 8: nothing was changed.');
    for (const secret of secretsIn(fx.workdir, ['etcd-1', 'etcd-2', 'etcd-3'])) expect(r.stdout + r.stderr).not.toContain(secret);
    expect(existsSync(join(fx.workdir, 'nodes'))).toBe(false);
  });
});

describe('dry run for real hosts over SSH', () => {
  it('shows sudo, useradd, upload, systemd unit and systemctl commands without connecting', async () => {
    fx = await localFixture({ prefix: 'cockpit-rb-plan-ssh-' });
    const path = join(fx.dir, 'hosts.yaml');
    writeFileSync(
      path,
      stringify({
        cluster: 'prod',
        nodes: [1, 2, 3].map((i) => ({ name: `etcd-${i}`, address: `10.0.0.1${i}`, ssh: { host: `10.0.0.1${i}`, user: 'admin', sudo: true } })),
        runbook: { workdir: './work' },
      }),
    );
    ctx = createRunContext({ inventory: parseInventory(readFileSync(path, 'utf8'), path) });
    const c = collect();
    const report = await runRunbook(ctx, { dryRun: true, listener: c.listener });
    expect(report.outcome).toBe('dry-run');
    expect(planOf(c.events, 'preflight.reach', 'etcd-1')).toBe('$ true\n$ sudo -n true');
    expect(planOf(c.events, 'host.user', 'etcd-1')).toBe('sudo$ useradd -r -s /sbin/nologin etcd');
    expect(planOf(c.events, 'host.dirs', 'etcd-3')).toBe(
      'sudo$ mkdir -p /var/lib/etcd /etc/etcd/pki && chown etcd:etcd /var/lib/etcd /etc/etcd /etc/etcd/pki && chmod 700 /var/lib/etcd && chmod 750 /etc/etcd /etc/etcd/pki',
    );
    expect(planOf(c.events, 'install.binaries', 'etcd-1')).toMatch(/^\$ uname -sm\nsudo\$ mkdir -p \/usr\/local\/bin\nfile \/usr\/local\/bin\/etcd \(mode 0755\): <etcd 3\.5\.\d+ binary from /);
    expect(planOf(c.events, 'pki.deploy', 'etcd-1')).toContain('file /etc/etcd/pki/peer.key (mode 0600, owner etcd:etcd): <private key, generated in phase 3, mode 0600>');
    expect(planOf(c.events, 'config.write', 'etcd-2')).toContain('    | listen-client-urls: https://10.0.0.12:2379,https://127.0.0.1:2379\n');
    expect(planOf(c.events, 'service.unit', 'etcd-1')).toContain('    | TimeoutStartSec=0\n');
    expect(planOf(c.events, 'service.enable', 'etcd-1')).toBe('sudo$ systemctl daemon-reload\nsudo$ systemctl enable etcd');
    expect(planOf(c.events, 'bootstrap.start', 'cluster')).toContain('[etcd-3] sudo$ systemctl start --no-block etcd');
    expect(planOf(c.events, 'preflight.rtt', 'cluster')).toContain("[etcd-2] $ LC_ALL=C bash -c 'for i in $(seq 5); do");
    expect(planOf(c.events, 'preflight.disk', 'etcd-1')).toContain('dd if=/dev/zero of="$f" bs=512 count=200 oflag=dsync');
    expect(existsSync(join(fx.dir, 'work'))).toBe(false);
  });
});

describe('runbook CLI input errors', () => {
  it.each([
    [[], /expected "plan" or "run"/],
    [['deploy', '-f', 'x.yaml'], /expected "plan" or "run", not "deploy"/],
    [['run'], /-f cluster\.yaml is required/],
    [['run', '-f', 'x.yaml', '--phase', '9'], /--phase "9" must be a phase 0-8/],
    [['run', '-f', 'x.yaml', '--phase', '5-3'], /--phase "5-3"/],
    [['run', '-f', 'x.yaml', '--bogus'], /runbook: Unknown option '--bogus'/],
    [['run', '-f', '/nonexistent/cluster.yaml'], /cannot read inventory \/nonexistent\/cluster\.yaml: no such file/],
  ])('%j -> exit 2, one line', async (argv, message) => {
    const r = await cli(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it.each([
    ['caBitz: 2048', /cluster\.yaml:6:3: runbook\.caBitz: unknown setting/],
    ['caBits: 1024', /cluster\.yaml:6:3: runbook\.caBits: must be between 2048 and 8192/],
    ['passwords:\n    patroni: hunter2', /cluster\.yaml:7:5: runbook\.passwords\.patroni: a literal password is not accepted/],
    ['etcdVersion: 3.4.23', /runbook\.etcdVersion: "3\.4\.23" is not a 3\.5\.x version/],
    ['tuning:\n    heartbeatIntervalMs: 100\n    electionTimeoutMs: 200', /runbook\.tuning\.electionTimeoutMs: 200 ms is less than 5 x the heartbeat/],
  ])('runbook setting %j -> exit 2 with file:line:col', async (setting, message) => {
    fx = await localFixture({ prefix: 'cockpit-rb-cli-' });
    const text = `cluster: c\nnodes:\n  - name: etcd-1\n    address: 127.0.0.1\nrunbook:\n  ${setting}\n`;
    writeFileSync(fx.inventoryPath, text);
    const r = await cli(['plan', '-f', fx.inventoryPath]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('hunter2');
  });
});
