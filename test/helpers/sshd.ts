/**
 * Starts a throwaway OpenSSH sshd on 127.0.0.1 for tests: own temp dir, host
 * key, config and client key pair, and its own throwaway login user (see
 * throwaway-user.ts), the only user allowed in. Before returning it times one
 * remote `true` and fails at once when the user's login shell is slow.
 * stop() (or the watchdog, if this process dies) kills exactly the processes
 * we spawned and the user's, by pid, and removes the user and every file.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLoginSpeed } from './login-check.js';
import { createThrowawayUser, type ThrowawayUserOptions } from './throwaway-user.js';
import { startWatchdog } from './watchdog.js';

const SSHD = '/usr/sbin/sshd';

export interface TestSshdOptions extends Omit<ThrowawayUserOptions, 'authorizedKeys'> {
  /** Fail when one remote `true` takes longer than this. Default 5000 ms. */
  loginLimitMs?: number;
}

export interface TestSshd {
  host: string;
  port: number;
  /** The throwaway user (not one of this machine's users). */
  user: string;
  uid: number;
  gid: number;
  /** The user's home, an empty temp dir the user owns. */
  home: string;
  /** Private key whose public half is in the user's authorized_keys. */
  identityFile: string;
  /** `SHA256:...` of the host key, from `ssh-keygen -lf`. */
  hostKeyFingerprint: string;
  /** The host key's .pub line: `ssh-ed25519 AAAA... comment`. */
  hostPublicKeyLine: string;
  /** A known_hosts file that already trusts this server (`[127.0.0.1]:port ...`). */
  knownHostsPath: string;
  /** The temp dir the server's files live in (root only; removed by stop()). */
  dir: string;
  /** Milliseconds one `ssh ... true` took at start. */
  loginMs: number;
  /** A new empty temp dir under the user's home, owned by the user. */
  userDir(prefix?: string): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function keygen(file: string, comment: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { stdio: 'pipe' });
}

/** The second field of `ssh-keygen -lf <file>`. */
export function keygenFingerprint(pubFile: string): string {
  const out = execFileSync('ssh-keygen', ['-lf', pubFile], { encoding: 'utf8' });
  const fp = out.trim().split(/\s+/)[1];
  if (!fp) throw new Error(`unexpected ssh-keygen -lf output: ${out}`);
  return fp;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

function sshdConfig(o: { port: number; hostKey: string; pidFile: string; user: string }): string {
  return [
    `Port ${o.port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${o.hostKey}`,
    `PidFile ${o.pidFile}`,
    `AllowUsers ${o.user}`,
    'AuthorizedKeysFile .ssh/authorized_keys',
    'StrictModes no',
    'UsePAM no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin no',
    'AllowTcpForwarding no',
    'X11Forwarding no',
    'PrintMotd no',
    '',
  ].join('\n');
}

export async function startSshd(options: TestSshdOptions = {}): Promise<TestSshd> {
  if (!existsSync(SSHD)) {
    throw new Error('OpenSSH server not found: run `apt-get install -y openssh-server` (or bash .ci/run, which installs it)');
  }
  const dog = startWatchdog();
  try {
    // sshd refuses to start as root without its privilege-separation dir (normally made by the init script).
    if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
    const dir = mkdtempSync(join(tmpdir(), 'cockpit-sshd-'));
    dog.register('dir', dir);
    const hostKey = join(dir, 'host_ed25519');
    const identityFile = join(dir, 'client_ed25519');
    keygen(hostKey, 'test-host');
    keygen(identityFile, 'test-client');
    const user = createThrowawayUser(dog, { ...options, authorizedKeys: readFileSync(`${identityFile}.pub`, 'utf8') });
    const hostPublicKeyLine = readFileSync(`${hostKey}.pub`, 'utf8').trim();
    const hostKeyFingerprint = keygenFingerprint(`${hostKey}.pub`);

    const port = await freePort();
    const [keyType, keyB64] = hostPublicKeyLine.split(/\s+/);
    const knownHostsPath = join(dir, 'known_hosts');
    writeFileSync(knownHostsPath, `[127.0.0.1]:${port} ${keyType} ${keyB64}\n`, { mode: 0o600 });
    const config = join(dir, 'sshd_config');
    writeFileSync(config, sshdConfig({ port, hostKey, pidFile: join(dir, 'sshd.pid'), user: user.name }));

    const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (child.pid !== undefined) dog.register('pid', child.pid);
    let log = '';
    child.stderr.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    let exited = false;
    child.once('exit', () => (exited = true));
    child.once('error', (err) => (log += `\n${err.message}`));

    const deadline = Date.now() + 10_000;
    while (!(await canConnect(port))) {
      if (exited || Date.now() > deadline) throw new Error(`sshd did not start on 127.0.0.1:${port}${exited ? ' (it exited)' : ''}:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const loginMs = await checkLoginSpeed(
      { host: '127.0.0.1', port, user: user.name, identityFile, knownHostsPath },
      options.loginLimitMs ?? 5000,
    );

    let dirs = 0;
    return {
      host: '127.0.0.1',
      port,
      user: user.name,
      uid: user.uid,
      gid: user.gid,
      home: user.home,
      identityFile,
      hostKeyFingerprint,
      hostPublicKeyLine,
      knownHostsPath,
      dir,
      loginMs,
      userDir(prefix = 'work') {
        const path = mkdtempSync(join(user.home, `${prefix}-${++dirs}-`));
        chownSync(path, user.uid, user.gid);
        return path;
      },
      stop: () => dog.finish(),
    };
  } catch (err) {
    await dog.finish().catch(() => undefined);
    throw err;
  }
}
