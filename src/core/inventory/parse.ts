import { resolve } from 'node:path';
import { isMap, isSeq, isScalar, type Node as YamlNode } from 'yaml';
import { YamlReader } from '../config/yaml-reader.js';
import type { Inventory, NodeSpec, SecretSource, SshTarget, TlsFiles } from './types.js';
import { TYPEABLE_NAME, endpointKey, hasUrlCredentials, maskUrlCredentials } from './endpoint-url.js';

/** Documented: an etcd cluster has a handful of members; an inventory of thousands is a mistake, refused before it is walked. */
export const MAX_NODES = 100;

const ROOT_KEYS = ['cluster', 'nodes', 'tls', 'user', 'password', 'runbook', 'peerCert'] as const;
const NODE_KEYS = ['name', 'address', 'dnsName', 'tlsServerName', 'clientUrl', 'peerUrl', 'ssh', 'peerCert'] as const;
const SSH_KEYS = ['host', 'port', 'user', 'identityFile', 'sudo'] as const;
const TLS_KEYS = ['cacert', 'cert', 'key'] as const;
const PASSWORD_KEYS = ['env', 'file', 'prompt'] as const;

/** A config problem with its place in the file: `cluster.yaml:7:5: ...`. */
export class InventoryError extends Error {
  override name = 'InventoryError';
}

/** Parses and validates an inventory. Relative TLS and key paths resolve against the file's folder. */
export function parseInventory(text: string, sourcePath: string): Inventory {
  return new Reader(text, sourcePath).inventory();
}

class Reader extends YamlReader {
  constructor(text: string, source: string) {
    super(text, source, InventoryError);
  }

  inventory(): Inventory {
    const root = this.doc.contents;
    if (!isMap(root)) this.fail(root, 'expected a mapping with cluster, tls and nodes');
    this.onlyKeys(root, ROOT_KEYS, 'inventory');
    const cluster = this.string(root, 'cluster', 'the cluster name');
    if (!TYPEABLE_NAME.test(cluster)) {
      this.fail(this.child(root, 'cluster'), `cluster "${cluster}" may hold only letters, digits, '.', '_' and '-' (it is typed in confirmations and used in file names)`);
    }
    const nodesNode = root.get('nodes', true) as YamlNode | undefined;
    if (!isSeq(nodesNode) || nodesNode.items.length === 0) this.fail(nodesNode ?? root, 'nodes: expected a list of at least one node');
    if (nodesNode.items.length > MAX_NODES) this.fail(nodesNode, `nodes: ${nodesNode.items.length} nodes, more than the ${MAX_NODES} an inventory may hold`);
    const peerCert = this.peerCertPath(root, 'peerCert');
    const nodes = nodesNode.items.map((item, i) => this.node(item as YamlNode, i, peerCert));
    this.refuseSameMember(nodesNode.items as YamlNode[], nodes);
    const user = this.optionalString(root, 'user');
    const runbook = root.get('runbook', true) as YamlNode | undefined;
    return {
      source: resolve(this.source),
      cluster,
      nodes,
      tls: this.tls(root.get('tls', true) as YamlNode | undefined),
      user,
      password: this.password(root),
      runbook: runbook && isMap(runbook) ? (runbook.toJSON() as Record<string, unknown>) : undefined,
    };
  }

  /** Two entries that reach the same member would count it twice (4/4 answering for a 3-member cluster). */
  private refuseSameMember(items: YamlNode[], nodes: NodeSpec[]): void {
    const seen = new Map<string, number>();
    nodes.forEach((node, i) => {
      const item = items[i]!;
      const keys: [string, string, YamlNode | undefined][] = [
        [`name:${node.name}`, `.name "${node.name}" is the same name`, this.child(item, 'name')],
        [`client:${endpointKey(node.clientUrl)}`, ` clientUrl ${node.clientUrl} is the same member`, this.child(item, 'clientUrl') ?? this.child(item, 'address')],
        [`peer:${endpointKey(node.peerUrl)}`, ` peerUrl ${node.peerUrl} is the same member`, this.child(item, 'peerUrl') ?? this.child(item, 'address')],
      ];
      for (const [key, problem, place] of keys) {
        const earlier = seen.get(key);
        if (earlier !== undefined) this.fail(place ?? item, `nodes[${i}]${problem} as nodes[${earlier}] (${nodes[earlier]!.name}): each member once`);
        seen.set(key, i);
      }
    });
  }

