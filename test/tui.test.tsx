import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { render as inkTestingRender } from 'ink-testing-library';
import { startWatchedCluster, testRunner, type TestCluster, type WatchedCluster } from './helpers/watched-cluster.js';
import { KEYS, renderAt, tick } from './helpers/render.js';
import { Root } from '../src/ui/Root.js';
import { createCockpitStore, type CockpitStore } from '../src/state/store.js';
import { chooseTheme, loadTheme } from '../src/ui/theme.js';
import { ACTIONS } from '../src/ui/actions.js';
import { actionKeysLabel } from '../src/ui/keys.js';
import type { MemberSample } from '../src/core/cluster/types.js';
import chalk from 'chalk';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

let cluster: TestCluster;
let store: CockpitStore;

let watched: WatchedCluster;
beforeAll(async () => {
  watched = await startWatchedCluster('test');
  ({ cluster, store } = watched);
});
afterAll(async () => {
  await watched?.stop();
});

const dark = loadTheme('dark');
const ANSI_COLOUR = /\x1b\[(3\d|9\d|38;)/;

function countMatches(text: string, re: RegExp): number {
  return (text.match(re) ?? []).length;
}

describe('the live view on a real cluster', () => {
  it('shows a pane per member with exactly one leader at 120x40', () => {
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    const frame = ui.lastFrame();
    ui.unmount();
    for (const n of cluster.nodes) expect(frame).toContain(n.name);
    expect(countMatches(frame, /★ leader/g)).toBe(1);
    expect(frame).toMatch(/3\/3 answering/);
    expect(frame).toMatch(/quorum OK · tolerates 1/);
    expect(frame).toMatch(/quota\s+0(\.0)?% of 2 GiB/);
  });

  it('draws 15-minute sparklines in wide panes', async () => {
    const { addPoint, emptyHistory } = await import('../src/state/history.js');
    const endpoint = store.getState().order[0]!;
    let h = emptyHistory();
    const m = store.getState().members[endpoint]!;
    for (let i = 0; i < 10; i++) h = addPoint(h, { ...m, last: { ...m.last!, dbSize: 10_000 * (i + 1), raftIndex: 100 * i * i } }, i * 30_000);
    store.setState({ history: { [endpoint]: h } });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    const frame = ui.lastFrame();
    ui.unmount();
    store.setState({ history: {} });
    expect(frame).toMatch(/db 15m\s+▁[▁-█]{8}█\s+100 kB/);
    expect(frame).toMatch(/writes\/s\s+[▁-█ ]+\s+\d+/);
  });

  it('fits 80x24: compact panes, every line within 80 columns, nothing past row 23', () => {
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 80, rows: 24 });
    const lines = ui.lastFrame().split('\n');
    ui.unmount();
    expect(lines.length).toBeLessThanOrEqual(23);
    expect(Math.max(...lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').length))).toBeLessThanOrEqual(80);
    expect(countMatches(lines.join('\n'), /★ leader/g)).toBe(1);
    expect(lines.at(-1)).toContain('? help');
  });

  it('follows a live resize from 200x60 down to 80x24', async () => {
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 200, rows: 60 });
    expect(ui.lastFrame()).toContain('endpoint'); // wide panes list fields by label
    await ui.resize(80, 24);
    const small = ui.lastFrame();
    ui.unmount();
    expect(small).not.toContain('endpoint ');
    expect(small.split('\n').length).toBeLessThanOrEqual(23);
  });

  it('is rendered by ink-testing-library as well (100 columns)', () => {
    const { lastFrame, unmount } = inkTestingRender(<Root store={store} theme={dark} onQuit={() => {}} />);
    const frame = lastFrame() ?? '';
    unmount();
    expect(countMatches(frame, /★ leader/g)).toBe(1);
  });
});

