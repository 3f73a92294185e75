import { Box, Text } from 'ink';
import { ToneText } from './ToneText.js';
import { argumentHint, completeCommand, type CommandEntry } from './command-line.js';

/** Rows the command line takes: the line and up to this many candidates. */
export const COMMAND_CANDIDATE_ROWS = 5;

/** The `:` line with what could follow what is typed (Tab completes), the argument's format, or why Enter could not run it. */
export function CommandLine({ text, error, entries }: { text: string; error?: string; entries: CommandEntry[] }) {
  const { candidates } = completeCommand(text, entries);
  const shown = candidates.slice(0, COMMAND_CANDIDATE_ROWS);
  const hint = argumentHint(text, entries);
  return (
    <Box flexDirection="column">
      {error ? (
        <Text wrap="truncate-end">
          <ToneText tone="warning">{error}</ToneText>
        </Text>
      ) : (
        shown.map((c) => (
          <Text key={c.name} wrap="truncate-end">
            <ToneText tone="accent">{c.name.padEnd(18)}</ToneText> <ToneText tone="dim">{c.label ?? ''}</ToneText>
          </Text>
        ))
      )}
      {!error && candidates.length > shown.length && <ToneText tone="dim">… {candidates.length - shown.length} more: type to narrow</ToneText>}
      {hint && (
        <Text wrap="truncate-end">
          <ToneText tone="accent">{hint}</ToneText>
        </Text>
      )}
      <Text wrap="truncate-end">
        <ToneText tone="accent">:</ToneText>
        {text}
        <Text inverse> </Text>
        <ToneText tone="dim">  Tab completes · Enter runs · Esc closes</ToneText>
      </Text>
    </Box>
  );
}

/** How many rows CommandLine draws for this text. */
export function commandLineRows(text: string, error: string | undefined, entries: CommandEntry[]): number {
  const hint = argumentHint(text, entries) ? 1 : 0;
  if (error) return 2 + hint;
  const count = completeCommand(text, entries).candidates.length;
  return 1 + hint + Math.min(COMMAND_CANDIDATE_ROWS, count) + (count > COMMAND_CANDIDATE_ROWS ? 1 : 0);
}
