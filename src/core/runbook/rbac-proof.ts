/**
 * Live proofs of the RBAC setup (runbook 10e and checkpoint rows 7-10).
 * Each returns pass/fail with what was seen; none throws for an expected
 * denial. Secrets never reach the detail text. Patroni's proofs go the way
 * Patroni goes: etcd's JSON gateway over HTTPS, its CN-less certificate and
 * its password.
 */
import type { GatewayClient } from '../ports/etcd-connector.js';
import { explainEtcdError } from '../errors/explain-etcd-error.js';
import { withAnyGateway, withAnyMember } from './etcd-access.js';
import { describeOrigin, passwordOrigin, readPassword } from './passwords.js';
import type { RunContext } from './types.js';

export const PATRONI_ROLE = 'patroni-role';
export const PATRONI_PREFIX = '/service/';
export const TEST_KEY = '/service/test';
export const OUTSIDE_KEY = '/other/cockpit-rbac-test';

export interface Proof {
  pass: boolean;
  detail: string;
}

const DENIED = /permission denied|user name is empty|user name not found|invalid auth token/i;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

async function asPatroni<T>(run: RunContext, fn: (c: GatewayClient) => Promise<T>): Promise<T> {
  const password = await readPassword(run, 'patroni');
  return withAnyGateway(run, 'patroni', { user: 'patroni', password }, fn);
}

/** A failure to authenticate, said with where the password came from. */
function authDetail(run: RunContext, user: 'root' | 'patroni', err: unknown): string {
  const explained = explainEtcdError(err);
  const origin = describeOrigin(passwordOrigin(run, user));
  return explained.kind === 'auth'
    ? `etcd rejects the ${user} password from ${origin} (authentication failed)`
    : `${user}: ${explained.message}`;
}

export async function proveAuthEnabled(run: RunContext): Promise<Proof> {
  try {
    const enabled = await withAnyMember(run, 'root', {}, (c) => c.authEnabled());
    return { pass: enabled, detail: `auth status: ${enabled}` };
  } catch (err) {
    return { pass: false, detail: explainEtcdError(err).message };
  }
}

export async function proveRootPassword(run: RunContext): Promise<Proof> {
  try {
    const password = await readPassword(run, 'root');
    await withAnyMember(run, run.settings.operatorCn, { user: 'root', password }, (c) => c.authEnabled());
    return { pass: true, detail: `root authenticates with the password from ${describeOrigin(passwordOrigin(run, 'root'))}` };
  } catch (err) {
    return { pass: false, detail: authDetail(run, 'root', err) };
  }
}

export async function provePatroniWrite(run: RunContext, value: string): Promise<Proof> {
  try {
    await asPatroni(run, (c) => c.put(TEST_KEY, value));
    return { pass: true, detail: `put ${TEST_KEY} "${value}" as patroni over the JSON gateway: OK` };
  } catch (err) {
    return { pass: false, detail: authDetail(run, 'patroni', err) };
  }
}

export async function provePatroniRead(run: RunContext, expected: string): Promise<Proof> {
  try {
    const got = await asPatroni(run, (c) => c.get(TEST_KEY));
    return got === expected
      ? { pass: true, detail: `get ${TEST_KEY} as patroni over the JSON gateway: "${got}"` }
      : { pass: false, detail: `get ${TEST_KEY} as patroni returned ${got === null ? 'nothing' : `"${got}"`}, expected "${expected}"` };
  } catch (err) {
    return { pass: false, detail: authDetail(run, 'patroni', err) };
  }
}

export async function cleanupTestKey(run: RunContext): Promise<void> {
  await asPatroni(run, (c) => c.delete(TEST_KEY)).catch(() => undefined);
}

export async function provePatroniDeniedOutside(run: RunContext): Promise<Proof> {
  try {
    await asPatroni(run, (c) => c.put(OUTSIDE_KEY, 'must-fail'));
    return { pass: false, detail: `patroni could write ${OUTSIDE_KEY}: its role is wider than ${PATRONI_PREFIX}` };
  } catch (err) {
    const text = errorText(err);
    return DENIED.test(text)
      ? { pass: true, detail: `put ${OUTSIDE_KEY} as patroni: denied (${text.replace(/^\d+ [A-Z_]+: /, '')})` }
      : { pass: false, detail: authDetail(run, 'patroni', err) };
  }
}

/**
 * A client with no user: under client-cert auth the certificate's CN is the
 * user, so this uses the operator certificate (its CN is not an etcd user).
 */
export async function proveUnauthenticatedDenied(run: RunContext): Promise<Proof> {
  const cn = run.settings.operatorCn;
  try {
    await withAnyMember(run, cn, {}, (c) => c.getString(TEST_KEY));
    return { pass: false, detail: `a client with CN=${cn} and no password could read ${TEST_KEY}` };
  } catch (err) {
    const text = errorText(err);
    return DENIED.test(text)
      ? { pass: true, detail: `get ${TEST_KEY} with CN=${cn}, no password: denied (${text.replace(/^\d+ [A-Z_]+: /, '')})` }
      : { pass: false, detail: `expected a denial, got: ${explainEtcdError(err).message}` };
  }
}
