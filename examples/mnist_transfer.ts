// Chapter 11 of "Hands-On Machine Learning" (TF1): reusing pretrained layers (exercises 8-9 with
// the chapter's "Reusing a TensorFlow model" and "Freezing the lower layers" code).
//   Phase 1: a DNN with five hidden layers of 100 ELU units (He initialization, hidden1..hidden5)
//     and a 5-way softmax ("logits") is trained with Adam on digits 0-4 and saved.
//   Phase 2: a new graph rebuilds hidden1..hidden3 under the same names, adds a new hidden4
//     (20 units) and a new 5-way "logits" layer for digits 5-9, restores only hidden1..hidden3
//     with a Saver given {name: variable} of tf.getCollection(GLOBAL_VARIABLES, 'hidden[123]'),
//     freezes them and trains the new layers on only 100 images per digit. Frozen layers never
//     change, so the output of hidden3 is computed once and fed in place of it while training
//     (caching the frozen layers).
//   Freezing (--freeze): 'var-list' (default) passes the optimizer only the trainable variables
//     of tf.getCollection(TRAINABLE_VARIABLES, 'hidden4|logits'); 'stop-gradient' puts
//     tf.stopGradient above hidden3 and minimizes over all trainable variables.
//   npx tsx examples/mnist_transfer.ts                  # built-in generated digits
//   npx tsx examples/mnist_transfer.ts --data ~/mnist   # real MNIST / Fashion-MNIST IDX files
// Options: --data DIR, --epochs N (phase 1, default 3), --train-size N (default 20000),
//          --transfer-epochs N (phase 2, default 50), --per-digit N (phase 2 images per digit,
//          default 100), --freeze var-list|stop-gradient,
//          --checkpoint-dir DIR (default: a fresh directory under the OS temp dir).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from 'tensorgraph';
import { evaluate, intArg, loadData, parseArgs, percent, trainEpochs } from './common.js';

const args = parseArgs(process.argv.slice(2));
const nEpochs = intArg(args, 'epochs', 3);
const trainSize = intArg(args, 'train-size', 20000);
const nTransferEpochs = intArg(args, 'transfer-epochs', 50);
const perDigit = intArg(args, 'per-digit', 100);
const freeze = args.freeze ?? 'var-list';
if (freeze !== 'var-list' && freeze !== 'stop-gradient') throw new Error(`--freeze must be var-list or stop-gradient, got ${freeze}`);
const checkpointDir = args['checkpoint-dir'] ?? mkdtempSync(join(tmpdir(), 'mnist_transfer-'));

const t0 = performance.now();
const { train, test, nInputs } = loadData(args, trainSize, 4000);

/** The examples of digits lo..lo+4 (at most `perDigit` of each), labels shifted to 0..4. */
function digits(split: tf.datasets.DataSplit, lo: number, perDigit = Infinity): tf.datasets.DataSplit {
  const f = split.images.length / split.numExamples;
  const seen = new Array(5).fill(0);
  const keep: number[] = [];
  for (let i = 0; i < split.numExamples; i++) {
    const d = split.labels[i] - lo;
    if (d >= 0 && d < 5 && seen[d] < perDigit) {
      seen[d]++;
      keep.push(i);
    }
  }
  const images = new Float32Array(keep.length * f);
  keep.forEach((i, k) => images.set(split.images.subarray(i * f, (i + 1) * f), k * f));
  return { ...split, images, labels: Int32Array.from(keep, (i) => split.labels[i] - lo), numExamples: keep.length };
}

const nOutputs = 5;
const learningRate = 0.001; // AdamOptimizer's default
const heInit = tf.contrib.layers.varianceScalingInitializer();
const dense = (x: tf.Tensor, units: number, name: string, activation: tf.layers.Activation = tf.nn.elu) =>
  tf.layers.dense(x, units, { activation, kernelInitializer: heInit, name });

/** The mean cross-entropy loss and the accuracy of `logits` against `y`. */
function lossAndAccuracy(logits: tf.Tensor, y: tf.Tensor) {
  const xentropy = tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits });
  const loss = tf.reduceMean(xentropy, { name: 'loss' });
  const correct = tf.nn.inTopK(logits, y, 1);
  const accuracy = tf.reduceMean(tf.cast(correct, 'float32'), { name: 'accuracy' });
  return { loss, accuracy };
}

