/**
 * A login user for one test run: unique name, the given shell, an empty home
 * in a temp dir, optionally passwordless sudo (an /etc/sudoers.d file). Tests
 * never log in as the machine's own users, whose shell start-up files we do
 * not control. Everything is registered with the watchdog before it exists.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Watchdog } from './watchdog.js';

export interface ThrowawayUserOptions {
  /** Login shell; sshd runs every command through it. Default /bin/sh. */
  shell?: string;
  /** Files to put in the home (name -> content), e.g. a slow .bashrc. */
  homeFiles?: Record<string, string>;
  /** Passwordless sudo for this user. */
  sudo?: boolean;
  /** Public key lines for ~/.ssh/authorized_keys. */
  authorizedKeys: string;
}

export interface ThrowawayUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

const SUDOERS_DIR = '/etc/sudoers.d';

export function createThrowawayUser(dog: Watchdog, options: ThrowawayUserOptions): ThrowawayUser {
  if (process.getuid?.() !== 0) {
    throw new Error('the SSH tests must run as root: they create a throwaway login user (useradd) for the test sshd');
  }
  if (options.sudo && !existsSync('/usr/bin/sudo')) {
    throw new Error('sudo is not installed (apt-get install -y sudo): the runbook-over-SSH tests give their test user passwordless sudo');
  }
  // Unique per run, so parallel runs do not collide; at most 32 characters.
  const name = `ckpt-${process.pid.toString(36)}-${randomBytes(3).toString('hex')}`;
  const home = mkdtempSync(join(tmpdir(), `cockpit-home-${name}-`));
  dog.register('dir', home);
  dog.register('user', name);
  retryWhileLocked(() =>
    execFileSync('useradd', ['-M', '-d', home, '-s', options.shell ?? '/bin/sh', '-p', '*', '-U', '-c', 'etcd-cockpit test', name], {
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());

  const files = { '.ssh/authorized_keys': options.authorizedKeys, ...options.homeFiles };
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(home, file), content, { mode: 0o600 });
  for (const path of [home, join(home, '.ssh'), ...Object.keys(files).map((f) => join(home, f))]) chownSync(path, uid, gid);
  chmodSync(home, 0o700);

  if (options.sudo) {
    const file = join(SUDOERS_DIR, name);
    dog.register('file', file);
    // sudo skips names with a dot, so the temp file is never read half-written.
    const tmp = join(SUDOERS_DIR, `.${name}.tmp`);
    dog.register('file', tmp);
    writeFileSync(tmp, `${name} ALL=(ALL:ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
    execFileSync('visudo', ['-cqf', tmp], { stdio: 'pipe' });
    renameSync(tmp, file);
  }
  return { name, uid, gid, home };
}

/** useradd fails while another run holds the /etc/passwd lock: try again for a few seconds. */
function retryWhileLocked(fn: () => void): void {
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (err) {
      const said = String((err as { stderr?: Buffer }).stderr ?? '');
      if (attempt >= 30 || !/lock/i.test(said)) throw new Error(`useradd failed: ${said.trim() || (err as Error).message}`, { cause: err });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}
