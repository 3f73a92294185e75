/**
 * `certs rotate-ca` in three phases, each ending in a rolling restart (etcd
 * reads its trusted CAs only at start):
 *   a. a new CA; every trust bundle (the nodes' ca.crt and this machine's) = old + new;
 *   b. every leaf issued again by the new CA;
 *   c. the old CA taken out of every bundle.
 * Which phase comes next is derived from what the nodes hold (which CAs each
 * bundle has, which CA signed the leaves); only "the restart of phase X was
 * done", which no file shows, is recorded beside the new CA. One run does one
 * phase: the cockpit's own connection must pick up the new trust between them.
 */
import type { RenewBatchState } from './renew-plan.js';

export type RotatePhase = 'a' | 'b' | 'c';

export interface RotatePlace {
  name: string;
  /** This machine's PKI (pki/ca.crt and the client certificates) rather than a node. */
  local: boolean;
  trustsOld: boolean;
  trustsNew: boolean;
  /** Its leaves (server and peer; for this machine the client certificates) are signed by the new CA. */
  leavesByNew: boolean;
}

export interface RotateObservation {
  newCa: boolean;
  restarted: RotatePhase[];
  /** The new leaves of phase b, staged like `certs renew` stages them. */
  batch: RenewBatchState;
  places: RotatePlace[];
}

export type RotateStep =
  | { kind: 'new-ca' }
  | { kind: 'trust-both'; place: string }
  | { kind: 'issue-leaves' }
  | { kind: 'deploy-leaves'; node: string }
  | { kind: 'promote-leaves' }
  | { kind: 'trust-new'; place: string }
  | { kind: 'restart'; phase: RotatePhase }
  | { kind: 'finish' };

export interface RotatePlan {
  phase: RotatePhase | 'done';
  steps: RotateStep[];
}

export function planRotation(o: RotateObservation): RotatePlan {
  const trustBoth = (places: RotatePlace[]): RotateStep[] => places.map((p) => ({ kind: 'trust-both', place: p.name }));
  if (!o.newCa) return { phase: 'a', steps: [{ kind: 'new-ca' }, ...trustBoth(o.places), { kind: 'restart', phase: 'a' }] };
  const oldDropped = o.places.some((p) => !p.trustsOld);
  if (!oldDropped) {
    const lacking = o.places.filter((p) => !p.trustsNew);
    if (lacking.length > 0 || !o.restarted.includes('a')) return { phase: 'a', steps: [...trustBoth(lacking), { kind: 'restart', phase: 'a' }] };
    const stale = o.places.filter((p) => !p.leavesByNew);
    if (stale.length > 0 || o.batch !== 'none' || !o.restarted.includes('b')) {
      const steps: RotateStep[] = [];
      if (o.batch === 'none' && stale.length > 0) steps.push({ kind: 'issue-leaves' });
      if (stale.length > 0 || o.batch !== 'none') {
        steps.push(...o.places.filter((p) => !p.local && !p.leavesByNew).map((p): RotateStep => ({ kind: 'deploy-leaves', node: p.name })));
        if (o.batch !== 'promoted') steps.push({ kind: 'promote-leaves' });
      }
      steps.push({ kind: 'restart', phase: 'b' });
      return { phase: 'b', steps };
    }
  }
  const stillOld = o.places.filter((p) => p.trustsOld);
  if (stillOld.length > 0 || !o.restarted.includes('c')) {
    return { phase: 'c', steps: [...stillOld.map((p): RotateStep => ({ kind: 'trust-new', place: p.name })), { kind: 'restart', phase: 'c' }, { kind: 'finish' }] };
  }
  return { phase: 'done', steps: [{ kind: 'finish' }] };
}
