/** The AuditSink port (src/core/ports/audit.ts) in memory: every entry, in the order it was appended. */
import type { AuditEntry, AuditSink } from '../../src/core/ports/audit.js';

export class FakeAuditSink implements AuditSink {
  readonly path = '(memory audit log)';
  readonly entries: AuditEntry[] = [];
  append(entry: AuditEntry): void {
    this.entries.push(entry);
  }
}
