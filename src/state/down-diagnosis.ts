import type { Inventory } from '../core/inventory/types.js';
import type { MemberState } from '../core/cluster/types.js';
import type { CockpitStore } from './store.js';

const DOWN = new Set(['timeout', 'unreachable', 'error']);

/** Down for two polls in a row (one late answer is not an outage). */
function confirmedDown(m: MemberState): boolean {
  return DOWN.has(m.health) && (m.strikes ?? 0) >= 2;
}

/**
 * When a member goes down, asks its node why, once per outage: the service
 * state and the telling line of its log ("no space left on device", a port
 * in use, a panic), said in the events pane. A connection refused alone does
 * not tell an operator whether etcd crashed, was stopped, or cannot start.
 * Needs the inventory's way in (runbook: section or SSH). Returns the stop.
 */
export function watchDownMembers(store: CockpitStore, inventory: Inventory): () => void {
  if (!inventory.runbook && !inventory.nodes.some((n) => n.ssh)) return () => undefined;
  let stopped = false;
  const asked = new Set<string>();
  const check = (members: Record<string, MemberState>): void => {
    for (const m of Object.values(members)) {
      if (!confirmedDown(m)) {
        if (m.health === 'ok' || m.health === 'degraded') asked.delete(m.endpoint);
        continue;
      }
      if (asked.has(m.endpoint)) continue;
      asked.add(m.endpoint);
      void diagnose(m).catch(() => undefined);
    }
  };
  const diagnose = async (member: MemberState): Promise<void> => {
    // The node runtimes bring ssh2: loaded only when a member is down.
    const [{ createNodeRuntimes }, { parseRunbookSettings }, { downCause }] = await Promise.all([
      import('../adapters/runbook/node-runtimes.js'),
      import('../core/runbook/settings.js'),
      import('../core/cluster/down-cause.js'),
    ]);
    const spec = inventory.nodes.find((n) => n.name === member.name) ?? inventory.nodes.find((n) => n.clientUrl === member.endpoint);
    if (!spec) return;
    const node = createNodeRuntimes({ ...inventory, nodes: [spec] }, parseRunbookSettings(inventory))[0];
    if (!node || (!inventory.runbook && node.kind !== 'ssh')) return;
    try {
      const status = await node.service.status();
      const tail = await node.service.logsTail(40).catch((err: Error) => `(cannot read the log: ${err.message})`);
      if (!stopped) store.getState().addEvent(`${member.name} down: ${downCause(status, tail)}`, 'critical');
    } catch (err) {
      if (!stopped) store.getState().addEvent(`${member.name} down; its node was not reached to ask why (${node.transport.label}): ${(err as Error).message.split('\n')[0]}`, 'warning');
    } finally {
      await node.transport.close().catch(() => undefined);
    }
  };
  check(store.getState().members);
  const unsubscribe = store.subscribe((after, before) => {
    if (after.members !== before.members) check(after.members);
  });
  return () => {
    stopped = true;
    unsubscribe();
  };
}
