import { Box, Text } from 'ink';
import type { PendingConfirm } from '../state/store.js';
import { ToneText } from './ToneText.js';
import { useTheme } from './context.js';

/** The one confirmation path: what will happen, then Cancel (focused first) or Confirm, or the typed name. */
export function ConfirmDialog({ pending }: { pending: PendingConfirm }) {
  const theme = useTheme();
  const { request, focus, typed } = pending;
  const button = (label: string, focused: boolean) => (
    <Text inverse={focused} bold={focused}>
      {focused ? `[ ${label} ]` : `  ${label}  `}
    </Text>
  );
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={theme.color('warning')} paddingX={1}>
      <ToneText tone="warning" bold>
        {request.action} {request.target}
      </ToneText>
      {request.summary.map((line, i) => (
        <Text key={i} wrap="wrap">
          {line}
        </Text>
      ))}
      <Text> </Text>
      {request.typed ? (
        <>
          <Text>
            This cannot be undone. Type <Text bold>{request.typed}</Text> and press Enter to confirm; Esc cancels.
          </Text>
          <Text>
            {'> '}
            <Text bold>{typed}</Text>
            <Text inverse> </Text>
          </Text>
        </>
      ) : (
        <Box columnGap={2}>
          {button('Cancel', focus === 'cancel')}
          {button('Confirm', focus === 'confirm')}
          <ToneText tone="dim">Tab switches · Enter chooses · Esc cancels</ToneText>
        </Box>
      )}
    </Box>
  );
}
