// Chapter 10 of "Hands-On Machine Learning" (TF1): the plain-TensorFlow MLP as the first
// edition writes it, with tf.contrib.layers.fully_connected: 784-300-100-10 (ReLU hidden
// layers, variables hidden1/weights, hidden1/biases, ...), mean sparse softmax cross-entropy,
// GradientDescentOptimizer(0.01), batch 50, accuracy from tf.nn.inTopK. The model is saved with
// a Saver, then restored into a fresh session to classify a few test images ("Using the neural
// network").
//   npx tsx examples/mnist_mlp_contrib.ts                  # built-in generated digits
//   npx tsx examples/mnist_mlp_contrib.ts --data ~/mnist   # real MNIST / Fashion-MNIST IDX files
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
const checkpointDir = args['checkpoint-dir'] ?? mkdtempSync(join(tmpdir(), 'mnist_mlp_contrib-'));

const t0 = performance.now();
const { train, test, nInputs } = loadData(args, trainSize, 4000);
const nHidden1 = 300;
const nHidden2 = 100;
const nOutputs = 10;
const learningRate = 0.01;
const batchSize = 50;

tf.resetDefaultGraph();
tf.setRandomSeed(42);
const X = tf.placeholder('float32', { shape: [null, nInputs], name: 'X' });
const y = tf.placeholder('int32', { shape: [null], name: 'y' });

// fully_connected: relu by default, Xavier-initialised "weights" and zero "biases" in its scope.
const { fullyConnected } = tf.contrib.layers;
const logits = tf.nameScope('dnn', () => {
  const hidden1 = fullyConnected(X, nHidden1, { scope: 'hidden1' });
  const hidden2 = fullyConnected(hidden1, nHidden2, { scope: 'hidden2' });
  return fullyConnected(hidden2, nOutputs, { scope: 'outputs', activationFn: null });
});
const loss = tf.nameScope('loss', () => {
  const xentropy = tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits });
  return tf.reduceMean(xentropy, { name: 'loss' });
});
const trainingOp = tf.nameScope('train', () => {
  const optimizer = new tf.train.GradientDescentOptimizer(learningRate);
  return optimizer.minimize(loss);
});
const accuracy = tf.nameScope('eval', () => {
  const correct = tf.nn.inTopK(logits, y, 1);
  return tf.reduceMean(tf.cast(correct, 'float32'));
});
const init = tf.globalVariablesInitializer();
const saver = new tf.train.Saver();
console.log(`variables: ${tf.globalVariables().map((v) => `${v.op.name} [${v.shape.dims}]`).join(', ')}`);

const savePath = join(checkpointDir, 'my_model_final.ckpt');
{
  using sess = new tf.Session();
  sess.run(init);
  using summaries = trainingSummaries(args, sess, { batch_loss: loss, batch_accuracy: accuracy }, (xb, yb) => [[X, xb], [y, yb]]);
  const nEval = Math.min(1000, test.numExamples); // a quick look each epoch; the whole test set at the end
  const testHead = take(test, nEval);
  trainEpochs(train, batchSize, nEpochs, (xb, yb) => {
    const [, l] = sess.run([trainingOp, loss], [[X, xb], [y, yb]]);
    return l!.item() as number;
  }, (epoch, meanLoss) => {
    console.log(`epoch ${epoch}: train loss ${meanLoss.toFixed(4)}, test accuracy (first ${nEval}) ${percent(evaluate(sess, accuracy, X, y, testHead))}`);
  }, summaries);
  console.log(`saved ${saver.save(sess, savePath)}`);
}

// Using the network: restore the parameters into a new session and classify new images.
{
  using sess = new tf.Session();
  saver.restore(sess, savePath);
  const nNew = 20;
  const Z = sess.run(logits, [[X, test.images.subarray(0, nNew * nInputs)]]).toArray() as number[][];
  const yPred = Z.map((row) => row.indexOf(Math.max(...row))); // np.argmax(Z, axis=1)
  console.log(`restored; predicted classes: ${yPred.join(' ')}`);
  console.log(`actual classes:            ${Array.from(test.labels.subarray(0, nNew)).join(' ')}`);
  console.log(`final test accuracy: ${percent(evaluate(sess, accuracy, X, y, test))} ` +
    `(${test.numExamples} examples, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
