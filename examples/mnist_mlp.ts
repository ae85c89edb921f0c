// Chapter 10 of "Hands-On Machine Learning" (TF1): training a deep MLP with plain TensorFlow.
// 784-300-100-10, ReLU hidden layers, mini-batch gradient descent, a Saver checkpoint at the end.
//   npx tsx examples/mnist_mlp.ts                      # built-in generated digits
//   npx tsx examples/mnist_mlp.ts --data ~/mnist       # real MNIST / Fashion-MNIST IDX files
// Options: --data DIR, --epochs N (default 10), --train-size N (default 20000),
//          --checkpoint-dir DIR (default: a fresh directory under the OS temp dir),
//          --logdir DIR (batch loss/accuracy summaries and the graph, for npx tensorgraph-board).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from 'tensorgraph';
import { evaluate, intArg, loadData, parseArgs, percent, take, trainEpochs, trainingSummaries } from './common.js';

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
  using summaries = trainingSummaries(args, sess, { batch_loss: loss, batch_accuracy: accuracy }, (xb, yb) => [[X, xb], [y, yb]]);
  const testHead = take(test, 1000); // a quick look each epoch; the whole test set at the end
  const step = trainEpochs(train, batchSize, nEpochs, (xb, yb) => {
    const [, l] = sess.run([trainingOp, loss], [[X, xb], [y, yb]]);
    return l!.item() as number;
  }, (epoch, meanLoss) => console.log(`epoch ${epoch}: train loss ${meanLoss.toFixed(4)}, ` +
    `test accuracy (first ${testHead.numExamples}) ${percent(evaluate(sess, accuracy, X, y, testHead))}`), summaries);
  const savePath = saver.save(sess, join(checkpointDir, 'my_model_final.ckpt'), { globalStep: step });
  console.log(`saved ${savePath}`);
  console.log(`final test accuracy: ${percent(evaluate(sess, accuracy, X, y, test))} ` +
    `(${test.numExamples} examples, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
