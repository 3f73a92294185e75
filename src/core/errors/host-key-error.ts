/** A host key that does not match known_hosts, in words an operator can act on. */

export type HostKeyErrorKind = 'unknown' | 'changed' | 'revoked';

export interface HostKeyDetails {
  host: string;
  port: number;
  keyType: string;
  /** `SHA256:...`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** The key blob as it would appear in known_hosts (pass it to acceptHostKey). */
  keyBase64: string;
  knownHostsPath: string;
  /** known_hosts line (1-based) of the conflicting entry, for 'changed' and 'revoked'. */
  line?: number;
  /** Key types the file already lists for this host (when 'unknown'). */
  knownTypes?: string[];
}

export class HostKeyError extends Error implements HostKeyDetails {
  readonly kind: HostKeyErrorKind;
  readonly host: string;
  readonly port: number;
  readonly keyType: string;
  readonly fingerprint: string;
  readonly keyBase64: string;
  readonly knownHostsPath: string;
  readonly line?: number;
  readonly knownTypes?: string[];

  constructor(kind: HostKeyErrorKind, details: HostKeyDetails) {
    super(describe(kind, details));
    this.name = 'HostKeyError';
    this.kind = kind;
    this.host = details.host;
    this.port = details.port;
    this.keyType = details.keyType;
    this.fingerprint = details.fingerprint;
    this.keyBase64 = details.keyBase64;
    this.knownHostsPath = details.knownHostsPath;
    if (details.line !== undefined) this.line = details.line;
    if (details.knownTypes !== undefined) this.knownTypes = details.knownTypes;
  }
}

function describe(kind: HostKeyErrorKind, d: HostKeyDetails): string {
  const who = hostPattern(d.host, d.port);
  const key = `${d.keyType} key ${d.fingerprint}`;
  if (kind === 'unknown') {
    const others = d.knownTypes?.length ? ` (it lists only other key types: ${d.knownTypes.join(', ')})` : '';
    return `host ${who} is not known: it offered ${key}, which is not in ${d.knownHostsPath}${others}`;
  }
  if (kind === 'revoked') {
    return `host ${who} offered ${key}, which is marked @revoked in ${d.knownHostsPath} line ${d.line}; refusing to connect`;
  }
  return (
    `HOST KEY CHANGED for ${who}: it offered ${key}, which differs from the key in ` +
    `${d.knownHostsPath} line ${d.line}. This may be a man-in-the-middle attack (possible MITM), ` +
    `or the host was reinstalled. Refusing to connect; if the change is expected, remove that line.`
  );
}

export function hostPattern(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}