  private node(item: YamlNode, i: number, defaultPeerCert: string | undefined): NodeSpec {
    if (!isMap(item)) this.fail(item, `nodes[${i}]: expected a mapping with name and address`);
    this.onlyKeys(item, NODE_KEYS, `nodes[${i}]`);
    const name = this.string(item, 'name', `nodes[${i}].name`);
    if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(name)) this.fail(item.get('name', true) as YamlNode, `nodes[${i}].name "${name}" may hold only letters, digits, '.', '_' and '-'`);
    const address = this.string(item, 'address', `nodes[${i}].address`);
    const clientUrl = this.url(item, 'clientUrl', `https://${hostPart(address)}:2379`, i);
    const peerUrl = this.url(item, 'peerUrl', `https://${hostPart(address)}:2380`, i);
    const sshNode = item.get('ssh', true) as YamlNode | undefined;
    const peerCert = this.peerCertPath(item, `nodes[${i}].peerCert`) ?? defaultPeerCert;
    return {
      name,
      address,
      dnsName: this.optionalString(item, 'dnsName') ?? name,
      tlsServerName: this.optionalString(item, 'tlsServerName'),
      clientUrl,
      peerUrl,
      ssh: sshNode ? this.ssh(sshNode, address, i) : undefined,
      ...(peerCert ? { peerCert } : {}),
    };
  }

  /** `peerCert:` (the whole inventory's, or one node's): an absolute path on the node. */
  private peerCertPath(map: YamlNode, label: string): string | undefined {
    const value = this.optionalString(map, 'peerCert');
    if (value !== undefined && !value.startsWith('/')) this.fail(this.child(map, 'peerCert') ?? map, `${label} "${value}" must be an absolute path on the node`);
    return value;
  }

  private ssh(node: YamlNode, address: string, i: number): SshTarget {
    if (!isMap(node)) this.fail(node, `nodes[${i}].ssh: expected a mapping (host, port, user, identityFile, sudo)`);
    this.onlyKeys(node, SSH_KEYS, `nodes[${i}].ssh`);
    const portNode = node.get('port', true) as YamlNode | undefined;
    const port = portNode === undefined ? 22 : Number((portNode as { value?: unknown }).value);
    if (!Number.isInteger(port) || port < 1 || port > 65535) this.fail(portNode ?? node, `nodes[${i}].ssh.port must be a port number`);
    const identityFile = this.optionalString(node, 'identityFile');
    return {
      host: this.optionalString(node, 'host') ?? address,
      port,
      user: this.optionalString(node, 'user') ?? 'root',
      identityFile: identityFile ? this.path(identityFile) : undefined,
      sudo: this.optionalBoolean(node, 'sudo') ?? false,
    };
  }

  private tls(node: YamlNode | undefined): TlsFiles {
    if (node === undefined) return {};
    if (!isMap(node)) this.fail(node, 'tls: expected a mapping with cacert, cert and key');
    this.onlyKeys(node, TLS_KEYS, 'tls');
    const files: TlsFiles = {};
    for (const key of ['cacert', 'cert', 'key'] as const) {
      const value = this.optionalString(node, key);
      if (value) files[key] = this.path(value);
    }
    if (Boolean(files.cert) !== Boolean(files.key)) this.fail(node, 'tls: cert and key go together');
    return files;
  }

  private password(root: YamlNode): SecretSource | undefined {
    if (!isMap(root)) return undefined;
    const node = root.get('password', true) as YamlNode | undefined;
    if (node === undefined) return undefined;
    if (isScalar(node)) this.fail(node, 'password: a literal password is not accepted; use {env: VAR}, {file: path} or {prompt: true}');
    if (!isMap(node)) this.fail(node, 'password: expected {env: VAR}, {file: path} or {prompt: true}');
    this.onlyKeys(node, PASSWORD_KEYS, 'password');
    const prompt = this.optionalBoolean(node, 'prompt');
    const env = this.optionalString(node, 'env');
    const file = this.optionalString(node, 'file');
    if (env) return { kind: 'env', name: env };
    if (file) return { kind: 'file', path: this.path(file) };
    if (prompt === true) return { kind: 'prompt' };
    this.fail(node, 'password: expected {env: VAR}, {file: path} or {prompt: true}');
  }

  private url(map: YamlNode, key: string, fallback: string, i: number): string {
    const value = this.optionalString(map, key) ?? fallback;
    if (hasUrlCredentials(value)) {
      this.fail(this.child(map, key) ?? map, `nodes[${i}].${key} "${maskUrlCredentials(value)}" carries a user and password; give user: and password: {env|file|prompt} instead`);
    }
    try {
      const u = new URL(value);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error();
      return value.replace(/\/+$/, '');
    } catch {
      this.fail(this.child(map, key) ?? map, `nodes[${i}].${key} "${maskUrlCredentials(value)}" is not an http(s):// URL`);
    }
  }
}

function hostPart(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
