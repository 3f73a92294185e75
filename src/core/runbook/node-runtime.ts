/**
 * One inventory node as the runbook reaches it: its transport (SSH or a local
 * root directory), its service manager (systemd or the process supervisor),
 * and whether it may chown and create users.
 */
import { join } from 'node:path';
import { LocalTransport } from '../../adapters/local/local-transport.js';
import { ProcessSupervisor } from '../../adapters/service/process-supervisor.js';
import type { ServiceManager } from '../ports/service-manager.js';
import { SystemdServiceManager } from '../../adapters/service/systemd-service-manager.js';
import { SshTransport } from '../../adapters/ssh/ssh-transport.js';
import type { Inventory, NodeSpec } from '../inventory/types.js';
import type { Transport } from '../transport.js';
import { RunbookFailure } from './failures.js';
import type { NodeLocation } from './paths.js';
import type { RunbookSettings } from './settings.js';
import { workdirLayout } from './workdir.js';

export interface NodeRuntime extends NodeLocation {
  spec: NodeSpec;
  transport: Transport;
  service: ServiceManager;
  /** May create the service user and chown (root or sudo, and runbook.ownership is auto). */
  privileged: boolean;
  /** Privileged commands go through `sudo -n`. */
  sudo: boolean;
  /** `etcd:etcd` when privileged, else undefined (files keep the connecting user). */
  owner: string | undefined;
}

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

/** The same node seen through another transport (the engine's recording wrapper). */
export function withTransport(node: NodeRuntime, transport: Transport): NodeRuntime {
  const service = node.service instanceof SystemdServiceManager ? new SystemdServiceManager(transport, { sudo: node.sudo }) : node.service;
  return { ...node, transport, service };
}
