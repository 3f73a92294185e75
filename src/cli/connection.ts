import { FILE_LIMITS, readSmallTextFile } from '../core/files/read-small-file.js';
import { join } from 'node:path';
import { parseRunbookSettings } from '../core/runbook/settings.js';
import type { CliOptions } from './args.js';
import { UsageError } from './usage-error.js';
import { parseInventory } from '../core/inventory/parse.js';
import { endpointKey, hasUrlCredentials, maskUrlCredentials } from '../core/inventory/endpoint-url.js';
import type { Inventory, SecretSource, TlsFiles } from '../core/inventory/types.js';
import type { ContextSpec, UserConfig } from '../core/config/user-config.js';

export interface MemberTarget {
  endpoint: string;
  name?: string;
  serverName?: string;
}

/** Everything needed to connect, before any secret is read. */
export interface ConnectionPlan {
  clusterName: string;
  members: MemberTarget[];
  tls: TlsFiles;
  user?: string;
  password?: SecretSource;
  inventory?: Inventory;
  /** The user config context this plan came from. */
  contextName?: string;
}

type Env = Record<string, string | undefined>;

/**
 * Flags win over ETCDCTL_* variables, which win over the inventory file. With
 * --context (or the config's current-context when no cluster is given
 * otherwise), the context stands in for the ETCDCTL_* variables, which
 * usually belong to another cluster; flags still win.
 */
export function planConnection(opts: CliOptions, env: Env = process.env, config: UserConfig = { contexts: [] }): ConnectionPlan {
  const context = chooseContext(opts, env, config);
  return context ? planContext(opts, context) : planFromSources(opts, env);
}

/** The plan of every context of the config (the overview polls them all). */
export function planContexts(opts: CliOptions, config: UserConfig): { name: string; plan: () => ConnectionPlan }[] {
  return config.contexts.map((c) => ({ name: c.name, plan: () => planContext({ ...opts, context: c.name }, c) }));
}

/** A password typed at a prompt cannot be asked for while the full-screen view owns the terminal, nor for many clusters at once. */
export function refusePrompt(plan: ConnectionPlan): void {
  if (plan.password?.kind === 'prompt') {
    throw new UsageError(`${plan.contextName ?? plan.clusterName}: the password would have to be typed at a prompt; give password-file or password-env in the config`);
  }
}

function chooseContext(opts: CliOptions, env: Env, config: UserConfig): ContextSpec | undefined {
  if (opts.context !== undefined) {
    const found = config.contexts.find((c) => c.name === opts.context);
    if (found) return found;
    const where = config.source ? ` in ${config.source}` : ' (no user config file found)';
    const known = config.contexts.map((c) => c.name).join(', ');
    throw new UsageError(`no context "${opts.context}"${where}${known ? `; contexts: ${known}` : ''}`);
  }
  if (opts.file || opts.endpoints || env.ETCDCTL_ENDPOINTS) return undefined;
  return config.contexts.find((c) => c.name === config.currentContext) ?? config.contexts[0];
}

function planContext(opts: CliOptions, context: ContextSpec): ConnectionPlan {
  const plan = planFromSources(
    {
      ...opts,
      file: opts.file ?? context.inventory,
      endpoints: opts.endpoints ?? context.endpoints?.join(','),
      cacert: opts.cacert ?? context.cacert,
      cert: opts.cert ?? context.cert,
      key: opts.key ?? context.key,
      user: opts.user ?? context.user,
      passwordFile: opts.passwordFile ?? context.passwordFile,
    },
    context.passwordEnv ? { [context.passwordEnv]: process.env[context.passwordEnv] } : {},
  );
  if (context.passwordEnv && !opts.passwordFile && plan.user) plan.password = { kind: 'env', name: context.passwordEnv };
  return { ...plan, clusterName: plan.inventory?.cluster ?? context.name, contextName: context.name };
}

