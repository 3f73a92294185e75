/**
 * Issue 17: a runbook step whose remote command is lost with its connection
 * (here: the network cut by a proxy between us and a real sshd) is run once
 * more when the step is marked idempotent, and fails, saying it was not
 * retried, when it is not.
 */
import { existsSync, readFileSync, realpathSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInventory } from '../src/core/inventory/parse.js';
import { execAction } from '../src/core/runbook/actions.js';
import { closeRunContext, createRunContext } from '../src/adapters/runbook/run-context.js';
import { runRunbook } from '../src/core/runbook/engine.js';
import { RUNBOOK_STEPS } from '../src/core/runbook/phases/index.js';
import type { NodeStep } from '../src/core/runbook/types.js';
import { startCoalescingProxy, type CoalescingProxy } from './helpers/coalescing-proxy.js';
import { collect } from './helpers/runbook-fixture.js';
import { startSshd, type TestSshd } from './helpers/sshd.js';

let sshd: TestSshd;
let proxy: CoalescingProxy;
let dir: string;
let remoteDir: string;

beforeAll(async () => {
  sshd = await startSshd();
  proxy = await startCoalescingProxy({ host: sshd.host, port: sshd.port }, 0);
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'cockpit-rb-lost-')));
  remoteDir = sshd.userDir('runs');
}, 30_000);

afterAll(async () => {
  await proxy?.close();
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A step whose command logs each run, then takes a second (the cut happens meanwhile). */
function loggingStep(id: string, idempotent: boolean): NodeStep {
  const command = `echo run >> ${remoteDir}/${id}.log; sleep 1`;
  return {
    id,
    title: id,
    phase: 1,
    scope: 'node',
    ...(idempotent ? { idempotent: true } : {}),
    advice: () => 'check the node',
    check: async () => ({ done: false }),
    plan: async () => [execAction(command, false)],
    async apply({ node }) {
      const r = await node.transport.exec(command);
      if (r.code !== 0) throw new Error(`exit ${r.code}`);
      return 'ran';
    },
  };
}

const runs = (id: string) => (existsSync(join(remoteDir, `${id}.log`)) ? readFileSync(join(remoteDir, `${id}.log`), 'utf8').split('\n').filter(Boolean).length : 0);

async function runCuttingOnce(step: NodeStep) {
  const known = join(dir, 'known_hosts');
  writeFileSync(known, `[127.0.0.1]:${proxy.port} ${sshd.hostPublicKeyLine.split(' ').slice(0, 2).join(' ')}\n`);
  const path = join(dir, `${step.id}.yaml`);
  writeFileSync(
    path,
    stringify({
      cluster: 'lost',
      nodes: [{ name: 'etcd-1', address: '127.0.0.1', ssh: { host: '127.0.0.1', port: proxy.port, user: sshd.user, identityFile: sshd.identityFile } }],
      runbook: { workdir: join(dir, `work-${step.id}`), knownHosts: known },
    }),
  );
  const ctx = createRunContext({ inventory: parseInventory(readFileSync(path, 'utf8'), path) });
  const c = collect();
  try {
    const running = runRunbook(ctx, { phases: [1], steps: [step], listener: c.listener });
    while (runs(step.id) === 0) await new Promise((r) => setTimeout(r, 20));
    proxy.cut();
    return { report: await running, events: c.events };
  } finally {
    await closeRunContext(ctx);
  }
}

describe('a remote command lost with its connection', () => {
  it('an idempotent step is run once more, and says why', async () => {
    const { report, events } = await runCuttingOnce(loggingStep('test.idempotent', true));
    expect(report.failed).toBeUndefined();
    expect(report.records[0]).toMatchObject({ stepId: 'test.idempotent', state: 'done' });
    expect(runs('test.idempotent')).toBe(2);
    const warning = events.find((e) => e.type === 'warning') as { message: string } | undefined;
    expect(warning?.message).toMatch(
      /^echo on ssh \S+@127\.0\.0\.1:\d+: the connection to 127\.0\.0\.1 was lost .* it may or may not have run .*; the step is safe to repeat: running it once more$/,
    );
  });

  it('any other step fails without a retry, saying so', async () => {
    const { report } = await runCuttingOnce(loggingStep('test.once', false));
    expect(report.failed).toMatchObject({ stepId: 'test.once', state: 'failed' });
    expect(report.failed!.error).toMatch(/the connection to 127\.0\.0\.1 was lost .* may or may not have run .*; not retried: this step is not safe to repeat blindly/);
    expect(runs('test.once')).toBe(1);
  });

  it('the steps marked idempotent are the ones that only write files atomically, mkdir -p, or read', () => {
    expect(RUNBOOK_STEPS.filter((s) => s.idempotent).map((s) => s.id)).toEqual([
      'preflight.reach', 'preflight.ports', 'preflight.rtt', 'preflight.disk', 'preflight.clock',
      'install.binaries', 'install.verify', 'host.dirs', 'pki.deploy', 'pki.verify', 'config.write',
      'service.unit', 'service.enable',
    ]);
  });
});
