import { Box, Text } from 'ink';
import type { MemberView } from '../core/view/member-view.js';
import { FieldText, ToneText } from './ToneText.js';
import { useTheme } from './context.js';
import type { TrendRow } from './trend-rows.js';

export type PaneVariant = 'wide' | 'compact' | 'line';

interface Props {
  view: MemberView;
  selected: boolean;
  variant: PaneVariant;
  width?: number;
  /** The wide form's sparklines over 15 minutes (trendRows). */
  trends?: TrendRow[];
  /** "quota full in about 3 days at the current growth", when the DB grows toward its quota. */
  forecast?: string;
}

function Trend({ row }: { row: TrendRow }) {
  return (
    <Row label={row.label}>
      <ToneText tone="accent">{row.line}</ToneText> {row.latest}
    </Row>
  );
}

/** The member's role; for a member that is down, the role it had, dimmed, so the screen never shows two leaders. */
export function RoleBadge({ view }: { view: MemberView }) {
  if (view.stale) return <ToneText tone="dim">was {view.role}</ToneText>;
  if (view.role === 'leader') return <ToneText tone="leader" bold>★ leader</ToneText>;
  if (view.role === 'learner') return <ToneText tone="accent">learner</ToneText>;
  return <ToneText tone="dim">{view.role}</ToneText>;
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Box>
      <Box width={9} flexShrink={0}>
        <ToneText tone="dim">{label}</ToneText>
      </Box>
      <Text wrap="truncate-end">{children}</Text>
    </Box>
  );
}

/** One member: the wide form lists a field per line; compact packs it into three or four lines; line is one row. */
export function MemberPane({ view, selected, variant, width, trends, forecast }: Props) {
  const theme = useTheme();
  const stale = view.stale;
  const v = forecast ? { ...view, advice: [...view.advice, forecast] } : view;
  if (variant === 'line') {
    // A box of the pane's width: in a wrapping column the text alone would not be cut to the terminal.
    return (
      <Box width={width} flexShrink={0}>
        <Text wrap="truncate-end" inverse={selected}>
          {selected ? '▶ ' : '  '}
          {v.name.padEnd(10)} <RoleBadge view={v} /> <FieldText field={v.health} /> {v.reason || v.latency} · t{v.raftTerm} i
          {v.raftIndex} · db {v.dbSize} · {v.quota.text}
        </Text>
      </Box>
    );
  }
  const border = {
    borderStyle: selected ? ('double' as const) : ('round' as const),
    borderColor: theme.color(selected ? 'focus' : 'border'),
  };
  const title = (
    <Text wrap="truncate-end">
      <Text bold>{v.name}</Text> <RoleBadge view={v} /> <ToneText tone="dim">{v.id}</ToneText>
    </Text>
  );
  if (variant === 'compact') {
    return (
      <Box flexDirection="column" paddingX={1} width={width} {...border}>
        <Text wrap="truncate-end">
          {title} · <FieldText field={v.state} dim={stale} /> · <ToneText tone="normal" dim={stale}>v{v.version}</ToneText> ·{' '}
          <ToneText tone="dim">{v.endpoint}</ToneText>
        </Text>
        <Text wrap="truncate-end">
          <FieldText field={v.health} />
          {v.reason ? (
            <ToneText tone={v.health.tone}>: {v.reason}</ToneText>
          ) : (
            <ToneText tone="normal" dim={stale}>
              {' '}
              {v.latency} · term {v.raftTerm} · index {v.raftIndex} applied {v.appliedIndex}
            </ToneText>
          )}
        </Text>
        <Text wrap="truncate-end">
          <ToneText tone="normal" dim={stale}>db {v.dbSize}</ToneText> · in use <FieldText field={v.inUse} dim={stale} /> · quota{' '}
          <FieldText field={v.quota} dim={stale} /> · alarms <FieldText field={v.alarms} dim={stale} />
        </Text>
        {(stale || v.errors.tone !== 'dim' || v.advice.length > 0) && (
          <Text wrap="truncate-end">
            {[
              stale && <FieldText key="seen" field={v.seen} />,
              v.errors.tone !== 'dim' && (
                <Text key="errors">
                  errors <FieldText field={v.errors} />
                </Text>
              ),
              v.advice.length > 0 && (
                <ToneText key="advice" tone="warning">
                  {v.advice.join(' · ')}
                </ToneText>
              ),
            ]
              .filter(Boolean)
              .flatMap((part, i) => (i === 0 ? [part] : [<Text key={`sep${i}`}> · </Text>, part]))}
          </Text>
        )}
      </Box>
    );
  }
  return (
    <Box flexDirection="column" paddingX={1} width={width} {...border}>
      {title}
      <Row label="endpoint">{v.endpoint}</Row>
      <Row label="state">
        <FieldText field={v.state} dim={stale} /> · <ToneText tone="normal" dim={stale}>v{v.version}</ToneText>
      </Row>
      <Row label="health">
        <FieldText field={v.health} /> {v.latency !== '-' && <>· {v.latency}</>}
      </Row>
      {v.reason && (
        <Box height={3}>
          <Text wrap="wrap">
            <ToneText tone={v.health.tone}>{v.reason}</ToneText>
          </Text>
        </Box>
      )}
      <Row label="term">
        <ToneText tone="normal" dim={stale}>{v.raftTerm}</ToneText>
      </Row>
      <Row label="index">
        <ToneText tone="normal" dim={stale}>{v.raftIndex} · applied {v.appliedIndex}</ToneText>
      </Row>
      <Row label="db size">
        <ToneText tone="normal" dim={stale}>{v.dbSize}</ToneText>
      </Row>
      <Row label="in use">
        <FieldText field={v.inUse} dim={stale} />
      </Row>
      <Row label="quota">
        <FieldText field={v.quota} dim={stale} />
      </Row>
      <Row label="disk p99">
        <FieldText field={v.disk} dim={stale} />
      </Row>
      <Row label="cert">
        <FieldText field={v.cert} dim={stale} />
        {v.peerCert.tone !== 'dim' && (
          <>
            {' '}· peer <FieldText field={v.peerCert} dim={stale} />
          </>
        )}
      </Row>
      {trends?.map((row) => <Trend key={row.label} row={row} />)}
      <Row label="alarms">
        <FieldText field={v.alarms} dim={stale} />
      </Row>
      <Row label="errors">
        <FieldText field={v.errors} dim={stale} />
      </Row>
      <Row label="seen">
        <FieldText field={v.seen} />
      </Row>
      {v.advice.slice(0, 2).map((line) => (
        <Text key={line} wrap="truncate-end">
          <ToneText tone="warning">{line}</ToneText>
        </Text>
      ))}
    </Box>
  );
}

/** Rows a pane needs at most: a down member's reason takes three, advice at most two. */
export const PANE_HEIGHT: Record<PaneVariant, number> = { wide: 24, compact: 6, line: 1 };
