// Chapter 10 of "Hands-On Machine Learning" (TF1): training a deep MLP with plain TensorFlow.
// 784-300-100-10, ReLU hidden layers, mini-batch gradient descent, a Saver checkpoint at the end.
//   npx tsx examples/mnist_mlp.ts                      # built-in generated digits
//   npx tsx examples/mnist_mlp.ts --data ~/mnist       # real MNIST / Fashion-MNIST IDX files
// Options: --data DIR, --epochs N (default 10), --train-size N (default 20000),
//          --checkpoint-dir DIR (default: a fresh directory under the OS temp dir).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from 'tensorgraph';
import { evaluate, intArg, loadData, parseArgs, percent, progress } from './common.js';

const args = parseArgs(process.argv.slice(2));
const nEpochs = intArg(args, 'epochs', 10);
const trainSize = intArg(args, 'train-size', 20000);
const batchSize = 50;
const learningRate = 0.01;
const checkpointDir = args['checkpoint-dir'] ?? mkdtempSync(join(tmpdir(), 'mnist_mlp-'));

const t0 = performance.now();
const { train, test, nInputs } = loadData(args, trainSize, 4000);

tf.resetDefaultGraph();
const X = tf.placeholder('float32', { shape: [null, nInputs], name: 'X' });
const y = tf.placeholder('int32', { shape: [null], name: 'y' });

const logits = tf.nameScope('dnn', () => {
  const hidden1 = tf.layers.dense(X, 300, { activation: tf.nn.relu, name: 'hidden1' });
  const hidden2 = tf.layers.dense(hidden1, 100, { activation: tf.nn.relu, name: 'hidden2' });
  return tf.layers.dense(hidden2, 10, { name: 'outputs' });
});
const loss = tf.nameScope('loss', () =>
  tf.reduceMean(tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits }), { name: 'loss' }));
const trainingOp = tf.nameScope('train', () => new tf.train.GradientDescentOptimizer(learningRate).minimize(loss));
const accuracy = tf.nameScope('eval', () => {
  const correct = tf.nn.inTopK(logits, y, 1);
  return tf.reduceMean(tf.cast(correct, 'float32'));
});
const init = tf.globalVariablesInitializer();
const saver = new tf.train.Saver();

{
  using sess = new tf.Session();
  sess.run(init);
  const batches = new tf.datasets.BatchIterator(train.images, train.labels, batchSize, { seed: 42 });
  const nBatches = Math.ceil(train.numExamples / batchSize);
  let step = 0;
  for (let epoch = 1; epoch <= nEpochs; epoch++) {
    let lossSum = 0;
    for (let b = 1; b <= nBatches; b++) {
      const { x, y: yb } = batches.nextBatch();
      const [, l] = sess.run([trainingOp, loss], [[X, x], [y, yb]]);
      lossSum += l!.item() as number;
      step++;
      if (b % 10 === 0 || b === nBatches) progress(epoch, nEpochs, b, nBatches, lossSum / b);
    }
    process.stderr.write('\n');
    const nEval = Math.min(1000, test.numExamples); // a quick look; the full test set is scored at the end
    const batchAcc = sess.run(accuracy, [[X, test.images.subarray(0, nEval * nInputs)], [y, test.labels.subarray(0, nEval)]]);
    console.log(`epoch ${epoch}: train loss ${(lossSum / nBatches).toFixed(4)}, ` +
      `test accuracy (first ${nEval}) ${((batchAcc.item() as number) * 100).toFixed(2)}%`);
  }
  const savePath = saver.save(sess, join(checkpointDir, 'my_model_final.ckpt'), { globalStep: step });
  console.log(`saved ${savePath}`);
  console.log(`final test accuracy: ${percent(evaluate(sess, accuracy, X, y, test))} ` +
    `(${test.numExamples} examples, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
