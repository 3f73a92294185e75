/** Service-level day-2 operations (issue #4): each a request builder for the TUI and the CLI, and the work it runs. */
export {
  serviceDeps,
  withDeps,
  serviceWork,
  ServiceOpRefused,
  DEFAULT_HEALTH_TIMEOUT_MS,
  type ServiceDeps,
  type ServiceOpsContext,
  type ServiceOpKind,
  type ServiceOperationRequest,
} from './context.js';
export { buildRestartRequest, restartMember, type RestartResult } from './restart.js';
export { buildRollingRestartRequest, rollingRestart, rollingOrder, guardRolling } from './rolling-restart.js';
export { buildRestoreRequest, restoreFromSnapshot, requireVerifiedSnapshot, type RestoreResult } from './restore.js';
export { buildRebootstrapRequest, rebootstrap, type RebootstrapResult } from './rebootstrap.js';
export { findFreshSnapshot, snapshotNow } from './fresh-snapshot.js';
export { buildReplaceMemberRequest, replaceMember, type ReplaceResult } from './replace-member.js';
export { buildQuotaRequest, applyQuota, parseSize, quotaFromMetrics, MAX_ADVISED_QUOTA, type QuotaResult } from './quota.js';
export { liveMembers } from './live-members.js';
