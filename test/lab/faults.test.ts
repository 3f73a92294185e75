/**
 * Real host faults on three systemd hosts, each shown in plain words by
 * `etcd-cockpit status` (or, for SSH faults, by the commands that use SSH and
 * the live view's events) within seconds, with nothing else broken, and
 * recovery once the fault goes away: a partition (veth down), a crash (the
 * container's PID 1 killed), a reboot, a full data disk (etcd-3's data dir is a
 * 160 MB tmpfs), a changed SSH host key, sudo that asks for a password, and
 * an SSH key the host no longer accepts.
 */
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PtyScreen } from '../helpers/pty-screen.js';
import { keygenFingerprint } from '../helpers/sshd.js';
import { BIN, cockpit, etcdctl, runbookFromEmpty, startTestLab, until, type Lab } from './fixture.js';
import { newHostKey } from './host.js';

let lab: Lab;
let screen: PtyScreen | undefined;

beforeAll(async () => {
  lab = await startTestLab({ tmpfs: { 'etcd-3': '/var/lib/etcd:size=160M' } });
  const r = await runbookFromEmpty(lab);
  expect(r.code, r.stderr).toBe(0);
}, 900_000);

afterAll(async () => {
  screen?.kill();
  await lab?.down();
}, 60_000);

/** `status` as printed: the summary line and each member's row. */
async function status(): Promise<{ summary: string; row: (name: string) => string; text: string }> {
  const r = await cockpit(lab, ['status', '-f', lab.inventoryPath]);
  const lines = r.stdout.split('\n');
  return { summary: lines[0] ?? '', row: (name) => lines.find((l) => l.startsWith(`${name} `)) ?? '', text: r.stdout };
}

const healthyRow = (line: string) => /\sstarted\s+healthy\s/.test(line);

/** Waits until status shows what `test` wants; returns the status and how long it took. */
async function statusShows(what: string, test: (s: Awaited<ReturnType<typeof status>>) => boolean, timeoutMs: number) {
  const started = Date.now();
  const s = await until(what, async () => {
    const now = await status();
    return test(now) ? now : undefined;
  }, timeoutMs, 200);
  return { s, ms: Date.now() - started };
}

const allBack = (s: Awaited<ReturnType<typeof status>>) => /3\/3 answering/.test(s.summary) && ['etcd-1', 'etcd-2', 'etcd-3'].every((n) => healthyRow(s.row(n)));
const othersFine = (s: Awaited<ReturnType<typeof status>>, down: string) =>
  /2\/3 answering\s+quorum OK/.test(s.summary) && ['etcd-1', 'etcd-2', 'etcd-3'].filter((n) => n !== down).every((n) => healthyRow(s.row(n)));

/** The live view in a real terminal inside the lab's namespace. */
const open = (columns: number) =>
  new PtyScreen('nsenter', [`--net=/run/netns/${lab.netns}`, process.execPath, BIN, '-f', lab.inventoryPath], {
    columns,
    rows: 40,
    env: { PATH: process.env.PATH ?? '', HOME: join(lab.dir, 'home'), TERM: 'xterm-256color', XDG_CONFIG_HOME: '/nonexistent/etcd-cockpit-tests' },
  });

const op = (args: string[]) => cockpit(lab, [...args, '--yes', '-f', lab.inventoryPath, '--audit-log', join(lab.dir, 'audit.log')]);

async function etcdActive(host: string): Promise<string> {
  return (await lab.root(host, ['systemctl', 'is-active', 'etcd'])).stdout.trim();
}

