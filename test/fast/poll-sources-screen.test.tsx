// Fast tier: a failing poll source (member list, metrics, certificates) on screen, from a fixture store. Our state and
// wording; the poller's own backoff against real members is tested in test/poll-sources.test.ts and the tui tests.
import { afterEach, describe, expect, it } from 'vitest';
import { Root } from '../../src/ui/Root.js';
import { loadTheme } from '../../src/ui/theme.js';
import { formatClock } from '../../src/core/format/time.js';
import { fixtureStore } from '../fakes/fixture-store.js';
import { plainText, renderAt } from '../helpers/render.js';

const dark = loadTheme('dark');
const ERROR = 'etcd-2: /metrics timed out after 2000 ms';
let ui: ReturnType<typeof renderAt> | undefined;
afterEach(() => ui?.unmount());

describe('fake cluster: poll-source states on screen', () => {
  it('failing since, backing off with the next try, then read again', async () => {
    const store = fixtureStore();
    const t0 = Date.now();
    const size = { columns: 120, rows: 40 };
    ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, size);

    store.getState().recordSource('metrics', { error: ERROR }, t0, 1000);
    let frame = plainText(await ui.waitFor('metrics failing since'));
    expect(frame.split('\n')[1]).toBe(`metrics failing since ${formatClock(t0)}, backing off: next try ${formatClock(t0 + 2000)} (1 failure: ${ERROR})`);
    // The events pane says it once (cut to the width here: the audit timeline keeps the whole line).
    expect(frame).toContain(`metrics: cannot be read since ${formatClock(t0)} (${ERROR}); fsync, commit, RTT`);
    expect(store.getState().events.at(-1)!.text).toMatch(/figures are stale; next try in 2 s$/);

    // Failing again: the wait doubles, the banner says it; the events pane does not repeat itself.
    store.getState().recordSource('metrics', { error: ERROR }, t0 + 2000, 1000);
    frame = plainText(await ui.waitFor('2 failures'));
    expect(frame).toContain(`next try ${formatClock(t0 + 2000 + 4000)} (2 failures`);
    expect(frame.match(/metrics: cannot be read since/g)).toHaveLength(1);

    // Two sources at once: a line each.
    store.getState().recordSource('certificates', { error: 'etcd-3: TLS handshake timed out' }, t0 + 2500, 1000);
    frame = plainText(await ui.waitFor('certificates failing since'));
    expect(frame.split('\n').slice(1, 3).map((l) => l.split(' since')[0])).toEqual(['metrics failing', 'certificates failing']);

    store.getState().recordSource('metrics', {}, t0 + 6000, 1000);
    store.getState().recordSource('certificates', {}, t0 + 6000, 1000);
    frame = plainText(await ui.waitFor('metrics: read again after 6 s of failures'));
    expect(frame).not.toContain('failing since');
    expect(frame.split('\n')[1]).not.toMatch(/backing off/);
  });

  it('at 80x24 the banner is one line cut to the width and the screen still fits', async () => {
    const store = fixtureStore();
    const size = { columns: 80, rows: 24 };
    ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, size);
    store.getState().recordSource('member list', { error: 'etcdserver: request timed out' }, Date.now(), 5000);
    const lines = plainText(await ui.waitFor('member list failing since')).split('\n');
    expect(lines.length).toBeLessThanOrEqual(size.rows - 1);
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(size.columns);
    expect(lines[1]).toMatch(/^member list failing since \d\d:\d\d:\d\d, backing off: next try \d\d:\d\d:\d\d/);
    expect(lines.at(-1)).toContain('? help');
  });
});
