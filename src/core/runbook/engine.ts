/**
 * Runs runbook steps in order: per node in parallel for node steps, once for
 * cluster steps. Every step is checked first and skipped when already done
 * (a rerun never redoes finished work); the first failure stops the run, and
 * the report says exactly which steps are done and which are not. A dry run
 * only plans: it touches no node and no file.
 */
import { mkdirSync } from 'node:fs';
import { isCommandLost } from '../errors/command-lost.js';
import { errorMessage } from './error-message.js';
import { classifyFailure } from './failures.js';
import { registerLocalKeys } from './local-pki.js';
import { registerKnownPasswords } from './passwords.js';
import { withTransport, type NodeRuntime } from './node-runtime.js';
import { RUNBOOK_STEPS } from './phases/index.js';
import { renderPlan } from './plan-render.js';
import { RecordingTransport } from './recording-transport.js';
import type { PhaseOutcome, RunReport, RunbookEvent, RunbookListener, StepRecord } from './events.js';
import {
  CLUSTER_TARGET,
  PHASES,
  PHASE_TITLES,
  type CheckResult,
  type ClusterStepContext,
  type NodeStepContext,
  type PhaseNumber,
  type RunContext,
  type Step,
  type StepIo,
} from './types.js';
import type { PlannedAction } from './actions.js';

export interface RunOptions {
  /** Phases to run, in order (default: all). */
  phases?: readonly PhaseNumber[];
  dryRun?: boolean;
  listener?: RunbookListener;
  /** The step list (default: RUNBOOK_STEPS). */
  steps?: readonly Step[];
}

/** A step bound to one target, with the context it runs in and the recorder on its transport(s). */
interface BoundTarget {
  record: StepRecord;
  recorders: RecordingTransport[];
  idempotent: boolean;
  notApplicable(): string | undefined;
  check(): Promise<CheckResult>;
  plan(): Promise<PlannedAction[]>;
  apply(): Promise<string | void>;
  advice(err: unknown): string;
}

export async function runRunbook(ctx: RunContext, options: RunOptions = {}): Promise<RunReport> {
  const started = Date.now();
  const dryRun = options.dryRun ?? false;
  const phases = [...(options.phases ?? PHASES)].sort((a, b) => a - b);
  const steps = (options.steps ?? RUNBOOK_STEPS).filter((s) => phases.includes(s.phase));
  const warnings: string[] = [];
  const emit = (event: RunbookEvent) => {
    try {
      options.listener?.(event);
    } catch {
      // a broken listener must not break the run
    }
  };

  registerLocalKeys(ctx);
  registerKnownPasswords(ctx);
  const records: StepRecord[] = steps.flatMap((step) =>
    targetsOf(step, ctx).map((target) => ({ stepId: step.id, phase: step.phase, title: step.title, target, state: 'pending' as const })),
  );
  emit({
    type: 'run-started',
    phases,
    dryRun,
    nodes: ctx.nodes.map((n) => n.spec.name),
    steps: records.map(({ stepId, phase, target, title }) => ({ stepId, phase, target, title })),
  });
  if (!dryRun) prepareLocalRoots(ctx.nodes);

  const update = (record: StepRecord, change: Partial<StepRecord>) => {
    Object.assign(record, change);
    const { title: _title, ...rest } = record;
    emit({ type: 'step-state', ...rest });
  };

  let failed: StepRecord | undefined;
  for (const phase of phases) {
    const phaseSteps = steps.filter((s) => s.phase === phase);
    if (failed) {
      emit({ type: 'phase-finished', phase, outcome: 'not-run' });
      continue;
    }
    emit({ type: 'phase-started', phase, title: PHASE_TITLES[phase] });
    for (const step of phaseSteps) {
      const bound = targetsOf(step, ctx).map((target) => bind(step, target, ctx, records, emit, warnings));
      await Promise.all(bound.map((b) => runTarget(b, dryRun, ctx, emit, update)));
      failed ??= bound.find((b) => b.record.state === 'failed')?.record;
      if (failed && !dryRun) break;
    }
    const outcome: PhaseOutcome = failed && failed.phase === phase ? 'failed' : dryRun ? 'dry-run' : 'done';
    emit({ type: 'phase-finished', phase, outcome });
    if (dryRun) failed = undefined;
  }

  const dryRunFailure = dryRun ? records.find((r) => r.state === 'failed') : undefined;
  const firstFailure = failed ?? dryRunFailure;
  const report: RunReport = {
    outcome: firstFailure ? 'failed' : dryRun ? 'dry-run' : 'done',
    dryRun,
    phases,
    records,
    ...(firstFailure ? { failed: firstFailure } : {}),
    warnings,
    elapsedMs: Date.now() - started,
  };
  emit({ type: 'run-finished', report });
  return report;
}

