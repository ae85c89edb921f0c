// Writes a logdir for tools/reference/check_events.py: a linear model trained 100 steps with
// tf.summary.FileWriter (graph, a 'loss' scalar every step, a 'weights' histogram every 10
// steps, the step stats of one traced run), and beside it the expectation JSON
// (DIR/expect.json) saying what TensorBoard must find.
//   npx tsx tools/reference/write_events.ts DIR
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../../src/index.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npx tsx tools/reference/write_events.ts DIR');
  process.exit(2);
}
rmSync(dir, { recursive: true, force: true });
const logdir = join(dir, 'logs');

const STEPS = 100;
const graph = new tf.Graph();
const { x, y, w, loss, train, init } = graph.asDefault(() => {
  const x = tf.placeholder('float32', { shape: [null, 3], name: 'x' });
  const y = tf.placeholder('float32', { shape: [null, 1], name: 'y' });
  const w = new tf.Variable(tf.zeros([3, 1]), { name: 'weights' });
  const pred = tf.nameScope('model', () => tf.matmul(x, w));
  const loss = tf.nameScope('loss', () => tf.reduceMean(tf.square(pred.sub(y))));
  const train = new tf.train.GradientDescentOptimizer(0.1).minimize(loss);
  return { x, y, w, loss, train, init: tf.globalVariablesInitializer() };
});

/** A HistogramProto over `values` with buckets of width 0.25 (TensorBoard rebins anyway). */
function histogram(values: Float32Array) {
  const v = [...values];
  const limits = [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, Number.MAX_VALUE];
  const bucket = limits.map((l, i) => v.filter((a) => a < l && (i === 0 || a >= limits[i - 1])).length);
  return {
    min: Math.min(...v), max: Math.max(...v), num: v.length,
    sum: v.reduce((a, b) => a + b, 0), sumSquares: v.reduce((a, b) => a + b * b, 0),
    bucketLimit: limits, bucket,
  };
}

const feeds = new Map<tf.Tensor, number[][]>([
  [x, [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]],
  [y, [[0.5], [-0.25], [0.75], [1]]],
]);
const writer = new tf.summary.FileWriter(logdir, graph, { flushSecs: 1 });
const sess = new tf.Session({ graph });
sess.run(init);
let last = 0;
let histograms = 0;
for (let step = 0; step < STEPS; step++) {
  const md: tf.RunMetadata = {};
  const traced = step === 50;
  const [l] = sess.run([loss, train], feeds as never, traced ? { traceLevel: tf.TraceLevel.FULL_TRACE } : undefined, traced ? md : undefined) as [tf.NDArray, undefined];
  last = (l.data as Float32Array)[0];
  writer.addSummary({ value: [{ tag: 'loss', simpleValue: last }] }, step);
  if (step % 10 === 9) {
    writer.addSummary({ value: [{ tag: 'weights', histo: histogram(sess.run(w).data as Float32Array) }] }, step);
    histograms++;
  }
  if (traced) writer.addRunMetadata(md, 'step50', step);
}
writer.close();
sess.close();

const nodes = graph.getOperations();
const expect = {
  runs: {
    '.': {
      // version, graph, meta graph, scalars, histograms, run metadata
      records: 3 + STEPS + histograms + 1,
      file_version: 'brain.Event:2',
      scalars: { loss: { count: STEPS, first_step: 0, last_step: STEPS - 1, last_value: Math.fround(last) } },
      histograms: { weights: { count: histograms, last_step: STEPS - 1, last_num: 3 } },
      graph: { nodes: nodes.length, contains: ['x', 'weights', 'model/MatMul', 'loss/Mean'], ops: { 'model/MatMul': 'MatMul', weights: 'VariableV2' } },
      run_metadata: ['step50'],
    },
  },
};
writeFileSync(join(dir, 'expect.json'), JSON.stringify(expect, null, 1));
console.log(`wrote ${logdir} and ${join(dir, 'expect.json')}`);
