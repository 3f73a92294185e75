/** The exact systemctl/journalctl lines, as plain values so a dry run can show them and tests can assert them. */
import { shq } from '../shell-quote.js';

export interface SystemdCommands {
  daemonReload: string;
  enable: string;
  isEnabled: string;
  /** --no-block: a Type=notify unit would block until the member joins a quorum. */
  start: string;
  stop: string;
  isActive: string;
  logsTail(lines: number): string;
}

export function systemdCommands(unit = 'etcd'): SystemdCommands {
  const u = shq(unit);
  return {
    daemonReload: 'systemctl daemon-reload',
    enable: `systemctl enable ${u}`,
    isEnabled: `systemctl is-enabled ${u}`,
    start: `systemctl start --no-block ${u}`,
    stop: `systemctl stop ${u}`,
    isActive: `systemctl is-active ${u}`,
    logsTail: (lines) => `journalctl -u ${u} --no-pager -n ${Math.max(1, Math.floor(lines))}`,
  };
}
