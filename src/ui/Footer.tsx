import { memo, useMemo } from 'react';
import { Text } from 'ink';
import { visibleActions, type ActionDef } from './actions.js';
import { keyLabel } from './keys.js';
import { ToneText } from './ToneText.js';
import { useShallow } from 'zustand/react/shallow';
import { keysWaitingForQuorum } from './quorum-gate.js';
import { useCockpit } from './context.js';
import { selectQuorumLost, selectReadOnly } from '../state/selectors.js';

const GAP = '  ';

/**
 * Key hints, straight from the action registry, on one line: the hints that
 * do not fit are left out, never `? help` (which lists them all). While
 * quorum is lost, which keys wait for it comes first.
 */
export const Footer = memo(function Footer({ columns }: { columns: number }) {
  const readOnly = useCockpit(selectReadOnly);
  const all = useMemo(() => visibleActions(readOnly), [readOnly]);
  const quorumLost = useCockpit(selectQuorumLost);
  const blockedKeys = useCockpit(useShallow((s) => keysWaitingForQuorum(all, s)));
  // While quorum is lost only help and quit are offered; the rest wait for it.
  const actions = quorumLost ? all.filter((a) => a.id === 'help' || a.id === 'quit') : all;
  const blockedText = blockedKeys.length > 0 ? `${blockedKeys.join(' ')} off: quorum lost` : '';
  const hints = fitHints(actions.filter((a) => a.footer), columns - (blockedText ? [...blockedText].length + GAP.length : 0));
  return (
    <Text wrap="truncate-end">
      {blockedText && (
        <ToneText tone="critical">
          {blockedText}
          {GAP}
        </ToneText>
      )}
      {hints.map((a, i) => (
        <Text key={a.id}>
          {i > 0 && GAP}
          <ToneText tone="accent" bold>
            {keyLabel(a.keys[0]!)}
          </ToneText>{' '}
          <ToneText tone="dim">{a.hint ?? a.label}</ToneText>
        </Text>
      ))}
    </Text>
  );
});

function hintWidth(a: ActionDef): number {
  return [...keyLabel(a.keys[0]!)].length + 1 + [...(a.hint ?? a.label)].length;
}

/** In registry order, as many hints as fit, and help always. */
function fitHints(hints: ActionDef[], room: number): ActionDef[] {
  const help = hints.find((a) => a.id === 'help');
  const kept: ActionDef[] = [];
  let used = help ? hintWidth(help) : 0;
  for (const a of hints) {
    if (a === help) continue;
    const width = hintWidth(a) + GAP.length;
    if (used + width > room) continue;
    kept.push(a);
    used += width;
  }
  return hints.filter((a) => a === help || kept.includes(a));
}
