/** Worker-thread entry for generatePki(): builds the PKI from workerData and posts it back. */
import { parentPort, workerData } from 'node:worker_threads';
import { buildPki, type PkiSpec } from './forge-certs.js';

if (!parentPort) throw new Error('pki worker must be started as a worker thread');
// A throw here reaches the parent as the Worker's 'error' event.
parentPort.postMessage(buildPki(workerData as PkiSpec));
