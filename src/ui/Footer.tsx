import { Text } from 'ink';
import type { ActionDef } from './actions.js';
import { keyLabel } from './keys.js';
import { ToneText } from './ToneText.js';

/** Key hints, straight from the action registry, on one line; while quorum is lost, which keys wait for it. */
export function Footer({ actions, blocked }: { actions: ActionDef[]; blocked?: { keys: string[]; reason: string } }) {
  return (
    <Text wrap="truncate-end">
      {blocked && blocked.keys.length > 0 && (
        <ToneText tone="critical">
          {blocked.keys.join(' ')} off: {blocked.reason}
          {'  '}
        </ToneText>
      )}
      {actions
        .filter((a) => a.footer)
        .map((a, i) => (
          <Text key={a.id}>
            {i > 0 && '  '}
            <ToneText tone="accent" bold>
              {keyLabel(a.keys[0]!)}
            </ToneText>{' '}
            <ToneText tone="dim">{a.hint ?? a.label}</ToneText>
          </Text>
        ))}
    </Text>
  );
}
