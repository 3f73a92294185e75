import { parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';
import { closestWord } from '../core/format/closest-word.js';
import { DURATION_RANGES, KEEP_RANGE, formatMs, parseDuration, parseFlagDuration, parseKeep, type DurationFlag } from './numbers.js';
import { autoDefragPolicy, AUTO_DEFRAG_RANGE_HINTS } from './auto-defrag-flags.js';
import type { AutoDefragPolicy } from '../core/operations/defrag-plan.js';
import { COUNT_RANGES, parseCount } from './numbers.js';

export const COMMANDS = [
  'tui', 'status', 'defrag', 'compact', 'alarm', 'move-leader', 'nospace-recover', 'snapshot', 'trust-hosts',
  'restart', 'rolling-restart', 'restore', 'rebootstrap', 'member', 'quota', 'contexts',
  'keys',
  'certs',
  'completion',
] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliOptions {
  command: Command;
  /** Words after the command: `alarm disarm`, `move-leader etcd-2`, `snapshot save FILE`. */
  args: string[];
  member?: string;
  force: boolean;
  /** defrag --auto: only members where the policy says it is worth it. */
  autoDefrag?: AutoDefragPolicy;
  keep?: number;
  yes: boolean;
  auditLog?: string;
  snapshotDir?: string;
  pauseMs: number;
  /** Operations that can lose data: how young a verified snapshot must be to count as their backup. */
  maxAgeMs?: number;
  /** Operations that can lose data: take a new backup snapshot even when a fresh one exists. */
  takeSnapshot: boolean;
  /** How long a restarted member gets to serve again. */
  waitMs?: number;
  file?: string;
  /** A context of the user config file (its current-context when not given). */
  context?: string;
  /** The user config file (default $XDG_CONFIG_HOME/etcd-cockpit/config.yaml). */
  config?: string;
  endpoints?: string;
  cacert?: string;
  cert?: string;
  key?: string;
  user?: string;
  passwordFile?: string;
  commandTimeoutMs: number;
  intervalMs: number;
  output: 'table' | 'json';
  watch: boolean;
  readOnly: boolean;
  help: boolean;
  version: boolean;
  /** dark (default), light, high-contrast, monochrome, or a theme file; the user config's theme when not given. NO_COLOR picks monochrome. */
  theme?: string;
  /** ASCII-only drawing for terminals without box-drawing characters. */
  ascii: boolean;
  /** keys top: path segments per prefix, the key prefix to scan, rows listed, sort order. */
  keysTop: KeysTopOptions;
  /** certs renew / rotate-ca: print each step, change nothing. */
  dryRun: boolean;
}

export interface KeysTopOptions {
  depth: number;
  prefix?: string;
  limit: number;
  sort: 'bytes' | 'count';
}

/** Every flag: the parser's table, and the shell completion's. */
export const OPTIONS = {
  file: { type: 'string', short: 'f' },
  context: { type: 'string' },
  config: { type: 'string' },
  endpoints: { type: 'string' },
  cacert: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  'password-file': { type: 'string' },
  'command-timeout': { type: 'string' },
  interval: { type: 'string' },
  output: { type: 'string', short: 'o' },
  watch: { type: 'boolean', short: 'w' },
  'read-only': { type: 'boolean' },
  member: { type: 'string' },
  cluster: { type: 'boolean' },
  force: { type: 'boolean' },
  auto: { type: 'boolean' },
  'min-free-percent': { type: 'string' },
  'min-free-bytes': { type: 'string' },
  keep: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'audit-log': { type: 'string' },
  'snapshot-dir': { type: 'string' },
  'max-age': { type: 'string' },
  'take-snapshot': { type: 'boolean' },
  wait: { type: 'string' },
  pause: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  theme: { type: 'string' },
  ascii: { type: 'boolean' },
  depth: { type: 'string' },
  prefix: { type: 'string' },
  limit: { type: 'string' },
  sort: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

export function parseCli(argv: string[]): CliOptions {
  refuseNegativeOrMissingValues(argv);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(optionErrorLine(err as Error & { code?: string }));
  }
  const { values, positionals } = parsed;
  if (values.password !== undefined) {
    throw new UsageError(
      'refusing --password on the command line (ps and shell history would show it): use ETCDCTL_PASSWORD, --password-file, or --user NAME to be prompted',
    );
  }
  refuseEmptyValues(values);
  const [first, ...rest] = positionals;
  const command = (first ?? 'tui') as Command;
  if (!COMMANDS.includes(command)) {
    const hint = closestWord(first ?? '', [...COMMANDS, 'runbook']);
    throw new UsageError(`unknown command "${first}"${hint ? ` (did you mean \`${hint}\`?)` : ''}; commands: ${COMMANDS.join(', ')}, runbook`);
  }
  if (!values.help && !values.version) checkPositionals(command, rest);
  if (values.cluster && command !== 'defrag') throw new UsageError(`--cluster only applies to defrag (all members), not to ${command}`);
  if (values['dry-run'] && !(command === 'certs' && (rest[0] === 'renew' || rest[0] === 'rotate-ca'))) {
    throw new UsageError(`--dry-run only applies to certs renew and certs rotate-ca${command === 'certs' ? '' : ` (runbook plan is the runbook's dry run)`}`);
  }
  if (values.cluster && values.member !== undefined) throw new UsageError('defrag: --cluster (all members) and --member NAME (one member) contradict each other; give one');
  if (values.user?.includes(':')) {
    throw new UsageError('refusing --user NAME:PASSWORD (ps and shell history would show it): give --user NAME and the password via ETCDCTL_PASSWORD, --password-file or the prompt');
  }
  const keysTop = parseKeysTopOptions(command, values);
  const output = values.output ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, not "${output}"`);
  return {
    command,
    args: rest,
    member: values.member,
    force: values.force ?? false,
    autoDefrag: autoDefragPolicy(command, values),
    keep: values.keep === undefined ? undefined : parseKeep(values.keep),
    yes: values.yes ?? false,
    auditLog: values['audit-log'],
    snapshotDir: values['snapshot-dir'],
    maxAgeMs: values['max-age'] === undefined ? undefined : parseFlagDuration('--max-age', values['max-age']),
    takeSnapshot: values['take-snapshot'] ?? false,
    waitMs: values.wait === undefined ? undefined : parseFlagDuration('--wait', values.wait),
    pauseMs: parseFlagDuration('--pause', values.pause),
    file: values.file,
    context: values.context,
    config: values.config,
    endpoints: values.endpoints,
    cacert: values.cacert,
    cert: values.cert,
    key: values.key,
    user: values.user,
    passwordFile: values['password-file'],
    commandTimeoutMs: parseFlagDuration('--command-timeout', values['command-timeout']),
    intervalMs: parseFlagDuration('--interval', values.interval),
    output,
    watch: values.watch ?? false,
    readOnly: values['read-only'] ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
    theme: values.theme ?? process.env.ETCD_COCKPIT_THEME,
    ascii: values.ascii ?? false,
    keysTop,
    dryRun: values['dry-run'] ?? false,
  };
}

const KEYS_TOP_FLAGS = ['depth', 'prefix', 'limit', 'sort'] as const;
export const SORTS = ['bytes', 'count'] as const;

/** The words a command takes first: checked here, offered by the shell completion. */
export const SUBCOMMANDS = {
  snapshot: ['save', 'list', 'verify', 'prune'],
  alarm: ['list', 'disarm'],
  keys: ['top'],
  member: ['replace'],
  certs: ['status', 'renew', 'rotate-ca'],
  completion: ['bash', 'zsh'],
} as const satisfies Partial<Record<Command, readonly string[]>>;

function parseKeysTopOptions(command: Command, values: Partial<Record<(typeof KEYS_TOP_FLAGS)[number], string>>): KeysTopOptions {
  const given = KEYS_TOP_FLAGS.find((f) => values[f] !== undefined);
  if (given && command !== 'keys') throw new UsageError(`--${given} only applies to keys top, not to ${command}`);
  const sort = values.sort ?? 'bytes';
  if (!(SORTS as readonly string[]).includes(sort)) {
    const hint = closestWord(sort, SORTS);
    throw new UsageError(`--sort must be bytes or count, not "${sort}"${hint ? ` (did you mean --sort ${hint}?)` : ''}`);
  }
  return {
    depth: parseCount('--depth', values.depth),
    prefix: values.prefix,
    limit: parseCount('--limit', values.limit),
    sort: sort as KeysTopOptions['sort'],
  };
}

export { parseDuration };

const STRING_FLAGS = new Map<string, string>(
  Object.entries(OPTIONS).flatMap(([name, o]) => {
    if (o.type !== 'string') return [];
    const short = 'short' in o ? [[`-${o.short}`, `--${name}`] as [string, string]] : [];
    return [[`--${name}`, `--${name}`] as [string, string], ...short];
  }),
);

/**
 * Node's parser calls `--pause -1s` "ambiguous" and `quota -1GiB` an unknown
 * option '-1': say what is wrong in the operator's words instead.
 */
function refuseNegativeOrMissingValues(argv: string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') return;
    const flag = STRING_FLAGS.get(word);
    const next = argv[i + 1];
    if (flag) {
      if (next === undefined) throw new UsageError(`${flag} needs a value (see etcd-cockpit --help)`);
      if (/^-[\d.]/.test(next)) throw new UsageError(`${flag} ${next}: negative values are not accepted${rangeHint(flag)}`);
      if (next.startsWith('-') && next !== '-') throw new UsageError(`${flag} needs a value, not the option ${next.split('=')[0]}`);
      i++;
      continue;
    }
    if (/^-\d/.test(word)) throw new UsageError(`"${word}": negative numbers are not accepted here`);
  }
}

function rangeHint(flag: string): string {
  if (flag in DURATION_RANGES) {
    const r = DURATION_RANGES[flag as DurationFlag];
    return ` (${formatMs(r.minMs)} to ${formatMs(r.maxMs)})`;
  }
  if (flag === '--keep') return ` (${KEEP_RANGE.min} to ${KEEP_RANGE.max})`;
  if (flag in AUTO_DEFRAG_RANGE_HINTS) return ` (${AUTO_DEFRAG_RANGE_HINTS[flag]})`;
  if (flag in COUNT_RANGES) return ` (${COUNT_RANGES[flag as keyof typeof COUNT_RANGES].min} to ${COUNT_RANGES[flag as keyof typeof COUNT_RANGES].max})`;
  return '';
}

function optionErrorLine(err: Error & { code?: string }): string {
  const unknown = err.message.match(/^Unknown option '([^']+)'/);
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    // Never echo what follows '=': it may be a secret typed under a misspelt flag.
    const name = unknown[1]!.split('=')[0]!;
    const known = Object.keys(OPTIONS).filter((o) => o !== 'password').map((o) => `--${o}`);
    const hint = name.startsWith('--') ? closestWord(name, known) : undefined;
    return `unknown option ${name}${hint ? ` (did you mean ${hint}?)` : ''} (see etcd-cockpit --help)`;
  }
  const line = err.message.split('\n')[0]!.replace(/'(--?[a-z-]+)=[^']*'/gi, "'$1'");
  return `${line} (see etcd-cockpit --help)`;
}

