import type { RequestOptions } from 'node:https';
import { checkServerIdentity } from 'node:tls';
import type { TlsMaterial } from '../../core/tls/material.js';

/**
 * Fetches a member's Prometheus text from /metrics on its client URL. mTLS
 * applies there (same client certificate); RBAC does not.
 */
export async function fetchMetricsText(
  endpoint: string,
  tls: TlsMaterial,
  deadlineMs: number,
  serverName?: string,
): Promise<string> {
  const url = new URL('/metrics', endpoint);
  // Over TLS the poller reads /metrics on its HTTP/2 connection: Node's HTTP/1 client loads only for a plain-HTTP member.
  const { get } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const options: RequestOptions = { timeout: deadlineMs, ca: tls.ca, cert: tls.cert, key: tls.key };
    if (serverName) {
      options.servername = serverName;
      options.checkServerIdentity = (_host, cert) => checkServerIdentity(serverName, cert);
    }
    const req = get(url, options, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`/metrics answered HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('/metrics timed out')));
    req.on('error', reject);
  });
}
