import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { fetchServerCertificate } from '../src/adapters/etcd/server-cert.js';
import { certExpiryVerdict } from '../src/core/certs/expiry.js';
import { generatePkiSync, issueClientCert, type GeneratedPki } from '../src/core/pki/generate.js';
import { startTestCluster, clusterTls } from './helpers/cluster.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('certExpiryVerdict', () => {
  it.each([
    [1825, { tone: 'normal' }],
    [30, { tone: 'normal' }],
    [29, { tone: 'warning', why: 'certificate expires in 29 days (< 30): plan the renewal' }],
    [7, { tone: 'warning', why: 'certificate expires in 7 days (< 30): plan the renewal' }],
    [6, { tone: 'critical', why: 'certificate expires in 6 days (< 7): renew now, no restart needed' }],
    [1, { tone: 'critical', why: 'certificate expires in 1 day (< 7): renew now, no restart needed' }],
    [0, { tone: 'critical', why: 'certificate expires within a day (< 7): renew now, no restart needed' }],
    [-1, { tone: 'critical', why: 'certificate EXPIRED: clients and peers reject it; renew it now' }],
  ])('%i days left', (days, expected) => {
    expect(certExpiryVerdict(days)).toEqual(expected);
  });
});

describe('certificate presented by a real etcd member', () => {
  let cluster: Awaited<ReturnType<typeof startTestCluster>>;
  let tls: { ca: Buffer; cert: Buffer; key: Buffer };
  beforeAll(async () => {
    cluster = await startTestCluster();
    tls = clusterTls(cluster);
  });
  afterAll(async () => {
    await cluster?.cleanup();
  });

  it('is the member server certificate: CN = member name, ~1825 days (PKI default)', async () => {
    for (const [i, node] of cluster.nodes.entries()) {
      // By IP (verified against the IP SAN) and by DNS name (SNI + DNS SAN).
      const cert = await fetchServerCertificate(node.clientUrl, tls, 3000, i === 0 ? undefined : node.name);
      expect(cert.subjectCN).toBe(node.name);
      expect(cert.issuerCN).toBe('etcd-ca');
      expect(cert.sans).toEqual(expect.arrayContaining([node.address, '127.0.0.1', node.name]));
      expect(cert.daysLeft).toBeGreaterThanOrEqual(1824);
      expect(cert.daysLeft).toBeLessThanOrEqual(1825);
      expect(Math.abs(cert.notAfter.getTime() - (Date.now() + 1825 * DAY_MS))).toBeLessThan(DAY_MS);
      expect(certExpiryVerdict(cert.daysLeft)).toEqual({ tone: 'normal' });
    }
  });

  it('is read even without a client certificate: under TLS 1.3 etcd rejects it only after the client saw the server certificate', async () => {
    const node = cluster.nodes[0]!;
    const cert = await fetchServerCertificate(node.clientUrl, { ca: tls.ca }, 3000);
    expect(cert.subjectCN).toBe(node.name);
  });

  it('rejects a certificate that is not valid for the name asked for', async () => {
    const node = cluster.nodes[0]!;
    await expect(fetchServerCertificate(node.clientUrl, tls, 3000, 'etcd-9')).rejects.toThrow(/not valid for etcd-9/);
  });

  it('rejects a certificate that does not chain to the given CA', async () => {
    const other = generatePkiSync({ nodes: [], clients: [], caBits: 2048 });
    const node = cluster.nodes[0]!;
    await expect(fetchServerCertificate(node.clientUrl, { ...tls, ca: Buffer.from(other.ca.certPem) }, 3000)).rejects.toThrow(
      /does not verify/,
    );
  });
});

describe('certificate presented by a local TLS server with short-lived certificates', () => {
  const servers: Server[] = [];

  /** A TLS server that, like etcd with client-cert-auth, requires a client certificate from its CA. */
  async function serve(pki: GeneratedPki): Promise<string> {
    const server = pki.nodes['short-lived']!.server;
    const tlsServer = createServer(
      { key: server.keyPem, cert: server.certPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: true },
      (socket) => socket.end(),
    );
    servers.push(tlsServer);
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
  }

  function clientTls(pki: GeneratedPki) {
    const client = issueClientCert(pki.ca, 'operator', { bits: 2048 });
    return { ca: pki.ca.certPem, cert: client.certPem, key: client.keyPem };
  }

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('leafDays 5: 4 or 5 days left, critical', async () => {
    const pki = generatePkiSync({ nodes: [{ name: 'short-lived', ip: '127.0.0.1' }], clients: [], caBits: 2048, leafDays: 5 });
    const cert = await fetchServerCertificate(await serve(pki), clientTls(pki), 3000);
    expect(cert.subjectCN).toBe('short-lived');
    expect([4, 5]).toContain(cert.daysLeft);
    expect(certExpiryVerdict(cert.daysLeft)).toMatchObject({ tone: 'critical', why: expect.stringContaining('(< 7)') });
  });

  it('an expired certificate is still read and reported EXPIRED', async () => {
    const now = new Date(Date.now() - 10 * DAY_MS);
    const pki = generatePkiSync({ nodes: [{ name: 'short-lived', ip: '127.0.0.1' }], clients: [], caBits: 2048, leafDays: 5, now });
    const cert = await fetchServerCertificate(await serve(pki), clientTls(pki), 3000);
    expect([-6, -5]).toContain(cert.daysLeft);
    expect(certExpiryVerdict(cert.daysLeft)).toMatchObject({ tone: 'critical', why: expect.stringContaining('EXPIRED') });
  });
});
