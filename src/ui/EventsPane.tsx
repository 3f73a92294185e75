import { memo, useMemo } from 'react';
import { Box, Text } from 'ink';
import { formatClock } from '../core/format/time.js';
import { ToneText } from './ToneText.js';
import { collapseEvents } from './collapse-events.js';
import { useCockpit } from './context.js';
import { selectBusy, selectEvents } from '../state/selectors.js';

/** The latest actions and what they did, newest last, repeats collapsed (the audit log and timeline hold the full record). */
export const EventsPane = memo(function EventsPane({ rows }: { rows: number }) {
  const events = useCockpit(selectEvents);
  const busy = useCockpit(selectBusy);
  const groups = useMemo(() => collapseEvents(events), [events]);
  const shown = rows > 0 ? groups.slice(-rows) : [];
  return (
    <Box flexDirection="column">
      {busy && (
        <Text wrap="truncate-end">
          <ToneText tone="accent">running: {busy}</ToneText>
        </Text>
      )}
      {shown.map((g, i) => (
        <Text key={`${g.first}-${i}`} wrap="truncate-end">
          <ToneText tone="dim">{formatClock(g.last)}</ToneText> <ToneText tone={g.tone}>{g.text}</ToneText>
          {g.count > 1 && <ToneText tone="dim"> x{g.count} since {formatClock(g.first).slice(0, 5)}</ToneText>}
        </Text>
      ))}
    </Box>
  );
});
