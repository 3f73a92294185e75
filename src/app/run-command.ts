import type { CliOptions } from '../cli/args.js';
import { loadInventoryFile, planConnection } from '../cli/connection.js';
import { openSession } from '../cli/session.js';
import { loadUserConfig } from '../cli/user-config-file.js';
import { UsageError } from '../cli/usage-error.js';
import { checkRegularFile } from '../core/files/read-small-file.js';

// Commands are imported when used: `status` must not pay for the runbook, SSH or the UI.
const snapshotCommands = () => import('../cli/commands/snapshot.js');

/** Every command but help, version, completion and runbook: those need no inventory, config or connection. */
export async function runCommand(opts: CliOptions): Promise<number> {
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
  // The command's module loads while the TLS files and the password are read.
  const status = opts.command === 'status' ? import('../cli/commands/status.js') : undefined;
  const session = await openSession(plan, opts, {
    tlsMayNotExistYet: opts.command === 'tui' && Boolean(plan.inventory?.runbook),
    oneShot: opts.command === 'status' && !opts.watch,
  });
  try {
    if (status) return await (await status).runStatus(session, opts);
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
}

/** A snapshot FILE named on the command line exists and is a regular file before anything connects or reads it. */
function checkFileArguments(command: string, args: string[]): void {
  const file = command === 'restore' ? args[0] : command === 'snapshot' && args[0] === 'verify' ? args[1] : undefined;
  if (file !== undefined) checkRegularFile(file, 'snapshot file');
}
