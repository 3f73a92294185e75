import type { MemberState } from '../../cluster/types.js';
import { guardMembers, quorumGuard, type GuardEffect, type GuardVerdict } from '../quorum-guard.js';
import { ServiceOpRefused } from './context.js';

/** Runs the quorum guard: refused unless `force`; a forced pass is said in the log. */
export function enforceQuorum(
  members: MemberState[],
  targets: string[],
  effect: GuardEffect,
  options: { force?: boolean; log?: (line: string) => void } = {},
): GuardVerdict {
  const verdict = quorumGuard(guardMembers(members), targets, effect);
  if (verdict.allowed) return verdict;
  if (!options.force) throw new ServiceOpRefused(`refused: ${verdict.reason} (force overrides this, with the name typed to confirm)`);
  options.log?.(`WARNING, forced past the quorum guard: ${verdict.reason}`);
  return verdict;
}
