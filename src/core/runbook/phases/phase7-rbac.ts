/**
 * Phase 7 (runbook step 10): root and patroni users, patroni-role with
 * readwrite on /service/, auth enabled, then proven. Passwords never appear
 * in a plan, an argv or a log. Admin calls use the root client certificate
 * (CN=root is root under client-cert auth), so they work before and after
 * auth is on.
 */
import type { EtcdAdmin } from '../../ports/etcd-connector.js';
import { RunbookFailure } from '../failures.js';
import { withAnyMember } from '../etcd-access.js';
import {
  ETCD_USERS,
  describeOrigin,
  ensureGeneratedPassword,
  passwordAvailable,
  passwordOrigin,
  readPassword,
  type EtcdUser,
} from '../passwords.js';
import {
  PATRONI_PREFIX,
  PATRONI_ROLE,
  cleanupTestKey,
  provePatroniDeniedOutside,
  provePatroniRead,
  provePatroniWrite,
  proveRootPassword,
  proveUnauthenticatedDenied,
  type Proof,
} from '../rbac-proof.js';
import { secretPlaceholder, type PlannedAction } from '../actions.js';
import type { ClusterStep, RunContext } from '../types.js';
import { standardAdvice } from './common.js';

const USER_ROLES: Record<EtcdUser, string> = { root: 'root', patroni: PATRONI_ROLE };

function asRoot<T>(run: RunContext, fn: (c: EtcdAdmin) => Promise<T>): Promise<T> {
  return withAnyMember(run, 'root', {}, fn);
}

interface RbacState {
  users: Set<string>;
  roles: Record<string, string[]>;
  patroniRoleOk: boolean;
}

const PATRONI_PERMISSION = { role: PATRONI_ROLE, prefix: PATRONI_PREFIX };

async function readRbac(run: RunContext): Promise<RbacState> {
  return asRoot(run, async (c) => {
    const users = new Set(await c.users());
    const roles: Record<string, string[]> = {};
    for (const user of ETCD_USERS) roles[user] = users.has(user) ? await c.rolesOf(user) : [];
    const patroniRoleOk = (await c.roles()).includes(PATRONI_ROLE) && (await c.hasReadwritePrefix(PATRONI_PERMISSION));
    return { users, roles, patroniRoleOk };
  });
}

function missingRbac(state: RbacState): string[] {
  const missing: string[] = [];
  for (const user of ETCD_USERS) {
    if (!state.users.has(user)) missing.push(`user ${user}`);
    else if (!state.roles[user]?.includes(USER_ROLES[user])) missing.push(`${user} lacks role ${USER_ROLES[user]}`);
  }
  if (!state.patroniRoleOk) missing.push(`${PATRONI_ROLE} readwrite on ${PATRONI_PREFIX}`);
  return missing;
}

const passwords: ClusterStep = {
  id: 'rbac.passwords',
  title: 'Passwords for root and patroni (generated or from the inventory)',
  phase: 7,
  scope: 'cluster',
  advice: standardAdvice,
  async check({ run }) {
    const missing = ETCD_USERS.filter((u) => !passwordAvailable(run, u));
    return missing.length === 0
      ? { done: true, detail: ETCD_USERS.map((u) => `${u}: ${describeOrigin(passwordOrigin(run, u))}`).join('; ') }
      : { done: false, reason: `no password yet for ${missing.join(', ')}` };
  },
  async plan({ run }) {
    return ETCD_USERS.map((user): PlannedAction => {
      const origin = passwordOrigin(run, user);
      return origin.kind === 'generated'
        ? { kind: 'local', description: `generate a random ${user} password (crypto.randomBytes) into ${origin.path} (0600)` }
        : { kind: 'local', description: `read the ${user} password from ${describeOrigin(origin)}` };
    });
  },
  async apply({ run }) {
    const said: string[] = [];
    for (const user of ETCD_USERS) {
      const result = ensureGeneratedPassword(run, user);
      if (result === 'configured' && !passwordAvailable(run, user)) {
        throw new RunbookFailure('config', `the ${user} password source (${describeOrigin(passwordOrigin(run, user))}) is not available`);
      }
      said.push(`${user}: ${result === 'generated' ? 'generated' : describeOrigin(passwordOrigin(run, user))}`);
    }
    return said.join('; ');
  },
};

