import type { ServiceStatus } from '../ports/service-manager.js';
import { readableLogLine } from '../runbook/cluster-health.js';

const MAX_CHARS = 240;
/** journalctl's `Dec 06 03:00:00 etcd-3 etcd[812]: ` before each line. */
const JOURNAL_PREFIX = /^[A-Z][a-z]{2} +\d{1,2} [\d:]{8} \S+ [^:\s]+: /;
/** The lines that tell why, best first: a fatal or panic entry, a named cause, systemd's account of the exit, any error. */
const TIERS: ((line: string) => boolean)[] = [
  (l) => /^(fatal|panic|dpanic):/.test(l) || /panic:|fatal error:/.test(l),
  (l) => /no space left on device|database space exceeded|permission denied|address already in use|too many open files|corrupt/i.test(l),
  (l) => /Main process exited|Failed with result/.test(l),
  (l) => /\berror\b/i.test(l),
];
/** etcd's info and warn entries never say why it stopped (a warn "auth: permission denied" is a client's, not a cause). */
const QUIET = /^(debug|info|warn):/;

/**
 * Why a member's etcd is down, from the end of its log and what its service
 * manager says: the last line of the best tier (a fatal entry, else a named
 * cause such as a full disk, else systemd's exit line, else an error) first (a
 * narrow pane cuts the end), then the service state. One line, for the events pane.
 */
export function downCause(status: ServiceStatus, tail: string): string {
  const lines = tail.split('\n').map((l) => readableLogLine(l.trim().replace(JOURNAL_PREFIX, ''))).filter(Boolean);
  const telling = lines.filter((l) => !QUIET.test(l));
  const line = TIERS.map((tier) => lastMatching(telling, tier)).find((l) => l !== undefined);
  // The detail can name a long log path: its first clause is what matters here.
  const detail = status.detail?.split(';')[0]?.trim();
  const service = `service ${status.state}${detail && detail !== status.state ? ` (${detail})` : ''}`;
  const said = line ? `${line} · ${service}` : `${service}; no error in the last ${lines.length} log lines (killed, or stopped from outside?)`;
  return said.length > MAX_CHARS ? `${said.slice(0, MAX_CHARS - 1)}…` : said;
}

function lastMatching(lines: string[], test: (line: string) => boolean): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) if (test(lines[i]!)) return lines[i];
  return undefined;
}
