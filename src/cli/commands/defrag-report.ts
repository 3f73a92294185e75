import type { Session } from '../session.js';
import type { VerbOptions } from './operation-verb.js';
import type { MemberState } from '../../core/cluster/types.js';
import { planDefrag } from '../../core/operations/defrag-plan.js';
import { defragReport, formatDefragReport, skippedOutcomes, type DefragOutcome } from '../../core/operations/defrag-report.js';

/** defrag --auto where no member is worth it: nothing changes, so nothing to confirm, lock or audit (a cron job's quiet run). */
export function quietAutoDefrag(session: Session, opts: VerbOptions, members: MemberState[], say: (line: string) => void): number | undefined {
  const steps = planDefrag(members, { force: false, auto: opts.autoDefrag });
  if (!steps.every((s) => s.skip)) return undefined;
  say('defrag --auto: no member is worth defragmenting');
  printDefragReport(session, opts, skippedOutcomes(steps));
  return steps.some((s) => s.skip?.startsWith('not answering')) ? 1 : 0;
}

/** The report of a finished defrag; one that had to leave a member out (not answering) did not do its job: exit 1. */
export function afterDefrag(session: Session, opts: VerbOptions, value: unknown): number {
  if (!Array.isArray(value)) return 0;
  const outcomes = value as DefragOutcome[];
  printDefragReport(session, opts, outcomes);
  return outcomes.some((r) => r.skipped?.startsWith('not answering')) ? 1 : 0;
}

function printDefragReport(session: Session, opts: VerbOptions, outcomes: DefragOutcome[]): void {
  const report = defragReport(session.plan.clusterName, opts.autoDefrag, outcomes);
  process.stdout.write((opts.output === 'json' ? JSON.stringify(report, null, 2) : formatDefragReport(report)) + '\n');
}
