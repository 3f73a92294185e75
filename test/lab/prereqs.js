// What the lab needs on this machine; a missing piece is one line saying how to get it.
import { spawnSync } from 'node:child_process';

const TOOLS = [
  ['debootstrap', 'debootstrap'],
  ['systemd-nspawn', 'systemd-container'],
  ['nsenter', 'util-linux'],
  ['flock', 'util-linux'],
  ['ip', 'iproute2'],
  ['ssh', 'openssh-client'],
  ['ssh-keygen', 'openssh-client'],
];

/** undefined when the lab can run here, else the one line to print. */
export function labPrerequisiteProblem() {
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, mounts, systemd-nspawn): run it as root';
  const missing = TOOLS.filter(([tool]) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0);
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  return `the lab needs ${missing.map(([t]) => t).join(', ')}: apt-get install -y ${packages.join(' ')}`;
}
