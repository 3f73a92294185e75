/**
 * What `certs renew` still has to do, from what is on disk now, so a rerun
 * after an interruption finishes the job instead of starting over:
 * - no batch: issue new leaves into a staging folder (one rename makes it appear whole),
 * - staged: leaves are issued; deploy them to every node that does not hold them yet,
 *   then move them into this machine's PKI,
 * - promoted: the PKI holds them; only the rolling restart (and cleanup) is left.
 */
export type RenewBatchState = 'none' | 'staged' | 'promoted';

export interface RenewObservation {
  batch: RenewBatchState;
  /** Per inventory node: true when its server and peer certificates are already the new ones. */
  nodes: Array<{ name: string; current: boolean }>;
}

export type RenewStep =
  | { kind: 'issue' }
  | { kind: 'deploy'; node: string }
  | { kind: 'promote' }
  | { kind: 'rolling-restart' }
  | { kind: 'finish' };

export function planRenew(observed: RenewObservation): RenewStep[] {
  const deploy = (onlyStale: boolean): RenewStep[] =>
    observed.nodes.filter((n) => !onlyStale || !n.current).map((n): RenewStep => ({ kind: 'deploy', node: n.name }));
  switch (observed.batch) {
    case 'none':
      return [{ kind: 'issue' }, ...deploy(false), { kind: 'promote' }, { kind: 'rolling-restart' }, { kind: 'finish' }];
    case 'staged':
      return [...deploy(true), { kind: 'promote' }, { kind: 'rolling-restart' }, { kind: 'finish' }];
    case 'promoted':
      return [...deploy(true), { kind: 'rolling-restart' }, { kind: 'finish' }];
  }
}
