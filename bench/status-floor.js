#!/usr/bin/env node
// The least a Node program can do for `status`: Maintenance.Status on each
// endpoint given, over its own TLS HTTP/2 connection with the operator's
// client certificate, all at once, nothing decoded or printed. The bench times
// it beside etcdctl to show where Node itself stands (start-up, TLS, http2).
// Env: ETCDCTL_CACERT, ETCDCTL_CERT, ETCDCTL_KEY (the files etcdctl gets).
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';

const [ca, cert, key] = ['ETCDCTL_CACERT', 'ETCDCTL_CERT', 'ETCDCTL_KEY'].map((name) => readFileSync(process.env[name]));
const EMPTY_GRPC_MESSAGE = Buffer.from([0, 0, 0, 0, 0]);

await Promise.all(
  process.argv.slice(2).map(
    (endpoint) =>
      new Promise((resolve, reject) => {
        const session = http2.connect(endpoint, { ca, cert, key });
        session.on('error', reject);
        const call = session.request({ ':method': 'POST', ':path': '/etcdserverpb.Maintenance/Status', 'content-type': 'application/grpc', te: 'trailers' });
        call.on('data', () => {});
        call.on('end', () => {
          session.close();
          resolve();
        });
        call.on('error', reject);
        call.end(EMPTY_GRPC_MESSAGE);
      }),
  ),
);
