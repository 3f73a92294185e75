// Removes what a test harness created, once its stdin closes: either the
// harness asked (it ends the pipe) or the test process died (the kernel closes
// it). stdin lines register what to remove, each before it is created:
//   pid N     a process we spawned: SIGKILL it and everything under it
//   user NAME a throwaway user: SIGKILL its processes (by pid, from /proc), then userdel
//   file PATH / dir PATH   removed
// Plain JS so it runs under bare node after the test process is gone.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';

const pids = [];
const users = [];
const paths = [];
let buffered = '';

process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
  buffered += text;
  let nl;
  while ((nl = buffered.indexOf('\n')) !== -1) {
    const line = buffered.slice(0, nl);
    buffered = buffered.slice(nl + 1);
    const [kind, ...rest] = line.split(' ');
    const value = rest.join(' ');
    if (kind === 'pid') pids.push(Number(value));
    else if (kind === 'user') users.push(value);
    else if (kind === 'file' || kind === 'dir') paths.push(value);
  }
});
process.stdin.on('end', cleanup);
process.stdin.on('error', cleanup);
process.stderr.on('error', () => {}); // the harness may be gone

function processes() {
  const list = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const uid = Number(readFileSync(`/proc/${name}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)?.[1]);
      list.push({ pid: Number(name), ppid, uid });
    } catch {
      // exited while we looked
    }
  }
  return list;
}

function uidOf(user) {
  try {
    return Number(execFileSync('id', ['-u', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return undefined;
  }
}

/** Our spawned processes, all their descendants, and every process of our throwaway users. */
function targets(uids) {
  const all = processes();
  const found = new Set(pids.filter((pid) => all.some((p) => p.pid === pid)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!found.has(p.pid) && (found.has(p.ppid) || uids.includes(p.uid))) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  found.delete(process.pid);
  return [...found];
}

async function cleanup() {
  process.stdin.removeAllListeners();
  const uids = users.map(uidOf).filter((uid) => uid !== undefined && uid !== 0);
  // Stop the spawned processes first so they cannot fork while we collect the tree.
  for (const pid of pids) kill(pid, 'SIGSTOP');
  for (let round = 0; round < 20; round++) {
    const left = targets(uids);
    if (left.length === 0) break;
    for (const pid of left) kill(pid, 'SIGKILL');
    await sleep(50);
  }
  let failed = false;
  for (const user of users) {
    if (uidOf(user) === undefined) continue;
    if (!userdel(user)) failed = true;
  }
  for (const path of paths) rmSync(path, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

function userdel(user) {
  // /etc/passwd may be locked by a parallel run's useradd/userdel for a moment.
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      execFileSync('userdel', [user], { stdio: ['ignore', 'ignore', 'pipe'] });
      return true;
    } catch (err) {
      if (attempt === 49) process.stderr.write(`userdel ${user}: ${String(err.stderr ?? err.message).trim()}\n`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  return false;
}

function kill(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
