/**
 * `certs rotate-ca`: the next phase of a CA rotation (rotate-plan.ts) and its
 * rolling restart. What each node holds decides the phase, so a rerun after
 * an interruption continues where the last run stopped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MemberState } from '../../cluster/types.js';
import { certFacts, signedByOneOf, type CertFacts } from '../../certs/cert-facts.js';
import { splitPemCertificates } from '../../certs/pem-bundle.js';
import { planRotation, type RotateObservation, type RotatePhase, type RotatePlace, type RotatePlan, type RotateStep } from '../../certs/rotate-plan.js';
import type { NodeRuntime } from '../../runbook/node-runtime.js';
import { localPki } from '../../runbook/local-pki.js';
import { pkiPath, realPath, transportPath } from '../../runbook/paths.js';
import { PKI_FILE_MODES, caKeyAdvice } from '../../runbook/phases/phase3-pki.js';
import type { RunContext } from '../../runbook/types.js';
import type { OperationRequest } from '../requests.js';
import { ServiceOpRefused, serviceWork, type ServiceDeps, type ServiceOpsContext } from '../service/context.js';
import { guardRolling, rollingRestart, rollingSummary } from '../service/rolling-restart.js';
import { deployNewLeaves, nodeHoldsNewLeaves } from './deploy-leaves.js';
import { finishRenewBatch, issueRenewBatch, promoteRenewBatch, renewBatchState } from './renew-batch.js';
import { replaceLocalFile } from '../../files/replace-file.js';
import { createNewCa, finishRotation, hasNewCa, readNewCa, recordRestart, restartsDone, rotateStore } from './rotate-store.js';

const LOCAL = 'this machine';

function facts(pem: string): CertFacts[] {
  return splitPemCertificates(pem).map((one) => certFacts(one));
}

function fingerprints(pem: string): Set<string> {
  return new Set(facts(pem).map((c) => c.fingerprint256));
}

async function readNode(node: NodeRuntime, file: 'ca.crt' | 'server.crt' | 'peer.crt'): Promise<string> {
  try {
    return (await node.transport.readFile(transportPath(node, pkiPath(file)), { sudo: node.sudo })).toString('utf8');
  } catch (err) {
    throw new ServiceOpRefused(`${node.spec.name}: cannot read ${realPath(node, pkiPath(file))} (${(err as Error).message.split('\n')[0]}): nothing was changed`);
  }
}

function localClientCerts(workdir: string): string[] {
  const dir = join(localPki(workdir).dir, 'clients');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.crt')).map((f) => readFileSync(join(dir, f), 'utf8')) : [];
}

export async function observeRotation(run: RunContext): Promise<RotateObservation> {
  const pki = localPki(run.workdir);
  if (!existsSync(pki.caCert)) throw new ServiceOpRefused(`certs rotate-ca: there is no runbook PKI in ${pki.dir}`);
  const newCa = hasNewCa(run.workdir);
  const store = rotateStore(run.workdir);
  const old = fingerprints(readFileSync(newCa ? store.oldCa : pki.caCert, 'utf8'));
  const next = newCa ? facts(readFileSync(store.newCa, 'utf8')) : [];
  const trust = (bundle: string) => {
    const have = fingerprints(bundle);
    return { trustsOld: [...old].some((f) => have.has(f)), trustsNew: next.length > 0 && next.every((c) => have.has(c.fingerprint256)) };
  };
  const byNew = (pems: string[]) => next.length > 0 && pems.every((pem) => signedByOneOf(certFacts(pem), next));
  const places: RotatePlace[] = [
    { name: LOCAL, local: true, ...trust(readFileSync(pki.caCert, 'utf8')), leavesByNew: byNew(localClientCerts(run.workdir)) },
  ];
  for (const node of run.nodes) {
    const [ca, server, peer] = [await readNode(node, 'ca.crt'), await readNode(node, 'server.crt'), await readNode(node, 'peer.crt')];
    places.push({ name: node.spec.name, local: false, ...trust(ca), leavesByNew: byNew([server, peer]) });
  }
  return { newCa, restarted: restartsDone(run.workdir), batch: renewBatchState(run.workdir), places };
}

const PHASE_TITLE: Record<RotatePhase, string> = {
  a: 'phase a of 3: trust the old and a new CA',
  b: 'phase b of 3: leaves issued by the new CA',
  c: 'phase c of 3: trust the new CA only',
};

function placePath(run: RunContext, place: string): string {
  if (place === LOCAL) return localPki(run.workdir).caCert;
  const node = run.nodes.find((n) => n.spec.name === place)!;
  return `${place}:${realPath(node, pkiPath('ca.crt'))}`;
}

function describe(step: RotateStep, run: RunContext, members: MemberState[], deps: ServiceDeps): string[] {
  switch (step.kind) {
    case 'new-ca':
      return [`generate a new CA (RSA ${run.settings.caBits}, CN=etcd-ca-<date>) into ${rotateStore(run.workdir).dir} (key 0600); the current CA is kept there as old-ca.crt`];
    case 'trust-both':
      return [`write ${placePath(run, step.place)} = old CA + new CA`];
    case 'issue-leaves':
      return ['issue every server, peer and client certificate again from the new CA (Patroni\'s without a CN), staged like certs renew'];
    case 'deploy-leaves':
      return [`${step.node}: upload the new server and peer certificates and keys as *.new (keys 0600), rename them into place`];
    case 'promote-leaves':
      return [`move the new certificates into ${localPki(run.workdir).dir}`];
    case 'trust-new':
      return [`write ${placePath(run, step.place)} = new CA only`];
    case 'restart':
      return rollingSummary(run.inventory.cluster, members, deps);
    case 'finish':
      return [`the new CA key replaces the old one in ${localPki(run.workdir).caKey} (the old key's bytes overwritten), remove ${rotateStore(run.workdir).dir}`];
  }
}

async function writeCaFile(ctx: ServiceOpsContext, place: string, content: string): Promise<void> {
  const { run } = ctx;
  if (place === LOCAL) {
    replaceLocalFile(localPki(run.workdir).caCert, content, 0o644);
  } else {
    const node = run.nodes.find((n) => n.spec.name === place)!;
    await node.transport.writeFile(transportPath(node, pkiPath('ca.crt')), content, {
      mode: PKI_FILE_MODES['ca.crt'],
      ...(node.owner ? { owner: node.owner } : {}),
      sudo: node.sudo,
    });
  }
  ctx.log(`${place}: ca.crt now holds ${splitPemCertificates(content).length === 1 ? 'the new CA only' : 'the old and the new CA'}`);
}

async function runStep(ctx: ServiceOpsContext, step: RotateStep, phase: RotatePhase): Promise<void> {
  const { run } = ctx;
  const store = rotateStore(run.workdir);
  switch (step.kind) {
    case 'new-ca':
      createNewCa(run.workdir, run.settings);
      ctx.log(`new CA in ${store.newCa}`);
      return;
    case 'trust-both':
      return writeCaFile(ctx, step.place, readFileSync(store.oldCa, 'utf8') + readFileSync(store.newCa, 'utf8'));
    case 'trust-new':
      return writeCaFile(ctx, step.place, readFileSync(store.newCa, 'utf8'));
    case 'issue-leaves':
      ctx.log(`issued ${issueRenewBatch(run, readNewCa(run.workdir)).length / 2} certificates from the new CA`);
      return;
    case 'deploy-leaves': {
      const node = run.nodes.find((n) => n.spec.name === step.node)!;
      if (await nodeHoldsNewLeaves(node, run.workdir)) return;
      await deployNewLeaves(node, run.workdir);
      ctx.log(`${step.node}: server and peer certificates of the new CA in place`);
      return;
    }
    case 'promote-leaves':
      ctx.log(`${promoteRenewBatch(run.workdir)} files moved into ${localPki(run.workdir).dir}`);
      return;
    case 'restart':
      await rollingRestart(ctx, { why: `CA rotation, ${PHASE_TITLE[phase]}` });
      if (phase === 'b') finishRenewBatch(run.workdir);
      recordRestart(run.workdir, phase);
      return;
    case 'finish': {
      const key = finishRotation(run.workdir);
      ctx.log(`CA rotation done: the old CA is gone from every bundle`);
      ctx.log(caKeyAdvice(key));
    }
  }
}

/** Said before phase b runs: a client that still trusts only the old CA (seen with Patroni) loses etcd at its restart. */
const CLIENTS_TRUST_BOTH = 'first: every client (Patroni) holds pki/ca.crt as it is now (the old and the new CA) as its CA file, else it refuses the new certificates';

