import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli } from '../src/cli/args.js';
import { clusterNameFrom, planConnection } from '../src/cli/connection.js';
import { main } from '../src/app/main.js';
import { parseRunbookArgs } from '../src/cli/commands/runbook.js';
import { parseInventory, InventoryError, MAX_NODES } from '../src/core/inventory/parse.js';
import { parseUserConfig } from '../src/core/config/user-config.js';
import { FILE_LIMITS, readSmallFile } from '../src/core/files/read-small-file.js';
import { DURATION_RANGES, KEEP_RANGE, formatMs } from '../src/cli/numbers.js';
import { ConfigError, loadTlsMaterial } from '../src/core/tls/material.js';
import { COUNT_RANGES } from '../src/cli/numbers.js';
import { writeBadTlsFiles, type BadTlsFiles } from './helpers/tls-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'cockpit-strict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('every word on the command line is used or refused by name', () => {
  it.each([
    [['defrag', 'etcd-1'], 'defrag: unexpected argument "etcd-1" (did you mean `--member etcd-1`?)'],
    [['snapshot', 'verify', 'FILE', 'extra'], 'snapshot verify: unexpected argument "extra"'],
    [['snapshot', 'list', 'DIR', 'extra'], 'snapshot list: unexpected argument "extra"'],
    [['snapshot', 'save', 'FILE', 'etcd-2'], 'snapshot save: unexpected argument "etcd-2" (did you mean `--member etcd-2`?)'],
    [['alarm', 'list', 'extra'], 'alarm list: unexpected argument "extra"'],
    [['alarm', 'lsit'], 'alarm takes list, disarm, not "lsit" (did you mean `alarm list`?)'],
    [['trust-hosts', 'extra'], 'trust-hosts: unexpected argument "extra"'],
    [['compact', '100'], 'compact: unexpected argument "100" (did you mean `--keep 100`?)'],
    [['status', 'now'], 'status: unexpected argument "now"'],
    [['rolling-restart', 'etcd-1'], 'rolling-restart: unexpected argument "etcd-1"'],
    [['move-leader'], 'move-leader needs the name of the member (move-leader NAME)'],
    [['member', 'replac', 'etcd-1'], 'member takes replace, not "replac" (did you mean `member replace`?)'],
    [['statsu'], 'unknown command "statsu" (did you mean `status`?)'],
    [['snapshot'], 'snapshot needs save [FILE|-], verify FILE, list [DIR] or prune'],
  ])('%j', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });

  it('accepts what the commands take, including `snapshot save -` and `snapshot prune`', () => {
    expect(parseCli(['snapshot', 'save', '-']).args).toEqual(['save', '-']);
    expect(parseCli(['snapshot', 'prune']).args).toEqual(['prune']);
    expect(parseCli(['member', 'replace', 'etcd-2']).args).toEqual(['replace', 'etcd-2']);
    expect(parseCli(['alarm']).args).toEqual([]);
  });

  it("takes etcdctl's `defrag --cluster` as all members, and refuses it with --member or elsewhere", () => {
    const o = parseCli(['defrag', '--cluster']);
    expect(o.command).toBe('defrag');
    expect(o.member).toBeUndefined();
    expect(() => parseCli(['defrag', '--cluster', '--member', 'etcd-1'])).toThrow(/contradict/);
    expect(() => parseCli(['status', '--cluster'])).toThrow('--cluster only applies to defrag');
  });

  it('says which option was misspelt and never echoes its value', () => {
    expect(() => parseCli(['--membr', 'etcd-1'])).toThrow('unknown option --membr (did you mean --member?)');
    let message = '';
    try {
      parseCli(['--pasword=hunter2']);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/unknown option --pasword/);
    expect(message).not.toContain('hunter2');
  });
});

describe('an empty value is an error, never a default', () => {
  it.each(['--member', '--snapshot-dir', '--keep', '--config', '-f', '--endpoints', '--cacert', '--audit-log', '--context', '--theme'])('%s ""', (flag) => {
    expect(() => parseCli(['status', flag, ''])).toThrow(/is empty/);
  });

  it('an endpoint list with an empty entry is refused', () => {
    expect(() => planConnection(parseCli(['--endpoints', 'https://10.0.0.1:2379,,https://10.0.0.2:2379']), {})).toThrow(/empty entry/);
    expect(() => planConnection(parseCli(['--endpoints', ' , ']), {})).toThrow(/--endpoints is empty/);
  });
});

