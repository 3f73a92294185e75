/**
 * The runbook's real node paths, and how one path is written for each kind of
 * node. A local node lives under a root directory on this machine: commands
 * address it through "$NODE_ROOT" (set by LocalTransport), files etcd reads
 * must name the mapped absolute path. An SSH node may have a root prefix too
 * (runbook.nodeRoot, for staging and tests).
 */
import { posix } from 'node:path';
import { shq } from '../shell-quote.js';

export const NODE_PATHS = {
  etcdDir: '/etc/etcd',
  pkiDir: '/etc/etcd/pki',
  config: '/etc/etcd/etcd.conf.yml',
  dataDir: '/var/lib/etcd',
  binDir: '/usr/local/bin',
  etcd: '/usr/local/bin/etcd',
  etcdctl: '/usr/local/bin/etcdctl',
  etcdutl: '/usr/local/bin/etcdutl',
  unit: '/etc/systemd/system/etcd.service',
} as const;

export const PKI_FILES = ['ca.crt', 'server.crt', 'server.key', 'peer.crt', 'peer.key'] as const;
export type PkiFile = (typeof PKI_FILES)[number];

export function pkiPath(file: PkiFile): string {
  return posix.join(NODE_PATHS.pkiDir, file);
}

export interface NodeLocation {
  kind: 'local' | 'ssh';
  /** local: the node root directory; ssh: the path prefix ('' for the real paths). */
  root: string;
}

/** A node path as one shell word: `"$NODE_ROOT"/etc/etcd` locally, `/etc/etcd` (or `<prefix>/etc/etcd`) over SSH. */
export function p(node: NodeLocation, path: string): string {
  if (node.kind === 'local') return `"$NODE_ROOT"${shq(path)}`;
  return shq(node.root ? posix.join(node.root, path) : path);
}

/** The absolute path the node's own processes see (etcd reads its config's paths directly). */
export function realPath(node: NodeLocation, path: string): string {
  return node.root ? posix.join(node.root, path) : path;
}

/** The path handed to Transport.writeFile/readFile (LocalTransport maps it under the root itself). */
export function transportPath(node: NodeLocation, path: string): string {
  return node.kind === 'local' ? path : realPath(node, path);
}
