/**
 * etcd's auth tokens. etcd's default "simple" tokens live in each member's
 * memory: a member that restarts forgets them, and a client holding one gets
 * "invalid auth token" there. Patroni 3.0.2 misreads that answer on its lease
 * keepalive and demotes itself (seen in the lab on every rolling restart). JWT
 * tokens signed with one key pair that every member holds stay valid on every
 * member and across restarts; the runbook makes that key pair and uses them.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { NODE_PATHS } from './paths.js';
import { workdirLayout } from './workdir.js';
import { writeNewFile } from '../files/replace-file.js';

export const TOKEN_FILES = ['jwt.key', 'jwt.pub'] as const;
export type TokenFile = (typeof TOKEN_FILES)[number];
export const TOKEN_FILE_MODES: Record<TokenFile, number> = { 'jwt.key': 0o600, 'jwt.pub': 0o644 };
/** How long a token is good for; clients (Patroni too) log in again when it runs out. */
export const TOKEN_TTL = '10m';

/** Where the key pair lives on this machine (beside the PKI). */
export function localTokenFile(workdir: string, file: TokenFile): string {
  return join(workdirLayout(workdir).pki, file);
}

/** Where it lives on a node. */
export function nodeTokenFile(file: TokenFile): string {
  return posix.join(NODE_PATHS.pkiDir, file);
}

/** etcd's `auth-token` setting, with the paths etcd sees on the node. */
export function authTokenSetting(paths: { pub: string; key: string }): string {
  return `jwt,pub-key=${paths.pub},priv-key=${paths.key},sign-method=RS256,ttl=${TOKEN_TTL}`;
}

export function localTokenKeysExist(workdir: string): boolean {
  return TOKEN_FILES.every((f) => existsSync(localTokenFile(workdir, f)));
}

/** RSA 2048 for RS256; the private key is created 0600 and never overwritten. */
export function generateTokenKeys(workdir: string): void {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  writeNewFile(localTokenFile(workdir, 'jwt.key'), privateKey, TOKEN_FILE_MODES['jwt.key']);
  writeNewFile(localTokenFile(workdir, 'jwt.pub'), publicKey, TOKEN_FILE_MODES['jwt.pub']);
}

