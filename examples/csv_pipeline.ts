// Chapter 12 of "Hands-On Machine Learning" (TF1): reading training data directly from the
// graph. Part 1 is the book's program: a filename queue fed by hand, a TextLineReader that
// skips the CSV header, tf.decodeCsv, a RandomShuffleQueue filled by a QueueRunner with 5
// threads under a Coordinator, and mini-batches pulled with dequeueUpTo until OutOfRange.
// Part 2 trains a logistic regression on a larger generated CSV with the tf.train helpers:
// stringInputProducer(numEpochs) -> TextLineReader -> decodeCsv -> shuffleBatch, the runners
// started by tf.train.startQueueRunners, the loop ending on OutOfRangeError.
//   npx tsx examples/csv_pipeline.ts [--epochs N (default 20)] [--rows N (default 2000)]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from 'tensorgraph';
import { intArg, parseArgs, percent } from './common.js';

const args = parseArgs(process.argv.slice(2));
const nEpochs = intArg(args, 'epochs', 20);
const nRows = intArg(args, 'rows', 2000);
const dir = mkdtempSync(join(tmpdir(), 'csv_pipeline-'));

// ---------- Part 1: the book's small CSV, read by a hand-built pipeline ----------
// (The book's "7., , 0" row would fail to parse: a field of spaces is not empty. Its defaults
// are two floats and one integer, so the target is int32.)
const smallCsv = join(dir, 'my_test.csv');
writeFileSync(smallCsv, 'x1,x2,target\n1.,,0\n4.,5.,1\n7.,,0\n');

tf.resetDefaultGraph();
const filenameQueue = new tf.FIFOQueue(10, ['string'], { shapes: [[]] });
const filename = tf.placeholder('string');
const enqueueFilename = filenameQueue.enqueue([filename]);
const closeFilenameQueue = filenameQueue.close();

const reader = new tf.TextLineReader({ skipHeaderLines: 1 });
const [, value] = reader.read(filenameQueue);
const [x1, x2, target] = tf.decodeCsv(value, {
  recordDefaults: [tf.constant([-1], { dtype: 'float32' }), tf.constant([-1], { dtype: 'float32' }), tf.constant([-1])],
});
const features = tf.stack([x1, x2]);

const instanceQueue = new tf.RandomShuffleQueue(10, 2, ['float32', 'int32'], {
  shapes: [[2], []], name: 'instance_q', sharedName: 'shared_instance_q',
});
const enqueueInstance = instanceQueue.enqueue([features, target]);
const [minibatchInstances, minibatchTargets] = instanceQueue.dequeueUpTo(2) as tf.Tensor[];
const queueRunner = new tf.train.QueueRunner(instanceQueue, new Array(5).fill(enqueueInstance));

{
  using sess = new tf.Session();
  sess.run(enqueueFilename, [[filename, smallCsv]]);
  sess.run(closeFilenameQueue);
  const coord = new tf.train.Coordinator();
  const enqueueThreads = queueRunner.createThreads(sess, { coord, start: true });
  try {
    for (;;) {
      const [xs, ys] = sess.run([minibatchInstances, minibatchTargets]);
      console.log('instances', JSON.stringify(xs.toArray()), 'targets', JSON.stringify(ys.toArray()));
    }
  } catch (e) {
    if (!(e instanceof tf.errors.OutOfRangeError)) throw e;
    console.log('No more training instances');
  }
  coord.requestStop();
  coord.join(enqueueThreads);
}

// ---------- Part 2: training from CSV files with the tf.train pipeline helpers ----------
// Two features, class 1 when x2 > 0.5 * x1 + 0.2 (with a little label noise), in 4 files.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const files: string[] = [];
for (let f = 0; f < 4; f++) {
  const lines = ['x1,x2,target'];
  for (let i = 0; i < nRows / 4; i++) {
    const a = rand() * 2 - 1, b = rand() * 2 - 1;
    const label = (b > 0.5 * a + 0.2) !== (rand() < 0.02) ? 1 : 0;
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${label}`);
  }
  files.push(join(dir, `train-${f}.csv`));
  writeFileSync(files[f], lines.join('\n') + '\n');
}

tf.resetDefaultGraph();
const batchSize = 32;
const [X, y] = tf.nameScope('input', () => {
  const fileQueue = tf.train.stringInputProducer(files, { numEpochs: nEpochs, seed: 1 });
  const [, line] = new tf.TextLineReader({ skipHeaderLines: 1 }).read(fileQueue);
  const [a, b, label] = tf.decodeCsv(line, {
    recordDefaults: [tf.constant([0], { dtype: 'float32' }), tf.constant([0], { dtype: 'float32' }), tf.constant([0])],
  });
  return tf.train.shuffleBatch([tf.stack([a, b]), label], {
    batchSize, capacity: 1000, minAfterDequeue: 500, numThreads: 2, seed: 2, allowSmallerFinalBatch: true,
  });
});
const W = new tf.Variable(tf.zeros([2, 2]), { name: 'W' });
const bias = new tf.Variable(tf.zeros([2]), { name: 'b' });
const logits = tf.matmul(X, W).add(bias);
const loss = tf.reduceMean(tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits }));
const trainOp = new tf.train.GradientDescentOptimizer(0.5).minimize(loss);
const accuracy = tf.reduceMean(tf.cast(tf.nn.inTopK(logits, y, 1), 'float32'));

{
  using sess = new tf.Session();
  // numEpochs counts in a LOCAL variable: without this the runner fails (FailedPrecondition).
  sess.run([tf.globalVariablesInitializer(), tf.localVariablesInitializer()]);
  const coord = new tf.train.Coordinator();
  const threads = tf.train.startQueueRunners({ sess, coord });
  let step = 0;
  let recent = 0;
  try {
    while (!coord.shouldStop()) {
      const [, l, acc] = sess.run([trainOp, loss, accuracy]);
      recent = 0.95 * recent + 0.05 * (acc.item() as number);
      if (++step % 200 === 0) console.log(`step ${step}: loss ${(l.item() as number).toFixed(4)}, recent batch accuracy ${percent(recent)}`);
    }
  } catch (e) {
    if (!(e instanceof tf.errors.OutOfRangeError)) throw e;
    console.log(`done: ${nEpochs} epochs of ${nRows} rows in ${step} steps`);
  } finally {
    coord.requestStop();
  }
  coord.join(threads);
  const [w, b0] = sess.run([W, bias]);
  console.log('W', JSON.stringify(w.toArray()), 'b', JSON.stringify(b0.toArray()));
}
