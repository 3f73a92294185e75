import { existsSync } from 'node:fs';
import { FILE_LIMITS, readSmallTextFile } from '../core/files/read-small-file.js';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './usage-error.js';
import { parseUserConfig, type UserConfig } from '../core/config/user-config.js';

type Env = Record<string, string | undefined>;

/** --config, else ETCD_COCKPIT_CONFIG, else the XDG place. */
export function userConfigPath(explicit: string | undefined, env: Env = process.env): { path: string; explicit: boolean } {
  const chosen = explicit ?? env.ETCD_COCKPIT_CONFIG;
  if (chosen !== undefined && chosen.trim() === '' && explicit !== undefined) throw new UsageError('--config is empty: give a file or leave the flag out');
  if (chosen) return { path: chosen, explicit: true };
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return { path: join(base, 'etcd-cockpit', 'config.yaml'), explicit: false };
}

/** The user config; none at the default place is an empty one, a missing file that was asked for is an error. */
export function loadUserConfig(explicit: string | undefined, env: Env = process.env): UserConfig {
  const { path, explicit: asked } = userConfigPath(explicit, env);
  if (!asked && !existsSync(path)) return { contexts: [] };
  return parseUserConfig(readSmallTextFile(path, 'config', FILE_LIMITS.config), path);
}
