/**
 * Phase 4 (runbook steps 4-6): /etc/etcd/etcd.conf.yml per node, rendered
 * from the inventory and phase 0's measured tuning. Paths in it are the ones
 * etcd sees on that node (mapped under the node root for local nodes).
 */
import { renderMemberConfig } from '../../etcd-config/render.js';
import { authTokenSetting, nodeTokenFile } from '../auth-token-keys.js';
import { fileAction } from '../actions.js';
import type { NodeRuntime } from '../node-runtime.js';
import { NODE_PATHS, p, pkiPath, realPath, transportPath } from '../paths.js';
import { effectiveTuning } from '../tuning.js';
import type { NodeStep, RunContext } from '../types.js';
import { exec, standardAdvice } from './common.js';

export const CONFIG_MODE = 0o640;

export function memberConfigText(run: RunContext, node: NodeRuntime): string {
  const { tuning } = effectiveTuning(run.state.load(), run.settings);
  const at = (path: string) => realPath(node, path);
  return renderMemberConfig({
    node: node.spec,
    cluster: run.inventory.nodes,
    clusterToken: run.settings.clusterToken,
    state: 'new',
    dataDir: at(NODE_PATHS.dataDir),
    pki: {
      ca: at(pkiPath('ca.crt')),
      serverCert: at(pkiPath('server.crt')),
      serverKey: at(pkiPath('server.key')),
      peerCert: at(pkiPath('peer.crt')),
      peerKey: at(pkiPath('peer.key')),
    },
    tuning,
    listenOnLocalhost: run.settings.listenOnLocalhost ?? node.kind === 'ssh',
    authToken: authTokenSetting({ pub: at(nodeTokenFile('jwt.pub')), key: at(nodeTokenFile('jwt.key')) }),
  });
}

const write: NodeStep = {
  id: 'config.write',
  idempotent: true,
  title: 'Write /etc/etcd/etcd.conf.yml (0640)',
  phase: 4,
  scope: 'node',
  advice: standardAdvice,
  async check({ node, run }) {
    const want = memberConfigText(run, node);
    let have: string;
    try {
      have = (await node.transport.readFile(transportPath(node, NODE_PATHS.config), { sudo: node.sudo })).toString('utf8');
    } catch {
      return { done: false, reason: 'no config file yet' };
    }
    if (have !== want) return { done: false, reason: 'the config on the node differs from the rendered one' };
    const mode = await exec(node, `stat -c '%a %U:%G' ${p(node, NODE_PATHS.config)}`, { privileged: true });
    const [m, owner] = mode.stdout.trim().split(' ');
    if (m !== CONFIG_MODE.toString(8) || (node.owner && owner !== node.owner)) return { done: false, reason: `mode ${m}, owner ${owner}` };
    return { done: true, detail: 'config in place' };
  },
  async plan({ node, run }) {
    const { source } = effectiveTuning(run.state.load(), run.settings);
    const file = fileAction(realPath(node, NODE_PATHS.config), CONFIG_MODE, memberConfigText(run, node), node.owner);
    if (source !== 'runbook-default') return [file];
    return [{ kind: 'local', description: "tuning: the runbook's defaults until phase 0 has measured the RTT" }, file];
  },
  async apply(ctx) {
    const { node, run } = ctx;
    const { tuning, source } = effectiveTuning(run.state.load(), run.settings);
    if (source === 'runbook-default') ctx.warn(`no RTT measured (phase 0 not recorded): using the runbook's ${tuning.heartbeatIntervalMs}/${tuning.electionTimeoutMs} ms`);
    await node.transport.writeFile(transportPath(node, NODE_PATHS.config), memberConfigText(run, node), {
      mode: CONFIG_MODE,
      ...(node.owner ? { owner: node.owner } : {}),
      sudo: node.sudo,
    });
    return `heartbeat ${tuning.heartbeatIntervalMs} ms, election ${tuning.electionTimeoutMs} ms (${source})`;
  },
};

export const CONFIG_STEPS = [write];
