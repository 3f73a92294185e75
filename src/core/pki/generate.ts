/**
 * PKI generation for etcd clusters.
 *
 *   generatePki(spec: PkiSpec): Promise<GeneratedPki>
 *     Whole generation in a worker_thread (RSA keys are native, but forge's
 *     signing is pure JS: ~0.25 s per signature with a 4096-bit CA key).
 *   generatePkiSync(spec: PkiSpec): GeneratedPki
 *     Same, in the calling thread.
 *   issueClientCert(ca: CertAndKey, cn: string, opts?: { days?, bits?, now? }): CertAndKey
 *     One more client cert (clientAuth only) from an existing CA, in the calling thread.
 *
 * Result: CA RSA 4096 / 3650 days, CN "etcd-ca" (+ O=org); per node a server and a
 * peer cert (RSA 2048 / 1825 days, CN = node name, SANs = node IP, 127.0.0.1,
 * name, name.domain; serverAuth + clientAuth); client certs (clientAuth only,
 * CN = etcd user name; gatewayClients get no CN, for etcd's JSON gateway). All SHA-256 signed. Keys are PKCS#8 PEM.
 * notBefore is backdated by CLOCK_SKEW_MS (5 min) to tolerate clock skew.
 */
import { Worker } from 'node:worker_threads';
import { buildPki, type GeneratedPki, type PkiSpec } from './forge-certs.js';

export type { CertAndKey, GeneratedPki, LeafOptions, PkiNodeSpec, PkiSpec } from './forge-certs.js';
export { CLOCK_SKEW_MS, createCa, issueClientCert, issueGatewayClientCert, issueNodeCerts } from './forge-certs.js';

export function generatePkiSync(spec: PkiSpec): GeneratedPki {
  return buildPki(spec);
}

/**
 * Only compiled output (dist/**.js) has a runnable worker.js next to it. Under
 * vitest this module is the .ts source, so generation runs in-process there.
 */
const workerAvailable = import.meta.url.endsWith('.js');

export function generatePki(spec: PkiSpec): Promise<GeneratedPki> {
  if (!workerAvailable) {
    return new Promise((resolve) => resolve(buildPki(spec)));
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: spec });
    let settled = false;
    worker.once('message', (pki: GeneratedPki) => {
      settled = true;
      resolve(pki);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`pki worker exited with code ${code} before returning a result`));
    });
  });
}
