// The lab's Debian root filesystems, cached under ~/.cache/etcd-cockpit-lab/
// in a folder named after a hash of what goes in (suite, packages, build
// script), so a changed package list builds a new one. build-rootfs.sh builds
// into a temp dir and renames; flock serialises builds between processes.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SUITE = 'bookworm';
export const OPERATOR = 'ops';
export const BASE_PACKAGES = ['systemd', 'systemd-sysv', 'openssh-server', 'sudo', 'dbus', 'iproute2', 'ca-certificates', 'openssl', 'procps'];
export const PATRONI_PACKAGES = ['patroni', 'postgresql-15', 'python3-idna'];

const SCRIPT = fileURLToPath(new URL('./build-rootfs.sh', import.meta.url));

export function cacheDir() {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'etcd-cockpit-lab');
}

/** The Debian mirror this machine's apt already uses (deb822 .sources first, then sources.list). */
export function systemMirror() {
  const uris = [];
  const dir = '/etc/apt/sources.list.d';
  for (const f of existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.sources')).sort() : []) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/^URIs:\s*(.+)$/gm)) uris.push(...m[1].trim().split(/\s+/));
  }
  if (existsSync('/etc/apt/sources.list')) {
    for (const m of readFileSync('/etc/apt/sources.list', 'utf8').matchAll(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/gm)) uris.push(m[1]);
  }
  const mirror = uris.find((u) => /^https?:\/\//.test(u) && !/security/.test(u));
  if (!mirror) throw new Error('no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list');
  return mirror;
}

function keyOf(parts) {
  const script = readFileSync(SCRIPT, 'utf8');
  return createHash('sha256').update(JSON.stringify({ ...parts, script })).digest('hex').slice(0, 12);
}

export function rootfsPaths() {
  const base = join(cacheDir(), `bookworm-base-${keyOf({ suite: SUITE, packages: BASE_PACKAGES, user: OPERATOR })}`);
  const patroni = join(cacheDir(), `bookworm-patroni-${keyOf({ base, packages: PATRONI_PACKAGES })}`);
  return { base, patroni };
}

/**
 * Returns the root filesystem of a variant ('base' or 'patroni'), building
 * what is missing. `track` gets each build child so a signal handler can stop it.
 */
export async function ensureRootfs(variant, { log = () => {}, track = () => {} } = {}) {
  const paths = rootfsPaths();
  if (variant === 'patroni') await ensureRootfs('base', { log, track });
  const target = paths[variant];
  if (existsSync(target)) return target;
  mkdirSync(cacheDir(), { recursive: true });
  const args =
    variant === 'base'
      ? ['base', target, systemMirror(), SUITE, OPERATOR, ...BASE_PACKAGES]
      : ['patroni', target, paths.base, ...PATRONI_PACKAGES];
  log(`building the ${variant} root filesystem into ${target} (minutes, once)`);
  const started = Date.now();
  await new Promise((resolve, reject) => {
    const child = spawn('flock', ['-x', join(cacheDir(), '.build.lock'), 'bash', SCRIPT, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    track(child);
    let err = '';
    child.stdout.on('data', () => {});
    child.stderr.on('data', (d) => (err = (err + d).slice(-3000)));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      track(undefined);
      if (code === 0 && existsSync(target)) resolve();
      else reject(new Error(`building the ${variant} root filesystem failed (${signal ?? `exit ${code}`}): ${err.trim().split('\n').slice(-3).join(' / ')}`));
    });
  });
  log(`${variant} root filesystem built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return target;
}
