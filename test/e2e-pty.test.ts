import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster } from './helpers/cluster.js';
import { BIN } from './helpers/cli.js';
import { PtyScreen } from './helpers/pty-screen.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;
let cluster: Cluster;
let screen: PtyScreen | undefined;

beforeAll(async () => {
  cluster = await startTestCluster();
});
afterAll(async () => {
  screen?.kill();
  await cluster?.cleanup();
});

function env(): Record<string, string> {
  const e: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TERM: 'xterm-256color' };
  return e; // no CI variable: this is an interactive terminal
}

const header = (s: string): string => s.split('\n')[0] ?? '';

/**
 * Opens and closes help five times; the median time until the screen answers
 * must be under 100 ms (one slow press on a busy 2-core machine is not the
 * program's doing, a slow median is).
 */
async function expectKeysAnswer(s: PtyScreen): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    times.push(await s.typeAndTime('?', 'Keys', 1000));
    s.type('\x1b');
    await s.waitFor((text) => !text.includes('Keys'), 1000, 'help closed');
  }
  times.sort((a, b) => a - b);
  expect(times[2]).toBeLessThan(100);
  expect(times[4]).toBeLessThan(500);
}

describe('the built command in a real pseudo-terminal against a real cluster', () => {
  it('shows 3 panes and one leader, a killed member within 3 s, answers keys during a hang, and recovers', async () => {
    screen = new PtyScreen(process.execPath, [BIN, '-f', cluster.inventoryPath], { columns: 120, rows: 40, env: env() });

    await screen.waitFor((s) => /3\/3 answering/.test(header(s)) && (s.match(/★ leader/g) ?? []).length === 1, 10_000, 'first frame with 3 healthy members');
    const first = screen.text();
    for (const n of cluster.nodes) expect(first).toContain(n.name);

    const leaderName = cluster.nodes.map((n) => n.name).find((name) => new RegExp(`${name} ★ leader`).test(first))!;
    const followers = cluster.nodes.map((n) => n.name).filter((n) => n !== leaderName);
    const [killed, stopped] = [followers[0]!, followers[1]!];

    cluster.members.get(killed)!.signal('SIGKILL');
    const downAfter = await screen.waitFor(
      (s) => /2\/3 answering/.test(header(s)) && /quorum OK/.test(header(s)) && /DOWN/.test(s),
      3000,
      `${killed} shown down with quorum OK 2/3`,
    );
    expect(downAfter).toBeLessThan(3000);

    cluster.members.get(stopped)!.signal('SIGSTOP');
    try {
      await expectKeysAnswer(screen);

      await screen.waitFor((s) => /quorum LOST/.test(header(s)), 8000, 'quorum LOST in the header');
      // Keys still answer quickly while two members are gone.
      await expectKeysAnswer(screen);
    } finally {
      cluster.members.get(stopped)!.signal('SIGCONT');
    }
    await screen.waitFor((s) => /2\/3 answering/.test(header(s)) && /quorum OK/.test(header(s)), 10_000, `${stopped} back by itself`);
    await cluster.members.get(killed)!.start(); // whole again for the tests after this one

    screen.type('q');
    expect(await screen.waitForExit(5000)).toBe(0);
    expect(screen.raw).toContain('\x1b[?1049h');
    expect(screen.raw.lastIndexOf('\x1b[?1049l')).toBeGreaterThan(screen.raw.lastIndexOf('\x1b[?1049h'));
  });

  it('leaves the alternate screen on SIGTERM too', async () => {
    const s = new PtyScreen(process.execPath, [BIN, '-f', cluster.inventoryPath], { columns: 80, rows: 24, env: env() });
    try {
      await s.waitFor((text) => /answering/.test(header(text)), 10_000, 'first frame');
      process.kill(s.pid, 'SIGTERM');
      await s.waitForExit(5000);
      expect(s.raw.lastIndexOf('\x1b[?1049l')).toBeGreaterThan(s.raw.lastIndexOf('\x1b[?1049h'));
    } finally {
      s.kill();
    }
  });

  it('fast arrows sent in one write each count: the confirmation names the member they reached; Ctrl-L repaints a scribbled screen', async () => {
    const s = new PtyScreen(process.execPath, [BIN, '-f', cluster.inventoryPath], { columns: 80, rows: 24, env: env() });
    try {
      // The first test killed and restarted a member: under load it may still be rejoining.
      await s.waitFor((text) => /3\/3 answering/.test(header(text)), 30_000, 'all three answering');
      const third = cluster.nodes[2]!.name;
      s.type('\x1b[B\x1b[Bd'); // one write: down, down, defrag
      await s.waitFor((text) => text.includes(`defrag ${third}`) && text.includes('[ Cancel ]'), 5000, `the confirmation for ${third}`);
      s.type('\x1b');
      await s.waitFor((text) => !text.includes('[ Cancel ]'), 5000, 'the confirmation closed');

      // Something else wrote over the screen (a wall message): Ctrl-L clears it and draws everything again.
      (s as unknown as { term: { write(data: string): void } }).term.write('\x1b[5;1HBroadcast message from root: SCRIBBLE\x1b[1;1HSCRIBBLE');
      await s.waitFor((text) => text.includes('SCRIBBLE'), 2000, 'the scribble on screen');
      s.type('\x0c');
      await s.waitFor((text) => !text.includes('SCRIBBLE') && /3\/3 answering/.test(header(text)) && text.includes('? help'), 5000, 'a clean full screen after Ctrl-L');
      s.type('q');
      expect(await s.waitForExit(5000)).toBe(0);
    } finally {
      s.kill();
    }
  });
});
