import { removePartFilesNow } from '../adapters/etcd/snapshot.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Why a long action stopped: Ctrl-C, a kill, or the SSH session that hung up. */
export class Interrupted extends Error {
  override name = 'Interrupted';
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

export interface InterruptTrap {
  /** Aborted (reason: Interrupted) on the first SIGINT, SIGTERM or SIGHUP. */
  signal: AbortSignal;
  release(): void;
}

/**
 * Turns SIGINT, SIGTERM and SIGHUP into an abort, so the work under way can
 * remove what it half wrote and fail in plain words (exit 1). A second
 * signal removes the part files still in progress and exits at once.
 */
export function trapInterrupts(): InterruptTrap {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      removePartFilesNow();
      process.exit(1);
    }
    controller.abort(new Interrupted(signal));
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  return {
    signal: controller.signal,
    release: () => {
      for (const s of SIGNALS) process.off(s, onSignal);
    },
  };
}
