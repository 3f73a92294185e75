import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseCli } from '../src/cli/args.js';
import { MIN_FREE_BYTES_RANGE, MIN_FREE_PERCENT_RANGE } from '../src/cli/numbers.js';
import { AUTO_DEFRAG_DEFAULTS } from '../src/core/operations/defrag-plan.js';
import { defragReport, formatDefragReport, skippedOutcomes } from '../src/core/operations/defrag-report.js';

describe('defrag --auto on the command line', () => {
  it('takes the defaults, and the operator’s thresholds', () => {
    expect(parseCli(['defrag', '--auto']).autoDefrag).toEqual(AUTO_DEFRAG_DEFAULTS);
    expect(parseCli(['defrag', '--auto', '--cluster']).autoDefrag).toEqual(AUTO_DEFRAG_DEFAULTS);
    expect(parseCli(['defrag', '--auto', '--min-free-percent', '30', '--min-free-bytes', '1GiB']).autoDefrag).toEqual({
      minFreeRatio: 0.3,
      minFreeBytes: 1024 ** 3,
    });
    expect(parseCli(['defrag', '--auto', '--min-free-percent', '99%', '--min-free-bytes', '100MB']).autoDefrag).toEqual({
      minFreeRatio: 0.99,
      minFreeBytes: 100_000_000,
    });
    expect(parseCli(['defrag', '--auto', '--min-free-bytes', '0']).autoDefrag?.minFreeBytes).toBe(0);
    expect(parseCli(['defrag']).autoDefrag).toBeUndefined();
  });

  it.each([
    [['defrag', '--min-free-percent', '30'], '--min-free-percent only applies to defrag --auto'],
    [['defrag', '--min-free-bytes', '1GiB'], '--min-free-bytes only applies to defrag --auto'],
    [['compact', '--auto'], '--auto only applies to defrag, not to compact'],
    [['defrag', '--auto', '--member', 'etcd-1'], 'defrag: --auto (every member where it is worth it) and --member NAME (this one) contradict each other; give one'],
    [['defrag', '--auto', '--force'], 'defrag: --auto (only where it is worth it) and --force (even where it is not) contradict each other; give one'],
    [['defrag', '--auto', '--min-free-percent', '0'], '--min-free-percent 0 is out of range (1 to 99)'],
    [['defrag', '--auto', '--min-free-percent', '100'], '--min-free-percent 100 is out of range (1 to 99)'],
    [['defrag', '--auto', '--min-free-percent', '45.5'], '--min-free-percent must be a whole percentage like 45 (1 to 99), not "45.5"'],
    [['defrag', '--auto', '--min-free-percent', '-5'], '--min-free-percent -5: negative values are not accepted (1 to 99)'],
    [['defrag', '--auto', '--min-free-bytes', '9GiB'], '--min-free-bytes 9GiB is too large (0 to 8GiB)'],
    [['defrag', '--auto', '--min-free-bytes', '100 parsecs'], '--min-free-bytes must be a size like 100MB, 512MiB or 1GiB (0 to 8GiB), not "100 parsecs"'],
    [['defrag', '--auto', '--min-free-bytes', '-1MB'], '--min-free-bytes -1MB: negative values are not accepted (0 to 8GiB)'],
    [['defrag', '--auto', '--min-free-byte', '1MB'], 'unknown option --min-free-byte (did you mean --min-free-bytes?)'],
    [['defrag', '--auto', '--min-free-percent', ''], '--min-free-percent'],
  ])('%j is refused', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });

  it('the README lists both ranges as the code enforces them', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`| \`--min-free-percent\` | ${MIN_FREE_PERCENT_RANGE.default} | ${MIN_FREE_PERCENT_RANGE.min} to ${MIN_FREE_PERCENT_RANGE.max} percent (defrag --auto) |`);
    expect(MIN_FREE_BYTES_RANGE.max).toBe(8 * 1024 ** 3);
    expect(readme).toContain(`| \`--min-free-bytes\` | ${MIN_FREE_BYTES_RANGE.default} | 0 to 8GiB (defrag --auto) |`);
  });
});

describe('the defrag report', () => {
  const MB = 1_000_000;
  const outcomes = [
    { name: 'etcd-2', wasLeader: false, before: 60 * MB, after: 12 * MB, ms: 310 },
    { name: 'etcd-3', wasLeader: false, skipped: 'not worth it: 10% free (needs 45%)' },
    { name: 'etcd-1', wasLeader: true, before: 61 * MB, after: 12.5 * MB, ms: 12_400 },
  ];

  it('has a stable JSON shape: order, before, after, reclaimed, time, or why skipped', () => {
    const report = defragReport('prod', AUTO_DEFRAG_DEFAULTS, outcomes);
    expect(report).toEqual({
      cluster: 'prod',
      policy: { minFreePercent: 45, minFreeBytes: 100 * MB },
      reclaimedBytes: 96.5 * MB,
      members: [
        { name: 'etcd-2', order: 1, wasLeader: false, defragmented: true, beforeBytes: 60 * MB, afterBytes: 12 * MB, reclaimedBytes: 48 * MB, ms: 310, skipped: null },
        { name: 'etcd-3', order: 2, wasLeader: false, defragmented: false, beforeBytes: null, afterBytes: null, reclaimedBytes: null, ms: null, skipped: 'not worth it: 10% free (needs 45%)' },
        { name: 'etcd-1', order: 3, wasLeader: true, defragmented: true, beforeBytes: 61 * MB, afterBytes: 12.5 * MB, reclaimedBytes: 48.5 * MB, ms: 12_400, skipped: null },
      ],
    });
    expect(defragReport('prod', undefined, []).policy).toBeNull();
  });

  it('prints a table with a row per member and the total', () => {
    expect(formatDefragReport(defragReport('prod', AUTO_DEFRAG_DEFAULTS, outcomes)).split('\n')).toEqual([
      'member  role      before  after    reclaimed  time    result',
      'etcd-2  follower  60 MB   12 MB    48 MB      0.31 s  defragmented',
      'etcd-3  follower  -       -        -          -       skipped: not worth it: 10% free (needs 45%)',
      'etcd-1  leader    61 MB   12.5 MB  48.5 MB    12 s    defragmented',
      '2 defragmented, 96.5 MB reclaimed',
    ]);
  });

  it('says nothing was defragmented, and why, when no member was worth it', () => {
    const steps = [
      { endpoint: 'e1', name: 'etcd-1', memberId: '1', wasLeader: false, reclaimable: 0, skip: 'not worth it: 0% free (needs 45%)' },
      { endpoint: 'e2', name: 'etcd-2', memberId: '2', wasLeader: true, reclaimable: 0, skip: 'not worth it: 0% free (needs 45%)' },
    ];
    const text = formatDefragReport(defragReport('prod', AUTO_DEFRAG_DEFAULTS, skippedOutcomes(steps)));
    expect(text).toContain('etcd-1  follower  -       -      -          -     skipped: not worth it: 0% free (needs 45%)');
    expect(text.split('\n').at(-1)).toBe('nothing defragmented');
  });
});
