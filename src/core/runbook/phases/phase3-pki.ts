/**
 * Phase 3 (runbook step 3): the CA, per-node server and peer certificates and
 * the client certificates the runbook forgot (operator, patroni, root),
 * generated here off the UI thread and kept in <workdir>/pki; then each
 * node's five files deployed with the runbook's modes and verified on the
 * node itself with openssl. The CA key never leaves this machine.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { generatePki } from '../../pki/generate.js';
import { writePki } from '../../pki/write.js';
import { inspectCert } from '../../pki/inspect.js';
import { CA_CN } from '../../pki/forge-certs.js';
import { execAction, fileAction, privateKeyPlaceholder, secretFileAction, type PlannedAction } from '../actions.js';
import { RunbookFailure } from '../failures.js';
import { GATEWAY_CLIENTS, clientCertNames, cnClientNames, inspectLocalPki, localPki, registerLocalKeys } from '../local-pki.js';
import { reissueGatewayClientCerts } from '../reissue-gateway-cert.js';
import { shq } from '../../shell-quote.js';
import type { NodeRuntime } from '../node-runtime.js';
import { NODE_PATHS, PKI_FILES, p, pkiPath, realPath, transportPath, type PkiFile } from '../paths.js';
import type { ClusterStep, NodeStep, RunContext } from '../types.js';
import { exec, standardAdvice } from './common.js';

export const PKI_FILE_MODES: Record<PkiFile, number> = {
  'ca.crt': 0o644,
  'server.crt': 0o644,
  'server.key': 0o600,
  'peer.crt': 0o644,
  'peer.key': 0o600,
};

/** Users etcd treats specially: a client certificate with such a CN acts as that user. */
const PRIVILEGED_CNS = new Set(['root']);

/** Where each node file comes from in the local PKI. */
export function localSourceOf(run: RunContext, nodeName: string, file: PkiFile): string {
  const pki = localPki(run.workdir);
  switch (file) {
    case 'ca.crt':
      return pki.caCert;
    case 'server.crt':
      return pki.server(nodeName).cert;
    case 'server.key':
      return pki.server(nodeName).key;
    case 'peer.crt':
      return pki.peer(nodeName).cert;
    case 'peer.key':
      return pki.peer(nodeName).key;
  }
}

function isKey(file: PkiFile): boolean {
  return file.endsWith('.key');
}

export function deployCheckCommand(node: NodeRuntime): string {
  return `cd ${p(node, NODE_PATHS.pkiDir)} && sha256sum ${PKI_FILES.join(' ')} && stat -c '%n %a %U:%G' ${PKI_FILES.join(' ')}`;
}

export function verifyCommand(node: NodeRuntime): string {
  return [
    `command -v openssl >/dev/null 2>&1 || { echo 'openssl: command not found' >&2; exit 127; }`,
    `cd ${p(node, NODE_PATHS.pkiDir)} || exit 1`,
    `echo '== verify'`,
    `openssl verify -CAfile ca.crt server.crt peer.crt 2>&1`,
    `echo '== san'`,
    `for r in server peer; do echo "$r: $(openssl x509 -in $r.crt -noout -text | grep -A1 'Subject Alternative Name' | tail -n 1)"; done`,
    `echo '== keys'`,
    `for r in server peer; do a=$(openssl x509 -noout -pubkey -in $r.crt | sha256sum); b=$(openssl pkey -pubout -in $r.key | sha256sum); if [ "$a" = "$b" ]; then echo "$r: key matches"; else echo "$r: KEY MISMATCH"; fi; done`,
    `echo '== ca'`,
    `sha256sum ca.crt`,
  ].join('\n');
}

