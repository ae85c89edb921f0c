// Chapter 11 of "Hands-On Machine Learning" (TF1): the chapter's default deep-network
// configuration on the 784-300-100-10 MLP: He initialization
// (tf.contrib.layers.variance_scaling_initializer), batch normalization before each ELU
// activation (tf.layers.batch_normalization, momentum 0.9, also on the logits), dropout with
// rate 0.5 on the inputs and hidden layers, and Adam. `training` is a
// placeholderWithDefault(false) fed true only for training steps; the moving averages of batch
// norm are updated by the ops in tf.GraphKeys.UPDATE_OPS, run together with the training op.
//   npx tsx examples/mnist_batch_norm.ts                  # built-in generated digits
//   npx tsx examples/mnist_batch_norm.ts --data ~/mnist   # real MNIST / Fashion-MNIST IDX files
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
const checkpointDir = args['checkpoint-dir'] ?? mkdtempSync(join(tmpdir(), 'mnist_batch_norm-'));

const t0 = performance.now();
const { train, test, nInputs } = loadData(args, trainSize, 4000);
const nHidden1 = 300;
const nHidden2 = 100;
const nOutputs = 10;
const batchNormMomentum = 0.9;
const dropoutRate = 0.5; // == 1 - keep_prob
const learningRate = 0.01;
const batchSize = 200;

tf.resetDefaultGraph();
tf.setRandomSeed(42);
const X = tf.placeholder('float32', { shape: [null, nInputs], name: 'X' });
const y = tf.placeholder('int32', { shape: [null], name: 'y' });
const training = tf.placeholderWithDefault(false, [], { name: 'training' });

const logits = tf.nameScope('dnn', () => {
  const heInit = tf.contrib.layers.varianceScalingInitializer();
  // The book's functools.partial: the layers with the options they share.
  const myBatchNormLayer = (x: tf.Tensor) => tf.layers.batchNormalization(x, { training, momentum: batchNormMomentum });
  const myDenseLayer = (x: tf.Tensor, units: number, name: string) => tf.layers.dense(x, units, { kernelInitializer: heInit, name });
  const myDropout = (x: tf.Tensor) => tf.layers.dropout(x, { rate: dropoutRate, training });

  const XDrop = myDropout(X);
  const hidden1 = myDenseLayer(XDrop, nHidden1, 'hidden1');
  const bn1 = tf.nn.elu(myBatchNormLayer(hidden1));
  const hidden2 = myDenseLayer(myDropout(bn1), nHidden2, 'hidden2');
  const bn2 = tf.nn.elu(myBatchNormLayer(hidden2));
  const logitsBeforeBn = myDenseLayer(myDropout(bn2), nOutputs, 'outputs');
  return myBatchNormLayer(logitsBeforeBn);
});

const count = (vars: tf.Variable[]) => vars.reduce((n, v) => n + (v.shape.dims as number[]).reduce((p, d) => p * d, 1), 0);
console.log(`trainable variables: ${tf.trainableVariables().map((v) => v.op.name).join(' ')}`);
console.log(`parameters: ${count(tf.trainableVariables())} trainable, ${count(tf.globalVariables())} in all ` +
  `(with the non-trainable moving_mean/moving_variance)`);

const loss = tf.nameScope('loss', () => {
  const xentropy = tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits });
  return tf.reduceMean(xentropy, { name: 'loss' });
});
const trainingOp = tf.nameScope('train', () => new tf.train.AdamOptimizer(learningRate).minimize(loss));
const accuracy = tf.nameScope('eval', () => {
  const correct = tf.nn.inTopK(logits, y, 1);
  return tf.reduceMean(tf.cast(correct, 'float32'));
});
const init = tf.globalVariablesInitializer();
const saver = new tf.train.Saver();
const extraUpdateOps = tf.getCollection<tf.Tensor>(tf.GraphKeys.UPDATE_OPS);
console.log(`UPDATE_OPS: ${extraUpdateOps.length} (${extraUpdateOps.map((t) => t.op.name).slice(0, 2).join(', ')}, ...)`);

{
  using sess = new tf.Session();
  sess.run(init);
  using summaries = trainingSummaries(args, sess, { batch_loss: loss, batch_accuracy: accuracy }, (xb, yb) => [[X, xb], [y, yb]]);
  const testHead = take(test, 1000); // a quick look each epoch; the whole test set at the end
  trainEpochs(train, batchSize, nEpochs, (xb, yb) => {
    const [, , l] = sess.run([trainingOp, extraUpdateOps, loss], [[training, true], [X, xb], [y, yb]]);
    return l!.item() as number;
  }, (epoch, meanLoss) => {
    // training keeps its default (false): no dropout, batch norm with the moving averages.
    console.log(`epoch ${epoch}: train loss ${meanLoss.toFixed(4)}, test accuracy (first ${testHead.numExamples}) ` +
      `${percent(evaluate(sess, accuracy, X, y, testHead))}`);
  }, summaries);
  console.log(`saved ${saver.save(sess, join(checkpointDir, 'my_model_final.ckpt'))}`);
  console.log(`final test accuracy: ${percent(evaluate(sess, accuracy, X, y, test))} ` +
    `(${test.numExamples} examples, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
