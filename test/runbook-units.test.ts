/** Pure runbook data: commands, parsers, unit and config text, tuning, secret masking. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { SystemdServiceManager } from '../src/adapters/service/systemd-service-manager.js';
import { systemdCommands } from '../src/core/runbook/systemd-commands.js';
import type { Transport } from '../src/core/transport.js';
import { parseInventory } from '../src/core/inventory/parse.js';
import { RUNBOOK_TUNING } from '../src/core/etcd-config/render.js';
import { parsePhases } from '../src/cli/commands/runbook.js';
import { fileAction, secretFileAction } from '../src/core/runbook/actions.js';
import { adviceFor, BOOTSTRAP_ADVICE } from '../src/core/runbook/advice.js';
import { closeRunContext, createRunContext } from '../src/adapters/runbook/run-context.js';
import { classifyFailure, RunbookFailure } from '../src/core/runbook/failures.js';
import type { NodeRuntime } from '../src/core/runbook/node-runtime.js';
import { p, realPath, transportPath } from '../src/core/runbook/paths.js';
import { busyPorts, parseDdSeconds, parseListeners, parseRttSamples, rttCommand } from '../src/core/runbook/phases/phase0-preflight.js';
import { parseVersions } from '../src/core/runbook/phases/phase1-install.js';
import { dirsCommand, userAddCommand } from '../src/core/runbook/phases/phase2-host.js';
import { verifyProblems } from '../src/core/runbook/phases/phase3-pki.js';
import { memberConfigText } from '../src/core/runbook/phases/phase4-config.js';
import { renderPlan } from '../src/core/runbook/plan-render.js';
import { SecretRegistry } from '../src/core/runbook/secrets.js';
import { parseRunbookSettings } from '../src/core/runbook/settings.js';
import { renderSystemdUnit } from '../src/core/runbook/systemd-unit.js';
import { effectiveTuning, recommendTuning } from '../src/core/runbook/tuning.js';
import { HostKeyError } from '../src/core/errors/host-key-error.js';

const tmp = mkdtempSync(join(tmpdir(), 'cockpit-rb-units-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Bootstrap runbook step 8, verbatim. */
const RUNBOOK_UNIT = `[Unit]
Description=etcd key-value store
Documentation=https://etcd.io/docs/
After=network-online.target
Wants=network-online.target

[Service]
User=etcd
Group=etcd
Type=notify
Environment="ETCD_CONFIG_FILE=/etc/etcd/etcd.conf.yml"
ExecStart=/usr/local/bin/etcd
Restart=always
RestartSec=10s
LimitNOFILE=40000
TimeoutStartSec=0

[Install]
WantedBy=multi-user.target
`;

describe('systemd unit', () => {
  it('is the runbook step 8 unit, with TimeoutStartSec=0', () => {
    expect(renderSystemdUnit({ user: 'etcd', group: 'etcd', configFile: '/etc/etcd/etcd.conf.yml', etcdBinary: '/usr/local/bin/etcd' })).toBe(RUNBOOK_UNIT);
  });

  it('systemctl and journalctl lines are exact values', () => {
    const c = systemdCommands();
    expect([c.daemonReload, c.enable, c.start, c.stop, c.isActive, c.isEnabled, c.logsTail(50)]).toEqual([
      'systemctl daemon-reload',
      'systemctl enable etcd',
      'systemctl start --no-block etcd',
      'systemctl stop etcd',
      'systemctl is-active etcd',
      'systemctl is-enabled etcd',
      'journalctl -u etcd --no-pager -n 50',
    ]);
    const manager = new SystemdServiceManager({} as Transport, { sudo: true });
    expect(manager.plan('enable')).toEqual([
      { kind: 'exec', command: 'systemctl daemon-reload', sudo: true },
      { kind: 'exec', command: 'systemctl enable etcd', sudo: true },
    ]);
  });
});

