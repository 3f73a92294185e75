/**
 * The clear-error rule, generated across every command: each bad input ends
 * within 5 s with exit 2 (3 for an expired or not-yet-valid client
 * certificate), exactly one line on stderr naming the input, no stack trace,
 * nothing on stdout, and nothing written (the work dir and the audit log are
 * unchanged). A real 3-member TLS cluster is up, so a refusal is never
 * "could not connect" in disguise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { BIN } from './helpers/cli.js';
import { startTestCluster } from './helpers/cluster.js';
import { writeBadTlsFiles, type BadTlsFiles } from './helpers/tls-fixtures.js';
import { issueClientCert } from '../src/core/pki/forge-certs.js';
import { readFileSync } from 'node:fs';
import { MAX_NODES } from '../src/core/inventory/parse.js';

interface Case {
  name: string;
  args: string[];
  env?: Record<string, string>;
  code?: number;
  /** A part of the one stderr line: which input is at fault. */
  names: string | RegExp;
  /** Must not appear anywhere in the output. */
  secret?: string;
}
interface Result {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

const DEADLINE_MS = 5000;
const root = mkdtempSync(join(tmpdir(), 'cockpit-bad-input-'));
const work = join(root, 'work');
const home = join(root, 'home');
const auditLog = join(root, 'state', 'audit.log');
const results = new Map<string, Result>();
let cluster: Awaited<ReturnType<typeof startTestCluster>> | undefined;
let before = '';

const path = (name: string): string => join(work, name);

function run(c: Case): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...c.args],
      {
        cwd: work,
        timeout: DEADLINE_MS + 5000,
        env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(root, 'state'), ETCD_COCKPIT_AUDIT_LOG: auditLog, ...c.env },
      },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, ms: Date.now() - started }),
    );
  });
}

/** Every path under the root with its kind, size and mtime: a write anywhere changes it. */
function snapshotTree(dir: string): string {
  const lines: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const s = lstatSync(p);
      lines.push(`${p} ${s.mode} ${s.size} ${s.mtimeMs}`);
      if (s.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return lines.join('\n');
}

async function runAll(cases: Case[], parallel: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        results.set(c.name, await run(c));
      }
    }),
  );
}

