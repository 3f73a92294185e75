import type { AuditSink } from '../core/ports/audit.js';
import type { OperationContext } from '../core/operations/context.js';
import type { OperationRequest } from '../core/operations/requests.js';
import { recordRefusal, runAudited, type ActionMeta } from '../core/operations/run-audited.js';
import { clusterLockFor } from '../core/operations/cluster-lock.js';
import type { CockpitStore } from './store.js';
import type { Inventory } from '../core/inventory/types.js';
import type { RunContext } from '../core/runbook/types.js';
import type { SnapshotStatusReader } from '../core/snapshot/verify.js';

/** What the TUI's actions need from the wiring root, read when an action runs. */
export interface RunnerSettings {
  snapshotDir: string;
  timelineDir?: string;
  /** The etcdutl that verifies snapshots (a getter: looked up only when a snapshot needs it). */
  readonly etcdutl: SnapshotStatusReader;
  /** `--pause` between members in rolling work. */
  pauseMs: number;
  /** Reaches the inventory's nodes (SSH or local) for service operations; close it when done. */
  openRun?: (inventory: Inventory) => { run: RunContext; close(): Promise<void> };
}

/**
 * The one path every mutating action takes in the TUI: ask (Cancel focused,
 * or the typed name) -> log -> run -> record in the audit log and the events
 * pane. Polling goes on meanwhile, so the panes show the effect live.
 */
export class OperationRunner {
  constructor(
    private readonly store: CockpitStore,
    private readonly contextFor: (log: (line: string) => void) => OperationContext,
    private readonly audit: AuditSink,
    private readonly who: { cluster: string; etcdUser?: string },
    readonly settings?: () => RunnerSettings,
  ) {}

  ask(request: OperationRequest): void {
    this.store.getState().setConfirm({ request, focus: 'cancel', typed: '' });
  }

  cancel(): void {
    const pending = this.store.getState().confirm;
    if (!pending) return;
    this.store.getState().setConfirm(undefined);
    recordRefusal(this.audit, this.meta(pending.request), 'cancelled', 'not confirmed');
    this.store.getState().addEvent(`${pending.request.action} ${pending.request.target}: cancelled, nothing changed`);
  }

  /** A refusal in the TUI (a dangerous key pressed while its action cannot run), recorded like the CLI's. */
  refused(what: { action: string; target: string; params?: ActionMeta['params'] }, why: string): void {
    recordRefusal(this.audit, { params: {}, ...what, ...this.who }, 'refused', why);
  }

  /** Runs the pending request; resolves when it has finished (the UI does not wait for it). */
  async confirm(): Promise<void> {
    const pending = this.store.getState().confirm;
    if (!pending) return;
    this.store.getState().setConfirm(undefined);
    await this.run(pending.request);
  }

  /** For what changes nothing in etcd (a snapshot): no question, same log and audit trail. */
  async run(request: OperationRequest): Promise<void> {
    const state = this.store.getState();
    if (state.busy) return;
    state.setBusy(`${request.action} ${request.target}`);
    const say = (line: string): void => {
      const tone = /FAILED|warning/.test(line) ? 'critical' : /: done$/.test(line) ? 'healthy' : 'normal';
      this.store.getState().addEvent(line, tone);
    };
    try {
      const ctx = this.contextFor(say);
      await runAudited(this.audit, this.meta(request), say, () => request.work(ctx), clusterLockFor(request.action, request.target, ctx));
    } finally {
      this.store.getState().setBusy(undefined);
    }
  }

  private meta(request: OperationRequest): ActionMeta {
    return { action: request.action, target: request.target, params: request.params, ...this.who };
  }
}
