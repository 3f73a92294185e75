/** Where a key and its value start in the text, by JSON Pointer ("" is the whole document, "/tokens/dim" a token). */
export interface JsonLocation {
  key?: number;
  value: number;
}

export type JsonScan =
  | { ok: true; locations: Map<string, JsonLocation> }
  | { ok: false; offset: number; message: string };

class Fault {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

/**
 * Checks JSON syntax and records where every key and value is. JSON.parse cannot do either job here:
 * Node 20 gives no position for some errors ("Unexpected token '}', ... is not valid JSON") and none
 * at all for a value that parsed but is wrong.
 */
export function scanJson(text: string): JsonScan {
  const locations = new Map<string, JsonLocation>();
  let i = 0;

  const fail = (message: string, at = i): never => {
    throw new Fault(at, message);
  };
  const unexpected = (expected: string): never => {
    if (i >= text.length) return fail(`unexpected end of file, expected ${expected}`);
    const word = /[A-Za-z_$][\w$]*/y;
    word.lastIndex = i;
    const bare = word.exec(text)?.[0];
    if (bare) return fail(`unexpected ${bare}, expected ${expected}${expected === 'a value' ? ' (strings need double quotes)' : ''}`);
    return fail(`unexpected ${quoteChar(text[i]!)}, expected ${expected}`);
  };
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };

  const value = (path: string, key?: number): void => {
    skipSpace();
    locations.set(path, { key, value: i });
    const c = text[i];
    if (c === '{') return object(path);
    if (c === '[') return array(path);
    if (c === '"') return void string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i) && !/[\w$]/.test(text[i + literal.length] ?? '')) {
        i += literal.length;
        return;
      }
    }
    unexpected('a value');
  };

  const object = (path: string): void => {
    i++;
    skipSpace();
    if (text[i] === '}') return void i++;
    for (;;) {
      if (text[i] !== '"') unexpected('a property name in double quotes');
      const keyAt = i;
      const key = string();
      skipSpace();
      if (text[i] !== ':') unexpected(`':' after "${key}"`);
      i++;
      value(`${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`, keyAt);
      skipSpace();
      if (text[i] === '}') return void i++;
      if (text[i] !== ',') unexpected("',' or '}'");
      const commaAt = i++;
      skipSpace();
      if (text[i] === '}') fail("a comma before '}' (JSON allows none after the last entry)", commaAt);
    }
  };

  const array = (path: string): void => {
    i++;
    skipSpace();
    if (text[i] === ']') return void i++;
    for (let index = 0; ; index++) {
      value(`${path}/${index}`);
      skipSpace();
      if (text[i] === ']') return void i++;
      if (text[i] !== ',') unexpected("',' or ']'");
      const commaAt = i++;
      skipSpace();
      if (text[i] === ']') fail("a comma before ']' (JSON allows none after the last entry)", commaAt);
    }
  };

  const string = (): string => {
    const start = i++;
    for (;;) {
      const c = text[i];
      if (c === undefined) return fail('a string that never ends (missing closing ")', start);
      if (c === '"') break;
      if (c < ' ') fail(c === '\n' ? 'a line break inside a string (missing closing "?)' : 'a control character inside a string');
      if (c === '\\') {
        const escape = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;
        escape.lastIndex = i;
        if (!escape.exec(text)) fail('a bad escape in a string (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
        i = escape.lastIndex;
      } else i++;
    }
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };

  const number = (): void => {
    const pattern = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    pattern.lastIndex = i;
    if (!pattern.exec(text)) unexpected('a value');
    i = pattern.lastIndex;
  };

  try {
    if (text.trim() === '') fail('the file is empty', 0);
    value('');
    skipSpace();
    if (i < text.length) fail(`unexpected ${quoteChar(text[i]!)} after the end of the JSON document`);
    return { ok: true, locations };
  } catch (err) {
    if (err instanceof Fault) return { ok: false, offset: err.offset, message: err.message };
    throw err;
  }
}

/** 1-based line and column of a character offset, as editors count them. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

function quoteChar(c: string): string {
  return c === "'" ? `"'"` : `'${c}'`;
}