function refuseEmptyValues(values: Record<string, string | boolean | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' && value.trim() === '') throw new UsageError(`--${name} is empty: give a value or leave the flag out`);
  }
}

/** Every word after the command is used by it, or refused by name with what was probably meant. */
function checkPositionals(command: Command, words: string[]): void {
  const extra = (n: number, usage: string, hint?: (word: string) => string | undefined): void => {
    const word = words[n];
    if (word === undefined) return;
    const meant = hint?.(word);
    throw new UsageError(`${usage}: unexpected argument "${word}"${meant ? ` (did you mean \`${meant}\`?)` : ''}`);
  };
  const needs = (n: number, usage: string, what: string): void => {
    if (words.length < n) throw new UsageError(`${usage} needs ${what}`);
  };
  const subcommand = (allowed: readonly string[], usage: string): string | undefined => {
    const sub = words[0];
    if (sub === undefined || allowed.includes(sub)) return sub;
    const hint = closestWord(sub, allowed);
    throw new UsageError(`${usage} takes ${allowed.join(', ')}, not "${sub}"${hint ? ` (did you mean \`${command} ${hint}\`?)` : ''}`);
  };
  const memberHint = (w: string): string | undefined => (w.startsWith('-') ? undefined : `--member ${w}`);
  switch (command) {
    case 'defrag':
      return extra(0, 'defrag', memberHint);
    case 'compact':
      return extra(0, 'compact', (w) => (/^\d+$/.test(w) ? `--keep ${w}` : undefined));
    case 'snapshot': {
      const sub = subcommand(SUBCOMMANDS.snapshot, 'snapshot');
      if (sub === undefined) throw new UsageError('snapshot needs save [FILE|-], verify FILE, list [DIR] or prune');
      if (sub === 'verify') needs(2, 'snapshot verify', 'the snapshot file');
      return extra(2, `snapshot ${sub}`, sub === 'save' ? memberHint : undefined);
    }
    case 'alarm':
      subcommand(SUBCOMMANDS.alarm, 'alarm');
      return extra(1, `alarm ${words[0]}`);
    case 'move-leader':
    case 'restart':
      needs(1, command, `the name of the member (${command} NAME)`);
      return extra(1, command);
    case 'restore':
      needs(1, 'restore', 'the snapshot file (restore FILE)');
      return extra(1, 'restore');
    case 'quota':
      needs(1, 'quota', 'the new size, like 4GiB');
      return extra(1, 'quota');
    case 'keys':
      if (subcommand(SUBCOMMANDS.keys, 'keys') === undefined) throw new UsageError('keys takes top [--depth N] [--prefix P] [--limit N] [--sort bytes|count]');
      return extra(1, 'keys top', (w) => (w.startsWith('-') ? undefined : `--prefix ${w}`));
    case 'member':
      if (subcommand(SUBCOMMANDS.member, 'member') === undefined) throw new UsageError('member takes replace NAME');
      needs(2, 'member replace', 'the name of the member to replace');
      return extra(2, 'member replace');
    case 'certs':
      if (subcommand(SUBCOMMANDS.certs, 'certs') === undefined) throw new UsageError('certs needs status, renew or rotate-ca (with -f cluster.yaml)');
      return extra(1, `certs ${words[0]}`);
    case 'completion':
      if (subcommand(SUBCOMMANDS.completion, 'completion') === undefined) throw new UsageError('completion needs the shell: completion bash or completion zsh');
      return extra(1, `completion ${words[0]}`);
    case 'tui':
    case 'status':
    case 'contexts':
    case 'trust-hosts':
    case 'nospace-recover':
    case 'rolling-restart':
    case 'rebootstrap':
      return extra(0, command === 'tui' ? 'etcd-cockpit' : command);
  }
}

export const HELP = `etcd-cockpit: a terminal cockpit for etcd clusters

Usage:
  etcd-cockpit [tui] [connection flags]      full-screen live view (default)
  etcd-cockpit status [-o table|json] [-w]   per-member status; exit 0 healthy, 1 degraded
  etcd-cockpit defrag [--member NAME | --cluster] [--force] [--pause 2s]
                                             defragment one member, or all: followers first,
                                             the leader last after moving leadership away
  etcd-cockpit defrag --auto [--min-free-percent 45] [--min-free-bytes 100MB] [-o json]
                                             only members with that much free space; a report per member
  etcd-cockpit compact [--keep N]            compact history to the current revision (minus N)
  etcd-cockpit alarm list|disarm             raised alarms; disarm asks for the cluster name
  etcd-cockpit move-leader NAME              make NAME the leader
  etcd-cockpit nospace-recover               compact, defragment all, disarm, prove a write
  etcd-cockpit snapshot save [FILE|-] [--member NAME] [--force] | verify FILE | list [DIR]
                                             FILE is verified before it takes its name; - streams to stdout
                                             (trailer checked as it passes, exit 1 if the stream was cut)
  etcd-cockpit snapshot prune [DIR] --keep N [--max-age D] [--yes]
                                             delete old snapshots the cockpit saved and verified;
                                             a dry run unless --yes
  etcd-cockpit restart NAME | rolling-restart [--pause 2s] [--wait 60s]
  etcd-cockpit restore FILE                  verified snapshot onto every member, new cluster token
  etcd-cockpit rebootstrap                   wipe and bootstrap again, recreate RBAC
  etcd-cockpit member replace NAME           remove, wipe, add back as learner, sync, promote
  etcd-cockpit quota SIZE                    quota-backend-bytes on every member, rolling restart
                                             (these need an inventory with a runbook: section)
                                             restore, rebootstrap, member replace, quota and nospace-recover
                                             take a verified snapshot into --snapshot-dir first, unless the
                                             cockpit saved one younger than --max-age (1h); --take-snapshot
                                             takes a new one anyway. The confirmation names it.
  etcd-cockpit keys top [--depth 2] [--prefix P] [--limit 20] [--sort bytes|count] [-o table|json]
                                             keys and bytes per key prefix, read at one revision
                                             from a follower, page by page (also with --read-only)
  etcd-cockpit certs status -f cluster.yaml [-o json]
                                             every certificate on every node: days left, SANs, chain, keys;
                                             exit 0 good, 1 a warning, 3 expired or unreadable
  etcd-cockpit certs renew -f cluster.yaml [--dry-run] [--yes]
                                             new leaf certificates from the same CA, deployed, rolling restart
  etcd-cockpit certs rotate-ca -f cluster.yaml [--dry-run] [--yes]
                                             the next phase of a CA rotation (a: trust old+new, b: new
                                             leaves, c: trust new only), each with a rolling restart
  etcd-cockpit contexts [-o table|json]      every cluster of the user config: quorum and alarms
  etcd-cockpit trust-hosts -f cluster.yaml   show unknown SSH host keys' fingerprints; add the ones you confirm
  etcd-cockpit runbook plan|run [--phase N] [--dry-run] -f cluster.yaml
                                             bootstrap a TLS cluster with RBAC, phase by phase
  etcd-cockpit completion bash|zsh           print the shell completion script (see the README)

Connection (same as etcdctl; ETCDCTL_* environment variables work too):
  -f, --file cluster.yaml     inventory file (cluster name, nodes, TLS, password source)
  --context NAME              a cluster of the user config file (default: its current-context)
  --config FILE               user config (ETCD_COCKPIT_CONFIG; default ~/.config/etcd-cockpit/config.yaml)
  --endpoints URL[,URL...]    ETCDCTL_ENDPOINTS   (default https://127.0.0.1:2379)
  --cacert FILE               ETCDCTL_CACERT
  --cert FILE --key FILE      ETCDCTL_CERT, ETCDCTL_KEY  (client certificate)
  --user NAME                 ETCDCTL_USER; the password comes from ETCDCTL_PASSWORD,
  --password-file FILE        a file, or an interactive prompt, never from argv
  --command-timeout 2s        deadline of every call to etcd
  --interval 1s               how often each member is polled

Other:
  -o, --output table|json     output format of status, contexts and the defrag report
  -w, --watch                 status: print again every interval
  --theme NAME|FILE           dark (default), light, high-contrast, monochrome, or a theme file (NO_COLOR: monochrome)
  --ascii                     ASCII only, for terminals without box drawing (also when the locale is not UTF-8)
  --read-only                 no mutating actions (commands that change etcd are refused)
  -y, --yes                   do not ask before changing the cluster (for scripts)
  --audit-log FILE            where actions are recorded (default ~/.local/state/etcd-cockpit/audit.log)
  --snapshot-dir DIR          where snapshots go (default ~/.local/state/etcd-cockpit/snapshots/<cluster>)
  -h, --help, --version
`;
