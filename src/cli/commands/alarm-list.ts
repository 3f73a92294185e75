import type { Session } from '../session.js';
import { operationContext } from '../operation-context.js';
import { alarmList } from '../../core/operations/alarms.js';

/** `alarm list`: exit 0 when no alarm is raised, 1 when one is. */
export async function runAlarmList(session: Session): Promise<number> {
  await session.poller.pollOnce();
  const say = (line: string): void => void process.stdout.write(line + '\n');
  const alarms = await alarmList(operationContext(session, say, 0));
  say(alarms.length === 0 ? 'no alarm raised' : alarms.map((a) => `${a.alarm} on ${a.name} (${a.memberId})`).join('\n'));
  return alarms.length === 0 ? 0 : 1;
}
