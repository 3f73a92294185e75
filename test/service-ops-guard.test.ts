/** Pure parts of the service operations: the quorum guard, the rolling order, sizes, tokens, config patches, node commands, CLI words. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { quorumGuard, type GuardMember } from '../src/core/operations/quorum-guard.js';
import type { MemberHealth, MemberState } from '../src/core/cluster/types.js';
import { guardRolling, rollingOrder } from '../src/core/operations/service/rolling-restart.js';
import { parseSize, MAX_ADVISED_QUOTA } from '../src/core/operations/service/quota.js';
import { newClusterToken, stampOf } from '../src/core/operations/service/cluster-token.js';
import { patchConfigText, configValue, initialClusterOf } from '../src/core/operations/service/config-file.js';
import { restoreCommand, restorePaths, swapCommand } from '../src/core/operations/service/restore-node.js';
import { renderMemberConfig, RUNBOOK_TUNING, type MemberConfigInput } from '../src/core/etcd-config/render.js';
import type { NodeRuntime } from '../src/core/runbook/node-runtime.js';
import type { NodeSpec } from '../src/core/inventory/types.js';
import { parseVerb } from '../src/cli/verb-words.js';
import { UsageError } from '../src/cli/usage-error.js';

const m = (name: string, health: MemberHealth = 'ok', isLearner = false): GuardMember => ({ name, health, isLearner });
const three = (h2: MemberHealth = 'ok', h3: MemberHealth = 'ok') => [m('a'), m('b', h2), m('c', h3)];

describe('quorumGuard', () => {
  const cases: Array<[string, GuardMember[], string[], 'restart' | 'remove', boolean, RegExp]> = [
    ['restart one of 3 healthy', three(), ['a'], 'restart', true, /leaves 2 of 3 voting members up \(quorum needs 2\)/],
    ['restart one of 3 while another is down', three('unreachable'), ['a'], 'restart', false, /leaves 1 of 3 .* quorum needs 2 \(b is down\)/],
    ['restart the member that is down', three('unreachable'), ['b'], 'restart', true, /cannot lower quorum: it is a learner or down already/],
    ['restart a degraded member: it still votes', three('degraded'), ['b'], 'restart', true, /leaves 2 of 3/],
    ['restart with a degraded other', three('degraded'), ['a'], 'restart', true, /leaves 2 of 3/],
    ['restart with a timed-out other', three('timeout'), ['c'], 'restart', false, /b is down/],
    ['restart one of 5 with one down', [...three('unreachable'), m('d'), m('e')], ['a'], 'restart', true, /leaves 3 of 5 .*needs 3/],
    ['restart one of 5 with two down', [...three('unreachable', 'timeout'), m('d'), m('e')], ['a'], 'restart', false, /2 of 5 .*needs 3 \(b, c are down\)/],
    ['restart a learner while a voter is down', [...three('unreachable'), m('l', 'ok', true)], ['l'], 'restart', true, /learner or down/],
    ['restart the only member', [m('a')], ['a'], 'restart', false, /leaves 0 of 1/],
    ['restart one of 2', [m('a'), m('b')], ['a'], 'restart', false, /leaves 1 of 2 .*needs 2/],
    ['quorum lost: restart a dead one', three('unreachable', 'unreachable'), ['c'], 'restart', true, /down already/],
    ['quorum lost: restart the live one', three('unreachable', 'unreachable'), ['a'], 'restart', false, /leaves 0 of 3/],
    ['never polled counts as down', three('unknown'), ['a'], 'restart', false, /b is down/],
    ['remove one of 3 healthy', three(), ['c'], 'remove', true, /leaves 2 of 2 .*needs 2/],
    ['remove a live one while another is down', three('unreachable'), ['c'], 'remove', false, /leaves 1 of 2 .*needs 2 \(b is down\)/],
    ['remove the dead one', three('unreachable'), ['b'], 'remove', true, /leaves 2 of 2/],
    ['remove without quorum now', three('unreachable', 'unreachable'), ['b'], 'remove', false, /no quorum now \(1 of 3 .* 2 needed\): a membership change cannot commit/],
    ['remove the last member', [m('a')], ['a'], 'remove', false, /no voting member/],
    ['remove one of 5 with one down', [...three('unreachable'), m('d'), m('e')], ['a'], 'remove', true, /leaves 3 of 4 .*needs 3/],
  ];
  it.each(cases)('%s', (_name, members, targets, effect, allowed, reason) => {
    const verdict = quorumGuard(members, targets, effect);
    expect(verdict.allowed).toBe(allowed);
    expect(verdict.reason).toMatch(reason);
  });

  it('names an unknown member', () => {
    expect(() => quorumGuard(three(), ['zz'], 'restart')).toThrow(/no member named zz/);
  });
});

function state(name: string, health: MemberHealth, id: string, leaderId: string): MemberState {
  return {
    endpoint: `https://${name}:2379`,
    name,
    health,
    ...(health === 'ok'
      ? {
          last: {
            memberId: id, clusterId: 'c', version: '3.5.30', dbSize: 1, dbSizeInUse: 1, leaderId, raftTerm: 2, raftIndex: 9,
            raftAppliedIndex: 9, revision: 5, isLearner: false, errors: [], alarms: [], quorumRead: 'ok' as const, latencyMs: 1,
          },
        }
      : {}),
  };
}

describe('rolling restart order and guard', () => {
  it('goes down members first, then followers, the leader last', () => {
    const members = [state('c', 'ok', '3', '1'), state('a', 'ok', '1', '1'), state('b', 'ok', '2', '1')];
    expect(rollingOrder(members).map((x) => x.name)).toEqual(['b', 'c', 'a']);
    const withDown = [state('a', 'ok', '1', '1'), state('b', 'ok', '2', '1'), state('c', 'unreachable', '3', '1')];
    expect(rollingOrder(withDown).map((x) => x.name)).toEqual(['c', 'b', 'a']);
  });

  it('passes when members come back one by one, even with one down that is restarted first', () => {
    expect(guardRolling([state('a', 'ok', '1', '1'), state('b', 'ok', '2', '1'), state('c', 'ok', '3', '1')]).allowed).toBe(true);
    expect(guardRolling([state('a', 'ok', '1', '1'), state('b', 'ok', '2', '1'), state('c', 'unreachable', '3', '1')]).allowed).toBe(true);
  });

  it('with two of three down, the down ones go first (each is down already) and then count as up', () => {
    const verdict = guardRolling([state('a', 'ok', '1', '1'), state('b', 'timeout', '2', '1'), state('c', 'unreachable', '3', '1')]);
    expect(verdict.allowed).toBe(true);
  });

  it('refuses a single-member cluster: it is down while it restarts', () => {
    expect(guardRolling([state('a', 'ok', '1', '1')])).toEqual({ allowed: false, reason: expect.stringMatching(/leaves 0 of 1/) });
  });
});

describe('parseSize', () => {
  it.each([
    ['4GiB', 4 * 1024 ** 3],
    ['4G', 4 * 1024 ** 3],
    ['4GB', 4e9],
    ['512MiB', 512 * 1024 ** 2],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['4294967296', 4294967296],
    ['8gib', MAX_ADVISED_QUOTA],
  ])('%s = %d bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['', 'lots', '4 TB', '-1G', '0'])('refuses "%s"', (text) => expect(() => parseSize(text)).toThrow(/not a (size|usable quota)/));
});

describe('cluster tokens', () => {
  const now = new Date('2025-03-04T05:06:07.890Z');
  it('keeps the stem, adds a stamp and a random part, never stacks suffixes', () => {
    expect(stampOf(now)).toBe('20250304-050607');
    const first = newClusterToken('patroni-etcd-cluster', now, 'ab12');
    expect(first).toBe('patroni-etcd-cluster-20250304-050607-ab12');
    expect(newClusterToken(first, new Date('2025-03-05T00:00:00Z'), 'cd34')).toBe('patroni-etcd-cluster-20250305-000000-cd34');
    expect(first).toMatch(/^[A-Za-z0-9._-]+$/);
  });
});

const spec = (name: string, ip: string): NodeSpec => ({
  name, address: ip, dnsName: name, clientUrl: `https://${ip}:2379`, peerUrl: `https://${ip}:2380`,
});

describe('config patches', () => {
  const nodes = [spec('etcd-1', '10.0.0.1'), spec('etcd-2', '10.0.0.2')];
  const input: MemberConfigInput = {
    node: nodes[0]!, cluster: nodes, clusterToken: 'tok', state: 'new', dataDir: '/var/lib/etcd',
    pki: { ca: '/p/ca.crt', serverCert: '/p/s.crt', serverKey: '/p/s.key', peerCert: '/p/p.crt', peerKey: '/p/p.key' },
    tuning: RUNBOOK_TUNING, listenOnLocalhost: false,
  };

  it('changes only the given keys and renders exactly like renderMemberConfig', () => {
    const patched = patchConfigText(renderMemberConfig(input), { 'quota-backend-bytes': 4 * 1024 ** 3, 'initial-cluster-token': 'new-tok' });
    expect(patched).toBe(renderMemberConfig({ ...input, clusterToken: 'new-tok', tuning: { ...RUNBOOK_TUNING, quotaBackendBytes: 4 * 1024 ** 3 } }));
    expect(configValue(patched, 'quota-backend-bytes')).toBe(4 * 1024 ** 3);
    expect(parse(patched)['client-transport-security']['client-cert-auth']).toBe(true);
  });

  it('keeps comments an operator added', () => {
    const text = `# tuned by hand\nname: etcd-1\nquota-backend-bytes: 1 # small\n`;
    expect(patchConfigText(text, { 'quota-backend-bytes': 2 })).toBe(`# tuned by hand\nname: etcd-1\nquota-backend-bytes: 2 # small\n`);
  });

  it('refuses a config that is not YAML', () => {
    expect(() => patchConfigText('a: [1,', { b: 1 })).toThrow(/not valid YAML/);
  });

  it('writes initial-cluster like etcd wants it', () => {
    expect(initialClusterOf(nodes)).toBe('etcd-1=https://10.0.0.1:2380,etcd-2=https://10.0.0.2:2380');
  });
});

describe('restore commands on a node', () => {
  const local = { kind: 'local', root: '/r/etcd-1', spec: spec('etcd-1', '10.0.0.1'), owner: undefined } as unknown as NodeRuntime;
  const ssh = { kind: 'ssh', root: '', spec: spec('etcd-1', '10.0.0.1'), owner: 'etcd:etcd' } as unknown as NodeRuntime;
  const paths = restorePaths('20250304-050607');

  it('restores into a dir that must not exist yet, with the new token, never --skip-hash-check', () => {
    const cmd = restoreCommand(ssh, paths, { initialCluster: 'etcd-1=https://10.0.0.1:2380', token: 'tok-2' });
    expect(cmd).toBe(
      'if [ -e /var/lib/etcd.restore-20250304-050607 ]; then echo "/var/lib/etcd.restore-20250304-050607 exists already" >&2; exit 1; fi && ' +
        '/usr/local/bin/etcdutl snapshot restore /var/lib/etcd.restore-20250304-050607.snapshot.db --name etcd-1 ' +
        '--initial-cluster etcd-1=https://10.0.0.1:2380 --initial-cluster-token tok-2 --initial-advertise-peer-urls https://10.0.0.1:2380 ' +
        '--data-dir /var/lib/etcd.restore-20250304-050607 && chmod 700 /var/lib/etcd.restore-20250304-050607 && ' +
        'chown -R etcd:etcd /var/lib/etcd.restore-20250304-050607',
    );
    expect(cmd).not.toContain('skip-hash-check');
    expect(restoreCommand(local, paths, { initialCluster: 'x', token: 't' })).toContain(`"$NODE_ROOT"/usr/local/bin/etcdutl snapshot restore "$NODE_ROOT"/var/lib/etcd.restore-`);
  });

  it('keeps the old data dir aside instead of deleting it', () => {
    expect(swapCommand(ssh, paths)).toBe(
      'if [ -e /var/lib/etcd ]; then mv /var/lib/etcd /var/lib/etcd.before-restore-20250304-050607; fi && mv /var/lib/etcd.restore-20250304-050607 /var/lib/etcd',
    );
    expect(swapCommand(ssh, paths)).not.toMatch(/rm /);
  });
});

describe('CLI words', () => {
  it.each([
    [['restart', ['etcd-2']], { entry: { id: 'restart' }, member: 'etcd-2' }],
    [['rolling-restart', []], { entry: { id: 'rolling-restart' } }],
    [['restore', ['/s.db']], { entry: { id: 'restore' }, arg: '/s.db' }],
    [['rebootstrap', []], { entry: { id: 'rebootstrap' } }],
    [['member', ['replace', 'etcd-3']], { entry: { id: 'member-replace' }, member: 'etcd-3' }],
    [['quota', ['4GiB']], { entry: { id: 'quota' }, arg: '4GiB' }],
    [['move-leader', ['etcd-1']], { entry: { id: 'move-leader' }, member: 'etcd-1' }],
    [['alarm', ['disarm']], { entry: { id: 'alarm-disarm' } }],
    [['certs', ['rotate-ca']], { entry: { id: 'certs-rotate-ca' } }],
  ] as const)('%j', ([command, args], want) => {
    expect(parseVerb({ command, args: [...args] })).toMatchObject(want);
  });

  it('defrag names one member with --member, the cluster without', () => {
    expect(parseVerb({ command: 'defrag', args: [], member: 'etcd-2' })).toMatchObject({ entry: { id: 'defrag-member' }, member: 'etcd-2' });
    expect(parseVerb({ command: 'defrag', args: [] })).toMatchObject({ entry: { id: 'defrag-cluster' } });
  });

  it.each([
    ['restart', [], 'restart needs the name of the member to restart'],
    ['restart', ['a', 'b'], 'restart: unexpected argument "b"'],
    ['restore', [], 'restore needs the snapshot file'],
    ['member', ['add', 'x'], 'member takes replace NAME, not "add"'],
    ['member', ['replace'], 'member replace needs the name of the member to replace'],
    ['quota', ['huge'], 'quota: "huge" is not a size like 4GiB, 512MiB or 4294967296'],
    ['rolling-restart', ['now'], 'rolling-restart: unexpected argument "now"'],
  ])('%s %j: %s', (command, args, message) => {
    expect(() => parseVerb({ command, args })).toThrow(UsageError);
    expect(() => parseVerb({ command, args })).toThrow(message);
  });
});
