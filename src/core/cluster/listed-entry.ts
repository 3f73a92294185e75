import type { MemberListEntry, MemberState } from './types.js';

/**
 * The member-list entry of a member: by its ID once it has answered, else by
 * its client URL (a member down since the cockpit started still has a name
 * and an ID in the cluster's own list).
 */
export function listedEntry(m: Pick<MemberState, 'endpoint' | 'last'>, memberList: MemberListEntry[] | undefined): MemberListEntry | undefined {
  if (!memberList) return undefined;
  if (m.last) return memberList.find((e) => e.id === m.last!.memberId);
  const url = normalize(m.endpoint);
  return memberList.find((e) => e.clientUrls.some((u) => normalize(u) === url));
}

function normalize(url: string): string {
  return url.replace(/\/+$/, '').toLowerCase();
}
