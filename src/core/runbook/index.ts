/** The runbook engine's public surface (the CLI command and the TUI sidebar use this). */
export { runRunbook, type RunOptions } from './engine.js';
export { parseRunbookSettings, type RunbookSettings } from './settings.js';
export { RUNBOOK_STEPS } from './phases/index.js';
export { PHASES, PHASE_TITLES, CLUSTER_TARGET, isPhaseNumber } from './types.js';
export type { PhaseNumber, Step, NodeStep, ClusterStep, RunContext, CheckResult } from './types.js';
export type { RunbookEvent, RunbookListener, RunReport, StepRecord, StepState, SkipReason, PhaseOutcome } from './events.js';
export { isSettled } from './events.js';
export type { PlannedAction } from './actions.js';
export { renderPlan, renderAction } from './plan-render.js';
export { reportText } from './report.js';
export { runCheckpoint, checkpointTable, patroniEtcd3Block } from './checkpoint.js';
export { CHECKPOINT_CHECKS, type CheckpointRow } from './checkpoint-rows.js';
export { cleanupBootstrap, cleanupPlan, type CleanupResult } from './cleanup.js';
export { exportCaKey, type ExportCaKeyOptions } from './ca-key-export.js';
export { adviceFor } from './advice.js';
export { RunbookFailure, classifyFailure, type FailureKind } from './failures.js';
export { recommendTuning } from './tuning.js';
