import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { ToneText } from './ToneText.js';
import { useTheme } from './context.js';
import type { KeysTopResult } from '../core/keys/keys-top-report.js';
import { displayPrefix } from '../core/keys/key-prefix.js';
import { formatBytes, formatPercent } from '../core/format/bytes.js';
import { explainEtcdError } from '../core/errors/explain-etcd-error.js';

/** Runs one scan, reporting keys read so far; rejects with signal.reason when aborted. */
export type KeyspaceScanner = (onProgress: (keysRead: number, totalKeys: number) => void, signal: AbortSignal) => Promise<KeysTopResult>;

type Scan = { phase: 'scanning'; keys: number; total: number } | { phase: 'done'; result: KeysTopResult } | { phase: 'failed'; reason: string };

/** Border, title and closing line around the rows. */
const CHROME_ROWS = 4;

/**
 * The top key prefixes of the cluster on screen, read once when the view
 * opens (never on every poll); closing it stops a scan still running.
 */
export function KeyspaceView({ scan, columns, rows }: { scan?: KeyspaceScanner; columns: number; rows: number }) {
  const theme = useTheme();
  const [state, setState] = useState<Scan>({ phase: 'scanning', keys: 0, total: 0 });
  useEffect(() => {
    if (!scan) return;
    const abort = new AbortController();
    scan((keys, total) => setState({ phase: 'scanning', keys, total }), abort.signal).then(
      (result) => setState({ phase: 'done', result }),
      (err: unknown) => {
        if (!abort.signal.aborted) setState({ phase: 'failed', reason: explainEtcdError(err).message });
      },
    );
    return () => abort.abort();
  }, [scan]);
  const room = Math.max(1, rows - CHROME_ROWS - 2);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.color('focus')} paddingX={1} flexGrow={1}>
      <Text bold wrap="truncate-end">
        Keyspace <ToneText tone="dim">· top prefixes at depth 2 by bytes · read-only</ToneText>
      </Text>
      {!scan ? (
        <ToneText tone="dim">not available in this view</ToneText>
      ) : state.phase === 'scanning' ? (
        <Text wrap="truncate-end">
          scanning… {state.keys.toLocaleString('en-US')}
          {state.total > 0 ? ` of ${state.total.toLocaleString('en-US')}` : ''} keys
        </Text>
      ) : state.phase === 'failed' ? (
        <Text wrap="truncate-end">
          <ToneText tone="critical">scan failed: {state.reason}</ToneText>
        </Text>
      ) : (
        <ResultRows result={state.result} room={room} columns={columns} />
      )}
      <Text wrap="truncate-end">
        <ToneText tone="dim">Esc or q closes · K again scans again · more: etcd-cockpit keys top</ToneText>
      </Text>
    </Box>
  );
}

function ResultRows({ result, room, columns }: { result: KeysTopResult; room: number; columns: number }) {
  const numbers = 26; // keys, bytes, share with their gaps
  const prefixWidth = Math.max(8, columns - 4 - numbers);
  const shown = result.rows.slice(0, room);
  return (
    <>
      <Text wrap="truncate-end">
        <ToneText tone="dim">
          rev {result.revision} · {result.totalKeys.toLocaleString('en-US')} keys · {formatBytes(result.totalBytes)} · from {result.member.name}
          {result.member.role === 'unknown' ? '' : ` (${result.member.role})`}
        </ToneText>
      </Text>
      <Text wrap="truncate-end">
        <ToneText tone="dim">{'prefix'.padEnd(prefixWidth)}{'keys'.padStart(11)}{'bytes'.padStart(9)}{'share'.padStart(6)}</ToneText>
      </Text>
      {shown.map((row) => (
        <Text key={row.prefix} wrap="truncate-end">
          {fit(displayPrefix(row.prefix), prefixWidth)}
          {row.keys.toLocaleString('en-US').padStart(11)}
          {formatBytes(row.bytes).padStart(9)}
          {formatPercent(result.totalBytes === 0 ? 0 : row.bytes / result.totalBytes).padStart(6)}
        </Text>
      ))}
      {result.rows.length === 0 && <ToneText tone="dim">no keys</ToneText>}
    </>
  );
}

/** A prefix cut in the middle keeps its start and its end (the part that tells them apart). */
function fit(text: string, width: number): string {
  if (text.length <= width) return text.padEnd(width);
  const head = Math.ceil((width - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
}
