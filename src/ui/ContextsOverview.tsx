import { Box, Text } from 'ink';
import type { ContextRow } from '../state/fleet.js';
import { formatClock } from '../core/format/time.js';
import { ToneText } from './ToneText.js';
import { useTheme } from './context.js';
import type { Tone } from '../core/view/tone.js';

const COLUMNS = { name: 16, quorum: 18, answering: 10, leader: 10, polled: 10 } as const;

/** Every cluster of the user config in one row each: quorum, answering members, leader, alarms. */
export function ContextsOverview({ rows, cursor }: { rows: ContextRow[]; cursor: number }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.color('focus')} paddingX={1} flexGrow={1}>
      <Text wrap="truncate-end">
        <Text bold>Clusters</Text> <ToneText tone="dim">· others polled every 10 s · ↑/↓ Enter or :ctx NAME switch · Esc back</ToneText>
      </Text>
      <Text wrap="truncate-end">
        <ToneText tone="dim">
          {'  '}
          {'context'.padEnd(COLUMNS.name)}
          {'quorum'.padEnd(COLUMNS.quorum)}
          {'answering'.padEnd(COLUMNS.answering)}
          {'leader'.padEnd(COLUMNS.leader)}
          {'polled'.padEnd(COLUMNS.polled)}
          alarms
        </ToneText>
      </Text>
      {rows.map((row, i) => (
        <ContextLine key={row.name} row={row} underCursor={i === cursor} />
      ))}
    </Box>
  );
}

function ContextLine({ row, underCursor }: { row: ContextRow; underCursor: boolean }) {
  const s = row.summary;
  const polled = row.polledAt ? formatClock(row.polledAt) : 'not yet';
  if (row.error) {
    return (
      <Text wrap="truncate-end" inverse={underCursor}>
        {row.active ? '▶ ' : '  '}
        {row.name.padEnd(COLUMNS.name)}
        <ToneText tone="critical">{row.error}</ToneText>
      </Text>
    );
  }
  const quorum: { text: string; tone: Tone } = !s
    ? { text: 'not polled yet', tone: 'dim' }
    : s.quorum === 'ok'
      ? { text: `OK · tolerates ${s.tolerates}`, tone: s.tolerates === 0 ? 'warning' : 'healthy' }
      : s.quorum === 'lost'
        ? { text: 'LOST', tone: 'critical' }
        : { text: '?', tone: 'dim' };
  return (
    <Text wrap="truncate-end" inverse={underCursor}>
      {row.active ? '▶ ' : '  '}
      <Text bold={row.active}>{row.name.padEnd(COLUMNS.name)}</Text>
      <ToneText tone={quorum.tone}>{quorum.text.padEnd(COLUMNS.quorum)}</ToneText>
      <ToneText tone={s && s.answering < s.total ? 'warning' : 'normal'}>{(s ? `${s.answering}/${s.total}` : '-').padEnd(COLUMNS.answering)}</ToneText>
      <ToneText tone={s?.leaderName ? 'leader' : 'dim'}>{(s?.leaderName ?? '-').padEnd(COLUMNS.leader)}</ToneText>
      <ToneText tone="dim">{polled.padEnd(COLUMNS.polled)}</ToneText>
      <ToneText tone={s?.alarms.length ? 'critical' : 'dim'}>{s?.alarms.length ? s.alarms.join(', ') : 'none'}</ToneText>
    </Text>
  );
}
