/**
 * The new leaves of one `certs renew`, staged on this machine next to the
 * runbook's PKI (<workdir>/pki-renew, the same layout as <workdir>/pki) until
 * every node holds them, then moved into the PKI. The folder appears whole
 * (written under a temporary name, then renamed) and what is left of it tells
 * a rerun where the last run stopped (renew-plan.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RenewBatchState } from '../../certs/renew-plan.js';
import { issueClientCert, issueGatewayClientCert, issueNodeCerts, type CertAndKey } from '../../pki/generate.js';
import { GATEWAY_CLIENTS, clientCertNames, localPki } from '../../runbook/local-pki.js';
import type { RunContext } from '../../runbook/types.js';
import { writeNewFile } from '../../files/replace-file.js';

const MARKER = 'batch.json';

export function renewBatchDir(workdir: string): string {
  return join(workdir, 'pki-renew');
}

function leafFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((rel) => rel.endsWith('.crt') || rel.endsWith('.key'));
}

export function renewBatchState(workdir: string): RenewBatchState {
  const dir = renewBatchDir(workdir);
  if (!existsSync(join(dir, MARKER))) return 'none';
  return leafFiles(dir).length > 0 ? 'staged' : 'promoted';
}

/** Where a node's new certificate or key is now: still staged, or already in the PKI. */
export function newLeafPath(workdir: string, rel: string): string {
  const staged = join(renewBatchDir(workdir), rel);
  return existsSync(staged) ? staged : join(localPki(workdir).dir, rel);
}


/** Refused before anything is written when the CA key is not on this machine (exported offline). */
export function caKeyMissing(workdir: string): string | undefined {
  const pki = localPki(workdir);
  if (!existsSync(pki.caCert)) return `there is no runbook PKI in ${pki.dir} (certs renew reissues what the runbook issued)`;
  if (!existsSync(pki.caKey)) {
    return `the CA key ${pki.caKey} is not here (exported offline?): put it back for this run (openssl pkey -in /OFFLINE/etcd-ca.key.enc -out ${pki.caKey}, mode 0600), and shred it again afterwards`;
  }
  return undefined;
}

/** Issues every node's server and peer certificate and the runbook's client certificates again, from the PKI's CA unless given another (a rotation). Returns the relative paths. */
export function issueRenewBatch(run: Pick<RunContext, 'workdir' | 'settings' | 'inventory'>, issuer?: CertAndKey): string[] {
  const missing = issuer ? undefined : caKeyMissing(run.workdir);
  if (missing) throw new Error(missing);
  const pki = localPki(run.workdir);
  const ca: CertAndKey = issuer ?? { certPem: readFileSync(pki.caCert, 'utf8'), keyPem: readFileSync(pki.caKey, 'utf8') };
  const files: Array<[string, CertAndKey]> = [];
  for (const node of run.inventory.nodes) {
    const issued = issueNodeCerts(ca, { name: node.name, ip: node.address, ...(run.settings.domain ? { domain: run.settings.domain } : {}) });
    files.push([join(node.name, 'server'), issued.server], [join(node.name, 'peer'), issued.peer]);
  }
  for (const name of clientCertNames(run.settings)) {
    // Patroni's certificate keeps its shape: no CN, or etcd's JSON gateway refuses it.
    const issued = GATEWAY_CLIENTS.includes(name) ? issueGatewayClientCert(ca, name) : issueClientCert(ca, name);
    files.push([join('clients', name), issued]);
  }
  const target = renewBatchDir(run.workdir);
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(tmp, { mode: 0o700 });
  try {
    for (const [base, pair] of files) {
      writeNewFile(join(tmp, `${base}.key`), pair.keyPem, 0o600);
      writeNewFile(join(tmp, `${base}.crt`), pair.certPem, 0o644);
    }
    writeNewFile(join(tmp, MARKER), JSON.stringify({ issuedAt: new Date().toISOString() }) + '\n', 0o600);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return files.flatMap(([base]) => [`${base}.key`, `${base}.crt`]);
}

/** Moves every staged file over its counterpart in the PKI (rename: each file is old or new, never half). */
export function promoteRenewBatch(workdir: string): number {
  const dir = renewBatchDir(workdir);
  const pkiDir = localPki(workdir).dir;
  const files = leafFiles(dir);
  for (const rel of files) {
    mkdirSync(dirname(join(pkiDir, rel)), { recursive: true, mode: 0o700 });
    renameSync(join(dir, rel), join(pkiDir, rel));
  }
  return files.length;
}

export function finishRenewBatch(workdir: string): void {
  rmSync(renewBatchDir(workdir), { recursive: true, force: true });
}