describe('tuning from measured RTT', () => {
  it.each([
    [0, 20, 200],
    [0.3, 20, 200],
    [5, 20, 200],
    [10, 20, 200],
    [13.3, 20, 200],
    [13.4, 30, 300],
    [20, 30, 300],
    [100, 150, 1500],
    [166.7, 260, 2600],
  ])('RTT %s ms -> heartbeat %s ms, election %s ms', (rtt, heartbeat, election) => {
    expect(recommendTuning(rtt)).toEqual({ heartbeatIntervalMs: heartbeat, electionTimeoutMs: election });
  });

  it('rejects a nonsense RTT', () => {
    expect(() => recommendTuning(-1)).toThrow();
    expect(() => recommendTuning(Number.NaN)).toThrow();
  });

  it('settings override > measured > runbook defaults', () => {
    const settings = parseRunbookSettings({ cluster: 'c', nodes: [], tls: {} });
    const measured = { version: 1 as const, preflight: { measuredAt: '', nodes: {}, maxRttMs: 40, recommended: recommendTuning(40), warnings: [] } };
    expect(effectiveTuning({ version: 1 }, settings)).toEqual({ tuning: RUNBOOK_TUNING, source: 'runbook-default' });
    expect(effectiveTuning(measured, settings).tuning).toMatchObject({ heartbeatIntervalMs: 60, electionTimeoutMs: 600, snapshotCount: 10000 });
    expect(effectiveTuning(measured, { ...settings, tuning: { heartbeatIntervalMs: 100 } })).toMatchObject({
      tuning: { heartbeatIntervalMs: 100, electionTimeoutMs: 1000 },
      source: 'override',
    });
  });
});

describe('member config for a real host', () => {
  it('has the runbook paths and values, the measured tuning and the localhost listener', async () => {
    const path = join(tmp, 'hosts.yaml');
    const text = [
      'cluster: prod',
      'nodes:',
      ...[1, 2, 3].map((i) => `  - {name: etcd-${i}, address: 10.0.0.1${i}, ssh: {user: root}}`),
      'runbook:',
      '  workdir: ./prod-work',
      '',
    ].join('\n');
    writeFileSync(path, text);
    const ctx = createRunContext({ inventory: parseInventory(text, path) });
    ctx.state.save({ version: 1, preflight: { measuredAt: 'now', nodes: {}, maxRttMs: 30, recommended: recommendTuning(30), warnings: [] } });
    try {
      const config = parse(memberConfigText(ctx, ctx.nodes[1]!));
      expect(config).toEqual({
        name: 'etcd-2',
        'data-dir': '/var/lib/etcd',
        'listen-peer-urls': 'https://10.0.0.12:2380',
        'initial-advertise-peer-urls': 'https://10.0.0.12:2380',
        'listen-client-urls': 'https://10.0.0.12:2379,https://127.0.0.1:2379',
        'advertise-client-urls': 'https://10.0.0.12:2379',
        'initial-cluster-token': 'patroni-etcd-cluster',
        'initial-cluster-state': 'new',
        'initial-cluster': 'etcd-1=https://10.0.0.11:2380,etcd-2=https://10.0.0.12:2380,etcd-3=https://10.0.0.13:2380',
        'heartbeat-interval': 50,
        'election-timeout': 500,
        'snapshot-count': 10000,
        'quota-backend-bytes': 2147483648,
        'auto-compaction-mode': 'periodic',
        'auto-compaction-retention': '1h',
        'client-transport-security': {
          'cert-file': '/etc/etcd/pki/server.crt',
          'key-file': '/etc/etcd/pki/server.key',
          'trusted-ca-file': '/etc/etcd/pki/ca.crt',
          'client-cert-auth': true,
        },
        'peer-transport-security': {
          'cert-file': '/etc/etcd/pki/peer.crt',
          'key-file': '/etc/etcd/pki/peer.key',
          'trusted-ca-file': '/etc/etcd/pki/ca.crt',
          'client-cert-auth': true,
        },
        // JWT tokens: valid on every member and across restarts (etcd's simple tokens are not)
        'auth-token': 'jwt,pub-key=/etc/etcd/pki/jwt.pub,priv-key=/etc/etcd/pki/jwt.key,sign-method=RS256,ttl=10m',
      });
    } finally {
      await closeRunContext(ctx);
    }
  });
});

