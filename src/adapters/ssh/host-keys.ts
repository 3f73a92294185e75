/**
 * known_hosts handling for the SSH transport: parsing (plain, `[host]:port`,
 * comma lists, `*`/`?`/`!` patterns, hashed `|1|salt|hash` entries, @revoked),
 * lookup, SHA256 fingerprints as `ssh-keygen -lf` prints them, and appending
 * an accepted key.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { hostPattern } from '../../core/errors/host-key-error.js';

export function defaultKnownHostsPath(): string {
  return join(homedir(), '.ssh', 'known_hosts');
}

/** `SHA256:` + unpadded base64 of the SHA-256 of the key blob (same as `ssh-keygen -lf`). */
export function fingerprintSha256(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The algorithm name at the start of an SSH public key blob, e.g. `ssh-ed25519`. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new Error('malformed SSH public key blob');
  const len = keyBlob.readUInt32BE(0);
  if (len > keyBlob.length - 4) throw new Error('malformed SSH public key blob');
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

/** How OpenSSH names a host in known_hosts: `host`, or `[host]:port` when the port is not 22. */

export interface KnownHostEntry {
  /** 1-based line number in the file. */
  line: number;
  marker?: 'cert-authority' | 'revoked';
  hosts: string;
  keyType: string;
  key: Buffer;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift();
      if (m !== '@cert-authority' && m !== '@revoked') return;
      marker = m === '@revoked' ? 'revoked' : 'cert-authority';
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64 || !/^[A-Za-z0-9+/]+=*$/.test(b64)) return;
    entries.push({ line: i + 1, ...(marker ? { marker } : {}), hosts, keyType, key: Buffer.from(b64, 'base64') });
  });
  return entries;
}

function globMatch(pattern: string, s: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(s);
}

/** Does a known_hosts host field match `lookup` (already in hostPattern form)? */
export function hostMatches(hostsField: string, lookup: string): boolean {
  if (hostsField.startsWith('|1|')) {
    const [, , salt, hash] = hostsField.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(lookup).digest('base64');
    return mac === hash;
  }
  let matched = false;
  for (const p of hostsField.split(',')) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), lookup)) return false;
    } else if (globMatch(p, lookup)) {
      matched = true;
    }
  }
  return matched;
}

export type HostKeyCheck =
  | { status: 'match' }
  | { status: 'unknown'; knownTypes: string[] }
  | { status: 'changed' | 'revoked'; line: number };

export function checkHostKey(entries: KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyCheck {
  const lookup = hostPattern(host, port);
  const type = keyTypeOf(keyBlob);
  const forHost = entries.filter((e) => e.marker !== 'cert-authority' && hostMatches(e.hosts, lookup));
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.key.equals(keyBlob));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const plain = forHost.filter((e) => !e.marker);
  if (plain.some((e) => e.key.equals(keyBlob))) return { status: 'match' };
  const sameType = plain.find((e) => e.keyType === type);
  if (sameType) return { status: 'changed', line: sameType.line };
  return { status: 'unknown', knownTypes: [...new Set(plain.map((e) => e.keyType))] };
}

/** Reads and parses a known_hosts file; a missing file is an empty one. */
export async function readKnownHosts(path: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Key types the file lists for a host (so the handshake can prefer a key we can check). */
export function knownKeyTypes(entries: KnownHostEntry[], host: string, port: number): string[] {
  const lookup = hostPattern(host, port);
  return [...new Set(entries.filter((e) => !e.marker && hostMatches(e.hosts, lookup)).map((e) => e.keyType))];
}

/** ssh2 host-key algorithm names for known_hosts key types. */
export function hostKeyAlgorithmsFor(keyTypes: string[]): string[] {
  const algos = keyTypes.flatMap((t) => {
    if (t === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
    if (t === 'ssh-ed25519' || /^ecdsa-sha2-nistp(256|384|521)$/.test(t)) return [t];
    return [];
  });
  return [...new Set(algos)];
}

/**
 * Appends `host keyType key` to known_hosts (`[host]:port` when port != 22),
 * creating the directory (0700) and file (0600) when missing.
 */
export async function acceptHostKey(
  knownHostsPath: string,
  host: string,
  port: number,
  keyType: string,
  keyBase64: string,
): Promise<void> {
  if (!host || /[\s,]/.test(host)) throw new Error(`acceptHostKey: invalid host ${JSON.stringify(host)}`);
  if (!/^[A-Za-z0-9@.-]+$/.test(keyType)) throw new Error(`acceptHostKey: invalid key type ${JSON.stringify(keyType)}`);
  if (!/^[A-Za-z0-9+/]+=*$/.test(keyBase64)) throw new Error('acceptHostKey: key is not base64');
  await mkdir(dirname(knownHostsPath), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const existing = await readFile(knownHostsPath);
    if (existing.length > 0 && existing[existing.length - 1] !== 0x0a) prefix = '\n';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await appendFile(knownHostsPath, `${prefix}${hostPattern(host, port)} ${keyType} ${keyBase64}\n`, { mode: 0o600 });
}
