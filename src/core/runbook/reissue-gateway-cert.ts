/**
 * A PKI made before the runbook knew about etcd's JSON gateway has a Patroni
 * certificate with a CN, which the gateway refuses. With the CA key still in
 * the workdir, that one certificate is issued again without a CN; the CA and
 * every node certificate stay as they are.
 */
import { existsSync, readFileSync } from 'node:fs';
import { issueGatewayClientCert } from '../pki/generate.js';
import { RunbookFailure } from './failures.js';
import type { LocalPki } from './local-pki.js';
import { replaceLocalFile } from '../files/replace-file.js';


export function reissueGatewayClientCerts(pki: LocalPki, names: string[]): void {
  if (names.length === 0) return;
  if (!existsSync(pki.caKey)) {
    throw new RunbookFailure(
      'config',
      `${names.map((n) => pki.client(n).cert).join(', ')} must be issued again without a CN (etcd's JSON gateway, which Patroni uses, refuses a CN), but the CA key ${pki.caKey} is not here: put it back for this run`,
    );
  }
  const ca = { certPem: readFileSync(pki.caCert, 'utf8'), keyPem: readFileSync(pki.caKey, 'utf8') };
  for (const name of names) {
    const issued = issueGatewayClientCert(ca, name);
    replaceLocalFile(pki.client(name).key, issued.keyPem, 0o600);
    replaceLocalFile(pki.client(name).cert, issued.certPem, 0o644);
  }
}
