// Chapter 11 of "Hands-On Machine Learning" (TF1): gradient clipping. The chapter's deeper net,
// 784-300-50-50-50-50-10 with ReLU (tf.layers.dense, hidden1..hidden5, outputs), trained by
// GradientDescentOptimizer(0.01) with every gradient clipped to [-1, 1] between
// computeGradients and applyGradients; batch 200. The model is saved with a Saver (the transfer
// learning example reuses this architecture).
//   npx tsx examples/mnist_gradient_clipping.ts                  # built-in generated digits
//   npx tsx examples/mnist_gradient_clipping.ts --data ~/mnist   # real MNIST / Fashion-MNIST IDX files
// Options: --data DIR, --epochs N (default 20), --train-size N (default 20000),
//          --checkpoint-dir DIR (default: a fresh directory under the OS temp dir),
//          --logdir DIR (batch loss/accuracy summaries and the graph, for npx tensorgraph-board).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from 'tensorgraph';
import { evaluate, intArg, loadData, parseArgs, percent, take, trainEpochs, trainingSummaries } from './common.js';

const args = parseArgs(process.argv.slice(2));
const nEpochs = intArg(args, 'epochs', 20);
const trainSize = intArg(args, 'train-size', 20000);
const checkpointDir = args['checkpoint-dir'] ?? mkdtempSync(join(tmpdir(), 'mnist_gradient_clipping-'));

const t0 = performance.now();
const { train, test, nInputs } = loadData(args, trainSize, 4000);
const nHidden1 = 300;
const nHidden2 = 50;
const nHidden3 = 50;
const nHidden4 = 50;
const nHidden5 = 50;
const nOutputs = 10;
const learningRate = 0.01;
const threshold = 1.0;
const batchSize = 200;

tf.resetDefaultGraph();
tf.setRandomSeed(42);
const X = tf.placeholder('float32', { shape: [null, nInputs], name: 'X' });
const y = tf.placeholder('int32', { shape: [null], name: 'y' });

const logits = tf.nameScope('dnn', () => {
  const hidden1 = tf.layers.dense(X, nHidden1, { activation: tf.nn.relu, name: 'hidden1' });
  const hidden2 = tf.layers.dense(hidden1, nHidden2, { activation: tf.nn.relu, name: 'hidden2' });
  const hidden3 = tf.layers.dense(hidden2, nHidden3, { activation: tf.nn.relu, name: 'hidden3' });
  const hidden4 = tf.layers.dense(hidden3, nHidden4, { activation: tf.nn.relu, name: 'hidden4' });
  const hidden5 = tf.layers.dense(hidden4, nHidden5, { activation: tf.nn.relu, name: 'hidden5' });
  return tf.layers.dense(hidden5, nOutputs, { name: 'outputs' });
});
const loss = tf.nameScope('loss', () => {
  const xentropy = tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits });
  return tf.reduceMean(xentropy, { name: 'loss' });
});

// compute_gradients -> clip_by_value each gradient -> apply_gradients.
const optimizer = new tf.train.GradientDescentOptimizer(learningRate);
const gradsAndVars = optimizer.computeGradients(loss);
const cappedGvs = gradsAndVars.map(([grad, v]) =>
  [tf.clipByValue(grad!, -threshold, threshold), v] as tf.train.GradAndVar);
const trainingOp = optimizer.applyGradients(cappedGvs);

const accuracy = tf.nameScope('eval', () => {
  const correct = tf.nn.inTopK(logits, y, 1);
  return tf.reduceMean(tf.cast(correct, 'float32'), { name: 'accuracy' });
});
const init = tf.globalVariablesInitializer();
const saver = new tf.train.Saver();

{
  using sess = new tf.Session();
  sess.run(init);
  using summaries = trainingSummaries(args, sess, { batch_loss: loss, batch_accuracy: accuracy }, (xb, yb) => [[X, xb], [y, yb]]);
  const testHead = take(test, 1000); // a quick look each epoch; the whole test set at the end
  trainEpochs(train, batchSize, nEpochs, (xb, yb) => {
    const [, l] = sess.run([trainingOp, loss], [[X, xb], [y, yb]]);
    return l!.item() as number;
  }, (epoch, meanLoss) => {
    console.log(`epoch ${epoch}: train loss ${meanLoss.toFixed(4)}, test accuracy (first ${testHead.numExamples}) ` +
      `${percent(evaluate(sess, accuracy, X, y, testHead))}`);
  }, summaries);
  console.log(`saved ${saver.save(sess, join(checkpointDir, 'my_model_final.ckpt'))}`);
  console.log(`final test accuracy: ${percent(evaluate(sess, accuracy, X, y, test))} ` +
    `(${test.numExamples} examples, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
