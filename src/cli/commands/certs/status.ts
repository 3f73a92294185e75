/**
 * `etcd-cockpit certs status -f cluster.yaml [-o json]`: every certificate on
 * every node and in this machine's PKI, read-only (no lock, no etcd
 * connection: it works while the cluster is down). Exit 0 all good, 1 a
 * warning, 3 expired, unreadable or a key that does not fit.
 */
import { readLocalCerts } from '../../../adapters/certs/read-local-certs.js';
import { readNodeCerts } from '../../../adapters/certs/read-node-certs.js';
import { checkCertificates, type CertReport } from '../../../core/certs/cert-check.js';
import type { Inventory } from '../../../core/inventory/types.js';
import { closeRunContext, createRunContext } from '../../../adapters/runbook/run-context.js';
import { certStatusJson, certStatusLines } from './print-status.js';
import { refuseNodesWithoutTransport } from './node-transport.js';

export async function collectCertReport(inventory: Inventory, now: Date = new Date()): Promise<CertReport> {
  refuseNodesWithoutTransport(inventory);
  const run = createRunContext({ inventory });
  try {
    const nodes = await Promise.all(run.nodes.map((node) => readNodeCerts(node)));
    const local = await readLocalCerts(run.workdir, inventory.tls);
    return checkCertificates([...(local ? [local] : []), ...nodes], now);
  } finally {
    await closeRunContext(run);
  }
}

export async function runCertsStatus(inventory: Inventory, output: 'table' | 'json', out: (line: string) => void): Promise<number> {
  const report = await collectCertReport(inventory);
  if (output === 'json') out(certStatusJson(report));
  else for (const line of certStatusLines(report)) out(line);
  return report.exitCode;
}
