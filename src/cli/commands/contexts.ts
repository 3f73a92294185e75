import type { CliOptions } from '../args.js';
import type { UserConfig } from '../../core/config/user-config.js';
import { planContexts, refusePrompt, type ConnectionPlan } from '../connection.js';
import { openSession } from '../session.js';
import { membersInOrder } from '../../state/store.js';
import { summarizeCluster, type ClusterSummary } from '../../core/cluster/summary.js';
import { explainEtcdError } from '../../core/errors/explain-etcd-error.js';
import { UsageError } from '../usage-error.js';

interface Row {
  context: string;
  summary?: ClusterSummary;
  error?: string;
}

/**
 * `contexts`: every cluster of the user config polled once, in parallel: quorum,
 * answering members, leader, alarms. Exit 0 when every one has quorum and no alarm.
 */
export async function runContexts(config: UserConfig, opts: CliOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (config.contexts.length === 0) {
    throw new UsageError(`no contexts: ${config.source ?? 'the user config (~/.config/etcd-cockpit/config.yaml)'} lists none`);
  }
  const rows = await Promise.all(planContexts(opts, config).map(({ name, plan }) => pollContext(name, plan, opts)));
  if (opts.output === 'json') {
    out.write(JSON.stringify(rows.map(jsonRow), null, 2) + '\n');
  } else {
    const lines = [['CONTEXT', 'QUORUM', 'ANSWERING', 'LEADER', 'ALARMS'], ...rows.map(tableRow)];
    // An error row is the name and one long message: it does not set the column widths.
    const widths = lines[0]!.map((_, i) => Math.max(...lines.filter((l) => l.length > 2).map((l) => (l[i] ?? '').length)));
    for (const line of lines) out.write(line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd() + '\n');
  }
  return rows.every((r) => r.summary?.quorum === 'ok' && r.summary.alarms.length === 0) ? 0 : 1;
}

async function pollContext(name: string, plan: () => ConnectionPlan, opts: CliOptions): Promise<Row> {
  try {
    const connection = plan();
    refusePrompt(connection);
    const session = await openSession(connection, opts);
    try {
      await session.poller.pollSettled();
      const state = session.store.getState();
      return { context: name, summary: summarizeCluster(membersInOrder(state), state.memberList) };
    } finally {
      session.poller.stop();
    }
  } catch (err) {
    return { context: name, error: err instanceof UsageError ? err.message : explainEtcdError(err).message };
  }
}

function tableRow(r: Row): string[] {
  if (r.error || !r.summary) return [r.context, `error: ${r.error ?? 'no answer'}`];
  const s = r.summary;
  const quorum = s.quorum === 'ok' ? `OK, tolerates ${s.tolerates}` : s.quorum === 'lost' ? 'LOST' : 'unknown';
  return [r.context, quorum, `${s.answering}/${s.total}`, s.leaderName ?? '-', s.alarms.join(', ') || 'none'];
}

function jsonRow(r: Row): Record<string, unknown> {
  if (r.error || !r.summary) return { context: r.context, error: r.error ?? 'no answer' };
  const s = r.summary;
  return { context: r.context, quorum: s.quorum, tolerates: s.tolerates, answering: s.answering, total: s.total, leader: s.leaderName ?? null, alarms: s.alarms };
}
