/**
 * Starts a throwaway OpenSSH sshd on 127.0.0.1 for tests: own temp dir, host
 * key, config and client key pair. Only this process's user can log in (key
 * auth). stop() kills exactly the sshd we spawned.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const SSHD = '/usr/sbin/sshd';

export interface TestSshd {
  host: string;
  port: number;
  user: string;
  /** Private key whose public half is in the server's authorized_keys. */
  identityFile: string;
  /** `SHA256:...` of the host key, from `ssh-keygen -lf`. */
  hostKeyFingerprint: string;
  /** The host key's .pub line: `ssh-ed25519 AAAA... comment`. */
  hostPublicKeyLine: string;
  /** A known_hosts file that already trusts this server (`[127.0.0.1]:port ...`). */
  knownHostsPath: string;
  /** The temp dir everything lives in (removed by stop()). */
  dir: string;
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

/**
 * A detached `sh` whose stdin is a pipe from this process. When this process
 * dies in a way that skips 'exit' hooks (vitest ends its workers with SIGTERM),
 * the pipe closes and the watchdog stops sshd and removes its directory.
 */
function startWatchdog(sshdPid: number, dir: string) {
  const script = 'read _ || :; kill -TERM "$1" 2>/dev/null; sleep 2; kill -KILL "$1" 2>/dev/null; rm -rf "$2"';
  const dog = spawn('sh', ['-c', script, 'sshd-watchdog', String(sshdPid), dir], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  (dog.stdin as net.Socket).unref();
  dog.unref();
  return dog;
}

export async function startSshd(): Promise<TestSshd> {
  if (!existsSync(SSHD)) {
    throw new Error('OpenSSH server not found: run `apt-get install -y openssh-server` (or bash .ci/run, which installs it)');
  }
  // sshd refuses to start as root without its privilege-separation dir (normally made by the init script).
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });

  const dir = mkdtempSync(join(tmpdir(), 'cockpit-sshd-'));
  const cleanupDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    const hostKey = join(dir, 'host_ed25519');
    const identityFile = join(dir, 'client_ed25519');
    keygen(hostKey, 'test-host');
    keygen(identityFile, 'test-client');
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${identityFile}.pub`), { mode: 0o600 });
    const hostPublicKeyLine = readFileSync(`${hostKey}.pub`, 'utf8').trim();
    const hostKeyFingerprint = keygenFingerprint(`${hostKey}.pub`);

    const port = await freePort();
    const [keyType, keyB64] = hostPublicKeyLine.split(/\s+/);
    const knownHostsPath = join(dir, 'known_hosts');
    writeFileSync(knownHostsPath, `[127.0.0.1]:${port} ${keyType} ${keyB64}\n`, { mode: 0o600 });

    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'StrictModes no',
        'UsePAM no',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'AllowTcpForwarding no',
        'X11Forwarding no',
        'PrintMotd no',
        '',
      ].join('\n'),
    );

    const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    let exited = false;
    const exitedP = new Promise<void>((resolve) => child.once('exit', () => {
      exited = true;
      resolve();
    }));
    const pid = child.pid;
    const watchdog = pid === undefined ? undefined : startWatchdog(pid, dir);
    // Synchronous: runs when the test process exits without calling stop().
    const onExit = () => {
      if (pid !== undefined && !exited) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      cleanupDir();
    };
    process.on('exit', onExit);

    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopped ??= (async () => {
        process.off('exit', onExit);
        if (watchdog?.pid !== undefined) {
          try {
            process.kill(watchdog.pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
        if (pid !== undefined && !exited) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            // gone
          }
          const timer = setTimeout(() => {
            try {
              if (!exited) process.kill(pid, 'SIGKILL');
            } catch {
              // gone
            }
          }, 2000);
          await exitedP;
          clearTimeout(timer);
        }
        cleanupDir();
      })();
      return stopped;
    };

    const deadline = Date.now() + 10_000;
    while (!(await canConnect(port))) {
      if (exited || Date.now() > deadline) {
        await stop();
        throw new Error(`sshd did not start on 127.0.0.1:${port}${exited ? ' (it exited)' : ''}:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }

    return {
      host: '127.0.0.1',
      port,
      user: userInfo().username,
      identityFile,
      hostKeyFingerprint,
      hostPublicKeyLine,
      knownHostsPath,
      dir,
      stop,
    };
  } catch (err) {
    cleanupDir();
    throw err;
  }
}
