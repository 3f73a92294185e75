import { createStore, type StoreApi } from 'zustand/vanilla';
import type { MemberListEntry, MemberSample, MemberState, SignalSummary } from '../core/cluster/types.js';
import type { ProbeResult } from '../core/ports/etcd.js';
import { latencyBucket, latencyStep } from '../core/view/member-view.js';
import { listedEntry } from '../core/cluster/listed-entry.js';
import type { OperationRequest } from '../core/operations/requests.js';
import type { RunbookEvent } from '../core/runbook/events.js';
import { applyRunbookEvent, type RunbookView } from './runbook-view.js';
import type { MemberHistory } from './history.js';
import { nextSourceState, sourceTransition, type PollSource, type SourceState } from '../core/cluster/poll-sources.js';

export type Overlay = 'none' | 'help' | 'runbook' | 'detail' | 'contexts' | 'keyspace';

export interface CockpitEvent {
  at: number;
  text: string;
  tone: 'normal' | 'warning' | 'critical' | 'healthy';
}

/** A mutating action waiting for the user's yes (or the typed name). Cancel has the focus first. */
export interface PendingConfirm {
  request: OperationRequest;
  focus: 'cancel' | 'confirm';
  typed: string;
}

const MAX_EVENTS = 200;

export interface CockpitState {
  clusterName: string;
  /** Endpoints in display order; members are keyed by endpoint so one member's update leaves the others' objects alone. */
  order: string[];
  members: Record<string, MemberState>;
  memberList?: MemberListEntry[];
  selected: number;
  overlay: Overlay;
  readOnly: boolean;
  events: CockpitEvent[];
  confirm?: PendingConfirm;
  /** The action running now; one at a time. */
  busy?: string;
  /** Present when the cockpit was started with an inventory: the bootstrap runbook's progress. */
  runbook?: RunbookView;
  /** Sparkline points per member (15 minutes). */
  history: Record<string, MemberHistory>;
  /** `/` filter on member names; `editing` while the user types it. */
  filter: { text: string; editing: boolean };
  /** Names of the clusters of the user config (the cockpit's own first); `:ctx NAME` switches. */
  contexts: string[];
  /** The `:` command line while it is open. */
  command?: { text: string; error?: string };
  /** Health of what the poller reads besides member status; a failing one is said, not swallowed. */
  sources: Partial<Record<PollSource, SourceState>>;

  /** One read of a poll source; `periodMs` is how often it is read when healthy. */
  recordSource(source: PollSource, outcome: { error?: string }, now: number, periodMs: number): SourceState;
  addMember(endpoint: string, name?: string): void;
  applyProbe(endpoint: string, result: ProbeResult, now: number): void;
  /** A /metrics round for every member at once: one update, one redraw. */
  applySignals(updates: SignalsUpdate[]): void;
  setCert(endpoint: string, cert: NonNullable<MemberState['cert']>): void;
  setPeerCert(endpoint: string, cert: NonNullable<MemberState['peerCert']>): void;
  setMemberList(list: MemberListEntry[]): void;
  moveSelection(delta: number): void;
  setFilter(filter: { text: string; editing: boolean }): void;
  setCommand(command: { text: string; error?: string } | undefined): void;
  /** Moves the selection onto the member with this name; false when there is none. */
  selectByName(name: string): boolean;
  setOverlay(overlay: Overlay): void;
  addEvent(text: string, tone?: CockpitEvent['tone'], at?: number): void;
  setConfirm(confirm: PendingConfirm | undefined): void;
  setBusy(label: string | undefined): void;
  setRunbook(view: RunbookView): void;
  applyRunbookEvent(event: RunbookEvent): void;
  setRunbookPatroni(block: string): void;
}

export type CockpitStore = StoreApi<CockpitState>;

export interface SignalsUpdate {
  endpoint: string;
  signals: SignalSummary;
  /** quota-backend-bytes from the same scrape, when reported. */
  quotaBytes?: number;
}

