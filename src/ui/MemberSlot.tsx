import { memo } from 'react';
import { MemberPane, type PaneVariant } from './MemberPane.js';
import { useCockpit } from './context.js';
import { useNow } from './use-now.js';
import { quotaForecastText } from './member-forecast.js';
import { memberView } from '../core/view/member-view.js';
import { selectMember, selectMemberHistory, selectMemberList } from '../state/selectors.js';

/** One member's pane, subscribed to that member alone: another member's poll leaves it as it is. */
export const MemberSlot = memo(function MemberSlot({ endpoint, selected, variant, width }: { endpoint: string; selected: boolean; variant: PaneVariant; width?: number }) {
  const member = useCockpit(selectMember(endpoint));
  const history = useCockpit(selectMemberHistory(endpoint));
  const memberList = useCockpit(selectMemberList);
  // The clock ticks only for a member that is down ("down since ... (3s)").
  const now = useNow(member?.downSince !== undefined);
  if (!member) return null;
  return (
    <MemberPane
      view={memberView(member, now, memberList)}
      selected={selected}
      variant={variant}
      width={width}
      history={history}
      forecast={quotaForecastText(member, history)}
    />
  );
});
