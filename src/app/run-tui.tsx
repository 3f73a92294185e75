import { existsSync, readFileSync } from 'node:fs';
import { render } from 'ink';
import { X509Certificate } from 'node:crypto';
import type { CliOptions } from '../cli/args.js';
import type { Session } from '../cli/session.js';
import { Root } from '../ui/Root.js';
import { chooseTheme, type Theme } from '../ui/theme.js';
import { UsageError } from '../cli/usage-error.js';
import { OperationRunner } from '../state/operation-runner.js';
import { AuditLog, defaultAuditLogPath, stateDir } from '../adapters/audit-log.js';
import { join } from 'node:path';
import { operationContext } from '../cli/operation-context.js';
import { snapshotDir } from '../cli/commands/snapshot.js';
import { findEtcdBinaries } from '../adapters/local/etcd-binaries.js';
import { etcdutlStatusReader } from '../adapters/local/etcdutl-status.js';
import { emptyRunbookView } from '../state/runbook-view.js';
import { watchClusterEvents } from '../state/timeline.js';
import { recordHistory } from '../state/history.js';
import { asciiStream, wantsAscii } from '../ui/ascii-output.js';
import type { UserConfig } from '../core/config/user-config.js';
import { Fleet } from '../state/fleet.js';
import { watchPeerCertificates } from '../state/peer-certs.js';
import { watchDownMembers } from '../state/down-diagnosis.js';
import { planContexts, refusePrompt } from '../cli/connection.js';
import { openSession } from '../cli/session.js';
import type { KeyspaceScanner } from '../ui/KeyspaceView.js';
import { membersInOrder } from '../state/store.js';

const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const CLEAR_SCREEN = '\x1b[2J\x1b[3J\x1b[H';

/**
 * Full-screen cockpit (the poller is already running). The alternate screen is left on every way out: q,
 * Ctrl-C, SIGTERM/SIGHUP and a crash, so the user's terminal comes back intact.
 */
