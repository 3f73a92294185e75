/** The PKI phase 3 keeps on this machine (<workdir>/pki, writePki's layout) and what is in it. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspectCert, verifyIssuedBy } from '../pki/inspect.js';
import type { RunbookSettings } from './settings.js';
import type { RunContext } from './types.js';
import { workdirLayout } from './workdir.js';
import { localTokenFile } from './auth-token-keys.js';

export interface CertKeyPaths {
  cert: string;
  key: string;
}

export interface LocalPki {
  dir: string;
  caCert: string;
  caKey: string;
  server(node: string): CertKeyPaths;
  peer(node: string): CertKeyPaths;
  client(cn: string): CertKeyPaths;
}

export function localPki(workdir: string): LocalPki {
  const dir = workdirLayout(workdir).pki;
  const pair = (base: string): CertKeyPaths => ({ cert: `${base}.crt`, key: `${base}.key` });
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    server: (node) => pair(join(dir, node, 'server')),
    peer: (node) => pair(join(dir, node, 'peer')),
    client: (cn) => pair(join(dir, 'clients', cn)),
  };
}

/** Client certificates the runbook forgot: the operator's, Patroni's, and root's (CN=root is root under client-cert auth). */
export function clientCertNames(settings: RunbookSettings): string[] {
  return [...new Set([settings.operatorCn, 'root', ...GATEWAY_CLIENTS])];
}

/**
 * Clients of etcd's JSON gateway (Patroni's etcd3 client): their certificate
 * has no CN, because etcd 3.5 refuses gateway requests made with one, and
 * they log in with a password. The others keep a CN: etcd maps a gRPC
 * client's CN to its user.
 */
export const GATEWAY_CLIENTS = ['patroni'];

export function cnClientNames(settings: RunbookSettings): string[] {
  return clientCertNames(settings).filter((name) => !GATEWAY_CLIENTS.includes(name));
}

/** A gateway client certificate that has a CN (made before the runbook knew): the gateway answers it with HTTP 400. */
export function gatewayCertProblem(certFile: string, pem: string): string | undefined {
  const cn = inspectCert(pem).subjectCN;
  return cn ? `${certFile} has CN=${cn}: etcd's JSON gateway, which Patroni uses, refuses client certificates with a CN` : undefined;
}

export interface PkiInspection {
  complete: boolean;
  /** Files that should exist and do not. */
  missing: string[];
  /** Files that exist but do not fit this inventory (SAN, issuer, a gateway client's CN). */
  problems: string[];
  /** Gateway clients whose certificate has a CN: reissued from the CA when its key is still here. */
  gatewayCn: string[];
}

/** Checks the local PKI against the inventory. The CA key may be gone (exported): it is not needed any more. */
export function inspectLocalPki(ctx: RunContext): PkiInspection {
  const pki = localPki(ctx.workdir);
  const missing: string[] = [];
  const problems: string[] = [];
  const want = [pki.caCert];
  for (const node of ctx.inventory.nodes) {
    const { server, peer } = { server: pki.server(node.name), peer: pki.peer(node.name) };
    want.push(server.cert, server.key, peer.cert, peer.key);
  }
  for (const cn of clientCertNames(ctx.settings)) want.push(pki.client(cn).cert, pki.client(cn).key);
  for (const f of want) if (!existsSync(f)) missing.push(f);
  if (missing.includes(pki.caCert)) return { complete: false, missing, problems, gatewayCn: [] };
  const ca = readFileSync(pki.caCert, 'utf8');
  for (const node of ctx.inventory.nodes) {
    for (const kind of ['server', 'peer'] as const) {
      const file = pki[kind](node.name).cert;
      if (!existsSync(file)) continue;
      const pem = readFileSync(file, 'utf8');
      if (!verifyIssuedBy(ca, pem)) problems.push(`${file} is not signed by ${pki.caCert}`);
      const sans = inspectCert(pem).sans;
      if (!sans.ips.includes(node.address)) problems.push(`${file}: SAN lacks IP ${node.address} (it has ${sans.ips.join(', ') || 'no IP'})`);
    }
  }
  const gatewayCn = GATEWAY_CLIENTS.filter((name) => {
    const file = pki.client(name).cert;
    return existsSync(file) && gatewayCertProblem(file, readFileSync(file, 'utf8')) !== undefined;
  });
  problems.push(...gatewayCn.map((name) => gatewayCertProblem(pki.client(name).cert, readFileSync(pki.client(name).cert, 'utf8'))!));
  return { complete: missing.length === 0 && problems.length === 0, missing, problems, gatewayCn };
}

/** Registers every private key present in the local PKI with the secret registry. */
export function registerLocalKeys(ctx: RunContext): void {
  const pki = localPki(ctx.workdir);
  const keys: Array<[string, string]> = [[pki.caKey, 'CA private key']];
  for (const node of ctx.inventory.nodes) {
    keys.push([pki.server(node.name).key, `${node.name} server key`], [pki.peer(node.name).key, `${node.name} peer key`]);
  }
  for (const cn of clientCertNames(ctx.settings)) keys.push([pki.client(cn).key, `${cn} client key`]);
  keys.push([localTokenFile(ctx.workdir, 'jwt.key'), 'JWT token signing key']);
  for (const [file, label] of keys) {
    try {
      ctx.secrets.add(readFileSync(file, 'utf8'), label);
    } catch {
      // not generated yet
    }
  }
}
