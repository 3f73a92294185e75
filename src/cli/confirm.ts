import { createInterface } from 'node:readline/promises';
import { UsageError } from './usage-error.js';

export interface ConfirmRequest {
  /** What will happen, in full, shown before the question. */
  summary: string;
  /** When set, the user must type this (the cluster or member name): for what cannot be undone. */
  typed?: string;
  yes: boolean;
}

/** Asks on the terminal like the TUI does; scripts pass --yes. No terminal and no --yes: refused. */
export async function confirmInCli(request: ConfirmRequest): Promise<boolean> {
  // Said with --yes too (a cron job's log shows what it did and which backup it took) and when refusing.
  process.stderr.write(request.summary + '\n');
  if (request.yes) return true;
  if (!process.stdin.isTTY) {
    throw new UsageError('refusing to change the cluster without --yes: stdin is not a terminal to ask on');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    if (request.typed) {
      const answer = await rl.question(`Type "${request.typed}" to confirm (anything else cancels): `);
      return answer.trim() === request.typed;
    }
    const answer = await rl.question('Proceed? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