describe('every number and duration has a range', () => {
  it.each([
    [['--command-timeout', '1000000h'], '--command-timeout 1000000h is too long (50ms to 10m)'],
    [['--interval', '1000000h'], '--interval 1000000h is too long (50ms to 1h)'],
    [['--pause', '1000000h'], '--pause 1000000h is too long (0ms to 1h)'],
    [['--wait', '2d'], '--wait 2d is too long (1s to 1h)'],
    [['--max-age', '31d'], '--max-age 31d is too long (1s to 30d)'],
    [['--pause', '-1s'], '--pause -1s: negative values are not accepted (0ms to 1h)'],
    [['--pause=-1s'], '--pause -1s is negative'],
    [['--keep', '-5'], '--keep -5: negative values are not accepted (0 to 1000000000)'],
    [['--keep', '1e3'], '--keep must be a whole number of revisions, not "1e3"'],
    [['--keep', '99999999999'], '--keep 99999999999 is too large'],
    [['--interval', '10ms'], '--interval 10ms is too short'],
    [['quota', '-1GiB'], '"-1GiB": negative numbers are not accepted here'],
    [['--member', '--yes'], '--member needs a value, not the option --yes'],
    [['defrag', '--pause'], '--pause needs a value'],
  ])('%j', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });

  it('values inside the range are taken', () => {
    const o = parseCli(['defrag', '--pause', '0', '--command-timeout', '10m', '--interval', '1h']);
    expect(o.pauseMs).toBe(0);
    expect(o.commandTimeoutMs).toBe(600_000);
    expect(o.intervalMs).toBe(3_600_000);
    expect(parseCli(['rebootstrap', '--max-age', '7d']).maxAgeMs).toBe(7 * 86_400_000);
  });
});

