/**
 * Pure certificate generation: Node's native crypto makes the RSA keys, node-forge
 * builds and signs the X.509 certificates. Synchronous and CPU-heavy; see
 * generate.ts for the worker-thread wrapper and the public API.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface PkiNodeSpec {
  name: string;
  ip: string;
  /** When set, the FQDN `<name>.<domain>` is added as a DNS SAN. */
  domain?: string;
}

export interface PkiSpec {
  /** Organisation (O=) of the CA subject. */
  org?: string;
  nodes: PkiNodeSpec[];
  /** Client certificate CNs; with etcd client-cert auth the CN is the etcd user name. */
  clients: string[];
  /**
   * Client certificates without a CN (subject OU=<name>), for clients of etcd's
   * JSON gateway such as Patroni: etcd 3.5 answers every gateway request made
   * with a certificate that has a CN with HTTP 400. They log in with a password.
   */
  gatewayClients?: string[];
  /** CA key size, default 4096. */
  caBits?: number;
  /** Node and client key size, default 2048. */
  leafBits?: number;
  /** CA validity, default 3650 days. */
  caDays?: number;
  /** Node and client validity, default 1825 days. */
  leafDays?: number;
  /** Validity reference time (default: now). */
  now?: Date;
}

export interface CertAndKey {
  certPem: string;
  /** PKCS#8 PEM ("PRIVATE KEY"). */
  keyPem: string;
}

export interface GeneratedPki {
  ca: CertAndKey;
  nodes: Record<string, { server: CertAndKey; peer: CertAndKey }>;
  clients: Record<string, CertAndKey>;
}

export interface LeafOptions {
  days?: number;
  bits?: number;
  now?: Date;
}

export const DEFAULT_CA_BITS = 4096;
export const DEFAULT_LEAF_BITS = 2048;
export const DEFAULT_CA_DAYS = 3650;
export const DEFAULT_LEAF_DAYS = 1825;
export const CA_CN = 'etcd-ca';
/**
 * notBefore is set this far before `now` so a certificate made on the operator's
 * machine is not "not yet valid" on a node whose clock is slightly behind.
 */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

interface KeyPair {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  keyPem: string;
}

function newKeyPair(bits: number): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey),
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
    keyPem: privateKey,
  };
}

/**
 * Serial number hex from random bytes. The first byte is forced into 0x01..0x7f:
 * 0x80+ would make the DER INTEGER negative, and a 0x00 first byte is a
 * non-minimal encoding that Go's x509 parser (etcd) rejects.
 */
export function serialFromBytes(bytes: Uint8Array): string {
  const b = Buffer.from(bytes);
  b[0] = (b[0]! & 0x7f) || 0x01;
  return b.toString('hex');
}

function newCert(publicKey: forge.pki.rsa.PublicKey, days: number, now: Date): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialFromBytes(randomBytes(16));
  cert.validity.notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  cert.validity.notAfter = new Date(now.getTime() + days * DAY_MS);
  return cert;
}

function sign(cert: forge.pki.Certificate, key: forge.pki.rsa.PrivateKey): void {
  // forge defaults to SHA-1, which etcd (Go) rejects.
  cert.sign(key, forge.md.sha256.create());
}

