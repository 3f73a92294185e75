import { memo } from 'react';
import { Box, Text } from 'ink';
import { ToneText } from './ToneText.js';
import { useCockpit } from './context.js';
import { formatClock } from '../core/format/time.js';
import { POLL_SOURCES, type PollSource, type SourceState } from '../core/cluster/poll-sources.js';
import { selectPollSources } from '../state/selectors.js';

/**
 * A line per poll source while it fails: since when, and when it is tried again
 * (a clock time, so the line stays still between tries). The numbers it feeds
 * are stale meanwhile; the events pane said which.
 */
export const SourcesBanner = memo(function SourcesBanner() {
  const sources = useCockpit(selectPollSources);
  const failing = POLL_SOURCES.flatMap((name) => {
    const state = sources[name];
    return state && !state.ok ? [describe(name, state)] : [];
  });
  if (failing.length === 0) return null;
  return (
    <Box flexDirection="column">
      {failing.map((line) => (
        <Text key={line} wrap="truncate-end">
          <ToneText tone="warning">{line}</ToneText>
        </Text>
      ))}
    </Box>
  );
});

function describe(name: PollSource, state: Extract<SourceState, { ok: false }>): string {
  const tries = state.failures === 1 ? '1 failure' : `${state.failures} failures`;
  return `${name} failing since ${formatClock(state.failingSince)}, backing off: next try ${formatClock(state.nextTryAt)} (${tries}: ${state.error})`;
}
