import type { MemberState } from '../../cluster/types.js';
import { NODE_PATHS, realPath } from '../../runbook/paths.js';
import { verifySnapshot, type SnapshotStatusReader, type SnapshotVerification } from '../../snapshot/verify.js';
import { SnapshotFileError } from '../../snapshot/file-shape.js';
import { describeSnapshot } from '../snapshot.js';
import { configPatchForNewCluster } from './new-cluster-config.js';
import { patchNodeConfig, requireConfigs } from './config-file.js';
import { newClusterToken, stampOf } from './cluster-token.js';
import { describeProof, proveRestore, type RestoreProof } from './restore-proof.js';
import { removeFresh, restoreOnNode, restorePaths, swapDataDir, type RestorePaths } from './restore-node.js';
import { runRunbookPhases } from './run-phases.js';
import { stopAllMembers } from './stop-all.js';
import { ServiceOpRefused, serviceWork, type ServiceDeps, type ServiceOperationRequest, type ServiceOpsContext } from './context.js';

type Verified = Extract<SnapshotVerification, { ok: true }>;

/** Trailer + etcdutl status; anything but a verified snapshot is refused (nothing has been touched yet). */
export async function requireVerifiedSnapshot(file: string, etcdutl: SnapshotStatusReader): Promise<Verified> {
  const verified = await verifySnapshot(file, etcdutl).catch((err: NodeJS.ErrnoException) => {
    // Type, size and header are checked before any byte is read: a 16 GiB sparse file is refused at once.
    if (err.code === 'ENOENT') throw new ServiceOpRefused(`no such snapshot file: ${file}`);
    if (err instanceof SnapshotFileError) throw new ServiceOpRefused(`refused: ${err.message}; nothing was stopped`);
    throw new ServiceOpRefused(`cannot read ${file}: ${err.message}`);
  });
  if (!verified.ok) throw new ServiceOpRefused(`refused: ${file}: ${verified.problem}; nothing was stopped`);
  return verified;
}

export interface RestoreOptions {
  file: string;
  /** Names the fresh and set-aside data dirs. */
  stamp: string;
  token: string;
}

export interface RestoreResult {
  snapshot: string;
  token: string;
  /** Where each node's old data dir is kept. */
  keptAside: Record<string, string>;
  proof: RestoreProof;
}

/**
 * Restores every member from the same snapshot (domain notes: fresh data
 * dirs, a new initial-cluster-token, no --force-new-cluster). The restore
 * into fresh dirs runs while the cluster still runs, so a failure there
 * stops nothing; only then are the members stopped and the dirs swapped.
 */
export async function restoreFromSnapshot(ctx: ServiceOpsContext, options: RestoreOptions): Promise<RestoreResult> {
  const snapshot = await requireVerifiedSnapshot(options.file, ctx.etcdutl());
  ctx.log(`verified ${describeSnapshot(snapshot)}`);
  const { run } = ctx;
  await requireConfigs(run.nodes);
  const paths = restorePaths(options.stamp);
  const cluster = configPatchForNewCluster(run, options.token);
  const restoreInput = { initialCluster: String(cluster['initial-cluster']), token: options.token };
  try {
    await Promise.all(
      run.nodes.map(async (node) => ctx.log(`${node.spec.name}: restored into ${await restoreOnNode(node, options.file, paths, restoreInput)}`)),
    );
  } catch (err) {
    await Promise.all(run.nodes.map((n) => removeFresh(n, paths)));
    throw new Error(`restore into fresh data dirs failed; nothing was stopped and the fresh dirs are removed: ${(err as Error).message}`, { cause: err });
  }

  await stopAllMembers(ctx);
  const keptAside: Record<string, string> = {};
  for (const node of run.nodes) {
    await swapDataDir(node, paths);
    keptAside[node.spec.name] = realPath(node, paths.aside);
    await patchNodeConfig(node, cluster);
    ctx.log(`${node.spec.name}: restored data in place; the old data dir is kept at ${keptAside[node.spec.name]}`);
  }
  try {
    await runRunbookPhases(ctx, [6]);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${rollbackHint(keptAside)}`, { cause: err });
  }
  const proof = await proveRestore(ctx, snapshot);
  ctx.log(describeProof(proof));
  return { snapshot: options.file, token: options.token, keptAside, proof };
}

function rollbackHint(keptAside: Record<string, string>): string {
  return `the old data dirs are kept (${Object.entries(keptAside).map(([n, d]) => `${n}: ${d}`).join(', ')}): to go back, stop every member and move each back to ${NODE_PATHS.dataDir}`;
}

export async function buildRestoreRequest(
  input: { cluster: string; members: MemberState[]; file: string; now?: Date },
  deps: ServiceDeps,
): Promise<ServiceOperationRequest> {
  const snapshot = await requireVerifiedSnapshot(input.file, deps.etcdutl());
  const now = input.now ?? new Date();
  const options: RestoreOptions = { file: input.file, stamp: stampOf(now), token: newClusterToken(deps.run.settings.clusterToken, now) };
  const paths: RestorePaths = restorePaths(options.stamp);
  return {
    action: 'restore',
    target: 'cluster',
    params: { file: input.file, revision: snapshot.revision, totalKeys: snapshot.totalKeys, token: options.token },
    summary: [
      `Restore ${input.cluster} from ${describeSnapshot(snapshot)}.`,
      `Every write after revision ${snapshot.revision} is lost; every member gets the same data.`,
      `1. on each node, etcdutl snapshot restore into ${paths.fresh} (new initial-cluster-token ${options.token}) while the cluster still runs`,
      `2. stop every member, the leader first: the cluster is down from here`,
      `3. move each ${NODE_PATHS.dataDir} aside to ${paths.aside} (kept, not deleted) and the restored dir into its place; set the new token in each config`,
      `4. start all members together, wait for one leader, then prove the revision and the keys match the snapshot`,
    ],
    typed: input.cluster,
    backupFirst: { need: 'if-reachable', exclude: input.file },
    work: serviceWork(deps, (ctx) => restoreFromSnapshot(ctx, options)),
  };
}
