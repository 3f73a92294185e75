/**
 * What one phase measures and a later one needs, kept in <workdir>/state.json
 * (no secrets in it). Phase 0 records its measurements here; phase 4 renders
 * the config from them, so a rerun renders the same config.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TimingRecommendation } from './tuning.js';

export interface NodePreflight {
  /** TCP connect round trip from this node to each other node's peer port, ms. */
  rttMs: Record<string, number>;
  /** dd with oflag=dsync: milliseconds per synchronous 512-byte write. */
  diskMsPerWrite?: number;
  /** Node clock minus this machine's clock, ms. */
  clockSkewMs?: number;
}

export interface PreflightRecord {
  measuredAt: string;
  nodes: Record<string, NodePreflight>;
  maxRttMs: number;
  recommended: TimingRecommendation;
  warnings: string[];
}

export interface RunState {
  version: 1;
  preflight?: PreflightRecord;
  /** quota-backend-bytes set by `quota` after the bootstrap: a phase 4 rerun keeps it. */
  quotaBackendBytes?: number;
}

export class RunStateStore {
  readonly path: string;

  constructor(workdir: string) {
    this.path = join(workdir, 'state.json');
  }

  load(): RunState {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as RunState;
      return parsed.version === 1 ? parsed : { version: 1 };
    } catch {
      return { version: 1 };
    }
  }

  save(state: RunState): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.tmp.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.path);
  }

  update(change: (state: RunState) => void): RunState {
    const state = this.load();
    change(state);
    this.save(state);
    return state;
  }
}
