/**
 * `etcd-cockpit completion bash|zsh`: the bash script is sourced in a real
 * bash and asked as bash asks it on <TAB> (COMP_WORDS, COMP_CWORD); the zsh
 * script is checked as text, and by a real zsh when one is installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, OPTIONS, SUBCOMMANDS, parseCli } from '../src/cli/args.js';
import { RUNBOOK_FLAGS, completionScript, completionSpec } from '../src/cli/completion.js';
import { RUNBOOK_HELP, parseRunbookArgs } from '../src/cli/commands/runbook.js';
import { UsageError } from '../src/cli/usage-error.js';

const BIN = fileURLToPath(new URL('../bin/etcd-cockpit', import.meta.url));
let dir: string;
let bashScript: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-completion-'));
  // The built command, as a user's shell setup runs it.
  bashScript = execFileSync(process.execPath, [BIN, 'completion', 'bash'], { encoding: 'utf8' });
  writeFileSync(join(dir, 'etcd-cockpit.bash'), bashScript);
  writeFileSync(join(dir, 'snapshot-1.db'), '');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What bash offers for the line, the cursor at its end (a trailing space starts a new, empty word). */
function complete(line: string): string[] {
  const words = line.split(' ');
  const script = [
    `source ${JSON.stringify(join(dir, 'etcd-cockpit.bash'))}`,
    `COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    `COMP_LINE=${JSON.stringify(line)}`,
    `COMP_POINT=${line.length}`,
    '_etcd_cockpit',
    `printf '%s\\n' "\${COMPREPLY[@]}"`,
  ].join('\n');
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { cwd: dir, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter((w) => w !== '');
}

describe('bash completion, in a real bash', () => {
  it('registers itself for etcd-cockpit', () => {
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `source ${JSON.stringify(join(dir, 'etcd-cockpit.bash'))} && complete -p etcd-cockpit`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('complete -F _etcd_cockpit etcd-cockpit');
  });

  it.each([
    ['etcd-cockpit sna', ['snapshot']],
    ['etcd-cockpit snapshot s', ['save']],
    ['etcd-cockpit snapshot ', [...SUBCOMMANDS.snapshot]],
    ['etcd-cockpit -f cluster.yaml snapshot s', ['save']],
    ['etcd-cockpit certs r', ['renew', 'rotate-ca']],
    ['etcd-cockpit completion ', ['bash', 'zsh']],
    ['etcd-cockpit status --out', ['--output']],
    ['etcd-cockpit status -o ', ['table', 'json']],
    ['etcd-cockpit keys top --sort c', ['count']],
    ['etcd-cockpit runbook p', ['plan']],
    ['etcd-cockpit runbook plan --ph', ['--phase']],
    ['etcd-cockpit snapshot verify snap', ['snapshot-1.db']],
    ['etcd-cockpit status --cacert snap', ['snapshot-1.db']],
    ['etcd-cockpit --interval ', []],
  ])('%j offers %j', (line, expected) => {
    expect(complete(line)).toEqual(expected);
  });

  it('offers every command, runbook and completion included, and never --password', () => {
    expect(complete('etcd-cockpit ')).toEqual([...COMMANDS, 'runbook']);
    expect(complete('etcd-cockpit ')).toContain('completion');
    const flags = complete('etcd-cockpit status -');
    expect(flags).toContain('--endpoints');
    expect(flags).toContain('-o');
    expect(flags).not.toContain('--password');
    expect(flags).toContain('--password-file');
  });
});

describe('zsh completion', () => {
  const zsh = completionScript('zsh');

  it('is a #compdef script for etcd-cockpit with every command, subcommand and flag', () => {
    expect(zsh.split('\n')[0]).toBe('#compdef etcd-cockpit');
    expect(zsh).toContain('compdef _etcd_cockpit etcd-cockpit');
    expect(zsh).toContain(`compadd -- ${[...COMMANDS, 'runbook'].join(' ')}`);
    for (const [command, subs] of Object.entries(SUBCOMMANDS)) expect(zsh).toContain(`${command}) compadd -- ${subs.join(' ')} ;;`);
    for (const name of Object.keys(OPTIONS).filter((n) => n !== 'password')) expect(zsh).toContain(` --${name}`);
    expect(zsh).not.toMatch(/--password[ |)]/);
  });

  it('parses in a real zsh and registers itself after compinit, when zsh is installed', () => {
    const hasZsh = spawnSync('zsh', ['-c', 'true']).status === 0;
    if (!hasZsh) {
      // Without zsh only the text above is checked; say so in the test's own result.
      expect(spawnSync('zsh', ['-c', 'true']).error).toBeDefined();
      return;
    }
    writeFileSync(join(dir, '_etcd-cockpit'), zsh);
    const r = spawnSync('zsh', ['-f', '-c', `autoload -U compinit && compinit -u -D && source ${JSON.stringify(join(dir, '_etcd-cockpit'))} && print -r -- $_comps[etcd-cockpit]`], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('_etcd_cockpit');
  });
});

describe('the completion follows the parsers', () => {
  it('every offered command and subcommand parses', () => {
    const spec = completionSpec();
    for (const command of spec.commands.filter((c) => c !== 'runbook' && !(c in SUBCOMMANDS))) {
      expect(() => parseCli(command === 'tui' ? [] : [command]), command).not.toThrow(/unknown command/);
    }
    for (const [command, subs] of Object.entries(SUBCOMMANDS)) {
      for (const sub of subs) expect(() => parseCli([command, sub, 'x', 'y']), `${command} ${sub}`).not.toThrow(/takes|unknown command/);
    }
  });

  it("the runbook's flags are the ones its parser takes and its help lists", () => {
    for (const flag of RUNBOOK_FLAGS.value) expect(() => parseRunbookArgs(['plan', flag, '1']), flag).not.toThrow(/Unknown option/);
    for (const flag of RUNBOOK_FLAGS.boolean) expect(() => parseRunbookArgs(['plan', flag]), flag).not.toThrow(/Unknown option/);
    const inHelp = new Set(RUNBOOK_HELP.match(/--[a-z-]+|-[a-z]\b/g));
    for (const flag of inHelp) expect([...RUNBOOK_FLAGS.value, ...RUNBOOK_FLAGS.boolean], `${flag} from RUNBOOK_HELP`).toContain(flag);
  });

  it('completion without a shell, or another shell, is bad input', () => {
    expect(() => parseCli(['completion'])).toThrow(UsageError);
    expect(() => parseCli(['completion', 'fish'])).toThrow(/completion takes bash, zsh, not "fish"/);
    const r = spawnSync(process.execPath, [BIN, 'completion', 'fish'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^etcd-cockpit: completion takes bash, zsh, not "fish"[^\n]*\n$/);
  });
});
