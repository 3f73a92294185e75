/**
 * Phase 3, continued: the key pair etcd signs its JWT auth tokens with (see
 * auth-token-keys.ts), made on this machine and put on every node beside the
 * certificates, the private key 0600 and owned by etcd.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileAction, privateKeyPlaceholder, secretFileAction } from '../actions.js';
import { TOKEN_FILES, TOKEN_FILE_MODES, generateTokenKeys, localTokenFile, localTokenKeysExist, nodeTokenFile } from '../auth-token-keys.js';
import { RunbookFailure } from '../failures.js';
import { registerLocalKeys } from '../local-pki.js';
import { p, realPath, transportPath } from '../paths.js';
import type { ClusterStep, NodeStep } from '../types.js';
import { exec, standardAdvice } from './common.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const generate: ClusterStep = {
  id: 'pki.token-key',
  title: 'Key pair for JWT auth tokens (valid on every member, across restarts)',
  phase: 3,
  scope: 'cluster',
  advice: standardAdvice,
  async check({ run }) {
    return localTokenKeysExist(run.workdir) ? { done: true, detail: `in ${localTokenFile(run.workdir, 'jwt.key')}` } : { done: false, reason: 'no token key pair yet' };
  },
  async plan({ run }) {
    return [{ kind: 'local', description: `generate an RSA 2048 key pair for etcd's JWT tokens (RS256) into ${localTokenFile(run.workdir, 'jwt.key')} (0600) and jwt.pub` }];
  },
  async apply({ run }) {
    generateTokenKeys(run.workdir);
    registerLocalKeys(run);
    return `JWT signing key pair in ${localTokenFile(run.workdir, 'jwt.key')}`;
  },
};

const deploy: NodeStep = {
  id: 'pki.token-deploy',
  title: 'Deploy the JWT token key pair',
  phase: 3,
  scope: 'node',
  advice: standardAdvice,
  async check({ node, run }) {
    const files = TOKEN_FILES.map((f) => p(node, nodeTokenFile(f))).join(' ');
    const r = await exec(node, `sha256sum ${files} && stat -c '%a %U:%G' ${files}`, { privileged: true });
    if (r.code !== 0) return { done: false, reason: 'token key files missing on the node' };
    const lines = r.stdout.trim().split('\n');
    const wrong = TOKEN_FILES.filter((file, i) => {
      const local = localTokenFile(run.workdir, file);
      const [mode, owner] = (lines[TOKEN_FILES.length + i] ?? '').split(' ');
      return !existsSync(local) || lines[i]?.split(/\s+/)[0] !== sha256(readFileSync(local)) || mode !== TOKEN_FILE_MODES[file].toString(8) || (node.owner !== undefined && owner !== node.owner);
    });
    return wrong.length === 0 ? { done: true, detail: 'jwt.key and jwt.pub in place' } : { done: false, reason: `${wrong.join(', ')} missing or different` };
  },
  async plan({ node, run }) {
    const key = localTokenFile(run.workdir, 'jwt.key');
    const pub = localTokenFile(run.workdir, 'jwt.pub');
    return [
      secretFileAction(realPath(node, nodeTokenFile('jwt.key')), 0o600, privateKeyPlaceholder(existsSync(key) ? statSync(key).size : undefined, 0o600), node.owner),
      fileAction(realPath(node, nodeTokenFile('jwt.pub')), 0o644, existsSync(pub) ? readFileSync(pub, 'utf8') : '<public key, generated in phase 3>', node.owner),
    ];
  },
  async apply({ node, run }) {
    for (const file of TOKEN_FILES) {
      const local = localTokenFile(run.workdir, file);
      if (!existsSync(local)) throw new RunbookFailure('config', `${local} is missing: run pki.token-key first`);
      await node.transport.writeFile(transportPath(node, nodeTokenFile(file)), readFileSync(local), {
        mode: TOKEN_FILE_MODES[file],
        ...(node.owner ? { owner: node.owner } : {}),
        sudo: node.sudo,
      });
    }
    return 'jwt.key (0600) and jwt.pub';
  },
};

export const TOKEN_STEPS = [generate, deploy];