describe('etcd faults, said by status within seconds, recovered when they go away', () => {
  it('a partitioned host (its veth down)', async () => {
    await lab.link('etcd-2', false);
    try {
      const { s, ms } = await statusShows('etcd-2 cut off', (x) => othersFine(x, 'etcd-2') && /TIMEOUT|unreachable/.test(x.row('etcd-2')), 10_000);
      console.log(`partition shown after ${ms} ms: ${s.row('etcd-2').replace(/\s+/g, ' ')}`);
      expect(s.row('etcd-2')).toContain('no answer before the deadline (member hung or overloaded, or its host down or cut off from here)');
    } finally {
      await lab.link('etcd-2', true);
    }
    await statusShows('etcd-2 back', allBack, 30_000);
  }, 60_000);

  it('a host that crashes (power cut: its PID 1 killed) and comes back with etcd under systemd', async () => {
    await lab.crash('etcd-2');
    const { s, ms } = await statusShows('etcd-2 gone', (x) => othersFine(x, 'etcd-2') && /TIMEOUT|DOWN/.test(x.row('etcd-2')), 10_000);
    console.log(`crash shown after ${ms} ms: ${s.row('etcd-2').replace(/\s+/g, ' ')}`);
    await lab.boot('etcd-2');
    await statusShows('etcd-2 back after power-on', allBack, 60_000);
    expect(await etcdActive('etcd-2')).toBe('active');
  }, 120_000);

  it('a host that reboots: down while it is off, etcd back by itself under systemd', async () => {
    const initBefore = lab.host('etcd-1').pid1;
    const rebooting = lab.reboot('etcd-1', { offMs: 5000 });
    try {
      const { s, ms } = await statusShows('etcd-1 down for the reboot', (x) => othersFine(x, 'etcd-1') && /TIMEOUT|DOWN/.test(x.row('etcd-1')), 15_000);
      console.log(`reboot shown after ${ms} ms: ${s.row('etcd-1').replace(/\s+/g, ' ')}`);
    } finally {
      await rebooting;
    }
    expect(lab.host('etcd-1').pid1).not.toBe(initBefore);
    await statusShows('etcd-1 back after the reboot', allBack, 60_000);
    expect(await etcdActive('etcd-1')).toBe('active');
  }, 120_000);

  it("a full disk under a host's data dir: etcd there stops, the others go on; it comes back once there is room", async () => {
    // A follower's disk fills (a leader that cannot write takes the writes in flight down with it).
    if (/leader etcd-3 /.test((await status()).summary)) {
      const move = await op(['move-leader', 'etcd-1']);
      expect(move.code, move.stdout + move.stderr).toBe(0);
    }
    screen = open(220);
    await screen.waitFor((s) => /3\/3 answering/.test(s.split('\n')[0] ?? ''), 15_000, 'three members answering');
    await lab.root('etcd-3', ['sh', '-c', 'dd if=/dev/zero of=/var/lib/etcd/filler bs=1M 2>/dev/null; true']);
    try {
      const megabyte = 'x'.repeat(1_000_000);
      for (let i = 0; i < 12; i++) {
        const put = await etcdctl(lab, ['--command-timeout=20s', 'put', `/service/big-${i}`], { input: megabyte });
        expect(put.code, put.stderr).toBe(0);
      }
      const { s, ms } = await statusShows('etcd-3 down on a full disk', (x) => othersFine(x, 'etcd-3') && /DOWN/.test(x.row('etcd-3')), 20_000);
      console.log(`full disk shown after ${ms} ms: ${s.row('etcd-3').replace(/\s+/g, ' ')}`);
      // status cannot see why (it talks to etcd only); the host's log says it
      expect(s.row('etcd-3')).toContain('(etcd not running or not listening there)');
      expect((await lab.root('etcd-3', ['journalctl', '-u', 'etcd', '--no-pager'])).stdout).toContain('no space left on device');
      // The live view asks the host why, over SSH: the events pane names the full disk.
      const said = await screen.waitFor((x) => /etcd-3 down: .*no space left on device/.test(x), 30_000, 'the full disk named in the events pane');
      console.log(`live view: full disk named after ${Math.round(said)} ms: ${screen.text().split('\n').find((l) => /etcd-3 down: .*no space left/.test(l))?.trim()}`);
      screen.type('q');
      await screen.waitForExit(5000);
    } finally {
      screen.kill();
      await lab.root('etcd-3', ['rm', '-f', '/var/lib/etcd/filler']);
    }
    await statusShows('etcd-3 back with room on its disk', allBack, 60_000);
    await etcdctl(lab, ['del', '--prefix', '/service/big-']);
  }, 150_000);
});

describe('SSH faults, said by the commands that use SSH', () => {
  it('a changed host key is refused with the new fingerprint; nothing runs; trusted again once the key is back', async () => {
    const keyDir = join(lab.rootDir('etcd-2'), 'etc/ssh');
    const saved = join(lab.dir, 'etcd-2-host-key');
    for (const f of ['', '.pub']) copyFileSync(join(keyDir, `ssh_host_ed25519_key${f}`), `${saved}${f}`);
    await newHostKey(lab.rootDir('etcd-2'));
    await lab.root('etcd-2', ['systemctl', 'restart', 'ssh']);
    const fingerprint = keygenFingerprint(join(keyDir, 'ssh_host_ed25519_key.pub'));
    try {
      const trust = await cockpit(lab, ['trust-hosts', '-f', lab.inventoryPath]);
      expect(trust.code).toBe(1);
      expect(trust.stdout).toContain(`etcd-2: HOST KEY CHANGED for ${lab.host('etcd-2').ip}: it offered ssh-ed25519 key ${fingerprint}`);
      expect(trust.stdout).toContain('etcd-1: host key already known');
      const restart = await op(['restart', 'etcd-2']);
      expect(restart.code).toBe(1);
      expect(restart.stdout).toContain(`HOST KEY CHANGED for ${lab.host('etcd-2').ip}`);
      expect(restart.stdout).toContain('nothing was stopped');
      expect(restart.stdout).not.toContain('stopping etcd');
      expect(await etcdActive('etcd-2')).toBe('active');
      expect(allBack(await status())).toBe(true);
    } finally {
      for (const f of ['', '.pub']) copyFileSync(`${saved}${f}`, join(keyDir, `ssh_host_ed25519_key${f}`));
      await lab.root('etcd-2', ['systemctl', 'restart', 'ssh']);
    }
    const trusted = await cockpit(lab, ['trust-hosts', '-f', lab.inventoryPath]);
    expect(trusted.stdout).toContain('etcd-2: host key already known');
    expect(trusted.code).toBe(0);
  }, 90_000);

  it('sudo that asks for a password is said as such; etcd keeps running', async () => {
    const sudoers = join(lab.rootDir('etcd-2'), 'etc/sudoers.d/ops');
    const before = readFileSync(sudoers, 'utf8');
    writeFileSync(sudoers, 'ops ALL=(ALL) ALL\n');
    try {
      const restart = await op(['restart', 'etcd-2']);
      expect(restart.code).toBe(1);
      expect(restart.stdout).toMatch(/sudo there asks for a password, and etcd-cockpit never types one \(it runs sudo -n\)/);
      expect(await etcdActive('etcd-2')).toBe('active');
    } finally {
      writeFileSync(sudoers, before);
    }
    expect((await op(['restart', 'etcd-2'])).code).toBe(0);
  }, 120_000);

  it('an SSH key the host refuses: authentication failed, naming the key', async () => {
    const keys = join(lab.rootDir('etcd-2'), 'home/ops/.ssh/authorized_keys');
    renameSync(keys, `${keys}.away`);
    try {
      const restart = await op(['restart', 'etcd-2']);
      expect(restart.code).toBe(1);
      expect(restart.stdout).toContain(`ssh ops@${lab.host('etcd-2').ip}:22: authentication failed (key ${lab.identityFile})`);
      expect(restart.stdout).toContain('nothing was stopped');
      expect(restart.stdout).not.toContain('stopping etcd');
      expect(await etcdActive('etcd-2')).toBe('active');
    } finally {
      renameSync(`${keys}.away`, keys);
    }
  }, 60_000);
});

