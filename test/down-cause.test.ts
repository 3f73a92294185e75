import { describe, expect, it } from 'vitest';
import { downCause } from '../src/core/cluster/down-cause.js';

const json = (level: string, msg: string, error?: string) => JSON.stringify({ level, ts: '2026-12-06T03:00:00Z', caller: 'x.go:1', msg, ...(error ? { error } : {}) });

describe('why a member is down, from its log tail and its service', () => {
  it('names the fatal line, not the info lines after it, then the service state', () => {
    const tail = [json('info', 'starting'), json('fatal', 'failed to save raft hard state and entries', 'write /var/lib/etcd/member/wal/0.wal: no space left on device'), json('info', 'closing')].join('\n');
    expect(downCause({ state: 'failed', detail: 'code=exited, status=1/FAILURE; see journal' }, tail)).toBe(
      'fatal: failed to save raft hard state and entries: write /var/lib/etcd/member/wal/0.wal: no space left on device · service failed (code=exited, status=1/FAILURE)',
    );
  });

  it('takes systemd and Go runtime lines too, and the last error when nothing is fatal', () => {
    expect(downCause({ state: 'failed' }, 'etcd.service: Main process exited, code=killed, status=9/KILL\netcd.service: Failed with result \'signal\'.')).toBe(
      "etcd.service: Failed with result 'signal'. · service failed",
    );
    expect(downCause({ state: 'active', pid: 7 }, [json('warn', 'slow fdatasync'), json('error', 'failed to publish local member', 'context deadline exceeded')].join('\n'))).toBe(
      'error: failed to publish local member: context deadline exceeded · service active',
    );
  });

  it('reads journalctl lines: the prefix goes, the JSON entry is made readable', () => {
    const tail = [
      `Dec 06 03:00:01 etcd-3 etcd[812]: ${json('fatal', 'failed to save raft hard state and entries', 'write wal: no space left on device')}`,
      'Dec 06 03:00:01 etcd-3 systemd[1]: etcd.service: Main process exited, code=exited, status=1/FAILURE',
      "Dec 06 03:00:01 etcd-3 systemd[1]: etcd.service: Failed with result 'exit-code'.",
    ].join('\n');
    expect(downCause({ state: 'activating', detail: 'auto-restart' }, tail)).toBe(
      'fatal: failed to save raft hard state and entries: write wal: no space left on device · service activating (auto-restart)',
    );
  });

  it('says so when the log has no error: killed from outside or stopped (a client\'s auth warning is not a cause)', () => {
    expect(downCause({ state: 'inactive' }, [json('info', 'a'), json('warn', 'failed to apply request', 'auth: permission denied')].join('\n'))).toBe(
      'service inactive; no error in the last 2 log lines (killed, or stopped from outside?)',
    );
  });

  it('stays one line of at most 240 characters', () => {
    const said = downCause({ state: 'failed' }, json('fatal', 'x'.repeat(400)));
    expect(said.length).toBe(240);
    expect(said.endsWith('…')).toBe(true);
  });
});
