import { UsageError } from './usage-error.js';
import { MIN_FREE_BYTES_RANGE, MIN_FREE_PERCENT_RANGE, parseMinFreeBytes, parseMinFreePercent } from './numbers.js';
import { AUTO_DEFRAG_DEFAULTS, type AutoDefragPolicy } from '../core/operations/defrag-plan.js';

export const AUTO_DEFRAG_RANGE_HINTS: Record<string, string> = {
  '--min-free-percent': `${MIN_FREE_PERCENT_RANGE.min} to ${MIN_FREE_PERCENT_RANGE.max}`,
  '--min-free-bytes': `${MIN_FREE_BYTES_RANGE.min} to 8GiB`,
};

interface AutoDefragValues {
  auto?: boolean;
  member?: string;
  force?: boolean;
  'min-free-percent'?: string;
  'min-free-bytes'?: string;
}

/** `defrag --auto [--min-free-percent P] [--min-free-bytes SIZE]`, or undefined without --auto; contradictions are refused. */
export function autoDefragPolicy(command: string, values: AutoDefragValues): AutoDefragPolicy | undefined {
  const percent = values['min-free-percent'];
  const bytes = values['min-free-bytes'];
  if (!values.auto) {
    const given = percent !== undefined ? '--min-free-percent' : bytes !== undefined ? '--min-free-bytes' : undefined;
    if (given) throw new UsageError(`${given} only applies to defrag --auto (it sets when --auto thinks a defragment is worth it)`);
    return undefined;
  }
  if (command !== 'defrag') throw new UsageError(`--auto only applies to defrag, not to ${command}`);
  if (values.member !== undefined) {
    throw new UsageError('defrag: --auto (every member where it is worth it) and --member NAME (this one) contradict each other; give one');
  }
  if (values.force) {
    throw new UsageError('defrag: --auto (only where it is worth it) and --force (even where it is not) contradict each other; give one');
  }
  return {
    minFreeRatio: percent === undefined ? AUTO_DEFRAG_DEFAULTS.minFreeRatio : parseMinFreePercent(percent) / 100,
    minFreeBytes: bytes === undefined ? AUTO_DEFRAG_DEFAULTS.minFreeBytes : parseMinFreeBytes(bytes),
  };
}
