/** The core's EtcdConnector: etcd3 clients for the runbook's admin work, the JSON gateway for Patroni's view. */
import type { Etcd3 } from 'etcd3';
import type { EtcdAdmin, EtcdConnector, PrefixPermission } from '../../core/ports/etcd-connector.js';
import { etcdMember } from './etcd-member.js';
import { JsonGatewayClient } from './json-gateway.js';
import { createMemberClient } from './member-client.js';
import { fetchMetricsText } from './metrics.js';

export const etcdConnector: EtcdConnector = {
  connect(endpoint, { tls, serverName, credentials, deadlineMs }) {
    return etcdAdmin(createMemberClient(endpoint, { tls, serverName, credentials: credentials ?? {}, deadlineMs }));
  },
  metricsText: (endpoint, { tls, serverName, timeoutMs }) => fetchMetricsText(endpoint, tls, timeoutMs, serverName),
  async gateway(endpoint, options, login) {
    const client = new JsonGatewayClient(endpoint, options);
    await client.authenticate(login.user, login.password);
    return client;
  },
};

function etcdAdmin(c: Etcd3): EtcdAdmin {
  return {
    ...etcdMember(c),
    authEnabled: async () => (await c.auth.authStatus()).enabled,
    enableAuth: async () => void (await c.auth.authEnable()),
    users: async () => (await c.auth.userList()).users,
    rolesOf: async (user) => (await c.auth.userGet({ name: user })).roles,
    roles: async () => (await c.auth.roleList()).roles,
    hasReadwritePrefix: (p) => hasReadwritePrefix(c, p),
    addUser: async (name, password) => void (await c.user(name).create(password)),
    addRole: async (name) => void (await c.role(name).create()),
    grantReadwritePrefix: async (p) => void (await c.role(p.role).grant({ permission: 'Readwrite', range: await prefixRange(p.prefix) })),
    grantRole: async (user, role) => void (await c.user(user).addRole(role)),
    getString: (key) => c.get(key).string(),
    close: () => c.close(),
  };
}

async function hasReadwritePrefix(c: Etcd3, p: PrefixPermission): Promise<boolean> {
  const want = await prefixRange(p.prefix);
  const perms = await c.role(p.role).permissions();
  return perms.some((x) => x.permission === 'Readwrite' && x.range.start.equals(want.start) && x.range.end.equals(want.end));
}

async function prefixRange(prefix: string) {
  const { Range } = await import('etcd3');
  return Range.prefix(prefix);
}
