import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type * as GenerateModule from '../src/core/pki/generate.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import {
  CLOCK_SKEW_MS,
  generatePki,
  generatePkiSync,
  issueClientCert,
  issueGatewayClientCert,
  type GeneratedPki,
  type PkiSpec,
} from '../src/core/pki/generate.js';
import { serialFromBytes } from '../src/core/pki/forge-certs.js';
import { daysLeft, inspectCert, verifyIssuedBy } from '../src/core/pki/inspect.js';
import { writePki } from '../src/core/pki/write.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOMAIN = 'db.example.internal';

const SPEC: PkiSpec = {
  org: 'acme',
  caBits: 2048,
  nodes: [
    { name: 'etcd-1', ip: '10.0.0.11', domain: DOMAIN },
    { name: 'etcd-2', ip: '10.0.0.12', domain: DOMAIN },
    // A local test cluster: no domain, and the node IP is the loopback address.
    { name: 'etcd-3', ip: '127.0.0.1' },
  ],
  clients: ['operator', 'patroni'],
};

const EXPECTED_SANS: Record<string, string[]> = {
  'etcd-1': ['DNS:etcd-1', `DNS:etcd-1.${DOMAIN}`, 'IP Address:10.0.0.11', 'IP Address:127.0.0.1'],
  'etcd-2': ['DNS:etcd-2', `DNS:etcd-2.${DOMAIN}`, 'IP Address:10.0.0.12', 'IP Address:127.0.0.1'],
  'etcd-3': ['DNS:etcd-3', 'IP Address:127.0.0.1'],
};

interface Leaf {
  label: string;
  cn: string;
  kind: 'node' | 'client';
  rel: string; // path without extension, relative to the PKI dir
}

const NODE_LEAVES: Leaf[] = SPEC.nodes.flatMap((n) =>
  (['server', 'peer'] as const).map((k) => ({ label: `${n.name}/${k}`, cn: n.name, kind: 'node' as const, rel: `${n.name}/${k}` })),
);
const CLIENT_LEAVES: Leaf[] = SPEC.clients.map((cn) => ({ label: `clients/${cn}`, cn, kind: 'client' as const, rel: `clients/${cn}` }));
const LEAVES = [...NODE_LEAVES, ...CLIENT_LEAVES];
const ALL_PAIRS = ['ca', ...LEAVES.map((l) => l.rel)];

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function certText(file: string): string {
  return openssl('x509', '-noout', '-text', '-in', file);
}

/** The (first) line following an extension header in `openssl x509 -text` output. */
function extValue(text: string, header: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.trim().startsWith(`${header}:`));
  if (i < 0) throw new Error(`no "${header}" in certificate text`);
  return (lines[i + 1] ?? '').trim();
}

function isCritical(text: string, header: string): boolean {
  return text.split('\n').some((l) => l.trim() === `${header}: critical`);
}

function modeOf(p: string): number {
  return fs.statSync(p).mode & 0o777;
}

function listTree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

function pemOf(pki: GeneratedPki, leaf: Leaf): string {
  return leaf.kind === 'client' ? pki.clients[leaf.cn]!.certPem : pki.nodes[leaf.cn]![leaf.rel.endsWith('server') ? 'server' : 'peer'].certPem;
}

let tmp: string;
let dir: string;
let pki: GeneratedPki;
let written: string[];
let foreign: GeneratedPki;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pki-test-'));
  dir = path.join(tmp, 'pki'); // does not exist yet: writePki must create it
  pki = generatePkiSync(SPEC);
  written = writePki(dir, pki);
  // Same CA subject (O=acme, CN=etcd-ca) but a different key.
  foreign = generatePkiSync({ org: 'acme', caBits: 2048, nodes: [], clients: ['operator'] });
}, 120_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const f = (rel: string) => path.join(dir, rel);

