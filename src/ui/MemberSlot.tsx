import { memo, useMemo } from 'react';
import { MemberPane, type PaneVariant } from './MemberPane.js';
import { useCockpit } from './context.js';
import { useNow } from './use-now.js';
import { quotaForecastText } from './member-forecast.js';
import { trendRows } from './trend-rows.js';
import { memberView } from '../core/view/member-view.js';
import { keepWhileEqual, sameInputs, selectMemberDown } from '../state/selectors.js';

/**
 * One member's pane, subscribed to what the pane shows of that member alone:
 * another member's poll, or a reading of this one that changes nothing on
 * screen (signals only the detail view shows, a raft index the same text),
 * renders nothing, and so Ink draws no frame.
 */
export const MemberSlot = memo(function MemberSlot({ endpoint, selected, variant, width }: { endpoint: string; selected: boolean; variant: PaneVariant; width?: number }) {
  // The clock ticks only for a member that is down ("down since ... (3s)").
  const now = useNow(useCockpit(selectMemberDown(endpoint)));
  const selectPane = useMemo(() => paneOf(endpoint, now, variant, width), [endpoint, now, variant, width]);
  const pane = useCockpit(selectPane);
  if (!pane) return null;
  return <MemberPane view={pane.view} selected={selected} variant={variant} width={width} trends={pane.trends} forecast={pane.forecast} />;
});

/**
 * What one pane shows, the same object while it shows the same; recomputed
 * only when this member, its history or the member list is a new object (a
 * key press or another member's poll does not recompute it). The history is
 * held as the sparklines it draws (wide form only): a point every 30 s that
 * draws the same re-renders nothing.
 */
function paneOf(endpoint: string, now: number, variant: PaneVariant, width: number | undefined) {
  return sameInputs(
    (s) => [s.members[endpoint], s.history[endpoint], s.memberList],
    keepWhileEqual((s) => {
      const member = s.members[endpoint];
      if (!member) return undefined;
      const history = s.history[endpoint];
      const trends = variant === 'wide' ? trendRows(history, width) : undefined;
      return { view: memberView(member, now, s.memberList), trends, forecast: quotaForecastText(member, history) };
    }),
  );
}
