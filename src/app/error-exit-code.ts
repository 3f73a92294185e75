import { ConfigFileError } from '../core/config/yaml-reader.js';
import { UsageError } from '../cli/usage-error.js';
import { ConfigError } from '../core/tls/material.js';
import { InventoryError } from '../core/inventory/parse.js';
import { explainEtcdError } from '../core/errors/explain-etcd-error.js';

/**
 * What a failed command prints (one line, no stack trace) and its exit code:
 * the error's own code, 2 for bad input, 1 for what etcd or the network threw.
 */
export function errorExit(err: unknown): { line: string; exitCode: number } {
  const exitCode = (err as { exitCode?: unknown } | null)?.exitCode;
  if (err instanceof Error && typeof exitCode === 'number' && Number.isInteger(exitCode) && exitCode > 0) return { line: oneLine(err.message), exitCode };
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof InventoryError || err instanceof ConfigFileError) {
    return { line: oneLine(err.message), exitCode: 2 };
  }
  return { line: explainEtcdError(err).message, exitCode: 1 };
}

function oneLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
