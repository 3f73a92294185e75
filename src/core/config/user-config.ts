import { isMap, isSeq, isScalar, type Node as YamlNode } from 'yaml';
import { YamlReader } from './yaml-reader.js';
import { hasUrlCredentials, maskUrlCredentials } from '../inventory/endpoint-url.js';

/**
 * One cluster the user works with, etcdctl-style: an inventory file, or
 * endpoints with TLS files. Never a password: only where to read it from.
 */
export interface ContextSpec {
  name: string;
  inventory?: string;
  endpoints?: string[];
  cacert?: string;
  cert?: string;
  key?: string;
  user?: string;
  passwordFile?: string;
  passwordEnv?: string;
}

export interface UserConfig {
  /** Absolute path of the file read, when there was one. */
  source?: string;
  theme?: string;
  ascii?: boolean;
  currentContext?: string;
  contexts: ContextSpec[];
}

const TOP_KEYS = ['theme', 'ascii', 'current-context', 'contexts'] as const;
const CONTEXT_KEYS = ['inventory', 'endpoints', 'cacert', 'cert', 'key', 'user', 'password-file', 'password-env'] as const;

export function parseUserConfig(text: string, source: string): UserConfig {
  return new UserConfigReader(text, source).config();
}

class UserConfigReader extends YamlReader {
  config(): UserConfig {
    const root = this.doc.contents;
    if (root === null || (isScalar(root) && root.value === null)) return { source: this.source, contexts: [] };
    if (!isMap(root)) this.fail(root, 'expected a mapping with theme, current-context and contexts');
    this.onlyKeys(root, TOP_KEYS, 'config');
    const contextsNode = this.child(root, 'contexts');
    const contexts = contextsNode === undefined ? [] : this.contexts(contextsNode);
    const current = this.optionalString(root, 'current-context');
    if (current !== undefined && !contexts.some((c) => c.name === current)) {
      const known = contexts.map((c) => c.name).join(', ') || 'none defined';
      this.fail(this.child(root, 'current-context'), `current-context "${current}" is not in contexts (${known})`);
    }
    return { source: this.source, theme: this.optionalString(root, 'theme'), ascii: this.optionalBoolean(root, 'ascii'), currentContext: current, contexts };
  }

  private contexts(node: YamlNode): ContextSpec[] {
    if (!isMap(node)) this.fail(node, 'contexts: expected a mapping of name: {inventory: FILE} or name: {endpoints: [...], cacert, cert, key}');
    return node.items.map((pair) => {
      const name = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(name)) this.fail(pair.key as YamlNode, `contexts: "${name}" is not a name (letters, digits, '.', '_', '-')`);
      return this.context(name, pair.value as YamlNode);
    });
  }

  private context(name: string, node: YamlNode): ContextSpec {
    const where = `contexts.${name}`;
    if (!isMap(node)) this.fail(node, `${where}: expected a mapping with inventory, or endpoints and TLS files`);
    if (this.child(node, 'password') !== undefined) {
      this.fail(this.child(node, 'password'), `${where}.password: passwords do not go in the config file; use password-file or password-env`);
    }
    this.onlyKeys(node, CONTEXT_KEYS, where);
    const file = (key: string): string | undefined => {
      const value = this.optionalString(node, key);
      return value ? this.path(value) : undefined;
    };
    const spec: ContextSpec = {
      name,
      inventory: file('inventory'),
      endpoints: this.endpoints(node, where),
      cacert: file('cacert'),
      cert: file('cert'),
      key: file('key'),
      user: this.optionalString(node, 'user'),
      passwordFile: file('password-file'),
      passwordEnv: this.optionalString(node, 'password-env'),
    };
    if (!spec.inventory && !spec.endpoints) this.fail(node, `${where}: needs inventory (a cluster file) or endpoints`);
    if (Boolean(spec.cert) !== Boolean(spec.key)) this.fail(node, `${where}: cert and key go together`);
    return spec;
  }

  private endpoints(node: YamlNode, where: string): string[] | undefined {
    const value = this.child(node, 'endpoints');
    if (value === undefined) return undefined;
    const items = isSeq(value) ? value.items : [value];
    const list = items.map((item) => {
      if (!isScalar(item) || typeof item.value !== 'string') this.fail(item as YamlNode, `${where}.endpoints: expected URLs like https://10.0.0.1:2379`);
      if (hasUrlCredentials(item.value) || item.value.split(',').some(hasUrlCredentials)) {
        this.fail(item as YamlNode, `${where}.endpoints: "${maskUrlCredentials(item.value)}" carries a user and password; give user and password-file or password-env instead`);
      }
      return item.value.split(',').map((e) => e.trim()).filter(Boolean);
    });
    const flat = list.flat();
    if (flat.length === 0) this.fail(value, `${where}.endpoints: empty`);
    return flat;
  }
}