describe('keys come from the action registry', () => {
  it('? opens help listing every action with its keys; Esc closes it', async () => {
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    await ui.press('?');
    // At 120x40 the list may be longer than the screen: page down to its end, as an operator would.
    let help = ui.lastFrame();
    for (let page = 0; page < 5 && help.includes('more below'); page++) {
      await ui.press('\x1b[6~');
      help += ui.lastFrame();
    }
    await ui.press(KEYS.escape);
    for (const action of ACTIONS) {
      expect(help).toContain(action.label);
      expect(help).toContain(actionKeysLabel(action));
    }
    await tick(80);
    expect(ui.lastFrame()).not.toContain('Keys');
    ui.unmount();
  });

  it('the footer shows the registry footer actions', () => {
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    const footer = ui.lastFrame().split('\n').at(-1) ?? '';
    ui.unmount();
    for (const a of ACTIONS.filter((x) => x.footer)) expect(footer).toContain(a.hint ?? a.label);
  });

  it('arrows, Tab and h/l move the selection', async () => {
    store.setState({ selected: 0 });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    await ui.press(KEYS.right);
    expect(store.getState().selected).toBe(1);
    await ui.press('l');
    expect(store.getState().selected).toBe(2);
    await ui.press(KEYS.tab);
    expect(store.getState().selected).toBe(0);
    await ui.press('h');
    expect(store.getState().selected).toBe(2);
    ui.unmount();
  });

  it('/ filters members by name; arrows stay among them; Esc clears', async () => {
    store.setState({ selected: 0 });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    await ui.press('/');
    await ui.press('2');
    await ui.press('\r');
    const filtered = ui.lastFrame();
    expect(filtered).toContain('etcd-2');
    expect(filtered).not.toMatch(/etcd-[13] (★|follower)/);
    expect(filtered).toContain('/2 (1 of 3 members');
    await ui.press(KEYS.right);
    expect(store.getState().members[store.getState().order[store.getState().selected]!]!.name).toBe('etcd-2');
    await ui.press(KEYS.escape);
    await tick(80);
    expect(ui.lastFrame()).toContain('etcd-1');
    ui.unmount();
  });

  it('q quits', async () => {
    let quit = false;
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => (quit = true)} />, { columns: 120, rows: 40 });
    await ui.press('q');
    ui.unmount();
    expect(quit).toBe(true);
  });
});

