import type { SnapshotStatusReader } from '../snapshot/verify.js';
import type { MemberState } from '../cluster/types.js';
import { formatBytes } from '../format/bytes.js';
import { planDefrag, type AutoDefragPolicy } from './defrag-plan.js';
import { defragMembers } from './defrag.js';
import { compactHistory } from './compact.js';
import { moveLeaderTo } from './leader.js';
import { disarmAll, recoverFromNospace } from './alarms.js';
import type { OperationContext } from './context.js';
import type { ServiceOpKind } from './service/context.js';
import type { BackupNeed } from './backup-first.js';
import type { VerifiedSnapshot } from './service/fresh-snapshot.js';
import { defaultSnapshotFile, snapshotSource, takeSnapshot } from './snapshot.js';

export type OperationKind = 'defrag' | 'compact' | 'move-leader' | 'alarm-disarm' | 'nospace-recover' | 'snapshot';
/** Actions that come from elsewhere (the runbook) but take the same confirm/run/audit path. */
export type ActionName = OperationKind | ServiceOpKind | 'runbook-run' | 'runbook-plan' | 'certs-renew' | 'certs-rotate-ca';

/**
 * One mutating action, fully described before it runs: the same text is the
 * TUI's confirmation dialog and the CLI's question, and `work` is what runs.
 */
/** Actions that change nothing in etcd: allowed read-only, run without a question or the cluster lock. */
const READ_ONLY_SAFE: ReadonlySet<string> = new Set(['snapshot', 'runbook-plan']);

export function changesCluster(action: string): boolean {
  return !READ_ONLY_SAFE.has(action);
}

export interface OperationRequest {
  action: ActionName;
  target: string;
  params: Record<string, string | number | boolean>;
  /** What will happen, line by line. */
  summary: string[];
  /** Set for what cannot be undone: the user types this name to confirm. */
  typed?: string;
  /** Can lose data: the runner plans a verified snapshot before the confirmation and takes it before `work` (core/operations/backup-first.ts). */
  backupFirst?: { need: BackupNeed; exclude?: string };
  /** What a dry run prints, when the operation takes --dry-run (certs). */
  lines?: string[];
  /** `prior.backup`: the snapshot the runner took or found first, when backupFirst is set. */
  work: (ctx: OperationContext, prior?: { backup?: VerifiedSnapshot }) => Promise<unknown>;
}

export interface RequestInput {
  cluster: string;
  members: MemberState[];
  /** The member the action is about (defrag one, move-leader). */
  member?: MemberState;
  force?: boolean;
  /** defrag --auto: only members where it is worth it. */
  autoDefrag?: AutoDefragPolicy;
  keep?: number;
  pauseMs?: number;
  /** For snapshots: where they go, and the etcdutl that verifies them. */
  snapshotDir?: string;
  etcdutl?: SnapshotStatusReader;
}

export function buildRequest(kind: OperationKind, input: RequestInput): OperationRequest {
  const { cluster } = input;
  switch (kind) {
    case 'defrag': {
      const endpoints = input.member ? [input.member.endpoint] : undefined;
      const force = input.force ?? false;
      const auto = input.autoDefrag;
      const steps = planDefrag(
        input.members.filter((m) => !endpoints || endpoints.includes(m.endpoint)),
        { force, auto },
      );
      return {
        action: 'defrag',
        target: input.member?.name ?? 'cluster',
        params: { force, pauseMs: input.pauseMs ?? 0, ...(auto ? { auto: true, minFreePercent: Math.round(auto.minFreeRatio * 100), minFreeBytes: auto.minFreeBytes } : {}) },
        summary: [
          `Defragment ${input.member ? input.member.name : `cluster ${cluster}`}, one member at a time; each blocks its own reads and writes while it runs:`,
          ...steps.map(
            (s, i) =>
              `${i + 1}. ${s.name}${s.wasLeader ? ' (leader: leadership moves away first)' : ''}: ${s.skip ? `skip, ${s.skip}` : `up to ${formatBytes(s.reclaimable)} to reclaim`}`,
          ),
        ],
        work: (ctx) => defragMembers(ctx, { force, endpoints, auto }),
      };
    }
    case 'compact':
      return {
        action: 'compact',
        target: 'cluster',
        params: { keep: input.keep ?? 0 },
        summary: [
          `Compact the history of ${cluster} up to the current revision${input.keep ? ` minus ${input.keep}` : ''}.`,
          'Older revisions are gone for good: watches and reads at them fail. The file shrinks only after a defragment.',
        ],
        work: (ctx) => compactHistory(ctx, { keep: input.keep }),
      };
    case 'move-leader': {
      const target = input.member;
      if (!target) throw new Error('move-leader needs a member');
      return {
        action: 'move-leader',
        target: target.name,
        params: {},
        summary: [`Move the leadership of ${cluster} to ${target.name}. Writes pause for a moment during the hand-over.`],
        work: (ctx) => moveLeaderTo(ctx, target.endpoint),
      };
    }
    case 'alarm-disarm':
      return {
        action: 'alarm-disarm',
        target: 'cluster',
        params: {},
        summary: [
          `Disarm every alarm of ${cluster}.`,
          'A NOSPACE alarm comes straight back unless space was freed first: NOSPACE recovery does both.',
        ],
        typed: cluster,
        work: (ctx) => disarmAll(ctx),
      };
    case 'nospace-recover':
      return {
        action: 'nospace-recover',
        target: 'cluster',
        params: { pauseMs: input.pauseMs ?? 0 },
        summary: [
          `Recover ${cluster} from NOSPACE:`,
          '1. compact to the current revision (older revisions are gone for good)',
          '2. defragment every member, followers first, the leader last',
          '3. disarm the alarms',
          '4. prove that a test write goes through',
        ],
        typed: cluster,
        backupFirst: { need: 'required' },
        work: (ctx) => recoverFromNospace(ctx),
      };
    case 'snapshot': {
      const member = input.member ?? snapshotSource(input.members);
      if (!member) throw new Error('no member is answering');
      if (!input.snapshotDir || !input.etcdutl) throw new Error('snapshot needs a folder and etcdutl');
      const file = defaultSnapshotFile(input.snapshotDir, cluster, member.name);
      const etcdutl = input.etcdutl;
      return {
        action: 'snapshot',
        target: member.name,
        params: { file },
        summary: [`Save a snapshot of ${member.name} to ${file}, then verify it (SHA-256 trailer and etcdutl snapshot status).`],
        work: (ctx) => takeSnapshot(ctx, { member, file, etcdutl }),
      };
    }
  }
}
