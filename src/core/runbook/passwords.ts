/**
 * Passwords of the etcd users root and patroni: from the inventory's source
 * (env, file, prompt), else generated once into <workdir>/secrets/<user>.password
 * (0600). Never on argv, never printed: every value read is registered as a
 * secret so it is redacted from all output.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretSource } from '../inventory/types.js';
import { RunbookFailure } from './failures.js';
import { readSecretFile, readSecretSource } from './secret-source.js';
import type { RunContext } from './types.js';
import { workdirLayout } from './workdir.js';

export const ETCD_USERS = ['root', 'patroni'] as const;
export type EtcdUser = (typeof ETCD_USERS)[number];

export type PasswordOrigin = { kind: 'configured'; source: SecretSource } | { kind: 'generated'; path: string };

export function passwordOrigin(ctx: RunContext, user: EtcdUser): PasswordOrigin {
  const source = ctx.settings.passwords[user];
  return source ? { kind: 'configured', source } : { kind: 'generated', path: generatedPasswordPath(ctx.workdir, user) };
}

export function generatedPasswordPath(workdir: string, user: EtcdUser): string {
  return join(workdirLayout(workdir).secrets, `${user}.password`);
}

export function describeOrigin(origin: PasswordOrigin): string {
  if (origin.kind === 'generated') return `generated file ${origin.path}`;
  switch (origin.source.kind) {
    case 'env':
      return `environment variable ${origin.source.name}`;
    case 'file':
      return `file ${origin.source.path}`;
    case 'prompt':
      return 'prompt';
  }
}

/** Is the password available without asking or generating? (A prompt counts as available.) */
export function passwordAvailable(ctx: RunContext, user: EtcdUser): boolean {
  const origin = passwordOrigin(ctx, user);
  if (origin.kind === 'generated') return existsSync(origin.path);
  switch (origin.source.kind) {
    case 'env':
      return process.env[origin.source.name] !== undefined;
    case 'file':
      return existsSync(origin.source.path);
    case 'prompt':
      return true;
  }
}

/** Creates <workdir>/secrets/<user>.password when the password is not configured and not generated yet. */
export function ensureGeneratedPassword(ctx: RunContext, user: EtcdUser): 'generated' | 'exists' | 'configured' {
  const origin = passwordOrigin(ctx, user);
  if (origin.kind === 'configured') return 'configured';
  if (existsSync(origin.path)) return 'exists';
  mkdirSync(workdirLayout(ctx.workdir).secrets, { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('base64url');
  ctx.secrets.add(password, `${user} password`);
  writeFileSync(origin.path, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return 'generated';
}

const CACHE_KEY = (user: EtcdUser) => `password:${user}`;

export async function readPassword(ctx: RunContext, user: EtcdUser): Promise<string> {
  const cached = ctx.scratch.get(CACHE_KEY(user));
  if (typeof cached === 'string') return cached;
  const origin = passwordOrigin(ctx, user);
  const value = await readFromOrigin(ctx, user, origin);
  if (value === '') throw new RunbookFailure('config', `password for etcd user ${user} (${describeOrigin(origin)}) is empty`);
  ctx.secrets.add(value, `${user} password`);
  ctx.scratch.set(CACHE_KEY(user), value);
  return value;
}

async function readFromOrigin(ctx: RunContext, user: EtcdUser, origin: PasswordOrigin): Promise<string> {
  const what = `password for etcd user ${user}`;
  if (origin.kind === 'generated') return readSecretFile(origin.path, what);
  return readSecretSource(origin.source, { what, ...(ctx.prompt ? { prompt: ctx.prompt } : {}) });
}

/** Registers every password that can be read without asking, so output redaction knows them from the start. */
export function registerKnownPasswords(ctx: RunContext): void {
  for (const user of ETCD_USERS) {
    const origin = passwordOrigin(ctx, user);
    let value: string | undefined;
    if (origin.kind === 'generated') value = existsSync(origin.path) ? readSecretFile(origin.path, user) : undefined;
    else if (origin.source.kind === 'file') value = existsSync(origin.source.path) ? readSecretFile(origin.source.path, user) : undefined;
    else if (origin.source.kind === 'env') value = process.env[origin.source.name];
    if (value) ctx.secrets.add(value, `${user} password`);
  }
}
