// Chapter 11 of "Hands-On Machine Learning" (TF1): learning rate scheduling. Exponential decay
// η(t) = 0.1 · 0.1^(t / 10000) with tf.train.exponentialDecay over a global_step variable that
// the optimizer increments (minimize(loss, {globalStep})), MomentumOptimizer(η, 0.9).
// 784-300-50-10 with ReLU, batch 50.
//   npx tsx examples/mnist_lr_decay.ts                  # built-in generated digits
//   npx tsx examples/mnist_lr_decay.ts --data ~/mnist   # real MNIST / Fashion-MNIST IDX files
// Options: --data DIR, --epochs N (default 5), --train-size N (default 20000),
//          --checkpoint-dir DIR (default: a fresh directory under the OS temp dir),
//          --logdir DIR (batch loss/accuracy summaries and the graph, for npx tensorgraph-board).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from 'tensorgraph';
import { evaluate, intArg, loadData, parseArgs, percent, take, trainEpochs, trainingSummaries } from './common.js';

const args = parseArgs(process.argv.slice(2));
const nEpochs = intArg(args, 'epochs', 5);
const trainSize = intArg(args, 'train-size', 20000);
const checkpointDir = args['checkpoint-dir'] ?? mkdtempSync(join(tmpdir(), 'mnist_lr_decay-'));

const t0 = performance.now();
const { train, test, nInputs } = loadData(args, trainSize, 4000);
const nHidden1 = 300;
const nHidden2 = 50;
const nOutputs = 10;
const batchSize = 50;

tf.resetDefaultGraph();
tf.setRandomSeed(42);
const X = tf.placeholder('float32', { shape: [null, nInputs], name: 'X' });
const y = tf.placeholder('int32', { shape: [null], name: 'y' });

const logits = tf.nameScope('dnn', () => {
  const hidden1 = tf.layers.dense(X, nHidden1, { activation: tf.nn.relu, name: 'hidden1' });
  const hidden2 = tf.layers.dense(hidden1, nHidden2, { activation: tf.nn.relu, name: 'hidden2' });
  return tf.layers.dense(hidden2, nOutputs, { name: 'outputs' });
});
const loss = tf.nameScope('loss', () => {
  const xentropy = tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits });
  return tf.reduceMean(xentropy, { name: 'loss' });
});
const accuracy = tf.nameScope('eval', () => {
  const correct = tf.nn.inTopK(logits, y, 1);
  return tf.reduceMean(tf.cast(correct, 'float32'), { name: 'accuracy' });
});

const { globalStep, learningRate, trainingOp } = tf.nameScope('train', () => {
  const initialLearningRate = 0.1;
  const decaySteps = 10000;
  const decayRate = 1 / 10;
  const globalStep = new tf.Variable(0, { trainable: false, name: 'global_step' });
  const learningRate = tf.train.exponentialDecay(initialLearningRate, globalStep, decaySteps, decayRate);
  const optimizer = new tf.train.MomentumOptimizer(learningRate, 0.9);
  const trainingOp = optimizer.minimize(loss, { globalStep });
  return { globalStep, learningRate, trainingOp };
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
    const [step, lr] = sess.run([globalStep, learningRate]);
    console.log(`epoch ${epoch}: train loss ${meanLoss.toFixed(4)}, test accuracy (first ${testHead.numExamples}) ` +
      `${percent(evaluate(sess, accuracy, X, y, testHead))}, global step ${step!.item()}, learning rate ${(lr!.item() as number).toFixed(5)}`);
  }, summaries);
  console.log(`saved ${saver.save(sess, join(checkpointDir, 'my_model_final.ckpt'), { globalStep })}`);
  console.log(`final test accuracy: ${percent(evaluate(sess, accuracy, X, y, test))} ` +
    `(${test.numExamples} examples, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
