import { CATALOGUE, type OperationEntry } from '../core/operations/catalogue.js';
import { UsageError } from './usage-error.js';

export interface ParsedVerb {
  entry: OperationEntry;
  /** The member it is about: NAME, or --member NAME. */
  member?: string;
  /** Its free text: SIZE, FILE. */
  arg?: string;
}

/** The catalogue entry and operand the command words name, checked before anything is contacted. Throws UsageError. */
export function parseVerb(opts: { command: string; args: readonly string[]; member?: string }): ParsedVerb {
  const candidates = CATALOGUE.filter((e) => e.cli?.words[0] === opts.command);
  if (candidates.length === 0) throw new UsageError(`${opts.command} is not an operation`);
  const sub = candidates.filter((e) => e.cli!.words.length === 1 || e.cli!.words[1] === opts.args[0]);
  if (sub.length === 0) {
    const offered = candidates.map((e) => e.cli!.words.slice(1).join(' ') + (e.cli!.operand ? ` ${e.cli!.operand.name}` : '')).join(', ');
    throw new UsageError(`${opts.command} takes ${offered}${opts.args[0] ? `, not "${opts.args[0]}"` : ''}`);
  }
  // defrag: --member NAME names one member, without it the cluster.
  const entry = sub.find((e) => Boolean(e.cli!.memberFlag) === (opts.member !== undefined)) ?? sub[0]!;
  const cli = entry.cli!;
  const usage = cli.words.join(' ');
  const rest = opts.args.slice(cli.words.length - 1);
  const operand = cli.operand ? rest.shift() : undefined;
  if (cli.operand && operand === undefined) throw new UsageError(`${usage} needs ${cli.operand.missing}`);
  if (rest.length > 0) throw new UsageError(`${usage}: unexpected argument "${rest[0]}"`);
  if (operand !== undefined && entry.arg?.check) {
    try {
      entry.arg.check(operand);
    } catch (err) {
      throw new UsageError(`${usage}: ${(err as Error).message}`);
    }
  }
  if (cli.memberFlag) return { entry, member: opts.member };
  if (cli.operand?.name === 'NAME') return { entry, member: operand };
  return { entry, arg: operand };
}
