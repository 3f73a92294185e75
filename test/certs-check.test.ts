/** Pure verdicts of `certs status` on certificates made here (no servers), and the strict parsing of `certs`. */
import { createHash, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../src/cli/args.js';
import { checkCertificates } from '../src/core/certs/cert-check.js';
import type { ObservedCert, ObservedPlace } from '../src/core/certs/observed-certs.js';
import { splitPemCertificates } from '../src/core/certs/pem-bundle.js';
import { planRenew } from '../src/core/certs/renew-plan.js';
import { planRotation } from '../src/core/certs/rotate-plan.js';
import { createCa, issueClientCert, issueNodeCerts, type CertAndKey } from '../src/core/pki/generate.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const ca = createCa({ bits: 2048 });
const otherCa = createCa({ bits: 2048 });

function keyHash(keyPem: string): string {
  return createHash('sha256').update(createPublicKey(keyPem).export({ type: 'spki', format: 'der' })).digest('hex');
}

function leaf(kind: ObservedCert['kind'], pair: CertAndKey, file: string, keyPem = pair.keyPem, mode = '600'): ObservedCert {
  return { kind, file, pem: pair.certPem, key: { file: file.replace(/\.crt$/, '.key'), mode, publicKeySha256: keyHash(keyPem) } };
}

function node(name: string, address: string, opts: { ca?: CertAndKey; caPem?: string; days?: number; ip?: string; keyOf?: CertAndKey; mode?: string } = {}): ObservedPlace {
  const issuer = opts.ca ?? ca;
  const certs = issueNodeCerts(issuer, { name, ip: opts.ip ?? address }, { bits: 1024, ...(opts.days ? { days: opts.days } : {}) });
  return {
    name,
    address,
    ca: { kind: 'ca', file: '/etc/etcd/pki/ca.crt', pem: opts.caPem ?? issuer.certPem },
    leaves: [
      leaf('server', certs.server, '/etc/etcd/pki/server.crt', opts.keyOf?.keyPem, opts.mode),
      leaf('peer', certs.peer, '/etc/etcd/pki/peer.crt'),
    ],
  };
}

describe('certs status verdicts', () => {
  it('a sound cluster: a row per certificate, no problem, exit 0', () => {
    const local: ObservedPlace = { name: 'local', ca: { kind: 'ca', file: '/w/pki/ca.crt', pem: ca.certPem }, leaves: [leaf('client', issueClientCert(ca, 'root', { bits: 1024 }), '/w/pki/clients/root.crt')] };
    const report = checkCertificates([local, node('etcd-1', '10.0.0.11'), node('etcd-2', '10.0.0.12')]);
    expect(report.problems).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.rows.map((r) => `${r.place} ${r.kind}`)).toEqual(['local ca', 'local client', 'etcd-1 ca', 'etcd-1 server', 'etcd-1 peer', 'etcd-2 ca', 'etcd-2 server', 'etcd-2 peer']);
    expect(report.rows[3]!.daysLeft).toBe(1824);
    expect(report.rows[3]!.sans).toEqual(['10.0.0.11', '127.0.0.1', 'etcd-1']);
  });

  it('a SAN without the node address and a certificate near its end are warnings in words (exit 1)', () => {
    const report = checkCertificates([node('etcd-1', '10.0.0.11'), node('etcd-2', '10.0.0.12', { ip: '10.9.9.9' }), node('etcd-3', '10.0.0.13', { days: 5 })]);
    expect(report.problems).toEqual([
      'etcd-2 server.crt: SAN lacks 10.0.0.12',
      'etcd-2 peer.crt: SAN lacks 10.0.0.12',
      'etcd-3 server.crt: expires in 4 days',
      'etcd-3 peer.crt: expires in 4 days',
    ]);
    expect(report.exitCode).toBe(1);
  });

  it('expired, not signed by the node CA, another CA on one node, a key that does not fit, a key readable by others', () => {
    const later = new Date(Date.now() + 3651 * DAY_MS);
    expect(checkCertificates([node('etcd-1', '10.0.0.11')], later).problems).toEqual([
      expect.stringMatching(/^etcd-1 ca\.crt: expired on \d{4}-\d\d-\d\d$/),
      expect.stringMatching(/^etcd-1 server\.crt: expired on/),
      expect.stringMatching(/^etcd-1 peer\.crt: expired on/),
    ]);
    expect(checkCertificates([node('etcd-1', '10.0.0.11')], later).exitCode).toBe(3);

    const stranger = createCa({ bits: 1024 });
    const report = checkCertificates([
      node('etcd-1', '10.0.0.11'),
      node('etcd-2', '10.0.0.12', { ca: otherCa, caPem: ca.certPem }),
      node('etcd-3', '10.0.0.13', { keyOf: stranger, mode: '644' }),
      node('etcd-4', '10.0.0.14', { ca: otherCa }),
      node('etcd-5', '10.0.0.15'),
    ]);
    expect(report.problems).toEqual([
      'etcd-2 server.crt: not signed by the CA in ca.crt',
      'etcd-2 peer.crt: not signed by the CA in ca.crt',
      'etcd-3 server.crt: server.key has mode 644, not 600',
      'etcd-3 server.crt: server.key does not match the certificate',
      "etcd-4 ca.crt: differs from etcd-1's ca.crt",
    ]);
    expect(report.exitCode).toBe(3);
  });

  it('a bundle of two CAs trusts leaves of both and says a rotation is under way; unreachable nodes and unreadable files are errors', () => {
    const bundle = ca.certPem + otherCa.certPem;
    expect(splitPemCertificates(bundle)).toHaveLength(2);
    const report = checkCertificates([
      node('etcd-1', '10.0.0.11', { caPem: bundle }),
      node('etcd-2', '10.0.0.12', { ca: otherCa, caPem: bundle }),
      { name: 'etcd-3', address: '10.0.0.13', error: 'ssh: connect ECONNREFUSED', leaves: [] },
      { name: 'etcd-4', address: '10.0.0.14', ca: { kind: 'ca', file: '/etc/etcd/pki/ca.crt', error: 'ENOENT' }, leaves: [] },
    ]);
    expect(report.problems).toEqual([
      'etcd-1 ca.crt: holds 2 CAs (a CA rotation in progress?)',
      'etcd-2 ca.crt: holds 2 CAs (a CA rotation in progress?)',
      'etcd-3: unreachable: ssh: connect ECONNREFUSED',
      'etcd-4 ca.crt: cannot read: ENOENT',
    ]);
    expect(report.exitCode).toBe(3);
  });
});

