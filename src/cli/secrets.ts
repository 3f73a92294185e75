import { FILE_LIMITS, readSmallTextFile } from '../core/files/read-small-file.js';
import type { SecretSource } from '../core/inventory/types.js';
import { UsageError } from './usage-error.js';

type Env = Record<string, string | undefined>;

/** Reads a password from where the user said it lives. Never logs it. */
export async function resolvePassword(
  source: SecretSource | undefined,
  user: string | undefined,
  env: Env = process.env,
): Promise<string | undefined> {
  if (!source || !user) return undefined;
  switch (source.kind) {
    case 'env': {
      if (source.name === 'ETCDCTL_USER#password') return (env.ETCDCTL_USER ?? '').split(':').slice(1).join(':');
      const value = env[source.name];
      if (value === undefined) throw new UsageError(`password for ${user}: environment variable ${source.name} is not set`);
      return value;
    }
    case 'file':
      return readSmallTextFile(source.path, `password file for ${user}`, FILE_LIMITS.password).replace(/\r?\n$/, '');
    case 'prompt':
      return promptHidden(`Password for etcd user ${user}: `);
  }
}

/** Reads a line from the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    return Promise.reject(
      new UsageError('a password is needed but stdin is not a terminal: set ETCDCTL_PASSWORD or use --password-file'),
    );
  }
  return new Promise((resolve, reject) => {
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const onData = (buf: Buffer): void => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(() => resolve(value));
        if (ch === '\u0003') return finish(() => reject(new UsageError('cancelled')));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const finish = (done: () => void): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      done();
    };
    stdin.on('data', onData);
  });
}
