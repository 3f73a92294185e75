/**
 * The runbook's troubleshooting text for each kind of failure (bootstrap
 * runbook, "Troubleshooting"), with the corrections from the domain notes.
 */
import type { FailureKind } from './failures.js';

export const BOOTSTRAP_ADVICE = `Bootstrap timeout (runbook Troubleshooting: "Bootstrap Timeout"):
  1. Stop etcd on all nodes.
  2. Remove the data directory contents on all nodes: rm -rf /var/lib/etcd/*
     (the cockpit's "clean up bootstrap" operation does 1 and 2 on every node).
  3. Check that initial-cluster in each node's /etc/etcd/etcd.conf.yml lists every member with the right peer URL.
  4. Check that initial-cluster-token is identical and initial-cluster-state is 'new' on all nodes.
  5. Check connectivity between all nodes on port 2380 (nc -zv <ip> 2380).
  6. Start all members together, within 30 s of each other (rerun phase 6).`;

export const TLS_ADVICE = `TLS handshake failure (runbook Troubleshooting: "TLS Handshake Failures"):
  1. The CA certificate must be identical on all nodes: sha256sum /etc/etcd/pki/ca.crt
  2. The server certificate must be signed by that CA: openssl verify -CAfile /etc/etcd/pki/ca.crt /etc/etcd/pki/server.crt
  3. The SAN must include the node's IP: openssl x509 -in /etc/etcd/pki/server.crt -noout -ext subjectAltName
  4. Files must be owned by etcd:etcd, keys mode 0600: ls -la /etc/etcd/pki/
  5. The key must match the certificate: compare openssl x509 -noout -pubkey -in server.crt with openssl pkey -pubout -in server.key
  With client-cert-auth on, a client without a certificate cannot finish the handshake (etcdctl then only says
  "context deadline exceeded"): pass --cert and --key of a client certificate from the same CA.`;

export const QUORUM_ADVICE = `Quorum issues (runbook Troubleshooting: "Quorum Issues"):
  1. Check which members run: systemctl status etcd (on each node).
  2. Read the logs: journalctl -u etcd --no-pager -n 50
  3. One member unhealthy and two fine: restart that member (systemctl restart etcd).
  4. Two members down: quorum is lost; start at least 2 of 3 members. etcd takes no writes until then.
  5. A member with a corrupt data dir: stop it, empty its data dir, remove and re-add it as a member,
     and start it with initial-cluster-state: 'existing'.`;

export const AUTH_ADVICE = `Authentication failure (runbook Troubleshooting: "Auth Lockout"):
  1. Check the password source in the inventory (runbook.passwords) or <workdir>/secrets/<user>.password:
     the password there must be the one the etcd user was created with.
  2. With root access still working, reset the user's password: etcdctl user passwd patroni
     (root via the root client certificate, or ETCDCTL_USER=root:<password> in the environment, never argv).
  3. If root access is lost too, the last resort is re-bootstrapping (stop all, empty all data dirs,
     rerun phases 6-7). This erases all Patroni state.`;

export function adviceFor(kind: FailureKind): string {
  switch (kind) {
    case 'host-key-unknown':
      return 'The host is not in known_hosts. Compare the SHA256 fingerprint shown with the one the host reports on its console (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub); accept it only if they match, then rerun.';
    case 'host-key-changed':
      return 'The host key differs from the one in known_hosts: possibly a man-in-the-middle attack, or the host was reinstalled. Nothing was run on it. Verify the new key out of band before removing the old known_hosts line.';
    case 'host-key-revoked':
      return 'The host offered a key marked @revoked in known_hosts. Nothing was run on it. Find out why the key was revoked before going on.';
    case 'unreachable':
      return 'The node cannot be reached over SSH: check the address and port in the inventory, that sshd runs, and firewalls between this machine and the node.';
    case 'ssh-auth':
      return 'SSH refused the key: check ssh.user and ssh.identityFile in the inventory (or the keys in your SSH agent).';
    case 'sudo':
      return 'sudo needs a password or is not allowed for this user: the runbook runs sudo -n (no prompt). Allow passwordless sudo for this user, or log in as root.';
    case 'missing-tool':
      return 'A tool the step needs is missing on the node: install it (e.g. dnf install -y openssl iproute) and rerun.';
    case 'port-busy':
      return 'Ports 2379 (client) and 2380 (peer) must be free on the node address: stop whatever listens there (ss -ltnp shows it) or choose another address.';
    case 'peer-unreachable':
      return 'Port 2380 must be reachable between all nodes (runbook prerequisites): open 2379/tcp and 2380/tcp in the firewalls, then check with nc -zv <ip> 2380 from each node.';
    case 'binary':
      return 'The etcd binaries on the node are missing or not the pinned version: rerun phase 1, or check that the node architecture matches the binaries (linux/amd64).';
    case 'tls':
      return TLS_ADVICE;
    case 'bootstrap-timeout':
    case 'member-exited':
      return BOOTSTRAP_ADVICE;
    case 'quorum':
      return QUORUM_ADVICE;
    case 'auth':
    case 'permission':
      return AUTH_ADVICE;
    case 'config':
      return 'The inventory or runbook settings are incomplete: fix the named setting and rerun.';
    case 'other':
      return 'See the error and the node output above; fix the cause and rerun: finished steps are checked and skipped.';
  }
}
