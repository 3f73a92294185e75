/**
 * How a node's etcd service is controlled: systemd on real hosts (over SSH),
 * a pid-file supervisor for nodes that live under a directory on this machine.
 */
import type { PlannedAction } from '../runbook/actions.js';
import type { Transport } from '../transport.js';

export type ServiceKind = 'systemd' | 'process';

export type ServiceState = 'active' | 'activating' | 'inactive' | 'failed' | 'unknown';

export interface ServiceStatus {
  state: ServiceState;
  /** Plain words: `pid 1234`, `exited (see log)`, what systemctl printed. */
  detail?: string;
  pid?: number;
}

export type EnableResult = { kind: 'enabled' } | { kind: 'not-applicable'; reason: string };

export type ServiceOperation = 'start' | 'stop' | 'status' | 'enable' | 'logs-tail';

export interface StopOptions {
  /** SIGTERM grace before SIGKILL (process supervisor). 0 kills at once. */
  graceMs?: number;
}

export interface ServiceManager {
  readonly kind: ServiceKind;
  /** Starts without waiting for the member to join a quorum (the bootstrap waits on its own). */
  start(): Promise<void>;
  stop(options?: StopOptions): Promise<void>;
  status(): Promise<ServiceStatus>;
  enable(): Promise<EnableResult>;
  /** The last `lines` lines of the service's log (journal or log file). */
  logsTail(lines: number): Promise<string>;
  /** The same service reached through another transport (the engine's recording wrapper). */
  over(transport: Transport): ServiceManager;
  /** What an operation runs, as plan actions (exact commands for systemd). */
  plan(operation: ServiceOperation): PlannedAction[];
}

export function isRunning(state: ServiceState): boolean {
  switch (state) {
    case 'active':
    case 'activating':
      return true;
    case 'inactive':
    case 'failed':
    case 'unknown':
      return false;
  }
}
