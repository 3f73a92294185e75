/** Plans as text: what a dry run prints, per node, step by step. */
import { modeText, type PlannedAction } from './actions.js';
import type { SecretRegistry } from './secrets.js';

function indent(text: string, prefix: string): string {
  return text.replace(/\n$/, '').split('\n').map((l) => `${prefix}${l}`).join('\n');
}

export function renderAction(action: PlannedAction): string {
  const text = renderBare(action);
  const on = action.kind === 'exec' || action.kind === 'local' ? action.on : undefined;
  return on ? `[${on}] ${text}` : text;
}

function renderBare(action: PlannedAction): string {
  switch (action.kind) {
    case 'exec': {
      const prompt = action.sudo ? 'sudo$ ' : '$ ';
      const [first = '', ...rest] = action.command.split('\n');
      const lines = [`${prompt}${first}`, ...rest.map((l) => `${' '.repeat(prompt.length)}${l}`)];
      if (action.stdin !== undefined) lines.push(`  (stdin: ${action.stdin})`);
      return lines.join('\n');
    }
    case 'file': {
      const head = `file ${action.path} (mode ${modeText(action.mode)}${action.owner ? `, owner ${action.owner}` : ''})`;
      switch (action.content.type) {
        case 'text':
          return `${head}:\n${indent(action.content.text, '    | ')}`;
        case 'secret':
        case 'binary':
          return `${head}: ${action.content.description}`;
      }
      break;
    }
    case 'etcd':
      return `etcd: ${action.call}`;
    case 'local':
      return `local: ${action.description}`;
  }
}

/** The text of a plan; the registry redacts anything secret that slipped into it. */
export function renderPlan(actions: PlannedAction[], secrets?: SecretRegistry): string {
  const text = actions.length === 0 ? '(nothing to do)' : actions.map(renderAction).join('\n');
  return secrets ? secrets.redact(text) : text;
}
