import { useContext, useEffect, useMemo, useState } from 'react';
import { Box, Text, type Key } from 'ink';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { ToneText } from './ToneText.js';
import { handleFilterKey } from './filter-keys.js';
import type { Fleet } from '../state/fleet.js';
import { ContextsOverview } from './ContextsOverview.js';
import { CommandLine, commandLineRows } from './CommandLine.js';
import { commandEntries } from './command-line.js';
import { handleCommandKey } from './command-keys.js';
import { runAction } from './run-action.js';
import { useKeys } from './use-keys.js';
import { collapseEvents } from './collapse-events.js';
import { PANE_HEIGHT } from './MemberPane.js';
import { MemberSlot } from './MemberSlot.js';
import { SelectedMemberDetail } from './SelectedMemberDetail.js';
import { ServicesContext, StoreContext, useCockpit } from './context.js';
import { RunbookOverlay } from './RunbookSidebar.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { EventsPane } from './EventsPane.js';
import { handleConfirmKey } from './confirm-keys.js';
import { Header } from './Header.js';
import { SourcesBanner } from './SourcesBanner.js';
import { Footer } from './Footer.js';
import { HelpScreen } from './HelpScreen.js';
import { KeyspaceView } from './KeyspaceView.js';
import { actionForKey, visibleActions } from './actions.js';
import { keyName } from './keys.js';
import { chooseLayout } from './layout.js';
import { useTerminalSize } from './use-terminal-size.js';
import {
  selectBusy,
  selectCommand,
  selectConfirm,
  selectContexts,
  selectEvents,
  selectFailingSourceCount,
  selectFilter,
  selectHasAlarms,
  selectHasRunbook,
  selectHasSelectedMember,
  selectMemberCount,
  selectMemberNames,
  selectOverlay,
  selectReadOnly,
  selectSelectedEndpoint,
  selectVisibleEndpoints,
} from '../state/selectors.js';

