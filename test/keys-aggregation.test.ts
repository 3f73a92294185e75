import { describe, expect, it } from 'vitest';
import { displayPrefix, keyAfter, prefixAtDepth, prefixRangeEnd } from '../src/core/keys/key-prefix.js';
import { OTHER_PREFIXES, PrefixTally, topPrefixes } from '../src/core/keys/prefix-tally.js';
import { PAGE_LIMITS, nextPageLimit } from '../src/core/keys/page-size.js';
import { keysTopJson, keysTopTable, type KeysTopResult } from '../src/core/keys/keys-top-report.js';
import { chooseScanMember } from '../src/core/keys/scan-member.js';
import { commonPrefixLength, nextWindowLength, windowEnd } from '../src/core/keys/scan-window.js';
import type { MemberState } from '../src/core/cluster/types.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('prefixAtDepth', () => {
  it.each([
    ['/registry/pods/default/web-1', 2, '/registry/pods'],
    ['/registry/pods/default/web-1', 1, '/registry'],
    ['/registry/pods/default/web-1', 3, '/registry/pods/default'],
    ['/registry/pods/default/web-1', 16, '/registry/pods/default/web-1'],
    ['/registry', 2, '/registry'],
    ['registry/pods/x', 2, 'registry/pods'],
    ['plain', 1, 'plain'],
    ['/a//b', 2, '/a/'],
    ['/', 1, '/'],
    ['', 2, ''],
  ])('%s at depth %i is %s', (key, depth, expected) => {
    expect(displayPrefix(prefixAtDepth(b(key), depth))).toBe(expected);
  });

  it('keeps binary keys apart byte for byte', () => {
    const a = prefixAtDepth(Buffer.from([0x2f, 0xff, 0x2f, 0x01]), 1);
    const c = prefixAtDepth(Buffer.from([0x2f, 0xfe, 0x2f, 0x01]), 1);
    expect(a).not.toBe(c);
    expect(Buffer.from(a, 'latin1')).toEqual(Buffer.from([0x2f, 0xff]));
  });

  it('reads a key that is a slice of a larger buffer', () => {
    const whole = b('xxxx/app/cfg/1yyyy');
    expect(displayPrefix(prefixAtDepth(whole.subarray(4, 14), 2))).toBe('/app/cfg');
  });
});

describe('range bounds', () => {
  it('ends a prefix range the way etcdctl --prefix does', () => {
    expect(b2s(prefixRangeEnd(b('/registry/')))).toBe('/registry0');
    expect([...prefixRangeEnd(Buffer.from([0x61, 0xff]))]).toEqual([0x62]);
    expect([...prefixRangeEnd(Buffer.from([0xff, 0xff]))]).toEqual([0]);
    expect([...prefixRangeEnd(new Uint8Array())]).toEqual([0]);
  });
  it('starts the next page right after the last key', () => {
    expect([...keyAfter(b('ab'))]).toEqual([0x61, 0x62, 0]);
  });
});

describe('PrefixTally', () => {
  it('counts keys and key + value bytes per prefix', () => {
    const t = new PrefixTally(2);
    t.add(b('/registry/pods/a'), 10);
    t.add(b('/registry/pods/bb'), 20);
    t.add(b('/registry/events/e'), 100);
    expect(t.totalKeys).toBe(3);
    expect(t.totalBytes).toBe(16 + 10 + 17 + 20 + 18 + 100);
    expect(t.top(10).map((r) => [displayPrefix(r.prefix), r.keys, r.bytes])).toEqual([
      ['/registry/events', 1, 118],
      ['/registry/pods', 2, 63],
    ]);
    expect(t.top(10, 'count').map((r) => displayPrefix(r.prefix))).toEqual(['/registry/pods', '/registry/events']);
    expect(t.top(1)).toHaveLength(1);
  });

  it('merges tallies', () => {
    const a = new PrefixTally(1);
    const c = new PrefixTally(1);
    a.add(b('/x/1'), 1);
    c.add(b('/x/2'), 1);
    c.add(b('/y/1'), 5);
    a.merge(c);
    expect(a.totalKeys).toBe(3);
    expect(a.entries().find((r) => r.prefix === '/x')).toEqual({ prefix: '/x', keys: 2, bytes: 10 });
  });

  it('holds at most maxPrefixes rows and counts the rest as other prefixes', () => {
    const t = new PrefixTally(2, 3);
    for (let i = 0; i < 10; i++) t.add(b(`/p/${i}/x`), 0);
    t.add(b('/p/0/y'), 0);
    expect(t.prefixCount).toBe(3);
    expect(t.overflowed).toBe(true);
    expect(t.totalKeys).toBe(11);
    const other = t.entries().find((r) => r.prefix === OTHER_PREFIXES)!;
    expect(other.keys).toBe(7);
    expect(t.entries().find((r) => r.prefix === '/p/0')!.keys).toBe(2);
  });

  it('breaks ties by the other measure, then by name', () => {
    const rows = [
      { prefix: 'b', keys: 1, bytes: 5 },
      { prefix: 'a', keys: 1, bytes: 5 },
      { prefix: 'c', keys: 2, bytes: 5 },
    ];
    expect(topPrefixes(rows, 3, 'bytes').map((r) => r.prefix)).toEqual(['c', 'a', 'b']);
  });
});

