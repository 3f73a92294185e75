import type { CliOptions } from '../args.js';
import type { Session } from '../session.js';
import { UsageError } from '../usage-error.js';
import { confirmInCli } from '../confirm.js';
import { backupPolicyOf } from './snapshot.js';
import { operationContext } from '../operation-context.js';
import { AuditLog, defaultAuditLogPath } from '../../adapters/audit-log.js';
import { exitCodeOf, runOperation } from '../../core/operations/run-operation.js';
import { alarmList } from '../../core/operations/alarms.js';
import { buildRequest, type OperationRequest } from '../../core/operations/requests.js';
import type { MemberState } from '../../core/cluster/types.js';
import { planDefrag } from '../../core/operations/defrag-plan.js';
import { defragReport, formatDefragReport, skippedOutcomes, type DefragOutcome } from '../../core/operations/defrag-report.js';

/** defrag, compact, alarm, move-leader, nospace-recover: plan, confirm, run, audit. Exit 0 done, 1 failed, 2 refused, 4 another operation holds the cluster lock. */
export async function runOperationCommand(session: Session, opts: CliOptions): Promise<number> {
  await session.poller.pollOnce();
  // With -o json, stdout holds the report alone; what happens along the way goes to stderr.
  const jsonReport = opts.command === 'defrag' && opts.output === 'json';
  const say = (line: string): void => void (jsonReport ? process.stderr : process.stdout).write(line + '\n');
  const ctx = operationContext(session, say, opts.pauseMs);

  if (opts.command === 'alarm' && (opts.args[0] ?? 'list') === 'list') {
    const alarms = await alarmList(ctx);
    say(alarms.length === 0 ? 'no alarm raised' : alarms.map((a) => `${a.alarm} on ${a.name} (${a.memberId})`).join('\n'));
    return alarms.length === 0 ? 0 : 1;
  }

  if (opts.command === 'defrag' && opts.autoDefrag) {
    const steps = planDefrag(ctx.members(), { force: false, auto: opts.autoDefrag });
    // Nothing changes, so nothing to confirm, lock or audit: a cron job's quiet run.
    if (steps.every((s) => s.skip)) {
      say('defrag --auto: no member is worth defragmenting');
      printDefragReport(session, opts, skippedOutcomes(steps));
      return steps.some((s) => s.skip?.startsWith('not answering')) ? 1 : 0;
    }
  }
  const request = requestFor(session, opts, ctx.members());
  const outcome = await runOperation(request, ctx, {
    audit: new AuditLog(opts.auditLog ?? defaultAuditLogPath()),
    who: { cluster: session.plan.clusterName, etcdUser: session.plan.user },
    readOnly: opts.readOnly,
    ...(request.backupFirst ? { backup: await backupPolicyOf(opts, session.plan.clusterName) } : {}),
    confirm: (r) => {
      const hint = r.summary.some((l) => l.includes('little to gain')) ? ['(--force defragments those anyway)'] : [];
      return confirmInCli({ summary: [...r.summary, ...hint].join('\n'), typed: r.typed, yes: opts.yes });
    },
  });
  if (outcome.result === 'refused' && !outcome.lockHeld) throw new UsageError(outcome.why);
  if (outcome.result !== 'done') return exitCodeOf(outcome);
  // A defrag that had to leave a member out (not answering) did not do its job.
  const results = outcome.value as { skipped?: string }[] | undefined;
  if (opts.command === 'defrag' && Array.isArray(results)) printDefragReport(session, opts, results as DefragOutcome[]);
  return Array.isArray(results) && results.some((r) => r.skipped?.startsWith('not answering')) ? 1 : 0;
}

function requestFor(session: Session, opts: CliOptions, members: MemberState[]): OperationRequest {
  const input = { cluster: session.plan.clusterName, members, force: opts.force, autoDefrag: opts.autoDefrag, keep: opts.keep, pauseMs: opts.pauseMs };
  switch (opts.command) {
    case 'defrag':
      return buildRequest('defrag', { ...input, member: opts.member ? memberNamed(members, opts.member) : undefined });
    case 'compact':
      return buildRequest('compact', input);
    case 'move-leader': {
      const name = opts.args[0];
      if (!name) throw new UsageError('move-leader needs the name of the member to lead');
      return buildRequest('move-leader', { ...input, member: memberNamed(members, name) });
    }
    case 'alarm':
      if (opts.args[0] !== 'disarm') throw new UsageError(`alarm takes list or disarm, not "${opts.args[0]}"`);
      return buildRequest('alarm-disarm', input);
    case 'nospace-recover':
      return buildRequest('nospace-recover', input);
    default:
      throw new UsageError(`${opts.command} is not an operation`);
  }
}

function printDefragReport(session: Session, opts: CliOptions, outcomes: DefragOutcome[]): void {
  const report = defragReport(session.plan.clusterName, opts.autoDefrag, outcomes);
  process.stdout.write((opts.output === 'json' ? JSON.stringify(report, null, 2) : formatDefragReport(report)) + '\n');
}

function memberNamed(members: MemberState[], name: string): MemberState {
  const member = members.find((m) => m.name === name);
  if (!member) throw new UsageError(`no member named "${name}" (members: ${members.map((m) => m.name).join(', ')})`);
  return member;
}
