import { lstat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SnapshotFile } from './catalog.js';
import { readMatchingSidecar, sidecarPath } from './sidecar.js';

export interface PruneRule {
  /** The newest N the cockpit recorded are always kept (per folder). At least 1. */
  keep: number;
  /** Also keep every recorded snapshot younger than this. */
  maxAgeMs?: number;
}

export interface PrunePlan {
  keep: SnapshotFile[];
  remove: SnapshotFile[];
  /** Not saved and verified by the cockpit (no matching record): never touched. */
  ignored: SnapshotFile[];
}

function savedAt(file: SnapshotFile): number {
  return file.record ? Date.parse(file.record.savedAt) : file.mtimeMs;
}

/** Keeps the union of "the newest N" and "younger than max age" in each folder; removes only recorded snapshots. Pure. */
export function planPrune(files: SnapshotFile[], rule: PruneRule, now: number): PrunePlan {
  const plan: PrunePlan = { keep: [], remove: [], ignored: [] };
  const byFolder = new Map<string, SnapshotFile[]>();
  for (const file of files) {
    if (!file.record) {
      plan.ignored.push(file);
      continue;
    }
    const folder = dirname(file.path);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), file]);
  }
  for (const group of byFolder.values()) {
    const newestFirst = [...group].sort((a, b) => savedAt(b) - savedAt(a) || a.name.localeCompare(b.name));
    newestFirst.forEach((file, i) => {
      const young = rule.maxAgeMs !== undefined && now - savedAt(file) <= rule.maxAgeMs;
      (i < rule.keep || young ? plan.keep : plan.remove).push(file);
    });
  }
  return plan;
}

/** Deletes one planned snapshot and its record, after checking once more that the record still matches its bytes. */
export async function removeRecordedSnapshot(file: SnapshotFile): Promise<boolean> {
  const now = await lstat(file.path).catch(() => undefined);
  if (!now?.isFile() || now.size !== file.bytes) return false;
  if (!(await readMatchingSidecar(file.path, file.bytes))) return false;
  await unlink(file.path);
  await unlink(sidecarPath(file.path)).catch(() => undefined);
  return true;
}
