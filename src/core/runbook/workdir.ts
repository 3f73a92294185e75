/** Where the runbook keeps its files on this machine. */
import { join } from 'node:path';

export interface WorkdirLayout {
  /** generatePki output (writePki layout): ca.crt, ca.key, <node>/…, clients/… */
  pki: string;
  /** Generated passwords, 0600 files in a 0700 folder. */
  secrets: string;
  /** Root directories of local nodes. */
  nodes: string;
  state: string;
}

export function workdirLayout(workdir: string): WorkdirLayout {
  return {
    pki: join(workdir, 'pki'),
    secrets: join(workdir, 'secrets'),
    nodes: join(workdir, 'nodes'),
    state: join(workdir, 'state.json'),
  };
}
