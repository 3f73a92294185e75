/**
 * `etcd-cockpit runbook plan|run [--phase N] [--dry-run] -f cluster.yaml`
 *
 * plan (= run --dry-run): prints every step's exact commands and file
 * contents per node (secrets masked) and touches nothing. run: runs the
 * phases; progress on stderr, the checkpoint and the Patroni block on stdout.
 * Exit 0 done, 1 a step failed, 2 bad input (one line on stderr).
 */
import { FILE_LIMITS, FileCheckError, readSmallTextFile } from '../../core/files/read-small-file.js';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InventoryError, parseInventory } from '../../core/inventory/parse.js';
import { closeRunContext, createRunContext } from '../../adapters/runbook/run-context.js';
import { runRunbook } from '../../core/runbook/engine.js';
import type { RunbookEvent, SkipReason } from '../../core/runbook/events.js';
import { RunbookFailure } from '../../core/runbook/failures.js';
import { checkpointTable, patroniEtcd3Block } from '../../core/runbook/checkpoint.js';
import { reportText } from '../../core/runbook/report.js';
import { parseRunbookSettings } from '../../core/runbook/settings.js';
import { PHASES, PHASE_TITLES, isPhaseNumber, type PhaseNumber, type RunContext } from '../../core/runbook/types.js';
import { promptHidden } from '../secrets.js';
import { UsageError } from '../usage-error.js';

export interface RunbookCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface RunbookCommandOptions {
  action: 'plan' | 'run';
  file: string;
  phases: PhaseNumber[];
  dryRun: boolean;
  workdir?: string;
  verbose: boolean;
}

export const RUNBOOK_HELP = `Usage:
  etcd-cockpit runbook plan -f cluster.yaml [--phase N|N-M] [--workdir DIR]
  etcd-cockpit runbook run  -f cluster.yaml [--phase N|N-M] [--dry-run] [--workdir DIR] [-v]

Bootstraps a TLS etcd cluster with RBAC for Patroni, phase by phase:
${PHASES.map((p) => `  ${p} ${PHASE_TITLES[p]}`).join('\n')}
plan (and run --dry-run) prints the exact commands and files per node and changes nothing.
A rerun checks every step and skips what is already done.
`;

const OPTIONS = {
  file: { type: 'string', short: 'f' },
  phase: { type: 'string' },
  'dry-run': { type: 'boolean' },
  workdir: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  // The runbook never asks before a step (a rerun skips what is done): --yes is accepted for scripts that always pass it.
  yes: { type: 'boolean', short: 'y' },
  'read-only': { type: 'boolean' },
} as const;

/** Parses the arguments after `runbook`. Throws UsageError. */
export function parseRunbookArgs(argv: string[]): RunbookCommandOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`runbook: ${(err as Error).message.split('\n')[0]}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const [action, ...rest] = positionals;
  if (action !== 'plan' && action !== 'run') throw new UsageError(`runbook: expected "plan" or "run"${action ? `, not "${action}"` : ''} (see etcd-cockpit runbook --help)`);
  if (rest.length > 0) throw new UsageError(`runbook: unexpected argument "${rest[0]}"`);
  if (values['read-only'] && action === 'run' && !values['dry-run']) {
    throw new UsageError('runbook run changes the hosts and --read-only is on: use `runbook plan` to see the steps without changing anything');
  }
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' && value.trim() === '') throw new UsageError(`runbook: --${name} is empty: give a value or leave the flag out`);
  }
  if (!values.file) throw new UsageError('runbook: -f cluster.yaml is required');
  return {
    action,
    file: resolve(values.file),
    phases: values.phase === undefined ? [...PHASES] : parsePhases(values.phase),
    dryRun: action === 'plan' || (values['dry-run'] ?? false),
    ...(values.workdir ? { workdir: resolve(values.workdir) } : {}),
    verbose: values.verbose ?? false,
  };
}

export function parsePhases(text: string): PhaseNumber[] {
  const m = text.trim().match(/^(\d)(?:-(\d))?$/);
  const from = Number(m?.[1]);
  const to = m?.[2] === undefined ? from : Number(m[2]);
  if (!m || !isPhaseNumber(from) || !isPhaseNumber(to) || to < from) {
    throw new UsageError(`runbook: --phase "${text}" must be a phase 0-8 or a range like 3-5`);
  }
  return PHASES.filter((p) => p >= from && p <= to);
}

/**
 * Runs `etcd-cockpit runbook ...`; `argv` is everything after `runbook`.
 * Returns the exit code.
 */
export async function runRunbookCommand(argv: string[], io: RunbookCommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let ctx: RunContext | undefined;
  try {
    const opts = parseRunbookArgs(argv);
    if (opts === 'help') {
      io.stdout.write(RUNBOOK_HELP);
      return 0;
    }
    const text = readSmallTextFile(opts.file, 'inventory', FILE_LIMITS.inventory);
    const inventory = parseInventory(text, opts.file);
    const settings = parseRunbookSettings(inventory, text);
    if (opts.workdir) settings.workdir = opts.workdir;
    ctx = createRunContext({ inventory, settings, ...(process.stdin.isTTY ? { prompt: promptHidden } : {}) });
    const printer = opts.dryRun ? planPrinter(io, ctx) : progressPrinter(io, opts.verbose);
    const report = await runRunbook(ctx, { phases: opts.phases, dryRun: opts.dryRun, listener: printer });
    io.stderr.write(`\n${reportText(report)}\n`);
    if (report.outcome === 'done' && opts.phases.includes(8)) {
      io.stdout.write(`\nPatroni etcd3 settings:\n\n${patroniEtcd3Block(ctx)}`);
    }
    return report.outcome === 'failed' ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof InventoryError || (err instanceof RunbookFailure && err.kind === 'config')) {
      io.stderr.write(`etcd-cockpit: ${err.message}\n`);
      return 2;
    }
    if (err instanceof FileCheckError) {
      io.stderr.write(`etcd-cockpit: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  } finally {
    if (ctx) await closeRunContext(ctx);
  }
}

