import { membersInOrder } from '../state/store.js';
import type { OperationContext } from '../core/operations/context.js';
import type { Session } from './session.js';

/** Operations use the session's per-member clients and the members as last polled. */
export function operationContext(session: Session, log: (line: string) => void, pauseMs: number): OperationContext {
  return {
    clientFor: (endpoint) => session.poller.memberFor(endpoint),
    members: () => {
      const state = session.store.getState();
      return membersInOrder(state);
    },
    log,
    longDeadlineMs: 10 * 60_000,
    pauseMs,
  };
}
