import { memo, useMemo } from 'react';
import { Box, Text } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import { visibleActions } from './actions.js';
import { actionKeysLabel } from './keys.js';
import { ToneText } from './ToneText.js';
import { useCockpit, useTheme } from './context.js';
import { scrollWindow } from './wrap-lines.js';
import { selectDisabledReasons, selectReadOnly } from '../state/selectors.js';

/** Rows the help takes besides its action lines: the border, the title and the closing line. */
const CHROME_ROWS = 4;

/**
 * Every action in the registry with its keys, and why it is unavailable when
 * it is; at most `rows` tall, scrolled with ↑/↓ when the terminal is short.
 */
export const HelpScreen = memo(function HelpScreen({ rows, columns, scroll }: { rows: number; columns: number; scroll: number }) {
  const theme = useTheme();
  const readOnly = useCockpit(selectReadOnly);
  const actions = useMemo(() => visibleActions(readOnly), [readOnly]);
  // Only the reasons are read: a poll that changes none of them leaves the help as it is.
  const reasons = useCockpit(useShallow(useMemo(() => selectDisabledReasons(actions), [actions])));
  const room = rows - CHROME_ROWS - (readOnly ? 1 : 0);
  const ids = actions.map((a) => a.id);
  const { shown, above, below } = scrollWindow(ids, room, scroll);
  const keyWidth = Math.min(26, Math.max(8, Math.floor(columns / 4)));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.color('focus')} paddingX={1}>
      <Text bold wrap="truncate-end">
        Keys
      </Text>
      {above > 0 && <ToneText tone="dim">↑ {above} more above</ToneText>}
      {shown.map((id) => {
        const at = actions.findIndex((x) => x.id === id);
        const a = actions[at]!;
        const reason = a.id === 'close' ? undefined : reasons[at];
        const quorumOff = Boolean(a.needsQuorum && reason?.startsWith('quorum is lost'));
        return (
          <Box key={a.id}>
            <Box width={keyWidth} flexShrink={0}>
              <Text wrap="truncate-end">
                <ToneText tone={reason ? 'dim' : 'accent'} bold={!reason}>
                  {actionKeysLabel(a)}
                </ToneText>
              </Text>
            </Box>
            {/* Lost quorum is said first (a narrow terminal cuts the end of the line); other reasons follow the label. */}
            <Text wrap="truncate-end">
              {quorumOff && <ToneText tone="critical">off, {reason}: </ToneText>}
              {a.label}
              {a.dangerous && <ToneText tone="warning"> (asks first)</ToneText>}
              {reason && !quorumOff && <ToneText tone="dim"> — unavailable: {reason}</ToneText>}
            </Text>
          </Box>
        );
      })}
      {below > 0 && <ToneText tone="dim">↓ {below} more below</ToneText>}
      {readOnly && (
        <Text wrap="truncate-end">
          <ToneText tone="accent">read-only mode: actions that change the cluster are hidden</ToneText>
        </Text>
      )}
      <Text wrap="truncate-end">
        <ToneText tone="dim">? or Esc closes this help{above + below > 0 ? ' · ↑/↓ PgUp/PgDn scroll' : ''}</ToneText>
      </Text>
    </Box>
  );
});
