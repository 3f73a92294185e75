import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli, parseDuration } from '../src/cli/args.js';
import { planConnection } from '../src/cli/connection.js';
import { resolvePassword } from '../src/cli/secrets.js';
import { parseInventory, InventoryError } from '../src/core/inventory/parse.js';

const dir = mkdtempSync(join(tmpdir(), 'cockpit-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseCli', () => {
  it('defaults to the live view with 1 s polling and a 2 s deadline', () => {
    const o = parseCli([]);
    expect(o.command).toBe('tui');
    expect(o.intervalMs).toBe(1000);
    expect(o.commandTimeoutMs).toBe(2000);
  });

  it.each([
    [['--password', 'hunter2'], /refusing --password on the command line/],
    [['--user', 'root:hunter2'], /refusing --user NAME:PASSWORD/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['--bogus'], /unknown option --bogus/],
    [['status', '-o', 'yaml'], /--output must be table or json/],
    [['--interval', 'soon'], /--interval "soon" is not a duration/],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });

  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1.5s', 1500],
    ['1m', 60_000],
    ['3', 3000],
  ])('duration %s = %d ms', (text, ms) => expect(parseDuration(text, '--x')).toBe(ms));
});

describe('planConnection', () => {
  it('takes ETCDCTL_* variables like etcdctl does', () => {
    const plan = planConnection(parseCli([]), {
      ETCDCTL_ENDPOINTS: 'https://10.0.0.1:2379,10.0.0.2:2379',
      ETCDCTL_CACERT: '/ca.crt',
      ETCDCTL_CERT: '/c.crt',
      ETCDCTL_KEY: '/c.key',
      ETCDCTL_USER: 'root',
      ETCDCTL_PASSWORD: 'x',
    });
    expect(plan.members.map((m) => m.endpoint)).toEqual(['https://10.0.0.1:2379', 'https://10.0.0.2:2379']);
    expect(plan.tls).toEqual({ cacert: '/ca.crt', cert: '/c.crt', key: '/c.key' });
    expect(plan.user).toBe('root');
    expect(plan.password).toEqual({ kind: 'env', name: 'ETCDCTL_PASSWORD' });
  });

  it('lets flags win over the environment', () => {
    const plan = planConnection(parseCli(['--endpoints', 'https://10.9.9.9:2379', '--cacert', '/flag.crt']), {
      ETCDCTL_ENDPOINTS: 'https://10.0.0.1:2379',
      ETCDCTL_CACERT: '/env.crt',
    });
    expect(plan.members[0]?.endpoint).toBe('https://10.9.9.9:2379');
    expect(plan.tls.cacert).toBe('/flag.crt');
  });

  it('reads ETCDCTL_USER=name:password from the environment without putting it anywhere else', async () => {
    const env = { ETCDCTL_USER: 'patroni:s3cr:et' };
    const plan = planConnection(parseCli([]), env);
    expect(plan.user).toBe('patroni');
    expect(await resolvePassword(plan.password, plan.user, env)).toBe('s3cr:et');
  });

  it('asks for a password when a user is given and no source is', () => {
    expect(planConnection(parseCli(['--user', 'root']), {}).password).toEqual({ kind: 'prompt' });
  });

  it('refuses an endpoint without a port', () => {
    expect(() => planConnection(parseCli(['--endpoints', 'https://10.0.0.1']), {})).toThrow(/has no port/);
  });

  it('uses the inventory nodes, names and TLS files relative to the inventory', () => {
    const file = join(dir, 'inv.yaml');
    writeFileSync(
      file,
      'cluster: prod\ntls:\n  cacert: pki/ca.crt\n  cert: pki/op.crt\n  key: pki/op.key\nnodes:\n  - name: etcd-1\n    address: 10.0.0.1\n  - name: etcd-2\n    address: 10.0.0.2\n',
    );
    const plan = planConnection(parseCli(['-f', file]), {});
    expect(plan.clusterName).toBe('prod');
    expect(plan.members).toEqual([
      { endpoint: 'https://10.0.0.1:2379', name: 'etcd-1', serverName: undefined },
      { endpoint: 'https://10.0.0.2:2379', name: 'etcd-2', serverName: undefined },
    ]);
    expect(plan.tls.cacert).toBe(join(dir, 'pki/ca.crt'));
  });
});

describe('resolvePassword', () => {
  it('reads a password file without its trailing newline', async () => {
    const file = join(dir, 'pw');
    writeFileSync(file, 'p4ss\n', { mode: 0o600 });
    expect(await resolvePassword({ kind: 'file', path: file }, 'root')).toBe('p4ss');
  });
  it('says which variable is missing', async () => {
    await expect(resolvePassword({ kind: 'env', name: 'NOPE_PW' }, 'root', {})).rejects.toThrow(/NOPE_PW is not set/);
  });
});

describe('parseInventory errors point at file:line:col', () => {
  it.each([
    ['cluster: x\nnodes:\n  - name: a\n    address: [1, 2\n', /^bad\.yaml:5:1: Flow sequence/],
    ['cluster: x\nnodes: []\n', /^bad\.yaml:2:8: nodes: expected a list of at least one node/],
    ['cluster: x\nnodes:\n  - name: a\n', /^bad\.yaml:3:5: missing address/],
    ['cluster: x\nnodes:\n  - name: a\n    address: 10.0.0.1\n    clientUrl: ftp://x\n', /^bad\.yaml:5:16: nodes\[0\]\.clientUrl "ftp:\/\/x" is not an http\(s\):\/\/ URL/],
    ['cluster: x\npassword: hunter2\nnodes:\n  - {name: a, address: 10.0.0.1}\n', /^bad\.yaml:2:11: password: a literal password is not accepted/],
    ['cluster: x\nnodes:\n  - {name: a, address: 10.0.0.1}\n  - {name: a, address: 10.0.0.2}\n', /^bad\.yaml:4:12: nodes\[1\]\.name "a" is the same name as nodes\[0\] \(a\)/],
    ['cluster: x\ncluster: y\nnodes:\n  - {name: a, address: 10.0.0.1}\n', /^bad\.yaml:2:1: /],
  ])('%j', (text, message) => {
    expect(() => parseInventory(text, 'bad.yaml')).toThrow(InventoryError);
    expect(() => parseInventory(text, 'bad.yaml')).toThrow(message);
  });

  it('accepts SSH details and a password source', () => {
    const inv = parseInventory(
      'cluster: x\npassword: {env: ETCD_ROOT_PW}\nuser: root\nnodes:\n  - name: a\n    address: 10.0.0.1\n    ssh: {user: ops, port: 2222, sudo: true}\n',
      '/etc/inv.yaml',
    );
    expect(inv.password).toEqual({ kind: 'env', name: 'ETCD_ROOT_PW' });
    expect(inv.nodes[0]?.ssh).toEqual({ host: '10.0.0.1', port: 2222, user: 'ops', identityFile: undefined, sudo: true });
  });
});
