/**
 * systemd control over a Transport: the exact systemctl/journalctl lines are
 * plain values (systemdCommands) so a dry run can show them and tests can
 * assert them.
 */
import type { PlannedAction } from '../../core/runbook/actions.js';
import type { Transport } from '../../core/transport.js';
import { systemdCommands, type SystemdCommands } from '../../core/runbook/systemd-commands.js';
import type { EnableResult, ServiceManager, ServiceOperation, ServiceState, ServiceStatus } from '../../core/ports/service-manager.js';

const STATES: readonly ServiceState[] = ['active', 'activating', 'inactive', 'failed'];

export class SystemdServiceManager implements ServiceManager {
  readonly kind = 'systemd' as const;
  private readonly commands: SystemdCommands;

  constructor(
    private readonly transport: Transport,
    private readonly options: { unit?: string; sudo: boolean; timeoutMs?: number } = { sudo: false },
  ) {
    this.commands = systemdCommands(options.unit);
  }

  over(transport: Transport): ServiceManager {
    return new SystemdServiceManager(transport, this.options);
  }

  async start(): Promise<void> {
    await this.must(this.commands.start, 'start');
  }

  async stop(): Promise<void> {
    await this.must(this.commands.stop, 'stop');
  }

  async status(): Promise<ServiceStatus> {
    const r = await this.transport.exec(this.commands.isActive, this.execOptions());
    const word = r.stdout.trim().split('\n')[0] ?? '';
    const state = (STATES as readonly string[]).includes(word) ? (word as ServiceState) : 'unknown';
    return { state, detail: word || r.stderr.trim() };
  }

  async enable(): Promise<EnableResult> {
    await this.must(this.commands.daemonReload, 'daemon-reload');
    await this.must(this.commands.enable, 'enable');
    return { kind: 'enabled' };
  }

  async logsTail(lines: number): Promise<string> {
    const r = await this.transport.exec(this.commands.logsTail(lines), this.execOptions());
    return (r.stdout || r.stderr).trimEnd();
  }

  plan(operation: ServiceOperation): PlannedAction[] {
    const sudo = this.options.sudo;
    const exec = (command: string): PlannedAction => ({ kind: 'exec', command, sudo });
    switch (operation) {
      case 'start':
        return [exec(this.commands.start)];
      case 'stop':
        return [exec(this.commands.stop)];
      case 'status':
        return [exec(this.commands.isActive)];
      case 'enable':
        return [exec(this.commands.daemonReload), exec(this.commands.enable)];
      case 'logs-tail':
        return [exec(this.commands.logsTail(50))];
    }
  }

  private execOptions() {
    return { sudo: this.options.sudo, timeoutMs: this.options.timeoutMs ?? 30_000 };
  }

  private async must(command: string, what: string): Promise<void> {
    const r = await this.transport.exec(command, this.execOptions());
    if (r.code === 0) return;
    const said = (r.stderr || r.stdout).trim();
    if (this.options.sudo && /^sudo: a (password|terminal) is required/m.test(said)) {
      throw new Error(
        `systemctl ${what} not run on ${this.transport.label}: sudo there asks for a password, and etcd-cockpit never types one (it runs sudo -n); give that user passwordless sudo (NOPASSWD)`,
      );
    }
    throw new Error(`systemctl ${what} failed on ${this.transport.label} (exit ${r.code}): ${said}`);
  }
}
