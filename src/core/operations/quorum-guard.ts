/**
 * Would an action leave the cluster without quorum? Pure: it sees only each
 * member's health and whether it votes. A member that answers at all (ok or
 * degraded) counts as up: a degraded member still votes.
 *
 * - restart: the targets are down for a while; the voting set stays.
 * - remove: the targets leave the voting set for good (member replace); the
 *   change itself is a raft proposal, so it needs quorum now.
 * Taking down a member that is already down cannot make things worse, so it
 * is allowed: restarting dead members is how quorum comes back.
 */
import { majority } from '../cluster/summary.js';
import type { MemberHealth, MemberState } from '../cluster/types.js';

export interface GuardMember {
  name: string;
  health: MemberHealth;
  isLearner: boolean;
}

export type GuardEffect = 'restart' | 'remove';

export interface GuardVerdict {
  allowed: boolean;
  /** One plain sentence, also when allowed. */
  reason: string;
}

const isUp = (m: GuardMember) => m.health === 'ok' || m.health === 'degraded';

export function guardMembers(states: MemberState[]): GuardMember[] {
  return states.map((m) => ({ name: m.name, health: m.health, isLearner: m.last?.isLearner ?? false }));
}

export function quorumGuard(members: GuardMember[], targets: string[], effect: GuardEffect): GuardVerdict {
  const unknown = targets.filter((t) => !members.some((m) => m.name === t));
  if (unknown.length > 0) throw new Error(`no member named ${unknown.join(', ')}`);
  const voters = members.filter((m) => !m.isLearner);
  const up = voters.filter(isUp);
  const hit = (m: GuardMember) => targets.includes(m.name);
  const downOthers = voters.filter((m) => !isUp(m) && !hit(m)).map((m) => m.name);
  const alsoDown = downOthers.length > 0 ? ` (${downOthers.join(', ')} ${downOthers.length === 1 ? 'is' : 'are'} down)` : '';
  const what = `${effect === 'restart' ? 'restarting' : 'removing'} ${targets.join(', ')}`;

  if (effect === 'restart') {
    if (!voters.some((m) => hit(m) && isUp(m))) {
      return { allowed: true, reason: `${what} cannot lower quorum: ${targets.length === 1 ? 'it is' : 'they are'} a learner or down already` };
    }
    const left = up.filter((m) => !hit(m)).length;
    const need = majority(voters.length);
    if (left < need) {
      return {
        allowed: false,
        reason: `${what} leaves ${left} of ${voters.length} voting members up, but quorum needs ${need}${alsoDown}: the cluster would stop serving`,
      };
    }
    return { allowed: true, reason: `${what} leaves ${left} of ${voters.length} voting members up (quorum needs ${need})` };
  }

  const needNow = majority(voters.length);
  if (up.length < needNow) {
    return {
      allowed: false,
      reason: `the cluster has no quorum now (${up.length} of ${voters.length} voting members up, ${needNow} needed): a membership change cannot commit`,
    };
  }
  const votersAfter = voters.filter((m) => !hit(m)).length;
  if (votersAfter === 0) return { allowed: false, reason: `${what} would leave no voting member` };
  const left = up.filter((m) => !hit(m)).length;
  const need = majority(votersAfter);
  if (left < need) {
    return {
      allowed: false,
      reason: `${what} leaves ${left} of ${votersAfter} voting members up, but quorum needs ${need}${alsoDown}: the cluster would stop serving`,
    };
  }
  return { allowed: true, reason: `${what} leaves ${left} of ${votersAfter} voting members up (quorum needs ${need})` };
}