function buildCases(tls: BadTlsFiles, nodes: { name: string; address: string; clientUrl: string; peerUrl: string }[]): Case[] {
  const cases: Case[] = [];
  const add = (c: Case): void => {
    if (cases.some((o) => o.name === c.name)) throw new Error(`duplicate case ${c.name}`);
    cases.push(c);
  };
  const endpoints = nodes.map((n) => n.clientUrl).join(',');
  const conn = ['--endpoints', endpoints, '--cacert', tls.good.cacert, '--cert', tls.good.cert, '--key', tls.good.key];
  const goodDoc = () => ({ cluster: 'test', tls: { ...tls.good }, nodes: nodes.map((n) => ({ ...n })) });
  const inv = (name: string, doc: unknown): string => {
    const p = path(`${name}.yaml`);
    writeFileSync(p, typeof doc === 'string' ? doc : stringify(doc));
    return p;
  };

  // 1. Words after the command: used or refused by name.
  const words: [string[], string | RegExp][] = [
    [['defrag', 'etcd-1'], 'did you mean `--member etcd-1`?'],
    [['defrag', 'etcd-1', '--yes'], 'did you mean `--member etcd-1`?'],
    [['defrag', '--cluster', '--member', 'etcd-1', '--yes'], 'contradict'],
    [['compact', '5', '--yes'], 'did you mean `--keep 5`?'],
    [['compact', 'now'], 'unexpected argument "now"'],
    [['alarm', 'list', 'extra'], 'alarm list: unexpected argument "extra"'],
    [['alarm', 'disarm', 'extra'], 'alarm disarm: unexpected argument "extra"'],
    [['alarm', 'lst'], 'did you mean `alarm list`?'],
    [['alarm', 'dissarm'], 'did you mean `alarm disarm`?'],
    [['alarm', 'clear'], 'alarm takes list, disarm, not "clear"'],
    [['move-leader'], 'move-leader needs the name'],
    [['move-leader', 'etcd-1', 'etcd-2'], 'unexpected argument "etcd-2"'],
    [['nospace-recover', 'now'], 'unexpected argument "now"'],
    [['snapshot'], 'snapshot needs save'],
    [['snapshot', 'sav'], 'did you mean `snapshot save`?'],
    [['snapshot', 'lst'], 'did you mean `snapshot list`?'],
    [['snapshot', 'save', path('s.db'), 'extra'], 'snapshot save: unexpected argument "extra"'],
    [['snapshot', 'verify'], 'snapshot verify needs the snapshot file'],
    [['snapshot', 'verify', path('s.db'), 'extra'], 'snapshot verify: unexpected argument "extra"'],
    [['snapshot', 'list', work, 'extra'], 'snapshot list: unexpected argument "extra"'],
    [['snapshot', 'prune', work, 'extra'], 'snapshot prune: unexpected argument "extra"'],
    [['status', 'extra'], 'status: unexpected argument "extra"'],
    [['status', 'etcd-1'], 'status: unexpected argument "etcd-1"'],
    [['contexts', 'prod'], 'contexts: unexpected argument "prod"'],
    [['trust-hosts', 'extra'], 'trust-hosts: unexpected argument "extra"'],
    [['restart'], 'restart needs the name'],
    [['restart', 'etcd-1', 'etcd-2'], 'unexpected argument "etcd-2"'],
    [['rolling-restart', 'now'], 'rolling-restart: unexpected argument "now"'],
    [['restore'], 'restore needs the snapshot file'],
    [['restore', path('a.db'), path('b.db')], 'unexpected argument'],
    [['rebootstrap', 'now'], 'rebootstrap: unexpected argument "now"'],
    [['member'], 'member takes replace'],
    [['member', 'remove', 'etcd-1'], 'member takes replace, not "remove"'],
    [['member', 'replace'], 'member replace needs the name'],
    [['member', 'replace', 'etcd-1', 'etcd-2'], 'unexpected argument "etcd-2"'],
    [['quota'], 'quota needs the new size'],
    [['quota', '4GiB', '8GiB'], 'unexpected argument "8GiB"'],
    [['quota', '-1GiB'], 'negative numbers are not accepted'],
    [['statsu'], 'did you mean `status`?'],
    [['defarg'], 'did you mean `defrag`?'],
    [['etcd-1'], 'unknown command "etcd-1"'],
    [['runbook'], 'runbook: expected "plan" or "run"'],
    [['runbook', 'plna', '-f', cluster!.inventoryPath], 'runbook: expected "plan" or "run", not "plna"'],
    [['runbook', 'run', '-f', cluster!.inventoryPath, 'extra'], 'runbook: unexpected argument "extra"'],
    [['runbook', 'run', '-f', cluster!.inventoryPath, '--read-only'], '--read-only is on'],
  ];
  for (const [argv, names] of words) add({ name: `words: ${argv.join(' ')}`, args: [...argv, ...(argv[0] === 'runbook' ? [] : ['-f', cluster!.inventoryPath])], names });

  // 2. Flags: empty values, out of range, negative, misspelt, missing values.
  const stringFlags = ['-f', '--file', '--context', '--config', '--endpoints', '--cacert', '--cert', '--key', '--user', '--password-file', '--command-timeout', '--interval', '--output', '--member', '--keep', '--audit-log', '--snapshot-dir', '--max-age', '--wait', '--pause', '--theme'];
  for (const flag of stringFlags) {
    add({ name: `empty ${flag} (status)`, args: ['status', ...conn.filter((_, i) => conn[i] !== flag && conn[i - 1] !== flag), flag, ''], names: /is empty/ });
  }
  for (const [command, flag] of [['defrag', '--member'], ['snapshot save', '--snapshot-dir'], ['compact', '--keep'], ['defrag', '--pause'], ['rebootstrap', '--max-age'], ['rolling-restart', '--wait']] as const) {
    add({ name: `empty ${flag} (${command})`, args: [...command.split(' '), '--yes', '-f', cluster!.inventoryPath, flag, ''], names: new RegExp(`${flag} is empty`) });
    add({ name: `empty ${flag}= (${command})`, args: [...command.split(' '), '--yes', '-f', cluster!.inventoryPath, `${flag}=`], names: new RegExp(`${flag} is empty`) });
  }
  const durations: [string, string[]][] = [
    ['--command-timeout', ['1000000h', '-1s', '10ms', '11m', 'soon', '5x', '1e3', '0']],
    ['--interval', ['1000000h', '-1s', '1ms', '2h', 'often', '1,5s']],
    ['--pause', ['1000000h', '-1s', '61m', 'later', '2 s']],
    ['--wait', ['1000000h', '-5s', '500ms', '2h', 'forever']],
    ['--max-age', ['1000000h', '-1h', '31d', 'old', '0']],
  ];
  const commandFor: Record<string, string[]> = { '--pause': ['defrag', '--yes'], '--wait': ['rolling-restart', '--yes'], '--max-age': ['rebootstrap', '--yes'] };
  for (const [flag, values] of durations) {
    for (const value of values) {
      for (const command of [['status'], commandFor[flag] ?? ['alarm', 'list']]) {
        const name = `${flag} ${value} (${command[0]})`;
        if (!cases.some((c) => c.name === name)) add({ name, args: [...command, '-f', cluster!.inventoryPath, flag, value], names: flag });
      }
      add({ name: `${flag}=${value}`, args: ['status', '-f', cluster!.inventoryPath, `${flag}=${value}`], names: flag });
    }
  }
  for (const value of ['-1', 'abc', '1.5', '1e10', '99999999999', ' 5x']) {
    add({ name: `--keep ${value}`, args: ['compact', '--yes', '-f', cluster!.inventoryPath, '--keep', value], names: '--keep' });
  }
  const flagMistakes: [string[], string | RegExp][] = [
    [['--membr', 'etcd-1'], 'did you mean --member?'],
    [['--endpoint', endpoints], 'did you mean --endpoints?'],
    [['--cacrt', tls.good.cacert], 'did you mean --cacert?'],
    [['--yess'], 'did you mean --yes?'],
    [['-x'], 'unknown option -x'],
    [['--pasword=hunter2-secret'], 'unknown option --pasword'],
    [['--password', 'hunter2-secret'], 'refusing --password on the command line'],
    [['--password=hunter2-secret'], 'refusing --password on the command line'],
    [['--user', 'root:hunter2-secret'], 'refusing --user NAME:PASSWORD'],
    [['--output', 'yaml'], '--output must be table or json'],
    [['-o', 'xml'], '--output must be table or json'],
    [['--cluster'], '--cluster only applies to defrag'],
    [['--member'], '--member needs a value'],
    [['--member', '--yes'], '--member needs a value, not the option --yes'],
    [['--pause', '--yes'], '--pause needs a value'],
    [['--context', 'nope'], 'no context "nope"'],
  ];
  for (const [argv, names] of flagMistakes) {
    add({ name: `flag: status ${argv.join(' ')}`, args: ['status', '-f', cluster!.inventoryPath, ...argv], names, secret: 'hunter2-secret' });
    add({ name: `flag: alarm list ${argv.join(' ')}`, args: ['alarm', 'list', '-f', cluster!.inventoryPath, ...argv], names, secret: 'hunter2-secret' });
  }

  // 3. Endpoints: secrets never echoed, each member once.
  const first = nodes[0]!.clientUrl;
  const host = new URL(first).host;
  const badEndpoints: [string, string | RegExp][] = [
    [`https://root:pw-secret-1@${host}`, 'carries a user and password'],
    [`root:pw-secret-1@${host}`, 'carries a user and password'],
    [`${endpoints},https://u:pw-secret-1@127.0.0.1:2379`, 'carries a user and password'],
    [`https://:pw-secret-1@${host}`, 'carries a user and password'],
    [`${first},${first}`, 'is given twice'],
    [`${first},${first}/`, 'is given twice'],
    [`${first},${first.replace('https://', 'HTTPS://')}`, 'is given twice'],
    [`${first},,${nodes[1]!.clientUrl}`, 'empty entry'],
    [',', '--endpoints is empty'],
    ['https://127.0.0.1', 'has no port'],
    [`ftp://${host}`, 'is not a URL'],
    [`${first}/v3/kv`, 'has a path'],
    ['http://[::1', 'is not a URL'],
  ];
  for (const [value, names] of badEndpoints) {
    add({ name: `--endpoints ${value.replace(/pw-secret-1/, '***')}`, args: ['status', '--cacert', tls.good.cacert, '--cert', tls.good.cert, '--key', tls.good.key, '--endpoints', value], names, secret: 'pw-secret-1' });
  }
  add({ name: 'ETCDCTL_ENDPOINTS with a password', args: ['status', '--cacert', tls.good.cacert, '--cert', tls.good.cert, '--key', tls.good.key], env: { ETCDCTL_ENDPOINTS: `https://root:pw-secret-1@${host}` }, names: 'carries a user and password', secret: 'pw-secret-1' });
  add({ name: 'ETCDCTL_ENDPOINTS twice the same', args: ['status', '--cacert', tls.good.cacert, '--cert', tls.good.cert, '--key', tls.good.key], env: { ETCDCTL_ENDPOINTS: `${first},${first}` }, names: 'is given twice' });

  // 4. Inventory mutations, each tried with several commands.
  const mutations: [string, () => unknown, string | RegExp][] = [
    ['unknown top key', () => ({ ...goodDoc(), clustr: 'x' }), /unknown key "clustr" \(did you mean "cluster"\?\)/],
    ['clientURL typo', () => { const d = goodDoc(); (d.nodes[0] as Record<string, unknown>).clientURL = 'https://10.0.0.9:2379'; return d; }, /:\d+:\d+: nodes\[0\]: unknown key "clientURL" \(did you mean "clientUrl"\?\)/],
    ['unknown ssh key', () => { const d = goodDoc(); (d.nodes[1] as Record<string, unknown>).ssh = { usr: 'ops' }; return d; }, 'unknown key "usr"'],
    ['unknown tls key', () => ({ ...goodDoc(), tls: { cacrt: tls.good.cacert } }), 'unknown key "cacrt"'],
    ['unknown password key', () => ({ ...goodDoc(), user: 'root', password: { fiel: 'pw' } }), 'unknown key "fiel"'],
    ["sudo: 'yes'", () => { const d = goodDoc(); (d.nodes[0] as Record<string, unknown>).ssh = { sudo: 'yes' }; return d; }, 'sudo: expected true or false'],
    ['sudo: 1', () => { const d = goodDoc(); (d.nodes[0] as Record<string, unknown>).ssh = { sudo: 1 }; return d; }, 'sudo: expected true or false'],
    ["prompt: 'yes'", () => ({ ...goodDoc(), user: 'root', password: { prompt: 'yes' } }), 'prompt: expected true or false'],
    ['cluster name with a space', () => ({ ...goodDoc(), cluster: 'prod eu' }), 'may hold only letters'],
    ['cluster name with a slash', () => ({ ...goodDoc(), cluster: '../etc' }), 'may hold only letters'],
    ['cluster name empty', () => ({ ...goodDoc(), cluster: '' }), 'missing cluster'],
    ['duplicate names', () => { const d = goodDoc(); d.nodes[2]!.name = d.nodes[0]!.name; return d; }, 'is the same name as nodes[0]'],
    ['two nodes at one address', () => { const d = goodDoc(); d.nodes.push({ ...d.nodes[0]!, name: 'etcd-4' }); return d; }, 'is the same member as nodes[0]'],
    ['one clientUrl written two ways', () => { const d = goodDoc(); d.nodes.push({ ...d.nodes[0]!, name: 'etcd-4', clientUrl: d.nodes[0]!.clientUrl + '/', peerUrl: 'https://127.9.9.9:2380' }); return d; }, 'is the same member'],
    ['a shared peerUrl', () => { const d = goodDoc(); d.nodes[1]!.peerUrl = d.nodes[0]!.peerUrl; return d; }, 'peerUrl'],
    ['clientUrl with a password', () => { const d = goodDoc(); d.nodes[0]!.clientUrl = d.nodes[0]!.clientUrl.replace('https://', 'https://root:pw-secret-2@'); return d; }, 'carries a user and password'],
    ['clientUrl ftp', () => { const d = goodDoc(); d.nodes[0]!.clientUrl = 'ftp://10.0.0.1:2379'; return d; }, 'is not an http(s):// URL'],
    ['node name with a space', () => { const d = goodDoc(); d.nodes[0]!.name = 'etcd 1'; return d; }, 'may hold only letters'],
    ['no nodes', () => ({ ...goodDoc(), nodes: [] }), 'nodes: expected a list'],
    ['nodes a mapping', () => ({ ...goodDoc(), nodes: { a: 1 } }), 'nodes: expected a list'],
    ['node not a mapping', () => ({ ...goodDoc(), nodes: ['etcd-1'] }), 'expected a mapping with name and address'],
    ['node without address', () => { const d = goodDoc(); delete (d.nodes[0] as Partial<typeof d.nodes[0]>).address; return d; }, 'missing address'],
    ['ssh port 0', () => { const d = goodDoc(); (d.nodes[0] as Record<string, unknown>).ssh = { port: 0 }; return d; }, 'ssh.port must be a port number'],
    ['ssh port text', () => { const d = goodDoc(); (d.nodes[0] as Record<string, unknown>).ssh = { port: 'ssh' }; return d; }, 'ssh.port must be a port number'],
    ['relative peerCert', () => ({ ...goodDoc(), peerCert: 'pki/peer.crt' }), 'must be an absolute path'],
    ['literal password', () => ({ ...goodDoc(), user: 'root', password: 'pw-secret-2' }), 'a literal password is not accepted'],
    ['cert without key', () => ({ ...goodDoc(), tls: { cacert: tls.good.cacert, cert: tls.good.cert } }), 'cert and key go together'],
    [`${MAX_NODES + 1} nodes`, () => ({ ...goodDoc(), nodes: Array.from({ length: MAX_NODES + 1 }, (_, i) => ({ name: `n${i}`, address: `10.1.${i >> 8}.${i & 255}` })) }), `more than the ${MAX_NODES}`],
    ['100,000 nodes', () => `cluster: big\nnodes:\n${Array.from({ length: 100_000 }, (_, i) => `  - {name: n${i}, address: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}}`).join('\n')}\n`, 'over the 256 KiB limit'],
    ['YAML syntax error', () => 'cluster: test\nnodes: [\n', /big|:\d+:\d+:/],
    ['duplicate key', () => 'cluster: a\ncluster: b\nnodes:\n  - {name: a, address: 10.0.0.1}\n', /:2:1:/],
    ['a list at the top', () => '- cluster: test\n', 'expected a mapping'],
    ['empty file', () => '', 'expected a mapping'],
  ];
  const inventoryCommands = [['status'], ['defrag', '--yes'], ['snapshot', 'save', path('never.db')], ['trust-hosts'], ['runbook', 'plan']];
  for (const [what, doc, names] of mutations) {
    const file = inv(`inv-${what.replace(/[^a-z0-9]+/gi, '-')}`, doc());
    for (const command of inventoryCommands) add({ name: `inventory ${what} (${command.slice(0, 2).join(' ')})`, args: [...command, '-f', file], names, secret: 'pw-secret-2' });
  }

  // 5. Files that are not what they claim: checked before a byte is read.
  execFileSync('mkfifo', [path('fifo')]);
  mkdirSync(path('a-dir'));
  writeFileSync(path('huge.yaml'), '');
  execFileSync('truncate', ['-s', '2G', path('huge.yaml')]);
  writeFileSync(path('plain.txt'), 'x\n');
  const badFiles: [string, string, RegExp][] = [
    ['/dev/zero', '/dev/zero', /character device/],
    ['a FIFO', path('fifo'), /named pipe/],
    ['a directory', path('a-dir'), /a directory/],
    ['a 2 GiB sparse file', path('huge.yaml'), /over the \d+ (KiB|MiB) limit/],
    ['a missing file', path('missing'), /no such file/],
    ['a path under a file', path('plain.txt/x'), /not a directory/],
  ];
  for (const [what, file, names] of badFiles) {
    add({ name: `-f ${what}`, args: ['status', '-f', file], names });
    add({ name: `runbook plan -f ${what}`, args: ['runbook', 'plan', '-f', file], names });
    add({ name: `--config ${what}`, args: ['status', '--config', file], names });
    add({ name: `ETCD_COCKPIT_CONFIG ${what}`, args: ['contexts'], env: { ETCD_COCKPIT_CONFIG: file }, names });
    add({ name: `--password-file ${what}`, args: ['status', ...conn, '--user', 'root', '--password-file', file], names });
    add({ name: `--cacert ${what}`, args: ['status', ...conn.slice(0, 2), '--cacert', file, ...conn.slice(4)], names });
    add({ name: `--cert ${what}`, args: ['status', ...conn.slice(0, 4), '--cert', file, '--key', tls.good.key], names });
    add({ name: `--key ${what}`, args: ['status', ...conn.slice(0, 6), '--key', file], names });
    if (what !== 'a 2 GiB sparse file') {
      add({ name: `snapshot verify ${what}`, args: ['snapshot', 'verify', file], names });
      add({ name: `restore ${what}`, args: ['restore', file, '-f', cluster!.inventoryPath, '--yes'], names });
    }
  }

  // 6. TLS files that are the wrong kind, from flags, the inventory and a context.
  const tlsCases: [string, Partial<typeof tls.good>, RegExp, number?][] = [
    ['a CSR as --cert', { cert: tls.csr }, /holds a certificate signing request \(CSR\), expected a certificate/],
    ['a DER certificate', { cert: tls.derCert }, /holds a DER \(binary\) certificate, expected PEM/],
    ['a public key as --key', { key: tls.publicKey }, /holds a public key, expected a private key/],
    ['a public key as --cert', { cert: tls.publicKey }, /holds a public key, expected a certificate/],
    ['a key that does not match', { key: tls.otherKey }, /does not match client certificate/],
    ['an encrypted key', { key: tls.encryptedKey }, /is an encrypted private key/],
    ['an encrypted legacy key', { key: tls.encryptedLegacyKey }, /is an encrypted private key/],
    ['an empty certificate', { cert: tls.empty }, /is empty, expected a PEM certificate/],
    ['an empty key', { key: tls.empty }, /is empty, expected a PEM private key/],
    ['an empty CA', { cacert: tls.empty }, /is empty/],
    ['a truncated certificate', { cert: tls.truncatedCert }, /is truncated/],
    ['a truncated key', { key: tls.truncatedKey }, /is truncated/],
    ['a CA file holding a key', { cacert: tls.caWithoutCert }, /holds a private key, expected one or more CA certificates/],
    ['a CA file holding a CSR', { cacert: tls.csr }, /holds a certificate signing request/],
    ['a client certificate as the CA', { cacert: tls.good.cert }, /holds the certificate of CN=[^,]+, which is no CA: give the certificate of the CA that issued it \(CN=/],
    ['text as the CA', { cacert: tls.garbage }, /holds no PEM block/],
    ['a certificate as --key', { key: tls.good.cert }, /holds a certificate, expected a private key/],
    ['an expired client certificate', { cert: tls.expired.cert, key: tls.expired.key }, /expired on 2024-02-01$/, 3],
    ['a client certificate not valid yet', { cert: tls.notYetValid.cert, key: tls.notYetValid.key }, /is not valid before/, 3],
  ];
  for (const [what, files, names, code] of tlsCases) {
    const set = { ...tls.good, ...files };
    add({ name: `TLS flags: ${what}`, args: ['status', '--endpoints', endpoints, '--cacert', set.cacert, '--cert', set.cert, '--key', set.key], names, code });
    const invFile = inv(`tls-${what.replace(/[^a-z0-9]+/gi, '-')}`, { ...goodDoc(), tls: set });
    add({ name: `TLS inventory: ${what}`, args: ['defrag', '--yes', '-f', invFile], names, code });
    const config = path(`config-${what.replace(/[^a-z0-9]+/gi, '-')}.yaml`);
    writeFileSync(config, stringify({ contexts: { prod: { endpoints: nodes.map((n) => n.clientUrl), cacert: set.cacert, cert: set.cert, key: set.key } } }));
    add({ name: `TLS context: ${what}`, args: ['alarm', 'list', '--config', config], names: new RegExp(`of context prod|${names.source}`), code });
  }

  // 7. User config files.
  const configs: [string, string, string | RegExp][] = [
    ['unknown key', 'curent-context: prod\ncontexts:\n  prod: {endpoints: https://10.0.0.1:2379}\n', 'did you mean "current-context"?'],
    ['context name with a space', 'contexts:\n  "prod eu": {endpoints: https://10.0.0.1:2379}\n', 'is not a name'],
    ['current-context not defined', 'current-context: qa\ncontexts:\n  prod: {endpoints: https://10.0.0.1:2379}\n', 'current-context "qa" is not in contexts'],
    ['a password in the config', 'contexts:\n  prod: {endpoints: https://10.0.0.1:2379, password: pw-secret-3}\n', 'passwords do not go in the config file'],
    ['endpoint with a password', `contexts:\n  prod: {endpoints: "https://root:pw-secret-3@${host}"}\n`, 'carries a user and password'],
    ["ascii: 'yes'", "ascii: 'yes'\ncontexts:\n  prod: {endpoints: https://10.0.0.1:2379}\n", 'ascii: expected true or false'],
    ['cert without key', 'contexts:\n  prod: {endpoints: https://10.0.0.1:2379, cert: a.crt}\n', 'cert and key go together'],
    ['YAML syntax error', 'contexts: [\n', /:\d+:\d+:/],
    ['context without endpoints', 'contexts:\n  prod: {user: root}\n', 'needs inventory'],
    ['unknown context key', 'contexts:\n  prod: {endpoints: https://10.0.0.1:2379, cacrt: ca.crt}\n', 'did you mean "cacert"?'],
  ];
  for (const [what, text, names] of configs) {
    const file = path(`user-config-${what.replace(/[^a-z0-9]+/gi, '-')}.yaml`);
    writeFileSync(file, text);
    add({ name: `config ${what} (status)`, args: ['status', '--config', file], names, secret: 'pw-secret-3' });
    add({ name: `config ${what} (contexts)`, args: ['contexts', '--config', file], names, secret: 'pw-secret-3' });
  }
  return cases;
}

