import type { Etcd3 } from 'etcd3';
import { probeMember, listMembers } from '../adapters/etcd/probe.js';
import type { EtcdMember, ProbeResult } from '../core/ports/etcd.js';
import { etcdMember } from '../adapters/etcd/etcd-member.js';
import { PollClient } from '../adapters/etcd/light/poll-client.js';
import { fetchMetricsText } from '../adapters/etcd/metrics.js';
import { describeCertificate, fetchServerCertificate, type ServerCertificate } from '../adapters/etcd/server-cert.js';
import { coveredSpan } from '../core/metrics/leader-history.js';
import { METRICS_EVERY_MS, computeSignals, recordLeaderChanges, rttWindow, toScrape, type LeaderChangeHistory, type Scrape } from '../core/metrics/signals.js';
import { summarizeSignals } from '../core/metrics/summary.js';
import type { ClientOptions } from '../adapters/etcd/member-client.js';
import { createMemberClient } from '../adapters/etcd/member-client.js';
import type { CockpitStore, SignalsUpdate } from './store.js';
import type { MemberHealth, MemberListEntry, MemberSample } from '../core/cluster/types.js';
import type { PollSource } from '../core/cluster/poll-sources.js';
import { explainEtcdError } from '../core/errors/explain-etcd-error.js';

export interface PollerOptions {
  intervalMs: number;
  /** Connection settings per endpoint (the TLS server name can differ per member). */
  clientOptions: (endpoint: string) => ClientOptions;
  /** How often to refresh the member list and discover members not configured. */
  memberListEveryMs?: number;
  /**
   * How often a member that looks steady gets the linearizable read besides
   * status (every poll while it does not, and at once when status shows a
   * leader or term change). Default 5 s.
   */
  quorumReadEveryMs?: number;
  /** How often to read /metrics (quota, disk and network latencies, leader changes). Default METRICS_EVERY_MS. */
  metricsEveryMs?: number;
  /** How often to read the certificate each member presents. */
  certEveryMs?: number;
  /** A command that answers once: a failure's reason does not promise a next try. */
  oneShot?: boolean;
  now?: () => number;
}

/**
 * Every member polled each interval, independently: a member that hangs costs
 * only its own tick one deadline; the others, the screen and the keys carry
 * on. A member's tick is skipped while its previous one is still running.
 *
 * Polling uses the light gRPC client; etcd3 clients (and etcd3 itself) are
 * only created when an operation asks for one.
 */
export class Poller {
  private readonly pollClients = new Map<string, PollClient>();
  private readonly clients = new Map<string, Etcd3>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<string>();
  private lastMemberList = 0;
  /** When the last /metrics round started, and the round in flight: every member is scraped in one round, applied in one update. */
  private lastMetricsRound = -Infinity;
  private metricsRound?: Promise<void>;
  private readonly scrapes = new Map<string, { scrape: Scrape; history: LeaderChangeHistory; window: Scrape[] }>();
  /** Members some /metrics round has asked: one discovered since is asked at once, not up to metricsEveryMs later. */
  private readonly inMetricsRound = new Set<string>();
  private readonly lastCert = new Map<string, number>();
  private readonly lastQuorumRead = new Map<string, number>();
  /** Members the cockpit cannot ask (wrong password, TLS files): retried ever more slowly, not hammered every interval. */
  private readonly backoff = new Map<string, { failures: number; until: number }>();
  private stopped = false;
  /** Probes out now, and answers waiting to be applied together (see deliver). */
  private probing = 0;
  private readonly answers: { endpoint: string; result: ProbeResult; delivered: () => void }[] = [];
  private settleTimer?: NodeJS.Timeout;
  /** Bumped by pause(): loops of an earlier generation end instead of rescheduling. */
  private generation = 0;

  constructor(
    private readonly store: CockpitStore,
    private readonly options: PollerOptions,
  ) {}

  start(): void {
    this.startRounds();
  }

  /** Polls every member once, all in parallel (members discovered meanwhile too); resolves when all have answered or timed out. */
  async pollOnce(): Promise<void> {
    this.lastMemberList = 0;
    const polled = new Set<string>();
    for (;;) {
      const pending = this.store.getState().order.filter((e) => !polled.has(e));
      if (pending.length === 0) return;
      pending.forEach((e) => polled.add(e));
      await Promise.all(pending.map((endpoint) => this.tick(endpoint, true)));
    }
  }