describe('node paths', () => {
  const local = { kind: 'local', root: '/w/nodes/etcd-1' } as const;
  const ssh = { kind: 'ssh', root: '' } as const;
  const staged = { kind: 'ssh', root: '/tmp/stage/etcd-1' } as const;
  it.each([
    [local, '"$NODE_ROOT"/etc/etcd', '/w/nodes/etcd-1/etc/etcd', '/etc/etcd'],
    [ssh, '/etc/etcd', '/etc/etcd', '/etc/etcd'],
    [staged, '/tmp/stage/etcd-1/etc/etcd', '/tmp/stage/etcd-1/etc/etcd', '/tmp/stage/etcd-1/etc/etcd'],
  ])('%j: command word, real path, transport path', (node, word, real, transport) => {
    expect(p(node, '/etc/etcd')).toBe(word);
    expect(realPath(node, '/etc/etcd')).toBe(real);
    expect(transportPath(node, '/etc/etcd')).toBe(transport);
  });

  it('host commands for a local and a privileged node', () => {
    const localNode = { ...local, owner: undefined } as unknown as NodeRuntime;
    expect(dirsCommand(localNode)).toBe(
      'mkdir -p "$NODE_ROOT"/var/lib/etcd "$NODE_ROOT"/etc/etcd/pki && chmod 700 "$NODE_ROOT"/var/lib/etcd && chmod 750 "$NODE_ROOT"/etc/etcd "$NODE_ROOT"/etc/etcd/pki',
    );
    const settings = parseRunbookSettings({ cluster: 'c', nodes: [], tls: {} });
    expect(userAddCommand(settings)).toBe('useradd -r -s /sbin/nologin etcd');
    expect(userAddCommand({ ...settings, serviceUser: 'etcd', serviceGroup: 'daemon' })).toBe(
      '{ getent group daemon >/dev/null || groupadd -r daemon; } && useradd -r -s /sbin/nologin -g daemon etcd',
    );
  });
});

describe('preflight parsers', () => {
  const ss = [
    'LISTEN 0      4096       127.0.0.53%lo:53        0.0.0.0:*',
    'LISTEN 0      4096       10.0.0.12:2379        0.0.0.0:*',
    'LISTEN 0      128          0.0.0.0:22          0.0.0.0:*',
    'LISTEN 0      4096            [::]:2380           [::]:*',
  ].join('\n');
  const netstat = ['Active Internet connections (only servers)', 'Proto Recv-Q Send-Q Local Address           Foreign Address         State', 'tcp        0      0 10.0.0.13:2380          0.0.0.0:*               LISTEN'].join('\n');

  it('reads ss and netstat listeners and finds busy etcd ports', () => {
    expect(parseListeners(ss)).toEqual([
      { address: '127.0.0.53', port: 53 },
      { address: '10.0.0.12', port: 2379 },
      { address: '0.0.0.0', port: 22 },
      { address: '::', port: 2380 },
    ]);
    expect(busyPorts(parseListeners(ss), '10.0.0.12', [2379, 2380])).toEqual([2379, 2380]);
    expect(busyPorts(parseListeners(ss), '10.0.0.11', [2379])).toEqual([]);
    expect(busyPorts(parseListeners(netstat), '10.0.0.13', [2379, 2380])).toEqual([2380]);
  });

  it('reads RTT samples, dd seconds and versions', () => {
    expect(rttCommand('10.0.0.12', 2380, 3)).toBe(
      `LC_ALL=C bash -c 'for i in $(seq 3); do s=$EPOCHREALTIME; : 2>/dev/null 3<>/dev/tcp/"$0"/"$1"; rc=$?; e=$EPOCHREALTIME; echo "$rc $s $e"; done' 10.0.0.12 2380`,
    );
    expect(parseRttSamples('1 100.000100 100.000600\n0 100.001000 100.003000\ngarbage').map((x) => Math.round(x * 1000) / 1000)).toEqual([0.5, 2]);
    expect(parseDdSeconds('200+0 records in\n200+0 records out\n102400 bytes (102 kB, 100 KiB) copied, 0.642 s, 160 kB/s\n')).toBe(0.642);
    expect(parseDdSeconds('dd: invalid option')).toBeUndefined();
    expect(parseVersions('etcd Version: 3.5.30\netcdctl version: 3.5.30\n/usr/local/bin/etcdutl: not found')).toEqual({ etcd: '3.5.30', etcdctl: '3.5.30', etcdutl: undefined });
  });

  it('finds certificate problems in the on-node openssl output', () => {
    const ok = ['== verify', 'server.crt: OK', 'peer.crt: OK', '== san', 'server: IP Address:10.0.0.12, IP Address:127.0.0.1, DNS:etcd-2', 'peer: IP Address:10.0.0.12, DNS:etcd-2', '== keys', 'server: key matches', 'peer: key matches', '== ca', 'abc  ca.crt'].join('\n');
    expect(verifyProblems(ok, '10.0.0.12', 'abc')).toEqual([]);
    const bad = ok.replace('server.crt: OK', 'server.crt: verification failed').replace('server: IP Address:10.0.0.12', 'server: IP Address:10.9.9.9').replace('peer: key matches', 'peer: KEY MISMATCH');
    expect(verifyProblems(bad, '10.0.0.12', 'def')).toEqual([
      'openssl verify -CAfile ca.crt server.crt did not say OK (server.crt: verification failed / peer.crt: OK)',
      'server.crt SAN lacks IP 10.0.0.12 (IP Address:10.9.9.9, IP Address:127.0.0.1, DNS:etcd-2)',
      'peer.key does not match peer.crt',
      'ca.crt differs from the CA in the local PKI',
    ]);
  });
});

