// Chapter 9 of "Hands-On Machine Learning" (TF1): linear regression, every variant of the
// chapter, on a generated data set with known coefficients (the book uses California housing):
//   1. the normal equation;
//   2. batch gradient descent with manually computed gradients and tf.assign;
//   3. the same with autodiff (tf.gradients);
//   4. a GradientDescentOptimizer;
//   5. a MomentumOptimizer (momentum 0.9);
//   6. mini-batch gradient descent feeding placeholders;
//   7. saving with tf.train.Saver during training, restoring into a fresh session, and
//      restoring from the meta graph alone (tf.train.importMetaGraph).
//   npx tsx examples/linear_regression.ts
// Options: --checkpoint-dir DIR (default: a fresh directory under the OS temp dir).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from 'tensorgraph';
import { parseArgs } from './common.js';

const args = parseArgs(process.argv.slice(2));
const checkpointDir = args['checkpoint-dir'] ?? mkdtempSync(join(tmpdir(), 'linear_regression-'));

// y = 4 + 3·x1 - 2·x2 + 0.5·x3 + noise, features standardised, plus a bias column of ones
// (the book's scaled_housing_data_plus_bias).
const m = 1000;
const n = 3;
const trueTheta = [4, 3, -2, 0.5];
let seed = 42;
const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
const data = new Float32Array(m * (n + 1));
const target = new Float32Array(m);
for (let i = 0; i < m; i++) {
  data[i * (n + 1)] = 1; // bias column
  let t = trueTheta[0];
  for (let j = 1; j <= n; j++) {
    data[i * (n + 1) + j] = gauss();
    t += trueTheta[j] * data[i * (n + 1) + j];
  }
  target[i] = t + 0.1 * gauss();
}
const fmt = (a: tf.NDArray) => Array.from(a.data as Float32Array, (v) => v.toFixed(3)).join(', ');
const show = (what: string, theta: tf.NDArray) => console.log(`${`${what}:`.padEnd(22)}theta = [${fmt(theta)}]`);

const nEpochs = 1000;
const learningRate = 0.01;

// 1. The normal equation: theta = (XᵀX)⁻¹ Xᵀ y.
tf.resetDefaultGraph();
{
  const X = tf.constant(data, { shape: [m, n + 1], name: 'X' });
  const y = tf.constant(target, { shape: [m, 1], name: 'y' });
  const XT = tf.transpose(X);
  const theta = tf.matmul(tf.matmul(tf.matrixInverse(tf.matmul(XT, X)), XT), y);
  using sess = new tf.Session();
  show('normal equation', sess.run(theta));
}

/**
 * The chapter's model on the whole data set as constants: theta (initialised uniformly in
 * [-1, 1]), predictions, mse. `trainingOp` builds the training step from it.
 */
function batchGradientDescent(what: string, trainingOp: (model: { X: tf.Tensor; theta: tf.Variable; error: tf.Tensor; mse: tf.Tensor }) => tf.Tensor | tf.Operation,
                              printEvery = 0): void {
  tf.resetDefaultGraph();
  const X = tf.constant(data, { shape: [m, n + 1], name: 'X' });
  const y = tf.constant(target, { shape: [m, 1], name: 'y' });
  const theta = new tf.Variable(tf.randomUniform([n + 1, 1], { minval: -1, maxval: 1, seed: 42 }), { name: 'theta' });
  const yPred = tf.matmul(X, theta, { name: 'predictions' });
  const error = yPred.sub(y);
  const mse = tf.reduceMean(tf.square(error), { name: 'mse' });
  const op = trainingOp({ X, theta, error, mse });
  const init = tf.globalVariablesInitializer();
  using sess = new tf.Session();
  sess.run(init);
  for (let epoch = 0; epoch < nEpochs; epoch++) {
    if (printEvery && epoch % printEvery === 0) console.log(`  epoch ${epoch} MSE = ${(sess.run(mse).item() as number).toFixed(5)}`);
    sess.run(op);
  }
  show(what, sess.run(theta));
}

// 2. Manually computed gradients: 2/m · Xᵀ (Xθ - y), applied with tf.assign.
batchGradientDescent('manual gradients', ({ X, theta, error }) => {
  const gradients = tf.matmul(tf.transpose(X), error).mul(2 / m);
  return tf.assign(theta, theta.sub(gradients.mul(learningRate)));
}, 200);

