import type { TlsFiles } from '../inventory/types.js';
import { FILE_LIMITS, FileCheckError, readSmallFile } from '../files/read-small-file.js';
import { checkTlsFiles, TlsFileError, type TlsFileInput } from './check-files.js';
import { ExitCodedError } from '../errors/exit-coded-error.js';

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Said once on stderr by the CLI: a client certificate close to its end. */
  warnings?: string[];
}

/** A TLS file the operator gave is missing or not what it should be: exit 2 (or `exitCode`: 3 when expired or unreadable). */
export class ConfigError extends ExitCodedError {
  override name = 'ConfigError';
}

function readOne(path: string | undefined, what: string, origin: string): TlsFileInput | undefined {
  if (!path) return undefined;
  try {
    return { path, origin, data: readSmallFile(path, `${what} (${origin})`, FILE_LIMITS.tls) };
  } catch (err) {
    if (err instanceof FileCheckError) throw new ConfigError(err.message, err.exitCode);
    throw err;
  }
}

/**
 * Reads and checks the TLS files before any connection: which file, what it
 * holds, what was expected. `context`: the user config context the files come
 * from, so errors name its keys instead of the flags.
 */
export function loadTlsMaterial(files: TlsFiles, context?: string, now = new Date()): TlsMaterial {
  const origin = (flag: string): string => (context ? `${flag} of context ${context}` : `--${flag}`);
  if (Boolean(files.cert) !== Boolean(files.key)) {
    throw new ConfigError(`${origin('cert')} and ${origin('key')} go together: give both or neither`);
  }
  const ca = readOne(files.cacert, 'CA certificate', origin('cacert'));
  const cert = readOne(files.cert, 'client certificate', origin('cert'));
  const key = readOne(files.key, 'client key', origin('key'));
  let warnings: string[];
  try {
    warnings = checkTlsFiles({ ca, cert, key }, now);
  } catch (err) {
    if (err instanceof TlsFileError) throw new ConfigError(err.message, err.exitCode);
    throw err;
  }
  return { ca: ca?.data, cert: cert?.data, key: key?.data, ...(warnings.length ? { warnings } : {}) };
}
