// Writes a logdir for tools/reference/check_events.py: a linear model trained 100 steps, its
// summary ops (a 'summaries/loss' scalar every step, a 'summaries/weights' histogram every 10
// steps) written by tf.summary.FileWriter with the graph and the step stats of one traced
// run, and beside it the expectation JSON (DIR/expect.json) saying what TensorBoard must find.
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
const { x, y, loss, train, init, lossSummary, weightsSummary } = graph.asDefault(() => {
  const x = tf.placeholder('float32', { shape: [null, 3], name: 'x' });
  const y = tf.placeholder('float32', { shape: [null, 1], name: 'y' });
  const w = new tf.Variable(tf.zeros([3, 1]), { name: 'weights' });
  const pred = tf.nameScope('model', () => tf.matmul(x, w));
  const loss = tf.nameScope('loss', () => tf.reduceMean(tf.square(pred.sub(y))));
  const train = new tf.train.GradientDescentOptimizer(0.1).minimize(loss);
  return {
    x, y, loss, train, init: tf.globalVariablesInitializer(),
    // Tags are name scopes, uniquified like op names: here 'summaries/loss', 'summaries/weights'.
    ...tf.nameScope('summaries', () => ({ lossSummary: tf.summary.scalar('loss', loss), weightsSummary: tf.summary.histogram('weights', w) })),
  };
});

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
  const withHistogram = step % 10 === 9;
  const fetches = withHistogram ? [loss, train, lossSummary, weightsSummary] : [loss, train, lossSummary];
  const out = sess.run(fetches, feeds as never, traced ? { traceLevel: tf.TraceLevel.FULL_TRACE } : undefined, traced ? md : undefined) as tf.NDArray[];
  last = (out[0]!.data as Float32Array)[0]!;
  writer.addSummary(out[2]!, step);
  if (withHistogram) {
    writer.addSummary(out[3]!, step);
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
      scalars: { 'summaries/loss': { count: STEPS, first_step: 0, last_step: STEPS - 1, last_value: Math.fround(last) } },
      histograms: { 'summaries/weights': { count: histograms, last_step: STEPS - 1, last_num: 3 } },
      graph: { nodes: nodes.length, contains: ['x', 'weights', 'model/MatMul', 'loss/Mean'], ops: { 'model/MatMul': 'MatMul', weights: 'VariableV2' } },
      run_metadata: ['step50'],
    },
  },
};
writeFileSync(join(dir, 'expect.json'), JSON.stringify(expect, null, 1));
console.log(`wrote ${logdir} and ${join(dir, 'expect.json')}`);
