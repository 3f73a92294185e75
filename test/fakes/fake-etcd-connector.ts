/**
 * The EtcdConnector port (src/core/ports/etcd-connector.ts) over a
 * FakeEtcdCluster: /metrics text per member (quota from the fake's settings),
 * admin clients with users and roles in memory, and the JSON gateway as a
 * key map. Records which member each call went to.
 */
import type { EtcdAdmin, EtcdConnector, GatewayClient, PrefixPermission } from '../../src/core/ports/etcd-connector.js';
import type { FakeEtcdCluster } from './fake-etcd-member.js';

export class FakeEtcdConnector implements EtcdConnector {
  /** quota-backend-bytes each member reports, by name (etcd's 2 GiB default otherwise). */
  readonly quota = new Map<string, number>();
  readonly users = new Map<string, { password: string; roles: string[] }>();
  readonly roles = new Map<string, PrefixPermission[]>();
  authEnabled = false;

  constructor(private readonly cluster: FakeEtcdCluster) {}

  async metricsText(endpoint: string): Promise<string> {
    const n = this.cluster.node(endpoint);
    if (!n.up) throw new Error(`connect ECONNREFUSED ${new URL(endpoint).host}`);
    return [
      '# TYPE etcd_server_quota_backend_bytes gauge',
      `etcd_server_quota_backend_bytes ${this.quota.get(n.name) ?? 2 * 1024 ** 3}`,
      '# TYPE etcd_mvcc_db_total_size_in_bytes gauge',
      `etcd_mvcc_db_total_size_in_bytes ${n.dbSize}`,
      '',
    ].join('\n');
  }

  connect(endpoint: string): EtcdAdmin {
    const member = this.cluster.clientFor(endpoint);
    const admin: EtcdAdmin = Object.assign(Object.create(member) as EtcdAdmin, {
      authEnabled: async () => this.authEnabled,
      enableAuth: async () => {
        if (!this.users.get('root')?.roles.includes('root')) throw new Error('etcdserver: root user does not have root role');
        this.authEnabled = true;
      },
      users: async () => [...this.users.keys()],
      rolesOf: async (user: string) => this.users.get(user)?.roles ?? [],
      roles: async () => [...this.roles.keys()],
      hasReadwritePrefix: async ({ role, prefix }: PrefixPermission) => (this.roles.get(role) ?? []).some((p) => p.prefix === prefix),
      addUser: async (name: string, password: string) => {
        this.users.set(name, { password, roles: [] });
      },
      addRole: async (name: string) => {
        this.roles.set(name, this.roles.get(name) ?? []);
      },
      grantReadwritePrefix: async (permission: PrefixPermission) => {
        this.roles.set(permission.role, [...(this.roles.get(permission.role) ?? []), permission]);
      },
      grantRole: async (user: string, role: string) => {
        const u = this.users.get(user);
        if (!u) throw new Error(`etcdserver: user name not found`);
        u.roles.push(role);
      },
      getString: async (key: string) => this.cluster.keys.get(key)?.value ?? null,
      close: () => undefined,
    });
    return admin;
  }

  async gateway(endpoint: string, _options: unknown, login: { user: string; password: string }): Promise<GatewayClient> {
    if (this.authEnabled && this.users.get(login.user)?.password !== login.password) throw new Error('etcdserver: authentication failed, invalid user ID or password');
    const keys = this.cluster.keys;
    this.cluster.node(endpoint);
    return {
      put: async (key, value) => void keys.set(key, { value }),
      get: async (key) => keys.get(key)?.value ?? null,
      delete: async (key) => void keys.delete(key),
    };
  }
}
