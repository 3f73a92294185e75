import { SshTransport } from '../../adapters/ssh/ssh-transport.js';
import { acceptHostKey, defaultKnownHostsPath } from '../../adapters/ssh/host-keys.js';
import { HostKeyError } from '../../core/errors/host-key-error.js';
import type { Inventory } from '../../core/inventory/types.js';
import { parseRunbookSettings } from '../../core/runbook/settings.js';
import { confirmInCli } from '../confirm.js';

/**
 * `etcd-cockpit trust-hosts -f cluster.yaml`: connects to every SSH node,
 * shows each unknown host key's SHA256 fingerprint (compare it with
 * `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the host) and adds it
 * to known_hosts only when the user types the node name. A changed key is
 * never accepted here: it is reported and the command fails.
 */
export async function runTrustHosts(inventory: Inventory, yes: boolean, say = (l: string) => void process.stdout.write(l + '\n')): Promise<number> {
  const knownHosts = parseRunbookSettings(inventory).knownHosts ?? defaultKnownHostsPath();
  let failed = 0;
  for (const node of inventory.nodes) {
    if (!node.ssh) continue;
    const transport = new SshTransport(node.ssh, { knownHostsPath: knownHosts });
    try {
      await transport.exec('true', { timeoutMs: 10_000 });
      say(`${node.name}: host key already known`);
    } catch (err) {
      if (!(err instanceof HostKeyError)) {
        say(`${node.name}: ${(err as Error).message}`);
        failed++;
        continue;
      }
      if (err.kind !== 'unknown') {
        say(`${node.name}: ${err.message}`);
        failed++;
        continue;
      }
      const accepted = await confirmInCli({
        summary: `${node.name} (${err.host}:${err.port}) presents a ${err.keyType} host key ${err.fingerprint}, not in ${knownHosts}.\nCompare it with \`ssh-keygen -lf\` of the host's public key before you accept it.`,
        typed: node.name,
        yes,
      });
      if (!accepted) {
        say(`${node.name}: not trusted`);
        failed++;
        continue;
      }
      await acceptHostKey(knownHosts, err.host, err.port, err.keyType, err.keyBase64);
      say(`${node.name}: ${err.fingerprint} added to ${knownHosts}`);
    } finally {
      await transport.close();
    }
  }
  return failed === 0 ? 0 : 1;
}
