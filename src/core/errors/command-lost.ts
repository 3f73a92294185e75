/**
 * A remote command whose channel closed without an exit status: sshd was
 * killed, the host went down or the network was cut while it ran. It may or
 * may not have run, so only a caller that knows the command is safe to repeat
 * may retry it.
 */
export class CommandLostError extends Error {
  override name = 'CommandLostError';
  readonly code = 'ECOMMANDLOST';

  constructor(
    /** What ran, as errors call it (`mkdir`, `writeFile /etc/etcd/pki/ca.crt`). */
    readonly command: string,
    /** `ssh user@host:port` */
    readonly label: string,
    readonly host: string,
    /** How the connection ended, when it did (else only the channel closed). */
    connectionLost: string | undefined,
  ) {
    const what = connectionLost
      ? `the connection to ${host} was lost (${connectionLost}) before the command reported its exit status`
      : `${host} closed the command's channel without reporting its exit status`;
    super(`${command} on ${label}: ${what}; it may or may not have run (sshd killed, host down or network cut?)`);
  }
}

/** True when `err`, or an error it wraps, is a CommandLostError. */
export function isCommandLost(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof CommandLostError || (e as { code?: unknown }).code === 'ECOMMANDLOST') return true;
  }
  return false;
}
