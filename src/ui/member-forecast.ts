import type { MemberState } from '../core/cluster/types.js';
import { quotaFullForecast } from '../core/metrics/quota-forecast.js';
import type { MemberHistory } from '../state/history.js';

/** "quota full in about 3 days at the current growth" from the pane's 15-minute history, or undefined. */
export function quotaForecastText(member: MemberState, history: MemberHistory | undefined): string | undefined {
  if (!history || (member.health !== 'ok' && member.health !== 'degraded')) return undefined;
  const samples = history.at.map((at, i) => {
    const dbSize = history.dbSize[i];
    return dbSize === undefined ? undefined : { at, dbSize };
  });
  return quotaFullForecast(samples, member.quotaBytes)?.text;
}
