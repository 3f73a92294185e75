import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTransport } from '../src/adapters/local/local-transport.js';
import { snapshotStatus } from '../src/adapters/local/etcdutl-status.js';

/** Child processes (commands on a node, etcdutl, etcd) never inherit a password variable. */
describe('child processes get no password from our environment', () => {
  const secrets = { ETCDCTL_PASSWORD: 'pw-etcdctl-1', ETCDCTL_USER: 'root:pw-user-2', PGPASSWORD: 'pw-pg-3', VAULT_TOKEN: 'pw-vault-4' };
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cockpit-env-'));
    Object.assign(process.env, secrets);
  });
  afterAll(() => {
    for (const name of Object.keys(secrets)) delete process.env[name];
    rmSync(dir, { recursive: true, force: true });
  });

  it('a command run on a local node', async () => {
    const result = await new LocalTransport(dir).exec('env');
    for (const value of Object.values(secrets)) expect(result.stdout).not.toContain(value);
    expect(result.stdout).toMatch(/^PATH=/m); // the rest of the environment is there
  });

  it('etcdutl', async () => {
    const fake = join(dir, 'etcdutl');
    writeFileSync(fake, `#!/bin/sh\nenv > ${join(dir, 'etcdutl.env')}\necho '{"hash":1,"revision":2,"totalKey":3,"totalSize":4}'\n`);
    chmodSync(fake, 0o755);
    await snapshotStatus(join(dir, 'any.db'), fake).catch(() => undefined);
    const seen = readFileSync(join(dir, 'etcdutl.env'), 'utf8');
    for (const value of Object.values(secrets)) expect(seen).not.toContain(value);
    expect(seen).toMatch(/^PATH=/m);
  });
});
