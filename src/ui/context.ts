import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { CockpitState, CockpitStore } from '../state/store.js';
import type { Theme } from './theme.js';
import type { OperationRunner } from '../state/operation-runner.js';
import type { Inventory } from '../core/inventory/types.js';
import type { Fleet, FleetSession } from '../state/fleet.js';
import type { KeyspaceScanner } from './KeyspaceView.js';

export const StoreContext = createContext<CockpitStore | null>(null);
export const ThemeContext = createContext<Theme | null>(null);
/** What the keys can act with; empty in a bare view. */
export interface CockpitServices {
  operations?: OperationRunner;
  /** The inventory the cockpit was started with (-f), for the runbook. */
  inventory?: Inventory;
  /** Every cluster of the user config, for the overview. */
  fleet?: Fleet<FleetSession>;
  /** Puts another cluster of the user config on screen. */
  switchContext?: (name: string) => void;
  /** Scans the keyspace of the cluster on screen for the keyspace view (K). */
  keyspace?: KeyspaceScanner;
}
export const ServicesContext = createContext<CockpitServices>({});

export function useCockpit<T>(selector: (s: CockpitState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('StoreContext missing');
  return useStore(store, selector);
}

export function useTheme(): Theme {
  const theme = useContext(ThemeContext);
  if (!theme) throw new Error('ThemeContext missing');
  return theme;
}
