/**
 * The part of the protobuf wire format the poll client needs: varints,
 * length-delimited fields, and skipping fixed-width ones. Varints decode to
 * bigint: etcd's member and cluster IDs are uint64 and often above 2^53.
 */

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

export class ProtoError extends Error {
  override name = 'ProtoError';
}

/** Writes one message; proto3 defaults (0, false, empty) are left out, as protobuf does. */
export class ProtoWriter {
  private readonly out: number[] = [];

  uint64(field: number, value: bigint | number): this {
    if (value == 0) return this;
    if (value < 0) throw new ProtoError(`uint64 field ${field} cannot be negative`);
    this.tag(field, VARINT);
    this.varint(value);
    return this;
  }

  /** Negative values take ten bytes (two's complement), as in protobuf. */
  int64(field: number, value: bigint | number): this {
    if (value == 0) return this;
    this.tag(field, VARINT);
    this.varint(value < 0 ? BigInt.asUintN(64, BigInt(value)) : value);
    return this;
  }

  bool(field: number, value: boolean): this {
    if (!value) return this;
    this.tag(field, VARINT);
    this.out.push(1);
    return this;
  }

  /** Strings are written as UTF-8 bytes. */
  bytes(field: number, value: Uint8Array | string): this {
    const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    if (data.length === 0) return this;
    this.tag(field, LENGTH_DELIMITED);
    this.varint(data.length);
    for (const byte of data) this.out.push(byte);
    return this;
  }

  finish(): Buffer {
    return Buffer.from(this.out);
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private varint(value: bigint | number): void {
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new ProtoError(`not a safe integer: ${value}; pass a bigint`);
      while (value > 0x7f) {
        this.out.push((value % 0x80) | 0x80);
        value = Math.floor(value / 0x80);
      }
      this.out.push(value);
      return;
    }
    if (value >= 1n << 64n) throw new ProtoError(`varint above 64 bits: ${value}`);
    while (value > 0x7fn) {
      this.out.push(Number(value & 0x7fn) | 0x80);
      value >>= 7n;
    }
    this.out.push(Number(value));
  }
}

/** A varint field's value, or a length-delimited field's bytes (a view into the message). */
export type FieldValue = bigint | Buffer;

/**
 * Calls `onField` for every field of a message, in wire order. Repeated
 * fields simply come several times; fixed-width fields come as bytes.
 */
export function readFields(message: Buffer, onField: (field: number, value: FieldValue) => void): void {
  let pos = 0;
  while (pos < message.length) {
    const [key, afterKey] = readVarint(message, pos);
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0) throw new ProtoError('field number 0 in protobuf message');
    pos = afterKey;
    if (wireType === VARINT) {
      const [value, next] = readVarint(message, pos);
      pos = next;
      onField(field, value);
    } else if (wireType === LENGTH_DELIMITED) {
      const [length, start] = readVarint(message, pos);
      const end = start + Number(length);
      if (end > message.length) throw new ProtoError('truncated protobuf message');
      pos = end;
      onField(field, message.subarray(start, end));
    } else if (wireType === FIXED64 || wireType === FIXED32) {
      const end = pos + (wireType === FIXED64 ? 8 : 4);
      if (end > message.length) throw new ProtoError('truncated protobuf message');
      onField(field, message.subarray(pos, end));
      pos = end;
    } else {
      throw new ProtoError(`unsupported protobuf wire type ${wireType}`);
    }
  }
}

/** Returns the value and the position after it. */
export function readVarint(buffer: Buffer, pos: number): [bigint, number] {
  // Seven bytes (49 bits) add up exactly in a double; longer ones finish in bigint.
  let low = 0;
  for (let i = 0; i < 7; i++) {
    const byte = byteAt(buffer, pos++);
    low += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return [BigInt(low), pos];
  }
  let value = BigInt(low);
  for (let shift = 49n; shift < 70n; shift += 7n) {
    const byte = byteAt(buffer, pos++);
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) {
      if (value >= 1n << 64n) throw new ProtoError('varint above 64 bits');
      return [value, pos];
    }
  }
  throw new ProtoError('varint longer than 10 bytes');
}

function byteAt(buffer: Buffer, pos: number): number {
  const byte = buffer[pos];
  if (byte === undefined) throw new ProtoError('truncated protobuf message');
  return byte;
}

/** Typed views of a field's value; a wire type that does not fit the schema is an error. */
export function asVarint(value: FieldValue, what: string): bigint {
  if (typeof value !== 'bigint') throw new ProtoError(`${what}: expected a varint`);
  return value;
}

export function asBytes(value: FieldValue, what: string): Buffer {
  if (typeof value === 'bigint') throw new ProtoError(`${what}: expected length-delimited bytes`);
  return value;
}

export function asString(value: FieldValue, what: string): string {
  return asBytes(value, what).toString('utf8');
}

export function asInt64(value: FieldValue, what: string): bigint {
  return BigInt.asIntN(64, asVarint(value, what));
}
