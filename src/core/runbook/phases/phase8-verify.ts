/** Phase 8: the runbook's verification checkpoint, all ten rows checked live. */
import { checkpointTable, runCheckpoint } from '../checkpoint.js';
import { RunbookFailure } from '../failures.js';
import type { ClusterStep } from '../types.js';
import { standardAdvice } from './common.js';

const checkpoint: ClusterStep = {
  id: 'verify.checkpoint',
  title: 'Verification checkpoint (10 checks)',
  phase: 8,
  scope: 'cluster',
  advice: standardAdvice,
  async check(ctx) {
    const rows = await runCheckpoint(ctx.run, ctx.nodes);
    ctx.checkpoint(rows);
    const failed = rows.filter((r) => !r.pass);
    return failed.length === 0 ? { done: true, detail: '10/10 pass' } : { done: false, reason: `failing: ${failed.map((r) => r.n).join(', ')}` };
  },
  async plan() {
    return [{ kind: 'etcd', call: 'check the 10 rows of the verification checkpoint on every node and member' }];
  },
  async apply(ctx) {
    const rows = await runCheckpoint(ctx.run, ctx.nodes);
    ctx.checkpoint(rows);
    ctx.log(checkpointTable(rows));
    const failed = rows.filter((r) => !r.pass);
    if (failed.length > 0) {
      throw new RunbookFailure('other', `checkpoint: ${failed.length} of 10 checks fail: ${failed.map((r) => `#${r.n} ${r.check} (${r.detail})`).join('; ')}`);
    }
    return '10/10 pass';
  },
};

export const VERIFY_STEPS = [checkpoint];
