import { readFileSync } from 'node:fs';
import type { TlsFiles } from '../../core/inventory/types.js';

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function readOne(path: string | undefined, what: string): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new ConfigError(`cannot read ${what} ${path}: ${why}`);
  }
}

/** `context`: the user config context the files come from, so errors name its keys instead of the flags. */
export function loadTlsMaterial(files: TlsFiles, context?: string): TlsMaterial {
  const origin = (flag: string): string => (context ? `${flag} of context ${context}` : `--${flag}`);
  if (Boolean(files.cert) !== Boolean(files.key)) {
    throw new ConfigError(`${origin('cert')} and ${origin('key')} go together: give both or neither`);
  }
  return {
    ca: readOne(files.cacert, `CA certificate (${origin('cacert')})`),
    cert: readOne(files.cert, `client certificate (${origin('cert')})`),
    key: readOne(files.key, `client key (${origin('key')})`),
  };
}
