import type { Verdict } from '../metrics/thresholds.js';

/** Days before notAfter at which the cockpit warns, then alarms. */
export const CERT_EXPIRY_THRESHOLDS = { warningDays: 30, criticalDays: 7 } as const;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days left (floor): negative exactly when the certificate has expired. */
export function daysUntil(notAfter: Date, now: Date = new Date()): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/** `which` names the certificate: the server one (client port, from the handshake) or the peer one (read from the node). */
export function certExpiryVerdict(daysLeft: number, which: 'server' | 'peer' = 'server'): Verdict {
  const { warningDays, criticalDays } = CERT_EXPIRY_THRESHOLDS;
  const certificate = which === 'peer' ? 'peer certificate' : 'certificate';
  if (daysLeft < 0) return { tone: 'critical', why: `${certificate} EXPIRED: ${which === 'peer' ? 'the other members reject it' : 'clients and peers reject it'}; renew it now` };
  const when = daysLeft === 0 ? 'within a day' : `in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`;
  if (daysLeft < criticalDays) {
    // etcd re-reads its certificate files on each new handshake.
    return { tone: 'critical', why: `${certificate} expires ${when} (< ${criticalDays}): renew now, no restart needed` };
  }
  if (daysLeft < warningDays) return { tone: 'warning', why: `${certificate} expires ${when} (< ${warningDays}): plan the renewal` };
  return { tone: 'normal' };
}
