import { COMMANDS, OPTIONS, SORTS, SUBCOMMANDS } from './args.js';
import { bashCompletion } from './completion-bash.js';
import { zshCompletion } from './completion-zsh.js';

/** What the shell offers, read from the parser's own tables so the two never drift. */
export interface CompletionSpec {
  commands: readonly string[];
  subcommands: Readonly<Record<string, readonly string[]>>;
  /** Every flag of the main commands, long and short. */
  flags: readonly string[];
  /** Flags whose next word is their value, not a command. */
  valueFlags: readonly string[];
  /** Flags whose value is a file or folder. */
  fileFlags: readonly string[];
  /** Flags with a fixed set of values. */
  flagValues: Readonly<Record<string, readonly string[]>>;
  /** Commands (or `command subcommand`) whose next word is a file or folder. */
  fileArguments: readonly string[];
  /** `runbook` has a parser of its own (cli/commands/runbook.ts). */
  runbook: { actions: readonly string[]; flags: readonly string[]; valueFlags: readonly string[] };
}

const FILE_FLAGS = new Set(['file', 'config', 'cacert', 'cert', 'key', 'password-file', 'audit-log', 'snapshot-dir', 'theme']);

/** The runbook's flags, as RUNBOOK_HELP lists them (test/completion.test.ts checks both ways). */
export const RUNBOOK_FLAGS = { boolean: ['--dry-run', '-v', '--verbose', '-y', '--yes', '--read-only', '-h', '--help'], value: ['-f', '--file', '--phase', '--workdir'] };

export function completionSpec(): CompletionSpec {
  // --password exists only to be refused with a reason: never offer it.
  const options = (Object.entries(OPTIONS) as [string, { type: string; short?: string }][]).filter(([name]) => name !== 'password');
  const spellings = (name: string, o: { short?: string }): string[] => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])];
  return {
    commands: [...COMMANDS, 'runbook'],
    subcommands: SUBCOMMANDS,
    flags: options.flatMap(([name, o]) => spellings(name, o)),
    valueFlags: options.filter(([, o]) => o.type === 'string').flatMap(([name, o]) => spellings(name, o)),
    fileFlags: options.filter(([name]) => FILE_FLAGS.has(name)).flatMap(([name, o]) => spellings(name, o)),
    flagValues: { '--output': ['table', 'json'], '-o': ['table', 'json'], '--sort': SORTS },
    fileArguments: ['restore', 'snapshot save', 'snapshot verify', 'snapshot list', 'snapshot prune'],
    runbook: { actions: ['plan', 'run'], flags: [...RUNBOOK_FLAGS.value, ...RUNBOOK_FLAGS.boolean], valueFlags: RUNBOOK_FLAGS.value },
  };
}

export function completionScript(shell: string): string {
  return shell === 'zsh' ? zshCompletion(completionSpec()) : bashCompletion(completionSpec());
}
