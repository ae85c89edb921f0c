// Chapter 11 of "Hands-On Machine Learning" (TF1): max-norm regularization. maxNormRegularizer()
// returns a kernel regularizer that adds no loss: it builds
// `tf.assign(weights, tf.clipByNorm(weights, threshold, {axes}))` and puts it in the
// collection "max_norm"; after each training step the program runs that collection. With the
// book's axes=1 each row of a [inputs, units] kernel is clipped to L2 norm <= threshold (1.0);
// axes=0 would clip each unit's incoming weights instead. 784-300-50-10 with ReLU,
// MomentumOptimizer(0.01, 0.9), batch 50.
//   npx tsx examples/mnist_max_norm.ts                  # built-in generated digits
//   npx tsx examples/mnist_max_norm.ts --data ~/mnist   # real MNIST / Fashion-MNIST IDX files
// Options: --data DIR, --epochs N (default 5), --train-size N (default 20000),
//          --threshold X (the max norm, default 1.0),
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
const checkpointDir = args['checkpoint-dir'] ?? mkdtempSync(join(tmpdir(), 'mnist_max_norm-'));

const t0 = performance.now();
const { train, test, nInputs } = loadData(args, trainSize, 4000);
const nHidden1 = 300;
const nHidden2 = 50;
const nOutputs = 10;
const learningRate = 0.01;
const momentum = 0.9;
const batchSize = 50;
const threshold = Number(args.threshold ?? 1.0);
if (!(threshold > 0)) throw new Error(`--threshold must be a positive number, got ${args.threshold}`);

/** The book's max_norm_regularizer: clip-and-assign ops collected in `collection`, no loss term. */
function maxNormRegularizer(threshold: number, { axes = 1, name = 'max_norm', collection = 'max_norm' } = {}): tf.Regularizer {
  return (weights) => {
    const clipped = tf.clipByNorm(weights, threshold, { axes });
    const clipWeights = tf.assign(weights, clipped, { name });
    tf.addToCollection(collection, clipWeights);
    return null; // there is no regularization loss term
  };
}

tf.resetDefaultGraph();
tf.setRandomSeed(42);
const X = tf.placeholder('float32', { shape: [null, nInputs], name: 'X' });
const y = tf.placeholder('int32', { shape: [null], name: 'y' });

const maxNormReg = maxNormRegularizer(threshold);
const logits = tf.nameScope('dnn', () => {
  const hidden1 = tf.layers.dense(X, nHidden1, { activation: tf.nn.relu, kernelRegularizer: maxNormReg, name: 'hidden1' });
  const hidden2 = tf.layers.dense(hidden1, nHidden2, { activation: tf.nn.relu, kernelRegularizer: maxNormReg, name: 'hidden2' });
  return tf.layers.dense(hidden2, nOutputs, { name: 'outputs' });
});
const loss = tf.nameScope('loss', () => {
  const xentropy = tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits });
  return tf.reduceMean(xentropy, { name: 'loss' });
});
const trainingOp = tf.nameScope('train', () => new tf.train.MomentumOptimizer(learningRate, momentum).minimize(loss));
const accuracy = tf.nameScope('eval', () => {
  const correct = tf.nn.inTopK(logits, y, 1);
  return tf.reduceMean(tf.cast(correct, 'float32'), { name: 'accuracy' });
});
const init = tf.globalVariablesInitializer();
const saver = new tf.train.Saver();

const clipAllWeights = tf.getCollection<tf.Tensor>('max_norm');
console.log(`max_norm collection: ${clipAllWeights.map((t) => t.op.name).join(', ')}`);

// The largest L2 norm of a kernel row (what axes=1 clips), per hidden layer.
const kernels = ['hidden1', 'hidden2'].map((l) => tf.getDefaultGraph().getTensorByName(`${l}/kernel:0`));
const maxColumnNorms = kernels.map((k) => tf.reduceMax(tf.sqrt(tf.reduceSum(tf.square(k), { axis: 1 }))));

{
  using sess = new tf.Session();
  sess.run(init);
  using summaries = trainingSummaries(args, sess, { batch_loss: loss, batch_accuracy: accuracy }, (xb, yb) => [[X, xb], [y, yb]]);
  const testHead = take(test, 1000); // a quick look each epoch; the whole test set at the end
  trainEpochs(train, batchSize, nEpochs, (xb, yb) => {
    const [, l] = sess.run([trainingOp, loss], [[X, xb], [y, yb]]);
    sess.run(clipAllWeights);
    return l!.item() as number;
  }, (epoch, meanLoss) => {
    const norms = sess.run(maxColumnNorms).map((n) => (n.item() as number).toFixed(3));
    console.log(`epoch ${epoch}: train loss ${meanLoss.toFixed(4)}, test accuracy (first ${testHead.numExamples}) ` +
      `${percent(evaluate(sess, accuracy, X, y, testHead))}, max kernel row norm ${norms.join(' / ')}`);
  }, summaries);
  console.log(`saved ${saver.save(sess, join(checkpointDir, 'my_model_final.ckpt'))}`);
  console.log(`final test accuracy: ${percent(evaluate(sess, accuracy, X, y, test))} ` +
    `(${test.numExamples} examples, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
