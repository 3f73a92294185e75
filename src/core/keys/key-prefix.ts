const SLASH = 0x2f;

/**
 * The first `depth` path segments of a key, split on '/': `/registry/pods/ns/x`
 * at depth 2 is `/registry/pods`. A leading '/' opens the first segment rather
 * than counting as an empty one; a key with fewer segments is its own prefix.
 * Returned as a latin1 string: one char per byte, so binary keys group exactly.
 */
export function prefixAtDepth(key: Uint8Array, depth: number): string {
  let seen = 0;
  for (let i = key[0] === SLASH ? 1 : 0; i < key.length; i++) {
    if (key[i] === SLASH && ++seen === depth) return latin1(key, i);
  }
  return latin1(key, key.length);
}

function latin1(key: Uint8Array, end: number): string {
  return Buffer.from(key.buffer, key.byteOffset, end).toString('latin1');
}

/** A prefix as the operator reads it (UTF-8; a byte that is not becomes U+FFFD). */
export function displayPrefix(prefix: string): string {
  return Buffer.from(prefix, 'latin1').toString('utf8');
}

/**
 * The end of etcd's range for every key starting with `prefix`: the prefix
 * with its last byte below 0xff incremented (etcdctl's --prefix). An empty
 * prefix, or one of only 0xff bytes, means "to the end": `\0`.
 */
export function prefixRangeEnd(prefix: Uint8Array): Uint8Array {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.slice(0, i + 1);
    }
  }
  return Uint8Array.of(0);
}

/** The smallest key after `key`: where the next page starts. */
export function keyAfter(key: Uint8Array): Uint8Array {
  const next = new Uint8Array(key.length + 1);
  next.set(key);
  return next;
}
