/**
 * `certs status` verdicts: every certificate read from the nodes and from
 * this machine's PKI, checked for expiry, SANs against the inventory, the
 * chain against the CA file beside it, its key (mode and public key), and
 * that every node trusts the same CA. Pure: takes what was read, no I/O.
 */
import { isIP } from 'node:net';
import { certFacts, signedByOneOf, type CertFacts } from './cert-facts.js';
import { CERT_EXPIRY_THRESHOLDS, daysUntil } from './expiry.js';
import type { ObservedCert, ObservedPlace } from './observed-certs.js';
import { splitPemCertificates } from './pem-bundle.js';

export type CertSeverity = 'ok' | 'warning' | 'error';

export interface CertRow {
  place: string;
  file: string;
  kind: ObservedCert['kind'] | 'node';
  subject?: string;
  issuer?: string;
  serial?: string;
  notAfter?: string;
  daysLeft?: number;
  sans?: string[];
  severity: CertSeverity;
  problems: string[];
}

export interface CertReport {
  rows: CertRow[];
  /** Every problem in words, prefixed with where: "etcd-2 server.crt: SAN lacks 10.0.0.12". */
  problems: string[];
  /** 0 all good, 1 a warning (expiry within 30 days, SAN, chain, CA, key mode), 3 expired, unreadable or a key that does not fit. */
  exitCode: 0 | 1 | 3;
}

const DAY_MS = 24 * 60 * 60 * 1000;

interface Finding {
  severity: Exclude<CertSeverity, 'ok'>;
  text: string;
}

function parseBundle(pem: string): CertFacts[] {
  return splitPemCertificates(pem).flatMap((one) => {
    try {
      return [certFacts(one)];
    } catch {
      return [];
    }
  });
}

function bundleId(bundle: CertFacts[]): string {
  return bundle.map((c) => c.fingerprint256).sort().join('+');
}

function expiryFindings(facts: CertFacts, now: Date): Finding[] {
  if (facts.notBefore.getTime() > now.getTime()) return [{ severity: 'error', text: `not valid before ${facts.notBefore.toISOString()}` }];
  const days = daysUntil(facts.notAfter, now);
  if (facts.notAfter.getTime() <= now.getTime()) return [{ severity: 'error', text: `expired on ${facts.notAfter.toISOString().slice(0, 10)}` }];
  if (days < CERT_EXPIRY_THRESHOLDS.warningDays) return [{ severity: 'warning', text: days === 0 ? 'expires within a day' : `expires in ${days} day${days === 1 ? '' : 's'}` }];
  return [];
}

function sanFindings(facts: CertFacts, place: ObservedPlace): Finding[] {
  const lacks: string[] = [];
  const address = place.address;
  if (address !== undefined) {
    const has = isIP(address) ? facts.sans.ips.includes(address) : facts.sans.dns.includes(address);
    if (!has) lacks.push(address);
  }
  const dns = place.dnsName ?? place.name;
  if (address !== dns && !facts.sans.dns.includes(dns)) lacks.push(dns);
  return lacks.length ? [{ severity: 'warning', text: `SAN lacks ${lacks.join(' and ')}` }] : [];
}

function keyFindings(cert: ObservedCert, facts: CertFacts): Finding[] {
  const key = cert.key;
  if (!key) return [];
  const name = basename(key.file);
  if (key.error) return [{ severity: 'error', text: `${name}: ${key.error}` }];
  const findings: Finding[] = [];
  if (key.mode !== undefined && key.mode !== '600' && key.mode !== '400') findings.push({ severity: 'warning', text: `${name} has mode ${key.mode}, not 600` });
  if (key.publicKeySha256 === undefined) findings.push({ severity: 'warning', text: `${name} not compared with the certificate (no openssl)` });
  else if (key.publicKeySha256 !== facts.publicKeySha256) findings.push({ severity: 'error', text: `${name} does not match the certificate` });
  return findings;
}