let cases: Case[] = [];

beforeAll(async () => {
  mkdirSync(work, { recursive: true });
  mkdirSync(home, { recursive: true });
  cluster = await startTestCluster();
  const tlsDir = join(root, 'tls');
  mkdirSync(tlsDir);
  const tls = writeBadTlsFiles(tlsDir);
  cases = buildCases(tls, cluster.nodes);
  before = snapshotTree(root);
  await runAll(cases, 4);
}, 600_000);

afterAll(async () => {
  await cluster?.cleanup();
  rmSync(root, { recursive: true, force: true });
});

describe('bad input: one clear line, the right exit code, nothing written', () => {
  it('has at least 250 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(250);
    console.log(`bad-input cases: ${cases.length}; slowest ${Math.max(...[...results.values()].map((r) => r.ms))} ms`);
  });

  it('wrote nothing: the work dir, the home dir and the audit log are unchanged', () => {
    expect(existsSync(auditLog)).toBe(false);
    expect(snapshotTree(root)).toBe(before);
  });

  it('every case', () => {
    const failures: string[] = [];
    for (const c of cases) {
      const r = results.get(c.name);
      const problems: string[] = [];
      if (!r) problems.push('not run');
      else {
        const lines = r.stderr.split('\n').filter((l) => l !== '');
        if (r.code !== (c.code ?? 2)) problems.push(`exit ${r.code}`);
        if (r.ms > DEADLINE_MS) problems.push(`took ${r.ms} ms`);
        if (lines.length !== 1) problems.push(`${lines.length} stderr lines`);
        if (!r.stderr.startsWith('etcd-cockpit: ')) problems.push('no etcd-cockpit: prefix');
        if (/\n\s+at /.test(r.stderr)) problems.push('stack trace');
        if (r.stdout !== '') problems.push('stdout not empty');
        const named = typeof c.names === 'string' ? r.stderr.includes(c.names) : c.names.test(lines[0] ?? '');
        if (!named) problems.push(`does not name the input (${String(c.names)})`);
        if (c.secret && (r.stderr + r.stdout).includes(c.secret)) problems.push('echoes the secret');
      }
      if (problems.length) failures.push(`${c.name}: ${problems.join(', ')} | stderr: ${r?.stderr.slice(0, 300)} | stdout: ${r?.stdout.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('a client certificate close to its end', () => {
  it('status warns on stderr with the day and goes on (exit 0)', async () => {
    const pki = join(cluster!.dir, 'pki');
    const ca = { certPem: readFileSync(join(pki, 'ca.crt'), 'utf8'), keyPem: readFileSync(join(pki, 'ca.key'), 'utf8') };
    const soon = issueClientCert(ca, 'operator', { bits: 2048, now: new Date(Date.now() - 50 * 86_400_000), days: 60 });
    const dir = mkdtempSync(join(tmpdir(), 'cockpit-soon-'));
    try {
      writeFileSync(join(dir, 'soon.crt'), soon.certPem);
      writeFileSync(join(dir, 'soon.key'), soon.keyPem, { mode: 0o600 });
      const r = await run({ name: 'soon', names: '', args: ['status', '--endpoints', cluster!.nodes.map((n) => n.clientUrl).join(','), '--cacert', join(pki, 'ca.crt'), '--cert', join(dir, 'soon.crt'), '--key', join(dir, 'soon.key')] });
      expect(r.stderr).toMatch(new RegExp(`^etcd-cockpit: warning: client certificate ${join(dir, 'soon.crt')} expires on \\d{4}-\\d\\d-\\d\\d \\(9 days left\\)\n$`));
      expect(r.stdout).toMatch(/3\/3 answering/);
      expect(r.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
