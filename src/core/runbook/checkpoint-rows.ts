/** The bootstrap runbook's verification checkpoint, one row per check. */
export const CHECKPOINT_CHECKS = [
  { n: 1, check: 'etcd installed on all nodes', expected: 'etcd --version prints 3.5.x on each node' },
  { n: 2, check: 'TLS certs deployed', expected: 'ca.crt, server.crt, server.key, peer.crt, peer.key present on each node' },
  { n: 3, check: 'Cert SAN includes the node IP', expected: "each node's server.crt lists its IP address" },
  { n: 4, check: 'Member list shows all members', expected: 'every member listed and started' },
  { n: 5, check: 'All endpoints healthy', expected: 'every endpoint answers and serves a quorum read' },
  { n: 6, check: 'Leader elected', expected: 'exactly one leader, agreed by all members' },
  { n: 7, check: 'Auth enabled', expected: 'auth status: true' },
  { n: 8, check: 'Patroni user can write /service/', expected: 'put /service/test "ok" as patroni succeeds, the way Patroni talks: JSON gateway over HTTPS, its CN-less certificate, its password' },
  { n: 9, check: 'Patroni user can read /service/', expected: 'get /service/test as patroni over the JSON gateway returns "ok"' },
  { n: 10, check: 'Unauthenticated access denied', expected: 'a client whose certificate CN is not an etcd user is refused' },
] as const;

export type CheckpointNumber = (typeof CHECKPOINT_CHECKS)[number]['n'];

export interface CheckpointRow {
  n: CheckpointNumber;
  check: string;
  expected: string;
  pass: boolean;
  /** What was seen, in plain words. */
  detail: string;
}
