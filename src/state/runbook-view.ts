import type { RunbookEvent, SkipReason, StepState } from '../core/runbook/events.js';
import type { CheckpointRow } from '../core/runbook/checkpoint-rows.js';
import type { PhaseNumber } from '../core/runbook/types.js';

export interface StepCell {
  state: StepState;
  skip?: SkipReason;
  /** done-by-check, not applicable, or why it failed. */
  note?: string;
  advice?: string;
}

export interface RunbookStepRow {
  id: string;
  phase: PhaseNumber;
  title: string;
  /** Node names, or ['cluster']. */
  targets: string[];
}

/** What the runbook sidebar shows: every step per node, the log tail, the checkpoint. */
export interface RunbookView {
  steps: RunbookStepRow[];
  cells: Record<string, StepCell>;
  log: string[];
  running: boolean;
  dryRun: boolean;
  outcome?: 'done' | 'failed' | 'dry-run';
  checkpoint?: CheckpointRow[];
  failedAdvice?: string;
  /** The ready-to-paste Patroni `etcd3:` block, once the run is done. */
  patroni?: string;
}

const MAX_LOG = 300;

export function cellKey(stepId: string, target: string): string {
  return `${stepId}@${target}`;
}

export function emptyRunbookView(steps: RunbookStepRow[]): RunbookView {
  return { steps, cells: {}, log: [], running: false, dryRun: false };
}

/** Folds one engine event into the view (pure). */
export function applyRunbookEvent(view: RunbookView, event: RunbookEvent): RunbookView {
  switch (event.type) {
    case 'run-started':
      return { ...view, running: true, dryRun: event.dryRun, outcome: undefined, failedAdvice: undefined, log: addLog(view.log, `run started: phases ${event.phases.join(', ')}${event.dryRun ? ' (dry run)' : ''}`) };
    case 'phase-started':
      return { ...view, log: addLog(view.log, `phase ${event.phase}: ${event.title}`) };
    case 'step-state': {
      const note = event.error ?? (event.skip === 'done-by-check' ? 'already done' : event.skip === 'not-applicable' ? event.detail : event.detail);
      const cells = { ...view.cells, [cellKey(event.stepId, event.target)]: { state: event.state, skip: event.skip, note, advice: event.advice } };
      const line = event.state === 'failed' ? `FAILED ${event.stepId} on ${event.target}: ${event.error ?? ''}` : undefined;
      return { ...view, cells, log: line ? addLog(view.log, line) : view.log, failedAdvice: event.advice ?? view.failedAdvice };
    }
    case 'plan':
      return { ...view, log: addLog(view.log, ...`${event.stepId} on ${event.target}:\n${event.text}`.split('\n')) };
    case 'output':
      return { ...view, log: addLog(view.log, ...event.chunk.replace(/\n$/, '').split('\n').map((l) => `${event.target}: ${l}`)) };
    case 'action':
      return { ...view, log: addLog(view.log, `${event.target}: ${event.ok ? 'ok' : 'FAILED'} ${event.what}`) };
    case 'warning':
      return { ...view, log: addLog(view.log, `warning: ${event.message}`) };
    case 'checkpoint':
      return { ...view, checkpoint: event.rows };
    case 'phase-finished':
      return view;
    case 'run-finished':
      return { ...view, running: false, outcome: event.report.outcome, log: addLog(view.log, `run ${event.report.outcome} in ${(event.report.elapsedMs / 1000).toFixed(1)} s`) };
  }
}

function addLog(log: string[], ...lines: string[]): string[] {
  return [...log, ...lines.map(printable)].slice(-MAX_LOG);
}

/** Command output may carry tabs, carriage returns and colour codes that would break the frame. */
function printable(line: string): string {
  return line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\t/g, '  ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}
