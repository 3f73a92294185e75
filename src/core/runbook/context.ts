/** Builds the RunContext the engine and the operations work on, and closes it. */
import { findEtcdBinaries, type EtcdBinaries } from '../../adapters/local/etcd-binaries.js';
import type { Inventory } from '../inventory/types.js';
import { createNodeRuntimes, type NodeRuntimeOptions } from './node-runtime.js';
import { RunStateStore } from './run-state.js';
import { SecretRegistry } from './secrets.js';
import { parseRunbookSettings, type RunbookSettings } from './settings.js';
import type { RunContext } from './types.js';

export interface RunContextOptions extends NodeRuntimeOptions {
  inventory: Inventory;
  /** Default: parsed from inventory.runbook. */
  settings?: RunbookSettings;
  prompt?: (question: string) => Promise<string>;
}

export function createRunContext(options: RunContextOptions): RunContext {
  const { inventory } = options;
  const settings = options.settings ?? parseRunbookSettings(inventory);
  let binaries: EtcdBinaries | undefined;
  const localBinaries = () => (binaries ??= findEtcdBinaries());
  return {
    inventory,
    settings,
    workdir: settings.workdir,
    nodes: createNodeRuntimes(inventory, settings, options),
    state: new RunStateStore(settings.workdir),
    secrets: new SecretRegistry(),
    localBinaries,
    pinnedVersion: () => settings.etcdVersion ?? localBinaries().version,
    ...(options.prompt ? { prompt: options.prompt } : {}),
    scratch: new Map(),
  };
}

/** Closes every node connection (running etcd members are left running: they are services). */
export async function closeRunContext(ctx: RunContext): Promise<void> {
  await Promise.all(ctx.nodes.map((n) => n.transport.close().catch(() => undefined)));
}
