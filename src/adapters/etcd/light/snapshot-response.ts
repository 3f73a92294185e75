/**
 * Maintenance.Snapshot's SnapshotResponse {header = 1, remaining_bytes = 2,
 * blob = 3, version = 4 (3.5 may leave it out)}, read from the pieces a
 * message arrived in (a 32 KiB message comes in three TLS reads): the blob is
 * handed on as views of those pieces, so 1 GB is never copied in memory.
 */
import { ProtoError } from './proto-wire.js';

export interface SnapshotChunk {
  /** Bytes of the database still to come after this blob; 0 on the last database chunk (the trailer follows). */
  remainingBytes: number;
  blob: Buffer[];
}

export function decodeSnapshotResponse(parts: Buffer[]): SnapshotChunk {
  const reader = new PartsReader(parts);
  const chunk: SnapshotChunk = { remainingBytes: 0, blob: [] };
  while (!reader.atEnd()) {
    const key = reader.varint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (wireType === 0) {
      const value = reader.varint();
      if (field === 2) chunk.remainingBytes = value;
    } else if (wireType === 2) {
      const length = reader.varint();
      if (field === 3) chunk.blob = reader.take(length);
      else reader.take(length);
    } else if (wireType === 1 || wireType === 5) {
      reader.take(wireType === 1 ? 8 : 4);
    } else {
      throw new ProtoError(`unsupported protobuf wire type ${wireType} in a snapshot message`);
    }
  }
  return chunk;
}

class PartsReader {
  private index = 0;
  private pos = 0;

  constructor(private readonly parts: Buffer[]) {
    this.skipEmpty();
  }

  atEnd(): boolean {
    return this.index >= this.parts.length;
  }

  /** As a number: exact up to 2^53, which a snapshot's sizes stay far below. */
  varint(): number {
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      const byte = this.byte();
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new ProtoError('varint longer than 10 bytes');
  }

  /** The next `length` bytes as views, one per piece they span. */
  take(length: number): Buffer[] {
    const views: Buffer[] = [];
    let left = length;
    while (left > 0) {
      const part = this.parts[this.index];
      if (!part) throw new ProtoError('truncated protobuf message');
      const n = Math.min(left, part.length - this.pos);
      views.push(part.subarray(this.pos, this.pos + n));
      this.pos += n;
      left -= n;
      this.skipEmpty();
    }
    return views;
  }

  private byte(): number {
    const part = this.parts[this.index];
    if (!part) throw new ProtoError('truncated protobuf message');
    const byte = part[this.pos++]!;
    this.skipEmpty();
    return byte;
  }

  private skipEmpty(): void {
    while (this.index < this.parts.length && this.pos >= this.parts[this.index]!.length) {
      this.index++;
      this.pos = 0;
    }
  }
}
