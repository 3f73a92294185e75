import type { OperationContext } from './context.js';

/**
 * Compacts history to the current revision, or keeps the last `keep`
 * revisions. Compaction alone never shrinks the file: defragment afterwards.
 */
export async function compactHistory(ctx: OperationContext, options: { keep?: number }): Promise<{ revision: number }> {
  const member = ctx.members().find((m) => m.health === 'ok' || m.health === 'degraded');
  if (!member) throw new Error('no member is answering');
  const client = ctx.clientFor(member.endpoint);
  const current = (await client.status()).revision;
  const revision = Math.max(1, current - (options.keep ?? 0));
  ctx.log(`compacting history up to revision ${revision} (current ${current})`);
  try {
    await client.compact(revision, ctx.longDeadlineMs);
  } catch (err) {
    if (/required revision has been compacted/.test((err as Error).message)) {
      ctx.log(`already compacted up to ${revision} or later: nothing to do`);
      return { revision };
    }
    throw err;
  }
  ctx.log(`compacted up to revision ${revision}; the file shrinks only after a defragment`);
  return { revision };
}
