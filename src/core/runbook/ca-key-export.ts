/**
 * After phase 3: the runbook says to move ca.key offline. This exports it as
 * encrypted PKCS#8 (AES-256-CBC, passphrase from env, file or prompt, never
 * argv), proves the export decrypts to the same key, then deletes the local
 * copy.
 */
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, fsyncSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import type { SecretSource } from '../inventory/types.js';
import { RunbookFailure } from './failures.js';
import { localPki } from './local-pki.js';
import { readSecretSource } from './secret-source.js';

export const MIN_PASSPHRASE_LENGTH = 12;

export interface ExportCaKeyOptions {
  workdir: string;
  /** Where the encrypted key goes (must not exist yet); written 0600. */
  destination: string;
  passphrase: SecretSource;
  prompt?: (question: string) => Promise<string>;
  /** Delete <workdir>/pki/ca.key after a verified export (default true). */
  deleteLocal?: boolean;
}

export interface ExportCaKeyResult {
  destination: string;
  deletedLocal: boolean;
}

export async function exportCaKey(options: ExportCaKeyOptions): Promise<ExportCaKeyResult> {
  const source = localPki(options.workdir).caKey;
  if (!existsSync(source)) throw new RunbookFailure('config', `no CA key at ${source} (already exported?)`);
  if (existsSync(options.destination)) throw new RunbookFailure('config', `refusing to overwrite ${options.destination}`);
  const passphrase = await readSecretSource(options.passphrase, { what: 'passphrase for the CA key export', ...(options.prompt ? { prompt: options.prompt } : {}) });
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new RunbookFailure('config', `the CA key passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`);
  }
  const key = createPrivateKey(readFileSync(source));
  const encrypted = key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase });
  writeFileSync(options.destination, encrypted, { mode: 0o600, flag: 'wx' });

  const back = createPrivateKey({ key: readFileSync(options.destination), passphrase });
  const samePublic = createPublicKey(back).export({ type: 'spki', format: 'der' }).equals(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  if (!samePublic) throw new RunbookFailure('other', `the export in ${options.destination} does not decrypt to the CA key; the local key was kept`);

  const deleteLocal = options.deleteLocal ?? true;
  if (deleteLocal) shredAndDelete(source);
  return { destination: options.destination, deletedLocal: deleteLocal };
}

/** Overwrites the file with random bytes before unlinking it (best effort on journaling/CoW filesystems). */
function shredAndDelete(path: string): void {
  const size = statSync(path).size;
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, randomBytes(size), 0, size, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  unlinkSync(path);
}
