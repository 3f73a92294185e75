import { StoreContext, ThemeContext } from './context.js';
import { App } from './App.js';
import type { CockpitStore } from '../state/store.js';
import type { Theme } from './theme.js';

export function Root({ store, theme, onQuit }: { store: CockpitStore; theme: Theme; onQuit: () => void }) {
  return (
    <StoreContext.Provider value={store}>
      <ThemeContext.Provider value={theme}>
        <App onQuit={onQuit} />
      </ThemeContext.Provider>
    </StoreContext.Provider>
  );
}
