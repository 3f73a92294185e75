import { memo } from 'react';
import { Box, Text } from 'ink';
import { ToneText } from './ToneText.js';
import { useCockpit } from './context.js';
import { fitHeader, headerFields, HEADER_GAP } from './header-fields.js';
import { selectClusterName, selectClusterSummary, selectReadOnly } from '../state/selectors.js';

/** One line that never wraps (fields dropped by priority), then the alarm banner, cut to the width. */
export const Header = memo(function Header({ columns }: { columns: number }) {
  const clusterName = useCockpit(selectClusterName);
  const summary = useCockpit(selectClusterSummary);
  const readOnly = useCockpit(selectReadOnly);
  const fields = fitHeader(headerFields(clusterName, summary, readOnly), columns);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        {fields.map((f, i) => (
          <Text key={i}>
            {i > 0 && ' '.repeat(HEADER_GAP)}
            {f.tone === 'plain' ? <Text bold={f.bold}>{f.text}</Text> : <ToneText tone={f.tone} bold={f.bold}>{f.text}</ToneText>}
          </Text>
        ))}
      </Text>
      {summary.alarms.length > 0 && (
        <Text wrap="truncate-end">
          <ToneText tone="critical" bold>
            ALARM {summary.alarms.join(' · ')}
          </ToneText>
        </Text>
      )}
    </Box>
  );
});
