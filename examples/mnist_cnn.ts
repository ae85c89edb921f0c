// Chapter 13 of "Hands-On Machine Learning" (TF1): a LeNet-5-style CNN on MNIST.
// conv 32 5x5 same relu -> max pool 2 -> conv 64 5x5 same relu -> max pool 2 -> dense 256 relu
// -> dropout (only while training) -> dense 10. Adam 1e-3, batch 64. After training, the model
// is saved, restored into a fresh Session and evaluated on the test split.
//   npx tsx examples/mnist_cnn.ts                      # built-in generated digits
//   npx tsx examples/mnist_cnn.ts --data ~/mnist       # real MNIST / Fashion-MNIST IDX files
// Options: --data DIR, --epochs N (default 2), --train-size N (default 12000),
//          --checkpoint-dir DIR (default: a fresh directory under the OS temp dir),
//          --logdir DIR (batch loss/accuracy summaries and the graph, for npx tensorgraph-board).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from 'tensorgraph';
import { evaluate, intArg, loadData, parseArgs, percent, trainEpochs, trainingSummaries } from './common.js';

const args = parseArgs(process.argv.slice(2));
const nEpochs = intArg(args, 'epochs', 2);
const trainSize = intArg(args, 'train-size', 12000);
const batchSize = 64;
const checkpointDir = args['checkpoint-dir'] ?? mkdtempSync(join(tmpdir(), 'mnist_cnn-'));

const t0 = performance.now();
const { train, test, rows, cols, nInputs } = loadData(args, trainSize, 2000);

tf.resetDefaultGraph();
const X = tf.placeholder('float32', { shape: [null, nInputs], name: 'X' });
const y = tf.placeholder('int32', { shape: [null], name: 'y' });
const training = tf.placeholderWithDefault(false, [], { name: 'training' });

const logits = tf.nameScope('cnn', () => {
  const images = tf.reshape(X, [-1, rows, cols, 1]);
  const conv1 = tf.layers.conv2d(images, 32, 5, { padding: 'same', activation: tf.nn.relu, name: 'conv1' });
  const pool1 = tf.layers.maxPooling2d(conv1, 2, 2, { name: 'pool1' });
  const conv2 = tf.layers.conv2d(pool1, 64, 5, { padding: 'same', activation: tf.nn.relu, name: 'conv2' });
  const pool2 = tf.layers.maxPooling2d(conv2, 2, 2, { name: 'pool2' });
  const flat = tf.layers.flatten(pool2, { name: 'flatten' });
  const fc1 = tf.layers.dense(flat, 256, { activation: tf.nn.relu, name: 'fc1' });
  const drop = tf.layers.dropout(fc1, { rate: 0.5, training, seed: 42, name: 'dropout' });
  return tf.layers.dense(drop, 10, { name: 'outputs' });
});
const loss = tf.nameScope('loss', () =>
  tf.reduceMean(tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits }), { name: 'loss' }));
const trainingOp = tf.nameScope('train', () => new tf.train.AdamOptimizer(1e-3).minimize(loss));
const accuracy = tf.nameScope('eval', () =>
  tf.reduceMean(tf.cast(tf.nn.inTopK(logits, y, 1), 'float32')));
const init = tf.globalVariablesInitializer();
const saver = new tf.train.Saver();

{
  using sess = new tf.Session();
  sess.run(init);
  using summaries = trainingSummaries(args, sess, { batch_loss: loss, batch_accuracy: accuracy }, (xb, yb) => [[X, xb], [y, yb]]);
  let te = performance.now();
  const step = trainEpochs(train, batchSize, nEpochs, (xb, yb) => {
    const [, l] = sess.run([trainingOp, loss], [[X, xb], [y, yb], [training, true]]);
    return l!.item() as number;
  }, (epoch, meanLoss) => {
    console.log(`epoch ${epoch}: train loss ${meanLoss.toFixed(4)} (${((performance.now() - te) / 1000).toFixed(1)} s)`);
    te = performance.now();
  }, summaries);
  console.log(`saved ${saver.save(sess, join(checkpointDir, 'mnist_cnn.ckpt'), { globalStep: step })}`);
}

// A fresh Session starts with uninitialized variables; restoring the checkpoint fills them in.
{
  using sess = new tf.Session();
  const latest = tf.train.latestCheckpoint(checkpointDir);
  if (latest === undefined) throw new Error(`no checkpoint found in ${checkpointDir}`);
  saver.restore(sess, latest);
  console.log(`restored ${latest} into a new session`);
  console.log(`final test accuracy: ${percent(evaluate(sess, accuracy, X, y, test, 500))} ` +
    `(${test.numExamples} examples, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
