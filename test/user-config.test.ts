import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli } from '../src/cli/args.js';
import { planConnection, planContexts } from '../src/cli/connection.js';
import { loadUserConfig, userConfigPath } from '../src/cli/user-config-file.js';
import { parseUserConfig } from '../src/core/config/user-config.js';
import { ConfigFileError } from '../src/core/config/yaml-reader.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cockpit-user-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD = `theme: light
current-context: staging
contexts:
  prod:
    inventory: clusters/prod.yaml
  staging:
    endpoints: [https://10.1.0.1:2379, https://10.1.0.2:2379]
    cacert: pki/ca.crt
    cert: pki/op.crt
    key: pki/op.key
    user: root
    password-file: ~/.secrets/staging
`;

describe('user config file', () => {
  it('reads contexts, resolving relative paths against the file', () => {
    const config = parseUserConfig(GOOD, '/home/u/.config/etcd-cockpit/config.yaml');
    expect(config.theme).toBe('light');
    expect(config.currentContext).toBe('staging');
    expect(config.contexts.map((c) => c.name)).toEqual(['prod', 'staging']);
    expect(config.contexts[0]!.inventory).toBe('/home/u/.config/etcd-cockpit/clusters/prod.yaml');
    expect(config.contexts[1]!.endpoints).toEqual(['https://10.1.0.1:2379', 'https://10.1.0.2:2379']);
    expect(config.contexts[1]!.cacert).toBe('/home/u/.config/etcd-cockpit/pki/ca.crt');
  });

  it('an empty file is an empty config', () => {
    expect(parseUserConfig('', 'c.yaml').contexts).toEqual([]);
  });

  it.each([
    ['contexts:\n  prod:\n    inventory: a.yaml\n    pasword-file: x\n', 'c.yaml:4:5: contexts.prod: unknown key "pasword-file" (did you mean "password-file"?)'],
    ['contexts:\n  prod:\n    endpoints: https://a:2379\n    password: hunter2\n', 'c.yaml:4:15: contexts.prod.password: passwords do not go in the config file; use password-file or password-env'],
    ['current-context: nope\ncontexts:\n  prod:\n    inventory: a.yaml\n', 'c.yaml:1:18: current-context "nope" is not in contexts (prod)'],
    ['contexts:\n  prod:\n    user: root\n', 'c.yaml:3:5: contexts.prod: needs inventory (a cluster file) or endpoints'],
    ['them: dark\n', 'c.yaml:1:1: config: unknown key "them" (did you mean "theme"?)'],
    ['contexts: [a, b]\n', 'c.yaml:1:11: contexts: expected a mapping'],
    ['contexts:\n  prod: {inventory: a.yaml\n', 'c.yaml:'],
    ['ascii: maybe\n', 'c.yaml:1:8: ascii: expected true or false'],
  ])('refuses %j with file:line:col', (text, message) => {
    let error: unknown;
    try {
      parseUserConfig(text, 'c.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigFileError);
    expect((error as Error).message.startsWith(message)).toBe(true);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('lives under XDG_CONFIG_HOME, else ~/.config; ETCD_COCKPIT_CONFIG and --config name one', () => {
    expect(userConfigPath(undefined, { XDG_CONFIG_HOME: '/x' }).path).toBe('/x/etcd-cockpit/config.yaml');
    expect(userConfigPath(undefined, { HOME: '/h' }).path).toBe('/h/.config/etcd-cockpit/config.yaml');
    expect(userConfigPath(undefined, { ETCD_COCKPIT_CONFIG: '/e.yaml' })).toEqual({ path: '/e.yaml', explicit: true });
    expect(userConfigPath('/f.yaml', { ETCD_COCKPIT_CONFIG: '/e.yaml' }).path).toBe('/f.yaml');
  });

  it('a missing default file is no config; a missing named one is an error', () => {
    expect(loadUserConfig(undefined, { HOME: join(dir, 'nohome') }).contexts).toEqual([]);
    expect(() => loadUserConfig(join(dir, 'absent.yaml'), {})).toThrow(/cannot read config .*absent.yaml: no such file/);
  });
});

describe('contexts in connection plans', () => {
  const config = parseUserConfig(GOOD, join(dir, 'config.yaml'));

  it('uses the current context when no cluster is given otherwise, ignoring ETCDCTL_* of another cluster', () => {
    const plan = planConnection(parseCli([]), { ETCDCTL_CACERT: '/other/ca.crt' }, config);
    expect(plan.contextName).toBe('staging');
    expect(plan.clusterName).toBe('staging');
    expect(plan.members.map((m) => m.endpoint)).toEqual(['https://10.1.0.1:2379', 'https://10.1.0.2:2379']);
    expect(plan.tls.cacert).toBe(join(dir, 'pki/ca.crt'));
    expect(plan.password).toEqual({ kind: 'file', path: join(process.env.HOME ?? '/', '.secrets/staging') });
  });

  it('flags win over the context, and --endpoints or ETCDCTL_ENDPOINTS mean no context', () => {
    const plan = planConnection(parseCli(['--context', 'staging', '--cacert', '/flag.crt']), {}, config);
    expect(plan.tls.cacert).toBe('/flag.crt');
    expect(planConnection(parseCli(['--endpoints', 'https://10.9.9.9:2379']), {}, config).contextName).toBeUndefined();
    expect(planConnection(parseCli([]), { ETCDCTL_ENDPOINTS: 'https://10.9.9.9:2379' }, config).contextName).toBeUndefined();
  });

  it('an unknown --context names the file and the contexts there', () => {
    expect(() => planConnection(parseCli(['--context', 'qa']), {}, config)).toThrow(`no context "qa" in ${join(dir, 'config.yaml')}; contexts: prod, staging`);
  });

  it('password-env names the variable to read, never its value', () => {
    const c = parseUserConfig('contexts:\n  lab:\n    endpoints: https://10.2.0.1:2379\n    user: root\n    password-env: LAB_ETCD_PASSWORD\n', join(dir, 'c.yaml'));
    const [lab] = planContexts(parseCli([]), c);
    expect(lab!.plan().password).toEqual({ kind: 'env', name: 'LAB_ETCD_PASSWORD' });
  });
});

describe('CLI with a bad config', () => {
  it('exits 2 with one line that says file:line:col', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'contexts:\n  prod:\n    endpoint: https://10.0.0.1:2379\n');
    const r = await runCli(['status', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`etcd-cockpit: ${file}:3:5: contexts.prod: unknown key "endpoint" (did you mean "endpoints"?); known keys: inventory, endpoints, cacert, cert, key, user, password-file, password-env`);
  });
});