export function createCockpitStore(init: {
  clusterName: string;
  members: { endpoint: string; name?: string }[];
  readOnly?: boolean;
}): CockpitStore {
  // When each member last answered. Kept outside the reactive state: it moves on
  // every poll, and only matters once a member stops answering.
  const answeredAt = new Map<string, number>();
  // Each member's latency as last measured (not as shown), for oneOffLatencyKept.
  const measuredLatency = new Map<string, number>();
  return createStore<CockpitState>()((set, get) => ({
    clusterName: init.clusterName,
    order: init.members.map((m) => m.endpoint),
    members: Object.fromEntries(init.members.map((m) => [m.endpoint, newMember(m.endpoint, m.name)])),
    selected: 0,
    overlay: 'none',
    readOnly: init.readOnly ?? false,
    events: [],
    history: {},
    filter: { text: '', editing: false },
    contexts: [],
    sources: {},

    recordSource(source, outcome, now, periodMs) {
      const prev = get().sources[source];
      const next = nextSourceState(prev, outcome, now, periodMs);
      if (next === prev) return next;
      const said = sourceTransition(source, prev, next, now);
      // A source failing again keeps its first event; only its state (backoff) moves on.
      set((s) => ({ sources: { ...s.sources, [source]: next } }));
      if (said) get().addEvent(said.text, said.tone, now);
      return next;
    },

    addMember(endpoint, name) {
      if (get().members[endpoint]) return;
      set((s) => ({ order: [...s.order, endpoint], members: { ...s.members, [endpoint]: newMember(endpoint, name) } }));
    },

    applyProbe(endpoint, result, now) {
      const prev = get().members[endpoint];
      if (!prev) return;
      if (result.ok) answeredAt.set(endpoint, now);
      const next = nextMemberState(prev, oneOffLatencyKept(prev, result, measuredLatency, endpoint), now, answeredAt.get(endpoint), get().memberList);
      if (next !== prev) set((s) => ({ members: { ...s.members, [endpoint]: next } }));
    },

    applySignals(updates) {
      const members = { ...get().members };
      let changed = false;
      for (const { endpoint, signals, quotaBytes } of updates) {
        const prev = members[endpoint];
        if (!prev) continue;
        const sameSignals = sameJson(prev.signals, signals);
        const sameQuota = quotaBytes === undefined || prev.quotaBytes === quotaBytes;
        if (sameSignals && sameQuota) continue;
        members[endpoint] = { ...prev, signals: sameSignals ? prev.signals : signals, quotaBytes: sameQuota ? prev.quotaBytes : quotaBytes };
        changed = true;
      }
      if (changed) set({ members });
    },

    setCert(endpoint, cert) {
      const prev = get().members[endpoint];
      if (!prev || sameJson(prev.cert, cert)) return;
      set((s) => ({ members: { ...s.members, [endpoint]: { ...prev, cert } } }));
    },

    setPeerCert(endpoint, peerCert) {
      const prev = get().members[endpoint];
      if (!prev || sameJson(prev.peerCert, peerCert)) return;
      set((s) => ({ members: { ...s.members, [endpoint]: { ...prev, peerCert } } }));
    },

    setMemberList(list) {
      if (sameJson(get().memberList, list)) return;
      const members = { ...get().members };
      for (const [endpoint, m] of Object.entries(members)) {
        const entry = listedEntry(m, list);
        if (entry?.name && entry.name !== m.name) members[endpoint] = { ...m, name: entry.name };
      }
      set({ memberList: list, members });
    },

    moveSelection(delta) {
      // Moves among the members the filter shows; `selected` stays an index into `order`.
      const state = get();
      const shown = visibleEndpoints(state).map((e) => state.order.indexOf(e));
      if (shown.length === 0) return;
      const at = Math.max(0, shown.indexOf(state.selected));
      const next = shown[(((at + delta) % shown.length) + shown.length) % shown.length]!;
      set({ selected: next });
    },

    setFilter(filter) {
      set({ filter });
      const state = get();
      const shown = visibleEndpoints(state);
      const current = state.order[state.selected];
      if (shown.length > 0 && (!current || !shown.includes(current))) set({ selected: state.order.indexOf(shown[0]!) });
    },

    setCommand(command) {
      set({ command });
    },

    selectByName(name) {
      const index = get().order.findIndex((e) => get().members[e]?.name === name);
      if (index === -1) return false;
      set({ selected: index });
      return true;
    },

    setOverlay(overlay) {
      set({ overlay });
    },

    addEvent(text, tone = 'normal', at = Date.now()) {
      set((s) => ({ events: [...s.events, { at, text, tone }].slice(-MAX_EVENTS) }));
    },

    setConfirm(confirm) {
      set({ confirm });
    },

    setBusy(label) {
      set({ busy: label });
    },

    setRunbook(view) {
      set({ runbook: view });
    },

    setRunbookPatroni(block) {
      const view = get().runbook;
      if (view) set({ runbook: { ...view, patroni: block } });
    },

    applyRunbookEvent(event) {
      const view = get().runbook;
      if (view) set({ runbook: applyRunbookEvent(view, event) });
    },
  }));
}

