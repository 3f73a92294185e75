/** Builds the RunContext the engine and the operations work on, and closes it. */
import { findEtcdBinaries } from '../local/etcd-binaries.js';
import type { EtcdBinaries } from '../../core/ports/etcd-binaries.js';
import type { Inventory } from '../../core/inventory/types.js';
import { RunStateStore } from '../../core/runbook/run-state.js';
import { SecretRegistry } from '../../core/runbook/secrets.js';
import { parseRunbookSettings, type RunbookSettings } from '../../core/runbook/settings.js';
import type { RunContext } from '../../core/runbook/types.js';
import { etcdConnector } from '../etcd/etcd-connector.js';
import { etcdutlStatusReader } from '../local/etcdutl-status.js';
import { createNodeRuntimes, type NodeRuntimeOptions } from './node-runtimes.js';

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
    etcd: etcdConnector,
    snapshotStatus: etcdutlStatusReader(() => localBinaries().etcdutl),
    pinnedVersion: () => settings.etcdVersion ?? localBinaries().version,
    ...(options.prompt ? { prompt: options.prompt } : {}),
    scratch: new Map(),
  };
}

/** Closes every node connection (running etcd members are left running: they are services). */
export async function closeRunContext(ctx: RunContext): Promise<void> {
  await Promise.all(ctx.nodes.map((n) => n.transport.close().catch(() => undefined)));
}
