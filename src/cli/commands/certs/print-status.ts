/** `certs status` as a table (one row per certificate, then the problems in words) or JSON. */
import type { CertReport, CertRow } from '../../../core/certs/cert-check.js';

const VERDICT: Record<CertRow['severity'], string> = { ok: 'ok', warning: 'WARN', error: 'BAD' };

function shortFile(row: CertRow): string {
  return row.place === 'local' ? row.file : row.file.slice(row.file.lastIndexOf('/') + 1);
}

export function certStatusLines(report: CertReport): string[] {
  const table = [
    ['WHERE', 'FILE', 'SUBJECT', 'DAYS LEFT', 'SERIAL', 'STATUS'],
    ...report.rows.map((r) => [
      r.place,
      shortFile(r),
      r.subject ?? '-',
      r.daysLeft === undefined ? '-' : String(r.daysLeft),
      r.serial ? r.serial.slice(0, 12) : '-',
      VERDICT[r.severity],
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  if (report.problems.length === 0) return [...lines, '', 'all certificates good'];
  return [...lines, '', ...report.problems];
}

export function certStatusJson(report: CertReport): string {
  return JSON.stringify({ exitCode: report.exitCode, problems: report.problems, certificates: report.rows }, null, 2);
}
