/**
 * Parser for the Prometheus text exposition format (version 0.0.4), as served
 * on etcd's /metrics. Pure: text in, plain data out.
 */

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  name: string;
  labels: Labels;
  /** May be NaN or ±Infinity, as the format allows; readers filter. */
  value: number;
}

/** One cumulative bucket: observations <= le (le is Infinity for "+Inf"). */
export interface Bucket {
  le: number;
  count: number;
}

export interface Histogram {
  name: string;
  /** Labels without `le`. */
  labels: Labels;
  /** Sorted by le ascending. */
  buckets: Bucket[];
  sum?: number;
  count?: number;
}

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface ParsedMetrics {
  /** Every sample line (histogram series included), by metric name. */
  samples: ReadonlyMap<string, readonly Sample[]>;
  types: ReadonlyMap<string, MetricType>;
  /** Histograms by family name (without _bucket/_sum/_count). */
  histograms: ReadonlyMap<string, readonly Histogram[]>;
}

const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/**
 * `families`, when given, keeps only those metric families (a histogram's
 * _bucket/_sum/_count series included): etcd serves ~160 KB of /metrics, of
 * which the cockpit reads a dozen families, and parsing the rest at every reading
 * is most of the poller's CPU.
 */
export function parsePrometheusText(text: string, families?: ReadonlySet<string>): ParsedMetrics {
  const samples = new Map<string, Sample[]>();
  const types = new Map<string, MetricType>();
  const names = families && seriesNames(families);
  for (let at = 0; at < text.length; ) {
    const end = lineEnd(text, at);
    const from = at;
    at = end + 1;
    if (names && !mayBeWanted(text, from, end, names)) continue;
    const line = text.slice(from, end).trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m && TYPES.has(m[2]!) && (!families || families.has(m[1]!))) types.set(m[1]!, m[2] as MetricType);
      continue;
    }
    if (families && !families.has(familyOf(line))) continue;
    const sample = parseSampleLine(line);
    if (!sample) continue;
    const list = samples.get(sample.name);
    if (list) list.push(sample);
    else samples.set(sample.name, [sample]);
  }
  return { samples, types, histograms: groupHistograms(samples, types) };
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end === -1 ? text.length : end;
}

/** Every series name of the families: the family itself and a histogram's _bucket, _sum and _count. */
function seriesNames(families: ReadonlySet<string>): Set<string> {
  return new Set([...families].flatMap((f) => [f, `${f}_bucket`, `${f}_sum`, `${f}_count`]));
}

/**
 * A quick look that lets most of /metrics (HELP lines, grpc_* and go_*
 * series) pass without cutting the line out of the text; what it lets
 * through is judged as before.
 */
function mayBeWanted(text: string, from: number, end: number, names: ReadonlySet<string>): boolean {
  const first = text.charCodeAt(from);
  if (first === 35 /* # */) return !text.startsWith('# HELP ', from);
  if (first === 32 || first === 9 || first === 13 || from === end) return true; // odd spacing: the full path decides
  let nameEnd = from;
  for (let c = first; nameEnd < end && c !== 123 /* { */ && c !== 32 && c !== 9; c = text.charCodeAt(++nameEnd));
  return names.has(text.slice(from, nameEnd));
}

/** The family a sample line belongs to: its metric name without a histogram suffix. */
function familyOf(line: string): string {
  let end = 0;
  while (end < line.length && line[end] !== '{' && line[end] !== ' ' && line[end] !== '\t') end++;
  return line.slice(0, end).replace(/_(bucket|sum|count)$/, '');
}

/** `name{a="x",b="y"} value [timestamp]`; undefined for a malformed line. */
export function parseSampleLine(line: string): Sample | undefined {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) return undefined;
  const name = nameMatch[0];
  let rest = line.slice(name.length);
  let labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const parsed = parseLabels(rest);
    if (!parsed) return undefined;
    labels = parsed.labels;
    rest = rest.slice(parsed.length);
  }
  const valueText = rest.trim().split(/\s+/)[0];
  if (!valueText) return undefined;
  const value = parseValue(valueText);
  return value === undefined ? undefined : { name, labels, value };
}

function parseValue(text: string): number | undefined {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const n = Number(text);
  return Number.isNaN(n) ? undefined : n;
}

/** Parses `{...}` at the start of `text`, honouring \\, \" and \n escapes in values. */
function parseLabels(text: string): { labels: Record<string, string>; length: number } | undefined {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return { labels, length: i + 1 };
    const key = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!key) return undefined;
    i += key[0].length;
    while (text[i] === ' ') i++;
    if (text[i] !== '=' || text[i + 1] !== '"') return undefined;
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) return undefined;
      if (c === '"') break;
      if (c === '\\') {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    labels[key[0]] = value;
    i++;
  }
}

/** Stable key for a label set, so series of one histogram group together. */
export function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

function groupHistograms(samples: Map<string, Sample[]>, types: Map<string, MetricType>): Map<string, Histogram[]> {
  const result = new Map<string, Histogram[]>();
  for (const [seriesName, list] of samples) {
    if (!seriesName.endsWith('_bucket')) continue;
    const family = seriesName.slice(0, -'_bucket'.length);
    const declared = types.get(family);
    if (declared !== undefined && declared !== 'histogram') continue;
    const byLabels = new Map<string, Histogram>();
    for (const s of list) {
      const { le, ...rest } = s.labels;
      if (le === undefined) continue;
      const leValue = parseValue(le);
      if (leValue === undefined || Number.isNaN(leValue)) continue;
      const key = labelKey(rest);
      let h = byLabels.get(key);
      if (!h) {
        h = { name: family, labels: rest, buckets: [] };
        byLabels.set(key, h);
      }
      h.buckets.push({ le: leValue, count: s.value });
    }
    for (const h of byLabels.values()) {
      h.buckets.sort((a, b) => a.le - b.le);
      const key = labelKey(h.labels);
      h.sum = samples.get(`${family}_sum`)?.find((s) => labelKey(s.labels) === key)?.value;
      h.count = samples.get(`${family}_count`)?.find((s) => labelKey(s.labels) === key)?.value;
    }
    if (byLabels.size > 0) result.set(family, [...byLabels.values()]);
  }
  return result;
}

/** Value of the first series of `name` whose labels include `match`; undefined if absent or not finite. */
export function metricValue(metrics: ParsedMetrics, name: string, match: Labels = {}): number | undefined {
  const sample = metrics.samples
    .get(name)
    ?.find((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v));
  return sample !== undefined && Number.isFinite(sample.value) ? sample.value : undefined;
}

export function histogramsOf(metrics: ParsedMetrics, family: string): readonly Histogram[] {
  return metrics.histograms.get(family) ?? [];
}
