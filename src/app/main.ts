import { readFileSync } from 'node:fs';
import { HELP, parseCli } from '../cli/args.js';
import { loadInventoryFile, planConnection } from '../cli/connection.js';
import { openSession } from '../cli/session.js';
import { loadUserConfig } from '../cli/user-config-file.js';
import { ConfigFileError } from '../core/config/yaml-reader.js';
import { UsageError } from '../cli/usage-error.js';
import { ConfigError } from '../core/tls/material.js';
import { InventoryError } from '../core/inventory/parse.js';
import { checkRegularFile } from '../core/files/read-small-file.js';
import { explainEtcdError } from '../core/errors/explain-etcd-error.js';


/** The version of the installed package (dist/app/main.js and src/app/main.ts both sit two levels under it). */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

// Commands are imported when used: `status` must not pay for the runbook, SSH or the UI.
const runbookCommand = () => import('../cli/commands/runbook.js');
const snapshotCommands = () => import('../cli/commands/snapshot.js');

/** Returns the process exit code. Bad input: one line on stderr, exit 2. */
export async function main(argv: string[]): Promise<number> {
  try {
    if (argv[0] === 'runbook') return await (await runbookCommand()).runRunbookCommand(argv.slice(1));
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
    checkFileArguments(opts.command, opts.args);
    if (opts.command === 'snapshot' && opts.args[0] !== 'save') return await (await snapshotCommands()).runOfflineSnapshotCommand(opts);
    if (opts.command === 'trust-hosts') {
      if (!opts.file) throw new UsageError('trust-hosts needs the inventory: -f cluster.yaml');
      const { runTrustHosts } = await import('../cli/commands/trust-hosts.js');
      return await runTrustHosts(loadInventoryFile(opts.file), opts.yes);
    }
    if (opts.command === 'certs' && opts.args[0] === 'status') {
      if (!opts.file) throw new UsageError('certs status needs the inventory: -f cluster.yaml');
      const { runCertsStatus } = await import('../cli/commands/certs/status.js');
      return await runCertsStatus(loadInventoryFile(opts.file), opts.output, (line) => void process.stdout.write(line + '\n'));
    }
    const config = loadUserConfig(opts.config);
    if (opts.command === 'contexts') return await (await import('../cli/commands/contexts.js')).runContexts(config, opts);
    const plan = planConnection(opts, process.env, config);
    const session = await openSession(plan, opts, { tlsMayNotExistYet: opts.command === 'tui' && Boolean(plan.inventory?.runbook) });
    try {
      if (opts.command === 'status') return await (await import('../cli/commands/status.js')).runStatus(session, opts);
      if (opts.command === 'snapshot') return await (await snapshotCommands()).runSnapshotSave(session, opts);
      if (opts.command === 'keys') return await (await import('../cli/commands/keys.js')).runKeysTop(session, opts);
      if (opts.command === 'alarm' && (opts.args[0] ?? 'list') === 'list') return await (await import('../cli/commands/alarm-list.js')).runAlarmList(session);
      if (opts.command !== 'tui') return await (await import('../cli/commands/operation-verb.js')).runOperationVerb(session, opts);
      if (!process.stdout.isTTY) throw new UsageError('the live view needs a terminal; use `etcd-cockpit status` in scripts');
      // First answers arrive while Ink (~0.5 s to import) is still loading.
      session.poller.start();
      const { runTui } = await import('./run-tui.js');
      return await runTui(session, opts, config);
    } finally {
      session.poller.stop();
    }
  } catch (err) {
    const exitCode = (err as { exitCode?: unknown } | null)?.exitCode;
    if (err instanceof Error && typeof exitCode === 'number' && Number.isInteger(exitCode) && exitCode > 0) {
      process.stderr.write(`etcd-cockpit: ${oneLine(err.message)}\n`);
      return exitCode;
    }
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof InventoryError || err instanceof ConfigFileError) {
      process.stderr.write(`etcd-cockpit: ${oneLine(err.message)}\n`);
      return 2;
    }
    // Anything else that etcd or the network threw: one plain line, no stack trace.
    process.stderr.write(`etcd-cockpit: ${explainEtcdError(err).message}\n`);
    return 1;
  }
}

/** A snapshot FILE named on the command line exists and is a regular file before anything connects or reads it. */
function checkFileArguments(command: string, args: string[]): void {
  const file = command === 'restore' ? args[0] : command === 'snapshot' && args[0] === 'verify' ? args[1] : undefined;
  if (file !== undefined) checkRegularFile(file, 'snapshot file');
}

function oneLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
