import type { Inventory } from '../../../core/inventory/types.js';
import { UsageError } from '../../usage-error.js';

/** Without a runbook: section a node is reached only over SSH; say which node has no way in before connecting anywhere. */
export function refuseNodesWithoutTransport(inventory: Inventory): void {
  if (inventory.runbook) return;
  const lacking = inventory.nodes.find((n) => !n.ssh);
  if (lacking) throw new UsageError(`certs: node ${lacking.name} has no ssh: block and the inventory no runbook: section, so its files cannot be read`);
}
