import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster, type LocalClusterOptions } from '../../src/adapters/local/local-cluster.js';

/**
 * A real 3-member TLS etcd 3.5 cluster with client-cert auth in its own temp
 * dir on its own loopback addresses. `stop()` kills every member by pid and
 * removes the dir; call it from afterAll so it also runs when a test fails.
 */
export async function startTestCluster(options: Partial<LocalClusterOptions> = {}): Promise<LocalCluster & { cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-test-'));
  try {
    const cluster = await startLocalCluster({ dir, caBits: 2048, clusterName: 'test', ...options });
    return {
      ...cluster,
      cleanup: async () => {
        await cluster.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The cluster's CA and client certificate as the clients take them; other files may stand in for any of the three. */
export function clusterTls(
  cluster: { tls: { cacert: string; cert: string; key: string } },
  files: { cacert?: string; cert?: string; key?: string } = {},
): { ca: Buffer; cert: Buffer; key: Buffer } {
  const pick = (name: 'cacert' | 'cert' | 'key'): Buffer => readFileSync(files[name] ?? cluster.tls[name]);
  return { ca: pick('cacert'), cert: pick('cert'), key: pick('key') };
}
