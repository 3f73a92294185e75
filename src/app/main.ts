import { readFileSync } from 'node:fs';
import { HELP, parseCli } from '../cli/args.js';

/** The version of the installed package (dist/app/main.js and src/app/main.ts both sit two levels under it). */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Returns the process exit code. Bad input: one line on stderr, exit 2.
 * Only the argument parser loads with this file: each command imports what it
 * needs when it runs, so `--version` and `status` pay for nothing else.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    if (argv[0] === 'runbook') return await (await import('../cli/commands/runbook.js')).runRunbookCommand(argv.slice(1));
    const opts = parseCli(argv);
    if (opts.help) {
      process.stdout.write(HELP);
      return 0;
    }
    if (opts.version) {
      process.stdout.write(`etcd-cockpit ${packageVersion()}\n`);
      return 0;
    }
    if (opts.command === 'completion') {
      process.stdout.write((await import('../cli/completion.js')).completionScript(opts.args[0]!));
      return 0;
    }
    return await (await import('./run-command.js')).runCommand(opts);
  } catch (err) {
    // The error's own module is loaded already (it threw it): importing the classes to tell them apart costs nothing.
    const { line, exitCode } = (await import('./error-exit-code.js')).errorExit(err);
    process.stderr.write(`etcd-cockpit: ${line}\n`);
    return exitCode;
  }
}
