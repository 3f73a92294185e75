/** Builds each inventory node's transport (SSH or a local root directory) and service manager (systemd or the process supervisor). */
import { join } from 'node:path';
import { LocalTransport } from '../local/local-transport.js';
import { ProcessSupervisor } from '../service/process-supervisor.js';
import { SystemdServiceManager } from '../service/systemd-service-manager.js';
import { SshTransport } from '../ssh/ssh-transport.js';
import type { Inventory } from '../../core/inventory/types.js';
import { RunbookFailure } from '../../core/runbook/failures.js';
import type { NodeRuntime } from '../../core/runbook/node-runtime.js';
import type { RunbookSettings } from '../../core/runbook/settings.js';
import { workdirLayout } from '../../core/runbook/workdir.js';

export interface NodeRuntimeOptions {
  /** Supervised local etcd processes die with this process (tests, demo). */
  killOnExit?: boolean;
  /** Accepted host key fingerprints by host:port (fingerprints the operator confirmed). */
  trustedFingerprints?: Record<string, string>;
  sshReadyTimeoutMs?: number;
}

export function createNodeRuntimes(inventory: Inventory, settings: RunbookSettings, options: NodeRuntimeOptions = {}): NodeRuntime[] {
  return inventory.nodes.map((spec) => {
    const useSsh = settings.transport === 'ssh' || (settings.transport === 'auto' && spec.ssh !== undefined);
    if (!useSsh) {
      const root = join(workdirLayout(settings.workdir).nodes, spec.name);
      const transport = new LocalTransport(root, `local ${spec.name}`);
      return {
        kind: 'local' as const,
        root,
        spec,
        transport,
        service: new ProcessSupervisor({ rootDir: root, killOnExit: options.killOnExit ?? false }),
        privileged: false,
        sudo: false,
        owner: undefined,
      };
    }
    const ssh = spec.ssh;
    if (!ssh) throw new RunbookFailure('config', `node ${spec.name}: runbook.transport is ssh but the node has no ssh: block`, [spec.name]);
    const root = settings.nodeRoot ? settings.nodeRoot.replaceAll('{node}', spec.name) : '';
    const trusted = options.trustedFingerprints?.[`${ssh.host}:${ssh.port}`];
    const transport = new SshTransport(ssh, {
      ...(settings.knownHosts ? { knownHostsPath: settings.knownHosts } : {}),
      ...(trusted ? { trustedFingerprint: trusted } : {}),
      ...(options.sshReadyTimeoutMs ? { readyTimeoutMs: options.sshReadyTimeoutMs } : {}),
    });
    const privileged = settings.ownership === 'auto' && (ssh.user === 'root' || ssh.sudo);
    return {
      kind: 'ssh' as const,
      root,
      spec,
      transport,
      service: new SystemdServiceManager(transport, { sudo: ssh.sudo }),
      privileged,
      sudo: ssh.sudo,
      owner: privileged ? `${settings.serviceUser}:${settings.serviceGroup}` : undefined,
    };
  });
}
