/** Reads a secret from where the inventory says it lives (env, file, prompt). Never from argv. */
import { readFileSync } from 'node:fs';
import type { SecretSource } from '../inventory/types.js';
import { RunbookFailure } from './failures.js';

export interface SecretReadOptions {
  /** What the secret is, for messages and the prompt: `password for etcd user patroni`. */
  what: string;
  prompt?: (question: string) => Promise<string>;
  env?: Record<string, string | undefined>;
}

export async function readSecretSource(source: SecretSource, options: SecretReadOptions): Promise<string> {
  const env = options.env ?? process.env;
  switch (source.kind) {
    case 'env': {
      const value = env[source.name];
      if (value === undefined) throw new RunbookFailure('config', `${options.what}: environment variable ${source.name} is not set`);
      return value;
    }
    case 'file':
      return readSecretFile(source.path, options.what);
    case 'prompt':
      if (!options.prompt) throw new RunbookFailure('config', `${options.what} is to be prompted for, but this run cannot prompt`);
      return options.prompt(`${options.what[0]!.toUpperCase()}${options.what.slice(1)}: `);
  }
}

/** A secret file's content without its trailing newline. */
export function readSecretFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new RunbookFailure('config', `${what}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