describe('states and themes', () => {
  const sample = (id: string, leader: string): MemberSample => ({
    memberId: id, clusterId: 'c', version: '3.5.30', dbSize: 1000, dbSizeInUse: 900, leaderId: leader, raftTerm: 2,
    raftIndex: 10, raftAppliedIndex: 10, revision: 5, isLearner: false, errors: [], alarms: [], quorumRead: 'ok', latencyMs: 3,
  });

  it('a down member says why and since when, and the header counts it', async () => {
    const s = createCockpitStore({ clusterName: 'x', members: [{ endpoint: 'a', name: 'a' }, { endpoint: 'b', name: 'b' }, { endpoint: 'c', name: 'c' }] });
    s.getState().applyProbe('a', { ok: true, sample: sample('1', '1') }, Date.now());
    s.getState().applyProbe('b', { ok: true, sample: sample('2', '1') }, Date.now());
    s.getState().applyProbe('c', { ok: true, sample: sample('3', '1') }, Date.now() - 5000);
    s.getState().applyProbe('c', { ok: false, kind: 'unreachable', reason: 'connection refused at 10.0.0.3:2379 (etcd not running or not listening there)' }, Date.now() - 4000);
    const ui = renderAt(<Root store={s} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    const frame = ui.lastFrame();
    ui.unmount();
    expect(frame).toContain('2/3 answering');
    expect(frame).toContain('quorum OK · tolerates 0');
    expect(frame).toContain('DOWN');
    expect(frame).toContain('connection refused at 10.0.0.3:2379');
    expect(frame).toMatch(/down since \d\d:\d\d:\d\d \([45]s\)/);
  });

  it('an alarm shows in the header', () => {
    const s = createCockpitStore({ clusterName: 'x', members: [{ endpoint: 'a', name: 'a' }] });
    s.getState().applyProbe('a', { ok: true, sample: { ...sample('1', '1'), alarms: ['NOSPACE'] } }, Date.now());
    const ui = renderAt(<Root store={s} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    const frame = ui.lastFrame();
    ui.unmount();
    expect(frame).toContain('ALARM NOSPACE on a');
  });

  it('NO_COLOR gives the monochrome theme: no colour codes, while the dark theme does colour', () => {
    const level = chalk.level;
    chalk.level = 3; // as on a colour terminal; under test Ink would otherwise drop every colour
    try {
      const theme = chooseTheme({ NO_COLOR: '1' });
      expect(theme.monochrome).toBe(true);
      const mono = renderAt(<Root store={store} theme={theme} onQuit={() => {}} />, { columns: 120, rows: 40 });
      const monoFrame = mono.lastFrame();
      mono.unmount();
      expect(monoFrame).not.toMatch(ANSI_COLOUR);
      expect(countMatches(monoFrame, /★ leader/g)).toBe(1);

      const colour = renderAt(<Root store={store} theme={chooseTheme({})} onQuit={() => {}} />, { columns: 120, rows: 40 });
      const colourFrame = colour.lastFrame();
      colour.unmount();
      expect(colourFrame).toMatch(ANSI_COLOUR);
    } finally {
      chalk.level = level;
    }
  });

  it('a broken theme file is refused with a clear error', () => {
    expect(() => loadTheme('no-such-theme')).toThrow(/theme no-such-theme: no such theme/);
  });
});

describe('mutating actions: one confirmation path', () => {
  const auditDirs: string[] = [];
  afterAll(() => {
    for (const dir of auditDirs) rmSync(dir, { recursive: true, force: true });
  });
  function auditFile(): string {
    const dir = mkdtempSync(join(tmpdir(), 'cockpit-audit-'));
    auditDirs.push(dir);
    return join(dir, 'audit.log');
  }

  function runnerFor(auditPath: string, on: CockpitStore = store) {
    return testRunner(watched, { audit: auditPath, cluster: 'test', snapshotDir: join(dirname(auditPath), 'snapshots'), on });
  }

  it('asks with Cancel focused; Enter there cancels and the audit log says so', async () => {
    const audit = auditFile();
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} operations={runnerFor(audit)} />, { columns: 120, rows: 40 });
    await ui.press('D');
    const dialog = ui.lastFrame();
    expect(dialog).toContain('defrag cluster');
    expect(dialog).toContain('[ Cancel ]');
    expect(dialog).not.toContain('[ Confirm ]');
    await ui.press('\r');
    expect(store.getState().confirm).toBeUndefined();
    expect(ui.lastFrame()).toContain('defrag cluster: cancelled, nothing was changed');
    ui.unmount();
    expect(JSON.parse(readFileSync(audit, 'utf8').trim())).toMatchObject({ action: 'defrag', result: 'cancelled' });
  });

  it('Tab then Enter runs it; progress shows in the events pane', async () => {
    const audit = auditFile();
    store.setState({ selected: 0 });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} operations={runnerFor(audit)} />, { columns: 120, rows: 40 });
    await ui.press('d');
    await ui.press(KEYS.tab);
    expect(ui.lastFrame()).toContain('[ Confirm ]');
    await ui.press('\r');
    for (let i = 0; i < 100 && !ui.lastFrame().includes(': done'); i++) await tick(50);
    const frame = ui.lastFrame();
    ui.unmount();
    expect(frame).toMatch(/defrag etcd-\d: done/);
    expect(frame).toMatch(/etcd-\d: .* -> .* in \d+ ms/);
  });

  it('what cannot be undone needs the typed cluster name', async () => {
    const audit = auditFile();
    const runner = runnerFor(audit);
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} operations={runner} />, { columns: 120, rows: 40 });
    await ui.press('N');
    // The backup is planned (the snapshot folder looked at) before the question opens.
    for (let i = 0; i < 100 && !ui.lastFrame().includes('Type test'); i++) await tick(30);
    expect(ui.lastFrame()).toContain('Type test and press Enter');
    expect(ui.lastFrame()).toMatch(/Backup first: a snapshot of etcd-\d into/);
    await ui.press('tes');
    await ui.press('\r'); // wrong name: nothing happens
    expect(store.getState().confirm).toBeDefined();
    await ui.press(KEYS.escape);
    await tick(80);
    expect(store.getState().confirm).toBeUndefined();
    ui.unmount();
  });

  it('arrows pressed fast arrive in one chunk: each counts, and the action aims at the member they reached', async () => {
    store.setState({ selected: 0, confirm: undefined });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} operations={runnerFor(auditFile())} />, { columns: 120, rows: 40 });
    await ui.press(`${KEYS.down}${KEYS.down}d`); // one write, as a terminal sends it
    expect(store.getState().confirm?.request.target).toBe(cluster.nodes[2]!.name);
    expect(ui.lastFrame()).toContain(`defrag ${cluster.nodes[2]!.name}`);
    await ui.press('\r'); // Cancel is focused
    await ui.press(`${KEYS.down}${KEYS.up}${KEYS.down}\x1bOBd`); // SS3 arrows too: 2 -> 0 -> 2 -> 0 -> 1
    expect(store.getState().confirm?.request.target).toBe(cluster.nodes[1]!.name);
    await ui.press(KEYS.escape);
    ui.unmount();
  });

  it('the same through ink-testing-library stdin: one write of two arrows and the key', async () => {
    store.setState({ selected: 0, confirm: undefined });
    const { stdin, lastFrame, unmount } = inkTestingRender(<Root store={store} theme={dark} onQuit={() => {}} operations={runnerFor(auditFile())} />);
    await tick();
    stdin.write('\x1b[C\x1b[CL');
    await tick(60);
    const frame = lastFrame() ?? '';
    const target = store.getState().confirm?.request.target;
    if (store.getState().confirm) stdin.write('\x1b');
    await tick();
    unmount();
    // L (move leader) unless etcd-3 already leads; either way the third member is the one named.
    const third = cluster.nodes[2]!.name;
    if (target) expect(target).toBe(third);
    else expect(store.getState().events.at(-1)?.text).toContain(`${third} is already the leader`);
    expect(frame).toContain(third);
  });

  it('--read-only: no mutating action in help, and their keys do nothing', async () => {
    const ro = createCockpitStore({ clusterName: 'ro', members: cluster.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name })), readOnly: true });
    for (const [endpoint, member] of Object.entries(store.getState().members)) {
      if (member.last) ro.getState().applyProbe(endpoint, { ok: true, sample: member.last }, Date.now());
    }
    // With a runner: were the keys not blocked, a confirmation would open.
    const ui = renderAt(<Root store={ro} theme={dark} onQuit={() => {}} operations={runnerFor(auditFile(), ro)} />, { columns: 120, rows: 40 });
    await ui.press('?');
    const help = ui.lastFrame();
    for (const a of ACTIONS.filter((x) => x.dangerous)) expect(help).not.toContain(a.label);
    expect(help).toContain('read-only mode');
    await ui.press(KEYS.escape);
    for (const key of ['d', 'D', 'c', 'L', 'A', 'N']) {
      await ui.press(key);
      expect(ro.getState().confirm, `${key} in read-only mode`).toBeUndefined();
    }
    expect(ui.lastFrame()).toContain('READ-ONLY');
    ui.unmount();
  });
});

