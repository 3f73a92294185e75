import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { ExitCodedError } from '../errors/exit-coded-error.js';

/** One TLS file as read, with the flag or config key it came from ("--cert", "cert of context prod"). */
export interface TlsFileInput {
  path: string;
  origin: string;
  data: Buffer;
}

/** A TLS file is not what its flag expects: exit 2 (expired or not yet valid: exit 3). */
export class TlsFileError extends ExitCodedError {
  override name = 'TlsFileError';
}

const WARN_DAYS = 30;
const DAY_MS = 86_400_000;

interface PemBlock {
  label: string;
  text: string;
}

function describeLabel(label: string): string {
  if (label === 'CERTIFICATE' || label === 'TRUSTED CERTIFICATE' || label === 'X509 CERTIFICATE') return 'a certificate';
  if (label.includes('CERTIFICATE REQUEST')) return 'a certificate signing request (CSR)';
  if (label.endsWith('PUBLIC KEY')) return 'a public key';
  if (label === 'ENCRYPTED PRIVATE KEY') return 'an encrypted private key';
  if (label.endsWith('PRIVATE KEY')) return 'a private key';
  if (label.includes('CRL')) return 'a certificate revocation list';
  if (label.includes('PARAMETERS')) return `${label.toLowerCase()}`;
  return `a PEM "${label}" block`;
}

/** The PEM blocks of a file; problems (empty, binary, truncated) are said in terms of the file. */
function pemBlocks(file: TlsFileInput, what: string): PemBlock[] {
  const where = `${what} ${file.path} (${file.origin})`;
  if (file.data.length === 0 || file.data.toString('latin1').trim() === '') throw new TlsFileError(`${where} is empty, expected ${expectedText(what)}`);
  const text = file.data.toString('latin1');
  if (!text.includes('-----BEGIN ')) {
    const binary = /[\x00-\x08\x0e-\x1f]/.test(text.slice(0, 512));
    if (binary) {
      let derCert = false;
      try {
        new X509Certificate(file.data);
        derCert = true;
      } catch {
        // not a DER certificate either
      }
      const held = derCert ? 'a DER (binary) certificate' : 'binary data (DER?)';
      throw new TlsFileError(`${where} holds ${held}, expected PEM text (convert with: openssl x509 -inform der -in FILE -out FILE.pem)`);
    }
    throw new TlsFileError(`${where} holds no PEM block (no -----BEGIN line), expected ${expectedText(what)}`);
  }
  const blocks: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const label = m[1]!;
    const endMarker = `-----END ${label}-----`;
    const end = text.indexOf(endMarker, m.index);
    if (end < 0) throw new TlsFileError(`${where} is truncated: ${describeLabel(label)} starts but never ends`);
    blocks.push({ label, text: text.slice(m.index, end + endMarker.length) + '\n' });
    re.lastIndex = end + endMarker.length;
  }
  return blocks;
}

function expectedText(what: string): string {
  if (what.includes('key')) return 'a PEM private key';
  return 'a PEM certificate';
}

function heldText(blocks: PemBlock[]): string {
  const kinds = [...new Set(blocks.map((b) => describeLabel(b.label)))];
  return kinds.join(' and ');
}

function parseCertificates(file: TlsFileInput, what: string, blocks: PemBlock[]): X509Certificate[] {
  const certBlocks = blocks.filter((b) => describeLabel(b.label) === 'a certificate');
  if (certBlocks.length === 0) {
    throw new TlsFileError(`${what} ${file.path} (${file.origin}) holds ${heldText(blocks)}, expected ${what === 'CA certificate' ? 'one or more CA certificates' : 'a certificate'} (PEM CERTIFICATE)`);
  }
  return certBlocks.map((b) => {
    try {
      return new X509Certificate(b.text);
    } catch {
      throw new TlsFileError(`${what} ${file.path} (${file.origin}) holds a damaged or truncated certificate that cannot be parsed`);
    }
  });
}

function parseKey(file: TlsFileInput, blocks: PemBlock[]): KeyObject {
  const where = `client key ${file.path} (${file.origin})`;
  const encrypted = blocks.some((b) => b.label === 'ENCRYPTED PRIVATE KEY' || (b.label.endsWith('PRIVATE KEY') && /Proc-Type:\s*4,ENCRYPTED/.test(b.text)));
  if (encrypted) {
    throw new TlsFileError(`${where} is an encrypted private key, expected an unencrypted one (decrypt a copy readable only by you: openssl pkey -in FILE -out FILE.plain)`);
  }
  const keyBlock = blocks.find((b) => b.label.endsWith('PRIVATE KEY'));
  if (!keyBlock) throw new TlsFileError(`${where} holds ${heldText(blocks)}, expected a private key (PEM PRIVATE KEY)`);
  try {
    return createPrivateKey(keyBlock.text);
  } catch {
    throw new TlsFileError(`${where} holds a damaged or truncated private key that cannot be parsed`);
  }
}

/**
 * A server's or client's own certificate given as the CA (a common slip): it
 * can vouch for nothing, so every connection would fail with "unknown CA".
 * A self-signed one may be trusted as it is, so it passes.
 */
function checkIsCa(file: TlsFileInput, certs: X509Certificate[]): void {
  if (certs.some((c) => c.ca || c.subject === c.issuer)) return;
  const names = (dn: string) => dn.split('\n').join(', ');
  const first = certs[0]!;
  throw new TlsFileError(
    `CA certificate ${file.path} (${file.origin}) holds the certificate of ${names(first.subject)}, which is no CA: give the certificate of the CA that issued it (${names(first.issuer)})`,
  );
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * Checks CA, client certificate and key before any connection. Returns
 * warnings (a client certificate that expires within 30 days); throws
 * TlsFileError for anything that cannot work.
 */
export function checkTlsFiles(files: { ca?: TlsFileInput; cert?: TlsFileInput; key?: TlsFileInput }, now = new Date()): string[] {
  const warnings: string[] = [];
  if (files.ca) checkIsCa(files.ca, parseCertificates(files.ca, 'CA certificate', pemBlocks(files.ca, 'CA certificate')));
  if (files.cert && files.key) {
    const [cert] = parseCertificates(files.cert, 'client certificate', pemBlocks(files.cert, 'client certificate'));
    const key = parseKey(files.key, pemBlocks(files.key, 'client key'));
    if (!cert!.checkPrivateKey(key)) {
      throw new TlsFileError(`client key ${files.key.path} (${files.key.origin}) does not match client certificate ${files.cert.path} (${files.cert.origin})`);
    }
    const notAfter = new Date(cert!.validTo);
    const notBefore = new Date(cert!.validFrom);
    const path = files.cert.path;
    if (now.getTime() > notAfter.getTime()) throw new TlsFileError(`client certificate ${path} expired on ${day(notAfter)}`, 3);
    if (now.getTime() < notBefore.getTime()) throw new TlsFileError(`client certificate ${path} is not valid before ${notBefore.toISOString().replace('.000Z', 'Z')}`, 3);
    const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
    if (daysLeft < WARN_DAYS) warnings.push(`warning: client certificate ${path} expires on ${day(notAfter)} (${daysLeft} days left)`);
  }
  return warnings;
}
