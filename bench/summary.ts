// Cost of writing summaries while training (issue 12): the MLP b128 of bench/train.ts with and
// without one merged summary per step (a 'loss' scalar and a histogram of one weight, by
// default the output layer's kernel, 1,000 values; --weight hidden1/kernel: 235,200 values)
// written by tf.summary.FileWriter.
//   npx tsx bench/summary.ts [--weight VAR] [--threads N] [--seconds S] [--warmup N] [--inter-op N]
// Variants, interleaved in blocks of 50 steps until each has run --seconds (default 5); every
// step is timed and the median counts, so load from other processes hits all variants alike:
//   plain        sess.run(trainOp)
//   writer       plain + writer.addSummary(the bytes of a merged summary made once): the
//                FileWriter's own cost on the training thread (queueing, framing, CRCs;
//                writes go to the background)
//   ops          sess.run([trainOp, merged]): the summary ops' cost, nothing written
//   ops+writer   sess.run([trainOp, merged]) + writer.addSummary(result, step): what a
//                training loop logging every step pays
// Prints median and mean ms per step and the overhead against plain (target for ops+writer:
// < 2%). The background writes run on libuv's pool during later steps of the same block.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeedDict } from 'tensorgraph';
import { parseOptions, printTable, rng, setThreadEnv } from './common.js';

const o = parseOptions('bench/summary.ts', process.argv.slice(2), []);
const { posInt, threads, interOp, seconds } = o;
const warmup = posInt('warmup', 20);
const weight = o.opts.weight ?? 'outputs/kernel';
const BATCH = 128;
const N_BATCHES = 4;

setThreadEnv(threads);
const tf = await import('tensorgraph');

const graph = new tf.Graph();
const { X, y, w, trainOp, merged, init } = graph.asDefault(() => {
  const X = tf.placeholder('float32', { shape: [null, 784], name: 'X' });
  const y = tf.placeholder('int32', { shape: [null], name: 'y' });
  const h1 = tf.layers.dense(X, 300, { activation: tf.nn.relu, name: 'hidden1' });
  const h2 = tf.layers.dense(h1, 100, { activation: tf.nn.relu, name: 'hidden2' });
  const logits = tf.layers.dense(h2, 10, { name: 'outputs' });
  const loss = tf.reduceMean(tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits }));
  const trainOp = new tf.train.GradientDescentOptimizer(0.01).minimize(loss);
  const w = graph.getTensorByName(`${weight}:0`);
  const merged = tf.summary.merge([tf.summary.scalar('loss', loss), tf.summary.histogram(weight, w)]);
  return { X, y, w, trainOp, merged, init: tf.globalVariablesInitializer() };
});

const r = rng(42);
const xs = Array.from({ length: N_BATCHES }, () => Float32Array.from({ length: BATCH * 784 }, r));
const ys = Array.from({ length: N_BATCHES }, () => Int32Array.from({ length: BATCH }, () => Math.floor(r() * 10)));
const feeds = (i: number): FeedDict => [[X, xs[i % N_BATCHES]!], [y, ys[i % N_BATCHES]!]];

const config = new tf.ConfigProto({ intraOpParallelismThreads: threads, interOpParallelismThreads: interOp });
const sess = new tf.Session({ graph, config });
sess.run(init);
const logdir = mkdtempSync(join(tmpdir(), 'tg-bench-summary-'));
// Defaults as TF1 (maxQueue 10, flushSecs 120): writes happen in the background.
const writer = new tf.summary.FileWriter(logdir, graph);
const summaryBytes = sess.run(merged, feeds(0)).bytes[0]!;

const variants: { name: string; step: (i: number) => void }[] = [
  { name: 'plain', step: (i) => sess.run(trainOp, feeds(i)) },
  { name: 'writer', step: (i) => { sess.run(trainOp, feeds(i)); writer.addSummary(summaryBytes, i); } },
  { name: 'ops', step: (i) => sess.run([trainOp, merged], feeds(i)) },
  { name: 'ops+writer', step: (i) => { const [, s] = sess.run([trainOp, merged], feeds(i)); writer.addSummary(s!, i); } },
];

console.log(`MLP 784-300-100-10 b${BATCH}, ${threads} threads (inter-op ${interOp}), ${seconds} s per variant in ` +
  `interleaved blocks; histogram of ${weight} (${w.shape.numElements()} values), summary ${summaryBytes.length} bytes per step`);
const BLOCK = 50;
const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
const spent = new Map<string, number>(variants.map((v) => [v.name, 0]));
let step = 0;
for (const v of variants) for (let i = 0; i < warmup; i++) v.step(step++);
while (variants.some((v) => spent.get(v.name)! < seconds * 1000)) {
  for (const v of variants) {
    const ts = times.get(v.name)!;
    for (let i = 0; i < BLOCK; i++) {
      const t0 = performance.now();
      v.step(step++);
      const dt = performance.now() - t0;
      ts.push(dt);
      spent.set(v.name, spent.get(v.name)! + dt);
    }
  }
}
writer.close();
sess.close();
rmSync(logdir, { recursive: true, force: true });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const plain = median(times.get('plain')!);
printTable(['variant', 'steps', 'median ms', 'mean ms', 'overhead'], variants.map((v) => {
  const ts = times.get(v.name)!;
  const m = median(ts);
  return [v.name, String(ts.length), m.toFixed(3), mean(ts).toFixed(3), v.name === 'plain' ? '-' : `${((m / plain - 1) * 100).toFixed(2)}%`];
}));
console.log('(overhead: median step time against plain; target for ops+writer < 2%)');