  /**
   * pollOnce, and once more when a member failed for the first time: a
   * one-shot answer (`status`, an operation's plan) must not call quorum lost
   * from one late answer.
   */
  async pollSettled(): Promise<void> {
    await this.pollOnce();
    const state = this.store.getState();
    if (state.order.some((e) => state.members[e]?.strikes === 1)) await this.pollOnce();
  }

  /** Stops the loops but keeps the connections: pollOnce() still works and start() resumes (a cluster out of view). */
  pause(): void {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /**
   * Drops every connection so the next poll and operation connect afresh with
   * what clientOptions gives now (new TLS files on disk).
   */
  reconnect(): void {
    for (const c of this.pollClients.values()) c.close();
    this.pollClients.clear();
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    this.backoff.clear();
    this.lastCert.clear();
  }

  stop(): void {
    this.stopped = true;
    this.applyAnswers(); // nothing waits on a stopped poller
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.pollClients.values()) c.close();
    this.pollClients.clear();
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  /**
   * One timer for every member: each round starts a tick for each member not
   * still busy with the previous one, so a hung member misses rounds alone.
   * One wake-up a second instead of one per member is cheaper when idle.
   */
  private startRounds(): void {
    const generation = this.generation;
    const round = (): void => {
      if (this.stopped || generation !== this.generation) return;
      for (const endpoint of this.store.getState().order) void this.tick(endpoint);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        round();
      }, this.options.intervalMs);
      timer.unref?.();
      this.timers.add(timer);
    };
    round();
  }

  /** One member as operations see it (the core's EtcdMember port). */
  memberFor(endpoint: string): EtcdMember {
    return etcdMember(this.clientFor(endpoint));
  }

  /** The etcd3 client bound to one member (each call has its own deadline). */
  clientFor(endpoint: string): Etcd3 {
    let client = this.clients.get(endpoint);
    if (!client) {
      client = createMemberClient(endpoint, this.options.clientOptions(endpoint));
      this.clients.set(endpoint, client);
    }
    return client;
  }

  private async tick(endpoint: string, force = false): Promise<void> {
    if (this.inFlight.has(endpoint) || this.stopped) return;
    if (!force && this.now() < (this.backoff.get(endpoint)?.until ?? 0)) return;
    this.inFlight.add(endpoint);
    try {
      let client: PollClient;
      try {
        client = this.pollClientFor(endpoint);
      } catch (err) {
        // Cannot even build a client (TLS files missing): the pane says why.
        this.store.getState().applyProbe(endpoint, { ok: false, kind: 'error', reason: (err as Error).message }, this.now());
        return;
      }
      // /metrics is a separate request: fetch it alongside, not after, the probe; the probe's answer does not wait for it.
      const metrics = this.refreshMetrics();
      // A one-shot answer asks every member for the list alongside its status, not a round trip after it; one answer is used.
      const list = this.options.oneShot && this.memberListDue() ? listMembers(client) : undefined;
      list?.catch(() => undefined); // read (and said) by refreshMemberList, or dropped with a failed probe
      const result = await this.probe(client, endpoint);
      if (this.stopped) return;
      await this.deliver(endpoint, result);
      await Promise.all([metrics, result.ok ? this.refreshMemberList(client, list) : undefined, this.refreshCert(endpoint, client, result)]);
    } finally {
      this.inFlight.delete(endpoint);
    }
  }

  private async probe(client: PollClient, endpoint: string): Promise<ProbeResult> {
    this.probing++;
    try {
      return await probeMember(client, this.steadySample(endpoint));
    } finally {
      this.probing--;
    }
  }

  /**
   * Answers wait until no other probe is out (at most SETTLE_MS) and go into
   * the store together: one redraw per round instead of one per member, and no
   * redraw while the other members' latencies are still being measured.
   */
  private deliver(endpoint: string, result: ProbeResult): Promise<void> {
    return new Promise((delivered) => {
      this.answers.push({ endpoint, result, delivered });
      if (this.probing === 0) this.applyAnswers();
      else this.settleTimer ??= setTimeout(() => this.applyAnswers(), SETTLE_MS);
    });
  }

  private applyAnswers(): void {
    clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    const answers = this.answers.splice(0);
    for (const { endpoint, result } of answers) {
      const waitMs = this.backOff(endpoint, result);
      if (!this.stopped) this.store.getState().applyProbe(endpoint, this.options.oneShot ? result : withBackoff(result, waitMs), this.now());
    }
    for (const a of answers) a.delivered();
  }

  private pollClientFor(endpoint: string): PollClient {
    let client = this.pollClients.get(endpoint);
    if (!client) {
      client = new PollClient(endpoint, this.options.clientOptions(endpoint));
      this.pollClients.set(endpoint, client);
    }
    return client;
  }

  private memberListDue(): boolean {
    return this.now() - this.lastMemberList >= this.memberListEveryMs() && !this.backingOff('member list');
  }

  private memberListEveryMs(): number {
    return this.options.memberListEveryMs ?? 5000;
  }

  /** `asked`: the list already requested from this member (one-shot), else it is asked now. */
  private async refreshMemberList(client: PollClient, asked?: Promise<MemberListEntry[]>): Promise<void> {
    const every = this.memberListEveryMs();
    if (!this.memberListDue()) return;
    this.lastMemberList = this.now();
    try {
      const list = await (asked ?? listMembers(client));
      if (this.stopped) return;
      this.store.getState().recordSource('member list', {}, this.now(), every);
      const state = this.store.getState();
      state.setMemberList(list);
      for (const member of list) {
        const url = member.clientUrls[0];
        if (!url || state.order.some((e) => sameEndpoint(e, url))) continue;
        this.store.getState().addMember(url, member.name || undefined); // the next round polls it too
      }
    } catch (err) {
      if (this.stopped) return;
      this.lastMemberList = 0; // another member, once the backoff allows
      this.store.getState().recordSource('member list', { error: explainEtcdError(err).message }, this.now(), every);
    }
  }

  /** The member's last sample when it is healthy and its linearizable read is not due; undefined means read now. */
  private steadySample(endpoint: string): MemberSample | undefined {
    const member = this.store.getState().members[endpoint];
    const sample = member?.last;
    const steady = member?.health === 'ok' && sample?.quorumRead === 'ok' && sample.leaderId !== '';
    if (steady && !this.due(this.lastQuorumRead, endpoint, this.options.quorumReadEveryMs ?? 5000)) return sample;
    this.lastQuorumRead.set(endpoint, this.now());
    return undefined;
  }

  /**
   * Scrapes every member's /metrics in one round (at most every
   * metricsEveryMs) and applies the results in one store update: one redraw
   * per round instead of one per member.
   */
  private refreshMetrics(): Promise<void> {
    if (this.metricsRound) return this.metricsRound;
    const newMember = this.store.getState().order.some((e) => !this.inMetricsRound.has(e));
    if ((!newMember && this.now() - this.lastMetricsRound < (this.options.metricsEveryMs ?? METRICS_EVERY_MS)) || this.backingOff('metrics')) return Promise.resolve();
    this.lastMetricsRound = this.now();
    this.metricsRound = this.metricsRoundNow().finally(() => (this.metricsRound = undefined));
    return this.metricsRound;
  }

  private async metricsRoundNow(): Promise<void> {
    const endpoints = this.store.getState().order;
    for (const e of endpoints) this.inMetricsRound.add(e);
    const failed: string[] = [];
    const texts = await Promise.all(
      endpoints.map((endpoint) =>
        this.fetchMetrics(endpoint).catch((err: unknown) => void failed.push(`${this.store.getState().members[endpoint]?.name ?? endpoint}: ${explainEtcdError(err).message}`)),
      ),
    );
    if (this.stopped) return;
    // Members that do not answer at all are said by their panes; the source fails when answering members' /metrics cannot be read.
    const answering = endpoints.filter((e) => isAnswering(this.store.getState().members[e]?.health));
    const failedAnswering = failed.filter((line) => answering.some((e) => line.startsWith(`${this.store.getState().members[e]?.name ?? e}:`)));
    this.store.getState().recordSource('metrics', failedAnswering.length ? { error: failedAnswering.join('; ') } : {}, this.now(), this.options.metricsEveryMs ?? METRICS_EVERY_MS);
    const updates: SignalsUpdate[] = [];
    endpoints.forEach((endpoint, i) => {
      const text = texts[i];
      if (text === undefined) return;
      const scrape = toScrape(text, this.now());
      const before = this.scrapes.get(endpoint);
      const history = recordLeaderChanges(before?.history ?? [], scrape);
      const window = rttWindow(before?.window ?? [], scrape);
      this.scrapes.set(endpoint, { scrape, history, window: window.keep });
      const signals = computeSignals(before?.scrape, scrape, history, window.base);
      const summary = { ...summarizeSignals(signals), leaderChangesSpanMs: coveredSpan(history, scrape.at) };
      updates.push({ endpoint, signals: summary, quotaBytes: signals.quotaBytes.value });
    });
    this.store.getState().applySignals(updates);
  }

  private fetchMetrics(endpoint: string): Promise<string> {
    // Over TLS etcd serves /metrics beside gRPC on the same HTTP/2 connection; a plain-HTTP port does not.
    if (endpoint.startsWith('https://')) return this.pollClientFor(endpoint).metricsText();
    const { tls, deadlineMs, serverName } = this.options.clientOptions(endpoint);
    return fetchMetricsText(endpoint, tls, deadlineMs, serverName);
  }

  /**
   * The certificate the member presents: the one of the probe's own handshake
   * when that is younger than certEveryMs (no second handshake), else a
   * handshake of its own, which also reads an expired certificate. A member
   * that did not answer at all is not asked twice.
   */
  private async refreshCert(endpoint: string, client: PollClient, probe: ProbeResult): Promise<void> {
    const every = this.options.certEveryMs ?? 10 * 60_000;
    if (!endpoint.startsWith('https://') || this.backingOff('certificates')) return;
    if (!probe.ok && (probe.kind === 'timeout' || probe.kind === 'unreachable')) return;
    if (!this.due(this.lastCert, endpoint, every)) return;
    try {
      const fromProbe = client.peerCertificate();
      const cert = fromProbe && Date.now() - fromProbe.at < every ? describeCertificate(fromProbe.x509) : await this.handshakeCertificate(endpoint);
      if (this.stopped) return;
      this.store.getState().setCert(endpoint, { daysLeft: cert.daysLeft, notAfter: cert.notAfter.toISOString() });
      this.store.getState().recordSource('certificates', {}, this.now(), every);
    } catch (err) {
      this.lastCert.delete(endpoint);
      if (this.stopped || !isAnswering(this.store.getState().members[endpoint]?.health)) return;
      const name = this.store.getState().members[endpoint]?.name ?? endpoint;
      this.store.getState().recordSource('certificates', { error: `${name}: ${explainEtcdError(err).message}` }, this.now(), every);
    }
  }

  private handshakeCertificate(endpoint: string): Promise<ServerCertificate> {
    const { tls, deadlineMs, serverName } = this.options.clientOptions(endpoint);
    return fetchServerCertificate(endpoint, tls, deadlineMs, serverName);
  }

  /** After a failure of the cockpit's own setup: wait 2, 4, 8 ... up to 60 s before asking this member again. */
  private backOff(endpoint: string, result: ProbeResult): number | undefined {
    if (result.ok || result.kind !== 'setup') {
      this.backoff.delete(endpoint);
      return undefined;
    }
    const failures = (this.backoff.get(endpoint)?.failures ?? 0) + 1;
    const waitMs = Math.min(60_000, Math.max(this.options.intervalMs, 1000 * 2 ** failures));
    this.backoff.set(endpoint, { failures, until: this.now() + waitMs });
    return waitMs;
  }

  /** A poll source that failed waits out its backoff (2, 4 ... 60 s) before it is read again. */
  private backingOff(source: PollSource): boolean {
    const s = this.store.getState().sources[source];
    return Boolean(s && !s.ok && this.now() < s.nextTryAt);
  }

  /** True (and remembered) when `every` has passed since the last time for this endpoint. */
  private due(last: Map<string, number>, endpoint: string, every: number): boolean {
    if (this.now() - (last.get(endpoint) ?? -Infinity) < every) return false;
    last.set(endpoint, this.now());
    return true;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

/** How long answers that are in wait for a slower member's before they are shown anyway. */
const SETTLE_MS = 50;

function withBackoff(result: ProbeResult, waitMs: number | undefined): ProbeResult {
  if (result.ok || waitMs === undefined) return result;
  return { ...result, reason: `${result.reason} (next try in ${Math.round(waitMs / 1000)} s)` };
}

function sameEndpoint(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

function isAnswering(health: MemberHealth | undefined): boolean {
  return health === 'ok' || health === 'degraded';
}
