import { useEffect, useMemo, useState } from 'react';
import { Box, Text, type Key } from 'ink';
import { ToneText } from './ToneText.js';
import { handleFilterKey } from './filter-keys.js';
import { membersInOrder, selectedMember, visibleEndpoints } from '../state/store.js';
import { useStore } from 'zustand';
import type { Fleet } from '../state/fleet.js';
import { MemberDetail } from './MemberDetail.js';
import { quotaForecastText } from './member-forecast.js';
import { ContextsOverview } from './ContextsOverview.js';
import { CommandLine, commandLineRows } from './CommandLine.js';
import { currentEntries, handleCommandKey } from './command-keys.js';
import { runAction } from './run-action.js';
import { useKeys } from './use-keys.js';
import { collapseEvents } from './collapse-events.js';
import { keysWaitingForQuorum, quorumLostReason } from './quorum-gate.js';
import { PANE_HEIGHT } from './MemberPane.js';
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
import { KeyspaceView } from './KeyspaceView.js';
import { actionForKey, visibleActions } from './actions.js';
import { keyName } from './keys.js';
import { chooseLayout } from './layout.js';
import { useNow } from './use-now.js';
import { useTerminalSize } from './use-terminal-size.js';
import { summarizeCluster } from '../core/cluster/summary.js';
import { memberView } from '../core/view/member-view.js';

export function App({ onQuit, onRepaint }: { onQuit: () => void; onRepaint?: () => void }) {
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
  // How far a help or confirmation taller than the terminal is scrolled; back to the top when it changes.
  const [scroll, setScroll] = useState({ of: '', by: 0 });
  const scrolled = state.confirm ? `confirm:${state.confirm.request.action}:${state.confirm.request.target}` : state.overlay;
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
    if (store.getState().filter.editing) return handleFilterKey(input, key, store);
    if (store.getState().command) return handleCommandKey(input, key, commandContext);
    if (store.getState().overlay === 'keyspace' && input === 'q') return store.getState().setOverlay('none');
    if (store.getState().overlay === 'contexts' && services.fleet && handleOverviewKey(input, key, services.fleet, services.switchContext)) return;
    const action = actionForKey(keyName(input, key), state.readOnly);
    if (action) runAction(action, commandContext);
  };

  const headerRows = summary.alarms.length > 0 ? 2 : 1;
  // One row short of the terminal: a full-height root makes Ink clear the whole screen on every frame.
  const height = Math.max(1, rows - 1);
  const groups = useMemo(() => collapseEvents(state.events), [state.events]);
  const busyRows = state.busy ? 1 : 0;
  const baseEventRows = groups.length > 0 || state.busy ? Math.min(5, Math.max(1, Math.floor(height / 8))) : 0;
  const filterRows = state.filter.editing || state.filter.text ? 1 : 0;
  const entries = state.command ? currentEntries(commandContext) : [];
  const commandRows = state.command ? commandLineRows(state.command.text, state.command.error, entries) : 0;
  const fixedRows = headerRows + 1 + filterRows + commandRows;
  const layout = chooseLayout(shown.size, columns, height - fixedRows - baseEventRows);
  // On the member panes, the events pane grows into the rows the panes leave free.
  const onPanes = !state.confirm && (state.overlay === 'none' || (state.overlay === 'contexts' && !services.fleet) || (state.overlay === 'detail' && !selectedMember(state)));
  const paneRows = layout.variant === 'wide' ? Math.ceil(shown.size / layout.perRow) * PANE_HEIGHT.wide : shown.size * PANE_HEIGHT[layout.variant];
  const spare = onPanes ? Math.max(0, height - fixedRows - baseEventRows - paneRows) : 0;
  const eventRows = baseEventRows + Math.min(spare, Math.max(0, groups.length + busyRows - baseEventRows));
  const bodyRows = Math.max(1, height - fixedRows - eventRows);
  const selected = selectedMember(state);
  const blocked = quorumLostReason(state) ? { keys: keysWaitingForQuorum(actions, state), reason: 'quorum lost' } : undefined;

  if (blank) return <Box />;
  return (
    <Box flexDirection="column" height={height} width={columns}>
      <Header clusterName={state.clusterName} summary={summary} readOnly={state.readOnly} columns={columns} />
      {state.confirm ? (
        <Box flexDirection="column" flexGrow={1}>
          <ConfirmDialog pending={state.confirm} columns={columns} rows={bodyRows} scroll={scrollBy} />
        </Box>
      ) : state.overlay === 'runbook' && state.runbook ? (
        <RunbookSidebar view={state.runbook} columns={columns} rows={bodyRows} />
      ) : state.overlay === 'detail' && selected ? (
        <MemberDetail
          member={selected}
          view={memberView(selected, now, state.memberList)}
          history={state.history[selected.endpoint]}
          forecast={quotaForecastText(selected, state.history[selected.endpoint])}
          memberList={state.memberList}
          columns={columns}
          rows={bodyRows}
        />
      ) : state.overlay === 'contexts' && services.fleet ? (
        <ContextsOverlay fleet={services.fleet} />
      ) : state.overlay === 'keyspace' ? (
        <KeyspaceView scan={services.keyspace} columns={columns} rows={bodyRows} />
      ) : state.overlay === 'help' ? (
        <Box flexDirection="column" flexGrow={1}>
          <HelpScreen actions={actions} state={state} rows={bodyRows} columns={columns} scroll={scrollBy} />
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
              forecast={quotaForecastText(m, state.history[m.endpoint])}
            />
          ))}
        </Box>
      )}
      {filterRows > 0 && (
        <Text wrap="truncate-end">
          <ToneText tone="accent">/{state.filter.text}</ToneText>
          {state.filter.editing ? <Text inverse> </Text> : <ToneText tone="dim"> ({shown.size} of {members.length} members; / to change, Esc in it clears)</ToneText>}
        </Text>
      )}
      {state.command && <CommandLine text={state.command.text} error={state.command.error} entries={entries} />}
      {eventRows > 0 && <EventsPane groups={groups} rows={eventRows - busyRows} busy={state.busy} />}
      <Footer actions={blocked ? actions.filter((a) => a.id === 'help' || a.id === 'quit') : actions} blocked={blocked} columns={columns} />
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
