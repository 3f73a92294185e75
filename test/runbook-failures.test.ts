/**
 * Failures on real local nodes: a busy port stops preflight; a member that
 * will not start fails the bootstrap naming it, with its log tail and the
 * runbook's advice; the clean-up operation stops and wipes every member.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runRunbookCommand } from '../src/cli/commands/runbook.js';
import { cleanupBootstrap } from '../src/core/runbook/cleanup.js';
import { closeRunContext, createRunContext } from '../src/adapters/runbook/run-context.js';
import { runRunbook } from '../src/core/runbook/engine.js';
import { reportText } from '../src/core/runbook/report.js';
import type { RunContext } from '../src/core/runbook/types.js';
import { collect, localFixture, teardownLocal, type LocalFixture } from './helpers/runbook-fixture.js';

let fx: LocalFixture | undefined;
let ctx: RunContext | undefined;
const servers: net.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  if (ctx) await closeRunContext(ctx);
  if (fx) await teardownLocal(fx.dir, fx.workdir);
  ctx = undefined;
  fx = undefined;
});

function occupy(host: string, port: number): Promise<void> {
  const server = net.createServer();
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve());
  });
}

function states(report: { records: Array<{ stepId: string; target: string; state: string }> }) {
  return Object.fromEntries(report.records.map((r) => [`${r.stepId}@${r.target}`, r.state]));
}

describe('runbook failures', () => {
  it('a busy port fails preflight naming the node and the port; nothing later runs', async () => {
    fx = await localFixture({ prefix: 'cockpit-rb-port-' });
    await occupy(fx.addresses[1]!, 2379);
    ctx = createRunContext({ inventory: fx.inventory, killOnExit: true });
    const c = collect();
    const report = await runRunbook(ctx, { phases: [0, 1], listener: c.listener });
    expect(report.outcome).toBe('failed');
    expect(report.failed).toMatchObject({ stepId: 'preflight.ports', target: 'etcd-2', failure: 'port-busy' });
    expect(report.failed!.error).toBe(`etcd-2: port 2379 on ${fx.addresses[1]} is already in use`);
    expect(report.failed!.advice).toMatch(/2379/);
    const s = states(report);
    expect(s).toMatchObject({
      'preflight.reach@etcd-1': 'done',
      'preflight.reach@etcd-2': 'done',
      'preflight.reach@etcd-3': 'done',
      'preflight.ports@etcd-1': 'done',
      'preflight.ports@etcd-2': 'failed',
      'preflight.ports@etcd-3': 'done',
      'preflight.rtt@cluster': 'pending',
      'preflight.record@cluster': 'pending',
      'install.binaries@etcd-1': 'pending',
    });
    expect(c.events.filter((e) => e.type === 'phase-finished')).toEqual([
      { type: 'phase-finished', phase: 0, outcome: 'failed' },
      { type: 'phase-finished', phase: 1, outcome: 'not-run' },
    ]);
    expect(existsSync(join(fx.workdir, 'state.json'))).toBe(false);
    const text = reportText(report);
    expect(text).toContain('preflight.ports: done on etcd-1, etcd-3; FAILED on etcd-2');
    expect(text).toContain('preflight.rtt: not done on cluster');
    expect(text).toContain('phase 1 Install etcd: not run');

    // the CLI says the same with exit code 1
    let err = '';
    const stderr = new Writable({ write: (chunk, _e, cb) => ((err += String(chunk)), cb()) });
    const stdout = new Writable({ write: (_c, _e, cb) => cb() });
    const code = await runRunbookCommand(['run', '-f', fx.inventoryPath, '--phase', '0'], { stdout, stderr });
    expect(code).toBe(1);
    expect(err).toContain(`FAILED   preflight.ports etcd-2: etcd-2: port 2379 on ${fx.addresses[1]} is already in use`);
  });

  it('a member that will not start fails the bootstrap naming it, with its log tail and advice; clean-up stops and wipes all', async () => {
    fx = await localFixture({ prefix: 'cockpit-rb-boot-', runbook: { bootstrapTimeoutMs: 20_000 } });
    ctx = createRunContext({ inventory: fx.inventory, killOnExit: true });
    const prepared = await runRunbook(ctx, { phases: [0, 1, 2, 3, 4, 5] });
    expect(prepared.outcome).toBe('done');
    const root3 = join(fx.workdir, 'nodes', 'etcd-3');
    writeFileSync(join(root3, 'etc/etcd/etcd.conf.yml'), 'name: etcd-3\nheartbeat-interval: [not a number\n');

    const started = Date.now();
    const report = await runRunbook(ctx, { phases: [6, 7, 8] });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(report.outcome).toBe('failed');
    const failed = report.failed!;
    expect(failed).toMatchObject({ stepId: 'bootstrap.start', target: 'cluster', failure: 'member-exited' });
    expect(failed.error).toMatch(/^bootstrap failed: etcd-3 stopped running/);
    expect(failed.error).toMatch(/etcd-3: .*service failed/);
    expect(failed.error).toMatch(/\| .*(yaml|config|error)/i); // the log tail says why
    expect(failed.error).not.toMatch(/etcd-1: /);
    expect(failed.advice).toMatch(/Bootstrap Timeout/);
    expect(failed.advice).toMatch(/rm -rf \/var\/lib\/etcd\/\*/);
    expect(failed.advice).toMatch(/initial-cluster-token/);
    expect(states(report)).toEqual({
      'bootstrap.start@cluster': 'failed',
      'rbac.passwords@cluster': 'pending',
      'rbac.users@cluster': 'pending',
      'rbac.enable-auth@cluster': 'pending',
      'rbac.prove@cluster': 'pending',
      'verify.checkpoint@cluster': 'pending',
    });
    const statuses = await Promise.all(ctx.nodes.map((n) => n.service.status()));
    expect(statuses.map((s) => s.state)).toEqual(['active', 'active', 'failed']);

    const results = await cleanupBootstrap(ctx, { graceMs: 0 });
    expect(results).toEqual(['etcd-1', 'etcd-2', 'etcd-3'].map((node) => ({ node, stopped: true, wiped: true })));
    for (const node of ctx.nodes) {
      expect((await node.service.status()).state).toBe('inactive');
      expect(readdirSync(join(node.root, 'var/lib/etcd'))).toEqual([]);
    }
  });
});