export function App({ onQuit, onRepaint }: { onQuit: () => void; onRepaint?: () => void }) {
  const store = useContext(StoreContext)!;
  const services = useContext(ServicesContext);
  const { operations } = services;
  // Only what decides the layout and which view is on screen; each part subscribes to what it shows.
  const confirm = useCockpit(selectConfirm);
  const overlay = useCockpit(selectOverlay);
  const filter = useCockpit(selectFilter);
  const command = useCockpit(selectCommand);
  const busy = useCockpit(selectBusy);
  const events = useCockpit(selectEvents);
  const contexts = useCockpit(selectContexts);
  const hasAlarms = useCockpit(selectHasAlarms);
  const failingSources = useCockpit(selectFailingSourceCount);
  const readOnly = useCockpit(selectReadOnly);
  const hasRunbook = useCockpit(selectHasRunbook);
  const hasSelected = useCockpit(selectHasSelectedMember);
  const selectedEndpoint = useCockpit(selectSelectedEndpoint);
  const memberCount = useCockpit(selectMemberCount);
  const shown = useCockpit(useShallow(selectVisibleEndpoints));
  const memberNames = useCockpit(useShallow(selectMemberNames));
  const { columns, rows } = useTerminalSize();

  const commandContext = { store, quit: onQuit, ...services, contexts };
  // How far a help or confirmation taller than the terminal is scrolled; back to the top when it changes.
  const [scroll, setScroll] = useState({ of: '', by: 0 });
  const scrolled = confirm ? `confirm:${confirm.request.action}:${confirm.request.target}` : overlay;
  const scrollBy = scroll.of === scrolled ? scroll.by : 0;
  // Ctrl-L: one empty frame after the terminal is cleared, so Ink writes every line of the next one again.
  const [blank, setBlank] = useState(false);
  useEffect(() => {
    if (blank) setBlank(false);
  }, [blank]);
  useKeys((input, key) => handleKey(input, key));
  const handleKey = (input: string, key: Key): void => {
    if (key.ctrl && input === 'l') {
      onRepaint?.();
      setBlank(true);
      return;
    }
    const current = store.getState();
    const scrollable = Boolean(current.confirm) || current.overlay === 'help';
    const step = key.pageDown ? 10 : key.pageUp ? -10 : key.downArrow || (!current.confirm && input === 'j') ? 1 : key.upArrow || (!current.confirm && input === 'k') ? -1 : 0;
    if (scrollable && step !== 0) {
      setScroll((s) => ({ of: scrolled, by: Math.max(0, (s.of === scrolled ? s.by : 0) + step) }));
      return;
    }
    // A modal dialog takes every key first.
    if (current.confirm) return handleConfirmKey(input, key, store, operations);
    if (current.filter.editing) return handleFilterKey(input, key, store);
    if (current.command) return handleCommandKey(input, key, commandContext);
    if (current.overlay === 'keyspace' && input === 'q') return current.setOverlay('none');
    if (current.overlay === 'contexts' && services.fleet && handleOverviewKey(input, key, services.fleet, services.switchContext)) return;
    const action = actionForKey(keyName(input, key), current.readOnly);
    if (action) runAction(action, commandContext);
  };

  const headerRows = 1 + (hasAlarms ? 1 : 0) + failingSources;
  // One row short of the terminal: a full-height root makes Ink clear the whole screen on every frame.
  const height = Math.max(1, rows - 1);
  const groupCount = useMemo(() => collapseEvents(events).length, [events]);
  const busyRows = busy ? 1 : 0;
  const baseEventRows = groupCount > 0 || busy ? Math.min(5, Math.max(1, Math.floor(height / 8))) : 0;
  const filterRows = filter.editing || filter.text ? 1 : 0;
  const entries = useMemo(() => (command ? commandEntries(visibleActions(readOnly), memberNames, contexts) : []), [command, readOnly, memberNames, contexts]);
  const commandRows = command ? commandLineRows(command.text, command.error, entries) : 0;
  const fixedRows = headerRows + 1 + filterRows + commandRows;
  const layout = chooseLayout(shown.length, columns, height - fixedRows - baseEventRows);
  // On the member panes, the events pane grows into the rows the panes leave free.
  const onPanes = !confirm && (overlay === 'none' || (overlay === 'contexts' && !services.fleet) || (overlay === 'detail' && !hasSelected));
  const paneRows = layout.variant === 'wide' ? Math.ceil(shown.length / layout.perRow) * PANE_HEIGHT.wide : shown.length * PANE_HEIGHT[layout.variant];
  const spare = onPanes ? Math.max(0, height - fixedRows - baseEventRows - paneRows) : 0;
  const eventRows = baseEventRows + Math.min(spare, Math.max(0, groupCount + busyRows - baseEventRows));
  const bodyRows = Math.max(1, height - fixedRows - eventRows);

  if (blank) return <Box />;
  return (
    <Box flexDirection="column" height={height} width={columns}>
      <Header columns={columns} />
      <SourcesBanner />
      {confirm ? (
        <Box flexDirection="column" flexGrow={1}>
          <ConfirmDialog pending={confirm} columns={columns} rows={bodyRows} scroll={scrollBy} />
        </Box>
      ) : overlay === 'runbook' && hasRunbook ? (
        <RunbookOverlay columns={columns} rows={bodyRows} />
      ) : overlay === 'detail' && hasSelected ? (
        <SelectedMemberDetail columns={columns} rows={bodyRows} />
      ) : overlay === 'contexts' && services.fleet ? (
        <ContextsOverlay fleet={services.fleet} />
      ) : overlay === 'keyspace' ? (
        <KeyspaceView scan={services.keyspace} columns={columns} rows={bodyRows} />
      ) : overlay === 'help' ? (
        <Box flexDirection="column" flexGrow={1}>
          <HelpScreen rows={bodyRows} columns={columns} scroll={scrollBy} />
        </Box>
      ) : (
        <Box flexDirection={layout.variant === 'wide' ? 'row' : 'column'} flexWrap="wrap" flexGrow={1}>
          {shown.map((endpoint) => (
            <MemberSlot key={endpoint} endpoint={endpoint} selected={endpoint === selectedEndpoint} variant={layout.variant} width={layout.paneWidth} />
          ))}
        </Box>
      )}
      {filterRows > 0 && (
        <Text wrap="truncate-end">
          <ToneText tone="accent">/{filter.text}</ToneText>
          {filter.editing ? <Text inverse> </Text> : <ToneText tone="dim"> ({shown.length} of {memberCount} members; / to change, Esc in it clears)</ToneText>}
        </Text>
      )}
      {command && <CommandLine text={command.text} error={command.error} entries={entries} />}
      {eventRows > 0 && <EventsPane rows={eventRows - busyRows} />}
      <Footer columns={columns} />
    </Box>
  );
}

function ContextsOverlay({ fleet }: { fleet: Fleet }) {
  const { rows, cursor } = useStore(fleet.rows);
  return <ContextsOverview rows={rows} cursor={cursor} />;
}

/** In the overview, ↑/↓ (k/j) move among the clusters and Enter puts the one under the cursor on screen. */
function handleOverviewKey(input: string, key: Key, fleet: Fleet, switchContext?: (name: string) => void): boolean {
  const name = keyName(input, key);
  if (name === 'up' || name === 'k') fleet.moveCursor(-1);
  else if (name === 'down' || name === 'j') fleet.moveCursor(1);
  else if (name === 'return') switchContext?.(fleet.cursorName());
  else return false;
  return true;
}
