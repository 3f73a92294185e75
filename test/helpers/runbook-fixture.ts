/**
 * Test fixtures for the runbook: a temp dir with a cluster.yaml for N local
 * nodes on free loopback addresses (runbook ports 2379/2380), an event
 * collector, and a teardown that kills every supervised etcd by its pid file.
 */
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { pickLoopbackAddresses } from '../../src/adapters/local/loopback.js';
import { ProcessSupervisor } from '../../src/adapters/service/process-supervisor.js';
import { parseInventory } from '../../src/core/inventory/parse.js';
import type { Inventory } from '../../src/core/inventory/types.js';
import type { RunbookEvent, StepStateEvent } from '../../src/core/runbook/events.js';

export interface LocalFixture {
  dir: string;
  workdir: string;
  inventoryPath: string;
  text: string;
  inventory: Inventory;
  addresses: string[];
}

export async function localFixture(options: { nodes?: number; runbook?: Record<string, unknown>; prefix?: string } = {}): Promise<LocalFixture> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), options.prefix ?? 'cockpit-runbook-')));
  const addresses = await pickLoopbackAddresses(options.nodes ?? 3, [2379, 2380]);
  const workdir = join(dir, 'work');
  const doc = {
    cluster: 'rb-test',
    nodes: addresses.map((address, i) => ({ name: `etcd-${i + 1}`, address })),
    runbook: { workdir: './work', caBits: 2048, diskTestWrites: 50, ...options.runbook },
  };
  const text = stringify(doc);
  const inventoryPath = join(dir, 'cluster.yaml');
  writeFileSync(inventoryPath, text);
  return { dir, workdir, inventoryPath, text, inventory: parseInventory(text, inventoryPath), addresses };
}

/** SIGKILLs every etcd a supervisor started under <workdir>/nodes/* (by its pid file), then removes the dir. */
export async function teardownLocal(dir: string, workdir: string): Promise<void> {
  const nodes = join(workdir, 'nodes');
  if (existsSync(nodes)) {
    await Promise.all(readdirSync(nodes).map((name) => new ProcessSupervisor({ rootDir: join(nodes, name) }).stop({ graceMs: 0 })));
  }
  rmSync(dir, { recursive: true, force: true });
}

export function collect() {
  const events: RunbookEvent[] = [];
  return {
    events,
    listener: (e: RunbookEvent) => void events.push(e),
    states: () => events.filter((e): e is StepStateEvent => e.type === 'step-state'),
    finalStates: () => {
      const last = new Map<string, StepStateEvent>();
      for (const e of events) if (e.type === 'step-state') last.set(`${e.stepId}@${e.target}`, e);
      return [...last.values()];
    },
    text: () => JSON.stringify(events),
  };
}
