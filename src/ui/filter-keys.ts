import type { Key } from 'ink';
import type { CockpitStore } from '../state/store.js';

/** Keys while the `/` filter is being typed: letters edit it, Enter keeps it, Esc clears it. */
export function handleFilterKey(input: string, key: Key, store: CockpitStore): void {
  const { filter, setFilter } = store.getState();
  if (key.escape) return setFilter({ text: '', editing: false });
  if (key.return) return setFilter({ text: filter.text, editing: false });
  if (key.backspace || key.delete) return setFilter({ text: filter.text.slice(0, -1), editing: true });
  if (input && !key.ctrl && !key.meta && !key.tab) setFilter({ text: filter.text + input, editing: true });
}
