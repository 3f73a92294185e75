import type { ServiceStatus } from '../ports/service-manager.js';
import { readableLogLine } from '../runbook/cluster-health.js';

const MAX_CHARS = 240;
/** What ends an etcd process, in JSON log levels and in plain text (systemd, Go runtime). */
const FATAL_LEVEL = /^(fatal|panic|dpanic):/;
const FATAL_TEXT = /no space left on device|database space exceeded|permission denied|address already in use|too many open files|panic:|fatal error:|Main process exited|Failed with result/i;

/**
 * Why a member's etcd is down, from the end of its log and what its service
 * manager says: the last line that ends a process (a fatal or panic entry, a
 * full disk, a port in use), else the last error, first (a narrow pane cuts
 * the end), then the service state. One line, for the events pane.
 */
export function downCause(status: ServiceStatus, tail: string): string {
  const lines = tail.split('\n').map((l) => readableLogLine(l.trim())).filter(Boolean);
  const line = lastMatching(lines, (l) => FATAL_LEVEL.test(l) || FATAL_TEXT.test(l)) ?? lastMatching(lines, (l) => /\berror\b/i.test(l));
  // The detail can name a long log path: its first clause is what matters here.
  const detail = status.detail?.split(';')[0]?.trim();
  const service = `service ${status.state}${detail ? ` (${detail})` : ''}`;
  const said = line ? `${line} · ${service}` : `${service}; no error in the last ${lines.length} log lines (killed, or stopped from outside?)`;
  return said.length > MAX_CHARS ? `${said.slice(0, MAX_CHARS - 1)}…` : said;
}

function lastMatching(lines: string[], test: (line: string) => boolean): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) if (test(lines[i]!)) return lines[i];
  return undefined;
}
