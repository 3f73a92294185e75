/**
 * One shell command that reports, for each private key file, its mode and the
 * SHA-256 of the public key openssl derives from it: the key itself never
 * leaves the host it is on, and is never printed.
 */
import type { ObservedKey } from '../../core/certs/observed-certs.js';
import type { Transport } from '../../core/transport.js';

export interface KeyFile {
  /** The path as shown to the operator. */
  file: string;
  /** The path as one shell word on that host (already quoted). */
  word: string;
}

export function keyCheckCommand(keys: KeyFile[]): string {
  const lines = keys.map(
    ({ word }, i) =>
      `if [ ! -e ${word} ]; then echo "${i} missing"; ` +
      `elif ! m=$(stat -c %a ${word}); then echo "${i} unreadable"; ` +
      `elif ! command -v openssl >/dev/null 2>&1; then echo "${i} $m noopenssl"; ` +
      `elif openssl pkey -in ${word} -noout -passin pass: >/dev/null 2>&1; then echo "${i} $m $(openssl pkey -in ${word} -pubout -outform DER | sha256sum | cut -c1-64)"; ` +
      `else echo "${i} $m notakey"; fi`,
  );
  return lines.join('\n');
}

export function parseKeyCheck(keys: KeyFile[], stdout: string): ObservedKey[] {
  const byIndex = new Map<number, string[]>();
  for (const line of stdout.split('\n')) {
    const [index, ...rest] = line.trim().split(/\s+/);
    if (index !== undefined && /^\d+$/.test(index)) byIndex.set(Number(index), rest);
  }
  return keys.map(({ file }, i): ObservedKey => {
    const words = byIndex.get(i);
    if (!words) return { file, error: 'not checked (no answer from the host)' };
    if (words[0] === 'missing') return { file, error: 'missing' };
    if (words[0] === 'unreadable') return { file, error: 'cannot be read (permission?)' };
    const [mode, what] = words;
    if (what === 'noopenssl') return { file, mode: mode! };
    if (what === 'notakey') return { file, mode: mode!, error: 'is not an unencrypted private key' };
    return { file, mode: mode!, publicKeySha256: what! };
  });
}

export async function checkKeys(transport: Transport, keys: KeyFile[], sudo: boolean): Promise<ObservedKey[]> {
  const r = await transport.exec(keyCheckCommand(keys), { sudo, timeoutMs: 30_000 });
  return parseKeyCheck(keys, r.stdout);
}