describe('themes', () => {
  it.each(['dark', 'light', 'high-contrast', 'monochrome'])('%s loads with every token', (name) => {
    const theme = loadTheme(name);
    expect(theme.name).toBe(name);
    if (name !== 'monochrome') for (const token of ['healthy', 'warning', 'critical', 'leader', 'focus'] as const) expect(theme.color(token)).toBeTruthy();
  });

  it('--theme with a name that is not a theme says which ones exist', () => {
    expect(() => loadTheme('../etc/passwd')).toThrow(/a theme is a name like dark, light, high-contrast or monochrome/);
    expect(() => chooseTheme({}, 'neon')).toThrow('theme neon: no such theme (themes: dark, high-contrast, light, monochrome)');
  });

  it('NO_COLOR wins over --theme', () => {
    expect(chooseTheme({ NO_COLOR: '1' }, 'light').name).toBe('monochrome');
  });
});

describe('ASCII-only terminals', () => {
  it('every glyph of a full frame has an ASCII stand-in of the same width', async () => {
    const { toAscii } = await import('../src/ui/ascii-output.js');
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    await ui.press('?');
    const frames = [ui.lastFrame()];
    await ui.press(KEYS.escape);
    await tick(60);
    frames.push(ui.lastFrame());
    ui.unmount();
    for (const frame of frames) {
      const ascii = toAscii(frame.replace(/\x1b\[[0-9;]*m/g, ''));
      expect(ascii).toMatch(/^[\x00-\x7f]*$/);
      const unmapped = [...new Set([...frame].filter((ch) => ch > '\x7f' && toAscii(ch) === '?'))];
      expect(unmapped).toEqual([]);
      expect(ascii.split('\n').map((l) => l.length)).toEqual(frame.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => [...l].length));
    }
  });

  it.each([
    [false, {}, false],
    [true, {}, true],
    [false, { LANG: 'C' }, true],
    [false, { LANG: 'en_US.UTF-8' }, false],
    [false, { LC_ALL: 'POSIX', LANG: 'en_US.UTF-8' }, true],
    [false, { ETCD_COCKPIT_ASCII: '1' }, true],
  ])('--ascii %s with %j -> %s', async (flag, env, ascii) => {
    const { wantsAscii } = await import('../src/ui/ascii-output.js');
    expect(wantsAscii(flag, env)).toBe(ascii);
  });
});
