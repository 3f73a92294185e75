/**
 * A run report in words: what is done, what failed and why, what was not run
 * yet, so nothing is left half-done without saying so.
 */
import { isSettled, type RunReport, type StepRecord } from './events.js';
import { PHASE_TITLES, type PhaseNumber } from './types.js';

function steps(n: number): string {
  return n === 1 ? '1 step' : `${n} steps`;
}

function targets(records: StepRecord[]): string {
  return records.map((r) => r.target).join(', ');
}

export function reportText(report: RunReport): string {
  const lines: string[] = [];
  const byStep = new Map<string, StepRecord[]>();
  for (const r of report.records) byStep.set(r.stepId, [...(byStep.get(r.stepId) ?? []), r]);
  const seconds = (report.elapsedMs / 1000).toFixed(1);
  switch (report.outcome) {
    case 'done':
      lines.push(`Runbook done: phases ${report.phases.join(', ')} (${seconds} s).`);
      break;
    case 'dry-run':
      lines.push(`Dry run of phases ${report.phases.join(', ')}: nothing was changed.`);
      break;
    case 'failed': {
      const f = report.failed!;
      lines.push(`Runbook stopped: phase ${f.phase} (${PHASE_TITLES[f.phase]}), step ${f.stepId} on ${f.target} failed (${seconds} s).`);
      break;
    }
  }
  for (const phase of report.phases) {
    const stepIds = [...byStep.keys()].filter((id) => byStep.get(id)![0]!.phase === phase);
    if (stepIds.length === 0) continue;
    const all = stepIds.flatMap((id) => byStep.get(id)!);
    if (all.every(isSettled)) {
      lines.push(`  phase ${phase} ${PHASE_TITLES[phase as PhaseNumber]}: done (${steps(stepIds.length)})`);
      continue;
    }
    if (report.dryRun && all.every((r) => r.state === 'skipped')) {
      lines.push(`  phase ${phase} ${PHASE_TITLES[phase as PhaseNumber]}: planned (${steps(stepIds.length)})`);
      continue;
    }
    if (all.every((r) => r.state === 'pending')) {
      lines.push(`  phase ${phase} ${PHASE_TITLES[phase as PhaseNumber]}: not run`);
      continue;
    }
    lines.push(`  phase ${phase} ${PHASE_TITLES[phase as PhaseNumber]}:`);
    for (const id of stepIds) {
      const records = byStep.get(id)!;
      const done = records.filter(isSettled);
      const failedHere = records.filter((r) => r.state === 'failed');
      const notDone = records.filter((r) => !isSettled(r) && r.state !== 'failed');
      const parts: string[] = [];
      if (done.length) parts.push(`done on ${targets(done)}`);
      if (failedHere.length) parts.push(`FAILED on ${targets(failedHere)}`);
      if (notDone.length) parts.push(`not done on ${targets(notDone)}`);
      lines.push(`    ${id}: ${parts.join('; ')}`);
    }
  }
  if (report.failed) {
    const failures = report.records.filter((r) => r.state === 'failed');
    for (const f of failures) lines.push('', `${f.stepId} on ${f.target}: ${f.error ?? 'failed'}`);
    const advice = report.failed.advice;
    if (advice) lines.push('', advice);
  }
  if (report.warnings.length) lines.push('', 'Warnings:', ...report.warnings.map((w) => `  - ${w}`));
  return lines.join('\n');
}