describe('secrets in URLs', () => {
  it.each(['https://root:s3cret-pw@10.0.0.1:2379', 'root:s3cret-pw@10.0.0.1:2379', 'https://10.0.0.2:2379,http://u:s3cret-pw@10.0.0.1:2379'])('%s is refused without echoing the password', (endpoints) => {
    let message = '';
    try {
      planConnection(parseCli(['status', '--endpoints', endpoints]), {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/carries a user and password: refused/);
    expect(message).not.toContain('s3cret-pw');
  });

  it('ETCDCTL_ENDPOINTS with a password is refused the same way', () => {
    expect(() => planConnection(parseCli(['status']), { ETCDCTL_ENDPOINTS: 'https://root:s3cret-pw@10.0.0.1:2379' })).toThrow(/^endpoint "https:\/\/\*\*\*@10\.0\.0\.1:2379" carries/);
  });

  it('an inventory clientUrl with a password is refused at file:line:col without echoing it', () => {
    const text = 'cluster: c\nnodes:\n  - name: a\n    address: 10.0.0.1\n    clientUrl: https://root:s3cret-pw@10.0.0.1:2379\n';
    expect(() => parseInventory(text, 'inv.yaml')).toThrow(/^inv\.yaml:5:16: nodes\[0\]\.clientUrl "https:\/\/\*\*\*@10\.0\.0\.1:2379" carries a user and password/);
  });
});

describe('each member once', () => {
  it.each([
    ['https://10.0.0.1:2379,https://10.0.0.1:2379', 'endpoint "https://10.0.0.1:2379" is given twice'],
    ['https://10.0.0.1:2379,10.0.0.1:2379/', 'endpoint "10.0.0.1:2379/" is given twice'],
    ['https://Node-A:2379,https://node-a:2379', 'endpoint "https://node-a:2379" is given twice'],
  ])('--endpoints %s', (endpoints, message) => {
    expect(() => planConnection(parseCli(['status', '--endpoints', endpoints]), {})).toThrow(message);
  });

  it.each([
    ['two nodes at one address', 'cluster: c\nnodes:\n  - {name: a, address: 10.0.0.1}\n  - {name: b, address: 10.0.0.1}\n', /^inv\.yaml:4:24: nodes\[1\] clientUrl https:\/\/10\.0\.0\.1:2379 is the same member as nodes\[0\] \(a\)/],
    ['one clientUrl written two ways', 'cluster: c\nnodes:\n  - {name: a, address: 10.0.0.1, clientUrl: "https://h:2379"}\n  - {name: b, address: 10.0.0.2, clientUrl: "https://H:2379/"}\n', /^inv\.yaml:4:45: nodes\[1\] clientUrl https:\/\/H:2379 is the same member as nodes\[0\] \(a\)/],
    ['a shared peerUrl', 'cluster: c\nnodes:\n  - {name: a, address: 10.0.0.1, peerUrl: "https://p:2380"}\n  - {name: b, address: 10.0.0.2, peerUrl: "https://p:2380"}\n', /^inv\.yaml:4:43: nodes\[1\] peerUrl https:\/\/p:2380 is the same member/],
  ])('inventory: %s', (_what, text, message) => {
    expect(() => parseInventory(text, 'inv.yaml')).toThrow(message);
  });

  it('nodes at one address on different ports are different members', () => {
    const text = 'cluster: c\nnodes:\n  - {name: a, address: 127.0.0.1, clientUrl: "https://127.0.0.1:2379", peerUrl: "https://127.0.0.1:2380"}\n  - {name: b, address: 127.0.0.1, clientUrl: "https://127.0.0.1:22379", peerUrl: "https://127.0.0.1:22380"}\n';
    expect(parseInventory(text, 'inv.yaml').nodes.map((n) => n.name)).toEqual(['a', 'b']);
  });
});

describe('names a user can type', () => {
  it('a derived cluster name has no space: host and member count', () => {
    const names = ['https://127.0.82.1:2379', 'https://127.0.82.2:2379', 'https://127.0.82.3:2379'].map((endpoint) => ({ endpoint }));
    expect(clusterNameFrom(names)).toBe('127.0.82.1-3m');
    expect(clusterNameFrom(names.slice(0, 1))).toBe('127.0.82.1');
    expect(clusterNameFrom([{ endpoint: 'https://[::1]:2379' }, { endpoint: 'https://[::2]:2379' }])).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/);
    expect(planConnection(parseCli(['status', '--endpoints', '10.1.1.1:2379,10.1.1.2:2379']), {}).clusterName).toBe('10.1.1.1-2m');
  });

  it.each(['prod cluster', 'prod/eu', '-prod', 'prød'])('inventory cluster "%s" is refused at file:line:col', (name) => {
    expect(() => parseInventory(`cluster: "${name}"\nnodes:\n  - {name: a, address: 10.0.0.1}\n`, 'inv.yaml')).toThrow(/^inv\.yaml:1:10: cluster ".*" may hold only letters, digits/);
  });

  it('a context name with a space is refused at file:line:col', () => {
    expect(() => parseUserConfig('contexts:\n  "prod eu":\n    endpoints: https://10.0.0.1:2379\n', 'config.yaml')).toThrow(/^config\.yaml:2:3: contexts: "prod eu" is not a name/);
  });
});

describe('inventory strictness', () => {
  const base = 'cluster: c\nnodes:\n  - name: a\n    address: 10.0.0.1\n';
  it.each([
    ['a clientURL typo', base + '    clientURL: https://10.0.0.9:2379\n', /^inv\.yaml:5:5: nodes\[0\]: unknown key "clientURL" \(did you mean "clientUrl"\?\)/],
    ['a top-level typo', 'clustr: c\n' + base, /^inv\.yaml:1:1: inventory: unknown key "clustr" \(did you mean "cluster"\?\)/],
    ['an ssh typo', base + '    ssh: {usr: ops}\n', /^inv\.yaml:5:11: nodes\[0\]\.ssh: unknown key "usr" \(did you mean "user"\?\)/],
    ['a tls typo', base + 'tls: {cacrt: ca.crt}\n', /^inv\.yaml:5:7: tls: unknown key "cacrt" \(did you mean "cacert"\?\)/],
    ['a password typo', base + 'password: {fiel: pw.txt}\n', /^inv\.yaml:5:12: password: unknown key "fiel" \(did you mean "file"\?\)/],
    ["sudo: 'yes'", base + "    ssh: {sudo: 'yes'}\n", /^inv\.yaml:5:17: sudo: expected true or false/],
    ['sudo: 1', base + '    ssh: {sudo: 1}\n', /sudo: expected true or false/],
    ['prompt: yes', base + 'user: root\npassword: {prompt: "yes"}\n', /prompt: expected true or false/],
  ])('%s', (_what, text, message) => {
    expect(() => parseInventory(text, 'inv.yaml')).toThrow(InventoryError);
    expect(() => parseInventory(text, 'inv.yaml')).toThrow(message);
  });

  it('sudo: true is taken', () => {
    expect(parseInventory(base + '    ssh: {sudo: true}\n', 'inv.yaml').nodes[0]!.ssh!.sudo).toBe(true);
  });

  it(`more than ${MAX_NODES} nodes are refused without walking them`, () => {
    const nodes = Array.from({ length: MAX_NODES + 1 }, (_, i) => `  - {name: n${i}, address: 10.0.${i >> 8}.${i & 255}}`).join('\n');
    expect(() => parseInventory(`cluster: c\nnodes:\n${nodes}\n`, 'inv.yaml')).toThrow(`inv.yaml:3:3: nodes: ${MAX_NODES + 1} nodes, more than the ${MAX_NODES} an inventory may hold`);
  });
});

describe('files are checked for kind and size before they are read', () => {
  beforeAll(() => {
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    mkdirSync(join(dir, 'a-dir'));
    writeFileSync(join(dir, 'big.yaml'), Buffer.alloc(FILE_LIMITS.inventory + 1, 0x20));
  });

  it.each([
    ['/dev/zero', /^inventory \/dev\/zero is a character device, expected a regular file$/],
    ['fifo', /is a named pipe \(FIFO\), expected a regular file$/],
    ['a-dir', /is a directory, expected a regular file$/],
    ['big.yaml', /is 256 KiB, over the 256 KiB limit$/],
    ['missing.yaml', /^cannot read inventory .*missing\.yaml: no such file$/],
    ['big.yaml/x', /a part of the path is not a directory$/],
  ])('%s', (name, message) => {
    const path = name.startsWith('/') ? name : join(dir, name);
    const started = Date.now();
    expect(() => readSmallFile(path, 'inventory', FILE_LIMITS.inventory)).toThrow(message);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('TLS files are checked locally before any connection', () => {
  let tls: BadTlsFiles;
  beforeAll(() => {
    mkdirSync(join(dir, 'tls'));
    tls = writeBadTlsFiles(join(dir, 'tls'));
  });
  const load = (files: { cacert?: string; cert?: string; key?: string }, context?: string) => loadTlsMaterial(files, context);
  const refused = (files: { cacert?: string; cert?: string; key?: string }, message: RegExp, exitCode = 2, context?: string): void => {
    let error: unknown;
    try {
      load(files, context);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(message);
    expect((error as ConfigError).message).not.toContain('\n');
    expect((error as ConfigError).exitCode).toBe(exitCode);
  };

  it('a good set loads without warnings', () => {
    const m = load(tls.good);
    expect(m.cert?.length).toBeGreaterThan(0);
    expect(m.warnings).toBeUndefined();
  });

  it('a CSR as the certificate', () => refused({ ...tls.good, cert: tls.csr }, /^client certificate .*operator\.csr \(--cert\) holds a certificate signing request \(CSR\), expected a certificate/));
  it('a DER certificate', () => refused({ ...tls.good, cert: tls.derCert }, /^client certificate .*operator\.der \(--cert\) holds a DER \(binary\) certificate, expected PEM text/));
  it('a public key as the key', () => refused({ ...tls.good, key: tls.publicKey }, /^client key .*operator\.pub \(--key\) holds a public key, expected a private key/));
  it('a public key as the certificate', () => refused({ ...tls.good, cert: tls.publicKey }, /holds a public key, expected a certificate/));
  it('a key that does not match the certificate', () => refused({ ...tls.good, key: tls.otherKey }, /^client key .*other\.key \(--key\) does not match client certificate .*good\.crt \(--cert\)$/));
  it('an encrypted PKCS#8 key', () => refused({ ...tls.good, key: tls.encryptedKey }, /encrypted\.key \(--key\) is an encrypted private key, expected an unencrypted one/));
  it('an encrypted traditional key', () => refused({ ...tls.good, key: tls.encryptedLegacyKey }, /is an encrypted private key/));
  it('an empty certificate', () => refused({ ...tls.good, cert: tls.empty }, /empty\.pem \(--cert\) is empty, expected a PEM certificate/));
  it('a truncated certificate', () => refused({ ...tls.good, cert: tls.truncatedCert }, /truncated\.crt \(--cert\) is truncated: a certificate starts but never ends/));
  it('a truncated key', () => refused({ ...tls.good, key: tls.truncatedKey }, /truncated\.key \(--key\) is truncated/));
  it('a CA file without a certificate', () => refused({ ...tls.good, cacert: tls.caWithoutCert }, /^CA certificate .*ca-without-cert\.pem \(--cacert\) holds a private key, expected one or more CA certificates/));
  it('text that is no PEM', () => refused({ cacert: tls.garbage }, /garbage\.pem \(--cacert\) holds no PEM block/));
  it('names the context key when the files come from a context', () => refused({ ...tls.good, cert: tls.csr }, /\(cert of context prod\) holds a certificate signing request/, 2, 'prod'));
  it('an expired client certificate: exit 3, with the day', () => refused({ ...tls.expired, cacert: tls.good.cacert }, /^client certificate .*expired\.crt expired on 2024-02-01$/, 3));
  it('a client certificate not valid yet: exit 3', () => refused({ ...tls.notYetValid }, /^client certificate .*future\.crt is not valid before /, 3));
  it('a client certificate under 30 days: a warning, and it loads', () => {
    expect(load(tls.expiresSoon).warnings).toEqual([expect.stringMatching(/^warning: client certificate .*soon\.crt expires on \d{4}-\d\d-\d\d \(9 days left\)$/)]);
  });
});

describe('runbook run', () => {
  it('accepts --yes', () => {
    expect(parseRunbookArgs(['run', '-f', 'x.yaml', '--yes'])).toMatchObject({ action: 'run' });
  });
  it('refuses --read-only with a clear line, but plan is fine', () => {
    expect(() => parseRunbookArgs(['run', '-f', 'x.yaml', '--read-only'])).toThrow('runbook run changes the hosts and --read-only is on');
    expect(parseRunbookArgs(['plan', '-f', 'x.yaml', '--read-only'])).toMatchObject({ action: 'plan' });
  });
});

describe('main: exit codes', () => {
  it('--version is the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (written.push(chunk), true)) as typeof process.stdout.write;
    try {
      expect(await main(['--version'])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(written.join('')).toBe(`etcd-cockpit ${pkg.version}\n`);
  });

  it('an error carrying exitCode is one line and that code (expired client certificate: 3)', async () => {
    const tlsDir = join(dir, 'tls-main');
    mkdirSync(tlsDir);
    const tls = writeBadTlsFiles(tlsDir);
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (lines.push(chunk), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(['status', '--endpoints', 'https://127.0.0.1:1', '--cacert', tls.good.cacert, '--cert', tls.expired.cert, '--key', tls.expired.key]);
    } finally {
      process.stderr.write = write;
    }
    expect(code).toBe(3);
    expect(lines).toEqual([`etcd-cockpit: client certificate ${tls.expired.cert} expired on 2024-02-01\n`]);
  });
});

describe('README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  it('lists the exit codes 0 to 4', () => {
    for (const code of [0, 1, 2, 3, 4]) expect(readme).toMatch(new RegExp(`^\\| ${code} \\| \\S`, 'm'));
  });
  it.each(Object.entries(DURATION_RANGES))('lists the range of %s as the code enforces it', (flag, range) => {
    const fmt = (ms: number): string => (ms === 0 ? '0' : formatMs(ms));
    expect(readme).toContain(`| \`${flag}\` | ${range.default} | ${fmt(range.minMs)} to ${fmt(range.maxMs)} |`);
  });
  it('lists the ranges of keys top --depth and --limit', () => {
    expect(readme).toContain(`| \`keys top --depth\` | ${COUNT_RANGES['--depth'].default} | ${COUNT_RANGES['--depth'].min} to ${COUNT_RANGES['--depth'].max} path segments |`);
    expect(readme).toContain(`| \`keys top --limit\` | ${COUNT_RANGES['--limit'].default} | ${COUNT_RANGES['--limit'].min} to ${COUNT_RANGES['--limit'].max} prefixes |`);
  });
  it('lists the range of --keep and the file limits', () => {
    expect(readme).toContain(`| \`--keep\` | 0 | ${KEEP_RANGE.min} to ${KEEP_RANGE.max} revisions |`);
    expect(readme).toContain(`inventory and user config ${FILE_LIMITS.inventory / 1024} KiB, password file ${FILE_LIMITS.password / 1024} KiB, TLS files ${FILE_LIMITS.tls / 1024 / 1024} MiB each`);
    expect(readme).toContain(`An inventory holds at most ${MAX_NODES} nodes`);
  });
});
