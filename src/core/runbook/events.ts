/** What the engine tells its listener (the TUI sidebar, the CLI printer, tests). */
import type { PlannedAction } from './actions.js';
import type { CheckpointRow } from './checkpoint-rows.js';
import type { FailureKind } from './failures.js';
import type { PhaseNumber } from './types.js';

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

/** Why a step was skipped. */
export type SkipReason = 'done-by-check' | 'not-applicable' | 'dry-run';

export type OutputStream = 'stdout' | 'stderr' | 'info';

export interface StepRef {
  stepId: string;
  phase: PhaseNumber;
  /** Node name, or 'cluster' for a cluster-scope step. */
  target: string;
}

export interface StepStateEvent extends StepRef {
  type: 'step-state';
  state: StepState;
  skip?: SkipReason;
  /** Check result, not-applicable reason or apply result. */
  detail?: string;
  error?: string;
  failure?: FailureKind;
  advice?: string;
}

export type RunbookEvent =
  | { type: 'run-started'; phases: PhaseNumber[]; dryRun: boolean; nodes: string[]; steps: Array<StepRef & { title: string }> }
  | { type: 'phase-started'; phase: PhaseNumber; title: string }
  | StepStateEvent
  | (StepRef & { type: 'plan'; actions: PlannedAction[]; text: string })
  | (StepRef & { type: 'output'; stream: OutputStream; chunk: string })
  /** One command or file write a step actually performed, and whether it worked. */
  | (StepRef & { type: 'action'; what: string; ok: boolean })
  | (StepRef & { type: 'warning'; message: string })
  | { type: 'checkpoint'; rows: CheckpointRow[] }
  | { type: 'phase-finished'; phase: PhaseNumber; outcome: PhaseOutcome }
  | { type: 'run-finished'; report: RunReport };

export type PhaseOutcome = 'done' | 'failed' | 'dry-run' | 'not-run';

export type RunbookListener = (event: RunbookEvent) => void;

export interface StepRecord extends Omit<StepStateEvent, 'type'> {
  title: string;
}

export interface RunReport {
  outcome: 'done' | 'failed' | 'dry-run';
  dryRun: boolean;
  phases: PhaseNumber[];
  /** Every step on every target, in run order, with its final state. */
  records: StepRecord[];
  /** The first failure (the run stops there). */
  failed?: StepRecord;
  warnings: string[];
  elapsedMs: number;
}

/** A record counts as done when applied now or found done by its check (or not applicable). */
export function isSettled(record: StepRecord): boolean {
  switch (record.state) {
    case 'done':
      return true;
    case 'skipped':
      return record.skip !== 'dry-run';
    case 'pending':
    case 'running':
    case 'failed':
      return false;
  }
}
