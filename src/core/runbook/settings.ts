/**
 * The `runbook:` section of an inventory, typed and validated. Errors carry
 * the place in the file (`cluster.yaml:12:3: runbook.caBits: ...`) like the
 * inventory parser's. Relative paths resolve against the inventory's folder.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument, type Node as YamlNode } from 'yaml';
import { InventoryError } from '../inventory/parse.js';
import type { Inventory, SecretSource } from '../inventory/types.js';

export interface RunbookSettings {
  /** Where the PKI, secrets, run state and local node roots live (absolute). */
  workdir: string;
  /** auto: SSH for nodes with an `ssh:` block, local for the others. */
  transport: 'auto' | 'local' | 'ssh';
  /** Pinned etcd version (3.5.x); default: the version of the local binaries. */
  etcdVersion?: string;
  clusterToken: string;
  caBits: number;
  tlsOrg?: string;
  /** Adds `<node>.<domain>` DNS SANs. */
  domain?: string;
  /** CN of the operator's client certificate (must not be an etcd user unless intended). */
  operatorCn: string;
  /** SSH nodes: prefix for every node path (`{node}` is replaced by the node name). For staging and tests. */
  nodeRoot?: string;
  /** auto: create the etcd user and chown when root or sudo; skip: never. */
  ownership: 'auto' | 'skip';
  serviceUser: string;
  serviceGroup: string;
  knownHosts?: string;
  passwords: { root?: SecretSource; patroni?: SecretSource };
  /** Overrides the tuning measured in phase 0. */
  tuning: { heartbeatIntervalMs?: number; electionTimeoutMs?: number };
  bootstrapTimeoutMs: number;
  diskTestWrites: number;
  /** Also listen on https://127.0.0.1:2379; default true over SSH, false for local nodes (they share this machine). */
  listenOnLocalhost?: boolean;
  /** Where the Patroni hosts keep the etcd client files (for the Patroni YAML block). */
  patroniPkiDir: string;
}

export const DEFAULT_CLUSTER_TOKEN = 'patroni-etcd-cluster';

type Kind = 'string' | 'path' | 'int' | 'bool' | 'enum' | 'secrets' | 'tuning';
const FIELDS: Record<string, { kind: Kind; values?: readonly string[]; min?: number; max?: number }> = {
  workdir: { kind: 'path' },
  transport: { kind: 'enum', values: ['auto', 'local', 'ssh'] },
  etcdVersion: { kind: 'string' },
  clusterToken: { kind: 'string' },
  caBits: { kind: 'int', min: 2048, max: 8192 },
  tlsOrg: { kind: 'string' },
  domain: { kind: 'string' },
  operatorCn: { kind: 'string' },
  nodeRoot: { kind: 'path' },
  ownership: { kind: 'enum', values: ['auto', 'skip'] },
  serviceUser: { kind: 'string' },
  serviceGroup: { kind: 'string' },
  knownHosts: { kind: 'path' },
  passwords: { kind: 'secrets' },
  tuning: { kind: 'tuning' },
  bootstrapTimeoutMs: { kind: 'int', min: 1000, max: 600_000 },
  diskTestWrites: { kind: 'int', min: 1, max: 100_000 },
  listenOnLocalhost: { kind: 'bool' },
  patroniPkiDir: { kind: 'string' },
};

/**
 * Reads `inventory.runbook`. `sourceText` (the inventory file's text) gives
 * errors their line and column; without it the file named by
 * inventory.source is read, and without that errors name only the setting.
 */
