/**
 * Every secret value the run handles (passwords, private key PEMs) is
 * registered here, and every text that leaves the engine (plans, output
 * chunks, error messages) goes through redact(). Plans are built without
 * secrets in the first place; this is the second line of defence.
 */
export class SecretRegistry {
  private readonly entries = new Map<string, string>();

  /** Registers a secret; `label` names it in redacted text: `<secret: patroni password>`. */
  add(value: string, label: string): void {
    if (value.length < 4) {
      // too short to redact safely by substring; still remember it exactly
      this.entries.set(value, label);
      return;
    }
    this.entries.set(value, label);
    if (value.includes('-----BEGIN')) {
      // a key body line on its own (e.g. in a wrapped log line) is caught too
      for (const line of value.split('\n')) {
        const body = line.trim();
        if (body.length >= 16 && !body.startsWith('-----')) this.entries.set(body, label);
      }
    }
  }

  has(value: string): boolean {
    return this.entries.has(value);
  }

  redact(text: string): string {
    let out = text;
    // longest first, so a whole PEM is replaced before its lines
    const values = [...this.entries.keys()].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
    for (const value of values) {
      if (out.includes(value)) out = out.split(value).join(`<secret: ${this.entries.get(value)}>`);
    }
    return out;
  }
}