function targetsOf(step: Step, ctx: RunContext): string[] {
  switch (step.scope) {
    case 'node':
      return ctx.nodes.map((n) => n.spec.name);
    case 'cluster':
      return [CLUSTER_TARGET];
  }
}

function prepareLocalRoots(nodes: NodeRuntime[]): void {
  for (const node of nodes) if (node.kind === 'local') mkdirSync(node.root, { recursive: true, mode: 0o755 });
}

function bind(
  step: Step,
  target: string,
  ctx: RunContext,
  records: StepRecord[],
  emit: (e: RunbookEvent) => void,
  warnings: string[],
): BoundTarget {
  const record = records.find((r) => r.stepId === step.id && r.target === target)!;
  const ref = { stepId: step.id, phase: step.phase, target };
  const redact = (text: string) => ctx.secrets.redact(text);
  const recorders: RecordingTransport[] = [];
  const wrap = (node: NodeRuntime): NodeRuntime => {
    const recorder = new RecordingTransport(node.transport, {
      output: (stream, chunk) => emit({ type: 'output', ...ref, stream, chunk: redact(chunk) }),
      action: (what, ok) => emit({ type: 'action', ...ref, what: redact(what), ok }),
    });
    recorders.push(recorder);
    return withTransport(node, recorder);
  };
  const io: StepIo = {
    log: (text) => emit({ type: 'output', ...ref, stream: 'info', chunk: redact(text.endsWith('\n') ? text : `${text}\n`) }),
    warn: (message) => {
      const m = redact(message);
      warnings.push(m);
      emit({ type: 'warning', ...ref, message: m });
    },
    checkpoint: (rows) => emit({ type: 'checkpoint', rows: rows.map((r) => ({ ...r, detail: redact(r.detail) })) }),
  };
  const common = { record, recorders, idempotent: step.idempotent === true, advice: (err: unknown) => step.advice(err) };
  switch (step.scope) {
    case 'node': {
      const node = ctx.nodes.find((n) => n.spec.name === target)!;
      return { ...common, ...stepCalls<NodeStepContext>(step, { ...io, run: ctx, node: wrap(node) }) };
    }
    case 'cluster':
      return { ...common, ...stepCalls<ClusterStepContext>(step, { ...io, run: ctx, nodes: ctx.nodes.map(wrap) }) };
  }
}

async function runTarget(
  b: BoundTarget,
  dryRun: boolean,
  ctx: RunContext,
  emit: (e: RunbookEvent) => void,
  update: (record: StepRecord, change: Partial<StepRecord>) => void,
): Promise<void> {
  const { record } = b;
  const ref = { stepId: record.stepId, phase: record.phase, target: record.target };
  const emitPlan = (actions: PlannedAction[]) => emit({ type: 'plan', ...ref, actions, text: renderPlan(actions, ctx.secrets) });
  try {
    const reason = b.notApplicable();
    if (reason !== undefined) return update(record, { state: 'skipped', skip: 'not-applicable', detail: reason });
    if (dryRun) {
      emitPlan(await b.plan());
      return update(record, { state: 'skipped', skip: 'dry-run' });
    }
    update(record, { state: 'running' });
    const attempt = async () => {
      const check = await b.check();
      if (check.done) return update(record, { state: 'skipped', skip: 'done-by-check', ...(check.detail ? { detail: ctx.secrets.redact(check.detail) } : {}) });
      emitPlan(await b.plan());
      for (const r of b.recorders) r.recording = true;
      const detail = await b.apply();
      update(record, { state: 'done', ...(detail ? { detail: ctx.secrets.redact(detail) } : {}) });
    };
    try {
      await attempt();
    } catch (err) {
      if (!b.idempotent || !isCommandLost(err)) throw err;
      for (const r of b.recorders) r.recording = false;
      emit({ type: 'warning', ...ref, message: ctx.secrets.redact(`${errorMessage(err)}; the step is safe to repeat: running it once more`) });
      await attempt();
    }
  } catch (err) {
    const notRetried = isCommandLost(err) && !b.idempotent ? '; not retried: this step is not safe to repeat blindly, check the node, then rerun (done steps are checked, not redone)' : '';
    update(record, {
      state: 'failed',
      error: ctx.secrets.redact(errorMessage(err) + notRetried),
      failure: classifyFailure(err),
      advice: b.advice(err),
    });
  } finally {
    for (const r of b.recorders) r.recording = false;
  }
}

/** A step's calls with its context bound. */
function stepCalls<C>(
  step: { notApplicable?(c: C): string | undefined; check(c: C): Promise<CheckResult>; plan(c: C): Promise<PlannedAction[]>; apply(c: C): Promise<string | void> },
  c: C,
): Pick<BoundTarget, 'notApplicable' | 'check' | 'plan' | 'apply'> {
  return { notApplicable: () => step.notApplicable?.(c), check: () => step.check(c), plan: () => step.plan(c), apply: () => step.apply(c) };
}