export async function runTui(session: Session, opts: CliOptions, config: UserConfig = { contexts: [] }): Promise<number> {
  const out = process.stdout;
  let theme: Theme;
  try {
    theme = chooseTheme(process.env, opts.theme ?? config.theme);
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

  const clusters = new ClusterServices(opts);
  const first = clusters.show(session);
  warnAboutPrivilegedCertificate(session);
  const fleet = config.contexts.length > 0 ? createFleet(session, opts, config, clusters) : undefined;
  const root = (s: Session, services: AttachedServices) => (
    <Root
      store={s.store}
      theme={theme}
      onQuit={() => quit(0)}
      operations={services.operations}
      inventory={s.plan.inventory}
      fleet={fleet}
      switchContext={switchContext}
      onRepaint={repaint}
      keyspace={keyspaceScanner(s)}
    />
  );
  // Ctrl-L: whatever scribbled on the terminal (a wall message, a stray write) goes; Ink forgets what it drew and draws it all.
  const repaint = (): void => {
    instance.clear();
    out.write(CLEAR_SCREEN);
  };
  const switchContext = (name: string): void => {
    if (!fleet) return;
    if (name === fleet.activeName()) {
      clusters.current().store.getState().setOverlay('none');
      return;
    }
    const from = fleet.activeName();
    void fleet.switchTo(name).then(
      (nextSession) => {
        clusters.current().store.getState().setOverlay('none');
        nextSession.store.getState().setOverlay('none');
        instance.rerender(root(nextSession, clusters.show(nextSession)));
        nextSession.store.getState().addEvent(`switched from ${from} to ${name}`, 'normal');
      },
      (err: Error) => clusters.current().store.getState().addEvent(`cannot switch to ${name}: ${err.message.split('\n')[0]}`, 'critical'),
    );
  };
  fleet?.start();
  const instance = render(root(session, first), {
    stdout: wantsAscii(opts.ascii || Boolean(config.ascii)) ? asciiStream(process.stdout) : process.stdout,
    exitOnCtrlC: false,
    patchConsole: false,
    incrementalRendering: true,
    maxFps: 60, // a key press must not wait behind a poll-driven frame
  });
  const code = await done;
  fleet?.stop();
  clusters.stopAll();
  session.poller.stop();
  instance.unmount();
  restore();
  for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.off(sig, onSignal);
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  return code;
}

/** The keyspace view's scan of a session's cluster: top 50 prefixes at depth 2 by bytes, as `keys top`. */
function keyspaceScanner(session: Session): KeyspaceScanner {
  return async (onProgress, signal) => {
    const { keysTop } = await import('../state/keys-top.js');
    const members = membersInOrder(session.store.getState());
    return keysTop((e) => session.poller.clientFor(e), members, { depth: 2, limit: 50, sort: 'bytes' }, (p) => onProgress(p.keys, p.totalKeys), signal);
  };
}

interface AttachedServices {
  operations: OperationRunner;
  stop: () => void;
}

/** Per cluster: the operation runner, the timeline and history recorders, the runbook view. Kept across context switches. */
class ClusterServices {
  private readonly attached = new Map<Session, AttachedServices>();
  private last?: Session;

  constructor(private readonly opts: CliOptions) {}

  /** Makes `session` the one on screen (attaching its services if not yet). */
  show(session: Session): AttachedServices {
    this.last = session;
    return this.attach(session);
  }

  attach(session: Session): AttachedServices {
    const existing = this.attached.get(session);
    if (existing) return existing;
    const { opts } = this;
    // Read-only mode hides every dangerous action in the registry; what remains (snapshots) changes nothing in etcd.
    const operations = new OperationRunner(
      session.store,
      (log) => operationContext(session, log, opts.pauseMs),
      new AuditLog(opts.auditLog ?? defaultAuditLogPath()),
      { cluster: session.plan.clusterName, etcdUser: session.plan.user },
      () => ({
        snapshotDir: snapshotDir(opts, session.plan.clusterName),
        timelineDir: join(stateDir(), 'timelines'),
        pauseMs: opts.pauseMs,
        // SSH (ssh2 and its crypto: ~0.7 MB of code) loads with the first service operation, not with the live view.
        openRun: async (inventory) => {
          const { createRunContext, closeRunContext } = await import('../adapters/runbook/run-context.js');
          const run = createRunContext({ inventory });
          return { run, close: () => closeRunContext(run) };
        },
        // A getter: only snapshots need etcdutl, and a missing one must not break the timeline export.
        get etcdutl() {
          return etcdutlStatusReader(() => findEtcdBinaries().etcdutl);
        },
      }),
    );
    const unwatch = watchClusterEvents(session.store);
    const stopHistory = recordHistory(session.store);
    const inventory = session.plan.inventory;
    // The runbook's steps (and the engine, SSH, PKI behind them: ~40 MB) load when the runbook is first opened or run.
    if (inventory) session.store.getState().setRunbook(emptyRunbookView([]));
    const stopPeerCerts = inventory ? watchPeerCertificates(session.store, inventory) : () => undefined;
    const stopDownWatch = inventory ? watchDownMembers(session.store, inventory) : () => undefined;
    const services = { operations, stop: () => (unwatch(), stopHistory(), stopPeerCerts(), stopDownWatch()) };
    this.attached.set(session, services);
    return services;
  }

  current(): Session {
    return this.last!;
  }

  stopAll(): void {
    for (const s of this.attached.values()) s.stop();
  }
}

/**
 * Every cluster of the user config, plus the one given by flags when it is
 * not one of them. Others open on first need, never with a password prompt.
 */
function createFleet(session: Session, opts: CliOptions, config: UserConfig, clusters: ClusterServices): Fleet<Session> {
  const configured = planContexts(opts, config).map(({ name, plan }) => ({
    name,
    open: async () => {
      const connection = plan();
      refusePrompt(connection);
      const opened = await openSession(connection, opts, { tlsMayNotExistYet: Boolean(connection.inventory?.runbook) });
      clusters.attach(opened); // its timeline records from now on, in view or not
      return opened;
    },
  }));
  const activeName = session.plan.contextName ?? uniqueName(session.plan.clusterName, configured.map((c) => c.name));
  const own = session.plan.contextName ? [] : [{ name: activeName, open: async () => session }];
  // What happens to a cluster out of view is said in the events pane of the one on screen.
  const tell = (name: string, text: string, tone: 'warning' | 'critical' | 'healthy'): void =>
    clusters.current().store.getState().addEvent(`${name}: ${text} (C lists every cluster)`, tone);
  return new Fleet([...own, ...configured], { name: activeName, session }, undefined, tell);
}

function uniqueName(name: string, taken: string[]): string {
  return taken.includes(name) ? `${name} (flags)` : name;
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
