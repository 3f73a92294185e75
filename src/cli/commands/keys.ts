import type { CliOptions } from '../args.js';
import type { Session } from '../session.js';
import { membersInOrder } from '../../state/store.js';
import { keysTop } from '../../state/keys-top.js';
import { keysTopJson, keysTopTable } from '../../core/keys/keys-top-report.js';
import type { ScanProgress } from '../../adapters/etcd/keyspace-scan.js';
import { formatBytes } from '../../core/format/bytes.js';

/**
 * `keys top`: keys and bytes per prefix, read-only (no lock, no audit, fine
 * with --read-only). Exit 0 when the scan finished, 1 when etcd failed it.
 */
export async function runKeysTop(session: Session, opts: CliOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  await session.poller.pollSettled();
  const progress = progressLine(process.stderr);
  const result = await keysTop((e) => session.poller.clientFor(e), membersInOrder(session.store.getState()), opts.keysTop, progress.update).finally(progress.clear);
  out.write(opts.output === 'json' ? JSON.stringify(keysTopJson(result), null, 2) + '\n' : keysTopTable(result) + '\n');
  return 0;
}

/** After the first second, one line on stderr saying how far the scan is (rewritten in place on a terminal, every 5 s otherwise). */
function progressLine(stderr: NodeJS.WriteStream): { update: (p: ScanProgress) => void; clear: () => void } {
  const started = Date.now();
  let lastWrite = 0;
  let shown = false;
  const tty = Boolean(stderr.isTTY);
  return {
    update: (p) => {
      const now = Date.now();
      if (now - started < 1000 || now - lastWrite < (tty ? 200 : 5000)) return;
      lastWrite = now;
      const of = p.totalKeys > 0 ? ` of ${p.totalKeys.toLocaleString('en-US')}` : '';
      const line = `scanning… ${p.keys.toLocaleString('en-US')}${of} keys, ${formatBytes(p.bytes)}`;
      stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
      shown = true;
    },
    clear: () => {
      if (shown && tty) stderr.write('\r\x1b[2K');
    },
  };
}
