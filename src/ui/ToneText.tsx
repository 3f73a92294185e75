import { Text } from 'ink';
import type { Field } from '../core/view/member-view.js';
import type { Token } from './theme.js';
import { useTheme } from './context.js';

/** Text in a semantic colour; in monochrome, critical text is bold so it still stands out. */
export function ToneText({ tone, children, bold, dim }: { tone: Token; children: React.ReactNode; bold?: boolean; dim?: boolean }) {
  const theme = useTheme();
  const color = dim ? theme.color('dim') : theme.color(tone);
  return (
    <Text color={color} bold={bold ?? (theme.monochrome && tone === 'critical')} dimColor={dim && theme.monochrome}>
      {children}
    </Text>
  );
}

export function FieldText({ field, dim }: { field: Field; dim?: boolean }) {
  return (
    <ToneText tone={field.tone} dim={dim}>
      {field.text}
    </ToneText>
  );
}