export function parseRunbookSettings(inventory: Inventory, sourceText?: string): RunbookSettings {
  const source = inventory.source ?? '<inventory>';
  const base = inventory.source ? dirname(inventory.source) : process.cwd();
  const locate = locator(source, sourceText ?? readSource(inventory.source));
  const raw = inventory.runbook ?? {};
  const fail = (path: string[], message: string): never => {
    throw new InventoryError(`${locate(['runbook', ...path])}: runbook.${path.join('.')}: ${message}`);
  };
  const pathOf = (p: string) => {
    const expanded = p.startsWith('~/') ? join(process.env.HOME ?? '/', p.slice(2)) : p;
    return isAbsolute(expanded) ? expanded : resolve(base, expanded);
  };

  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const field = FIELDS[key];
    if (!field) fail([key], `unknown setting (known: ${Object.keys(FIELDS).join(', ')})`);
    if (value === null || value === undefined) continue;
    switch (field!.kind) {
      case 'string':
      case 'path':
        if (typeof value !== 'string' && typeof value !== 'number') fail([key], 'expected a text value');
        if (String(value) === '') fail([key], 'must not be empty');
        values[key] = field!.kind === 'path' ? pathOf(String(value)) : String(value);
        break;
      case 'int':
        if (typeof value !== 'number' || !Number.isInteger(value)) fail([key], 'expected a whole number');
        if ((value as number) < field!.min! || (value as number) > field!.max!) fail([key], `must be between ${field!.min} and ${field!.max}`);
        values[key] = value;
        break;
      case 'bool':
        if (typeof value !== 'boolean') fail([key], 'expected true or false');
        values[key] = value;
        break;
      case 'enum':
        if (typeof value !== 'string' || !field!.values!.includes(value)) fail([key], `expected one of ${field!.values!.join(', ')}`);
        values[key] = value;
        break;
      case 'secrets':
        values[key] = secrets(value, fail, pathOf);
        break;
      case 'tuning':
        values[key] = tuning(value, fail);
        break;
    }
  }

  const v = values as Partial<RunbookSettings>;
  if (v.etcdVersion !== undefined && !/^3\.5\.\d+$/.test(v.etcdVersion)) fail(['etcdVersion'], `"${v.etcdVersion}" is not a 3.5.x version`);
  if (v.clusterToken !== undefined && !/^[A-Za-z0-9._-]+$/.test(v.clusterToken)) fail(['clusterToken'], 'may hold only letters, digits, ".", "_" and "-"');
  for (const key of ['serviceUser', 'serviceGroup', 'operatorCn'] as const) {
    const name = v[key];
    if (name !== undefined && !/^[a-z_][a-z0-9_-]*$/i.test(name)) fail([key], `"${name}" is not a valid name`);
  }
  return {
    workdir: v.workdir ?? resolve(base, `${inventory.cluster}-runbook`),
    transport: v.transport ?? 'auto',
    etcdVersion: v.etcdVersion,
    clusterToken: v.clusterToken ?? DEFAULT_CLUSTER_TOKEN,
    caBits: v.caBits ?? 4096,
    tlsOrg: v.tlsOrg,
    domain: v.domain,
    operatorCn: v.operatorCn ?? 'operator',
    nodeRoot: v.nodeRoot,
    ownership: v.ownership ?? 'auto',
    serviceUser: v.serviceUser ?? 'etcd',
    serviceGroup: v.serviceGroup ?? v.serviceUser ?? 'etcd',
    knownHosts: v.knownHosts,
    passwords: v.passwords ?? {},
    tuning: v.tuning ?? {},
    bootstrapTimeoutMs: v.bootstrapTimeoutMs ?? 60_000,
    diskTestWrites: v.diskTestWrites ?? 200,
    listenOnLocalhost: v.listenOnLocalhost,
    patroniPkiDir: v.patroniPkiDir ?? '/etc/patroni/etcd',
  };
}

type Fail = (path: string[], message: string) => never;

function secrets(value: unknown, fail: Fail, pathOf: (p: string) => string): RunbookSettings['passwords'] {
  if (!isRecord(value)) return fail(['passwords'], 'expected a mapping with root and/or patroni');
  const out: RunbookSettings['passwords'] = {};
  for (const [user, source] of Object.entries(value)) {
    if (user !== 'root' && user !== 'patroni') fail(['passwords', user], 'only root and patroni passwords are set here');
    const where = ['passwords', user];
    if (typeof source === 'string' || typeof source === 'number') {
      fail(where, 'a literal password is not accepted; use {env: VAR}, {file: path} or {prompt: true}');
    }
    if (!isRecord(source)) return fail(where, 'expected {env: VAR}, {file: path} or {prompt: true}');
    let parsed: SecretSource | undefined;
    if (typeof source.env === 'string' && source.env) parsed = { kind: 'env', name: source.env };
    else if (typeof source.file === 'string' && source.file) parsed = { kind: 'file', path: pathOf(source.file) };
    else if (source.prompt === true) parsed = { kind: 'prompt' };
    if (!parsed) return fail(where, 'expected {env: VAR}, {file: path} or {prompt: true}');
    out[user as 'root' | 'patroni'] = parsed;
  }
  return out;
}

function tuning(value: unknown, fail: Fail): RunbookSettings['tuning'] {
  if (!isRecord(value)) return fail(['tuning'], 'expected a mapping with heartbeatIntervalMs and/or electionTimeoutMs');
  const out: RunbookSettings['tuning'] = {};
  for (const [key, v] of Object.entries(value)) {
    if (key !== 'heartbeatIntervalMs' && key !== 'electionTimeoutMs') fail(['tuning', key], 'unknown tuning setting');
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 10 || v > 50_000) fail(['tuning', key], 'expected milliseconds between 10 and 50000');
    out[key as 'heartbeatIntervalMs' | 'electionTimeoutMs'] = v as number;
  }
  const hb = out.heartbeatIntervalMs;
  const el = out.electionTimeoutMs;
  if (hb !== undefined && el !== undefined && el < 5 * hb) fail(['tuning', 'electionTimeoutMs'], `${el} ms is less than 5 x the heartbeat (${hb} ms)`);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readSource(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** `file:line:col` of a key path in the YAML text (the deepest part found), else just `file`. */
function locator(source: string, text: string | undefined): (path: string[]) => string {
  if (text === undefined) return () => source;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  return (path) => {
    let node: YamlNode | undefined = doc.contents ?? undefined;
    let found: YamlNode | undefined;
    for (const key of path) {
      if (!isMap(node)) break;
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (!pair) break;
      found = pair.key as YamlNode;
      node = (pair.value as YamlNode | null) ?? undefined;
    }
    const offset = found?.range?.[0];
    if (offset === undefined) return source;
    const { line, col } = lines.linePos(offset);
    return `${source}:${line}:${col}`;
  };
}
