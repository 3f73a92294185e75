import { Box, Text } from 'ink';
import type { ActionDef } from './actions.js';
import type { CockpitState } from '../state/store.js';
import { keyLabel } from './keys.js';
import { ToneText } from './ToneText.js';
import { useTheme } from './context.js';

/** Every action in the registry with its keys, and why it is unavailable when it is. */
export function HelpScreen({ actions, state }: { actions: ActionDef[]; state: CockpitState }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.color('focus')} paddingX={1}>
      <Text bold>Keys</Text>
      {actions.map((a) => {
        const reason = a.id === 'close' ? undefined : a.disabledReason?.(state);
        return (
          <Box key={a.id}>
            <Box width={26} flexShrink={0}>
              <ToneText tone="accent" bold>
                {a.keys.map(keyLabel).join(' ')}
              </ToneText>
            </Box>
            <Text wrap="truncate-end">
              {a.label}
              {a.dangerous && <ToneText tone="warning"> (asks first)</ToneText>}
              {reason && <ToneText tone="dim"> — unavailable: {reason}</ToneText>}
            </Text>
          </Box>
        );
      })}
      {state.readOnly && <ToneText tone="accent">read-only mode: actions that change the cluster are hidden</ToneText>}
      <ToneText tone="dim">? or Esc closes this help</ToneText>
    </Box>
  );
}
