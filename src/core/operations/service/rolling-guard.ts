import type { MemberState } from '../../cluster/types.js';
import { guardRolling } from './rolling-restart.js';
import { ServiceOpRefused } from './context.js';

/** The whole rolling sequence, guarded up front on live members (before any config is touched). */
export function enforceQuorumRolling(members: MemberState[], force: boolean, log: (line: string) => void): void {
  const verdict = guardRolling(members);
  if (verdict.allowed) return;
  if (!force) throw new ServiceOpRefused(`refused: ${verdict.reason}; no config was changed`);
  log(`WARNING, forced past the quorum guard: ${verdict.reason}`);
}
