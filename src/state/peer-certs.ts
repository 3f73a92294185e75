import { X509Certificate } from 'node:crypto';
import type { Inventory } from '../core/inventory/types.js';
import { daysUntil } from '../core/certs/expiry.js';
import type { CockpitStore } from './store.js';

export const PEER_CERT_EVERY_MS = 10 * 60_000;

/**
 * Reads each node's peer certificate (the inventory's peerCert, by default
 * /etc/etcd/pki/peer.crt where the runbook puts it) over the inventory's SSH access, or from a local node's
 * directory, every `everyMs`: etcd never shows the peer certificate to
 * clients, so the handshake cannot tell. A node that cannot be read is said
 * once in the events pane, not on every round. Returns the stop.
 */
export function watchPeerCertificates(store: CockpitStore, inventory: Inventory, everyMs = PEER_CERT_EVERY_MS): () => void {
  if (!inventory.runbook && !inventory.nodes.some((n) => n.ssh)) return () => undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const reported = new Set<string>();
  const round = async (): Promise<void> => {
    // The runbook's node runtimes bring ssh2: load them only once the screen is up.
    const [{ createNodeRuntimes }, { parseRunbookSettings }, { pkiPath, transportPath }] = await Promise.all([
      import('../adapters/runbook/node-runtimes.js'),
      import('../core/runbook/settings.js'),
      import('../core/runbook/paths.js'),
    ]);
    // Without a runbook section, only nodes reached over SSH have the runbook's layout to read.
    const nodes = createNodeRuntimes(inventory, parseRunbookSettings(inventory)).filter((n) => inventory.runbook || n.kind === 'ssh');
    await Promise.all(
      nodes.map(async (node) => {
        const path = node.spec.peerCert ?? pkiPath('peer.crt');
        try {
          const pem = await node.transport.readFile(transportPath(node, path), { sudo: node.sudo });
          const notAfter = new Date(new X509Certificate(pem).validTo);
          if (!stopped) store.getState().setPeerCert(node.spec.clientUrl, { daysLeft: daysUntil(notAfter), notAfter: notAfter.toISOString(), path });
          reported.delete(node.spec.name);
        } catch (err) {
          if (stopped || reported.has(node.spec.name)) return;
          reported.add(node.spec.name);
          const why = (err as Error).message.split('\n')[0];
          store.getState().addEvent(`peer certificate of ${node.spec.name} not read (${node.transport.label}): ${why}`, 'warning');
        } finally {
          await node.transport.close().catch(() => undefined);
        }
      }),
    );
  };
  const loop = (): void => {
    if (stopped) return;
    void round()
      .catch(() => undefined)
      .finally(() => {
        if (stopped) return;
        timer = setTimeout(loop, everyMs);
        timer.unref?.();
      });
  };
  loop();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
