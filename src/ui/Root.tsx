import { OperationsContext, StoreContext, ThemeContext } from './context.js';
import type { OperationRunner } from '../state/operation-runner.js';
import { App } from './App.js';
import type { CockpitStore } from '../state/store.js';
import type { Theme } from './theme.js';

export function Root({
  store,
  theme,
  onQuit,
  operations,
}: {
  store: CockpitStore;
  theme: Theme;
  onQuit: () => void;
  operations?: OperationRunner;
}) {
  return (
    <StoreContext.Provider value={store}>
      <ThemeContext.Provider value={theme}>
        <OperationsContext.Provider value={operations}>
          <App onQuit={onQuit} />
        </OperationsContext.Provider>
      </ThemeContext.Provider>
    </StoreContext.Provider>
  );
}
