/**
 * The environment a child process (etcd, etcdutl, ssh) gets: ours without
 * any password. ETCDCTL_PASSWORD and the ETCDCTL_* variables (ETCDCTL_USER may hold name:password) must not leak into a process
 * that might log its environment or hand it on.
 */
const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|PASSPHRASE|PRIVATE_KEY|^ETCDCTL_/i;

export function childEnv(env: NodeJS.ProcessEnv = process.env, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (!SECRET_NAME.test(name)) clean[name] = value;
  return { ...clean, ...extra };
}
