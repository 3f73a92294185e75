/**
 * This machine's side of `certs status`: the runbook's PKI in its workdir
 * (the CA certificate and the client certificates it issued) and the
 * inventory's own client certificate when it lives elsewhere.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ObservedCert, ObservedPlace } from '../../core/certs/observed-certs.js';
import { FILE_LIMITS, readSmallTextFile } from '../../core/files/read-small-file.js';
import { localPki } from '../../core/runbook/local-pki.js';
import { LocalTransport } from '../local/local-transport.js';
import { shq } from '../../core/shell-quote.js';
import { checkKeys } from './key-check.js';

function readPem(file: string): { pem?: string; error?: string } {
  try {
    return { pem: readSmallTextFile(file, 'certificate', FILE_LIMITS.tls) };
  } catch (err) {
    return { error: (err as Error).message.split('\n')[0]! };
  }
}

export async function readLocalCerts(workdir: string, inventoryTls: { cacert?: string; cert?: string; key?: string }): Promise<ObservedPlace | undefined> {
  const pki = localPki(workdir);
  const pairs: Array<{ cert: string; key: string }> = [];
  const clientsDir = join(pki.dir, 'clients');
  if (existsSync(clientsDir)) {
    for (const name of readdirSync(clientsDir).filter((f) => f.endsWith('.crt')).sort()) {
      pairs.push({ cert: join(clientsDir, name), key: join(clientsDir, name.replace(/\.crt$/, '.key')) });
    }
  }
  if (inventoryTls.cert && inventoryTls.key && !pairs.some((pair) => resolve(pair.cert) === resolve(inventoryTls.cert!))) {
    pairs.push({ cert: inventoryTls.cert, key: inventoryTls.key });
  }
  const caFile = existsSync(pki.caCert) ? pki.caCert : inventoryTls.cacert;
  if (pairs.length === 0 && caFile === undefined) return undefined;
  const transport = new LocalTransport('/', 'this machine');
  try {
    const keys = await checkKeys(transport, pairs.map((pair) => ({ file: pair.key, word: shq(resolve(pair.key)) })), false);
    const leaves: ObservedCert[] = pairs.map((pair, i) => ({ kind: 'client', file: pair.cert, ...readPem(pair.cert), key: keys[i]! }));
    const ca: ObservedCert | undefined = caFile === undefined ? undefined : { kind: 'ca', file: caFile, ...readPem(caFile) };
    return { name: 'local', ...(ca ? { ca } : {}), leaves };
  } finally {
    await transport.close();
  }
}
