import type { CliOptions } from '../args.js';
import type { Session } from '../session.js';
import { membersInOrder } from '../../state/store.js';
import { summarizeCluster } from '../../core/cluster/summary.js';
import { statusExitCode } from '../../core/view/status-exit-code.js';
import { statusJson, statusTable, summaryLine } from '../../core/view/status-report.js';
import { failingSources } from '../../core/cluster/poll-sources.js';
import { recordSizes, statusDiagnosis, withStatusDiagnosis, type SizeHistory } from '../../core/view/status-diagnosis.js';

/**
 * Exit code: 0 when every member is healthy, quorum holds and no certificate
 * expires within 7 days; 3 when the cockpit's own setup (TLS files,
 * credentials, permissions) stops it from telling; 1 otherwise.
 */
export async function runStatus(session: Session, opts: CliOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { store, poller } = session;
  let code = 1;
  // The quota estimate needs DB sizes over minutes: `status -w` gathers them as it repeats.
  let sizes: SizeHistory = {};
  const printOnce = async (): Promise<void> => {
    await poller.pollSettled();
    const state = store.getState();
    const members = membersInOrder(state);
    const summary = summarizeCluster(members, state.memberList);
    const now = Date.now();
    code = statusExitCode(summary, members);
    sizes = recordSizes(sizes, members, now);
    const diagnosis = statusDiagnosis(members, sizes);
    if (opts.output === 'json') {
      const json = statusJson(state.clusterName, members, summary, now, state.memberList) as { members: { name: string }[] };
      out.write(JSON.stringify({ ...withStatusDiagnosis(json, diagnosis), failingSources: failingSources(state.sources, now, opts.watch) }, null, 2) + '\n');
    } else {
      if (opts.watch) out.write('\x1b[H\x1b[2J');
      const notes = diagnosis.lines.map((line) => `diagnosis: ${line}\n`).join('');
      out.write(summaryLine(state.clusterName, summary) + '\n' + statusTable(members, now, state.memberList) + '\n' + notes);
      for (const line of failingSources(state.sources, now, opts.watch)) out.write(`warning: ${line}\n`);
    }
  };
  await printOnce();
  // The member list arrives with the first answers; a second quick poll gives names to discovered members.
  if (!opts.watch) return code;
  for (;;) {
    await new Promise((r) => setTimeout(r, opts.intervalMs));
    await printOnce();
  }
}
