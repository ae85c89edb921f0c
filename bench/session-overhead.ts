// Session overhead and MatMul throughput.
//   npx tsx bench/session-overhead.ts
// Prints µs per Session.run of a tiny cached graph (feed a scalar, fetch x*2+1) for run,
// runAsync and a callable, and MatMul GFLOP/s against oneDNN's own sgemm called directly in
// the same process (ratio = tensorgraph / sgemm). When bench/peers/.venv has TensorFlow (see
// bench/train.ts), also TF1's sess.run and callable on the same graph
// (bench/peers/tf1_session_overhead.py), in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as tf from 'tensorgraph';
import { native } from '../src/native.js';
import { peersDir, venvPython } from './common.js';

function timeIt(n: number, fn: () => void): number {
  for (let i = 0; i < Math.min(1000, n / 10); i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e3 / n; // µs per call
}

async function timeAsync(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 100; i++) await fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
}

const g = new tf.Graph();
const { x, y } = g.asDefault(() => {
  const x = tf.placeholder('float32', { shape: [], name: 'x' });
  return { x, y: x.mul(2).add(1) };
});
const sess = new tf.Session({ graph: g });
const runUs = timeIt(100_000, () => sess.run(y, [[x, 3]]));
const callable = sess.makeCallable(y, [x]);
const callUs = timeIt(100_000, () => callable(3));
const asyncUs = await timeAsync(20_000, () => sess.runAsync(y, [[x, 3]]));
console.log('session overhead (tiny graph: feed a scalar, fetch x*2+1)');
console.log(`  sess.run        ${runUs.toFixed(2)} µs/run`);
console.log(`  callable        ${callUs.toFixed(2)} µs/run`);
console.log(`  sess.runAsync   ${asyncUs.toFixed(2)} µs/run (sequential awaits)`);
if (existsSync(venvPython)) {
  const r = spawnSync(venvPython, ['tf1_session_overhead.py'], { cwd: peersDir, encoding: 'utf8', timeout: 300_000 });
  const line = r.stdout?.split('\n').reverse().find((l) => l.startsWith('{'));
  if (line) {
    const tf1 = JSON.parse(line) as { tf_version: string; run_us: number; callable_us: number };
    console.log(`  TF1 ${tf1.tf_version} sess.run ${tf1.run_us.toFixed(1)} µs/run (ours ${(tf1.run_us / runUs).toFixed(0)}x faster), callable ${tf1.callable_us.toFixed(1)} µs/run`);
  } else {
    console.log(`  TF1: failed (${r.stderr?.trim().split('\n').pop() ?? r.error?.message})`);
  }
} else {
  console.log('  TF1: skipped (no bench/peers/.venv; run bash bench/peers/setup.sh)');
}

console.log('MatMul float32, tensorgraph vs oneDNN sgemm in-process');
for (const [m, k, n, iters] of [[128, 784, 300, 400], [1024, 1024, 1024, 10]]) {
  // Inputs live in the graph (no feed copy) and the product is run as a target (no fetch
  // copy): what is timed is the MatMul kernel plus the per-run overhead.
  const mg = new tf.Graph();
  const prod = mg.asDefault(() => {
    const a = tf.constant(tf.NDArray.from(new Float32Array(m * k).fill(0.5), 'float32', [m, k]));
    const b = tf.constant(tf.NDArray.from(new Float32Array(k * n).fill(0.25), 'float32', [k, n]));
    return tf.matmul(a, b);
  });
  const ms = new tf.Session({ graph: mg });
  const run = ms.makeCallable(prod.op);
  run();
  native().benchSgemm(m, k, n, 2);
  const flops = 2 * m * k * n;
  // Alternate the two in rounds and keep each one's best, so load changes hit both alike.
  let ours = Infinity;
  let ref = Infinity;
  for (let round = 0; round < 5; round++) {
    ours = Math.min(ours, timeIt(iters, () => run()) / 1e6);
    ref = Math.min(ref, native().benchSgemm(m, k, n, iters) / iters);
  }
  const g1 = flops / ours / 1e9;
  const g2 = flops / ref / 1e9;
  console.log(`  ${m}x${k}x${n}: tensorgraph ${g1.toFixed(1)} GFLOP/s, sgemm ${g2.toFixed(1)} GFLOP/s, ratio ${(g1 / g2).toFixed(3)}`);
  ms.close();
}
sess.close();
