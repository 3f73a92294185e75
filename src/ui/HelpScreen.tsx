import { Box, Text } from 'ink';
import type { ActionDef } from './actions.js';
import type { CockpitState } from '../state/store.js';
import { keyLabel } from './keys.js';
import { ToneText } from './ToneText.js';
import { useTheme } from './context.js';
import { scrollWindow } from './wrap-lines.js';

/** Rows the help takes besides its action lines: the border, the title and the closing line. */
const CHROME_ROWS = 4;

/**
 * Every action in the registry with its keys, and why it is unavailable when
 * it is; at most `rows` tall, scrolled with ↑/↓ when the terminal is short.
 */
export function HelpScreen({ actions, state, rows, columns, scroll }: { actions: ActionDef[]; state: CockpitState; rows: number; columns: number; scroll: number }) {
  const theme = useTheme();
  const room = rows - CHROME_ROWS - (state.readOnly ? 1 : 0);
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
        const a = actions.find((x) => x.id === id)!;
        const reason = a.id === 'close' ? undefined : a.disabledReason?.(state);
        const quorumOff = Boolean(a.needsQuorum && reason?.startsWith('quorum is lost'));
        return (
          <Box key={a.id}>
            <Box width={keyWidth} flexShrink={0}>
              <Text wrap="truncate-end">
                <ToneText tone={reason ? 'dim' : 'accent'} bold={!reason}>
                  {a.keys.map(keyLabel).join(' ')}
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
      {state.readOnly && (
        <Text wrap="truncate-end">
          <ToneText tone="accent">read-only mode: actions that change the cluster are hidden</ToneText>
        </Text>
      )}
      <Text wrap="truncate-end">
        <ToneText tone="dim">? or Esc closes this help{above + below > 0 ? ' · ↑/↓ PgUp/PgDn scroll' : ''}</ToneText>
      </Text>
    </Box>
  );
}
