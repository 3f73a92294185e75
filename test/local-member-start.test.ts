import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessSupervisor } from '../src/adapters/service/process-supervisor.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('a local member (the process supervisor with absolute paths, as local test clusters use it)', () => {
  it('a binary that cannot be started is a plain error, not an unheard event (which would crash the process); nothing is left running', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cockpit-local-member-'));
    const missing = join(dir, 'no-such-etcd');
    const member = new ProcessSupervisor({ rootDir: '/', binary: missing, configFile: join(dir, 'etcd.conf.yml'), pidFile: join(dir, 'etcd.pid'), logFile: join(dir, 'etcd.log'), killOnExit: true });
    await expect(member.start()).rejects.toThrow(`cannot start ${missing}: spawn ${missing} ENOENT`);
    expect(await member.status()).toEqual({ state: 'inactive', detail: 'not started' });
    member.signal('SIGKILL'); // no pid: nothing is signalled
    await member.stop({ graceMs: 0 });
  });
});
