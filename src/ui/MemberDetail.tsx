import { Box, Text } from 'ink';
import type { MemberListEntry, MemberState } from '../core/cluster/types.js';
import type { MemberView } from '../core/view/member-view.js';
import type { MemberHistory } from '../state/history.js';
import { plotRows, seriesStats, type SeriesStats } from '../core/format/plot.js';
import { formatBytes } from '../core/format/bytes.js';
import { formatClock } from '../core/format/time.js';
import { FieldText, ToneText } from './ToneText.js';
import { RoleBadge } from './MemberPane.js';
import { useTheme } from './context.js';
import { HISTORY_POINTS, HISTORY_STEP_MS } from '../state/history.js';
import { METRICS_EVERY_MS } from '../core/metrics/signals.js';

/** Member IDs in a reading ("to 8e9e05c52164694d") as the names people know. */
function withMemberNames(text: string, list: MemberListEntry[] | undefined): string {
  return text.replace(/\b[0-9a-f]{12,16}\b/g, (id) => list?.find((m) => m.id === id)?.name || id);
}

interface Series {
  title: string;
  values: (number | undefined)[];
  unit: (v: number) => string;
  fromZero?: boolean;
}

const rate = (r: number): string => `${r.toFixed(r < 10 ? 1 : 0)}/s`;
const millis = (ms: number): string => `${Number(ms.toPrecision(2))} ms`;

/**
 * One member in full: every number the pane abbreviates, every /metrics
 * reading with its verdict, and the 15-minute history as taller plots with
 * their min/mean/max and the latest points as a table.
 */
export function MemberDetail(props: {
  member: MemberState;
  view: MemberView;
  history?: MemberHistory;
  memberList?: MemberListEntry[];
  columns: number;
  rows: number;
  forecast?: string;
}) {
  const { member, history, memberList, columns, rows, forecast } = props;
  const v = forecast ? { ...props.view, advice: [...props.view.advice, forecast] } : props.view;
  const theme = useTheme();
  const series: Series[] = [
    { title: 'DB size', values: history?.dbSize ?? [], unit: formatBytes },
    { title: 'writes per second', values: history?.writesPerSecond ?? [], unit: rate, fromZero: true },
    { title: 'WAL fsync p99', values: history?.fsyncP99Ms ?? [], unit: millis, fromZero: true },
  ];
  const readings = member.signals?.readings ?? [];
  const layout = detailLayout({ rows, columns, readings: readings.length, advice: v.advice.length > 0, plots: series.length });
  const inner = columns - 4;
  const cellsPerPoint = Math.max(1, Math.floor((inner - 12) / HISTORY_POINTS));
  const line = (children: React.ReactNode) => <Text wrap="truncate-end">{children}</Text>;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.color('focus')} paddingX={1} flexShrink={0} flexGrow={1}>
      {line(
        <>
          <Text bold>{v.name}</Text> <RoleBadge view={v} />{' '}
          <ToneText tone="dim">id {v.id} · {v.endpoint} · ←/→ other member · Esc back</ToneText>
        </>,
      )}
      {line(
        <>
          <FieldText field={v.health} /> {v.reason ? <ToneText tone={v.health.tone}>{v.reason}</ToneText> : v.latency} · <FieldText field={v.state} /> · v{v.version} ·{' '}
          <FieldText field={v.seen} />
        </>,
      )}
      {line(<>raft term {v.raftTerm} · index {v.raftIndex} · applied {v.appliedIndex} · revision {member.last?.revision ?? '?'}</>)}
      {line(
        <>
          db {v.dbSize} · in use <FieldText field={v.inUse} /> · quota <FieldText field={v.quota} /> · alarms <FieldText field={v.alarms} />
        </>,
      )}
      {line(
        <>
          server cert <FieldText field={v.cert} /> · peer cert <FieldText field={v.peerCert} /> · errors <FieldText field={v.errors} />
        </>,
      )}
      {v.advice.length > 0 && line(<ToneText tone="warning">{v.advice.join(' · ')}</ToneText>)}
      {layout.spacious && <Text> </Text>}
      {(layout.spacious || readings.length === 0) && (
        <ToneText tone="accent">
          /metrics, read every {METRICS_EVERY_MS / 1000} s{readings.length === 0 ? ': not read yet' : v.stale ? ': the last read before the member stopped answering' : ''}
        </ToneText>
      )}
      <Box flexDirection="row" flexWrap="wrap" flexShrink={0}>
        {readings.map((r) => (
          <Box key={r.label} width={Math.floor(inner / layout.readingColumns)} paddingRight={1}>
            <Box width={18} flexShrink={0}>
              <ToneText tone="dim">{r.label}</ToneText>
            </Box>
            <Text wrap="truncate-end">
              <ToneText tone={r.tone} dim={v.stale}>
                {withMemberNames(r.text, memberList)}
              </ToneText>
            </Text>
          </Box>
        ))}
      </Box>
      {layout.spacious && <Text> </Text>}
      {layout.plotHeight > 0 && series.map((s) => <Plot key={s.title} series={s} height={layout.plotHeight} cellsPerPoint={cellsPerPoint} />)}
      {layout.tableRows > 0 && history && <LatestPoints history={history} series={series} rows={layout.tableRows} />}
    </Box>
  );
}

