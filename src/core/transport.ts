/**
 * How runbook steps reach a node. Two implementations: SSH (ssh2) and local
 * (the same steps under a root directory on this machine).
 */
export interface ExecOptions {
  /** Run through `sudo -n` (SSH) when the target is configured for it. */
  sudo?: boolean;
  /** Bytes written to the command's stdin, then closed. Use this for secrets, never argv. */
  stdin?: string | Buffer;
  /** Called with each chunk of output as it arrives (for the log pane). */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Kill the command and reject after this long. */
  timeoutMs?: number;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface WriteFileOptions {
  /** Octal file mode, e.g. 0o600 for keys. Applied before any content is written. */
  mode: number;
  /** `user:group` to chown to after writing (needs privileges). */
  owner?: string;
  sudo?: boolean;
}

export interface Transport {
  /** Human label for logs: `ssh root@10.0.0.1:22` or `local /tmp/x/etcd-1`. */
  readonly label: string;
  /** Runs one shell command line (POSIX sh). */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Writes a file atomically (temp file + rename) with the given mode. */
  writeFile(path: string, content: string | Buffer, options: WriteFileOptions): Promise<void>;
  /** Reads a file; rejects with an error naming the path when it is missing. */
  readFile(path: string, options?: { sudo?: boolean }): Promise<Buffer>;
  /** Only a transport on this machine: copies a local file to `path` without reading it into memory. */
  copyFromLocal?(file: string, path: string): Promise<void>;
  close(): Promise<void>;
}