describe('the live view in a real terminal', () => {
  const header = (s: string) => s.split('\n')[0] ?? '';

  it('shows a partitioned and a crashed host within seconds, and both back', async () => {
    screen = open(120);
    await screen.waitFor((s) => /3\/3 answering/.test(header(s)), 15_000, 'three members answering');
    await lab.link('etcd-1', false);
    try {
      const ms = await screen.waitFor((s) => /2\/3 answering/.test(header(s)) && /quorum OK/.test(header(s)) && /(TIMEOUT|cut off)/.test(s), 8000, 'etcd-1 cut off');
      console.log(`live view: partition shown after ${Math.round(ms)} ms`);
    } finally {
      await lab.link('etcd-1', true);
    }
    await screen.waitFor((s) => /3\/3 answering/.test(header(s)), 30_000, 'etcd-1 back');
    // etcd-2, not etcd-3: etcd-3's data dir is a tmpfs, which a power cut empties.
    await lab.crash('etcd-2');
    const ms = await screen.waitFor((s) => /2\/3 answering/.test(header(s)) && /quorum OK/.test(header(s)), 8000, 'etcd-2 gone');
    console.log(`live view: crash shown after ${Math.round(ms)} ms`);
    await lab.boot('etcd-2');
    await screen.waitFor((s) => /3\/3 answering/.test(header(s)), 60_000, 'etcd-2 back after power-on');
    screen.type('q');
    expect(await screen.waitForExit(5000)).toBe(0);
  }, 180_000);

  it('says which hosts it cannot reach over SSH and why (host key, sudo, authentication) in the events pane', async () => {
    const keyDir = join(lab.rootDir('etcd-2'), 'etc/ssh');
    const saved = join(lab.dir, 'etcd-2-host-key-2');
    for (const f of ['', '.pub']) copyFileSync(join(keyDir, `ssh_host_ed25519_key${f}`), `${saved}${f}`);
    const sudoers = join(lab.rootDir('etcd-1'), 'etc/sudoers.d/ops');
    const sudoBefore = readFileSync(sudoers, 'utf8');
    const keys = join(lab.rootDir('etcd-3'), 'home/ops/.ssh/authorized_keys');
    await newHostKey(lab.rootDir('etcd-2'));
    await lab.root('etcd-2', ['systemctl', 'restart', 'ssh']);
    writeFileSync(sudoers, 'ops ALL=(ALL) ALL\n');
    renameSync(keys, `${keys}.away`);
    try {
      screen = open(220);
      await screen.waitFor(
        (s) => /peer certificate of etcd-2 not read .*HOST KEY CHANGED/.test(s) && /peer certificate of etcd-1 not read .*password/.test(s) && /peer certificate of etcd-3 not read .*authentication failed/.test(s),
        15_000,
        'three SSH problems in the events pane',
      );
      const text = screen.text();
      for (const line of text.split('\n').filter((l) => l.includes('peer certificate of'))) console.log(`live view: ${line.trim()}`);
      expect(/3\/3 answering/.test(header(text))).toBe(true);
      screen.type('q');
      await screen.waitForExit(5000);
    } finally {
      for (const f of ['', '.pub']) copyFileSync(`${saved}${f}`, join(keyDir, `ssh_host_ed25519_key${f}`));
      await lab.root('etcd-2', ['systemctl', 'restart', 'ssh']);
      writeFileSync(sudoers, sudoBefore);
      renameSync(`${keys}.away`, keys);
    }
  }, 90_000);
});
