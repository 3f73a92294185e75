/**
 * Puts a node's new server and peer certificates and keys in place: each file
 * is uploaded beside its target as `<name>.new` (keys created 0600), then one
 * command renames key and certificate back to back, so etcd, which reads them
 * on each new handshake, finds an old or a new pair, never a half-written file.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { NodeRuntime } from '../../runbook/node-runtime.js';
import { NODE_PATHS, p, pkiPath, transportPath, type PkiFile } from '../../runbook/paths.js';
import { PKI_FILE_MODES } from '../../runbook/phases/phase3-pki.js';
import { mustExec } from '../../runbook/phases/common.js';
import { newLeafPath } from './renew-batch.js';

const LEAF_FILES = ['server.key', 'server.crt', 'peer.key', 'peer.crt'] as const satisfies readonly PkiFile[];

/** True when the node's server.crt and peer.crt are the new ones (keys go in first, so they are new too). */
export async function nodeHoldsNewLeaves(node: NodeRuntime, workdir: string): Promise<boolean> {
  for (const file of ['server.crt', 'peer.crt'] as const) {
    const wanted = readFileSync(newLeafPath(workdir, posix.join(node.spec.name, file)), 'utf8');
    const onNode = await node.transport.readFile(transportPath(node, pkiPath(file)), { sudo: node.sudo }).then(
      (b) => b.toString('utf8'),
      () => '',
    );
    if (onNode !== wanted) return false;
  }
  return true;
}

export async function deployNewLeaves(node: NodeRuntime, workdir: string): Promise<void> {
  for (const file of LEAF_FILES) {
    const content = readFileSync(newLeafPath(workdir, posix.join(node.spec.name, file)));
    await node.transport.writeFile(`${transportPath(node, pkiPath(file))}.new`, content, {
      mode: PKI_FILE_MODES[file],
      ...(node.owner ? { owner: node.owner } : {}),
      sudo: node.sudo,
    });
  }
  const dir = p(node, NODE_PATHS.pkiDir);
  const swap = LEAF_FILES.map((f) => `mv -f ${dir}/${f}.new ${dir}/${f}`).join(' && ');
  await mustExec(node, swap, 'moving the new certificates into place', { privileged: true });
  if (!(await nodeHoldsNewLeaves(node, workdir))) throw new Error(`${node.spec.name}: the new certificates are not in place after the move`);
}
