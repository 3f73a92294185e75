import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import { daysUntil } from '../../core/certs/expiry.js';

export interface ServerCertificate {
  subjectCN: string;
  notAfter: Date;
  /** Whole days left; negative once expired. */
  daysLeft: number;
  /** DNS names and IP addresses, as listed in the certificate. */
  sans: string[];
  issuerCN: string;
}

/**
 * The certificate a member presents in a real TLS handshake (etcd has no
 * expiry metric). The client cert is sent because with client-cert-auth the
 * handshake fails without one.
 *
 * The chain and the name are verified against the given CA after the
 * handshake rather than by `rejectUnauthorized`, so that an expired
 * certificate is still read and reported (daysLeft < 0) instead of only
 * failing with "certificate has expired". Any other verification failure rejects.
 */
export function fetchServerCertificate(
  endpoint: string,
  tls: { ca?: Buffer | string; cert?: Buffer | string; key?: Buffer | string },
  deadlineMs: number,
  serverName?: string,
): Promise<ServerCertificate> {
  const url = new URL(endpoint);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  const name = serverName ?? host;
  const options: ConnectionOptions = { host, port, ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: false };
  // An IP as SNI is not allowed (RFC 6066); Node would print a deprecation warning.
  if (isIP(name) === 0) options.servername = name;

  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect(options);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`TLS handshake with ${endpoint} timed out after ${deadlineMs} ms`)), deadlineMs);
    socket.on('error', (err) => fail(new Error(`TLS handshake with ${endpoint} failed: ${err.message}`)));
    socket.once('secureConnect', () => {
      // Node 20 hands the peer certificate out once: a second getPeerX509Certificate()
      // is undefined and getPeerCertificate() is then {}. Everything below uses this one.
      const x509 = socket.getPeerX509Certificate();
      if (!x509) return fail(new Error(`${endpoint} presented no certificate`));
      // Node checks the name itself only when the chain verified; the check below covers both.
      const chainError = socket.authorized ? undefined : String(socket.authorizationError);
      if (chainError && chainError !== 'CERT_HAS_EXPIRED' && chainError !== 'ERR_TLS_CERT_ALTNAME_INVALID') {
        return fail(new Error(`${endpoint} presented a certificate that does not verify: ${chainError}`));
      }
      const matches = isIP(name) === 0 ? x509.checkHost(name) : x509.checkIP(name);
      if (matches === undefined) return fail(new Error(`${endpoint} presented a certificate not valid for ${name}`));
      clearTimeout(timer);
      socket.end();
      resolve(describeCertificate(x509));
    });
  });
}

/** What the cockpit reads from a certificate the member presented. */
export function describeCertificate(x509: X509Certificate): ServerCertificate {
  const notAfter = new Date(x509.validTo);
  return {
    subjectCN: commonName(x509.subject),
    notAfter,
    daysLeft: daysUntil(notAfter),
    sans: (x509.subjectAltName ?? '')
      .split(', ')
      .filter((entry) => entry.startsWith('DNS:') || entry.startsWith('IP Address:'))
      .map((entry) => entry.slice(entry.indexOf(':') + 1)),
    issuerCN: commonName(x509.issuer),
  };
}

/** X509Certificate.subject is one "KEY=value" per line. */
function commonName(dn: string): string {
  const line = dn.split('\n').find((l) => l.startsWith('CN='));
  return line ? line.slice(3) : '';
}
