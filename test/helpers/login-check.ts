/**
 * Times one remote `true` with the OpenSSH client before any SSH test runs:
 * sshd runs every command through the user's login shell, so slow shell
 * start-up files make every test slow or hang. Fails within `limitMs`.
 */
import { spawn } from 'node:child_process';

export interface LoginTarget {
  host: string;
  port: number;
  user: string;
  identityFile: string;
  knownHostsPath: string;
}

/** Resolves with the milliseconds one `ssh ... true` took; rejects with one line naming the cause. */
export function checkLoginSpeed(t: LoginTarget, limitMs: number): Promise<number> {
  const args = [
    '-F', '/dev/null',
    '-i', t.identityFile,
    '-o', 'IdentitiesOnly=yes',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${t.knownHostsPath}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'LogLevel=ERROR',
    '-p', String(t.port),
    `${t.user}@${t.host}`,
    'true',
  ];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const ssh = spawn('ssh', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    ssh.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      if (ssh.pid !== undefined) process.kill(ssh.pid, 'SIGKILL');
      reject(new Error(`login shell of ${t.user} takes over ${limitMs / 1000} s (one remote \`true\` did not finish): check its shell start-up files (~/.bashrc, ~/.profile)`));
    }, limitMs);
    ssh.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ssh (apt-get install -y openssh-client): ${err.message}`));
    });
    ssh.once('close', (code) => {
      clearTimeout(timer);
      const ms = Math.round(performance.now() - started);
      if (code === 0) resolve(ms);
      else reject(new Error(`a remote \`true\` as ${t.user} failed (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  });
}
