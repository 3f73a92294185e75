// Small process helpers for the lab: run a command and collect its output,
// and tell whether a pid still is the process we started (pids get reused).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs argv[0] with argv[1..]; resolves { code, stdout, stderr, ms } (never
 * rejects for a non-zero exit). `input` goes to stdin: secrets travel there.
 */
export function run(argv, { input, timeoutMs = 60_000, env } = {}) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, signal, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** Like run, but a non-zero exit throws with the command's first word and its stderr. */
export async function must(argv, options) {
  const r = await run(argv, options);
  if (r.code !== 0) throw new Error(`${argv.slice(0, 3).join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
  return r;
}

export function alive(pid) {
  if (!pid) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** Is pid a systemd-nspawn running the container in rootDir? */
export function isNspawnOf(pid, rootDir) {
  const args = cmdline(pid);
  return args.some((a) => a.endsWith('systemd-nspawn')) && args.includes(rootDir);
}

function sameFile(a, b) {
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** Is pid a process whose root directory is rootDir? */
export function hasRoot(pid, rootDir) {
  return alive(pid) && sameFile(`/proc/${pid}/root`, rootDir);
}

/** Is pid PID 1 of its own pid namespace (NSpid's last field)? */
function isNamespaceInit(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^NSpid:\s+(.*)$/m);
    return line?.[1].trim().split(/\s+/).at(-1) === '1';
  } catch {
    return false;
  }
}

/** Is pid the init of the container whose root is rootDir? */
export function isContainerInit(pid, rootDir) {
  return hasRoot(pid, rootDir) && isNamespaceInit(pid);
}

/**
 * The container's PID 1: the child of the nspawn process whose root is the
 * container's root dir and which is PID 1 in its namespace (nspawn's short-lived
 * helper child has the same root, but is not).
 */
export function containerInit(nspawnPid, rootDir) {
  let tasks;
  try {
    tasks = readdirSync(`/proc/${nspawnPid}/task`);
  } catch {
    return undefined;
  }
  for (const task of tasks) {
    let children = [];
    try {
      children = readFileSync(`/proc/${nspawnPid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      continue;
    }
    const init = children.find((pid) => isContainerInit(pid, rootDir));
    if (init) return init;
  }
  return undefined;
}

export function kill(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Waits until none of pids is alive; false when the deadline passed first. */
export async function waitGone(pids, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}
