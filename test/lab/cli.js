#!/usr/bin/env node
// npm run lab -- up|down|status|shell HOST|soak N [--name NAME] ...
// Bad input: one line on stderr, exit 2. A missing tool: one line saying how to install it, exit 1.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { LabInputError, checkName, downLab, listLabs, openLab, startLab } from './lab.js';
import { labPrerequisiteProblem } from './prereqs.js';
import { alive } from './proc.js';
import { runSoak } from './soak.js';
import { sshArgv } from './host.js';
import { onInterrupt, stopGroup } from './signals.js';

const USAGE = `usage: npm run lab -- COMMAND [--name NAME]
  up [--hosts 1-3] [--patroni]   boot etcd hosts (and pg-1 for Patroni), write an inventory
  status                         the labs on this machine and their hosts
  shell HOST [-- COMMAND...]     log in to a host over SSH as the operator (ops, sudo without password)
  down                           stop every host by pid, remove the namespace and the files
  soak N [--hosts 3]             run the runbook N times, each on freshly booted hosts
NAME defaults to "lab" ("soak" for soak).`;

const OPTIONS = {
  name: { type: 'string' },
  hosts: { type: 'string' },
  patroni: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const say = (line) => process.stdout.write(`${line}\n`);
const fail = (line, code) => {
  process.stderr.write(`lab: ${line}\n`);
  process.exitCode = code;
};

function parse(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new LabInputError(`${err.message.split('\n')[0]} (npm run lab -- --help)`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help) return { command: 'help' };
  if (!['up', 'down', 'status', 'shell', 'soak'].includes(command)) {
    throw new LabInputError(command ? `unknown command "${command}" (up, down, status, shell HOST, soak N)` : 'a command is needed: up, down, status, shell HOST or soak N');
  }
  const name = values.name ?? (command === 'soak' ? 'soak' : 'lab');
  checkName(name);
  const hosts = values.hosts === undefined ? 3 : Number(values.hosts);
  if (!Number.isInteger(hosts) || hosts < 1 || hosts > 3) throw new LabInputError(`--hosts must be 1, 2 or 3, not "${values.hosts}"`);
  if (command === 'shell' && !rest[0]) throw new LabInputError('shell needs a host name, like etcd-1');
  if (command === 'soak') {
    const runs = Number(rest[0]);
    if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new LabInputError(`soak needs a number of runs from 1 to 100${rest[0] ? `, not "${rest[0]}"` : ''}`);
    if (rest.length > 1) throw new LabInputError(`soak: unexpected argument "${rest[1]}"`);
    return { command, name, hosts, runs };
  }
  if (command !== 'shell' && rest.length > 0) throw new LabInputError(`${command}: unexpected argument "${rest[0]}"`);
  return { command, name, hosts, patroni: values.patroni ?? false, quiet: values.quiet ?? false, host: rest[0], remote: rest.slice(1) };
}

async function up(opts) {
  let lab;
  let build;
  const controller = new AbortController();
  const work = startLab({
    name: opts.name,
    etcdHosts: opts.hosts,
    patroni: opts.patroni,
    log: (line) => process.stderr.write(`lab: ${line}\n`),
    track: (c) => (build = c),
    onCreated: (l) => (lab = l),
    signal: controller.signal,
  });
  onInterrupt(async () => {
    controller.abort();
    stopGroup(build);
    await work.catch(() => {});
    if (lab) await downLab(lab);
  });
  try {
    lab = await work;
  } catch (err) {
    // A signal's handler tears down itself; a failure leaves nothing behind either.
    if (lab && !controller.signal.aborted) await downLab(lab).catch(() => {});
    throw err;
  }
  printLab(lab);
  const inNs = `nsenter --net=/run/netns/${lab.netns}`;
  say(`\nbootstrap etcd on it:   ${inNs} bin/etcd-cockpit runbook run -f ${lab.inventoryPath}`);
  say(`then watch it:          ${inNs} bin/etcd-cockpit -f ${lab.inventoryPath}`);
  say(`log in to a host:       npm run lab -- shell etcd-1${lab.name === 'lab' ? '' : ` --name ${lab.name}`}`);
  say(`stop it all:            npm run lab -- down${lab.name === 'lab' ? '' : ` --name ${lab.name}`}`);
}

function printLab(lab) {
  const s = lab.state;
  say(`lab ${s.name}: network namespace ${s.netns}, bridge ${s.bridge} ${s.gateway}/24, inventory ${lab.inventoryPath}`);
  for (const h of lab.hosts) {
    const state = alive(h.nspawnPid) ? `running (nspawn pid ${h.nspawnPid}, init pid ${h.pid1})` : 'stopped';
    say(`  ${h.name.padEnd(7)} ${h.ip.padEnd(14)} ${h.variant === 'patroni' ? 'patroni+postgresql-15' : 'etcd host'}${h.tmpfs ? ` (tmpfs ${h.tmpfs})` : ''}  ${state}`);
  }
}

async function main(argv) {
  const opts = parse(argv);
  if (opts.command === 'help') return say(USAGE);
  const problem = labPrerequisiteProblem();
  if (problem) return fail(problem, 1);
  switch (opts.command) {
    case 'up':
      return up(opts);
    case 'status': {
      const names = argv.includes('--name') ? [opts.name] : listLabs();
      if (names.length === 0) return say('no labs on this machine (npm run lab -- up)');
      for (const n of names) printLab(openLab(n));
      return;
    }
    case 'down': {
      const lab = openLab(opts.name);
      await downLab(lab);
      if (!opts.quiet) say(`lab ${opts.name}: hosts stopped, namespace ${lab.netns} and ${lab.dir} removed`);
      return;
    }
    case 'shell': {
      const lab = openLab(opts.name);
      const host = lab.host(opts.host);
      const argv2 = lab.netnsArgv(sshArgv(lab, host, opts.remote, process.stdin.isTTY ? ['-t'] : []));
      const r = spawnSync(argv2[0], argv2.slice(1), { stdio: 'inherit' });
      process.exitCode = r.status ?? 1;
      return;
    }
    case 'soak': {
      const controller = new AbortController();
      let child;
      const work = runSoak({ name: opts.name, runs: opts.runs, etcdHosts: opts.hosts, say, signal: controller.signal, track: (c) => (child = c) });
      onInterrupt(async () => {
        controller.abort();
        stopGroup(child);
        await work.catch(() => {});
      });
      process.exitCode = await work;
      return;
    }
      return;
  }
}

main(process.argv.slice(2)).catch((err) => {
  if (err.name === 'AbortError') return; // a signal: its handler says so and cleans up
  fail(err.message.split('\n')[0], err instanceof LabInputError ? 2 : 1);
});
