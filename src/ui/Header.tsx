import { Box, Text } from 'ink';
import type { ClusterSummary } from '../core/cluster/summary.js';
import { ToneText } from './ToneText.js';

export function Header({ clusterName, summary, readOnly }: { clusterName: string; summary: ClusterSummary; readOnly: boolean }) {
  const s = summary;
  const quorumTone = s.quorum === 'ok' ? (s.tolerates === 0 ? 'warning' : 'healthy') : s.quorum === 'lost' ? 'critical' : 'dim';
  const quorumText =
    s.quorum === 'ok' ? `quorum OK · tolerates ${s.tolerates}` : s.quorum === 'lost' ? 'quorum LOST' : 'quorum ?';
  return (
    <Box flexDirection="column">
      <Box columnGap={2} flexWrap="wrap">
        <Text bold>{clusterName}</Text>
        <ToneText tone={s.answering === s.total ? 'healthy' : 'warning'}>
          {s.answering}/{s.total} answering
        </ToneText>
        <ToneText tone={quorumTone} bold>
          {quorumText}
        </ToneText>
        <Text>
          leader <ToneText tone={s.leaderName ? 'leader' : 'critical'}>{s.leaderName ?? 'none'}</ToneText>
        </Text>
        <Text>term {s.raftTerm ?? '?'}</Text>
        <Text>rev {s.revision ?? '?'}</Text>
        {s.unstarted > 0 && <ToneText tone="warning">{s.unstarted} unstarted</ToneText>}
        {readOnly && <ToneText tone="accent">READ-ONLY</ToneText>}
      </Box>
      {s.alarms.length > 0 && (
        <ToneText tone="critical" bold>
          ALARM {s.alarms.join(' · ')}
        </ToneText>
      )}
    </Box>
  );
}
