// Loopback cost of grpc:// sessions against TensorFlow's own servers, in the same run:
//   npx tsx bench/distributed.ts [--sizes 1,16,256] [--batch 128] [--seconds 2] [--rounds 3] [--threads N] [--peers tf1|none] [--no-install]
// Each framework's client drives its own server, a child process on 127.0.0.1 (ours:
// tools/tensorgraph-server.mjs; TF's: tf.distribute.Server, bench/peers/tf1_distributed.py):
//   - transfer-N: one RunStep feeding an N MiB float32 tensor and fetching its Identity, so N MiB
//     cross the wire each way; GB/s = 2 * N MiB / step time;
//   - mlp-B: one training step of bench/train.ts's MLP (784-300-100-10, batch B, gradient
//     descent) with its variables on the server and the batch fed.
//   - recv-N: a cluster of two servers (ps and worker); the client asks the worker for the first
//     element of an N MiB variable living on the ps, so the worker pulls N MiB from the ps with
//     RecvTensor each step (worker to worker, no client bytes); GB/s = N MiB / step time.
// Ratios are ours/TF (above 1: tensorgraph is faster).
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../test/free_port.js';
import { join } from 'node:path';
import type { FeedDict } from 'tensorgraph';
import { fmt, parseOptions, peersDir, preparePeers, printTable, ratio, rng, runPeerScript, selectPeers, setThreadEnv, timeSteps, type Peer } from './common.js';
import { buildModel } from './models.js';

const o = parseOptions('bench/distributed.ts', process.argv.slice(2), ['no-install']);
const sizes = (o.opts.sizes ?? '1,16,256').split(',').map(Number);
if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`--sizes takes MiB counts, got ${o.opts.sizes}`);
const batch = o.posInt('batch', 128);
setThreadEnv(o.threads);
const tf = await import('tensorgraph');

/**
 * tools/tensorgraph-server.mjs for task 0 of `job` (a one-task cluster on any free port unless
 * `cluster` gives its --cluster values); resolves with its target.
 */
function startServer(job = 'local', cluster = ['local=127.0.0.1:0']): Promise<{ proc: ChildProcess; target: string }> {
  const script = join(peersDir, '..', '..', 'tools', 'tensorgraph-server.mjs');
  const proc = spawn(process.execPath, [script, ...cluster.flatMap((c) => ['--cluster', c]), '--job', job, '--task', '0',
    '--inter-op', String(o.interOp), '--intra-op', String(o.threads)], { stdio: ['ignore', 'pipe', 'inherit'] });
  process.on('exit', () => proc.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (grpc:\/\/\S+)/.exec(out);
      if (m) resolve({ proc, target: m[1]! });
    });
    proc.on('exit', (code) => reject(new Error(`tensorgraph-server exited (${code}): ${out}`)));
  });
}

interface Case {
  name: string;
  /** Bytes a step moves over the wire (for GB/s), or undefined for a step-time case. */
  bytes?: number;
  /** Runs on the ps + worker cluster (the session's target is the worker) rather than one task. */
  cluster?: boolean;
  /** Sets up a session on `target`; the step to time and the teardown. */
  setup(target: string): { step: (i: number) => void; close: () => void };
}