function newMember(endpoint: string, name?: string): MemberState {
  return { endpoint, name: name ?? endpoint, health: 'unknown' };
}

/** Returns `prev` itself when nothing visible changed, so nothing re-renders. */
export function nextMemberState(
  prev: MemberState,
  result: ProbeResult,
  now: number,
  lastAnswered: number | undefined,
  memberList?: MemberListEntry[],
): MemberState {
  if (!result.ok) {
    const next: MemberState = {
      ...prev,
      health: result.kind,
      reason: result.reason,
      lastSeen: lastAnswered,
      downSince: prev.downSince ?? now,
      strikes: strike(prev),
    };
    return sameState(prev, next) ? prev : next;
  }
  const sample = { ...result.sample, latencyMs: stableLatency(prev.last?.latencyMs, result.sample.latencyMs) };
  const listed = memberList?.find((e) => e.id === sample.memberId);
  const degradedReason = degradation(sample);
  const next: MemberState = {
    ...prev,
    name: listed?.name || prev.name,
    health: degradedReason ? 'degraded' : 'ok',
    reason: degradedReason,
    last: sameSample(prev.last, sample) ? prev.last : sample,
    lastSeen: undefined,
    downSince: undefined,
    strikes: sample.quorumRead === 'ok' ? undefined : strike(prev),
  };
  return sameState(prev, next) ? prev : next;
}

function strike(prev: MemberState): number {
  return Math.min(2, (prev.strikes ?? 0) + 1);
}

/**
 * Keeps the shown latency until a new one is clearly in another step (past the
 * step's edge by a factor of two): jitter around an edge must not redraw the
 * pane on every poll.
 */
export function stableLatency(previous: number | undefined, next: number): number {
  if (previous === undefined || latencyBucket(previous) === latencyBucket(next)) return previous ?? next;
  const { low, high } = latencyStep(previous);
  return next > high * 2 || next < low / 2 ? next : previous;
}

/**
 * A latency in another step than the poll before's is shown only once a
 * second poll agrees: the poll with the linearizable read (every 5 s) takes
 * a step longer than status alone, and that one-poll blip would otherwise
 * redraw the pane twice every 5 s.
 */
function oneOffLatencyKept(prev: MemberState, result: ProbeResult, measured: Map<string, number>, endpoint: string): ProbeResult {
  if (!result.ok) return result;
  const before = measured.get(endpoint);
  measured.set(endpoint, result.sample.latencyMs);
  const shown = prev.last?.latencyMs;
  if (shown === undefined || before === undefined || latencyBucket(before) === latencyBucket(result.sample.latencyMs)) return result;
  return { ...result, sample: { ...result.sample, latencyMs: shown } };
}

function degradation(sample: MemberSample): string | undefined {
  if (sample.alarms.length > 0) return `alarm ${sample.alarms.join(', ')}`;
  if (sample.quorumRead === 'failed') return `cannot serve reads: ${sample.quorumReadReason ?? 'no quorum'}`;
  if (!sample.leaderId) return 'no leader';
  return undefined;
}

function sameSample(a: MemberSample | undefined, b: MemberSample): boolean {
  return a !== undefined && sameJson(a, b);
}

function sameState(a: MemberState, b: MemberState): boolean {
  return (
    a.health === b.health &&
    a.reason === b.reason &&
    a.name === b.name &&
    a.downSince === b.downSince &&
    a.strikes === b.strikes &&
    a.last === b.last &&
    a.lastSeen === b.lastSeen &&
    a.quotaBytes === b.quotaBytes
  );
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The members the `/` filter lets through (all when it is empty), in display order. */
export function visibleEndpoints(state: Pick<CockpitState, 'order' | 'members' | 'filter'>): string[] {
  const needle = state.filter.text.toLowerCase();
  if (!needle) return state.order;
  return state.order.filter((e) => (state.members[e]?.name ?? e).toLowerCase().includes(needle));
}

/** The members in display order. */
export function membersInOrder(state: Pick<CockpitState, 'order' | 'members'>): MemberState[] {
  return state.order.map((e) => state.members[e]!);
}

/** The member the selection is on, if any. */
export function selectedMember(state: Pick<CockpitState, 'order' | 'members' | 'selected'>): MemberState | undefined {
  const endpoint = state.order[state.selected];
  return endpoint ? state.members[endpoint] : undefined;
}