// ---------------------------------------------------------------- phase 1: digits 0-4
const pretrainPath = join(checkpointDir, 'my_model_0_to_4.ckpt');
let pretrainAccuracy: number;
{
  const train04 = digits(train, 0);
  const test04 = digits(test, 0);
  console.log(`phase 1: ${train04.numExamples} training images of digits 0-4`);
  tf.resetDefaultGraph();
  tf.setRandomSeed(42);
  const X = tf.placeholder('float32', { shape: [null, nInputs], name: 'X' });
  const y = tf.placeholder('int32', { shape: [null], name: 'y' });
  const logits = tf.nameScope('dnn', () => {
    let h = X;
    for (let layer = 1; layer <= 5; layer++) h = dense(h, 100, `hidden${layer}`);
    return dense(h, nOutputs, 'logits', null);
  });
  const { loss, accuracy } = lossAndAccuracy(logits, y);
  const trainingOp = new tf.train.AdamOptimizer(learningRate).minimize(loss, { name: 'training_op' });
  const init = tf.globalVariablesInitializer();
  const saver = new tf.train.Saver();

  using sess = new tf.Session();
  sess.run(init);
  trainEpochs(train04, 20, nEpochs, (xb, yb) => {
    const [, l] = sess.run([trainingOp, loss], [[X, xb], [y, yb]]);
    return l!.item() as number;
  }, (epoch, meanLoss) => {
    console.log(`  epoch ${epoch}: train loss ${meanLoss.toFixed(4)}, test accuracy (digits 0-4) ${percent(evaluate(sess, accuracy, X, y, test04))}`);
  });
  console.log(`  saved ${saver.save(sess, pretrainPath)}`);
  pretrainAccuracy = evaluate(sess, accuracy, X, y, test04);
}

// ---------------------------------------------------------------- phase 2: digits 5-9
{
  const train59 = digits(train, 5, perDigit);
  const test59 = digits(test, 5);
  console.log(`phase 2: ${train59.numExamples} training images of digits 5-9, freezing with ${freeze}`);
  tf.resetDefaultGraph();
  tf.setRandomSeed(42);
  const X = tf.placeholder('float32', { shape: [null, nInputs], name: 'X' });
  const y = tf.placeholder('int32', { shape: [null], name: 'y' });
  const { hidden3, logits } = tf.nameScope('dnn', () => {
    const hidden1 = dense(X, 100, 'hidden1'); // reused, frozen
    const hidden2 = dense(hidden1, 100, 'hidden2'); // reused, frozen
    const hidden3 = dense(hidden2, 100, 'hidden3'); // reused, frozen
    const top = freeze === 'stop-gradient' ? tf.stopGradient(hidden3) : hidden3;
    const hidden4 = dense(top, 20, 'hidden4'); // new
    const logits = dense(hidden4, nOutputs, 'logits', null); // new
    return { hidden3, logits };
  });
  const { loss, accuracy } = lossAndAccuracy(logits, y);
  // Only the new layers are trained: either the optimizer is told so, or no gradient gets below hidden3.
  const trainVars = freeze === 'var-list' ? tf.getCollection<tf.Variable>(tf.GraphKeys.TRAINABLE_VARIABLES, 'hidden4|logits') : undefined;
  const trainingOp = new tf.train.AdamOptimizer(learningRate).minimize(loss, { varList: trainVars, name: 'training_op' });

  // A Saver for the reused layers only, keyed by the variables' names in the checkpoint.
  const reuseVars = tf.getCollection<tf.Variable>(tf.GraphKeys.GLOBAL_VARIABLES, 'hidden[123]');
  const reuseVarsDict = Object.fromEntries(reuseVars.map((v) => [v.op.name, v]));
  const restoreSaver = new tf.train.Saver(reuseVarsDict);
  console.log(`  restoring ${Object.keys(reuseVarsDict).join(', ')}` +
    (trainVars ? `; training ${trainVars.map((v) => v.op.name).join(', ')}` : ''));
  const init = tf.globalVariablesInitializer();
  const saver = new tf.train.Saver();

  using sess = new tf.Session();
  sess.run(init);
  restoreSaver.restore(sess, pretrainPath);
  const frozenBefore = sess.run(reuseVars);

  // Cache the frozen layers: hidden3 for every training image, fed in place of hidden3 below.
  const hidden3Cache = sess.run(hidden3, [[X, train59.images]]).data as Float32Array;
  const cached = { ...train59, images: hidden3Cache };
  trainEpochs(cached, 20, nTransferEpochs, (hb, yb) => {
    const [, l] = sess.run([trainingOp, loss], [[hidden3, hb], [y, yb]]);
    return l!.item() as number;
  }, (epoch, meanLoss) => {
    if (epoch % 10 === 0 || epoch === nTransferEpochs) {
      console.log(`  epoch ${epoch}: train loss ${meanLoss.toFixed(4)}, test accuracy (digits 5-9) ${percent(evaluate(sess, accuracy, X, y, test59))}`);
    }
  });
  const frozenAfter = sess.run(reuseVars);
  const unchanged = frozenBefore.every((a, i) => a.data.every((v, j) => v === frozenAfter[i].data[j]));
  console.log(`  frozen layers unchanged: ${unchanged}`);
  console.log(`  saved ${saver.save(sess, join(checkpointDir, 'my_new_model_final.ckpt'))}`);
  console.log(`phase 1 test accuracy (digits 0-4): ${percent(pretrainAccuracy)}`);
  console.log(`final test accuracy: ${percent(evaluate(sess, accuracy, X, y, test59))} ` +
    `(digits 5-9 from ${train59.numExamples} images, ${test59.numExamples} examples, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