const config = new tf.ConfigProto({ intraOpParallelismThreads: o.threads, interOpParallelismThreads: o.interOp });
const cases: Case[] = sizes.map((mib) => ({
  name: `transfer-${mib}MiB`,
  bytes: 2 * mib * 2 ** 20,
  setup(target) {
    const graph = new tf.Graph();
    const { x, y } = graph.asDefault(() => {
      const x = tf.placeholder('float32', { shape: [mib * 262144], name: 'x' });
      return { x, y: tf.identity(x, { name: 'y' }) };
    });
    const r = rng(1);
    const data = Float32Array.from({ length: mib * 262144 }, r);
    const sess = new tf.Session({ graph, target, config });
    return { step: () => sess.run(y, [[x, data]]), close: () => sess.close() };
  },
}));
for (const mib of sizes) {
  cases.push({
    name: `recv-${mib}MiB`,
    bytes: mib * 2 ** 20,
    cluster: true,
    setup(target) {
      const graph = new tf.Graph();
      const { first, init } = graph.asDefault(() => {
        const v = tf.device('/job:ps/task:0', () => new tf.Variable(tf.fill([mib * 262144], 0.5), { name: `v${mib}` }));
        const first = tf.device('/job:worker/task:0', () => tf.slice(v.value(), [0], [1]));
        return { first, init: tf.globalVariablesInitializer() };
      });
      const sess = new tf.Session({ graph, target, config });
      sess.run(init);
      return { step: () => sess.run(first), close: () => sess.close() };
    },
  });
}
cases.push({
  name: `mlp-${batch}`,
  setup(target) {
    const { graph, X, y, trainOp, init } = buildModel(tf, { name: 'mlp', model: 'mlp', batch });
    const r = rng(42);
    const xs = Array.from({ length: 4 }, () => Float32Array.from({ length: batch * 784 }, r));
    const ys = Array.from({ length: 4 }, () => Int32Array.from({ length: batch }, () => Math.floor(r() * 10)));
    const sess = new tf.Session({ graph, target, config });
    sess.run(init);
    const feeds = (i: number): FeedDict => [[X, xs[i % 4]!], [y, ys[i % 4]!]];
    return { step: (i) => sess.run(trainOp, feeds(i)), close: () => sess.close() };
  },
});

// ---------- ours ----------

const { proc, target } = await startServer();
const [psPort, workerPort] = [await freePort(), await freePort()];
const clusterArgs = [`ps=127.0.0.1:${psPort}`, `worker=127.0.0.1:${workerPort}`];
const ps = await startServer('ps', clusterArgs);
const worker = await startServer('worker', clusterArgs);
const oursS = new Map<string, number>(); // seconds per step, best round
for (const c of cases) {
  const { step, close } = c.setup(c.cluster ? worker.target : target);
  for (let round = 0; round < o.rounds; round++) {
    const s = 1 / timeSteps(step, c.bytes ? 2 : 20, o.seconds);
    oursS.set(c.name, Math.min(oursS.get(c.name) ?? Infinity, s));
  }
  close();
}
for (const p of [proc, ps.proc, worker.proc]) p.kill('SIGKILL');

// ---------- TF ----------

const peer: Peer = { key: 'tf1', label: 'TF1', module: 'tensorflow', script: 'tf1_distributed.py' };
selectPeers([peer], o);
preparePeers([peer], o);
const tfS = new Map<string, number>();
if (peer.skip) console.error(`TF1 skipped: ${peer.skip}`);
else {
  for (let round = 0; round < o.rounds; round++) {
    const r = runPeerScript<{ transfer_s: Record<string, number>; recv_s: Record<string, number>; mlp_steps_per_s: number }>(peer,
      ['--threads', String(o.threads), '--seconds', String(o.seconds), '--sizes', sizes.join(','), '--batch', String(batch)], o, 'distributed', 900);
    if (!r) continue;
    const got: [string, number][] = [
      ...sizes.map((m): [string, number] => [`transfer-${m}MiB`, r.transfer_s[String(m)]!]),
      ...sizes.map((m): [string, number] => [`recv-${m}MiB`, r.recv_s[String(m)]!]),
      [`mlp-${batch}`, 1 / r.mlp_steps_per_s],
    ];
    for (const [name, s] of got) tfS.set(name, Math.min(tfS.get(name) ?? Infinity, s));
  }
}

// ---------- table ----------

console.log(`threads ${o.threads}, inter-op ${o.interOp}, ${o.rounds} round(s) of ${o.seconds} s, best round; TF ${peer.version ?? '-'}`);
const rows = cases.map((c) => {
  const ours = oursS.get(c.name);
  const theirs = tfS.get(c.name);
  const ms = (s: number | undefined) => fmt(s === undefined ? undefined : s * 1000, 2);
  const gbs = (s: number | undefined) => (c.bytes && s !== undefined ? fmt(c.bytes / s / 1e9, 2) : '-');
  return [c.name, ms(ours), ms(theirs), gbs(ours), gbs(theirs), ratio(theirs, ours)];
});
printTable(['case', 'ours ms/step', 'TF ms/step', 'ours GB/s', 'TF GB/s', 'ours/TF speed'], rows);
