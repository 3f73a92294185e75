/**
 * etcd's JSON gateway (`POST /v3/...` over HTTPS), the way Patroni's etcd3
 * client talks to etcd: authenticate with user and password, then send the
 * token in the Authorization header. Keys and values travel base64-encoded.
 */
import { request } from 'node:https';
import type { TlsMaterial } from '../../core/tls/material.js';

export interface GatewayOptions {
  tls: TlsMaterial;
  /** Name to check the server certificate against (a DNS SAN), instead of the URL's host. */
  serverName?: string;
  timeoutMs: number;
}

/** What the gateway answered when it was not 200: the HTTP status and etcd's message. */
export class GatewayError extends Error {
  override name = 'GatewayError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export class JsonGatewayClient {
  private token: string | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly options: GatewayOptions,
  ) {}

  async authenticate(name: string, password: string): Promise<void> {
    const r = (await this.post('/v3/auth/authenticate', { name, password })) as { token?: string };
    if (!r.token) throw new GatewayError(200, 'the gateway answered the authentication without a token');
    this.token = r.token;
  }

  async put(key: string, value: string): Promise<void> {
    await this.post('/v3/kv/put', { key: b64(key), value: b64(value) });
  }

  async get(key: string): Promise<string | null> {
    const r = (await this.post('/v3/kv/range', { key: b64(key) })) as { kvs?: Array<{ value?: string }> };
    const value = r.kvs?.[0]?.value;
    return value === undefined ? null : Buffer.from(value, 'base64').toString('utf8');
  }

  async delete(key: string): Promise<void> {
    await this.post('/v3/kv/deleterange', { key: b64(key) });
  }

  private post(path: string, body: object): Promise<unknown> {
    const url = new URL(path, this.baseUrl);
    const { tls, serverName, timeoutMs } = this.options;
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          ...(serverName ? { servername: serverName } : {}),
          agent: false,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            ...(this.token ? { authorization: this.token } : {}),
          },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8').trim();
            let json: { error?: string; message?: string } | undefined;
            try {
              json = JSON.parse(text) as typeof json;
            } catch {
              json = undefined;
            }
            if (res.statusCode === 200 && json) return resolve(json);
            const said = json?.message ?? json?.error ?? text;
            reject(new GatewayError(res.statusCode ?? 0, `${path}: HTTP ${res.statusCode}: ${said || 'no message'}`));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${path}: deadline exceeded after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