const users: ClusterStep = {
  id: 'rbac.users',
  title: 'Users root and patroni, patroni-role readwrite on /service/',
  phase: 7,
  scope: 'cluster',
  advice: standardAdvice,
  async check({ run }) {
    const missing = missingRbac(await readRbac(run));
    return missing.length === 0 ? { done: true, detail: 'users, role and grants in place' } : { done: false, reason: `missing: ${missing.join(', ')}` };
  },
  async plan() {
    return [
      { kind: 'etcd', call: `UserAdd name=root password=${secretPlaceholder('root password')}` },
      { kind: 'etcd', call: `UserAdd name=patroni password=${secretPlaceholder('patroni password')}` },
      { kind: 'etcd', call: `RoleAdd name=${PATRONI_ROLE}` },
      { kind: 'etcd', call: `RoleGrantPermission role=${PATRONI_ROLE} readwrite prefix=${PATRONI_PREFIX}` },
      { kind: 'etcd', call: `UserGrantRole user=patroni role=${PATRONI_ROLE}` },
      { kind: 'etcd', call: 'UserGrantRole user=root role=root' },
    ];
  },
  async apply(ctx) {
    const { run } = ctx;
    const before = await readRbac(run);
    const done: string[] = [];
    await asRoot(run, async (c) => {
      for (const user of ETCD_USERS) {
        if (!before.users.has(user)) {
          await c.addUser(user, await readPassword(run, user));
          done.push(`user ${user}`);
        }
      }
      if (!before.patroniRoleOk) {
        if (!(await c.roles()).includes(PATRONI_ROLE)) await c.addRole(PATRONI_ROLE);
        await c.grantReadwritePrefix(PATRONI_PERMISSION);
        done.push(`${PATRONI_ROLE} readwrite ${PATRONI_PREFIX}`);
      }
      for (const user of ETCD_USERS) {
        if (!before.roles[user]?.includes(USER_ROLES[user])) {
          await c.grantRole(user, USER_ROLES[user]);
          done.push(`${user} +${USER_ROLES[user]}`);
        }
      }
    });
    for (const user of ETCD_USERS) {
      if (before.users.has(user)) ctx.log(`user ${user} already existed: its password was left as it is`);
    }
    return done.length ? `created ${done.join(', ')}` : 'nothing to create';
  },
};

const enableAuth: ClusterStep = {
  id: 'rbac.enable-auth',
  title: 'Enable authentication',
  phase: 7,
  scope: 'cluster',
  advice: standardAdvice,
  async check({ run }) {
    const enabled = await asRoot(run, (c) => c.authEnabled());
    return enabled ? { done: true, detail: 'auth enabled' } : { done: false, reason: 'auth is disabled' };
  },
  async plan() {
    return [{ kind: 'etcd', call: 'AuthEnable' }];
  },
  async apply({ run }) {
    await asRoot(run, (c) => c.enableAuth());
    return 'auth enabled';
  },
};

export async function proveRbac(run: RunContext): Promise<Array<{ what: string; proof: Proof }>> {
  const results: Array<{ what: string; proof: Proof }> = [];
  results.push({ what: 'no credentials are denied', proof: await proveUnauthenticatedDenied(run) });
  results.push({ what: 'root password works', proof: await proveRootPassword(run) });
  const write = await provePatroniWrite(run, 'hello');
  results.push({ what: `patroni can write ${PATRONI_PREFIX}`, proof: write });
  if (write.pass) {
    results.push({ what: `patroni can read ${PATRONI_PREFIX}`, proof: await provePatroniRead(run, 'hello') });
    await cleanupTestKey(run);
  }
  results.push({ what: `patroni cannot write outside ${PATRONI_PREFIX}`, proof: await provePatroniDeniedOutside(run) });
  return results;
}

const prove: ClusterStep = {
  id: 'rbac.prove',
  title: 'Prove: no credentials denied, patroni reads/writes /service/ only',
  phase: 7,
  scope: 'cluster',
  advice: standardAdvice,
  async check({ run }) {
    const failed = (await proveRbac(run)).filter((r) => !r.proof.pass);
    return failed.length === 0 ? { done: true, detail: 'all RBAC proofs pass' } : { done: false, reason: failed.map((f) => f.proof.detail).join('; ') };
  },
  async plan({ run }) {
    return [
      { kind: 'etcd', call: `Range ${'/service/test'} with the ${run.settings.operatorCn} client certificate and no user: must be denied` },
      { kind: 'etcd', call: `Authenticate name=root password=${secretPlaceholder('root password')}` },
      { kind: 'etcd', call: `Put /service/test "hello", Range /service/test, DeleteRange /service/test as patroni (password ${secretPlaceholder('patroni password')})` },
      { kind: 'etcd', call: 'Put /other/cockpit-rbac-test as patroni: must be denied' },
    ];
  },
  async apply(ctx) {
    const results = await proveRbac(ctx.run);
    for (const r of results) ctx.log(`${r.proof.pass ? 'pass' : 'FAIL'}: ${r.what}: ${r.proof.detail}`);
    const failed = results.filter((r) => !r.proof.pass);
    if (failed.length > 0) {
      const authProblem = failed.some((f) => /rejects the .* password/.test(f.proof.detail));
      throw new RunbookFailure(authProblem ? 'auth' : 'permission', `RBAC proof failed: ${failed.map((f) => `${f.what}: ${f.proof.detail}`).join('; ')}`);
    }
    return `${results.length} proofs pass`;
  },
};

export const RBAC_STEPS = [passwords, users, enableAuth, prove];
