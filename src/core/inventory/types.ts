/** Where a secret comes from. Never a literal: passwords are not written into inventories or argv. */
export type SecretSource =
  | { kind: 'env'; name: string }
  | { kind: 'file'; path: string }
  | { kind: 'prompt' };

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  /** Private key file; when absent the SSH agent ($SSH_AUTH_SOCK) is used. */
  identityFile?: string;
  /** Run privileged commands through `sudo -n`. */
  sudo: boolean;
}

export interface NodeSpec {
  name: string;
  /** The node's IP address (used in certificate SANs and URLs). */
  address: string;
  /** DNS name for certificate SANs and TLS server-name checks; defaults to the node name. */
  dnsName: string;
  /** Name to verify the server certificate against instead of the URL host (optional). */
  tlsServerName?: string;
  clientUrl: string;
  peerUrl: string;
  ssh?: SshTarget;
  /**
   * Where the node keeps etcd's peer certificate, read over SSH for its expiry
   * (etcd never shows it to clients). Unset: /etc/etcd/pki/peer.crt, where the runbook puts it.
   */
  peerCert?: string;
}

export interface TlsFiles {
  cacert?: string;
  cert?: string;
  key?: string;
}

export interface Inventory {
  /** Absolute path of the file it came from, when it came from a file. */
  source?: string;
  cluster: string;
  nodes: NodeSpec[];
  tls: TlsFiles;
  user?: string;
  password?: SecretSource;
  /** Free-form runbook settings (later phases read them). */
  runbook?: Record<string, unknown>;
}
