import { MemberDetail } from './MemberDetail.js';
import { useCockpit } from './context.js';
import { useNow } from './use-now.js';
import { quotaForecastText } from './member-forecast.js';
import { memberView } from '../core/view/member-view.js';
import { selectMemberHistory, selectMemberList, selectSelectedMember } from '../state/selectors.js';

/** The detail view of the member the selection is on, subscribed to that member. */
export function SelectedMemberDetail({ columns, rows }: { columns: number; rows: number }) {
  const member = useCockpit(selectSelectedMember);
  const history = useCockpit(selectMemberHistory(member?.endpoint));
  const memberList = useCockpit(selectMemberList);
  const now = useNow(member?.downSince !== undefined);
  if (!member) return null;
  return (
    <MemberDetail
      member={member}
      view={memberView(member, now, memberList)}
      history={history}
      forecast={quotaForecastText(member, history)}
      memberList={memberList}
      columns={columns}
      rows={rows}
    />
  );
}
