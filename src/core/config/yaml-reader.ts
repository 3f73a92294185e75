import { dirname, isAbsolute, resolve } from 'node:path';
import { closestWord } from '../format/closest-word.js';
import { LineCounter, parseDocument, isMap, isScalar, type Node as YamlNode, type Document } from 'yaml';

/** A config problem with its place in the file: `cluster.yaml:7:5: ...`. */
export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
}

/**
 * Reads values out of one YAML file and reports every problem as
 * `file:line:col: what`. Relative paths resolve against the file's folder;
 * `~/` against $HOME.
 */
export class YamlReader {
  readonly doc: Document;
  private readonly lines = new LineCounter();
  private readonly base: string;

  constructor(
    text: string,
    protected readonly source: string,
    private readonly errorType: new (message: string) => Error = ConfigFileError,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    this.base = dirname(resolve(source));
    const first = this.doc.errors[0];
    if (first) {
      const { line, col } = this.lines.linePos(first.pos[0]);
      throw new this.errorType(`${source}:${line}:${col}: ${first.message.split('\n')[0]}`);
    }
  }

  string(map: YamlNode, key: string, what: string): string {
    const value = this.optionalString(map, key);
    if (value === undefined || value === '') this.fail(map, `missing ${key} (${what})`);
    return value;
  }

  optionalString(map: YamlNode, key: string): string | undefined {
    const node = this.child(map, key);
    if (node === undefined || (isScalar(node) && node.value === null)) return undefined;
    if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number')) {
      this.fail(node, `${key}: expected a text value`);
    }
    return String(node.value);
  }

  optionalBoolean(map: YamlNode, key: string): boolean | undefined {
    const node = this.child(map, key);
    if (node === undefined || (isScalar(node) && node.value === null)) return undefined;
    if (!isScalar(node) || typeof node.value !== 'boolean') this.fail(node, `${key}: expected true or false`);
    return node.value;
  }

  child(map: YamlNode, key: string): YamlNode | undefined {
    return isMap(map) ? (map.get(key, true) as YamlNode | undefined) : undefined;
  }

  /** Fails on the first key of `map` that is not in `known`, suggesting the closest known one. */
  onlyKeys(map: YamlNode, known: readonly string[], where: string): void {
    if (!isMap(map)) return;
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '?';
      if (known.includes(key)) continue;
      const hint = closestWord(key, known);
      this.fail(pair.key as YamlNode, `${where}: unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; known keys: ${known.join(', ')}`);
    }
  }

  path(p: string): string {
    const expanded = p.startsWith('~/') ? resolve(process.env.HOME ?? '/', p.slice(2)) : p;
    return isAbsolute(expanded) ? expanded : resolve(this.base, expanded);
  }

  fail(node: YamlNode | null | undefined, message: string): never {
    const offset = node?.range?.[0];
    if (offset === undefined) throw new this.errorType(`${this.source}: ${message}`);
    const { line, col } = this.lines.linePos(offset);
    throw new this.errorType(`${this.source}:${line}:${col}: ${message}`);
  }
}