/** `cn` defaults to CA_CN; a second CA next to the first (a rotation) gets a name of its own, so chains never confuse the two. */
export function createCa(opts: { org?: string; bits?: number; days?: number; now?: Date; cn?: string } = {}): CertAndKey {
  const keys = newKeyPair(opts.bits ?? DEFAULT_CA_BITS);
  const cert = newCert(keys.publicKey, opts.days ?? DEFAULT_CA_DAYS, opts.now ?? new Date());
  const subject: forge.pki.CertificateField[] = [];
  if (opts.org) subject.push({ shortName: 'O', value: opts.org });
  subject.push({ shortName: 'CN', value: opts.cn ?? CA_CN });
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  sign(cert, keys.privateKey);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

interface LoadedCa {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
  keyId: string;
}

function loadCa(ca: CertAndKey): LoadedCa {
  const cert = forge.pki.certificateFromPem(ca.certPem);
  const key = forge.pki.privateKeyFromPem(ca.keyPem);
  // The AKI must equal the CA's own SKI bytes. forge's `keyIdentifier: true`
  // would hash the *leaf's* key instead, which OpenSSL rejects.
  const ski = cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
  const keyId = ski?.subjectKeyIdentifier
    ? forge.util.hexToBytes(ski.subjectKeyIdentifier)
    : cert.generateSubjectKeyIdentifier().getBytes();
  return { cert, key, keyId };
}

type AltName = { type: 2; value: string } | { type: 7; ip: string };

function issueLeaf(
  ca: LoadedCa,
  subject: forge.pki.CertificateField[],
  usage: { serverAuth: boolean; clientAuth: boolean },
  altNames: AltName[],
  opts: LeafOptions,
): CertAndKey {
  const keys = newKeyPair(opts.bits ?? DEFAULT_LEAF_BITS);
  const cert = newCert(keys.publicKey, opts.days ?? DEFAULT_LEAF_DAYS, opts.now ?? new Date());
  cert.setSubject(subject);
  cert.setIssuer(ca.cert.subject.attributes);
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', ...usage },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.keyId },
  ];
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  cert.setExtensions(extensions);
  sign(cert, ca.key);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

function nodeAltNames(node: PkiNodeSpec): AltName[] {
  const ips = [...new Set([node.ip, '127.0.0.1'])];
  const dns = [...new Set([node.name, ...(node.domain ? [`${node.name}.${node.domain}`] : [])])];
  return [...ips.map((ip) => ({ type: 7 as const, ip })), ...dns.map((value) => ({ type: 2 as const, value }))];
}

export function issueClientCert(ca: CertAndKey, cn: string, opts: LeafOptions = {}): CertAndKey {
  if (!cn) throw new Error('client certificate CN must not be empty');
  return issueLeaf(loadCa(ca), cnSubject(cn), { serverAuth: false, clientAuth: true }, [], opts);
}

/** One more client certificate without a CN (see PkiSpec.gatewayClients) from an existing CA. */
export function issueGatewayClientCert(ca: CertAndKey, name: string, opts: LeafOptions = {}): CertAndKey {
  if (!name) throw new Error('client certificate name must not be empty');
  return issueLeaf(loadCa(ca), gatewaySubject(name), { serverAuth: false, clientAuth: true }, [], opts);
}

/** A node's server and peer certificates (same shape as buildPki's) from an existing CA. */
export function issueNodeCerts(ca: CertAndKey, node: PkiNodeSpec, opts: LeafOptions = {}): { server: CertAndKey; peer: CertAndKey } {
  if (isIP(node.ip) === 0) throw new Error(`node "${node.name}": "${node.ip}" is not an IP address`);
  const loaded = loadCa(ca);
  const both = { serverAuth: true, clientAuth: true };
  const altNames = nodeAltNames(node);
  return {
    server: issueLeaf(loaded, cnSubject(node.name), both, altNames, opts),
    peer: issueLeaf(loaded, cnSubject(node.name), both, altNames, opts),
  };
}

function cnSubject(cn: string): forge.pki.CertificateField[] {
  return [{ shortName: 'CN', value: cn }];
}

function gatewaySubject(name: string): forge.pki.CertificateField[] {
  return [{ shortName: 'OU', value: name }];
}

function validate(spec: PkiSpec): void {
  const names = spec.nodes.map((n) => n.name);
  const dupNode = names.find((n, i) => names.indexOf(n) !== i);
  if (dupNode !== undefined) throw new Error(`duplicate node name "${dupNode}"`);
  const clients = [...spec.clients, ...(spec.gatewayClients ?? [])];
  const dupClient = clients.find((c, i) => clients.indexOf(c) !== i);
  if (dupClient !== undefined) throw new Error(`duplicate client CN "${dupClient}"`);
  for (const node of spec.nodes) {
    if (!node.name) throw new Error('node name must not be empty');
    if (isIP(node.ip) === 0) throw new Error(`node "${node.name}": "${node.ip}" is not an IP address`);
  }
  if (clients.some((c) => !c)) throw new Error('client certificate CN must not be empty');
}

/** Builds a whole PKI in the calling thread (several seconds with a 4096-bit CA). */
export function buildPki(spec: PkiSpec): GeneratedPki {
  validate(spec);
  const now = spec.now ?? new Date();
  const leafOpts: LeafOptions = { bits: spec.leafBits, days: spec.leafDays, now };
  const ca = createCa({ org: spec.org, bits: spec.caBits, days: spec.caDays, now });
  const loaded = loadCa(ca);
  const both = { serverAuth: true, clientAuth: true };

  const nodes: GeneratedPki['nodes'] = {};
  for (const node of spec.nodes) {
    const altNames = nodeAltNames(node);
    nodes[node.name] = {
      server: issueLeaf(loaded, cnSubject(node.name), both, altNames, leafOpts),
      peer: issueLeaf(loaded, cnSubject(node.name), both, altNames, leafOpts),
    };
  }
  const clients: GeneratedPki['clients'] = {};
  const clientOnly = { serverAuth: false, clientAuth: true };
  for (const cn of spec.clients) clients[cn] = issueLeaf(loaded, cnSubject(cn), clientOnly, [], leafOpts);
  for (const name of spec.gatewayClients ?? []) clients[name] = issueLeaf(loaded, gatewaySubject(name), clientOnly, [], leafOpts);
  return { ca, nodes, clients };
}
