import { useMemo } from 'react';
import { Box, Text, useInput, type Key } from 'ink';
import { ToneText } from './ToneText.js';
import { handleFilterKey } from './filter-keys.js';
import { membersInOrder, selectedMember, visibleEndpoints } from '../state/store.js';
import { useStore } from 'zustand';
import type { Fleet } from '../state/fleet.js';
import { MemberDetail } from './MemberDetail.js';
import { ContextsOverview } from './ContextsOverview.js';
import { CommandLine, commandLineRows } from './CommandLine.js';
import { currentEntries, handleCommandKey } from './command-keys.js';
import { runAction } from './run-action.js';
import { splitKeys } from './split-keys.js';
import { useContext } from 'react';
import { ServicesContext, StoreContext, useCockpit } from './context.js';
import { RunbookSidebar } from './RunbookSidebar.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { EventsPane } from './EventsPane.js';
import { handleConfirmKey } from './confirm-keys.js';
import { Header } from './Header.js';
import { MemberPane } from './MemberPane.js';
import { Footer } from './Footer.js';
import { HelpScreen } from './HelpScreen.js';
import { actionForKey, visibleActions } from './actions.js';
import { keyName } from './keys.js';
import { chooseLayout } from './layout.js';
import { useNow } from './use-now.js';
import { useTerminalSize } from './use-terminal-size.js';
import { summarizeCluster } from '../core/cluster/summary.js';
import { memberView } from '../core/view/member-view.js';

export function App({ onQuit }: { onQuit: () => void }) {
  const store = useContext(StoreContext)!;
  const services = useContext(ServicesContext);
  const { operations } = services;
  const state = useCockpit((s) => s);
  const { columns, rows } = useTerminalSize();
  const members = useMemo(() => membersInOrder(state), [state.order, state.members]);
  const shown = useMemo(() => new Set(visibleEndpoints(state)), [state.order, state.members, state.filter]);
  const summary = useMemo(() => summarizeCluster(members, state.memberList), [members, state.memberList]);
  const now = useNow(members.some((m) => m.downSince !== undefined));
  const actions = visibleActions(state.readOnly);

  const commandContext = { store, quit: onQuit, ...services, contexts: state.contexts };
  useInput((chunk, chunkKey) => {
    for (const [input, key] of splitKeys(chunk, chunkKey)) handleKey(input, key);
  });
  const handleKey = (input: string, key: Key): void => {
    // A modal dialog takes every key first.
    if (store.getState().confirm) return handleConfirmKey(input, key, store, operations);
    if (store.getState().filter.editing) return handleFilterKey(input, key, store);
    if (store.getState().command) return handleCommandKey(input, key, commandContext);
    if (store.getState().overlay === 'contexts' && services.fleet && handleOverviewKey(input, key, services.fleet, services.switchContext)) return;
    const action = actionForKey(keyName(input, key), state.readOnly);
    if (action) runAction(action, commandContext);
  };

  const headerRows = summary.alarms.length > 0 ? 2 : 1;
  // One row short of the terminal: a full-height root makes Ink clear the whole screen on every frame.
  const height = Math.max(1, rows - 1);
  const eventRows = state.events.length > 0 || state.busy ? Math.min(5, Math.max(1, Math.floor(height / 8))) : 0;
  const filterRows = state.filter.editing || state.filter.text ? 1 : 0;
  const entries = state.command ? currentEntries(commandContext) : [];
  const commandRows = state.command ? commandLineRows(state.command.text, state.command.error, entries) : 0;
  const bodyRows = height - headerRows - 1 - eventRows - filterRows - commandRows;
  const layout = chooseLayout(shown.size, columns, bodyRows);
  const selected = selectedMember(state);

  return (
    <Box flexDirection="column" height={height} width={columns}>
      <Header clusterName={state.clusterName} summary={summary} readOnly={state.readOnly} />
      {state.confirm ? (
        <Box flexDirection="column" flexGrow={1}>
          <ConfirmDialog pending={state.confirm} />
        </Box>
      ) : state.overlay === 'runbook' && state.runbook ? (
        <RunbookSidebar view={state.runbook} columns={columns} rows={height - headerRows - 1 - eventRows} />
      ) : state.overlay === 'detail' && selected ? (
        <MemberDetail
          member={selected}
          view={memberView(selected, now, state.memberList)}
          history={state.history[selected.endpoint]}
          memberList={state.memberList}
          columns={columns}
          rows={bodyRows}
        />
      ) : state.overlay === 'contexts' && services.fleet ? (
        <ContextsOverlay fleet={services.fleet} />
      ) : state.overlay === 'help' ? (
        <Box flexDirection="column" flexGrow={1}>
          <HelpScreen actions={actions} state={state} />
        </Box>
      ) : (
        <Box flexDirection={layout.variant === 'wide' ? 'row' : 'column'} flexWrap="wrap" flexGrow={1}>
          {members.map((m, i) => shown.has(m.endpoint) && (
            <MemberPane
              key={m.endpoint}
              view={memberView(m, now, state.memberList)}
              selected={i === state.selected}
              variant={layout.variant}
              width={layout.paneWidth}
              history={state.history[m.endpoint]}
            />
          ))}
        </Box>
      )}
      {filterRows > 0 && (
        <Text>
          <ToneText tone="accent">/{state.filter.text}</ToneText>
          {state.filter.editing ? <Text inverse> </Text> : <ToneText tone="dim"> ({shown.size} of {members.length} members; / to change, Esc in it clears)</ToneText>}
        </Text>
      )}
      {state.command && <CommandLine text={state.command.text} error={state.command.error} entries={entries} />}
      {eventRows > 0 && <EventsPane events={state.events} rows={eventRows - (state.busy ? 1 : 0)} busy={state.busy} />}
      <Footer actions={actions} />
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
