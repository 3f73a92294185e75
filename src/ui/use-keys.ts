import { useEffect, useRef } from 'react';
import { useStdin, type Key } from 'ink';
import { splitRawKeys } from './raw-keys.js';

/**
 * Like Ink's useInput, but every key of a chunk read from the terminal is
 * handed over on its own (useInput takes "\x1b[B\x1b[Bd" as one unknown key).
 */
export function useKeys(handler: (input: string, key: Key) => void): void {
  const { setRawMode, internal_eventEmitter: events } = useStdin();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    setRawMode(true);
    return () => setRawMode(false);
  }, [setRawMode]);
  useEffect(() => {
    const onInput = (chunk: string | Buffer): void => {
      for (const [input, key] of splitRawKeys(String(chunk))) latest.current(input, key);
    };
    events.on('input', onInput);
    return () => {
      events.off('input', onInput);
    };
  }, [events]);
}
