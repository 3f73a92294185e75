import { parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

export const COMMANDS = [
  'tui', 'status', 'defrag', 'compact', 'alarm', 'move-leader', 'nospace-recover', 'snapshot', 'trust-hosts',
  'restart', 'rolling-restart', 'restore', 'rebootstrap', 'member', 'quota', 'contexts',
] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliOptions {
  command: Command;
  /** Words after the command: `alarm disarm`, `move-leader etcd-2`, `snapshot save FILE`. */
  args: string[];
  member?: string;
  force: boolean;
  keep?: number;
  yes: boolean;
  auditLog?: string;
  snapshotDir?: string;
  pauseMs: number;
  /** rebootstrap: how young a verified snapshot must be. */
  maxAgeMs?: number;
  /** rebootstrap: take and verify a snapshot first instead of refusing. */
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
}

const OPTIONS = {
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
  force: { type: 'boolean' },
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
} as const;

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see etcd-cockpit --help)`);
  }
  const { values, positionals } = parsed;
  const [first, ...rest] = positionals;
  const command = (first ?? 'tui') as Command;
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${first}" (commands: ${COMMANDS.join(', ')})`);
  if (rest.length > 0 && (command === 'tui' || command === 'status' || command === 'contexts')) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const keep = values.keep === undefined ? undefined : Number(values.keep);
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 0)) throw new UsageError(`--keep must be a whole number of revisions, not "${values.keep}"`);
  if (values.password !== undefined) {
    throw new UsageError(
      'refusing --password on the command line (ps and shell history would show it): use ETCDCTL_PASSWORD, --password-file, or --user NAME to be prompted',
    );
  }
  if (values.user?.includes(':')) {
    throw new UsageError('refusing --user NAME:PASSWORD (ps and shell history would show it): give --user NAME and the password via ETCDCTL_PASSWORD, --password-file or the prompt');
  }
  const output = values.output ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, not "${output}"`);
  return {
    command,
    args: rest,
    member: values.member,
    force: values.force ?? false,
    keep,
    yes: values.yes ?? false,
    auditLog: values['audit-log'],
    snapshotDir: values['snapshot-dir'],
    maxAgeMs: values['max-age'] === undefined ? undefined : parseDuration(values['max-age'], '--max-age'),
    takeSnapshot: values['take-snapshot'] ?? false,
    waitMs: values.wait === undefined ? undefined : parseDuration(values.wait, '--wait'),
    pauseMs: parseDuration(values.pause ?? '2s', '--pause', 0),
    file: values.file,
    context: values.context,
    config: values.config,
    endpoints: values.endpoints,
    cacert: values.cacert,
    cert: values.cert,
    key: values.key,
    user: values.user,
    passwordFile: values['password-file'],
    commandTimeoutMs: parseDuration(values['command-timeout'] ?? '2s', '--command-timeout'),
    intervalMs: parseDuration(values.interval ?? '1s', '--interval'),
    output,
    watch: values.watch ?? false,
    readOnly: values['read-only'] ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
    theme: values.theme ?? process.env.ETCD_COCKPIT_THEME,
    ascii: values.ascii ?? false,
  };
}

/** "2s", "500ms", "1m", "1h" (etcdctl style); a bare number is seconds. */
export function parseDuration(text: string, flag: string, minMs = 50): number {
  const match = text.trim().match(/^(\d+(?:\.\d+)?)(ms|s|m|h)?$/);
  if (!match) throw new UsageError(`${flag} "${text}" is not a duration like 500ms, 2s, 1m or 1h`);
  const value = Number(match[1]);
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  const ms = value * unitMs;
  if (ms < minMs) throw new UsageError(`${flag} ${text} is too short (${minMs}ms at least)`);
  return Math.round(ms);
}

export const HELP = `etcd-cockpit: a terminal cockpit for etcd clusters

Usage:
  etcd-cockpit [tui] [connection flags]      full-screen live view (default)
  etcd-cockpit status [-o table|json] [-w]   per-member status; exit 0 healthy, 1 degraded
  etcd-cockpit defrag [--member NAME] [--force] [--pause 2s]
                                             defragment one member, or all: followers first,
                                             the leader last after moving leadership away
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
  etcd-cockpit rebootstrap [--take-snapshot] [--max-age 1h]
                                             wipe and bootstrap again, recreate RBAC (needs a fresh snapshot)
  etcd-cockpit member replace NAME           remove, wipe, add back as learner, sync, promote
  etcd-cockpit quota SIZE                    quota-backend-bytes on every member, rolling restart
                                             (these need an inventory with a runbook: section)
  etcd-cockpit contexts [-o table|json]      every cluster of the user config: quorum and alarms
  etcd-cockpit trust-hosts -f cluster.yaml   show unknown SSH host keys' fingerprints; add the ones you confirm
  etcd-cockpit runbook plan|run [--phase N] [--dry-run] -f cluster.yaml
                                             bootstrap a TLS cluster with RBAC, phase by phase

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
  -o, --output table|json     status output format
  -w, --watch                 status: print again every interval
  --theme NAME|FILE           dark (default), light, high-contrast, monochrome, or a theme file (NO_COLOR: monochrome)
  --ascii                     ASCII only, for terminals without box drawing (also when the locale is not UTF-8)
  --read-only                 no mutating actions (commands that change etcd are refused)
  -y, --yes                   do not ask before changing the cluster (for scripts)
  --audit-log FILE            where actions are recorded (default ~/.local/state/etcd-cockpit/audit.log)
  --snapshot-dir DIR          where snapshots go (default ~/.local/state/etcd-cockpit/snapshots/<cluster>)
  -h, --help, --version
`;
