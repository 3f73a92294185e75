import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { createCa, issueClientCert } from '../../src/core/pki/forge-certs.js';

/** Paths of TLS files that are each wrong in one way, written into `dir`; `good` is a matching pair from the same CA. */
export interface BadTlsFiles {
  good: { cacert: string; cert: string; key: string };
  csr: string;
  derCert: string;
  publicKey: string;
  otherKey: string;
  encryptedKey: string;
  encryptedLegacyKey: string;
  empty: string;
  truncatedCert: string;
  truncatedKey: string;
  garbage: string;
  caWithoutCert: string;
  expired: { cert: string; key: string };
  notYetValid: { cert: string; key: string };
  expiresSoon: { cert: string; key: string };
}

const DAY = 86_400_000;

export function writeBadTlsFiles(dir: string): BadTlsFiles {
  const ca = createCa({ bits: 2048 });
  const write = (name: string, text: string | Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  const pair = (name: string, opts: Parameters<typeof issueClientCert>[2] = {}) => {
    const issued = issueClientCert(ca, 'operator', { bits: 2048, ...opts });
    return { cert: write(`${name}.crt`, issued.certPem), key: write(`${name}.key`, issued.keyPem) };
  };
  const good = pair('good');
  const other = pair('other');
  const certPem = readFileSync(good.cert, 'utf8');
  const keyPem = readFileSync(good.key, 'utf8');
  const keyObject = createPrivateKey(keyPem);
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  csr.setSubject([{ shortName: 'CN', value: 'operator' }]);
  csr.sign(forgeKey, forge.md.sha256.create());
  return {
    good: { cacert: write('ca.crt', ca.certPem), cert: good.cert, key: good.key },
    csr: write('operator.csr', forge.pki.certificationRequestToPem(csr)),
    derCert: write('operator.der', new X509Certificate(certPem).raw),
    publicKey: write('operator.pub', createPublicKey(keyObject).export({ type: 'spki', format: 'pem' }) as string),
    otherKey: other.key,
    encryptedKey: write('encrypted.key', keyObject.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string),
    encryptedLegacyKey: write('encrypted-legacy.key', forge.pki.encryptRsaPrivateKey(forgeKey, 'pw', { legacy: true, algorithm: 'aes128' })),
    empty: write('empty.pem', ''),
    truncatedCert: write('truncated.crt', certPem.slice(0, Math.floor(certPem.length / 2))),
    truncatedKey: write('truncated.key', keyPem.slice(0, Math.floor(keyPem.length / 2))),
    garbage: write('garbage.pem', 'this is not a certificate\n'),
    caWithoutCert: write('ca-without-cert.pem', keyPem),
    expired: pair('expired', { now: new Date(Date.parse('2024-02-01T12:00:00Z') - 60 * DAY), days: 60 }),
    notYetValid: pair('future', { now: new Date(Date.now() + 10 * DAY), days: 365 }),
    expiresSoon: pair('soon', { now: new Date(Date.now() - 50 * DAY), days: 60 }),
  };
}
