import { createStore, type StoreApi } from 'zustand/vanilla';
import { summarizeCluster, type ClusterSummary } from '../core/cluster/summary.js';
import { membersInOrder, type CockpitStore } from './store.js';

/** One configured cluster as the overview lists it. */
export interface ContextRow {
  name: string;
  /** The cluster on screen now (polled at full rate). */
  active: boolean;
  summary?: ClusterSummary;
  /** Why it cannot be polled (no password without a prompt, unreadable TLS files...). */
  error?: string;
  polledAt?: number;
}

/** What the fleet needs of a cluster's session: its store and a poller it can run fast, pause, or poll once. */
export interface FleetSession {
  store: CockpitStore;
  poller: { start(): void; pause(): void; pollOnce(): Promise<void>; stop(): void };
}

export interface FleetContext<S extends FleetSession> {
  name: string;
  /** Opens the session (reads TLS files and the password); throws a one-line error when it cannot. */
  open: () => Promise<S>;
}

/**
 * Every cluster of the user config: the active one polled at full rate by its
 * own poller, the others polled once every `overviewEveryMs` for the overview
 * (quorum, answering members, alarms). Switching keeps every session, so each
 * cluster's timeline and history carry on in the background.
 */
export class Fleet<S extends FleetSession = FleetSession> {
  /** The overview's rows and the row its cursor is on. */
  readonly rows: StoreApi<{ rows: ContextRow[]; cursor: number }>;
  private readonly sessions = new Map<string, S>();
  private timer?: NodeJS.Timeout;
  private active: string;
  private stopped = false;

  constructor(
    private readonly contexts: FleetContext<S>[],
    active: { name: string; session: S },
    private readonly overviewEveryMs = 10_000,
    /** Told when a cluster out of view loses or regains quorum, raises an alarm, or cannot be polled. */
    private readonly onAttention: (name: string, text: string, tone: 'warning' | 'critical' | 'healthy') => void = () => undefined,
  ) {
    this.active = active.name;
    this.sessions.set(active.name, active.session);
    this.rows = createStore<{ rows: ContextRow[]; cursor: number }>()(() => ({
      rows: contexts.map((c) => ({ name: c.name, active: c.name === active.name })),
      cursor: Math.max(0, contexts.findIndex((c) => c.name === active.name)),
    }));
    for (const session of this.sessions.values()) session.store.setState({ contexts: this.names() });
  }

  names(): string[] {
    return this.contexts.map((c) => c.name);
  }

  activeName(): string {
    return this.active;
  }

  moveCursor(delta: number): void {
    const count = this.contexts.length;
    this.rows.setState((s) => ({ cursor: (((s.cursor + delta) % count) + count) % count }));
  }

  cursorName(): string {
    return this.contexts[this.rows.getState().cursor]!.name;
  }

  /** Starts the slow overview loop (the first round at once). */
  start(): void {
    const round = (): void => {
      if (this.stopped) return;
      void this.pollOthers().finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(round, this.overviewEveryMs);
        this.timer.unref?.();
      });
    };
    round();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const session of this.sessions.values()) session.poller.stop();
  }

  /** Makes `name` the cluster on screen: its poller runs at full rate, the previous one drops to the overview rate. */
  async switchTo(name: string): Promise<S> {
    const session = await this.sessionOf(name);
    const previous = this.sessions.get(this.active);
    if (name !== this.active) {
      previous?.poller.pause();
      this.active = name;
      session.poller.start();
    }
    this.updateRow(name, { error: undefined });
    this.refreshActiveFlags();
    return session;
  }

  private async sessionOf(name: string): Promise<S> {
    const existing = this.sessions.get(name);
    if (existing) return existing;
    const context = this.contexts.find((c) => c.name === name);
    if (!context) throw new Error(`no context "${name}" (contexts: ${this.names().join(', ')})`);
    const session = await context.open();
    session.store.setState({ contexts: this.names() });
    this.sessions.set(name, session);
    return session;
  }

  private async pollOthers(): Promise<void> {
    const at = Date.now();
    this.updateRow(this.active, { summary: this.summaryOf(this.sessions.get(this.active)!), polledAt: at });
    await Promise.all(
      this.contexts
        .filter((c) => c.name !== this.active)
        .map(async (c) => {
          try {
            const session = await this.sessionOf(c.name);
            if (c.name === this.active) return;
            await session.poller.pollOnce();
            this.updateRow(c.name, { summary: this.summaryOf(session), polledAt: Date.now(), error: undefined });
          } catch (err) {
            this.updateRow(c.name, { error: (err as Error).message.split('\n')[0], polledAt: Date.now() });
          }
        }),
    );
  }

  private summaryOf(session: FleetSession): ClusterSummary {
    const state = session.store.getState();
    return summarizeCluster(membersInOrder(state), state.memberList);
  }

  private updateRow(name: string, patch: Partial<ContextRow>): void {
    const before = this.rows.getState().rows.find((r) => r.name === name);
    this.rows.setState((s) => ({ rows: s.rows.map((r) => (r.name === name ? { ...r, ...patch } : r)) }));
    const after = this.rows.getState().rows.find((r) => r.name === name);
    if (!before || !after || name === this.active) return;
    const alert = rowAlert(before, after);
    if (alert) this.onAttention(name, alert.text, alert.tone);
  }

  private refreshActiveFlags(): void {
    this.rows.setState((s) => ({ rows: s.rows.map((r) => ({ ...r, active: r.name === this.active })) }));
  }
}

/**
 * What changed in a cluster out of view that the person looking at another
 * one must hear about: quorum lost or back, an alarm raised, polling failing.
 * The first poll of a cluster only reports a problem, never "all fine".
 */
export function rowAlert(before: ContextRow, after: ContextRow): { text: string; tone: 'warning' | 'critical' | 'healthy' } | undefined {
  if (after.error && after.error !== before.error) return { text: `cannot be polled: ${after.error}`, tone: 'warning' };
  const was = before.summary;
  const now = after.summary;
  if (!now) return undefined;
  if (now.quorum === 'lost' && was?.quorum !== 'lost') return { text: `quorum LOST (${now.answering}/${now.total} answering)`, tone: 'critical' };
  const newAlarms = now.alarms.filter((a) => !was?.alarms.includes(a));
  if (newAlarms.length > 0) return { text: `ALARM ${newAlarms.join(', ')}`, tone: 'critical' };
  if (was?.quorum === 'lost' && now.quorum === 'ok') return { text: `quorum back (${now.answering}/${now.total} answering)`, tone: 'healthy' };
  if (was && now.quorum === 'ok' && now.answering < was.answering) {
    return { text: `${now.answering}/${now.total} answering, tolerates ${now.tolerates} more failure${now.tolerates === 1 ? '' : 's'}`, tone: 'warning' };
  }
  return undefined;
}
