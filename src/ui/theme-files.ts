import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export type Env = Record<string, string | undefined>;

const NOT_A_THEME = 'a theme is a name like dark, light, high-contrast or monochrome, or a path to a theme file';

/** $XDG_CONFIG_HOME/etcd-cockpit/themes, else ~/.config/etcd-cockpit/themes (a relative XDG_CONFIG_HOME is ignored, as the spec says). */
export function userThemesDir(env: Env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const configHome = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(configHome, 'etcd-cockpit', 'themes');
}

/** The file a --theme value (or a config file's theme:) means: a path, or a name looked up in the user's dir, then the built-in one. */
export function findThemeFile(requested: string, env: Env, builtInDir: string): string {
  if (requested.includes('/') || requested.endsWith('.json')) {
    const file = requested.startsWith('~/') ? join(env.HOME || homedir(), requested.slice(2)) : requested;
    if (!existsSync(file)) throw new Error(`${file}: no such theme file (${NOT_A_THEME})`);
    return file;
  }
  if (!/^[\w-]+$/.test(requested)) throw new Error(`theme "${requested}": ${NOT_A_THEME}`);
  const userDir = userThemesDir(env);
  for (const dir of [userDir, builtInDir]) {
    const file = join(dir, `${requested}.json`);
    if (existsSync(file)) return file;
  }
  const known = [...new Set([...themeNames(builtInDir), ...themeNames(userDir)])];
  throw new Error(`theme ${requested}: no such theme (themes: ${known.join(', ')}); yours go in ${userDir}/, or pass a path like ./${requested}.json`);
}

function themeNames(dir: string): string[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .filter((file) => file.endsWith('.json') && file !== 'schema.json')
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}
