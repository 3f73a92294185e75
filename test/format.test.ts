import { describe, expect, it } from 'vitest';
import { formatBinaryBytes, formatBytes, formatPercent } from '../src/core/format/bytes.js';
import { formatAge } from '../src/core/format/time.js';
import { hexToDecimal, idToHex } from '../src/core/ids.js';
import { explainEtcdError } from '../src/core/errors/explain-etcd-error.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [20480, '20.5 kB'],
    [2_147_483_648, '2.15 GB'],
    [104_857_600, '105 MB'],
  ])('%d -> %s', (n, text) => expect(formatBytes(n)).toBe(text));
  it('marks nonsense as unknown', () => expect(formatBytes(-1)).toBe('?'));
  it.each([
    [2 * 1024 ** 3, '2 GiB'],
    [8 * 1024 ** 3, '8 GiB'],
    [1536 * 1024 ** 2, '1.5 GiB'],
  ])('binary %d -> %s', (n, text) => expect(formatBinaryBytes(n)).toBe(text));
  it.each([
    [0.8, '80%'],
    [0.05, '5.0%'],
    [0, '0%'],
  ])('percent %d -> %s', (r, text) => expect(formatPercent(r)).toBe(text));
});

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [59_000, '59s'],
    [65_000, '1m05s'],
    [3 * 3600_000 + 120_000, '3h02m'],
    [50 * 3600_000, '2d2h'],
  ])('%d ms -> %s', (ms, text) => expect(formatAge(ms)).toBe(text));
});

describe('member IDs stay exact above 2^53', () => {
  it.each([
    ['9370143253639308383', '82096fa4dfb1a45f'],
    ['342870470816735587', '4c21ee06900a163'],
    ['18446744073709551615', 'ffffffffffffffff'],
  ])('%s <-> %s', (dec, hex) => {
    expect(idToHex(dec)).toBe(hex);
    expect(hexToDecimal(hex)).toBe(dec);
  });
  it('rejects what is not a uint64', () => expect(() => idToHex('12a')).toThrow(/not a uint64/));
});

// Raw texts as grpc-js/etcd3 throw them against etcd 3.5 (captured on this machine).
describe('explainEtcdError', () => {
  it.each([
    [
      '14 UNAVAILABLE: No connection established. Last error: 80CC022E807F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 116\n (2026-11-21T23:18:09.359Z). Resolution note: ',
      'tls',
      /requires a client certificate.*--cert and --key/,
    ],
    [
      '14 UNAVAILABLE: No connection established. Last error: Error: unable to verify the first certificate. Resolution note: ',
      'tls',
      /not signed by the CA given in --cacert/,
    ],
    [
      "14 UNAVAILABLE: No connection established. Last error: Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: Host: wrong.example. is not in the cert's altnames: IP Address:127.0.1.1, IP Address:127.0.0.1, DNS:etcd-1. Resolution note: ",
      'tls',
      /does not cover "wrong.example" \(its SANs: IP Address:127.0.1.1, IP Address:127.0.0.1, DNS:etcd-1\)/,
    ],
    ['3 INVALID_ARGUMENT: etcdserver: authentication failed, invalid user ID or password', 'auth', /wrong user name or password/],
    ['7 PERMISSION_DENIED: etcdserver: permission denied', 'permission', /need the root user/],
    [
      '14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.1.9:2379. Resolution note: ',
      'unreachable',
      /^connection refused at 127\.0\.1\.9:2379 \(/,
    ],
    ['4 DEADLINE_EXCEEDED: Deadline exceeded after 2.001s', 'timeout', /no answer before the deadline/],
    ['13 INTERNAL: something new\nwith detail', 'error', /^something new$/],
  ])('%s', (raw, kind, message) => {
    const explained = explainEtcdError(new Error(raw));
    expect(explained.kind).toBe(kind);
    expect(explained.message).toMatch(message);
  });
});
