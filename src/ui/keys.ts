import type { Key } from 'ink';

/** Named keys the registry binds: a printable character, or one of these names. */
export type KeyName =
  | 'left' | 'right' | 'up' | 'down' | 'tab' | 'shift-tab' | 'escape' | 'return' | 'ctrl-c'
  | (string & {});

/** Turns Ink's (input, key) pair into one name the registry can look up. */
export function keyName(input: string, key: Key): KeyName {
  if (key.ctrl && input === 'c') return 'ctrl-c';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.escape) return 'escape';
  if (key.return) return 'return';
  return input;
}

const GLYPHS: Record<string, string> = {
  left: '←', right: '→', up: '↑', down: '↓', tab: 'Tab', 'shift-tab': 'S-Tab', escape: 'Esc', return: 'Enter', 'ctrl-c': 'Ctrl-C',
};

export function keyLabel(name: KeyName): string {
  return GLYPHS[name] ?? name;
}

/** An action's keys as the help and the README show them; one without a key is reached by its name on the `:` line. */
export function actionKeysLabel(action: { keys: readonly KeyName[]; id: string }): string {
  return action.keys.length > 0 ? action.keys.map(keyLabel).join(' ') : `:${action.id}`;
}