/**
 * Fits the view into `rows`: the member's numbers and readings always, then
 * the plots as tall as the rest allows (at least one row each, six at most),
 * then, with room to spare, blank separators and a table of the latest points.
 */
export function detailLayout(input: { rows: number; columns: number; readings: number; advice: boolean; plots: number }) {
  const inner = input.rows - 2; // the border
  const readingColumns = input.columns >= 80 ? 2 : 1;
  const readingRows = Math.ceil(Math.max(1, input.readings) / readingColumns);
  const fixed = 5 + (input.advice ? 1 : 0) + readingRows;
  const spare = inner - fixed;
  const spaciousExtras = 3; // two blank lines and the /metrics title
  if (spare - spaciousExtras >= input.plots * 4 + 3) {
    const plotHeight = Math.min(6, Math.floor((spare - spaciousExtras - 3) / input.plots) - 1);
    const tableRows = Math.min(6, spare - spaciousExtras - input.plots * (plotHeight + 1) - 1);
    return { spacious: true, readingColumns, plotHeight, tableRows: Math.max(0, tableRows) };
  }
  const plotHeight = Math.floor((spare - (input.readings === 0 ? 1 : 0)) / input.plots) - 1;
  return { spacious: false, readingColumns, plotHeight: Math.max(0, Math.min(6, plotHeight)), tableRows: 0 };
}

function Plot({ series, height, cellsPerPoint }: { series: Series; height: number; cellsPerPoint: number }) {
  const stats = seriesStats(series.values);
  // Newest on the right edge: a young history fills in from the right, as time goes.
  const padded = [...Array<undefined>(Math.max(0, HISTORY_POINTS - series.values.length)).fill(undefined), ...series.values];
  const lines = plotRows(padded, height, { fromZero: series.fromZero, cellsPerPoint });
  const axis = (row: number): string => {
    if (!stats) return '';
    if (row === 0) return series.unit(stats.max);
    if (row === height - 1) return series.unit(series.fromZero ? Math.min(0, stats.min) : stats.min);
    return '';
  };
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>{series.title}</Text> <ToneText tone="dim">· {(HISTORY_POINTS * HISTORY_STEP_MS) / 60_000} min · </ToneText>
        {stats ? <StatsText stats={stats} unit={series.unit} /> : <ToneText tone="dim">no points yet</ToneText>}
      </Text>
      {lines.map((line, row) => (
        <Text key={row} wrap="truncate-end">
          <ToneText tone="dim">{axis(row).padStart(10)} ┤</ToneText>
          <ToneText tone="accent">{line}</ToneText>
        </Text>
      ))}
    </Box>
  );
}

function StatsText({ stats, unit }: { stats: SeriesStats; unit: (v: number) => string }) {
  return (
    <Text>
      now {unit(stats.last)} · min {unit(stats.min)} · mean {unit(stats.mean)} · max {unit(stats.max)}
    </Text>
  );
}

/** The newest points, newest first: the numbers behind the plots. */
function LatestPoints({ history, series, rows }: { history: MemberHistory; series: Series[]; rows: number }) {
  const count = Math.min(rows, history.at.length);
  const indexes = Array.from({ length: count }, (_, i) => history.at.length - 1 - i);
  const cell = (text: string) => text.padStart(20);
  return (
    <Box flexDirection="column">
      <ToneText tone="dim">
        {'time'.padEnd(8)}
        {series.map((s) => cell(s.title)).join('')}
      </ToneText>
      {indexes.map((i) => (
        <Text key={history.at[i]}>
          {formatClock(history.at[i]!).padEnd(8)}
          {series.map((s) => cell(s.values[i] === undefined ? '-' : s.unit(s.values[i]!))).join('')}
        </Text>
      ))}
    </Box>
  );
}
