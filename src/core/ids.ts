/**
 * etcd member and cluster IDs are uint64. etcd3 hands them over as decimal
 * strings; a JS number would silently lose precision above 2^53, so IDs stay
 * strings (hex, the way etcdctl prints them) and go through BigInt only here.
 */
export function idToHex(decimal: string): string {
  if (!/^\d+$/.test(decimal)) throw new Error(`not a uint64 id: ${JSON.stringify(decimal)}`);
  return BigInt(decimal).toString(16);
}

export function hexToDecimal(hex: string): string {
  if (!/^[0-9a-f]+$/i.test(hex)) throw new Error(`not a hex member id: ${JSON.stringify(hex)}`);
  return BigInt('0x' + hex).toString(10);
}
