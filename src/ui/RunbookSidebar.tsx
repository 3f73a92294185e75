import { Box, Text } from 'ink';
import { PHASES, PHASE_TITLES, type PhaseNumber } from '../core/runbook/types.js';
import { cellKey, type RunbookStepRow, type RunbookView, type StepCell } from '../state/runbook-view.js';
import type { Tone } from '../core/view/tone.js';
import { ToneText } from './ToneText.js';
import { useCockpit, useTheme } from './context.js';
import { selectRunbook } from '../state/selectors.js';

const GLYPH: Record<Exclude<Mark, 'none'>, { glyph: string; tone: Tone }> = {
  planned: { glyph: '○', tone: 'accent' },
  pending: { glyph: '·', tone: 'dim' },
  running: { glyph: '▶', tone: 'accent' },
  done: { glyph: '✓', tone: 'healthy' },
  failed: { glyph: '✗', tone: 'critical' },
  skipped: { glyph: '✓', tone: 'dim' },
};

type Mark = StepCell['state'] | 'planned' | 'none';

function markOf(cell: StepCell | undefined): Mark {
  if (!cell) return 'pending';
  return cell.state === 'skipped' && cell.skip === 'dry-run' ? 'planned' : cell.state;
}

/** A phase's mark for one node; 'none' when the phase has no step there. */
function phaseState(view: RunbookView, rows: RunbookStepRow[], target: string): Mark {
  const states = rows.filter((r) => r.targets.includes(target)).map((r) => markOf(view.cells[cellKey(r.id, target)]));
  if (states.length === 0) return 'none';
  if (states.includes('planned')) return 'planned';
  if (states.includes('failed')) return 'failed';
  if (states.includes('running')) return 'running';
  if (states.every((s) => s === 'done' || s === 'skipped')) return 'done';
  return 'pending';
}

function Glyph({ cell }: { cell: Mark }) {
  if (cell === 'none') return <Text> </Text>;
  const g = GLYPH[cell];
  return <ToneText tone={g.tone}>{g.glyph}</ToneText>;
}

/** The phase the user wants to see: the one running, else the one that failed. */
function focusPhase(view: RunbookView, targets: string[]): PhaseNumber | undefined {
  for (const wanted of ['running', 'failed'] as const) {
    const phase = PHASES.find((p) => targets.some((t) => phaseState(view, view.steps.filter((r) => r.phase === p), t) === wanted));
    if (phase !== undefined) return phase;
  }
  return undefined;
}

/** Phases with a mark per node, the running or failed phase's steps, the advice, the checkpoint, and the log tail. */
export function RunbookSidebar({ view, columns, rows }: { view: RunbookView; columns: number; rows: number }) {
  const theme = useTheme();
  const nodes = [...new Set(view.steps.flatMap((r) => r.targets))].filter((t) => t !== 'cluster');
  const targets = [...nodes, 'cluster'];
  const focus = focusPhase(view, targets);
  const wide = columns >= 110;
  const listWidth = wide ? 58 : columns - 4; // inside the border and padding

  const list: React.ReactNode[] = [
    <Text key="head" bold wrap="truncate-end">
      {'phase'.padEnd(listWidth - targets.length * 2 - 1)} {nodes.map((n) => n.slice(-1)).join(' ')} c
    </Text>,
  ];
  for (const phase of PHASES) {
    const phaseRows = view.steps.filter((r) => r.phase === phase);
    list.push(
      <Box key={`p${phase}`}>
        <Box width={listWidth - targets.length * 2} flexShrink={0}>
          <Text wrap="truncate-end" bold={phase === focus}>
            {phase} {PHASE_TITLES[phase]}
          </Text>
        </Box>
        {targets.map((t) => (
          <Text key={t}>
            {' '}
            <Glyph cell={phaseState(view, phaseRows, t)} />
          </Text>
        ))}
      </Box>,
    );
    if (phase !== focus) continue;
    for (const row of phaseRows) {
      const failed = row.targets.map((t) => view.cells[cellKey(row.id, t)]).find((c) => c?.state === 'failed');
      list.push(
        <Box key={row.id}>
          <Box width={listWidth - targets.length * 2} flexShrink={0}>
            <Text wrap="truncate-end">
              <ToneText tone={failed ? 'critical' : 'dim'}>
                {'  '}
                {row.title}
              </ToneText>
            </Text>
          </Box>
          {targets.map((t) => (
            <Text key={t}>
              {' '}
              <Glyph cell={row.targets.includes(t) ? markOf(view.cells[cellKey(row.id, t)]) : 'none'} />
            </Text>
          ))}
        </Box>,
      );
    }
  }

  const status = view.running
    ? view.dryRun
      ? 'dry run in progress'
      : 'running'
    : view.outcome === 'failed'
      ? 'FAILED: fix the cause, then R resumes where it stopped'
      : view.outcome === 'done'
        ? 'done'
        : view.outcome === 'dry-run'
          ? 'dry run shown below: nothing was touched'
          : 'not run: P shows the plan, R runs it';
  const detail: React.ReactNode[] = [];
  if (view.failedAdvice && view.outcome === 'failed') {
    for (const [i, line] of view.failedAdvice.split('\n').entries()) detail.push(<ToneText key={`a${i}`} tone="warning">{line}</ToneText>);
  }
  if (view.patroni && view.outcome === 'done') {
    for (const [i, line] of view.patroni.split('\n').entries()) detail.push(<Text key={`pt${i}`} wrap="truncate-end">{line}</Text>);
  }
  if (view.checkpoint) {
    for (const row of view.checkpoint) {
      detail.push(
        <Text key={`c${row.n}`} wrap="truncate-end">
          <ToneText tone={row.pass ? 'healthy' : 'critical'}>{row.pass ? 'PASS' : 'FAIL'}</ToneText> {String(row.n).padStart(2)} {row.check}
        </Text>,
      );
    }
  }
  const listRows = list.length + 1;
  // Inside the border: two rows and four columns (border and padding) are taken.
  const logRows = Math.max(2, (wide ? rows - 2 : rows - listRows - 2) - detail.length);
  const logWidth = wide ? columns - listWidth - 6 : columns - 4;
  const log = view.log.slice(-logRows).map((line, i) => (
    <Text key={`l${i}`} wrap="truncate-end">
      <ToneText tone={/FAILED|warning/.test(line) ? 'critical' : 'normal'}>{line}</ToneText>
    </Text>
  ));

  return (
    <Box flexDirection={wide ? 'row' : 'column'} flexGrow={1} borderStyle="round" borderColor={theme.color('focus')}>
      <Box flexDirection="column" width={wide ? listWidth + 2 : undefined} flexShrink={0} paddingX={1}>
        <ToneText tone={view.outcome === 'failed' ? 'critical' : 'accent'} bold>
          Runbook: {status}
        </ToneText>
        {list}
      </Box>
      <Box flexDirection="column" width={logWidth + 2} flexShrink={0} paddingX={1} overflow="hidden">
        {detail}
        {log}
      </Box>
    </Box>
  );
}

/** The sidebar of the runbook in the store, subscribed to the runbook's progress alone. */
export function RunbookOverlay({ columns, rows }: { columns: number; rows: number }) {
  const view = useCockpit(selectRunbook);
  return view ? <RunbookSidebar view={view} columns={columns} rows={rows} /> : null;
}
