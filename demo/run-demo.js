#!/usr/bin/env node
// The demo: installs etcd 3.5 if needed, then builds a 3-member TLS cluster with
// client-cert auth and RBAC on loopback addresses by running the bootstrap
// runbook on the local transport (the same code that bootstraps real hosts),
// keeps a small write load on it, and opens the cockpit. Quitting the cockpit
// (or SIGTERM/SIGHUP here) stops every process it started.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

process.noDeprecation = true;
const root = fileURLToPath(new URL('..', import.meta.url));
const say = (line) => process.stderr.write(`demo: ${line}\n`);

const setup = spawnSync('bash', [join(root, 'scripts/install-etcd.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
if (setup.status !== 0) {
  say('could not get etcd 3.5 (see above); nothing was started');
  process.exit(1);
}

const { pickLoopbackAddresses } = await import('../dist/adapters/local/loopback.js');
const { runRunbookCommand } = await import('../dist/cli/commands/runbook.js');
const { ProcessSupervisor } = await import('../dist/adapters/service/process-supervisor.js');
const { startWriteLoad } = await import('../dist/adapters/local/write-load.js');

const dir = mkdtempSync(join(tmpdir(), 'etcd-cockpit-demo-'));
const work = join(dir, 'work');
const inventoryPath = join(dir, 'cluster.yaml');
const addresses = await pickLoopbackAddresses(3, [2379, 2380]);
const nodes = addresses.map((address, i) => ({ name: `etcd-${i + 1}`, address, clientUrl: `https://${address}:2379` }));
writeFileSync(inventoryPath, stringify({ cluster: 'demo', nodes, runbook: { workdir: './work' } }));

let load;
let cleaning = false;
async function cleanup(code) {
  if (cleaning) return;
  cleaning = true;
  load?.stop();
  const nodeRoots = join(work, 'nodes');
  if (existsSync(nodeRoots)) {
    await Promise.all(readdirSync(nodeRoots).map((name) => new ProcessSupervisor({ rootDir: join(nodeRoots, name) }).stop({ graceMs: 0 })));
  }
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}
for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT']) process.on(sig, () => void cleanup(0));

say(`bootstrapping a 3-member cluster with the runbook (RSA 4096 CA, TLS, client-cert auth, RBAC) in ${dir}`);
const code = await runRunbookCommand(['run', '-f', inventoryPath], { stdout: process.stderr, stderr: process.stderr });
if (code !== 0) {
  say('the runbook failed (see above); cleaning up');
  await cleanup(1);
}
const pki = join(work, 'pki');
for (const n of nodes) say(`${n.name} ${n.clientUrl} (pid file ${join(work, 'nodes', n.name, 'run/etcd/etcd.pid')})`);
say(`inventory: ${inventoryPath}; kill a member with: kill -9 $(cat ${join(work, 'nodes/etcd-2/run/etcd/etcd.pid')})`);

// Auth is on: the load writes as root (the root client certificate's CN is the user).
load = startWriteLoad(
  { nodes, tls: { cacert: join(pki, 'ca.crt'), cert: join(pki, 'clients/root.crt'), key: join(pki, 'clients/root.key') } },
  { writesPerSecond: 5 },
);

const cockpit = spawn(join(root, 'bin/etcd-cockpit'), ['-f', inventoryPath, ...process.argv.slice(2)], { stdio: 'inherit' });
cockpit.on('exit', (exitCode) => void cleanup(exitCode ?? 0));
