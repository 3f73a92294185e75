import { Box, Text } from 'ink';
import type { PendingConfirm } from '../state/store.js';
import { ToneText } from './ToneText.js';
import { useTheme } from './context.js';
import { scrollWindow, wrapLines } from './wrap-lines.js';

const BUTTONS_HINT = 'Tab switches · Enter chooses · Esc cancels';

/**
 * The one confirmation path: what will happen, then Cancel (focused first) or
 * Confirm, or the typed name. At most `rows` tall: the title (what, on which
 * member) and the answer always show; the plan between them scrolls with ↑/↓.
 */
export function ConfirmDialog({ pending, columns, rows, scroll }: { pending: PendingConfirm; columns: number; rows: number; scroll: number }) {
  const theme = useTheme();
  const { request, focus, typed } = pending;
  const inner = Math.max(10, columns - 4); // border and padding
  const title = wrapLines(`${request.action} ${request.target}`, inner);
  const prompt = request.typed
    ? wrapLines(`This cannot be undone. Type ${request.typed} and press Enter to confirm; Esc cancels.`, inner)
    : [];
  const answerRows = request.typed ? prompt.length + 1 : 1;
  const summary = request.summary.flatMap((line) => wrapLines(line, inner));
  const room = Math.max(1, rows - 2 - title.length - 1 - answerRows);
  const { shown, above, below } = scrollWindow(summary, room, scroll);
  const button = (label: string, focused: boolean) => (
    <Text inverse={focused} bold={focused}>
      {focused ? `[ ${label} ]` : `  ${label}  `}
    </Text>
  );
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={theme.color('warning')} paddingX={1}>
      {title.map((line, i) => (
        <ToneText key={`t${i}`} tone="warning" bold>
          {line}
        </ToneText>
      ))}
      {above > 0 && <ToneText tone="dim">↑ {above} more lines above (↑/↓ scroll)</ToneText>}
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line}
        </Text>
      ))}
      {below > 0 && <ToneText tone="dim">↓ {below} more lines below (↑/↓ scroll)</ToneText>}
      <Text> </Text>
      {request.typed ? (
        <>
          {prompt.map((line, i) => (
            <Text key={`p${i}`}>{line}</Text>
          ))}
          <Text wrap="truncate-end">
            {'> '}
            <Text bold>{typed}</Text>
            <Text inverse> </Text>
          </Text>
        </>
      ) : (
        <Text wrap="truncate-end">
          {button('Cancel', focus === 'cancel')}
          {'  '}
          {button('Confirm', focus === 'confirm')}
          {'  '}
          <ToneText tone="dim">{BUTTONS_HINT}</ToneText>
        </Text>
      )}
    </Box>
  );
}
