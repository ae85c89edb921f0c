// The models every training benchmark runs (bench/train.ts on the CPU, bench/gpu_driver.cc
// through tools/export-bench-graphs.ts on a GPU): the layers of examples/mnist_{mlp,cnn}.ts.
// The library module is passed in, because bench/train.ts loads it only after setting the
// OpenMP environment.
import type * as TF from 'tensorgraph';

export interface Config {
  name: string;
  model: 'mlp' | 'cnn';
  batch: number;
}

export const allConfigs: Config[] = [
  { name: 'mlp-50', model: 'mlp', batch: 50 },
  { name: 'mlp-128', model: 'mlp', batch: 128 },
  { name: 'mlp-1024', model: 'mlp', batch: 1024 },
  { name: 'cnn-64', model: 'cnn', batch: 64 },
];

/** The model of `c` in a graph of its own; `seed` fixes the initial weights, `device` pins it. */
export function buildModel(tf: typeof TF, c: Config, opts: { seed?: number; device?: string } = {}) {
  const graph = new tf.Graph();
  const body = () => {
    if (opts.seed !== undefined) tf.setRandomSeed(opts.seed);
    const X = tf.placeholder('float32', { shape: [null, 784], name: 'X' });
    const y = tf.placeholder('int32', { shape: [null], name: 'y' });
    let logits;
    if (c.model === 'mlp') {
      const h1 = tf.layers.dense(X, 300, { activation: tf.nn.relu, name: 'hidden1' });
      const h2 = tf.layers.dense(h1, 100, { activation: tf.nn.relu, name: 'hidden2' });
      logits = tf.layers.dense(h2, 10, { name: 'outputs' });
    } else {
      const images = tf.reshape(X, [-1, 28, 28, 1]);
      const conv1 = tf.layers.conv2d(images, 32, 5, { padding: 'same', activation: tf.nn.relu, name: 'conv1' });
      const pool1 = tf.layers.maxPooling2d(conv1, 2, 2, { name: 'pool1' });
      const conv2 = tf.layers.conv2d(pool1, 64, 5, { padding: 'same', activation: tf.nn.relu, name: 'conv2' });
      const pool2 = tf.layers.maxPooling2d(conv2, 2, 2, { name: 'pool2' });
      const flat = tf.layers.flatten(pool2, { name: 'flatten' });
      const fc1 = tf.layers.dense(flat, 256, { activation: tf.nn.relu, name: 'fc1' });
      logits = tf.layers.dense(fc1, 10, { name: 'outputs' });
    }
    const loss = tf.reduceMean(tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits }));
    const optimizer = c.model === 'mlp' ? new tf.train.GradientDescentOptimizer(0.01) : new tf.train.AdamOptimizer(1e-3);
    return { X, y, loss, trainOp: optimizer.minimize(loss), init: tf.globalVariablesInitializer() };
  };
  return { graph, ...graph.asDefault(() => (opts.device ? tf.device(opts.device, body) : body())) };
}
