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

export function loadTlsMaterial(files: TlsFiles): TlsMaterial {
  if (Boolean(files.cert) !== Boolean(files.key)) {
    throw new ConfigError('--cert and --key go together: give both or neither');
  }
  return {
    ca: readOne(files.cacert, 'CA certificate (--cacert)'),
    cert: readOne(files.cert, 'client certificate (--cert)'),
    key: readOne(files.key, 'client key (--key)'),
  };
}
