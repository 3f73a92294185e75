/**
 * `certs rotate-ca` against a real 3-node TLS+RBAC etcd 3.5 cluster that the
 * runbook bootstraps on loopback addresses: three runs, one phase each, with
 * a client looping on writes and reads throughout. Every etcd is killed by
 * its pid file in afterAll.
 */
import { createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsMaterial } from '../src/core/tls/material.js';
import { collectCertReport } from '../src/cli/commands/certs/status.js';
import { runOperationVerb, type VerbOptions } from '../src/cli/commands/operation-verb.js';
import { openSession } from '../src/cli/session.js';
import { splitPemCertificates } from '../src/core/certs/pem-bundle.js';
import { closeRunContext, createRunContext } from '../src/adapters/runbook/run-context.js';
import { runRunbook } from '../src/core/runbook/engine.js';
import type { RunContext } from '../src/core/runbook/types.js';
import { localFixture, teardownLocal, type LocalFixture } from './helpers/runbook-fixture.js';
import { startClientLoop } from './helpers/client-loop.js';

let fx: LocalFixture;
let run: RunContext;
const started = performance.now();
const nodes = () => fx.inventory.nodes;
const pkiDir = () => join(fx.workdir, 'pki');
const nodePki = (name: string, file: string) => join(fx.workdir, 'nodes', name, 'etc/etcd/pki', file);
const fingerprints = (file: string) => splitPemCertificates(readFileSync(file, 'utf8')).map((pem) => new X509Certificate(pem).fingerprint256);
const rootTls = (): TlsMaterial => ({
  ca: readFileSync(join(pkiDir(), 'ca.crt')),
  cert: readFileSync(join(pkiDir(), 'clients', 'root.crt')),
  key: readFileSync(join(pkiDir(), 'clients', 'root.key')),
});

beforeAll(async () => {
  fx = await localFixture({ prefix: 'cockpit-rotate-' });
  run = createRunContext({ inventory: fx.inventory, killOnExit: true });
  const report = await runRunbook(run, { phases: [0, 1, 2, 3, 4, 5, 6, 7] });
  if (report.outcome !== 'done') throw new Error(`bootstrap failed: ${report.failed?.stepId}: ${report.failed?.error}`);
});

