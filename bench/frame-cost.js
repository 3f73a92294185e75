#!/usr/bin/env node
// What one Ink frame of the live view costs, without a cluster: the real Root
// over a store with three healthy members at 120x40, the help screen opened
// and closed N times (default 20); prints each frame's milliseconds, and with
// HEAP=1 the bytes allocated per frame and where (sampling heap profiler,
// garbage included). Run after `npm run build`, with the shebang's flags to
// compare, e.g. `node --max-semi-space-size=1 bench/frame-cost.js`.
process.env.NODE_ENV = 'production';
import { EventEmitter } from 'node:events';
const React = (await import('react')).default;
const { render } = await import('ink');
const { Root } = await import('../dist/ui/Root.js');
const { loadTheme } = await import('../dist/ui/theme.js');
const { createCockpitStore } = await import('../dist/state/store.js');
const { recordHistory } = await import('../dist/state/history.js');
const store = createCockpitStore({ clusterName: 'bench', members: [1, 2, 3].map((i) => ({ endpoint: `https://127.0.0.1:2${i}79`, name: `etcd-${i}` })) });
for (const i of [1, 2, 3]) store.getState().applyProbe(`https://127.0.0.1:2${i}79`, { ok: true, sample: { memberId: `abc${i}`, clusterId: 'c', version: '3.5.30', dbSize: 2e6, dbSizeInUse: 1e6, leaderId: 'abc1', raftTerm: 2, raftIndex: 100, raftAppliedIndex: 100, revision: 50, isLearner: false, errors: [], alarms: [], quorumRead: 'ok', latencyMs: 3 } }, Date.now());
store.getState().applySignals([1, 2, 3].map((i) => ({ endpoint: `https://127.0.0.1:2${i}79`, signals: { walFsyncP99Ms: 2, backendCommitP99Ms: 4, peerRttP99Ms: 1, leaderChanges15m: 0, problems: [] }, quotaBytes: 2 * 1024 ** 3 })));
recordHistory(store)();
store.getState().addEvent('hello');
const out = new EventEmitter(); out.columns = 120; out.rows = 40; out.isTTY = true; let bytes = 0; out.write = (s) => { bytes += s.length; return true; };
const stdin = new EventEmitter(); stdin.isTTY = true; stdin.setRawMode = () => {}; stdin.setEncoding = () => {}; stdin.read = () => null; stdin.ref = () => {}; stdin.unref = () => {}; stdin.resume = () => {}; stdin.pause = () => {};
const inst = render(React.createElement(Root, { store, theme: loadTheme('dark'), onQuit: () => {} }), { stdout: out, stdin, exitOnCtrlC: false, patchConsole: false, incrementalRendering: true, maxFps: 1000 });
const tick = () => new Promise((r) => setTimeout(r, 30));
await tick();
const { Session } = await import('node:inspector/promises');
const ins = new Session(); ins.connect();
const N = +(process.env.N ?? 20);
const heap = process.env.HEAP === '1';
if (heap) await ins.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const times = [];
for (let i = 0; i < N; i++) {
  const t = performance.now();
  store.getState().setOverlay(i % 2 ? 'none' : 'help');
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  times.push(performance.now() - t);
  await tick();
}
console.log('rss', (process.memoryUsage().rss / 1048576).toFixed(1));
console.log('frame ms', times.map((t) => t.toFixed(0)).join(' '), 'bytes', bytes);
if (heap) {
  const { profile } = await ins.post('HeapProfiler.stopSampling');
  const self = new Map(); const incl = new Map(); let total = 0;
  const walk = (n, stack) => { const name = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '')}:${n.callFrame.lineNumber + 1}`; total += n.selfSize; self.set(name, (self.get(name) ?? 0) + n.selfSize); const st = new Set([...stack, name]); for (const f of st) incl.set(f, (incl.get(f) ?? 0) + n.selfSize); for (const c of n.children) walk(c, st); };
  walk(profile.head, new Set());
  console.log('KB per frame', (total / 1024 / N).toFixed(0));
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log('self', (v / 1024 / N).toFixed(0), 'KB', k);
  for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log('incl', (v / 1024 / N).toFixed(0), 'KB', k);
}
inst.unmount(); process.exit(0);