function planFromSources(opts: CliOptions, env: Env): ConnectionPlan {
  const inventory = opts.file ? loadInventoryFile(opts.file) : undefined;
  const endpointsText = opts.endpoints ?? env.ETCDCTL_ENDPOINTS;
  const members: MemberTarget[] = endpointsText
    ? splitEndpoints(endpointsText).map((endpoint) => ({ endpoint, name: nameFromInventory(inventory, endpoint) }))
    : inventory
      ? inventory.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name, serverName: n.tlsServerName }))
      : [{ endpoint: 'https://127.0.0.1:2379' }];

  const userText = opts.user ?? env.ETCDCTL_USER ?? inventory?.user;
  let user = userText;
  let password: SecretSource | undefined = inventory?.password;
  if (userText?.includes(':') && opts.user === undefined) {
    // etcdctl accepts ETCDCTL_USER=name:password; the environment is not argv, so take it.
    const at = userText.indexOf(':');
    user = userText.slice(0, at);
    password = { kind: 'env', name: 'ETCDCTL_USER#password' };
  }
  if (opts.passwordFile) password = { kind: 'file', path: opts.passwordFile };
  else if (env.ETCDCTL_PASSWORD !== undefined) password = { kind: 'env', name: 'ETCDCTL_PASSWORD' };
  if (user && !password) password = { kind: 'prompt' };

  const runbookTls = inventory && !inventory.tls.cacert && inventory.runbook ? runbookClientTls(inventory) : undefined;
  return {
    clusterName: inventory?.cluster ?? clusterNameFrom(members),
    members,
    tls: {
      cacert: opts.cacert ?? env.ETCDCTL_CACERT ?? inventory?.tls.cacert ?? runbookTls?.cacert,
      cert: opts.cert ?? env.ETCDCTL_CERT ?? inventory?.tls.cert ?? runbookTls?.cert,
      key: opts.key ?? env.ETCDCTL_KEY ?? inventory?.tls.key ?? runbookTls?.key,
    },
    user,
    password: user ? password : undefined,
    inventory,
  };
}

export function loadInventoryFile(path: string): Inventory {
  return parseInventory(readSmallTextFile(path, 'inventory', FILE_LIMITS.inventory), path);
}

function splitEndpoints(text: string): string[] {
  const words = text.split(',').map((e) => e.trim());
  if (words.every((e) => e === '')) throw new UsageError('--endpoints is empty: give URLs like https://10.0.0.1:2379 or leave the flag out');
  if (words.some((e) => e === '')) throw new UsageError(`--endpoints "${maskUrlCredentials(text)}" has an empty entry between commas`);
  const seen = new Map<string, string>();
  return words.map((e) => {
    const shown = maskUrlCredentials(e);
    if (hasUrlCredentials(e)) {
      throw new UsageError(
        `endpoint "${shown}" carries a user and password: refused (ps and shell history would show it); give --user NAME and the password via ETCDCTL_PASSWORD, --password-file or the prompt`,
      );
    }
    const withScheme = /^[a-z]+:\/\//i.test(e) ? e : `https://${e}`;
    let endpoint: string;
    try {
      const url = new URL(withScheme);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error();
      if (!url.port) throw new UsageError(`endpoint "${shown}" has no port (etcd clients use 2379)`);
      if (url.pathname !== '/' || url.search || url.hash) throw new UsageError(`endpoint "${shown}" has a path; give only scheme, host and port like https://10.0.0.1:2379`);
      endpoint = withScheme.replace(/\/+$/, '');
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`endpoint "${shown}" is not a URL like https://10.0.0.1:2379`);
    }
    const key = endpointKey(endpoint);
    const earlier = seen.get(key);
    if (earlier !== undefined) throw new UsageError(`endpoint "${shown}" is given twice (also as "${earlier}"): each member once`);
    seen.set(key, shown);
    return endpoint;
  });
}

function nameFromInventory(inventory: Inventory | undefined, endpoint: string): string | undefined {
  return inventory?.nodes.find((n) => endpointKey(n.clientUrl) === endpointKey(endpoint))?.name;
}

/**
 * A name the operator can type back in a confirmation and find in snapshot
 * file names: the first member's host, and the member count when there are
 * several (`10.0.0.1-3m`). Only letters, digits, '.', '_' and '-'.
 */
export function clusterNameFrom(members: MemberTarget[]): string {
  const first = members[0]?.endpoint;
  if (!first) return 'etcd';
  const host = new URL(first).hostname.replace(/[[\]]/g, '').replace(/[^a-zA-Z0-9._-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  const base = host || 'etcd';
  return members.length > 1 ? `${base}-${members.length}m` : base;
}

/**
 * A cluster the runbook builds has its PKI in the runbook's workdir. The root
 * client certificate works before and after auth is enabled (with client-cert
 * auth its CN is the user), which is what a cockpit that also runs day-2
 * actions needs; the cockpit says so on start.
 */
function runbookClientTls(inventory: Inventory): TlsFiles {
  const pki = join(parseRunbookSettings(inventory).workdir, 'pki');
  return { cacert: join(pki, 'ca.crt'), cert: join(pki, 'clients', 'root.crt'), key: join(pki, 'clients', 'root.key') };
}
