import { ServicesContext, StoreContext, ThemeContext } from './context.js';
import type { Inventory } from '../core/inventory/types.js';
import type { OperationRunner } from '../state/operation-runner.js';
import { App } from './App.js';
import type { KeyspaceScanner } from './KeyspaceView.js';
import type { CockpitStore } from '../state/store.js';
import type { Theme } from './theme.js';
import type { Fleet } from '../state/fleet.js';

export function Root({
  store,
  theme,
  onQuit,
  operations,
  inventory,
  fleet,
  switchContext,
  onRepaint,
  keyspace,
}: {
  store: CockpitStore;
  theme: Theme;
  onQuit: () => void;
  operations?: OperationRunner;
  inventory?: Inventory;
  fleet?: Fleet;
  switchContext?: (name: string) => void;
  /** Ctrl-L: clears the terminal and draws the whole screen again. */
  onRepaint?: () => void;
  keyspace?: KeyspaceScanner;
}) {
  return (
    <StoreContext.Provider value={store}>
      <ThemeContext.Provider value={theme}>
        <ServicesContext.Provider value={{ operations, inventory, fleet, switchContext, keyspace }}>
          <App onQuit={onQuit} onRepaint={onRepaint} />
        </ServicesContext.Provider>
      </ThemeContext.Provider>
    </StoreContext.Provider>
  );
}
