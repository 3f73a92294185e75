/**
 * What `certs status` reads from each node (and from this machine's PKI), as
 * plain data: certificate PEMs, never private keys; for a key only its mode
 * and the SHA-256 of its public key (computed where the key lives).
 */
export type CertKind = 'ca' | 'server' | 'peer' | 'client';

export interface ObservedKey {
  file: string;
  /** Octal mode as `stat` prints it, e.g. "600". */
  mode?: string;
  /** SHA-256 hex of the DER SubjectPublicKeyInfo derived from the key. */
  publicKeySha256?: string;
  /** Why the key could not be checked (missing, no openssl, permission). */
  error?: string;
}

export interface ObservedCert {
  kind: CertKind;
  /** The path as the operator knows it: /etc/etcd/pki/server.crt, or a local file. */
  file: string;
  pem?: string;
  /** Why the file could not be read. */
  error?: string;
  key?: ObservedKey;
}

export interface ObservedPlace {
  /** A node name from the inventory, or "local" for this machine's PKI. */
  name: string;
  /** The inventory node's address (absent for this machine). */
  address?: string;
  /** The DNS name its server and peer certificates must carry (inventory dnsName). */
  dnsName?: string;
  /** The node cannot be reached at all. */
  error?: string;
  ca?: ObservedCert;
  leaves: ObservedCert[];
}
