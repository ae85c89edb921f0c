// Training from TFRecord files through an input pipeline (TF1 style): the digits (generated,
// or MNIST with --data) are written to TFRecord shards with tf.io.TFRecordWriter, one record
// per image (1 label byte + rows*cols pixel bytes); the graph reads them back with
// stringInputProducer(numEpochs) -> TFRecordReader -> decodeRaw -> shuffleBatch, and the
// 784-300-100-10 MLP trains from the batches until the pipeline raises OutOfRangeError. The
// model's inputs are placeholderWithDefault(batch), so the test set is fed for evaluation.
//   npx tsx examples/mnist_tfrecord.ts [--data DIR] [--epochs N (default 5)] [--train-size N (default 20000)]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from 'tensorgraph';
import { evaluate, intArg, loadData, parseArgs, percent } from './common.js';

const args = parseArgs(process.argv.slice(2));
const nEpochs = intArg(args, 'epochs', 5);
const trainSize = intArg(args, 'train-size', 20000);
const nShards = 4;
const batchSize = 50;
const t0 = performance.now();
const { train, test, nInputs } = loadData(args, trainSize, 4000);

// ---------- write the training split as TFRecord shards ----------
const dir = mkdtempSync(join(tmpdir(), 'mnist_tfrecord-'));
const files = Array.from({ length: nShards }, (_, s) => join(dir, `train-${s}-of-${nShards}.tfrecord`));
const writers = files.map((f) => new tf.io.TFRecordWriter(f));
for (let i = 0; i < train.numExamples; i++) {
  const record = new Uint8Array(1 + nInputs);
  record[0] = train.labels[i];
  for (let p = 0; p < nInputs; p++) record[1 + p] = Math.round(train.images[i * nInputs + p] * 255);
  writers[i % nShards].write(record);
}
for (const w of writers) w.close();
console.log(`wrote ${train.numExamples} records to ${nShards} TFRecord files in ${dir}`);

// ---------- the input pipeline ----------
tf.resetDefaultGraph();
const [imageBatch, labelBatch] = tf.nameScope('input', () => {
  const fileQueue = tf.train.stringInputProducer(files, { numEpochs: nEpochs, seed: 42 });
  const [, record] = new tf.TFRecordReader().read(fileQueue);
  const bytes = tf.decodeRaw(record, 'uint8');                 // [1 + nInputs]
  const label = tf.reshape(tf.cast(tf.slice(bytes, [0], [1]), 'int32'), []);
  const image = tf.cast(tf.slice(bytes, [1], [nInputs]), 'float32').mul(1 / 255);
  const shaped = tf.reshape(image, [nInputs]);                  // a static shape for the batch queue
  return tf.train.shuffleBatch([shaped, label], {
    batchSize, capacity: 2000, minAfterDequeue: 1000, numThreads: 2, seed: 7,
  });
});

const X = tf.placeholderWithDefault(imageBatch, [null, nInputs], { name: 'X' });
const y = tf.placeholderWithDefault(labelBatch, [null], { name: 'y' });
const logits = tf.nameScope('dnn', () => {
  const hidden1 = tf.layers.dense(X, 300, { activation: tf.nn.relu, name: 'hidden1' });
  const hidden2 = tf.layers.dense(hidden1, 100, { activation: tf.nn.relu, name: 'hidden2' });
  return tf.layers.dense(hidden2, 10, { name: 'outputs' });
});
const loss = tf.reduceMean(tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits }), { name: 'loss' });
const trainingOp = new tf.train.GradientDescentOptimizer(0.01).minimize(loss);
const accuracy = tf.reduceMean(tf.cast(tf.nn.inTopK(logits, y, 1), 'float32'));

{
  using sess = new tf.Session();
  sess.run([tf.globalVariablesInitializer(), tf.localVariablesInitializer()]);
  const coord = new tf.train.Coordinator();
  const threads = tf.train.startQueueRunners({ sess, coord });
  const stepsPerEpoch = Math.floor(train.numExamples / batchSize);
  let step = 0;
  let lossSum = 0;
  try {
    while (!coord.shouldStop()) {
      const [, l] = sess.run([trainingOp, loss]);
      lossSum += l.item() as number;
      if (++step % stepsPerEpoch === 0) {
        console.log(`epoch ${step / stepsPerEpoch}: train loss ${(lossSum / stepsPerEpoch).toFixed(4)}`);
        lossSum = 0;
      }
    }
  } catch (e) {
    if (!(e instanceof tf.errors.OutOfRangeError)) throw e;
    console.log(`input exhausted after ${step} steps (${nEpochs} epochs)`);
  } finally {
    coord.requestStop();
  }
  coord.join(threads);
  console.log(`final test accuracy: ${percent(evaluate(sess, accuracy, X, y, test))} ` +
    `(${test.numExamples} examples, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
