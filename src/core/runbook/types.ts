/**
 * Phases and steps are data: each step says what it is, how to tell it is
 * already done on a node (check), what it would run (plan), how to do it
 * (apply) and what the runbook advises when it fails (advice).
 */
import type { Inventory } from '../inventory/types.js';
import type { EtcdBinaries } from '../ports/etcd-binaries.js';
import type { EtcdConnector } from '../ports/etcd-connector.js';
import type { SnapshotStatusReader } from '../snapshot/verify.js';
import type { PlannedAction } from './actions.js';
import type { NodeRuntime } from './node-runtime.js';
import type { RunStateStore } from './run-state.js';
import type { SecretRegistry } from './secrets.js';
import type { RunbookSettings } from './settings.js';
import type { CheckpointRow } from './checkpoint-rows.js';

export const PHASES = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;
export type PhaseNumber = (typeof PHASES)[number];

export const PHASE_TITLES: Record<PhaseNumber, string> = {
  0: 'Preflight',
  1: 'Install etcd',
  2: 'User and directories',
  3: 'TLS certificates',
  4: 'etcd configuration',
  5: 'systemd unit',
  6: 'Bootstrap the cluster',
  7: 'RBAC for Patroni',
  8: 'Verification checkpoint',
};

export function isPhaseNumber(n: number): n is PhaseNumber {
  return (PHASES as readonly number[]).includes(n);
}

export type CheckResult = { done: true; detail?: string } | { done: false; reason?: string };

/** What every step context offers besides its data. */
export interface StepIo {
  /** A line for the step's log (secrets are redacted on the way out). */
  log(text: string): void;
  /** Something the operator should know that does not stop the run. */
  warn(message: string): void;
  /** Checkpoint rows, as they are computed (phase 8). */
  checkpoint(rows: CheckpointRow[]): void;
}

export interface RunContext {
  inventory: Inventory;
  settings: RunbookSettings;
  /** Absolute; see workdirLayout(). */
  workdir: string;
  nodes: NodeRuntime[];
  state: RunStateStore;
  secrets: SecretRegistry;
  /** etcd/etcdctl/etcdutl 3.5 on this machine (the ones installed onto the nodes). */
  localBinaries(): EtcdBinaries;
  /** `etcdutl snapshot status` with the local etcdutl: verifies snapshots. */
  snapshotStatus: SnapshotStatusReader;
  /** Opens etcd clients from the PKI files the runbook wrote. */
  etcd: EtcdConnector;
  /** The pinned etcd version: runbook.etcdVersion, else the local binaries' version. */
  pinnedVersion(): string;
  /** Asks the operator for a secret (passwords with `prompt: true`); absent in non-interactive runs. */
  prompt?: (question: string) => Promise<string>;
  /** Values one step hands to a later step of the same run (preflight measurements). */
  scratch: Map<string, unknown>;
}

export interface NodeStepContext extends StepIo {
  run: RunContext;
  node: NodeRuntime;
}

export interface ClusterStepContext extends StepIo {
  run: RunContext;
  nodes: NodeRuntime[];
}

interface StepBase {
  /** Stable id, e.g. `pki.deploy`. */
  id: string;
  title: string;
  phase: PhaseNumber;
  /** The runbook's troubleshooting text for a failure of this step. */
  advice(error: unknown): string;
  /**
   * Doing it twice is harmless (mkdir -p, atomic file writes, read-only probes):
   * when a remote command of it is lost with the connection, the engine runs
   * the step once more (check, then apply). Unset: a lost command fails the step.
   */
  idempotent?: boolean;
}

export interface NodeStep extends StepBase {
  scope: 'node';
  /** A reason when the step does not apply to this node (it is then skipped). */
  notApplicable?(ctx: NodeStepContext): string | undefined;
  check(ctx: NodeStepContext): Promise<CheckResult>;
  plan(ctx: NodeStepContext): Promise<PlannedAction[]>;
  /** Resolves to an optional detail line for the UI. */
  apply(ctx: NodeStepContext): Promise<string | void>;
}

export interface ClusterStep extends StepBase {
  scope: 'cluster';
  notApplicable?(ctx: ClusterStepContext): string | undefined;
  check(ctx: ClusterStepContext): Promise<CheckResult>;
  plan(ctx: ClusterStepContext): Promise<PlannedAction[]>;
  apply(ctx: ClusterStepContext): Promise<string | void>;
}

export type Step = NodeStep | ClusterStep;

/** The target of a cluster-scope step in events and reports. */
export const CLUSTER_TARGET = 'cluster';
