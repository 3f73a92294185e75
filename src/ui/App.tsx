import { useMemo } from 'react';
import { Box, Text, useInput } from 'ink';
import { ToneText } from './ToneText.js';
import { handleFilterKey } from './filter-keys.js';
import { membersInOrder, visibleEndpoints } from '../state/store.js';
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

  useInput((input, key) => {
    // A modal dialog takes every key first.
    if (store.getState().confirm) return handleConfirmKey(input, key, store, operations);
    if (store.getState().filter.editing) return handleFilterKey(input, key, store);
    const action = actionForKey(keyName(input, key), state.readOnly);
    if (!action) return;
    const reason = action.disabledReason?.(store.getState());
    if (reason) {
      if (action.id !== 'close') store.getState().addEvent(`${action.label}: unavailable, ${reason}`, 'warning');
      return;
    }
    try {
      action.run({ store, quit: onQuit, ...services });
    } catch (err) {
      // Nothing an action throws may take the screen down: say it in the events pane.
      store.getState().addEvent(`${action.label}: ${(err as Error).message}`, 'critical');
    }
  });

  const headerRows = summary.alarms.length > 0 ? 2 : 1;
  // One row short of the terminal: a full-height root makes Ink clear the whole screen on every frame.
  const height = Math.max(1, rows - 1);
  const eventRows = state.events.length > 0 || state.busy ? Math.min(5, Math.max(1, Math.floor(height / 8))) : 0;
  const filterRows = state.filter.editing || state.filter.text ? 1 : 0;
  const layout = chooseLayout(shown.size, columns, height - headerRows - 1 - eventRows - filterRows);

  return (
    <Box flexDirection="column" height={height} width={columns}>
      <Header clusterName={state.clusterName} summary={summary} readOnly={state.readOnly} />
      {state.confirm ? (
        <Box flexDirection="column" flexGrow={1}>
          <ConfirmDialog pending={state.confirm} />
        </Box>
      ) : state.overlay === 'runbook' && state.runbook ? (
        <RunbookSidebar view={state.runbook} columns={columns} rows={height - headerRows - 1 - eventRows} />
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
      {eventRows > 0 && <EventsPane events={state.events} rows={eventRows - (state.busy ? 1 : 0)} busy={state.busy} />}
      <Footer actions={actions} />
    </Box>
  );
}
