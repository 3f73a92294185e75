/**
 * Phase 5 (runbook steps 8 and 9a): the systemd unit, daemon-reload and
 * enable. Local nodes run under the process supervisor: nothing to install.
 */
import { systemdCommands } from '../systemd-commands.js';
import { execAction, fileAction } from '../actions.js';
import type { NodeRuntime } from '../node-runtime.js';
import { NODE_PATHS, realPath, transportPath } from '../paths.js';
import { renderSystemdUnit } from '../systemd-unit.js';
import type { NodeStep, NodeStepContext } from '../types.js';
import { exec, standardAdvice } from './common.js';

export const UNIT_MODE = 0o644;

export function unitText(ctx: NodeStepContext): string {
  return renderSystemdUnit({
    user: ctx.run.settings.serviceUser,
    group: ctx.run.settings.serviceGroup,
    configFile: realPath(ctx.node, NODE_PATHS.config),
    etcdBinary: realPath(ctx.node, NODE_PATHS.etcd),
  });
}

function notSystemd({ node }: { node: NodeRuntime }): string | undefined {
  switch (node.service.kind) {
    case 'systemd':
      return undefined;
    case 'process':
      return 'local node: the process supervisor starts etcd from its config; there is no unit to install';
  }
}

export function enabledCheckCommand(): string {
  const c = systemdCommands();
  return `${c.isEnabled}; systemctl show -p NeedDaemonReload etcd`;
}

const unit: NodeStep = {
  id: 'service.unit',
  idempotent: true,
  title: 'Write /etc/systemd/system/etcd.service',
  phase: 5,
  scope: 'node',
  advice: standardAdvice,
  notApplicable: notSystemd,
  async check(ctx) {
    try {
      const have = (await ctx.node.transport.readFile(transportPath(ctx.node, NODE_PATHS.unit), { sudo: ctx.node.sudo })).toString('utf8');
      return have === unitText(ctx) ? { done: true, detail: 'unit in place' } : { done: false, reason: 'the unit differs' };
    } catch {
      return { done: false, reason: 'no unit yet' };
    }
  },
  async plan(ctx) {
    return [fileAction(realPath(ctx.node, NODE_PATHS.unit), UNIT_MODE, unitText(ctx))];
  },
  async apply(ctx) {
    await ctx.node.transport.writeFile(transportPath(ctx.node, NODE_PATHS.unit), unitText(ctx), { mode: UNIT_MODE, sudo: ctx.node.sudo });
  },
};

const enable: NodeStep = {
  id: 'service.enable',
  idempotent: true,
  title: 'systemctl daemon-reload and enable etcd',
  phase: 5,
  scope: 'node',
  advice: standardAdvice,
  notApplicable: notSystemd,
  async check({ node }) {
    const r = await exec(node, enabledCheckCommand(), { privileged: true });
    const [enabled, reload] = r.stdout.trim().split('\n');
    return enabled === 'enabled' && reload === 'NeedDaemonReload=no' ? { done: true, detail: 'enabled' } : { done: false, reason: `${enabled ?? '?'}, ${reload ?? '?'}` };
  },
  async plan({ node }) {
    return node.service.plan('enable').map((a) => (a.kind === 'exec' ? execAction(a.command, node.sudo) : a));
  },
  async apply({ node }) {
    const result = await node.service.enable();
    switch (result.kind) {
      case 'enabled':
        return 'enabled';
      case 'not-applicable':
        return result.reason;
    }
  },
};

export const SERVICE_STEPS = [unit, enable];
