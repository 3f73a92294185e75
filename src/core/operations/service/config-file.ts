/**
 * Edits a member's etcd.conf.yml on its node in place: only the keys given
 * change, everything else (tuning, a raised quota, the operator's comments)
 * stays as it is.
 */
import { parseDocument } from 'yaml';
import type { NodeSpec } from '../../inventory/types.js';
import type { NodeRuntime } from '../../runbook/node-runtime.js';
import { NODE_PATHS, transportPath } from '../../runbook/paths.js';
import { CONFIG_MODE } from '../../runbook/phases/phase4-config.js';

export type ConfigPatch = Record<string, string | number | boolean>;

export function patchConfigText(text: string, patch: ConfigPatch): string {
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error) throw new Error(`the etcd config is not valid YAML: ${error.message.split('\n')[0]}`);
  for (const [key, value] of Object.entries(patch)) doc.set(key, value);
  return doc.toString({ lineWidth: 0 });
}

/** One top-level value of a config text, or undefined. */
export function configValue(text: string, key: string): unknown {
  const value = parseDocument(text).get(key);
  return value === null ? undefined : value;
}

/** The config on the node, or undefined when there is none. */
export async function readNodeConfig(node: NodeRuntime): Promise<string | undefined> {
  try {
    return (await node.transport.readFile(transportPath(node, NODE_PATHS.config), { sudo: node.sudo })).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || /no such file/i.test((err as Error).message)) return undefined;
    throw err;
  }
}

export async function writeNodeConfig(node: NodeRuntime, text: string): Promise<void> {
  await node.transport.writeFile(transportPath(node, NODE_PATHS.config), text, {
    mode: CONFIG_MODE,
    ...(node.owner ? { owner: node.owner } : {}),
    sudo: node.sudo,
  });
}

export async function patchNodeConfig(node: NodeRuntime, patch: ConfigPatch): Promise<void> {
  const text = await readNodeConfig(node);
  if (text === undefined) throw new Error(`${node.spec.name}: no ${NODE_PATHS.config} (the runbook's phase 4 writes it)`);
  await writeNodeConfig(node, patchConfigText(text, patch));
}

/** Every node's config, read and parsed before anything is stopped: a missing or broken one fails here. */
export async function requireConfigs(nodes: NodeRuntime[]): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      const text = await readNodeConfig(node);
      if (text === undefined) throw new Error(`${node.spec.name}: no ${NODE_PATHS.config} (the runbook's phase 4 writes it); nothing was changed`);
      patchConfigText(text, {});
    }),
  );
}

export function initialClusterOf(nodes: Array<Pick<NodeSpec, 'name' | 'peerUrl'>>): string {
  return nodes.map((n) => `${n.name}=${n.peerUrl}`).join(',');
}
