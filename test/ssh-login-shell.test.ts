/**
 * Issue 15: sshd runs every command through the user's login shell, so slow
 * shell start-up files (a `pyenv init` on a stale lock) make every command
 * slow. The test harness refuses such a user at once, in one line; the
 * runbook's preflight warns, with the measured time. The throwaway users here
 * get /bin/bash with a ~/.bashrc and ~/.profile that sleep (Debian's bash
 * reads ~/.bashrc for commands run by sshd).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickLoopbackAddresses } from '../src/adapters/local/loopback.js';
import { parseInventory } from '../src/core/inventory/parse.js';
import { closeRunContext, createRunContext } from '../src/adapters/runbook/run-context.js';
import { runRunbook } from '../src/core/runbook/engine.js';
import { startSshd, type TestSshd } from './helpers/sshd.js';

const sleepy = (seconds: number) => ({
  shell: '/bin/bash',
  homeFiles: { '.bashrc': `sleep ${seconds}\n`, '.profile': `sleep ${seconds}\n` },
});

function userExists(name: string): boolean {
  try {
    execFileSync('getent', ['passwd', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('a slow login shell', () => {
  it('the SSH test harness gives up after 5 s (not the shell\'s 60 s) with one line naming the cause, and removes the user', async () => {
    const started = Date.now();
    const err = await startSshd(sleepy(60)).then(
      (sshd) => (void sshd.stop(), undefined),
      (e: unknown) => e as Error,
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`harness: "${err?.message}" after ${seconds.toFixed(1)} s`);
    expect(err?.message).toMatch(/^login shell of ckpt-[-a-z0-9]+ takes over 5 s \(one remote `true` did not finish\): check its shell start-up files \(~\/\.bashrc, ~\/\.profile\)$/);
    expect(seconds).toBeLessThan(15);
    const user = err!.message.split(' ')[3]!;
    expect(userExists(user)).toBe(false);
    expect(existsSync(`/etc/sudoers.d/${user}`)).toBe(false);
  }, 30_000);

  describe('the runbook preflight', () => {
    let sshd: TestSshd;
    let dir: string;

    beforeAll(async () => {
      sshd = await startSshd({ ...sleepy(1), sudo: true });
      dir = realpathSync(mkdtempSync(join(tmpdir(), 'cockpit-slow-login-')));
      chmodSync(dir, 0o755);
    }, 30_000);

    afterAll(async () => {
      await sshd?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('warns that every step pays the slow login shell, with the measured time, and does not fail', async () => {
      expect(sshd.loginMs).toBeGreaterThanOrEqual(1000);
      const [address] = await pickLoopbackAddresses(1, [2379, 2380]);
      const path = join(dir, 'cluster.yaml');
      writeFileSync(
        path,
        stringify({
          cluster: 'slow-login',
          nodes: [{ name: 'etcd-1', address, ssh: { host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, sudo: true } }],
          runbook: { workdir: join(dir, 'work'), nodeRoot: join(dir, 'remote', '{node}'), knownHosts: sshd.knownHostsPath, diskTestWrites: 20 },
        }),
      );
      const ctx = createRunContext({ inventory: parseInventory(readFileSync(path, 'utf8'), path) });
      try {
        const report = await runRunbook(ctx, { phases: [0] });
        const warning = report.warnings.find((w) => w.includes('login shell'));
        console.log(`preflight: "${warning}"`);
        expect(report.failed).toBeUndefined();
        expect(warning).toMatch(
          new RegExp(`^etcd-1: one trivial command \\(date\\) took [1-9]\\.\\d s over SSH: the login shell of ${sshd.user} on 127\\.0\\.0\\.1 is slow to start; check its shell start-up files \\(~/\\.bashrc, ~/\\.profile\\): every runbook step pays it$`),
        );
      } finally {
        await closeRunContext(ctx);
      }
    }, 60_000);
  });
});