/** Problems found in verifyCommand output ([] when all is well). */
export function verifyProblems(output: string, address: string, caSha256: string): string[] {
  const sections = new Map<string, string[]>();
  let current = '';
  for (const line of output.split('\n')) {
    const m = line.match(/^== (\w+)$/);
    if (m) sections.set((current = m[1]!), []);
    else if (current) sections.get(current)!.push(line.trim());
  }
  const problems: string[] = [];
  const verify = sections.get('verify') ?? [];
  for (const f of ['server.crt', 'peer.crt']) {
    if (!verify.includes(`${f}: OK`)) problems.push(`openssl verify -CAfile ca.crt ${f} did not say OK (${verify.filter(Boolean).join(' / ') || 'no output'})`);
  }
  for (const r of ['server', 'peer']) {
    const san = (sections.get('san') ?? []).find((l) => l.startsWith(`${r}:`)) ?? '';
    const ips = [...san.matchAll(/IP Address:([0-9a-fA-F.:]+)/g)].map((m) => m[1]);
    if (!ips.includes(address)) problems.push(`${r}.crt SAN lacks IP ${address} (${san.slice(r.length + 1).trim() || 'no SAN'})`);
    if (!(sections.get('keys') ?? []).includes(`${r}: key matches`)) problems.push(`${r}.key does not match ${r}.crt`);
  }
  const ca = (sections.get('ca') ?? [])[0]?.split(/\s+/)[0];
  if (ca !== caSha256) problems.push('ca.crt differs from the CA in the local PKI');
  return problems;
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const generate: ClusterStep = {
  id: 'pki.generate',
  title: 'Generate CA, node and client certificates (on this machine)',
  phase: 3,
  scope: 'cluster',
  advice: standardAdvice,
  async check({ run }) {
    const result = inspectLocalPki(run);
    if (result.complete) return { done: true, detail: `PKI in ${localPki(run.workdir).dir}` };
    return { done: false, reason: [...result.problems, ...result.missing.map((m) => `missing ${m}`)].slice(0, 3).join('; ') };
  },
  async plan({ run }) {
    const { settings, inventory } = run;
    const dir = localPki(run.workdir).dir;
    const org = settings.tlsOrg ? `, O=${settings.tlsOrg}` : '';
    return [
      { kind: 'local', description: `generate a CA: RSA ${settings.caBits}, CN=${CA_CN}${org}, 3650 days, SHA-256 (in a worker thread)` },
      ...inventory.nodes.map((n): PlannedAction => ({
        kind: 'local',
        description: `issue server and peer certificates for ${n.name}: RSA 2048, SAN IP:${n.address}, IP:127.0.0.1, DNS:${n.name}${settings.domain ? `, DNS:${n.name}.${settings.domain}` : ''}`,
      })),
      {
        kind: 'local',
        description:
          `issue client certificates: ${cnClientNames(settings).map((cn) => `CN=${cn}`).join(', ')}, and ${GATEWAY_CLIENTS.join(', ')} without a CN ` +
          "(etcd's JSON gateway, which Patroni uses, refuses certificates with a CN; it logs in with its password)",
      },
      { kind: 'local', description: `write them to ${dir} (keys 0600, certificates 0644, folders 0700)` },
    ];
  },
  async apply(ctx) {
    const { run } = ctx;
    const pki = localPki(run.workdir);
    if (existsSync(pki.caCert)) {
      const result = inspectLocalPki(run);
      const others = result.problems.length - result.gatewayCn.length;
      if (result.gatewayCn.length > 0 && others === 0 && result.missing.length === 0) {
        reissueGatewayClientCerts(pki, result.gatewayCn);
        registerLocalKeys(run);
        return `${result.gatewayCn.join(', ')} client certificate issued again without a CN (the CA and node certificates are unchanged)`;
      }
      const why = [...result.problems, ...result.missing.map((m) => `missing ${m}`)].join('; ');
      throw new RunbookFailure('config', `the PKI in ${pki.dir} does not fit this inventory (${why}); move that folder away to generate a new CA`);
    }
    const { settings, inventory } = run;
    if (PRIVILEGED_CNS.has(settings.operatorCn)) {
      ctx.warn(`the operator certificate has CN=${settings.operatorCn}: under client-cert auth it acts as the etcd ${settings.operatorCn} user without a password`);
    }
    const generated = await generatePki({
      ...(settings.tlsOrg ? { org: settings.tlsOrg } : {}),
      nodes: inventory.nodes.map((n) => ({ name: n.name, ip: n.address, ...(settings.domain ? { domain: settings.domain } : {}) })),
      clients: cnClientNames(settings),
      gatewayClients: GATEWAY_CLIENTS,
      caBits: settings.caBits,
    });
    writePki(pki.dir, generated);
    registerLocalKeys(run);
    ctx.warn(caKeyAdvice(pki.caKey));
    return `CA and ${inventory.nodes.length * 2 + clientCertNames(settings).length} certificates in ${pki.dir}`;
  },
};

const deploy: NodeStep = {
  id: 'pki.deploy',
  idempotent: true,
  title: 'Deploy ca.crt, server and peer certificates and keys',
  phase: 3,
  scope: 'node',
  advice: standardAdvice,
  async check({ node, run }) {
    const r = await exec(node, deployCheckCommand(node), { privileged: true });
    if (r.code !== 0) return { done: false, reason: 'files missing on the node' };
    const lines = r.stdout.trim().split('\n');
    const wrong: string[] = [];
    PKI_FILES.forEach((file, i) => {
      const hash = lines[i]?.split(/\s+/)[0];
      const [, mode, owner] = (lines[PKI_FILES.length + i] ?? '').split(' ');
      const source = localSourceOf(run, node.spec.name, file);
      if (!existsSync(source) || hash !== sha256(readFileSync(source))) wrong.push(`${file} differs`);
      else if (mode !== PKI_FILE_MODES[file].toString(8)) wrong.push(`${file} has mode ${mode}`);
      else if (node.owner && owner !== node.owner) wrong.push(`${file} is owned by ${owner}`);
    });
    return wrong.length === 0 ? { done: true, detail: 'all 5 files in place' } : { done: false, reason: wrong.join(', ') };
  },
  async plan({ node, run }) {
    return PKI_FILES.map((file) => {
      const path = realPath(node, pkiPath(file));
      const mode = PKI_FILE_MODES[file];
      const source = localSourceOf(run, node.spec.name, file);
      const exists = existsSync(source);
      if (isKey(file)) return secretFileAction(path, mode, privateKeyPlaceholder(exists ? statSync(source).size : undefined, mode), node.owner);
      const content = exists ? readFileSync(source, 'utf8') : `<certificate ${file === 'ca.crt' ? `CN=${CA_CN}` : `CN=${node.spec.name}, SAN IP:${node.spec.address}`}, generated in phase 3>`;
      return fileAction(path, mode, content, node.owner);
    });
  },
  async apply({ node, run }) {
    for (const file of PKI_FILES) {
      const source = localSourceOf(run, node.spec.name, file);
      if (!existsSync(source)) throw new RunbookFailure('config', `${source} is missing: run pki.generate first`);
      await node.transport.writeFile(transportPath(node, pkiPath(file)), readFileSync(source), {
        mode: PKI_FILE_MODES[file],
        ...(node.owner ? { owner: node.owner } : {}),
        sudo: node.sudo,
      });
    }
    const cert = inspectCert(readFileSync(localSourceOf(run, node.spec.name, 'server.crt'), 'utf8'));
    return `CN=${cert.subjectCN}, SAN ${[...cert.sans.ips, ...cert.sans.dns].join(', ')}`;
  },
};

async function verifyOnNode(node: NodeRuntime, run: RunContext): Promise<string[]> {
  const r = await exec(node, verifyCommand(node), { privileged: true });
  if (r.code === 127) throw new RunbookFailure('missing-tool', `${node.spec.name}: openssl is not installed (needed to verify the certificates on the node)`, [node.spec.name]);
  const ca = readFileSync(localPki(run.workdir).caCert);
  return verifyProblems(r.stdout, node.spec.address, sha256(ca));
}

const verify: NodeStep = {
  id: 'pki.verify',
  idempotent: true,
  title: 'Verify chain, SAN and key match on the node (openssl)',
  phase: 3,
  scope: 'node',
  advice: standardAdvice,
  async check({ node, run }) {
    if (!existsSync(localPki(run.workdir).caCert)) return { done: false, reason: 'no local PKI yet' };
    const problems = await verifyOnNode(node, run);
    return problems.length === 0 ? { done: true, detail: `chain OK, SAN has ${node.spec.address}, keys match` } : { done: false, reason: problems.join('; ') };
  },
  async plan({ node }) {
    return [execAction(verifyCommand(node), node.sudo)];
  },
  async apply({ node, run }) {
    const problems = await verifyOnNode(node, run);
    if (problems.length > 0) throw new RunbookFailure('tls', `${node.spec.name}: ${problems.join('; ')}`, [node.spec.name]);
    return `chain OK, SAN has ${node.spec.address}, keys match`;
  },
};

export const PKI_STEPS = [generate, deploy, verify];

/** Real commands: openssl asks for the passphrase on the terminal (never argv), shred removes the local copy. */
export function caKeyAdvice(caKey: string): string {
  const q = shq(caKey);
  return (
    `the CA private key is in ${caKey}: move it offline encrypted, then remove it here: ` +
    `openssl pkcs8 -topk8 -v2 aes-256-cbc -in ${q} -out /OFFLINE/etcd-ca.key.enc && openssl pkey -in /OFFLINE/etcd-ca.key.enc -noout && shred -u ${q}`
  );
}