describe('writePki layout and permissions', () => {
  it('returns exactly the documented layout', () => {
    const expected = ['ca.crt', 'ca.key', ...LEAVES.flatMap((l) => [`${l.rel}.crt`, `${l.rel}.key`])].map(f);
    expect([...written].sort()).toEqual(expected.sort());
    expect(listTree(dir)).toEqual([...expected.map((p) => path.relative(dir, p)), ...SPEC.nodes.map((n) => n.name), 'clients'].sort());
  });

  it.each(ALL_PAIRS)('%s: key 0600, cert 0644', (rel) => {
    expect(modeOf(f(`${rel}.key`))).toBe(0o600);
    expect(modeOf(f(`${rel}.crt`))).toBe(0o644);
  });

  it.each(['.', 'etcd-1', 'etcd-2', 'etcd-3', 'clients'])('directory %s is 0700', (d) => {
    expect(modeOf(f(d))).toBe(0o700);
  });

  it('refuses a second write into the same dir and leaves the CA untouched', () => {
    const keyBefore = fs.readFileSync(f('ca.key'));
    const treeBefore = listTree(dir);
    expect(() => writePki(dir, foreign)).toThrow(`refusing to overwrite existing ${f('ca.crt')}`);
    expect(fs.readFileSync(f('ca.key')).equals(keyBefore)).toBe(true);
    expect(listTree(dir)).toEqual(treeBefore);
  });

  it.each(['ca.key', 'ca.crt'])('refuses when only %s exists', (name) => {
    const d = fs.mkdtempSync(path.join(tmp, 'existing-'));
    fs.writeFileSync(path.join(d, name), 'precious');
    expect(() => writePki(d, foreign)).toThrow(`refusing to overwrite existing ${path.join(d, name)}`);
    expect(fs.readdirSync(d)).toEqual([name]);
    expect(fs.readFileSync(path.join(d, name), 'utf8')).toBe('precious');
  });

  it.each([
    ['node', '../evil'],
    ['node', 'clients'],
    ['client', 'a/b'],
    ['client', '.hidden'],
  ])('rejects %s name %j before writing anything', (kind, name) => {
    const d = path.join(tmp, `bad-${kind}-${name.replace(/\W/g, '_')}`);
    const bad: GeneratedPki =
      kind === 'node'
        ? { ca: pki.ca, nodes: { [name]: pki.nodes['etcd-1']! }, clients: {} }
        : { ca: pki.ca, nodes: {}, clients: { [name]: pki.clients.operator! } };
    expect(() => writePki(d, bad)).toThrow(/cannot be used as a file name|clashes with the clients/);
    expect(fs.existsSync(d)).toBe(false);
  });
});

