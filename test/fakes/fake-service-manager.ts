/**
 * The ServiceManager port (src/core/ports/service-manager.ts) for one member
 * of a FakeEtcdCluster: stop makes the member stop answering, start brings it
 * back; every call lands in the cluster's call log, in order.
 */
import type { PlannedAction } from '../../src/core/runbook/actions.js';
import type { EnableResult, ServiceManager, ServiceOperation, ServiceStatus } from '../../src/core/ports/service-manager.js';
import type { FakeEtcdCluster } from './fake-etcd-member.js';

export class FakeServiceManager implements ServiceManager {
  readonly kind = 'systemd' as const;
  private pid = 1000;
  /** Set to make start() leave the service dead (a crash at start-up), with this line in its log. */
  crashOnStart?: string;

  constructor(
    private readonly cluster: FakeEtcdCluster,
    private readonly name: string,
  ) {}

  async start(): Promise<void> {
    this.cluster.calls.push(`${this.name} service start`);
    if (this.crashOnStart) return;
    this.pid += 1;
    this.cluster.revive(this.name);
  }

  async stop(): Promise<void> {
    this.cluster.calls.push(`${this.name} service stop`);
    this.cluster.kill(this.name);
  }

  async status(): Promise<ServiceStatus> {
    return this.cluster.node(this.name).up ? { state: 'active', pid: this.pid, detail: `pid ${this.pid}` } : { state: this.crashOnStart ? 'failed' : 'inactive' };
  }

  async enable(): Promise<EnableResult> {
    this.cluster.calls.push(`${this.name} service enable`);
    return { kind: 'enabled' };
  }

  async logsTail(lines: number): Promise<string> {
    const log = [`${this.name}: etcd started`, ...(this.crashOnStart ? [this.crashOnStart] : [])];
    return log.slice(-lines).join('\n');
  }

  over(): ServiceManager {
    return this;
  }

  plan(operation: ServiceOperation): PlannedAction[] {
    return [{ kind: 'exec', command: `systemctl ${operation} etcd`, sudo: true, on: this.name }];
  }
}