function basename(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

function worst(findings: Finding[]): CertSeverity {
  if (findings.some((f) => f.severity === 'error')) return 'error';
  return findings.length > 0 ? 'warning' : 'ok';
}

function rowOf(place: ObservedPlace, cert: ObservedCert, facts: CertFacts | undefined, findings: Finding[], now: Date): CertRow {
  return {
    place: place.name,
    file: cert.file,
    kind: cert.kind,
    ...(facts
      ? {
          subject: facts.subject,
          issuer: facts.issuer,
          serial: facts.serial,
          notAfter: facts.notAfter.toISOString(),
          daysLeft: Math.floor((facts.notAfter.getTime() - now.getTime()) / DAY_MS),
          sans: [...facts.sans.ips, ...facts.sans.dns],
        }
      : {}),
    severity: worst(findings),
    problems: findings.map((f) => f.text),
  };
}

function checkCa(place: ObservedPlace, ca: ObservedCert, reference: { id: string; name: string } | undefined, now: Date): { row: CertRow; bundle: CertFacts[] } {
  if (ca.pem === undefined) return { row: rowOf(place, ca, undefined, [{ severity: 'error', text: `cannot read: ${ca.error ?? 'unknown error'}` }], now), bundle: [] };
  const bundle = parseBundle(ca.pem);
  if (bundle.length === 0) return { row: rowOf(place, ca, undefined, [{ severity: 'error', text: 'holds no certificate' }], now), bundle };
  const findings = bundle.flatMap((c) => [
    ...expiryFindings(c, now).map((f) => (bundle.length > 1 ? { ...f, text: `${c.subject}: ${f.text}` } : f)),
    ...(c.isCa ? [] : [{ severity: 'warning' as const, text: `${c.subject} is not a CA certificate` }]),
  ]);
  if (bundle.length > 1) findings.push({ severity: 'warning', text: `holds ${bundle.length} CAs (a CA rotation in progress?)` });
  if (reference && bundleId(bundle) !== reference.id) findings.push({ severity: 'warning', text: `differs from ${reference.name}` });
  const row = rowOf(place, ca, bundle[0], findings, now);
  // The newest CA of a bundle is the one that matters for expiry.
  const newest = [...bundle].sort((a, b) => b.notAfter.getTime() - a.notAfter.getTime())[0]!;
  return { row: { ...row, subject: bundle.map((c) => c.subject).join(' + '), notAfter: newest.notAfter.toISOString(), daysLeft: daysUntil(newest.notAfter, now) }, bundle };
}

function checkLeaf(place: ObservedPlace, cert: ObservedCert, bundle: CertFacts[] | undefined, now: Date): CertRow {
  if (cert.pem === undefined) return rowOf(place, cert, undefined, [{ severity: 'error', text: `cannot read: ${cert.error ?? 'unknown error'}` }], now);
  let facts: CertFacts;
  try {
    facts = certFacts(cert.pem);
  } catch {
    return rowOf(place, cert, undefined, [{ severity: 'error', text: 'is not a PEM certificate' }], now);
  }
  const findings: Finding[] = [...expiryFindings(facts, now)];
  if (cert.kind === 'server' || cert.kind === 'peer') findings.push(...sanFindings(facts, place));
  if (bundle && bundle.length > 0 && !signedByOneOf(facts, bundle)) findings.push({ severity: 'warning', text: `not signed by the CA in ${place.ca ? basename(place.ca.file) : 'ca.crt'}` });
  findings.push(...keyFindings(cert, facts));
  return rowOf(place, cert, facts, findings, now);
}

/** The CA every node should hold: this machine's, else the one most nodes hold. */
function referenceCa(places: ObservedPlace[]): { id: string; name: string } | undefined {
  const local = places.find((p) => p.address === undefined && p.ca?.pem !== undefined);
  if (local) return { id: bundleId(parseBundle(local.ca!.pem!)), name: `this machine's ${local.ca!.file}` };
  const counts = new Map<string, string[]>();
  for (const p of places) {
    if (p.ca?.pem === undefined) continue;
    const id = bundleId(parseBundle(p.ca.pem));
    counts.set(id, [...(counts.get(id) ?? []), p.name]);
  }
  const best = [...counts.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  return best ? { id: best[0], name: `${best[1][0]}'s ca.crt` } : undefined;
}

export function checkCertificates(places: ObservedPlace[], now: Date = new Date()): CertReport {
  const rows: CertRow[] = [];
  const reference = referenceCa(places);
  for (const place of places) {
    if (place.error !== undefined) {
      rows.push({ place: place.name, file: '-', kind: 'node', severity: 'error', problems: [`unreachable: ${place.error}`] });
      continue;
    }
    let bundle: CertFacts[] | undefined;
    if (place.ca) {
      const isReference = place.address === undefined;
      const checked = checkCa(place, place.ca, isReference ? undefined : reference, now);
      rows.push(checked.row);
      bundle = checked.bundle;
    }
    for (const leaf of place.leaves) rows.push(checkLeaf(place, leaf, bundle, now));
  }
  const problems = rows.flatMap((r) => r.problems.map((p) => `${r.place}${r.kind === 'node' ? '' : ` ${basename(r.file)}`}: ${p}`));
  const exitCode = rows.some((r) => r.severity === 'error') ? 3 : rows.some((r) => r.severity === 'warning') ? 1 : 0;
  return { rows, problems, exitCode };
}