afterAll(async () => {
  if (run) await closeRunContext(run);
  if (fx) await teardownLocal(fx.dir, fx.workdir);
  console.log(`certs rotate-ca: ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
});

const opts = (more: Partial<VerbOptions> = {}): VerbOptions => ({
  command: 'certs',
  args: ['rotate-ca'],
  force: false,
  yes: true,
  dryRun: false,
  readOnly: false,
  pauseMs: 0,
  auditLog: join(fx.dir, 'audit.log'),
  waitMs: 30_000,
  ...more,
});

/** One run of the command with a fresh session: it reads the PKI's CA file and client certificate as they are now. */
async function rotate(more: Partial<VerbOptions> = {}, change: 'rotate-ca' | 'renew' = 'rotate-ca'): Promise<{ code: number; out: string[] }> {
  const session = await openSession(
    {
      clusterName: fx.inventory.cluster,
      members: nodes().map((n) => ({ endpoint: n.clientUrl, name: n.name, serverName: n.name })),
      tls: { cacert: join(pkiDir(), 'ca.crt'), cert: join(pkiDir(), 'clients', 'root.crt'), key: join(pkiDir(), 'clients', 'root.key') },
      inventory: fx.inventory,
    },
    { intervalMs: 500, commandTimeoutMs: 2000, readOnly: false },
  );
  const out: string[] = [];
  try {
    return { code: await runOperationVerb(session, { ...opts(more), args: [change] }, fx.inventory, (l) => void out.push(l)), out };
  } finally {
    session.poller.stop();
  }
}


describe('certs rotate-ca', () => {
  it('a dry run lists phase a and changes nothing', async () => {
    const { code, out } = await rotate({ dryRun: true });
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/phase a of 3: trust the old and a new CA:/);
    for (const n of nodes()) expect(text).toContain(`write ${n.name}:`);
    expect(text).toContain('nothing was changed');
    expect(existsSync(join(fx.workdir, 'pki-rotate'))).toBe(false);
  });

  it('three runs: bundles old+new, leaves of the new CA, bundles new only; a client given the new bundle never fails', async () => {
    const oldCa = fingerprints(join(pkiDir(), 'ca.crt'));
    const loop = startClientLoop(nodes(), rootTls(), '/rotate-test/loop');
    const t0 = performance.now();
    try {
      const a = await rotate();
      expect(a.code, a.out.join('\n')).toBe(0);
      const newCaFile = join(fx.workdir, 'pki-rotate', 'ca.crt');
      const newCa = fingerprints(newCaFile);
      expect(newCa).toHaveLength(1);
      for (const n of nodes()) expect(fingerprints(nodePki(n.name, 'ca.crt'))).toEqual([...oldCa, ...newCa]);
      expect(fingerprints(join(pkiDir(), 'ca.crt'))).toEqual([...oldCa, ...newCa]);
      expect(a.out.filter((l) => /: stopping etcd/.test(l))).toHaveLength(3);
      // What clients need before phase b (a Patroni that trusts only the old CA loses etcd there: test/lab).
      expect(a.out.join('\n')).toMatch(/\nthen copy pki\/ca\.crt \(now the old and the new CA\) over the CA file of every client \(Patroni's cacert\)/);
      loop.setTls(rootTls()); // the bundle, the old client certificate
      // A renew in the middle would issue leaves from the old CA: refused before anything is written.
      await expect(rotate({}, 'renew')).rejects.toThrow(/certs renew: a CA rotation is under way .*: finish it with certs rotate-ca/);

      const planB = await rotate({ dryRun: true });
      expect(planB.out.join('\n')).toMatch(/phase b of 3: .*:\nfirst: every client \(Patroni\) holds pki\/ca\.crt as it is now/);
      const b = await rotate();
      expect(b.code, b.out.join('\n')).toBe(0);
      const issuer = new X509Certificate(readFileSync(newCaFile));
      for (const n of nodes()) {
        for (const f of ['server.crt', 'peer.crt']) expect(new X509Certificate(readFileSync(nodePki(n.name, f))).verify(issuer.publicKey)).toBe(true);
      }
      expect(new X509Certificate(readFileSync(join(pkiDir(), 'clients', 'root.crt'))).verify(issuer.publicKey)).toBe(true);
      expect(new X509Certificate(readFileSync(join(pkiDir(), 'clients', 'patroni.crt'))).subject).toBe('OU=patroni');
      loop.setTls(rootTls()); // the bundle, the new client certificate

      const c = await rotate();
      expect(c.code, c.out.join('\n')).toBe(0);
      for (const n of nodes()) expect(fingerprints(nodePki(n.name, 'ca.crt'))).toEqual(newCa);
      expect(fingerprints(join(pkiDir(), 'ca.crt'))).toEqual(newCa);
      expect(existsSync(join(fx.workdir, 'pki-rotate'))).toBe(false);
      const keyPublic = createPublicKey(readFileSync(join(pkiDir(), 'ca.key'))).export({ type: 'spki', format: 'der' });
      expect(keyPublic.equals(issuer.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
      expect(c.out.join('\n')).toMatch(/CA rotation done/);
    } finally {
      const { rounds, failures } = await loop.stop();
      console.log(`certs rotate-ca: three phases in ${((performance.now() - t0) / 1000).toFixed(1)} s, client rounds ${rounds}, failures ${failures.length}`);
      expect(failures).toEqual([]);
      expect(rounds).toBeGreaterThan(50);
    }
    const report = await collectCertReport(fx.inventory);
    expect(report.problems).toEqual([]);
    // The rotation is over: a fourth run would start another one, from phase a.
    const again = await rotate({ dryRun: true });
    expect(again.out.join('\n')).toMatch(/phase a of 3: trust the old and a new CA:\n1\. generate a new CA/);
  });
});