// 3. Autodiff: the same step with tf.gradients computing the gradients.
batchGradientDescent('autodiff', ({ theta, mse }) => {
  const gradients = tf.gradients(mse, [theta])[0]!;
  return tf.assign(theta, theta.sub(gradients.mul(learningRate)));
});

// 4. and 5. Optimizers.
batchGradientDescent('GradientDescent', ({ mse }) =>
  new tf.train.GradientDescentOptimizer(learningRate).minimize(mse));
batchGradientDescent('Momentum', ({ mse }) =>
  new tf.train.MomentumOptimizer(learningRate, 0.9).minimize(mse));

// 6. Mini-batch gradient descent: X and y are placeholders fed one random batch at a time.
tf.resetDefaultGraph();
{
  const batchSize = 100;
  const nBatches = Math.ceil(m / batchSize);
  const X = tf.placeholder('float32', { shape: [null, n + 1], name: 'X' });
  const y = tf.placeholder('float32', { shape: [null, 1], name: 'y' });
  const theta = new tf.Variable(tf.randomUniform([n + 1, 1], { minval: -1, maxval: 1, seed: 42 }), { name: 'theta' });
  const yPred = tf.matmul(X, theta, { name: 'predictions' });
  const error = yPred.sub(y);
  const mse = tf.reduceMean(tf.square(error), { name: 'mse' });
  const trainingOp = new tf.train.GradientDescentOptimizer(learningRate).minimize(mse);
  const init = tf.globalVariablesInitializer();

  // The book's fetch_batch: batchSize random rows, seeded by (epoch, batch index).
  const fetchBatch = (epoch: number, batchIndex: number) => {
    let s = (epoch * nBatches + batchIndex + 1) >>> 0;
    const xb = new Float32Array(batchSize * (n + 1));
    const yb = new Float32Array(batchSize);
    for (let k = 0; k < batchSize; k++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      const i = Math.floor((s / 2 ** 32) * m);
      xb.set(data.subarray(i * (n + 1), (i + 1) * (n + 1)), k * (n + 1));
      yb[k] = target[i];
    }
    return [xb, yb] as const;
  };

  using sess = new tf.Session();
  sess.run(init);
  for (let epoch = 0; epoch < 100; epoch++) {
    for (let batchIndex = 0; batchIndex < nBatches; batchIndex++) {
      const [xb, yb] = fetchBatch(epoch, batchIndex);
      sess.run(trainingOp, [[X, xb], [y, yb]]);
    }
  }
  show('mini-batch GD', sess.run(theta));
}

// 7. Saving and restoring: a checkpoint every 100 epochs and a final one.
tf.resetDefaultGraph();
{
  const X = tf.constant(data, { shape: [m, n + 1], name: 'X' });
  const y = tf.constant(target, { shape: [m, 1], name: 'y' });
  const theta = new tf.Variable(tf.randomUniform([n + 1, 1], { minval: -1, maxval: 1, seed: 42 }), { name: 'theta' });
  const yPred = tf.matmul(X, theta, { name: 'predictions' });
  const error = yPred.sub(y);
  const mse = tf.reduceMean(tf.square(error), { name: 'mse' });
  const trainingOp = new tf.train.GradientDescentOptimizer(learningRate).minimize(mse);
  const init = tf.globalVariablesInitializer();
  const saver = new tf.train.Saver();
  const finalPath = join(checkpointDir, 'my_model_final.ckpt');
  {
    using sess = new tf.Session();
    sess.run(init);
    for (let epoch = 0; epoch < nEpochs; epoch++) {
      if (epoch % 100 === 0) saver.save(sess, join(checkpointDir, 'my_model.ckpt'));
      sess.run(trainingOp);
    }
    show('saved', sess.run(theta));
    console.log(`  saved ${saver.save(sess, finalPath)}`);
  }
  // A fresh session: theta is uninitialized until the saver restores it.
  {
    using sess = new tf.Session();
    saver.restore(sess, finalPath);
    show('restored', sess.run(theta));
  }
  // Only the graph structure from the .meta file, in a new default graph.
  tf.resetDefaultGraph();
  const metaSaver = tf.train.importMetaGraph(`${finalPath}.meta`)!;
  const thetaRestored = tf.getDefaultGraph().getTensorByName('theta:0');
  {
    using sess = new tf.Session();
    metaSaver.restore(sess, finalPath);
    show('restored from .meta', sess.run(thetaRestored));
  }
}
console.log(`${'true coefficients:'.padEnd(22)}theta = [${trueTheta.map((v) => v.toFixed(3)).join(', ')}]`);
