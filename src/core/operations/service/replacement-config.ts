import type { NodeRuntime } from '../../runbook/node-runtime.js';
import { memberConfigText } from '../../runbook/phases/phase4-config.js';
import type { RunContext } from '../../runbook/types.js';
import { configValue, patchConfigText, readNodeConfig, type ConfigPatch } from './config-file.js';

/** Settings a day-2 operation may have changed in the config on the node: they survive the re-render. */
const CARRIED = ['quota-backend-bytes', 'initial-cluster-token'] as const;

/**
 * The config of a member joining an existing cluster: phase 4's rendering
 * (renderMemberConfig) with `initial-cluster-state: existing` and the member
 * list as etcd has it now, keeping a raised quota and the current token.
 */
export async function replacementConfig(run: RunContext, node: NodeRuntime, initialCluster: string): Promise<string> {
  const current = await readNodeConfig(node);
  const carried: ConfigPatch = {};
  for (const key of CARRIED) {
    const value = current === undefined ? undefined : configValue(current, key);
    if (typeof value === 'string' || typeof value === 'number') carried[key] = value;
  }
  return patchConfigText(memberConfigText(run, node), { ...carried, 'initial-cluster-state': 'existing', 'initial-cluster': initialCluster });
}
