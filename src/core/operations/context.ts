import type { EtcdMember } from '../ports/etcd.js';
import type { MemberState } from '../cluster/types.js';

/** What an operation needs: a client per member, fresh member state, and a place to say what it does. */
export interface OperationContext {
  clientFor(endpoint: string): EtcdMember;
  /** The members as last polled (fresh each call). */
  members(): MemberState[];
  /** One line of progress, shown in the events pane and printed by the CLI. */
  log(line: string): void;
  /** Deadline for long calls (defragment, compact, move-leader). */
  longDeadlineMs: number;
  /** Pause between members in rolling work. */
  pauseMs: number;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
