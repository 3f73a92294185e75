/**
 * `certs renew`: new server, peer and client certificates from the same CA,
 * deployed to every node, moved into this machine's PKI, then a rolling
 * restart with its health gate between members. Each step first looks at
 * what is already done (renew-plan.ts), so a rerun finishes an interrupted one.
 */
import type { MemberState } from '../../cluster/types.js';
import { planRenew, type RenewObservation, type RenewStep } from '../../certs/renew-plan.js';
import { GATEWAY_CLIENTS, clientCertNames, cnClientNames, localPki } from '../../runbook/local-pki.js';
import { NODE_PATHS, realPath } from '../../runbook/paths.js';
import type { RunContext } from '../../runbook/types.js';
import type { OperationRequest } from '../requests.js';
import { ServiceOpRefused, serviceWork, type ServiceDeps, type ServiceOpsContext } from '../service/context.js';
import { guardRolling, rollingRestart, rollingSummary } from '../service/rolling-restart.js';
import { deployNewLeaves, nodeHoldsNewLeaves } from './deploy-leaves.js';
import { hasNewCa, rotateStore } from './rotate-store.js';
import { caKeyMissing, finishRenewBatch, issueRenewBatch, promoteRenewBatch, renewBatchDir, renewBatchState } from './renew-batch.js';

export async function observeRenew(run: RunContext): Promise<RenewObservation> {
  const batch = renewBatchState(run.workdir);
  const nodes = await Promise.all(
    run.nodes.map(async (node) => {
      if (batch === 'none') return { name: node.spec.name, current: false };
      try {
        return { name: node.spec.name, current: await nodeHoldsNewLeaves(node, run.workdir) };
      } catch (err) {
        throw new ServiceOpRefused(`${node.spec.name}: cannot read its certificates (${(err as Error).message.split('\n')[0]}): nothing was changed`);
      }
    }),
  );
  return { batch, nodes };
}

function describeStep(step: RenewStep, run: RunContext, members: MemberState[], deps: ServiceDeps): string[] {
  const pki = localPki(run.workdir);
  switch (step.kind) {
    case 'issue': {
      const clients = [...cnClientNames(run.settings).map((n) => `${n} (CN=${n})`), ...GATEWAY_CLIENTS.filter((n) => clientCertNames(run.settings).includes(n)).map((n) => `${n} (no CN, for etcd's JSON gateway)`)];
      return [
        `issue new certificates from the CA in ${pki.caCert} (the CA stays) into ${renewBatchDir(run.workdir)}: ` +
          `server and peer for ${run.nodes.map((n) => `${n.spec.name} (SAN IP:${n.spec.address}, IP:127.0.0.1, DNS:${n.spec.name})`).join(', ')}; clients ${clients.join(', ')}`,
      ];
    }
    case 'deploy': {
      const node = run.nodes.find((n) => n.spec.name === step.node)!;
      return [`${step.node}: upload server.key, server.crt, peer.key, peer.crt as *.new into ${realPath(node, NODE_PATHS.pkiDir)} (keys 0600), then rename them into place`];
    }
    case 'promote':
      return [`move the new certificates into ${pki.dir}, replacing the old ones (the client certificates there too)`];
    case 'rolling-restart':
      return rollingSummary(run.inventory.cluster, members, deps);
    case 'finish':
      return [`remove ${renewBatchDir(run.workdir)}`];
  }
}

export interface RenewPlanView {
  steps: RenewStep[];
  lines: string[];
}

/** The steps left and what each does, in words; refused when the CA key is needed and absent, or a restart would cost quorum. */
export async function planRenewal(run: RunContext, members: MemberState[], deps: ServiceDeps): Promise<RenewPlanView> {
  if (hasNewCa(run.workdir)) throw new ServiceOpRefused(`certs renew: a CA rotation is under way (${rotateStore(run.workdir).dir}): finish it with certs rotate-ca, which issues new leaves itself`);
  const observed = await observeRenew(run);
  const steps = planRenew(observed);
  if (steps.some((s) => s.kind === 'issue')) {
    const missing = caKeyMissing(run.workdir);
    if (missing) throw new ServiceOpRefused(`certs renew: ${missing}`);
  }
  const verdict = guardRolling(members);
  if (!verdict.allowed) throw new ServiceOpRefused(`refused: ${verdict.reason}: bring every member up before renewing certificates`);
  const lines = [...resumeLines(observed), ...steps.flatMap((s, i) => describeStep(s, run, members, deps).map((l, j) => (j === 0 ? `${i + 1}. ${l}` : `   ${l}`)))];
  if (clientCertNames(run.settings).some((n) => GATEWAY_CLIENTS.includes(n))) {
    lines.push(`Then copy ${localPki(run.workdir).client('patroni').cert} and its key to the Patroni hosts (the old certificate stays valid until it expires: same CA).`);
  }
  return { steps, lines };
}

function resumeLines(observed: RenewObservation): string[] {
  if (observed.batch === 'none') return [];
  const holding = observed.nodes.filter((n) => n.current).map((n) => n.name);
  const done = observed.batch === 'staged' ? 'new certificates issued' : 'new certificates deployed and in the PKI';
  return [`Resuming the renewal started earlier (${done}; ${holding.join(', ') || 'no node'} already hold them).`];
}

async function runStep(ctx: ServiceOpsContext, step: RenewStep): Promise<void> {
  const { run } = ctx;
  switch (step.kind) {
    case 'issue':
      ctx.log(`issued ${issueRenewBatch(run).length / 2} certificates into ${renewBatchDir(run.workdir)}`);
      return;
    case 'deploy': {
      const node = run.nodes.find((n) => n.spec.name === step.node)!;
      await deployNewLeaves(node, run.workdir);
      ctx.log(`${step.node}: new server and peer certificates in place`);
      return;
    }
    case 'promote':
      ctx.log(`${promoteRenewBatch(run.workdir)} files moved into ${localPki(run.workdir).dir}`);
      return;
    case 'rolling-restart':
      await rollingRestart(ctx, { why: 'new certificates' });
      return;
    case 'finish':
      finishRenewBatch(run.workdir);
      ctx.log('certificate renewal done');
  }
}

export async function buildRenewRequest(input: { cluster: string; members: MemberState[] }, deps: ServiceDeps): Promise<OperationRequest & { lines: string[] }> {
  const view = await planRenewal(deps.run, input.members, deps);
  return {
    action: 'certs-renew',
    target: 'cluster',
    params: { steps: view.steps.map((s) => (s.kind === 'deploy' ? `deploy:${s.node}` : s.kind)).join(',') },
    summary: [`Renew the certificates of ${input.cluster}:`, ...view.lines],
    lines: view.lines,
    // Planned again under the lock: what is on the nodes now decides.
    work: serviceWork(deps, async (ctx) => {
      const observed = await observeRenew(ctx.run);
      for (const line of resumeLines(observed)) ctx.log(line);
      const steps = planRenew(observed);
      for (const step of steps) await runStep(ctx, step);
    }),
  };
}
