/** The facts of one certificate the checks need, read with Node's X509Certificate. */
import { createHash, X509Certificate } from 'node:crypto';

export interface CertFacts {
  x509: X509Certificate;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
  sans: { ips: string[]; dns: string[] };
  /** SHA-256 hex of the DER SubjectPublicKeyInfo: what a matching private key derives. */
  publicKeySha256: string;
  fingerprint256: string;
}

function oneLineName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

function parseSans(text: string | undefined): CertFacts['sans'] {
  const sans: CertFacts['sans'] = { ips: [], dns: [] };
  for (const m of (text ?? '').matchAll(/(DNS|IP Address):("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const raw = m[2] ?? '';
    (m[1] === 'DNS' ? sans.dns : sans.ips).push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return sans;
}

/** Throws when pem is not a certificate. */
export function certFacts(pem: string): CertFacts {
  const x509 = new X509Certificate(pem);
  return {
    x509,
    subject: oneLineName(x509.subject),
    issuer: oneLineName(x509.issuer),
    serial: x509.serialNumber.toLowerCase(),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    isCa: x509.ca,
    sans: parseSans(x509.subjectAltName),
    publicKeySha256: createHash('sha256').update(x509.publicKey.export({ type: 'spki', format: 'der' })).digest('hex'),
    fingerprint256: x509.fingerprint256,
  };
}

/** True when one of the bundle's certificates issued and signed cert. */
export function signedByOneOf(cert: CertFacts, bundle: CertFacts[]): boolean {
  return bundle.some((ca) => cert.x509.checkIssued(ca.x509) && cert.x509.verify(ca.x509.publicKey));
}
