import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseUserConfig, type UserConfig } from '../core/config/user-config.js';
import { UsageError } from './usage-error.js';

type Env = Record<string, string | undefined>;

/** --config, else ETCD_COCKPIT_CONFIG, else the XDG place. */
export function userConfigPath(explicit: string | undefined, env: Env = process.env): { path: string; explicit: boolean } {
  const chosen = explicit ?? env.ETCD_COCKPIT_CONFIG;
  if (chosen) return { path: chosen, explicit: true };
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return { path: join(base, 'etcd-cockpit', 'config.yaml'), explicit: false };
}

/** The user config; none at the default place is an empty one, a missing file that was asked for is an error. */
export function loadUserConfig(explicit: string | undefined, env: Env = process.env): UserConfig {
  const { path, explicit: asked } = userConfigPath(explicit, env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !asked) return { contexts: [] };
    throw new UsageError(`cannot read config ${path}: ${code === 'ENOENT' ? 'no such file' : code}`);
  }
  return parseUserConfig(text, path);
}
