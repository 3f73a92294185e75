import { existsSync, readFileSync } from 'node:fs';
import { render } from 'ink';
import { X509Certificate } from 'node:crypto';
import type { CliOptions } from '../cli/args.js';
import type { Session } from '../cli/session.js';
import { Root } from './Root.js';
import { chooseTheme, type Theme } from './theme.js';
import { UsageError } from '../cli/usage-error.js';
import { OperationRunner } from '../state/operation-runner.js';
import { AuditLog, defaultAuditLogPath, stateDir } from '../adapters/audit-log.js';
import { join } from 'node:path';
import { operationContext } from '../cli/operation-context.js';
import { snapshotDir } from '../cli/commands/snapshot.js';
import { findEtcdBinaries } from '../adapters/local/etcd-binaries.js';
import { emptyRunbookView } from '../state/runbook-view.js';
import { watchClusterEvents } from '../state/timeline.js';
import { recordHistory } from '../state/history.js';
import { asciiStream, wantsAscii } from './ascii-output.js';

const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';

/**
 * Full-screen cockpit (the poller is already running). The alternate screen is left on every way out: q,
 * Ctrl-C, SIGTERM/SIGHUP and a crash, so the user's terminal comes back intact.
 */
export async function runTui(session: Session, opts: CliOptions): Promise<number> {
  const out = process.stdout;
  let theme: Theme;
  try {
    theme = chooseTheme(process.env, opts.theme);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    out.write(LEAVE_ALT_SCREEN);
  };
  process.on('exit', restore);

  out.write(ENTER_ALT_SCREEN);
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  const quit = (code = 0): void => resolveDone(code);

  const onSignal = (): void => quit(0);
  const onCrash = (err: unknown): void => {
    instance.unmount();
    restore();
    process.stderr.write(`etcd-cockpit crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(70);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('SIGINT', onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  // Read-only mode hides every dangerous action in the registry; what remains (snapshots) changes nothing in etcd.
  const operations = new OperationRunner(
    session.store,
    (log) => operationContext(session, log, opts.pauseMs),
    new AuditLog(opts.auditLog ?? defaultAuditLogPath()),
    { cluster: session.plan.clusterName, etcdUser: session.plan.user },
    () => ({
      snapshotDir: snapshotDir(opts, session.plan.clusterName),
      timelineDir: join(stateDir(), 'timelines'),
      // A getter: only snapshots need etcdutl, and a missing one must not break the timeline export.
      get etcdutl() {
        return findEtcdBinaries().etcdutl;
      },
    }),
  );
  warnAboutPrivilegedCertificate(session);
  const unwatch = watchClusterEvents(session.store);
  const stopHistory = recordHistory(session.store);
  const inventory = session.plan.inventory;
  // The runbook engine (PKI, SSH) loads after the first frame: watching a cluster must not wait for it.
  if (inventory) {
    void import('../state/runbook-runner.js').then(({ runbookRows }) =>
      session.store.getState().setRunbook(emptyRunbookView(runbookRows(inventory))),
    );
  }
  const instance = render(
    <Root store={session.store} theme={theme} onQuit={() => quit(0)} operations={operations} inventory={inventory} />,
    {
      stdout: wantsAscii(opts.ascii) ? asciiStream(process.stdout) : process.stdout,
      exitOnCtrlC: false,
      patchConsole: false,
      incrementalRendering: true,
      maxFps: 60, // a key press must not wait behind a poll-driven frame
    },
  );
  const code = await done;
  unwatch();
  stopHistory();
  session.poller.stop();
  instance.unmount();
  restore();
  for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.off(sig, onSignal);
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  return code;
}

/** With client-cert auth a certificate's CN is the etcd user: say so when it is root. */
function warnAboutPrivilegedCertificate(session: Session): void {
  const certFile = session.plan.tls.cert;
  if (!certFile || !existsSync(certFile)) return;
  try {
    if (new X509Certificate(readFileSync(certFile)).subject.split('\n').includes('CN=root')) {
      session.store.getState().addEvent(`client certificate ${certFile} has CN=root: with client-cert auth the cockpit acts as etcd's root user`, 'warning');
    }
  } catch {
    /* not a certificate we can read: the connection will say so */
  }
}
