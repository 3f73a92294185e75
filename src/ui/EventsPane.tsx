import { Box, Text } from 'ink';
import type { CockpitEvent } from '../state/store.js';
import { formatClock } from '../core/format/time.js';
import { ToneText } from './ToneText.js';

/** The latest actions and what they did, newest last (the audit log holds the full record). */
export function EventsPane({ events, rows, busy }: { events: CockpitEvent[]; rows: number; busy?: string }) {
  const shown = events.slice(-rows);
  return (
    <Box flexDirection="column">
      {busy && <ToneText tone="accent">running: {busy}</ToneText>}
      {shown.map((e, i) => (
        <Text key={`${e.at}-${i}`} wrap="truncate-end">
          <ToneText tone="dim">{formatClock(e.at)}</ToneText> <ToneText tone={e.tone}>{e.text}</ToneText>
        </Text>
      ))}
    </Box>
  );
}