export function nextStepHint(plan: RotatePlan): string {
  if (plan.phase === 'a') {
    return 'then copy pki/ca.crt (now the old and the new CA) over the CA file of every client (Patroni\'s cacert), and run `etcd-cockpit certs rotate-ca` again for phase b (the leaves): from phase b the members present certificates of the new CA, which a client trusting only the old CA refuses';
  }
  if (plan.phase === 'b') return 'then run `etcd-cockpit certs rotate-ca` again for phase c (the old CA out of the bundles); copy pki/clients/* to the clients (Patroni) before it';
  return 'that ends the rotation';
}

export async function buildRotateRequest(
  input: { cluster: string; members: MemberState[] },
  deps: ServiceDeps,
): Promise<OperationRequest & { lines: string[]; plan: RotatePlan }> {
  const observed = await observeRotation(deps.run);
  if (!observed.newCa && observed.batch !== 'none') {
    throw new ServiceOpRefused('certs rotate-ca: a certs renew is unfinished (its new certificates are staged): run certs renew first to finish it');
  }
  const plan = planRotation(observed);
  const verdict = guardRolling(input.members);
  if (plan.steps.some((s) => s.kind === 'restart') && !verdict.allowed) {
    throw new ServiceOpRefused(`refused: ${verdict.reason}: bring every member up before rotating the CA`);
  }
  const title = plan.phase === 'done' ? 'the rotation is done; only the cleanup is left' : PHASE_TITLE[plan.phase];
  const lines = [
    `${title}:`,
    ...(plan.phase === 'b' ? [CLIENTS_TRUST_BOTH] : []),
    ...plan.steps.flatMap((s, i) => describe(s, deps.run, input.members, deps).map((l, j) => (j === 0 ? `${i + 1}. ${l}` : `   ${l}`))),
    nextStepHint(plan),
  ];
  return {
    action: 'certs-rotate-ca',
    target: 'cluster',
    params: { phase: plan.phase },
    summary: [`Rotate the CA of ${input.cluster}, ${lines[0]}`, ...lines.slice(1)],
    lines,
    plan,
    // Planned again under the lock: what the nodes hold now decides.
    work: serviceWork(deps, async (ctx) => {
      const now = planRotation(await observeRotation(ctx.run));
      if (now.phase === 'done' || now.phase !== plan.phase) ctx.log(`the nodes now call for ${now.phase === 'done' ? 'the cleanup' : PHASE_TITLE[now.phase]}`);
      const phase = now.phase === 'done' ? 'c' : now.phase;
      for (const step of now.steps) await runStep(ctx, step, phase);
      ctx.log(nextStepHint(now));
      return now.phase;
    }),
  };
}
