/**
 * What a step will do, as plain values: the exact command lines and file
 * contents a dry run shows and tests assert. Secrets never appear here: a
 * secret file's content is a description such as
 * `<private key, 1704 bytes, mode 0600>`.
 */
export type PlannedAction =
  /** A shell command line run on the node (`on`: which node, for cluster steps that reach several). */
  | { kind: 'exec'; command: string; sudo: boolean; stdin?: string; on?: string }
  /** A file written on the node (atomically, with its mode; owner when privileged). */
  | { kind: 'file'; path: string; mode: number; owner?: string; content: FileContent }
  /** An etcd API call made from this machine. */
  | { kind: 'etcd'; call: string }
  /** Work done on this machine (PKI generation, a bind test, starting a supervised process). */
  | { kind: 'local'; description: string; on?: string };

/** A file's content as a plan shows it: the text itself, or only what it is. */
export type FileContent =
  | { type: 'text'; text: string }
  /** A private key or password: only described, e.g. `<private key, 1704 bytes, mode 0600>`. */
  | { type: 'secret'; description: string }
  /** A binary (an etcd executable): only described. */
  | { type: 'binary'; description: string };

export function execAction(command: string, sudo: boolean, stdin?: string): PlannedAction {
  return stdin === undefined ? { kind: 'exec', command, sudo } : { kind: 'exec', command, sudo, stdin };
}

export function fileAction(path: string, mode: number, text: string, owner?: string): PlannedAction {
  return { kind: 'file', path, mode, content: { type: 'text', text }, ...(owner ? { owner } : {}) };
}

/** A file whose content is secret: the plan only says what it is. */
export function secretFileAction(path: string, mode: number, description: string, owner?: string): PlannedAction {
  return { kind: 'file', path, mode, content: { type: 'secret', description }, ...(owner ? { owner } : {}) };
}

export function binaryFileAction(path: string, mode: number, description: string, owner?: string): PlannedAction {
  return { kind: 'file', path, mode, content: { type: 'binary', description }, ...(owner ? { owner } : {}) };
}

export function modeText(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

export function privateKeyPlaceholder(bytes: number | undefined, mode: number): string {
  return bytes === undefined ? `<private key, generated in phase 3, mode ${modeText(mode)}>` : `<private key, ${bytes} bytes, mode ${modeText(mode)}>`;
}

export function secretPlaceholder(what: string): string {
  return `<secret: ${what}>`;
}
