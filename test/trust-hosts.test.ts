import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startSshd, type TestSshd } from './helpers/sshd.js';
import { runCli } from './helpers/cli.js';

let sshd: TestSshd;
let dir: string;

beforeAll(async () => {
  sshd = await startSshd();
  dir = mkdtempSync(join(tmpdir(), 'cockpit-trust-'));
});
afterAll(async () => {
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function inventory(knownHosts: string): string {
  const file = join(dir, 'cluster.yaml');
  writeFileSync(
    file,
    stringify({
      cluster: 'ssh',
      nodes: [{ name: 'etcd-1', address: '127.0.0.1', ssh: { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile } }],
      runbook: { workdir: './work', knownHosts },
    }),
  );
  return file;
}

describe('trust-hosts against a real OpenSSH server', () => {
  it('shows an unknown host key with its SHA256 fingerprint and refuses it without a confirmation', async () => {
    const known = join(dir, 'empty_known_hosts');
    const run = await runCli(['trust-hosts', '-f', inventory(known)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`presents a ssh-ed25519 host key ${sshd.hostKeyFingerprint}, not in ${known}`);
    expect(run.stderr).toContain('refusing to change the cluster without --yes');
  });

  it('adds the key once confirmed, after which the host is known', async () => {
    const known = join(dir, 'known_hosts');
    const file = inventory(known);
    const run = await runCli(['trust-hosts', '-f', file, '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`etcd-1: ${sshd.hostKeyFingerprint} added to ${known}`);
    expect(readFileSync(known, 'utf8')).toContain(`[127.0.0.1]:${sshd.port} ssh-ed25519`);
    const again = await runCli(['trust-hosts', '-f', file]);
    expect(again.stdout).toContain('etcd-1: host key already known');
  });

  it('refuses a changed host key even with --yes', async () => {
    const known = join(dir, 'changed_known_hosts');
    // Another ed25519 key for the same [host]:port: what a man in the middle would look like.
    writeFileSync(known, `[127.0.0.1]:${sshd.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`, { mode: 0o600 });
    const run = await runCli(['trust-hosts', '-f', inventory(known), '--yes']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/etcd-1: .*(changed|man-in-the-middle)/i);
  });
});
