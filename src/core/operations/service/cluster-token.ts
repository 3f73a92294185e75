import { randomBytes } from 'node:crypto';

/** `<stamp>` as yyyymmdd-hhmmss (UTC): names fresh data dirs and tokens. */
export function stampOf(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '-');
}

/**
 * A new initial-cluster-token for a restore or re-bootstrap: members of the
 * old cluster then never take the new one for theirs. Keeps the runbook's
 * token as the stem (a previous suffix is replaced, not stacked).
 */
export function newClusterToken(current: string, now: Date, random = randomBytes(2).toString('hex')): string {
  const stem = current.replace(/-\d{8}-\d{6}-[0-9a-f]{4}$/, '');
  return `${stem}-${stampOf(now)}-${random}`;
}
