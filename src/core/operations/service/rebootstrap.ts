import type { MemberState } from '../../cluster/types.js';
import { cleanupBootstrap } from '../../runbook/cleanup.js';
import { NODE_PATHS } from '../../runbook/paths.js';
import { describeSnapshot } from '../snapshot.js';
import { newClusterToken } from './cluster-token.js';
import { patchNodeConfig, requireConfigs } from './config-file.js';
import { snapshotNow, type VerifiedSnapshot } from './fresh-snapshot.js';
import { configPatchForNewCluster } from './new-cluster-config.js';
import { runRunbookPhases } from './run-phases.js';
import { stopAllMembers } from './stop-all.js';
import { serviceWork, type ServiceDeps, type ServiceOperationRequest, type ServiceOpsContext } from './context.js';

export interface RebootstrapOptions {
  cluster: string;
  /** Where a backup goes when the runner did not take one (a call outside runOperation). */
  snapshotDir: string;
  token: string;
}

export interface RebootstrapResult {
  backup: string;
  token: string;
}

/**
 * The bootstrap runbook's last resort (Troubleshooting: bootstrap clean-up,
 * auth lockout): stop all, empty every data dir, start all inside the
 * bootstrap window with a new cluster token, recreate the RBAC users and
 * roles. Only with a verified snapshot in hand: all data is erased.
 */
export async function rebootstrap(ctx: ServiceOpsContext, options: RebootstrapOptions, taken?: VerifiedSnapshot): Promise<RebootstrapResult> {
  await requireConfigs(ctx.run.nodes);
  let backup = taken;
  if (!backup) {
    backup = await snapshotNow(ctx, { cluster: options.cluster, dir: options.snapshotDir, etcdutl: ctx.etcdutl() });
    ctx.log(`backup: ${describeSnapshot(backup)}`);
  }
  const { run } = ctx;
  const patch = configPatchForNewCluster(run, options.token);
  for (const node of run.nodes) await patchNodeConfig(node, patch);
  ctx.log(`new initial-cluster-token ${options.token} in every member's config`);

  await stopAllMembers(ctx);
  const cleaned = await cleanupBootstrap(run);
  const failed = cleaned.filter((c) => c.error !== undefined);
  if (failed.length > 0) throw new Error(`clean-up failed: ${failed.map((c) => `${c.node}: ${c.error}`).join('; ')}`);
  ctx.log(`stopped every member and emptied ${NODE_PATHS.dataDir} on ${cleaned.map((c) => c.node).join(', ')}`);

  await runRunbookPhases(ctx, [6, 7]);
  ctx.log(`re-bootstrapped; the data from before is in ${backup.file} (restore it to bring it back)`);
  return { backup: backup.file, token: options.token };
}

export function buildRebootstrapRequest(input: { cluster: string; members: MemberState[]; snapshotDir: string; now?: Date }, deps: ServiceDeps): ServiceOperationRequest {
  const now = input.now ?? new Date();
  const options: RebootstrapOptions = {
    cluster: input.cluster,
    snapshotDir: input.snapshotDir,
    token: newClusterToken(deps.run.settings.clusterToken, now),
  };
  return {
    action: 'rebootstrap',
    target: 'cluster',
    params: { token: options.token },
    summary: [
      `Re-bootstrap ${input.cluster}: ALL DATA IS ERASED, Patroni's state included (a running Patroni fails over PostgreSQL).`,
      `1. set a new initial-cluster-token (${options.token}) in every member's config`,
      `2. stop every member and empty ${NODE_PATHS.dataDir} (runbook: bootstrap clean-up)`,
      `3. start all members together inside the bootstrap window; wait for one leader`,
      `4. recreate users root and patroni, patroni-role readwrite on /service/, enable auth, prove it (passwords from the runbook's sources)`,
    ],
    typed: input.cluster,
    backupFirst: { need: 'required' },
    work: serviceWork(deps, (ctx, prior) => rebootstrap(ctx, options, prior?.backup)),
  };
}
