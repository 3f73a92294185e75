/**
 * The SSH harness's cleanup must also happen when the test process dies
 * without running any hook (vitest SIGKILLs a hung worker). A stand-in test
 * process starts the watchdog, registers a throwaway user, a process and a
 * dir, and is SIGKILLed: the watchdog must remove all of it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const WATCHDOG = fileURLToPath(new URL('./helpers/cleanup-watchdog.mjs', import.meta.url));

function userExists(name: string): boolean {
  try {
    execFileSync('getent', ['passwd', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const ended = (child: ChildProcess) =>
  new Promise<NodeJS.Signals | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.signalCode);
    else child.once('exit', (_code, signal) => resolve(signal));
  });

describe('cleanup watchdog', () => {
  it('removes the user, kills the processes and removes the dir when the test process is SIGKILLed', async () => {
    if (process.getuid?.() !== 0) throw new Error('needs root: it creates a throwaway user, like the SSH tests');
    const name = `ckpt-${process.pid.toString(36)}-${randomBytes(3).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'cockpit-watchdog-'));
    execFileSync('useradd', ['-M', '-d', dir, '-s', '/bin/sh', '-p', '*', '-U', name], { stdio: 'pipe' });
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }));
    const ours = spawn('sleep', ['301'], { stdio: 'ignore' });
    const users = spawn('sleep', ['302'], { stdio: 'ignore', uid, gid, cwd: '/' });
    const standIn = spawn(
      process.execPath,
      [
        '-e',
        `const dog = require('node:child_process').spawn(process.execPath, [process.argv[1]], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
         dog.stdin.write(process.argv.slice(2).join('\\n') + '\\n', () => console.log('ready'));
         setInterval(() => {}, 1000);`,
        WATCHDOG,
        `pid ${ours.pid}`,
        `user ${name}`,
        `dir ${dir}`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => standIn.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
      standIn.kill('SIGKILL');
      expect(await ended(ours)).toBe('SIGKILL');
      expect(await ended(users)).toBe('SIGKILL');
      const deadline = Date.now() + 10_000;
      while ((userExists(name) || existsSync(dir)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(userExists(name)).toBe(false);
      expect(existsSync(dir)).toBe(false);
    } finally {
      for (const child of [standIn, ours, users]) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (userExists(name)) execFileSync('userdel', [name], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
