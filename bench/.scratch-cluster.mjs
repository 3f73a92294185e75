import { startBenchCluster, cleanup } from './lib.js';
import { cockpitEnv } from './jobs.js';
import { writeFileSync } from 'node:fs';
const { dir, cluster } = await startBenchCluster('scratch');
const env = cockpitEnv(cluster, dir);
writeFileSync('/tmp/scratch.env', Object.entries({ ...env, INV: cluster.inventoryPath, ETCDCTL_CACERT: cluster.tls.cacert, ETCDCTL_CERT: cluster.tls.cert, ETCDCTL_KEY: cluster.tls.key, EP: cluster.nodes[0].clientUrl, BINDIR: env.ETCD_BIN_DIR }).map(([k, v]) => `export ${k}='${v}'`).join('\n') + '\n');
console.log('ready', dir);
setTimeout(() => cleanup().then(() => process.exit(0)), 40 * 60_000);
