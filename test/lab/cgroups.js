// A cgroup of its own for every lab host. With --keep-unit and no systemd on
// this machine, nspawn puts the container in its caller's cgroup, so every
// container's systemd would build /payload/system.slice/... in one shared
// place and remove another container's unit cgroups under it (seen: a
// host's systemd-user-sessions failing "Failed to attach to cgroup", and
// the host refusing logins). Only the hierarchies systemd writes in matter:
// name=systemd and the unified one; the others are read-only in a container.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

/** Mount point and our current path of the name=systemd and unified hierarchies. */
function systemdHierarchies() {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => {
    const [left, right] = l.split(' - ');
    if (!right) return undefined;
    const [fstype, , options] = right.split(' ');
    return { mountPoint: left.split(' ')[4], fstype, options };
  }).filter(Boolean);
  const out = [];
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    const [id, controllers, path] = line.split(':');
    const mount = id === '0'
      ? mounts.find((m) => m.fstype === 'cgroup2')
      : controllers === 'name=systemd' ? mounts.find((m) => m.fstype === 'cgroup' && m.options.split(',').includes('name=systemd')) : undefined;
    if (mount) out.push(join(mount.mountPoint, path));
  }
  return out;
}

/** Creates the host's cgroups; returns their folders (their cgroup.procs take the nspawn process). */
export function createHostCgroups(labName, hostName) {
  return systemdHierarchies().map((base) => {
    const dir = join(base, `etcd-cockpit-lab-${labName}`, hostName);
    removeBelow(dir);
    mkdirSync(dir, { recursive: true });
    return dir;
  });
}

/** Removes what a previous boot's systemd left below dir (empty cgroups), deepest first. */
function removeBelow(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    removeBelow(join(dir, entry.name));
    rmdirSync(join(dir, entry.name));
  }
}

/** Removes a lab's cgroups once its processes are gone. */
export function removeLabCgroups(dirs) {
  const labDirs = new Set(dirs.map((d) => join(d, '..')));
  for (const dir of labDirs) {
    if (!existsSync(dir)) continue;
    try {
      removeBelow(dir);
      rmdirSync(dir);
    } catch (err) {
      throw new Error(`could not remove cgroup ${dir}: ${err.message}`);
    }
  }
}
