/** Phase 2 (runbook step 2): the etcd system user, and the data and config folders with their owners and modes. */
import { shq } from '../../shell-quote.js';
import { execAction } from '../actions.js';
import type { NodeRuntime } from '../node-runtime.js';
import { NODE_PATHS, p } from '../paths.js';
import type { RunbookSettings } from '../settings.js';
import type { NodeStep } from '../types.js';
import { exec, firstLine, mustExec, standardAdvice } from './common.js';

export const DIR_MODES = [
  { path: NODE_PATHS.dataDir, mode: '700' },
  { path: NODE_PATHS.etcdDir, mode: '750' },
  { path: NODE_PATHS.pkiDir, mode: '750' },
] as const;

export function userCheckCommand(settings: RunbookSettings): string {
  return `id -u ${shq(settings.serviceUser)} >/dev/null 2>&1 && getent group ${shq(settings.serviceGroup)} >/dev/null`;
}

/** The runbook's `useradd -r -s /sbin/nologin etcd` (plus the group when it differs from the user). */
export function userAddCommand(settings: RunbookSettings): string {
  const user = shq(settings.serviceUser);
  if (settings.serviceGroup === settings.serviceUser) return `useradd -r -s /sbin/nologin ${user}`;
  const group = shq(settings.serviceGroup);
  return `{ getent group ${group} >/dev/null || groupadd -r ${group}; } && useradd -r -s /sbin/nologin -g ${group} ${user}`;
}

export function dirsCommand(node: NodeRuntime): string {
  const [data, etc, pki] = [p(node, NODE_PATHS.dataDir), p(node, NODE_PATHS.etcdDir), p(node, NODE_PATHS.pkiDir)];
  const parts = [`mkdir -p ${data} ${pki}`];
  if (node.owner) parts.push(`chown ${shq(node.owner)} ${data} ${etc} ${pki}`);
  parts.push(`chmod 700 ${data}`, `chmod 750 ${etc} ${pki}`);
  return parts.join(' && ');
}

export function dirsStatCommand(node: NodeRuntime): string {
  return `stat -c '%a %U:%G' ${DIR_MODES.map((d) => p(node, d.path)).join(' ')}`;
}

const user: NodeStep = {
  id: 'host.user',
  title: 'Create the etcd system user',
  phase: 2,
  scope: 'node',
  advice: standardAdvice,
  notApplicable({ node, run }) {
    if (node.kind === 'local') return 'local node: etcd runs as the current user under the process supervisor';
    if (run.settings.ownership === 'skip') return 'runbook.ownership is skip: no user is created';
    if (!node.privileged) return `${node.spec.ssh?.user ?? 'this user'} is neither root nor allowed sudo: no user is created, files keep their owner`;
    return undefined;
  },
  async check({ node, run }) {
    const r = await exec(node, userCheckCommand(run.settings));
    return r.code === 0 ? { done: true, detail: `user ${run.settings.serviceUser} exists` } : { done: false };
  },
  async plan({ node, run }) {
    return [execAction(userAddCommand(run.settings), node.sudo)];
  },
  async apply({ node, run }) {
    await mustExec(node, userAddCommand(run.settings), 'useradd', { privileged: true });
    return `created user ${run.settings.serviceUser}`;
  },
};

const dirs: NodeStep = {
  id: 'host.dirs',
  idempotent: true,
  title: 'Create /var/lib/etcd (0700) and /etc/etcd/pki (0750)',
  phase: 2,
  scope: 'node',
  advice: standardAdvice,
  async check({ node }) {
    const r = await exec(node, dirsStatCommand(node), { privileged: true });
    if (r.code !== 0) return { done: false, reason: firstLine(r.stderr) || 'folders missing' };
    const lines = r.stdout.trim().split('\n');
    const wrong = DIR_MODES.filter((d, i) => {
      const [mode, owner] = (lines[i] ?? '').split(' ');
      return mode !== d.mode || (node.owner !== undefined && owner !== node.owner);
    });
    return wrong.length === 0
      ? { done: true, detail: 'folders in place' }
      : { done: false, reason: `wrong mode or owner: ${wrong.map((d) => d.path).join(', ')}` };
  },
  async plan({ node }) {
    return [execAction(dirsCommand(node), node.sudo)];
  },
  async apply({ node }) {
    await mustExec(node, dirsCommand(node), 'creating the folders', { privileged: true });
  },
};

export const HOST_STEPS = [user, dirs];
