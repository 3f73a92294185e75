/**
 * What a restore does on one node: copy the snapshot there, `etcdutl
 * snapshot restore` into a data dir that does not exist yet, and later swap
 * it into place with the old one kept aside. Paths sit next to the data dir
 * (same filesystem: the swap is two renames).
 */
import { readFile } from 'node:fs/promises';
import { shq } from '../../shell-quote.js';
import type { NodeRuntime } from '../../runbook/node-runtime.js';
import { NODE_PATHS, p, realPath, transportPath } from '../../runbook/paths.js';
import { exec, mustExec } from '../../runbook/phases/common.js';

export interface RestorePaths {
  /** The restored data dir, before the swap. */
  fresh: string;
  /** Where the old data dir is kept. */
  aside: string;
  /** The snapshot's copy on the node (removed after the restore). */
  snapshot: string;
}

export function restorePaths(stamp: string): RestorePaths {
  const dir = NODE_PATHS.dataDir;
  return { fresh: `${dir}.restore-${stamp}`, aside: `${dir}.before-restore-${stamp}`, snapshot: `${dir}.restore-${stamp}.snapshot.db` };
}

export interface RestoreCluster {
  initialCluster: string;
  token: string;
}

export function restoreCommand(node: NodeRuntime, paths: RestorePaths, cluster: RestoreCluster): string {
  const fresh = p(node, paths.fresh);
  return [
    `if [ -e ${fresh} ]; then echo "${paths.fresh} exists already" >&2; exit 1; fi`,
    [
      p(node, NODE_PATHS.etcdutl),
      'snapshot restore',
      p(node, paths.snapshot),
      `--name ${shq(node.spec.name)}`,
      `--initial-cluster ${shq(cluster.initialCluster)}`,
      `--initial-cluster-token ${shq(cluster.token)}`,
      `--initial-advertise-peer-urls ${shq(node.spec.peerUrl)}`,
      `--data-dir ${fresh}`,
    ].join(' '),
    `chmod 700 ${fresh}`,
    ...(node.owner ? [`chown -R ${shq(node.owner)} ${fresh}`] : []),
  ].join(' && ');
}

/** Old data dir aside (if there is one), the fresh one into its place. */
export function swapCommand(node: NodeRuntime, paths: RestorePaths): string {
  const data = p(node, NODE_PATHS.dataDir);
  return `if [ -e ${data} ]; then mv ${data} ${p(node, paths.aside)}; fi && mv ${p(node, paths.fresh)} ${data}`;
}

/** The snapshot onto the node, 0600. Over SSH it goes through memory: the Transport has no streaming upload. */
export async function copySnapshotTo(node: NodeRuntime, file: string, path: string): Promise<void> {
  if (node.transport.copyFromLocal) {
    await node.transport.copyFromLocal(file, path);
    await mustExec(node, `chmod 600 ${p(node, path)}`, 'protecting the snapshot copy');
    return;
  }
  await node.transport.writeFile(transportPath(node, path), await readFile(file), { mode: 0o600, sudo: node.sudo });
}

export async function restoreOnNode(node: NodeRuntime, file: string, paths: RestorePaths, cluster: RestoreCluster): Promise<string> {
  await copySnapshotTo(node, file, paths.snapshot);
  try {
    await mustExec(node, restoreCommand(node, paths, cluster), 'etcdutl snapshot restore', { privileged: true, timeoutMs: 30 * 60_000 });
  } finally {
    await exec(node, `rm -f ${p(node, paths.snapshot)}`, { privileged: true }).catch(() => undefined);
  }
  return realPath(node, paths.fresh);
}

/** Undo of restoreOnNode when another node failed: nothing was stopped, the fresh dirs go. */
export async function removeFresh(node: NodeRuntime, paths: RestorePaths): Promise<void> {
  await exec(node, `rm -rf ${p(node, paths.fresh)} ${p(node, paths.snapshot)}`, { privileged: true }).catch(() => undefined);
}

export async function swapDataDir(node: NodeRuntime, paths: RestorePaths): Promise<void> {
  await mustExec(node, swapCommand(node, paths), 'swapping the restored data dir into place', { privileged: true });
}