describe('secret masking', () => {
  const pem = `-----BEGIN PRIVATE KEY-----\n${'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'.repeat(2)}\n${'BKcwggSjAgEAAoIBAQC7'.repeat(3)}\n-----END PRIVATE KEY-----\n`;
  it('redacts registered passwords, whole keys and single key lines', () => {
    const secrets = new SecretRegistry();
    secrets.add('s3cr3t-Pa55', 'patroni password');
    secrets.add(pem, 'etcd-1 server key');
    expect(secrets.redact('pw=s3cr3t-Pa55!')).toBe('pw=<secret: patroni password>!');
    expect(secrets.redact(`key:\n${pem}`)).toBe('key:\n<secret: etcd-1 server key>');
    expect(secrets.redact(`log ${pem.split('\n')[2]} end`)).toBe('log <secret: etcd-1 server key> end');
  });

  it('a plan shows a key file only as its description, and redacts what slipped in', () => {
    const secrets = new SecretRegistry();
    secrets.add('s3cr3t-Pa55', 'root password');
    const text = renderPlan(
      [
        secretFileAction('/etc/etcd/pki/server.key', 0o600, '<private key, 1704 bytes, mode 0600>', 'etcd:etcd'),
        fileAction('/etc/x.conf', 0o640, 'line1\npassword: s3cr3t-Pa55\n'),
        { kind: 'exec', command: 'etcdctl user add root --interactive=false', sudo: true, stdin: '<secret: root password>' },
      ],
      secrets,
    );
    expect(text).toBe(
      [
        'file /etc/etcd/pki/server.key (mode 0600, owner etcd:etcd): <private key, 1704 bytes, mode 0600>',
        'file /etc/x.conf (mode 0640):',
        '    | line1',
        '    | password: <secret: root password>',
        'sudo$ etcdctl user add root --interactive=false',
        '  (stdin: <secret: root password>)',
      ].join('\n'),
    );
  });
});

describe('failure kinds and advice', () => {
  it('classifies host keys, SSH and etcd errors', () => {
    const details = { host: 'h', port: 22, keyType: 'ssh-ed25519', fingerprint: 'SHA256:x', keyBase64: 'AAAA', knownHostsPath: '/k' };
    expect(classifyFailure(new HostKeyError('unknown', details))).toBe('host-key-unknown');
    expect(classifyFailure(new HostKeyError('changed', { ...details, line: 1 }))).toBe('host-key-changed');
    expect(classifyFailure(new Error('ssh root@10.0.0.1:22: connection refused'))).toBe('unreachable');
    expect(classifyFailure(new Error('etcdserver: authentication failed, invalid user ID or password'))).toBe('auth');
    expect(classifyFailure(new RunbookFailure('port-busy', 'x'))).toBe('port-busy');
    expect(adviceFor('bootstrap-timeout')).toBe(BOOTSTRAP_ADVICE);
    expect(adviceFor('tls')).toMatch(/openssl verify -CAfile/);
    expect(adviceFor('quorum')).toMatch(/Quorum Issues/);
    expect(adviceFor('auth')).toMatch(/Auth Lockout/);
  });
});

describe('CLI phase selection', () => {
  it.each([
    ['3', [3]],
    ['0-2', [0, 1, 2]],
    ['6-8', [6, 7, 8]],
  ])('--phase %s', (text, phases) => {
    expect(parsePhases(text)).toEqual(phases);
  });
});

describe('the CA key advice', () => {
  it('gives real commands with the path quoted, not an internal function name', async () => {
    const { caKeyAdvice } = await import('../src/core/runbook/phases/phase3-pki.js');
    const advice = caKeyAdvice("/srv/my pki/ca.key");
    expect(advice).not.toMatch(/exportCaKey/);
    expect(advice).toContain("openssl pkcs8 -topk8 -v2 aes-256-cbc -in '/srv/my pki/ca.key' -out /OFFLINE/etcd-ca.key.enc");
    expect(advice).toContain("shred -u '/srv/my pki/ca.key'");
  });
});
