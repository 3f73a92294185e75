// The runbook N times in a row, each time on freshly booted lab hosts, with
// each run's wall time and outcome: how often does a run fail on fresh hosts,
// and with which message (issue 17: lost SSH exit statuses).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { downLab, startLab } from './lab.js';

const BIN = fileURLToPath(new URL('../../bin/etcd-cockpit', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/app/main.js', import.meta.url));

/** The runbook on the lab's hosts through the built command, as a user runs it. */
/** @param {any} lab @param {{ track?: any, extraArgs?: string[] }} [options] */
export function runRunbookIn(lab, { track, extraArgs = [] } = {}) {
  const argv = lab.netnsArgv([process.execPath, BIN, 'runbook', 'run', '-f', lab.inventoryPath, ...extraArgs]);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    track?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr, ms: Date.now() - started }));
  });
}

/** The first FAILED step line of a run's progress output, or the last line when there is none. */
export function failureOf(result) {
  const failed = result.stderr.split('\n').find((l) => /^\s+FAILED\s/.test(l));
  return (failed ?? result.stderr.trim().split('\n').pop() ?? `exit ${result.code}`).trim().replace(/\s+/g, ' ');
}

/** Ignores the node and address in a failure so equal failures count together. */
function failureKind(line) {
  return line.replace(/^FAILED \S+ \S+: /, '').replace(/\b\d+\.\d+\.\d+\.\d+(:\d+)?\b/g, 'HOST').replace(/etcd-\d/g, 'NODE');
}

export async function runSoak({ name, runs, etcdHosts = 3, say, signal, track }) {
  if (!existsSync(BUILT)) {
    say('dist/ is missing: run `npm run build` first');
    return 1;
  }
  const results = [];
  for (let i = 1; i <= runs && !signal?.aborted; i++) {
    let lab;
    try {
      const booting = Date.now();
      lab = await startLab({ name: `${name}-${i}`, etcdHosts, signal, onCreated: (l) => (lab = l) });
      const bootMs = Date.now() - booting;
      const r = await runRunbookIn(lab, { track });
      const outcome = r.code === 0 ? 'ok' : failureOf(r);
      results.push({ run: i, ms: r.ms, outcome });
      say(`run ${String(i).padStart(2)}: hosts up ${(bootMs / 1000).toFixed(1)} s, runbook ${(r.ms / 1000).toFixed(1)} s: ${outcome}`);
    } catch (err) {
      if (signal?.aborted) break;
      results.push({ run: i, ms: 0, outcome: `lab: ${err.message.split('\n')[0]}` });
      say(`run ${String(i).padStart(2)}: lab failed: ${err.message.split('\n')[0]}`);
    } finally {
      if (lab) await downLab(lab).catch((err) => say(`run ${i}: teardown: ${err.message}`));
    }
  }
  const failed = results.filter((r) => r.outcome !== 'ok');
  const okTimes = results.filter((r) => r.outcome === 'ok').map((r) => r.ms / 1000).sort((a, b) => a - b);
  say(`\n${results.length} runs: ${results.length - failed.length} ok, ${failed.length} failed` +
    (okTimes.length ? `; runbook wall time of the ok runs: min ${okTimes[0].toFixed(1)} s, median ${okTimes[Math.floor(okTimes.length / 2)].toFixed(1)} s, max ${okTimes.at(-1).toFixed(1)} s` : ''));
  const counts = new Map();
  for (const f of failed) counts.set(failureKind(f.outcome), (counts.get(failureKind(f.outcome)) ?? 0) + 1);
  for (const [kind, n] of counts) say(`  ${n} x ${kind}`);
  return failed.length === 0 ? 0 : 1;
}
