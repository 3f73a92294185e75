/**
 * Turns what grpc-js/etcd3 throw into the plain words an operator needs at
 * 3 a.m. The raw texts are those seen from etcd 3.5 over grpc-js; anything
 * unrecognised is passed through (first line only) rather than hidden.
 */
/** `protocol`: something answers at the endpoint, but not etcd's gRPC in the scheme given (a peer or metrics port, http:// for https://). */
export type FailureKind = 'timeout' | 'unreachable' | 'tls' | 'auth' | 'permission' | 'protocol' | 'error';

export interface ExplainedError {
  kind: FailureKind;
  message: string;
}

interface Rule {
  test: RegExp;
  kind: FailureKind;
  explain: (match: RegExpMatchArray) => string;
}

const RULES: Rule[] = [
  {
    test: /CommonName of client sending a request against gateway/i,
    kind: 'tls',
    explain: () =>
      "etcd's JSON gateway (what Patroni uses) refuses client certificates that carry a CN: give the client a certificate without a CN from the same CA, and a password",
  },
  {
    test: /alert certificate required|alert bad certificate|certificate required/i,
    kind: 'tls',
    explain: () =>
      'server requires a client certificate (client-cert-auth is on): pass --cert and --key (or ETCDCTL_CERT/ETCDCTL_KEY)',
  },
  {
    test: /unable to verify the first certificate|self[- ]signed certificate|unable to get local issuer|certificate signed by unknown authority/i,
    kind: 'tls',
    explain: () => 'server certificate is not signed by the CA given in --cacert (unknown CA)',
  },
  {
    test: /does not match certificate's altnames: Host: (\S+?)\.? is not in the cert's altnames: (.*?)\.?(?: Resolution note|\n|$)/i,
    kind: 'tls',
    explain: (m) => `server certificate does not cover "${m[1]}" (its SANs: ${m[2]})`,
  },
  {
    test: /certificate has expired/i,
    kind: 'tls',
    explain: () => 'server certificate has expired',
  },
  {
    test: /authentication failed, invalid user ID or password/i,
    kind: 'auth',
    explain: () => 'wrong user name or password',
  },
  {
    test: /user name is empty|user name not found|auth: user not found/i,
    kind: 'auth',
    explain: () =>
      "auth is on and this client is no etcd user (the certificate's CN counts as the user name): pass --user root, password via ETCDCTL_PASSWORD, --password-file or the prompt",
  },
  {
    test: /permission denied/i,
    kind: 'permission',
    explain: () => 'permission denied: maintenance calls (status, defragment) need the root user when auth is on',
  },
  {
    // Node writes IPv6 addresses unbracketed (`connect ECONNREFUSED ::1:2379`), grpc-js bracketed.
    test: /ECONNREFUSED ((?:\d+\.){3}\d+:\d+|\[[^\]]+\]:\d+|[0-9a-f]*:[0-9a-f:]*:\d+)/i,
    kind: 'unreachable',
    explain: (m) => `connection refused at ${m[1]} (etcd not running or not listening there)`,
  },
  {
    test: /EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/i,
    kind: 'unreachable',
    explain: (m) => `host unreachable (${m[0]})`,
  },
  {
    test: /DEADLINE_EXCEEDED|deadline exceeded|timed out/i,
    kind: 'timeout',
    explain: () => 'no answer before the deadline (member hung or overloaded, or its host down or cut off from here)',
  },
  {
    test: /etcdserver: no leader|leader changed/i,
    kind: 'error',
    explain: () => 'member has no leader (quorum lost or election in progress)',
  },
  {
    test: /Connection closed before the server spoke HTTP\/2/i,
    kind: 'protocol',
    explain: () =>
      "the endpoint takes connections but does not speak etcd's gRPC: check its URL (the client port, 2379 by default, not the peer port 2380; https:// when the member serves TLS)",
  },
  {
    test: /SSL routines:[^\n]*wrong version number/i,
    kind: 'protocol',
    explain: () => 'the endpoint does not speak TLS: use http:// if the member serves plain HTTP there, or check the port (a metrics port?)',
  },
  {
    test: /UNAVAILABLE: Protocol error/i,
    kind: 'protocol',
    explain: () => "the endpoint answers in HTTP/1, not etcd's gRPC: check its URL (a metrics port or a proxy?)",
  },
  {
    test: /Connection dropped|ECONNRESET|socket hang up|Connection closed/i,
    kind: 'unreachable',
    explain: () => 'connection dropped',
  },
];

export function explainEtcdError(err: unknown): ExplainedError {
  const raw = err instanceof Error ? err.message : String(err);
  for (const rule of RULES) {
    const match = raw.match(rule.test);
    if (match) return { kind: rule.kind, message: rule.explain(match) };
  }
  const firstLine = raw.split('\n')[0] ?? raw;
  return { kind: 'error', message: firstLine.replace(/^\d+ [A-Z_]+: /, '').replace(/\. Resolution note:.*$/, '') };
}