function where(ctx: RunContext, target: string): string {
  const node = ctx.nodes.find((n) => n.spec.name === target);
  if (!node) return 'this machine';
  return node.kind === 'local' ? `local, NODE_ROOT=${node.root}` : `${node.transport.label}${node.root ? `, paths under ${node.root}` : ''}`;
}

/** Dry run: the plan per phase, step and node on stdout. */
function planPrinter(io: RunbookCommandIo, ctx: RunContext) {
  return (event: RunbookEvent) => {
    switch (event.type) {
      case 'phase-started':
        io.stdout.write(`\n== Phase ${event.phase}: ${event.title}\n`);
        break;
      case 'plan':
        io.stdout.write(`\n-- ${event.stepId} on ${event.target} (${where(ctx, event.target)})\n${event.text.replace(/^/gm, '   ')}\n`);
        break;
      case 'step-state':
        if (event.state === 'skipped' && event.skip === 'not-applicable') io.stdout.write(`\n-- ${event.stepId} on ${event.target}: not applicable (${event.detail})\n`);
        if (event.state === 'failed') io.stdout.write(`\n-- ${event.stepId} on ${event.target}: cannot plan: ${event.error}\n`);
        break;
      case 'run-started':
      case 'output':
      case 'action':
      case 'warning':
      case 'checkpoint':
      case 'phase-finished':
      case 'run-finished':
        break;
    }
  };
}

/** done-by-check reads "ok": the step's check found it done (or, for a verification step, passing). */
function skipLabel(skip: SkipReason | undefined): string {
  switch (skip) {
    case 'done-by-check':
    case undefined:
      return 'ok      ';
    case 'not-applicable':
      return 'n/a     ';
    case 'dry-run':
      return 'planned ';
  }
}

/** A real run: one line per finished step on stderr; with --verbose also commands and output. */
function progressPrinter(io: RunbookCommandIo, verbose: boolean) {
  return (event: RunbookEvent) => {
    switch (event.type) {
      case 'phase-started':
        io.stderr.write(`== Phase ${event.phase}: ${event.title}\n`);
        break;
      case 'step-state':
        switch (event.state) {
          case 'pending':
          case 'running':
            break;
          case 'done':
            io.stderr.write(`   done     ${event.stepId} ${event.target}${event.detail ? `: ${event.detail}` : ''}\n`);
            break;
          case 'skipped':
            io.stderr.write(`   ${skipLabel(event.skip)} ${event.stepId} ${event.target}${event.detail ? `: ${event.detail}` : ''}\n`);
            break;
          case 'failed':
            io.stderr.write(`   FAILED   ${event.stepId} ${event.target}: ${event.error?.split('\n')[0]}\n`);
            break;
        }
        break;
      case 'warning':
        io.stderr.write(`   warning  ${event.target}: ${event.message}\n`);
        break;
      case 'checkpoint':
        io.stdout.write(`\nVerification checkpoint:\n${checkpointTable(event.rows)}\n`);
        break;
      case 'action':
        if (verbose) io.stderr.write(`            ${event.target} ${event.ok ? '' : '! '}${event.what}\n`);
        break;
      case 'output':
        if (verbose) io.stderr.write(event.chunk.replace(/^(?=.)/gm, `            ${event.target} | `));
        break;
      case 'plan':
      case 'run-started':
      case 'phase-finished':
      case 'run-finished':
        break;
    }
  };
}
