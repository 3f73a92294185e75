import { Box, Text } from 'ink';
import type { ActionDef } from './actions.js';
import { keyLabel } from './keys.js';
import { ToneText } from './ToneText.js';

/** Key hints, straight from the action registry. */
export function Footer({ actions }: { actions: ActionDef[] }) {
  return (
    <Box columnGap={2}>
      {actions
        .filter((a) => a.footer)
        .map((a) => (
          <Text key={a.id} wrap="truncate-end">
            <ToneText tone="accent" bold>
              {keyLabel(a.keys[0]!)}
            </ToneText>{' '}
            <ToneText tone="dim">{a.hint ?? a.label}</ToneText>
          </Text>
        ))}
    </Box>
  );
}
