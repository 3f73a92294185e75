import type { AuditSink } from '../core/ports/audit.js';
import type { OperationContext } from '../core/operations/context.js';
import type { OperationRequest } from '../core/operations/requests.js';
import { recordRefusal, type ActionMeta } from '../core/operations/run-audited.js';
import { runOperation } from '../core/operations/run-operation.js';
import { DEFAULT_BACKUP_MAX_AGE_MS } from '../core/operations/backup-first.js';
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
  /** Reaches the inventory's nodes (SSH or local) for service operations; close it when done. May load SSH first. */
  openRun?: (inventory: Inventory) => OpenedRun | Promise<OpenedRun>;
}

export interface OpenedRun {
  run: RunContext;
  close(): Promise<void>;
}

/**
 * The TUI's side of the one operation path (core/operations/run-operation.ts):
 * the confirmation is the dialog (Cancel focused, or the typed name), progress
 * lines go to the events pane, one action at a time. Polling goes on
 * meanwhile, so the panes show the effect live.
 */
export class OperationRunner {
  private answer?: (yes: boolean) => void;
  private running?: Promise<void>;

  constructor(
    private readonly store: CockpitStore,
    private readonly contextFor: (log: (line: string) => void) => OperationContext,
    private readonly audit: AuditSink,
    private readonly who: { cluster: string; etcdUser?: string },
    readonly settings?: () => RunnerSettings,
  ) {}

  /** Opens the confirmation dialog; the operation runs when it is confirmed. `settled` runs once it is done, refused or cancelled. */
  ask(request: OperationRequest, settled?: () => Promise<void>): void {
    this.answer?.(false);
    this.running = this.start(request, true).finally(() => settled?.());
  }

  cancel(): void {
    if (!this.store.getState().confirm) return;
    this.store.getState().setConfirm(undefined);
    this.answer?.(false);
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
    if (this.store.getState().busy) return this.answer?.(false);
    this.store.getState().setBusy(`${pending.request.action} ${pending.request.target}`);
    this.answer?.(true);
    await this.running;
  }

  /** For what changes nothing in etcd (a snapshot, a dry run): no question, same log and audit trail. */
  async run(request: OperationRequest): Promise<void> {
    if (this.store.getState().busy) return;
    this.store.getState().setBusy(`${request.action} ${request.target}`);
    await this.start(request, false);
  }

  private async start(request: OperationRequest, askFirst: boolean): Promise<void> {
    const say = (line: string): void => {
      const tone = /FAILED|warning|refused/.test(line) ? 'critical' : /: done$/.test(line) ? 'healthy' : 'normal';
      this.store.getState().addEvent(line, tone);
    };
    const confirm = (r: OperationRequest): Promise<boolean> =>
      askFirst
        ? new Promise<boolean>((resolve) => {
            this.answer = resolve;
            this.store.getState().setConfirm({ request: r, focus: 'cancel', typed: '' });
          })
        : Promise.resolve(true);
    try {
      const settings = this.settings?.();
      const outcome = await runOperation(request, this.contextFor(say), {
        audit: this.audit,
        who: this.who,
        readOnly: this.store.getState().readOnly,
        confirm,
        ...(settings ? { backup: { dir: settings.snapshotDir, maxAgeMs: DEFAULT_BACKUP_MAX_AGE_MS, etcdutl: settings.etcdutl } } : {}),
      });
      if (outcome.result === 'refused' && !outcome.lockHeld) say(`${request.action} ${request.target}: ${outcome.why}`);
    } catch (err) {
      say(`${request.action} ${request.target}: FAILED before it started: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.answer = undefined;
      // Busy is set by whoever said yes (confirm or run); a cancelled dialog never set it.
      if (this.store.getState().busy === `${request.action} ${request.target}`) this.store.getState().setBusy(undefined);
    }
  }
}
