import { readMetric } from '../../metrics/read-metric.js';
import type { MemberState } from '../../cluster/types.js';
import { formatBinaryBytes, formatBytes } from '../../format/bytes.js';
import { clientTls } from '../../runbook/etcd-access.js';
import { patchNodeConfig, requireConfigs } from './config-file.js';
import { enforceQuorumRolling } from './rolling-guard.js';
import { guardRolling, rollingRestart, rollingSummary } from './rolling-restart.js';
import { liveMembers } from './live-members.js';
import { ServiceOpRefused, serviceWork, type ServiceDeps, type ServiceOperationRequest, type ServiceOpsContext } from './context.js';
import type { RestartResult } from './restart.js';

export { parseSize, QUOTA_SIZE_HINT } from './quota-size.js';

/** etcd's advice: above 8 GiB the backend gets slow to snapshot, defragment and recover. */
export const MAX_ADVISED_QUOTA = 8 * 1024 ** 3;

export interface QuotaResult {
  bytes: number;
  restarts: RestartResult[];
  /** etcd_server_quota_backend_bytes per member after the restart. */
  seen: Record<string, number>;
}

/** Writes quota-backend-bytes into every member's config, rolls the restart, then reads the quota back from each member's /metrics. */
export async function applyQuota(ctx: ServiceOpsContext, bytes: number, options: { force?: boolean } = {}): Promise<QuotaResult> {
  enforceQuorumRolling(await liveMembers(ctx), options.force ?? false, ctx.log);
  await requireConfigs(ctx.run.nodes);
  for (const node of ctx.run.nodes) {
    await patchNodeConfig(node, { 'quota-backend-bytes': bytes });
    ctx.log(`${node.spec.name}: quota-backend-bytes ${bytes} (${formatBinaryBytes(bytes)}) in the config`);
  }
  // Remembered with the runbook's state, so re-rendering the configs (phase 4 again, re-bootstrap) keeps it.
  ctx.run.state.update((state) => {
    state.quotaBackendBytes = bytes;
  });
  const restarts = await rollingRestart(ctx, { ...options, why: `quota ${formatBinaryBytes(bytes)}` });
  const seen = await quotaFromMetrics(ctx);
  const wrong = Object.entries(seen).filter(([, q]) => q !== bytes);
  if (wrong.length > 0) throw new Error(`after the restart the quota is not ${bytes} on ${wrong.map(([n, q]) => `${n} (${q})`).join(', ')}`);
  ctx.log(`every member reports etcd_server_quota_backend_bytes ${bytes}`);
  return { bytes, restarts, seen };
}

/** etcd_server_quota_backend_bytes from each node's /metrics (mTLS with the runbook's root client certificate). */
export async function quotaFromMetrics(ctx: ServiceOpsContext): Promise<Record<string, number>> {
  const tls = clientTls(ctx.run, 'root');
  const entries = await Promise.all(
    ctx.run.nodes.map(async (node) => {
      const text = await ctx.run.etcd.metricsText(node.spec.clientUrl, { tls, serverName: node.spec.tlsServerName ?? node.spec.name, timeoutMs: 5000 });
      const quota = readMetric(text, 'etcd_server_quota_backend_bytes');
      if (quota === undefined) throw new Error(`${node.spec.name}: /metrics has no etcd_server_quota_backend_bytes`);
      return [node.spec.name, quota] as const;
    }),
  );
  return Object.fromEntries(entries);
}

export function buildQuotaRequest(
  input: { cluster: string; members: MemberState[]; bytes: number; force?: boolean },
  deps: ServiceDeps,
): ServiceOperationRequest {
  const { bytes } = input;
  const force = input.force ?? false;
  const warnings: string[] = [];
  if (bytes > MAX_ADVISED_QUOTA) warnings.push(`${formatBinaryBytes(bytes)} is above the 8 GiB etcd advises (snapshots, defragment and recovery get slow)`);
  const largest = Math.max(0, ...input.members.map((m) => m.last?.dbSize ?? 0));
  if (bytes <= largest) warnings.push(`${formatBinaryBytes(bytes)} is not above the largest database (${formatBytes(largest)}): NOSPACE would be raised at once`);
  const verdict = guardRolling(input.members);
  if (!verdict.allowed) warnings.push(verdict.reason);
  if (warnings.length > 0 && !force) throw new ServiceOpRefused(`refused: ${warnings.join('; ')} (force overrides this, with the cluster name typed to confirm)`);
  const current = [...new Set(input.members.flatMap((m) => (m.quotaBytes === undefined ? [] : [formatBinaryBytes(m.quotaBytes)])))];
  return {
    action: 'quota',
    target: 'cluster',
    params: { bytes, force },
    summary: [
      `Set quota-backend-bytes of ${input.cluster} to ${bytes} (${formatBinaryBytes(bytes)})${current.length ? `, now ${current.join(' / ')}` : ''}, in every member's config; it takes effect as each member restarts.`,
      ...rollingSummary(input.cluster, input.members, deps),
      ...warnings.map((w) => `WARNING: ${w}.`),
    ],
    ...(warnings.length > 0 ? { typed: input.cluster } : {}),
    backupFirst: { need: 'required' },
    work: serviceWork(deps, (ctx) => applyQuota(ctx, bytes, { force })),
  };
}
