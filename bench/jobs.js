// The jobs the benches time, each done the cockpit's way (its CLI, through
// the shebang, as an operator runs it) and etcdctl's way, in one process each.
import { rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, etcdctlEnv, root, run, timed } from './lib.js';

/** The CLI's environment: its own state and config folders in the bench's temp dir, etcdutl from the cluster's binaries. */
export function cockpitEnv(cluster, dir) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    XDG_STATE_HOME: join(dir, 'state'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    ETCD_BIN_DIR: dirname(cluster.binaries.etcdutl),
  };
}

/** `etcd-cockpit snapshot save FILE --member NAME`: process start, connect, stream, verify, rename, sidecar. */
export async function saveOurs(cluster, dir, member, i) {
  const file = join(dir, `ours-${i}.db`);
  try {
    const ms = await timed(() => run(BIN, ['snapshot', 'save', file, '--member', member.name, '-f', cluster.inventoryPath], { env: cockpitEnv(cluster, dir) }));
    if (statSync(file).size < 1) throw new Error('the cockpit wrote an empty snapshot');
    return ms;
  } finally {
    rmSync(file, { force: true });
    rmSync(`${file}.cockpit.json`, { force: true });
  }
}

/** What an operator types without the cockpit: save, then check it. */
export async function saveEtcdctl(cluster, dir, member, i) {
  const file = join(dir, `etcdctl-${i}.db`);
  const env = etcdctlEnv(cluster);
  try {
    return await timed(async () => {
      await run(cluster.binaries.etcdctl, ['--endpoints', member.clientUrl, 'snapshot', 'save', file], { env });
      await run(cluster.binaries.etcdutl, ['snapshot', 'status', file, '-w', 'json'], { env });
    });
  } finally {
    rmSync(file, { force: true });
  }
}

/** `etcd-cockpit defrag --member NAME --force --yes` (--force: even when little is free, as etcdctl always does). */
export function defragOurs(cluster, dir, member) {
  return timed(() => run(BIN, ['defrag', '--member', member.name, '--force', '--yes', '-f', cluster.inventoryPath], { env: cockpitEnv(cluster, dir) }));
}

export function defragEtcdctl(cluster, member) {
  return timed(() => run(cluster.binaries.etcdctl, ['--endpoints', member.clientUrl, '--command-timeout', '30m', 'defrag'], { env: etcdctlEnv(cluster) }));
}

/** `etcd-cockpit status -o json` (exit 0: the bench cluster is healthy). */
export function statusOurs(cluster, dir) {
  return timed(() => run(BIN, ['status', '-o', 'json', '-f', cluster.inventoryPath], { env: cockpitEnv(cluster, dir) }));
}

export function statusEtcdctl(cluster) {
  return timed(() => run(cluster.binaries.etcdctl, ['--endpoints', cluster.nodes[0].clientUrl, 'endpoint', 'status', '--cluster', '-w', 'json'], { env: etcdctlEnv(cluster) }));
}

/** bench/status-floor.js: Node's start-up, three TLS handshakes and three Status calls, no cockpit code. */
export function statusNodeFloor(cluster) {
  return timed(() => run(process.execPath, [join(root, 'bench/status-floor.js'), ...cluster.nodes.map((n) => n.clientUrl)], { env: etcdctlEnv(cluster) }));
}
