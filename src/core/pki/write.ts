/**
 * Writes a GeneratedPki to disk:
 *   ca.crt ca.key <node>/{server,peer}.{crt,key} clients/<cn>.{crt,key}
 * Keys are created 0600 (never chmod-ed afterwards), certs 0644, directories 0700.
 * Refuses to overwrite any existing file, above all an existing CA.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GeneratedPki } from './forge-certs.js';

interface PlannedFile {
  rel: string;
  content: string;
  mode: number;
}

// Node names and client CNs become path segments.
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._@-]*$/;

function exists(p: string): boolean {
  try {
    fs.lstatSync(p); // lstat: a dangling symlink still counts
    return true;
  } catch {
    return false;
  }
}

function checkName(kind: string, name: string): void {
  if (!SAFE_NAME.test(name)) throw new Error(`${kind} "${name}" cannot be used as a file name`);
}

function plan(pki: GeneratedPki): PlannedFile[] {
  const files: PlannedFile[] = [
    { rel: 'ca.crt', content: pki.ca.certPem, mode: 0o644 },
    { rel: 'ca.key', content: pki.ca.keyPem, mode: 0o600 },
  ];
  for (const [name, node] of Object.entries(pki.nodes)) {
    checkName('node name', name);
    if (name === 'clients') throw new Error('node name "clients" clashes with the clients/ directory');
    for (const kind of ['server', 'peer'] as const) {
      files.push({ rel: path.join(name, `${kind}.crt`), content: node[kind].certPem, mode: 0o644 });
      files.push({ rel: path.join(name, `${kind}.key`), content: node[kind].keyPem, mode: 0o600 });
    }
  }
  for (const [cn, client] of Object.entries(pki.clients)) {
    checkName('client CN', cn);
    files.push({ rel: path.join('clients', `${cn}.crt`), content: client.certPem, mode: 0o644 });
    files.push({ rel: path.join('clients', `${cn}.key`), content: client.keyPem, mode: 0o600 });
  }
  return files;
}

/**
 * Writes to a temp name opened O_EXCL with the final mode, then hard-links it
 * into place: unlike rename, link() fails with EEXIST instead of replacing a
 * file that appeared in the meantime.
 */
function writeNew(target: string, content: string, mode: number): void {
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fd = fs.openSync(tmp, 'wx', mode);
    try {
      fs.fchmodSync(fd, mode); // only matters for certs under a strict umask; keys start at 0600
      fs.writeFileSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.linkSync(tmp, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST' && exists(target)) {
      throw new Error(`refusing to overwrite existing ${target}`, { cause: err });
    }
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Returns the written paths (dir joined with the layout above). On failure, removes what it wrote. */
export function writePki(dir: string, pki: GeneratedPki): string[] {
  const files = plan(pki);
  for (const f of files) {
    const target = path.join(dir, f.rel);
    if (exists(target)) throw new Error(`refusing to overwrite existing ${target}`);
  }
  const written: string[] = [];
  try {
    for (const f of files) {
      const target = path.join(dir, f.rel);
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
      writeNew(target, f.content, f.mode);
      written.push(target);
    }
  } catch (err) {
    for (const p of written) fs.rmSync(p, { force: true });
    throw err;
  }
  return written;
}