describe('certificates (checked with openssl)', () => {
  it.each(LEAVES)('openssl verify accepts $label', (leaf) => {
    expect(openssl('verify', '-CAfile', f('ca.crt'), f(`${leaf.rel}.crt`)).trim()).toBe(`${f(`${leaf.rel}.crt`)}: OK`);
  });

  it('openssl verify rejects a cert from another CA with the same subject', () => {
    const other = path.join(tmp, 'foreign-operator.crt');
    fs.writeFileSync(other, foreign.clients.operator!.certPem);
    const res = spawnSync('openssl', ['verify', '-CAfile', f('ca.crt'), other], { encoding: 'utf8' });
    expect(res.status).not.toBe(0);
    expect(res.stdout + res.stderr).toMatch(/error/i);
  });

  it.each(ALL_PAIRS)('%s is signed with sha256WithRSAEncryption', (rel) => {
    const text = certText(f(`${rel}.crt`));
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(text).not.toMatch(/sha1With/i);
  });

  it('CA: subject, 2048 bits as requested, CA:TRUE critical, keyCertSign+cRLSign, SKI, 3650 days', () => {
    const text = certText(f('ca.crt'));
    const subject = openssl('x509', '-noout', '-subject', '-in', f('ca.crt')).trim();
    expect(subject).toBe('subject=O = acme, CN = etcd-ca');
    expect(text).toContain('Public-Key: (2048 bit)');
    expect(extValue(text, 'X509v3 Basic Constraints')).toBe('CA:TRUE');
    expect(isCritical(text, 'X509v3 Basic Constraints')).toBe(true);
    expect(extValue(text, 'X509v3 Key Usage')).toBe('Certificate Sign, CRL Sign');
    expect(extValue(text, 'X509v3 Subject Key Identifier')).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    const info = inspectCert(pki.ca.certPem);
    expect(info.notAfter.getTime() - info.notBefore.getTime()).toBe(3650 * DAY_MS + CLOCK_SKEW_MS);
  });

  it.each(NODE_LEAVES)('$label has the node SANs', (leaf) => {
    const sans = extValue(certText(f(`${leaf.rel}.crt`)), 'X509v3 Subject Alternative Name');
    expect(sans.split(', ').sort()).toEqual(EXPECTED_SANS[leaf.cn]);
  });

  it.each(CLIENT_LEAVES)('$label has no SANs', (leaf) => {
    expect(certText(f(`${leaf.rel}.crt`))).not.toContain('Subject Alternative Name');
  });

  it.each(LEAVES)('$label: CN, usages, AKI = CA SKI, CA:FALSE, 2048 bits, 1825 days', (leaf) => {
    const text = certText(f(`${leaf.rel}.crt`));
    expect(openssl('x509', '-noout', '-subject', '-in', f(`${leaf.rel}.crt`)).trim()).toBe(`subject=CN = ${leaf.cn}`);
    expect(extValue(text, 'X509v3 Extended Key Usage')).toBe(
      leaf.kind === 'node' ? 'TLS Web Server Authentication, TLS Web Client Authentication' : 'TLS Web Client Authentication',
    );
    expect(extValue(text, 'X509v3 Key Usage')).toBe('Digital Signature, Key Encipherment');
    expect(isCritical(text, 'X509v3 Key Usage')).toBe(true);
    expect(extValue(text, 'X509v3 Basic Constraints')).toBe('CA:FALSE');
    expect(text).toContain('Public-Key: (2048 bit)');
    const caSki = extValue(certText(f('ca.crt')), 'X509v3 Subject Key Identifier');
    expect(extValue(text, 'X509v3 Authority Key Identifier').replace(/^keyid:/, '')).toBe(caSki);
    const info = inspectCert(pemOf(pki, leaf));
    expect(info.notAfter.getTime() - info.notBefore.getTime()).toBe(1825 * DAY_MS + CLOCK_SKEW_MS);
  });

  it.each(ALL_PAIRS)('%s: key passes openssl rsa -check and matches the cert modulus', (rel) => {
    expect(fs.readFileSync(f(`${rel}.key`), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(openssl('rsa', '-check', '-noout', '-in', f(`${rel}.key`)).trim()).toBe('RSA key ok');
    const keyMod = openssl('rsa', '-noout', '-modulus', '-in', f(`${rel}.key`)).trim();
    const certMod = openssl('x509', '-noout', '-modulus', '-in', f(`${rel}.crt`)).trim();
    expect(keyMod).toMatch(/^Modulus=[0-9A-F]{512}$/);
    expect(keyMod).toBe(certMod);
  });

  it('every certificate has its own key and serial; serials are positive and minimally encoded', () => {
    const certs = ALL_PAIRS.map((rel) => new X509Certificate(fs.readFileSync(f(`${rel}.crt`))));
    expect(new Set(certs.map((c) => c.publicKey.export({ format: 'der', type: 'spki' }).toString('hex'))).size).toBe(certs.length);
    expect(new Set(certs.map((c) => c.serialNumber)).size).toBe(certs.length);
    for (const c of certs) expect(c.serialNumber).toMatch(/^(0[1-9A-F]|[1-7][0-9A-F])[0-9A-F]{30}$/);
  });
});

describe('serialFromBytes', () => {
  it.each([
    [[0x00, 0x05], '0105'],
    [[0x80, 0x05], '0105'],
    [[0xff, 0xaa], '7faa'],
    [[0x42, 0x00], '4200'],
  ])('%j -> %s', (bytes, hex) => {
    expect(serialFromBytes(Uint8Array.from(bytes))).toBe(hex);
  });
});

describe('inspect', () => {
  it('inspectCert on a node server cert', () => {
    const info = inspectCert(pki.nodes['etcd-1']!.server.certPem);
    expect(info.subjectCN).toBe('etcd-1');
    expect(info.issuerCN).toBe('etcd-ca');
    expect(info.sans).toEqual({ ips: ['10.0.0.11', '127.0.0.1'], dns: ['etcd-1', `etcd-1.${DOMAIN}`] });
    expect(info.signatureAlgorithm).toBe('sha256WithRSAEncryption');
    expect(info.extKeyUsage).toEqual(['serverAuth', 'clientAuth']);
  });

  it('inspectCert on a client cert and the CA', () => {
    const client = inspectCert(pki.clients.patroni!.certPem);
    expect(client).toMatchObject({ subjectCN: 'patroni', issuerCN: 'etcd-ca', extKeyUsage: ['clientAuth'], sans: { ips: [], dns: [] } });
    const ca = inspectCert(pki.ca.certPem);
    expect(ca).toMatchObject({ subjectCN: 'etcd-ca', issuerCN: 'etcd-ca', extKeyUsage: [], signatureAlgorithm: 'sha256WithRSAEncryption' });
  });

  it('a gateway client (Patroni) gets a certificate without a CN, from the same CA, for client auth only', () => {
    const gateway = generatePkiSync({ caBits: 2048, nodes: [{ name: 'n1', ip: '10.9.9.9' }], clients: ['root'], gatewayClients: ['patroni'] });
    const info = inspectCert(gateway.clients.patroni!.certPem);
    expect(info).toMatchObject({ subjectCN: '', issuerCN: 'etcd-ca', extKeyUsage: ['clientAuth'] });
    expect(new X509Certificate(gateway.clients.patroni!.certPem).subject).toBe('OU=patroni');
    expect(verifyIssuedBy(gateway.ca.certPem, gateway.clients.patroni!.certPem)).toBe(true);
    expect(inspectCert(gateway.clients.root!.certPem).subjectCN).toBe('root');
    const again = issueGatewayClientCert(gateway.ca, 'patroni');
    expect(inspectCert(again.certPem).subjectCN).toBe('');
    expect(() => generatePkiSync({ caBits: 2048, nodes: [], clients: ['patroni'], gatewayClients: ['patroni'] })).toThrow(/duplicate client CN "patroni"/);
  }, 60_000);

  it('issueClientCert honours now and days; daysLeft counts whole days', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const pem = issueClientCert(pki.ca, 'root', { now, days: 30 }).certPem;
    const info = inspectCert(pem);
    expect(info.subjectCN).toBe('root');
    expect(info.extKeyUsage).toEqual(['clientAuth']);
    expect(info.notBefore.toISOString()).toBe('2029-12-31T23:55:00.000Z');
    expect(info.notAfter.toISOString()).toBe('2030-01-31T00:00:00.000Z');
    expect(daysLeft(pem, now)).toBe(30);
    expect(daysLeft(pem, new Date('2030-01-30T12:00:00Z'))).toBe(0);
    expect(daysLeft(pem, new Date('2030-02-01T00:00:00Z'))).toBe(-1);
    expect(verifyIssuedBy(pki.ca.certPem, pem)).toBe(true);
    const file = path.join(tmp, 'root-2030.crt');
    fs.writeFileSync(file, pem);
    const attime = String(Date.parse('2030-01-02T00:00:00Z') / 1000);
    expect(openssl('verify', '-attime', attime, '-CAfile', f('ca.crt'), file).trim()).toBe(`${file}: OK`);
  });

  it('leafDays 5 gives certificates with 4 whole days left', () => {
    const short = generatePkiSync({ caBits: 2048, leafDays: 5, nodes: [{ name: 'n1', ip: '10.9.9.9' }], clients: ['root'] });
    for (const pem of [short.nodes.n1!.server.certPem, short.nodes.n1!.peer.certPem, short.clients.root!.certPem]) {
      const left = daysLeft(pem);
      expect(left).toBeGreaterThanOrEqual(4);
      expect(left).toBeLessThanOrEqual(5);
    }
    expect(daysLeft(short.ca.certPem)).toBe(3649);
  }, 60_000);

  it.each(LEAVES)('verifyIssuedBy accepts $label from its CA and rejects it against a foreign CA', (leaf) => {
    expect(verifyIssuedBy(pki.ca.certPem, pemOf(pki, leaf))).toBe(true);
    expect(verifyIssuedBy(foreign.ca.certPem, pemOf(pki, leaf))).toBe(false);
  });

  it('verifyIssuedBy rejects a foreign leaf and a self-check of a leaf', () => {
    expect(verifyIssuedBy(pki.ca.certPem, foreign.clients.operator!.certPem)).toBe(false);
    expect(verifyIssuedBy(pki.clients.operator!.certPem, pki.clients.patroni!.certPem)).toBe(false);
  });
});

describe('spec validation', () => {
  it.each<[string, PkiSpec, RegExp]>([
    ['bad IP', { caBits: 2048, nodes: [{ name: 'a', ip: '10.0.0.300' }], clients: [] }, /not an IP address/],
    ['duplicate node', { caBits: 2048, nodes: [{ name: 'a', ip: '10.0.0.1' }, { name: 'a', ip: '10.0.0.2' }], clients: [] }, /duplicate node name "a"/],
    ['duplicate client', { caBits: 2048, nodes: [], clients: ['x', 'x'] }, /duplicate client CN "x"/],
  ])('%s is rejected before any key is generated', (_label, spec, msg) => {
    const t0 = performance.now();
    expect(() => generatePkiSync(spec)).toThrow(msg);
    expect(performance.now() - t0).toBeLessThan(50);
  });
});

describe('generatePki (async)', () => {
  it('in-process fallback under vitest returns a valid PKI', async () => {
    const small = await generatePki({ caBits: 2048, nodes: [{ name: 'a', ip: '10.0.0.1' }], clients: ['root'] });
    expect(verifyIssuedBy(small.ca.certPem, small.nodes.a!.server.certPem)).toBe(true);
    expect(verifyIssuedBy(small.ca.certPem, small.clients.root!.certPem)).toBe(true);
    await expect(generatePki({ nodes: [{ name: 'a', ip: 'nope' }], clients: [] })).rejects.toThrow(/not an IP address/);
  }, 60_000);

  describe('compiled module with a real worker thread', () => {
    // node-forge must resolve from the compiled files, so they live inside the project.
    let outDir: string;
    let compiled: typeof GenerateModule;

    beforeAll(async () => {
      const cache = path.join(ROOT, 'node_modules', '.cache');
      fs.mkdirSync(cache, { recursive: true });
      outDir = fs.mkdtempSync(path.join(cache, 'pki-worker-test-'));
      for (const name of ['forge-certs', 'worker', 'generate']) {
        const src = fs.readFileSync(path.join(ROOT, 'src/core/pki', `${name}.ts`), 'utf8');
        const out = ts.transpileModule(src, {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
        });
        fs.writeFileSync(path.join(outDir, `${name}.js`), out.outputText);
      }
      compiled = (await import(pathToFileURL(path.join(outDir, 'generate.js')).href)) as typeof compiled;
    }, 60_000);

    afterAll(() => {
      if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
    });

    it('defaults (4096-bit CA) for 3 nodes + 2 clients without blocking the event loop', async () => {
      const spec: PkiSpec = { org: 'acme', nodes: SPEC.nodes, clients: SPEC.clients };
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const t0 = performance.now();
      const result = await compiled.generatePki(spec);
      const ms = performance.now() - t0;
      clearInterval(timer);
      console.log(`generatePki in worker, 4096-bit CA, 3 nodes + 2 clients: ${(ms / 1000).toFixed(2)} s, ${ticks} event-loop ticks`);
      // An in-process run would block the loop: the interval could not fire before the await resumes.
      expect(ticks).toBeGreaterThan(10);

      const out = path.join(tmp, 'defaults');
      writePki(out, result);
      const caText = certText(path.join(out, 'ca.crt'));
      expect(caText).toContain('Public-Key: (4096 bit)');
      expect(inspectCert(result.ca.certPem).notAfter.getTime() - inspectCert(result.ca.certPem).notBefore.getTime()).toBe(
        3650 * DAY_MS + CLOCK_SKEW_MS,
      );
      for (const leaf of LEAVES) {
        const crt = path.join(out, `${leaf.rel}.crt`);
        expect(openssl('verify', '-CAfile', path.join(out, 'ca.crt'), crt).trim()).toBe(`${crt}: OK`);
        expect(certText(crt)).toContain('Public-Key: (2048 bit)');
      }
    }, 180_000);

    it('propagates errors from the worker', async () => {
      await expect(compiled.generatePki({ nodes: [{ name: 'a', ip: 'nope' }], clients: [] })).rejects.toThrow(/not an IP address/);
    }, 30_000);
  });
});
