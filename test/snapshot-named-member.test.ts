/**
 * `snapshot save --member NAME` of a member the inventory names: the built
 * command streams from that member at once (no poll of the others), and a
 * member that does not answer fails in one FAILED line naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdutlStatusReader } from '../src/adapters/local/etcdutl-status.js';
import { verifySnapshot } from '../src/core/snapshot/verify.js';
import { startTestCluster } from './helpers/cluster.js';
import { BIN, runCli } from './helpers/cli.js';

let cluster: Awaited<ReturnType<typeof startTestCluster>>;
let work: string;
const env = () => ({ XDG_STATE_HOME: join(work, 'state'), ETCD_BIN_DIR: join(cluster.binaries.etcdutl, '..') });

beforeAll(async () => {
  cluster = await startTestCluster();
  work = mkdtempSync(join(tmpdir(), 'cockpit-named-'));
});
afterAll(async () => {
  await cluster?.cleanup();
});

describe('snapshot save --member NAME', () => {
  it('saves a verified snapshot from that member while another member is stopped', async () => {
    const other = cluster.nodes[2]!;
    await cluster.members.get(other.name)!.stop({ graceMs: 0 });
    const file = join(work, 'named.db');
    const run = await runCli(['snapshot', 'save', file, '--member', cluster.nodes[1]!.name, '-f', cluster.inventoryPath], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${cluster.nodes[1]!.name}: saved`);
    expect(run.stdout).toMatch(/verified/);
    expect((await verifySnapshot(file, etcdutlStatusReader(cluster.binaries.etcdutl))).ok).toBe(true);
  }, 60_000);

  it('a named member that is down: exit 1, one FAILED line naming it, no stack trace, no file left', async () => {
    const down = cluster.nodes[2]!; // stopped by the test above
    const file = join(work, 'down.db');
    const run = await runCli(['snapshot', 'save', file, '--member', down.name, '-f', cluster.inventoryPath], env());
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout + run.stderr).toMatch(new RegExp(`snapshot ${down.name}: .*FAILED.*(connection refused|not answering|unreachable)`, 'i'));
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(work).filter((n) => n.startsWith('down'))).toEqual([]);
  }, 60_000);
});

describe('snapshot save FILE with its progress piped into a reader that goes away (| head -1)', () => {
  it('still saves and verifies the snapshot: exit 0, the file in place, no part file, no crash', async () => {
    const file = join(work, 'piped.db');
    const child = spawn(process.execPath, [BIN, 'snapshot', 'save', file, '--member', cluster.nodes[0]!.name, '-f', cluster.inventoryPath], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', XDG_CONFIG_HOME: '/nonexistent/etcd-cockpit-tests', ...env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy(); // the reader is gone: the next progress line meets EPIPE
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(work).filter((n) => n.startsWith('piped.db.part'))).toEqual([]);
    expect((await verifySnapshot(file, etcdutlStatusReader(cluster.binaries.etcdutl))).ok).toBe(true);
  }, 60_000);
});
