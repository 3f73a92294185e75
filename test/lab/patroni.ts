/**
 * Patroni 3.0.2 and PostgreSQL 15 from Debian on the lab's pg-1, set up the
 * way an operator would from the runbook's printed `etcd3:` block: files
 * copied over SSH (secrets on stdin), the block pasted verbatim with only the
 * password placeholder filled from the file it names.
 */
import { readFileSync } from 'node:fs';
import type { Lab } from './fixture.js';

export const SCOPE = 'lab';
const PG = 'pg-1';

/** The `etcd3:` block from the runbook's stdout (it ends the output). */
export function etcd3BlockOf(runbookStdout: string): string {
  const at = runbookStdout.indexOf('\netcd3:\n');
  if (at < 0) throw new Error('the runbook printed no etcd3: block');
  return runbookStdout.slice(at + 1);
}

/** The block with its password placeholder filled from the file the placeholder names, nothing else changed. */
export function fillPassword(block: string): string {
  const m = block.match(/password: '<patroni password: generated file (\S+)>'/);
  if (!m) throw new Error(`no password placeholder naming a file in:\n${block}`);
  const password = readFileSync(m[1]!, 'utf8').trim();
  return block.replace(m[0], `password: ${JSON.stringify(password)}`);
}

export function patroniConfig(ip: string, etcd3Block: string): string {
  return [
    `scope: ${SCOPE}`,
    `name: ${PG}`,
    'restapi:',
    `  listen: ${ip}:8008`,
    `  connect_address: ${ip}:8008`,
    etcd3Block.trimEnd(),
    'bootstrap:',
    '  dcs:',
    '    ttl: 30',
    '    loop_wait: 10',
    '    retry_timeout: 10',
    '  initdb:',
    '    - encoding: UTF8',
    'postgresql:',
    `  listen: ${ip}:5432`,
    `  connect_address: ${ip}:5432`,
    '  data_dir: /var/lib/postgresql/15/patroni',
    '  bin_dir: /usr/lib/postgresql/15/bin',
    '  pgpass: /var/lib/postgresql/.pgpass_patroni',
    '  authentication:',
    // PostgreSQL's own passwords only matter inside this throwaway host.
    '    superuser: {username: postgres, password: lab-superuser}',
    '    replication: {username: replicator, password: lab-replication}',
    '  parameters:',
    '    unix_socket_directories: /var/run/postgresql',
    '  pg_hba:',
    '    - local all all trust',
    `    - host all all ${ip}/32 scram-sha-256`,
    '',
  ].join('\n');
}

async function must(what: string, r: Promise<{ code: number; stderr: string; stdout: string }>): Promise<string> {
  const done = await r;
  if (done.code !== 0) throw new Error(`${what} on ${PG} failed (exit ${done.code}): ${done.stderr.trim() || done.stdout.trim()}`);
  return done.stdout;
}

/** Copies a file to pg-1 over SSH, content on stdin, owned by postgres with the given mode. */
async function install(lab: Lab, path: string, content: string, mode: string): Promise<void> {
  const script = `umask 077; cat > ${path}.new && chown postgres:postgres ${path}.new && chmod ${mode} ${path}.new && mv -f ${path}.new ${path}`;
  await must(`writing ${path}`, lab.ssh(PG, ['sudo', '-n', 'sh', '-c', `'${script}'`], { input: content }));
}

/** Copies these of the operator's PKI files over the ones the etcd3: block names on pg-1 (Patroni is not restarted). */
export async function givePatroni(lab: Lab, pki: { ca?: string; cert?: string; key?: string }): Promise<void> {
  if (pki.ca) await install(lab, '/etc/patroni/etcd/ca.crt', readFileSync(pki.ca, 'utf8'), '0644');
  if (pki.cert) await install(lab, '/etc/patroni/etcd/patroni.crt', readFileSync(pki.cert, 'utf8'), '0644');
  if (pki.key) await install(lab, '/etc/patroni/etcd/patroni.key', readFileSync(pki.key, 'utf8'), '0600');
}

/** The printed block's files, the config, then `systemctl start patroni`. */
export async function startPatroni(lab: Lab, pki: { ca: string; cert: string; key: string }, etcd3Block: string): Promise<void> {
  const ip = lab.host(PG).ip;
  await must('mkdir', lab.ssh(PG, ['sudo', '-n', 'install', '-d', '-o', 'postgres', '-g', 'postgres', '-m', '0750', '/etc/patroni', '/etc/patroni/etcd']));
  await givePatroni(lab, pki);
  await install(lab, '/etc/patroni/config.yml', patroniConfig(ip, fillPassword(etcd3Block)), '0600');
  await must('systemctl start patroni', lab.ssh(PG, ['sudo', '-n', 'systemctl', 'start', 'patroni']));
}

export interface PatroniState {
  state?: string;
  role?: string;
  timeline?: number;
}

/** GET http://pg-1:8008/<path> from inside the lab's namespace. */
export async function patroniApi(lab: Lab, path: string): Promise<unknown> {
  const url = `http://${lab.host(PG).ip}:8008/${path}`;
  const script = `fetch(${JSON.stringify(url)}).then((r) => r.text()).then((t) => process.stdout.write(t), (e) => { process.stderr.write(String(e)); process.exit(1); })`;
  const r = await lab.exec([process.execPath, '-e', script], { timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`GET ${url}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout);
}

export const isPrimary = (s: PatroniState): boolean => s.state === 'running' && (s.role === 'master' || s.role === 'primary');

/** Patroni's journal on pg-1 since it started (root inside the host, no SSH). */
export async function patroniLog(lab: Lab): Promise<string> {
  return must('journalctl', lab.root(PG, ['journalctl', '-u', 'patroni', '--no-pager', '-o', 'cat']));
}

/**
 * Samples Patroni's REST API every 500 ms until stopped: every sample must say
 * running primary on one timeline, and /cluster must name pg-1 the leader.
 */
export function watchPrimary(lab: Lab): { stop(): Promise<{ samples: number; bad: string[] }> } {
  let stopped = false;
  const bad: string[] = [];
  let samples = 0;
  let timeline: number | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        const s = (await patroniApi(lab, 'patroni')) as PatroniState;
        const cluster = (await patroniApi(lab, 'cluster')) as { members: Array<{ name: string; role: string }> };
        samples++;
        timeline ??= s.timeline;
        const leader = cluster.members.find((m) => m.role === 'leader')?.name;
        if (!isPrimary(s) || s.timeline !== timeline || leader !== PG) bad.push(`${new Date().toISOString()} role ${s.role}, state ${s.state}, timeline ${s.timeline}, leader ${leader}`);
      } catch (err) {
        bad.push(`${new Date().toISOString()} ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { samples, bad };
    },
  };
}
