/**
 * Reads what `certs status` checks from one node over its transport (SSH or
 * local root), read-only: ca.crt, server.crt and peer.crt as text, and for
 * server.key and peer.key only their mode and public key hash (key-check.ts).
 */
import type { ObservedCert, ObservedPlace } from '../../core/certs/observed-certs.js';
import type { NodeRuntime } from '../../core/runbook/node-runtime.js';
import { p, pkiPath, realPath, transportPath, type PkiFile } from '../../core/runbook/paths.js';
import { checkKeys } from './key-check.js';

const LEAVES = [
  { kind: 'server', cert: 'server.crt', key: 'server.key' },
  { kind: 'peer', cert: 'peer.crt', key: 'peer.key' },
] as const;

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

async function readText(node: NodeRuntime, file: PkiFile): Promise<{ pem?: string; error?: string }> {
  try {
    return { pem: (await node.transport.readFile(transportPath(node, pkiPath(file)), { sudo: node.sudo })).toString('utf8') };
  } catch (err) {
    return { error: firstLine(err) };
  }
}

export async function readNodeCerts(node: NodeRuntime): Promise<ObservedPlace> {
  const shown = (file: PkiFile) => realPath(node, pkiPath(file));
  const place = { name: node.spec.name, address: node.spec.address, dnsName: node.spec.dnsName };
  try {
    const keys = await checkKeys(
      node.transport,
      LEAVES.map((l) => ({ file: shown(l.key), word: p(node, pkiPath(l.key)) })),
      node.sudo,
    );
    const ca: ObservedCert = { kind: 'ca', file: shown('ca.crt'), ...(await readText(node, 'ca.crt')) };
    const leaves: ObservedCert[] = [];
    for (const [i, l] of LEAVES.entries()) {
      leaves.push({ kind: l.kind, file: shown(l.cert), ...(await readText(node, l.cert)), key: keys[i]! });
    }
    return { ...place, ca, leaves };
  } catch (err) {
    return { ...place, error: firstLine(err), leaves: [] };
  }
}