describe('certs on the command line', () => {
  it('takes status, renew and rotate-ca; a typo is named with the closest word', () => {
    expect(parseCli(['certs', 'status', '-f', 'c.yaml']).args).toEqual(['status']);
    expect(parseCli(['certs', 'renew', '--dry-run']).dryRun).toBe(true);
    expect(() => parseCli(['certs', 'stauts'])).toThrow('certs takes status, renew, rotate-ca, not "stauts" (did you mean `certs status`?)');
    expect(() => parseCli(['certs'])).toThrow('certs needs status, renew or rotate-ca (with -f cluster.yaml)');
    expect(() => parseCli(['certs', 'status', 'now'])).toThrow('certs status: unexpected argument "now"');
    expect(() => parseCli(['certs', 'status', '--dry-run'])).toThrow('--dry-run only applies to certs renew and certs rotate-ca');
    expect(() => parseCli(['defrag', '--dry-run'])).toThrow(/--dry-run only applies to certs renew and certs rotate-ca \(runbook plan/);
  });
});

describe('certs renew: the steps left, from what is on disk', () => {
  const nodes = (...current: boolean[]) => current.map((c, i) => ({ name: `etcd-${i + 1}`, current: c }));
  const kinds = (steps: ReturnType<typeof planRenew>) => steps.map((s) => (s.kind === 'deploy' ? `deploy ${s.node}` : s.kind));

  it('a fresh renewal does everything; a staged one deploys only where the new leaves are missing; a promoted one only restarts', () => {
    expect(kinds(planRenew({ batch: 'none', nodes: nodes(false, false, false) }))).toEqual([
      'issue', 'deploy etcd-1', 'deploy etcd-2', 'deploy etcd-3', 'promote', 'rolling-restart', 'finish',
    ]);
    expect(kinds(planRenew({ batch: 'staged', nodes: nodes(true, false, true) }))).toEqual(['deploy etcd-2', 'promote', 'rolling-restart', 'finish']);
    expect(kinds(planRenew({ batch: 'staged', nodes: nodes(true, true, true) }))).toEqual(['promote', 'rolling-restart', 'finish']);
    expect(kinds(planRenew({ batch: 'promoted', nodes: nodes(true, true, true) }))).toEqual(['rolling-restart', 'finish']);
    expect(kinds(planRenew({ batch: 'promoted', nodes: nodes(true, true, false) }))).toEqual(['deploy etcd-3', 'rolling-restart', 'finish']);
  });
});

describe('certs rotate-ca: the next phase, from what the nodes hold', () => {
  const places = (trustsOld: boolean, trustsNew: boolean, leavesByNew: boolean, overrides: Partial<Record<string, Partial<{ trustsOld: boolean; trustsNew: boolean; leavesByNew: boolean }>>> = {}) =>
    ['local', 'etcd-1', 'etcd-2'].map((name) => ({ name, local: name === 'local', trustsOld, trustsNew, leavesByNew, ...overrides[name] }));
  const kinds = (plan: ReturnType<typeof planRotation>) => [plan.phase, ...plan.steps.map((s) => ('place' in s ? `${s.kind} ${s.place}` : 'node' in s ? `${s.kind} ${s.node}` : 'phase' in s ? `restart ${s.phase}` : s.kind))];

  it('walks a, b, c and resumes inside each phase', () => {
    expect(kinds(planRotation({ newCa: false, restarted: [], batch: 'none', places: places(true, false, false) }))).toEqual([
      'a', 'new-ca', 'trust-both local', 'trust-both etcd-1', 'trust-both etcd-2', 'restart a',
    ]);
    // Stopped after two bundles were written: only the third, then the restart.
    expect(kinds(planRotation({ newCa: true, restarted: [], batch: 'none', places: places(true, true, false, { 'etcd-2': { trustsNew: false } }) }))).toEqual(['a', 'trust-both etcd-2', 'restart a']);
    expect(kinds(planRotation({ newCa: true, restarted: [], batch: 'none', places: places(true, true, false) }))).toEqual(['a', 'restart a']);
    expect(kinds(planRotation({ newCa: true, restarted: ['a'], batch: 'none', places: places(true, true, false) }))).toEqual([
      'b', 'issue-leaves', 'deploy-leaves etcd-1', 'deploy-leaves etcd-2', 'promote-leaves', 'restart b',
    ]);
    expect(kinds(planRotation({ newCa: true, restarted: ['a'], batch: 'staged', places: places(true, true, false, { 'etcd-1': { leavesByNew: true } }) }))).toEqual([
      'b', 'deploy-leaves etcd-2', 'promote-leaves', 'restart b',
    ]);
    expect(kinds(planRotation({ newCa: true, restarted: ['a'], batch: 'promoted', places: places(true, true, true) }))).toEqual(['b', 'restart b']);
    expect(kinds(planRotation({ newCa: true, restarted: ['a', 'b'], batch: 'none', places: places(true, true, true) }))).toEqual([
      'c', 'trust-new local', 'trust-new etcd-1', 'trust-new etcd-2', 'restart c', 'finish',
    ]);
    expect(kinds(planRotation({ newCa: true, restarted: ['a', 'b'], batch: 'none', places: places(true, true, true, { local: { trustsOld: false } }) }))).toEqual([
      'c', 'trust-new etcd-1', 'trust-new etcd-2', 'restart c', 'finish',
    ]);
    expect(kinds(planRotation({ newCa: true, restarted: ['a', 'b', 'c'], batch: 'none', places: places(false, true, true) }))).toEqual(['done', 'finish']);
  });
});
