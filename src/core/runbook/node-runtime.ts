/**
 * One inventory node as the runbook reaches it: its transport (SSH or a local
 * root directory), its service manager (systemd or the process supervisor),
 * and whether it may chown and create users.
 */
import type { ServiceManager } from '../ports/service-manager.js';
import type { NodeSpec } from '../inventory/types.js';
import type { Transport } from '../transport.js';
import type { NodeLocation } from './paths.js';

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

/** The same node seen through another transport (the engine's recording wrapper). */
export function withTransport(node: NodeRuntime, transport: Transport): NodeRuntime {
  return { ...node, transport, service: node.service.over(transport) };
}
