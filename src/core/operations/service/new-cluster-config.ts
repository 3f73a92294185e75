import type { RunContext } from '../../runbook/types.js';
import { initialClusterOf, type ConfigPatch } from './config-file.js';

/**
 * The initial-* settings of a cluster born again (restore, re-bootstrap):
 * every inventory node, state new, the new token. etcd ignores them once a
 * data dir exists; they are kept consistent with what the cluster was made from.
 */
export function configPatchForNewCluster(run: RunContext, token: string): ConfigPatch {
  return {
    'initial-cluster': initialClusterOf(run.inventory.nodes),
    'initial-cluster-state': 'new',
    'initial-cluster-token': token,
  };
}