describe('page size', () => {
  it('starts small and aims at about 1 MiB a page within bounds', () => {
    expect(nextPageLimit(0, 0)).toBe(PAGE_LIMITS.first);
    expect(nextPageLimit(64, 64 * 100)).toBe(PAGE_LIMITS.max);
    expect(nextPageLimit(64, 64 * 1024)).toBe(1024);
    expect(nextPageLimit(10, 10 * 1_500_000)).toBe(1);
  });
});

describe('report', () => {
  const result: KeysTopResult = {
    revision: '812',
    member: { name: 'etcd-2', role: 'follower' },
    depth: 2,
    sort: 'bytes',
    totalKeys: 1_200_000,
    totalBytes: 3_000_000,
    prefixCount: 2,
    overflowed: false,
    rows: [
      { prefix: '/registry/pods', keys: 200_000, bytes: 2_000_000 },
      { prefix: '/registry/events', keys: 1_000_000, bytes: 1_000_000 },
    ],
    pages: 120,
    ms: 4200,
  };
  it('prints a summary line and an aligned table with shares', () => {
    expect(keysTopTable(result).split('\n')).toEqual([
      'revision 812 · 1,200,000 keys · 3 MB · 2 prefixes at depth 2 · read from etcd-2 (follower) in 4.2 s',
      'PREFIX                 KEYS  BYTES  SHARE',
      '/registry/pods      200,000   2 MB    67%',
      '/registry/events  1,000,000   1 MB    33%',
    ]);
  });
  it('gives scripts plain numbers', () => {
    const json = keysTopJson(result);
    expect(json).toMatchObject({ revision: '812', member: 'etcd-2', totalKeys: 1_200_000, top: [{ prefix: '/registry/pods', keys: 200_000, bytes: 2_000_000 }, { keys: 1_000_000 }] });
  });
});

describe('chooseScanMember', () => {
  const member = (name: string, memberId: string, leaderId: string, health: MemberState['health'] = 'ok', isLearner = false): MemberState =>
    ({ endpoint: `https://${name}:2379`, name, health, last: { memberId, leaderId, isLearner } as MemberState['last'] }) as MemberState;
  it('prefers a healthy voting follower, then the leader', () => {
    expect(chooseScanMember([member('a', '1', '1'), member('b', '2', '1', 'timeout'), member('c', '3', '1', 'ok', true), member('d', '4', '1')])?.name).toBe('d');
    expect(chooseScanMember([member('a', '1', '1'), member('b', '2', '1', 'timeout')])).toMatchObject({ name: 'a', role: 'leader' });
    expect(chooseScanMember([{ endpoint: 'e', name: 'e', health: 'unknown' }])).toMatchObject({ name: 'e', role: 'unknown' });
  });
});

function b2s(u: Uint8Array): string {
  return Buffer.from(u).toString('latin1');
}

describe('scan windows', () => {
  const s = (u: Uint8Array): string => Buffer.from(u).toString('latin1');
  it('ends a window after the keys that share its first bytes, never past the scan end', () => {
    expect(s(windowEnd(b('/registry/pods/a'), 10, Uint8Array.of(0)))).toBe('/registry0');
    expect(s(windowEnd(b('/registry/pods/a'), 10, b('/registry/pods0')))).toBe('/registry/pods0');
    expect(s(windowEnd(b('/r'), 10, Uint8Array.of(0)))).toBe('/s');
    expect([...windowEnd(Buffer.from([0xff, 0xff]), 2, b('z'))]).toEqual([...b('z')]);
  });
  it('sizes the next window from the page spread, narrower when etcd counted many pages ahead', () => {
    expect(commonPrefixLength(b('/registry/k0/ns-0/o'), b('/registry/k0/ns-14/o'))).toBe(16);
    expect(nextWindowLength(0, b('/registry/k0/ns-0/o'), b('/registry/k0/ns-14/o'), 100, 50)).toBe(17);
    expect(nextWindowLength(20, b('/registry/k0/ns-0/o'), b('/registry/k0/ns-14/o'), 1000, 50)).toBe(21);
  });
});
