/**
 * The new CA of a rotation, on this machine until the rotation ends
 * (<workdir>/pki-rotate: ca.crt, ca.key 0600, the old CA's certificate, and
 * which phases' rolling restarts were done). Created whole (temporary name,
 * then rename); at the end the new key replaces the old one in the PKI.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import type { RotatePhase } from '../../certs/rotate-plan.js';
import { createCa, type CertAndKey } from '../../pki/generate.js';
import { localPki } from '../../runbook/local-pki.js';
import type { RunbookSettings } from '../../runbook/settings.js';
import { replaceLocalFile } from '../../files/replace-file.js';
import { writeNewFile } from '../../files/replace-file.js';

export interface RotateStore {
  dir: string;
  newCa: string;
  newKey: string;
  oldCa: string;
  state: string;
}

export function rotateStore(workdir: string): RotateStore {
  const dir = join(workdir, 'pki-rotate');
  return { dir, newCa: join(dir, 'ca.crt'), newKey: join(dir, 'ca.key'), oldCa: join(dir, 'old-ca.crt'), state: join(dir, 'state.json') };
}

export function hasNewCa(workdir: string): boolean {
  const store = rotateStore(workdir);
  return existsSync(store.newCa) && existsSync(store.newKey) && existsSync(store.oldCa);
}

export function readNewCa(workdir: string): CertAndKey {
  const store = rotateStore(workdir);
  return { certPem: readFileSync(store.newCa, 'utf8'), keyPem: readFileSync(store.newKey, 'utf8') };
}

export function restartsDone(workdir: string): RotatePhase[] {
  try {
    return (JSON.parse(readFileSync(rotateStore(workdir).state, 'utf8')) as { restarted?: RotatePhase[] }).restarted ?? [];
  } catch {
    return [];
  }
}

export function recordRestart(workdir: string, phase: RotatePhase): void {
  const restarted = [...new Set([...restartsDone(workdir), phase])];
  replaceLocalFile(rotateStore(workdir).state, JSON.stringify({ restarted }) + '\n', 0o600);
}


/** A new CA (its own CN, dated) beside the PKI, with the current CA kept as the old one. */
export function createNewCa(workdir: string, settings: RunbookSettings, now: Date = new Date()): string {
  const store = rotateStore(workdir);
  const pki = localPki(workdir);
  const old = readFileSync(pki.caCert, 'utf8');
  const ca = createCa({ ...(settings.tlsOrg ? { org: settings.tlsOrg } : {}), bits: settings.caBits, cn: `etcd-ca-${now.toISOString().slice(0, 10)}`, now });
  const tmp = `${store.dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(tmp, { mode: 0o700 });
  try {
    writeNewFile(join(tmp, 'ca.key'), ca.keyPem, 0o600);
    writeNewFile(join(tmp, 'ca.crt'), ca.certPem, 0o644);
    writeNewFile(join(tmp, 'old-ca.crt'), old, 0o644);
    renameSync(tmp, store.dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return ca.certPem;
}

/** The new CA key takes the old one's place in the PKI (the old key's bytes overwritten first), and the store goes. */
export function finishRotation(workdir: string): string {
  const store = rotateStore(workdir);
  const pki = localPki(workdir);
  if (existsSync(store.newKey)) {
    if (existsSync(pki.caKey)) {
      const size = statSync(pki.caKey).size;
      const fd = openSync(pki.caKey, 'r+');
      try {
        writeSync(fd, randomBytes(size), 0, size, 0);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    renameSync(store.newKey, pki.caKey);
  }
  rmSync(store.dir, { recursive: true, force: true });
  return pki.caKey;
}
