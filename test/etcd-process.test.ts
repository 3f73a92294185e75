import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EtcdProcess } from '../src/adapters/local/etcd-process.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('EtcdProcess', () => {
  it('a binary that cannot be started is said in its log, not thrown at nobody (which would crash the process)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cockpit-etcd-process-'));
    const missing = join(dir, 'no-such-etcd');
    const member = new EtcdProcess('etcd-1', missing, join(dir, 'etcd.conf.yml'), join(dir, 'etcd.log'));
    member.start();
    await new Promise((r) => setTimeout(r, 200));
    expect(member.pid).toBeUndefined();
    expect(member.logTail()).toBe(`cannot start ${missing}: spawn ${missing} ENOENT`);
    await member.stop(0);
  });
});
