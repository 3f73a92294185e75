#!/usr/bin/env node
// The demo: installs etcd 3.5 if needed, starts a 3-member TLS cluster with
// client-cert auth on loopback, keeps a small write load on it, and opens the
// cockpit. Quitting the cockpit (or SIGTERM/SIGHUP here) stops every process.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

process.noDeprecation = true;
const root = fileURLToPath(new URL('..', import.meta.url));
const say = (line) => process.stderr.write(`demo: ${line}\n`);

const setup = spawnSync('bash', [join(root, 'scripts/install-etcd.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
if (setup.status !== 0) {
  say('could not get etcd 3.5 (see above); nothing was started');
  process.exit(1);
}

const { startLocalCluster } = await import('../dist/adapters/local/local-cluster.js');
const { startWriteLoad } = await import('../dist/adapters/local/write-load.js');

const dir = mkdtempSync(join(tmpdir(), 'etcd-cockpit-demo-'));
say(`generating a PKI (RSA 4096 CA) and starting 3 members in ${dir} ...`);
let cluster;
try {
  cluster = await startLocalCluster({ dir, clusterName: 'demo', caBits: 4096 });
} catch (err) {
  say(err.message);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}
for (const [name, member] of cluster.members) writeFileSync(join(dir, `${name}.pid`), `${member.pid}\n`);
say(`cluster up: ${cluster.nodes.map((n) => `${n.name} ${n.clientUrl} (pid ${cluster.members.get(n.name).pid})`).join(', ')}`);
say(`inventory: ${cluster.inventoryPath}; kill a member with: kill -9 $(cat ${dir}/etcd-2.pid)`);

const load = startWriteLoad(cluster, { writesPerSecond: 5 });

let cleaning = false;
async function cleanup(code) {
  if (cleaning) return;
  cleaning = true;
  load.stop();
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}

const cockpit = spawn(process.execPath, [join(root, 'bin/etcd-cockpit'), '-f', cluster.inventoryPath, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
cockpit.on('exit', (code) => void cleanup(code ?? 0));
for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT']) {
  process.on(sig, () => {
    cockpit.kill('SIGTERM');
    void cleanup(0);
  });
}
