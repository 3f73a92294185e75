/**
 * Reading certificates. Uses Node's X509Certificate so ECDSA certs from other
 * tools work too; forge's ASN.1 parser is used only for the signature algorithm,
 * which Node 20 does not expose.
 */
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';

export interface CertInfo {
  subjectCN: string;
  issuerCN: string;
  sans: { ips: string[]; dns: string[] };
  notBefore: Date;
  notAfter: Date;
  /** e.g. 'sha256WithRSAEncryption'; the dotted OID when unknown. */
  signatureAlgorithm: string;
  /** e.g. ['serverAuth', 'clientAuth']; the dotted OID for unknown usages. */
  extKeyUsage: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

// forge's OID table only knows RSA signature algorithms.
const EXTRA_SIG_OIDS: Record<string, string> = {
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
};

function cnOf(name: string): string {
  // Node prints names one attribute per line: "O=acme\nCN=etcd-ca".
  const line = name.split('\n').find((l) => l.startsWith('CN='));
  return line ? line.slice(3) : '';
}

function parseSans(subjectAltName: string | undefined): CertInfo['sans'] {
  const sans: CertInfo['sans'] = { ips: [], dns: [] };
  // Entries are ", "-separated; values with special characters are JSON-quoted.
  const entry = /(DNS|IP Address):("(?:[^"\\]|\\.)*"|[^,]*)/g;
  for (const m of (subjectAltName ?? '').matchAll(entry)) {
    const raw = m[2] ?? '';
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    (m[1] === 'DNS' ? sans.dns : sans.ips).push(value);
  }
  return sans;
}

function signatureAlgorithmOf(x509: X509Certificate): string {
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
  const cert = forge.asn1.fromDer(forge.util.createBuffer(x509.raw.toString('binary')));
  const algId = (cert.value as forge.asn1.Asn1[])[1];
  const oidNode = (algId?.value as forge.asn1.Asn1[] | undefined)?.[0];
  if (!oidNode || typeof oidNode.value !== 'string') throw new Error('malformed certificate: no signature algorithm');
  const oid = forge.asn1.derToOid(oidNode.value);
  const known = (forge.pki.oids as Record<string, string | undefined>)[oid];
  return known ?? EXTRA_SIG_OIDS[oid] ?? oid;
}

function parseDate(s: string): Date {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new Error(`cannot parse certificate date "${s}"`);
  return d;
}

export function inspectCert(pem: string): CertInfo {
  const x509 = new X509Certificate(pem);
  return {
    subjectCN: cnOf(x509.subject),
    issuerCN: cnOf(x509.issuer),
    sans: parseSans(x509.subjectAltName),
    notBefore: parseDate(x509.validFrom),
    notAfter: parseDate(x509.validTo),
    signatureAlgorithm: signatureAlgorithmOf(x509),
    extKeyUsage: (x509.keyUsage ?? []).map((oid) => EKU_NAMES[oid] ?? oid),
  };
}

/** Whole days until notAfter (rounded down; negative once expired). */
export function daysLeft(pem: string, now: Date = new Date()): number {
  const notAfter = parseDate(new X509Certificate(pem).validTo);
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/** True when certPem names caPem as issuer and carries a valid signature by the CA's key. */
export function verifyIssuedBy(caPem: string, certPem: string): boolean {
  const ca = new X509Certificate(caPem);
  const cert = new X509Certificate(certPem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}
