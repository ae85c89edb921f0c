// Writes the training graphs of bench/train.ts for bench/gpu_driver.cc (which runs them on a
// machine without Node.js):
//   npx tsx tools/export-bench-graphs.ts OUT_DIR [--device /gpu:0] [--only mlp-50,cnn-64]
// Per config, OUT_DIR/<name>.graph holds the GraphDef flatbuffer bytes a Session sends to the
// native runtime (Graph.asGraphDef().serialize(), what Session extends with), and
// OUT_DIR/<name>.json the sidecar: feeds (name, dtype, shape), train op, loss tensor, init op.
// Without --device the nodes carry no device and the placer picks (GPU:0 where the op has a
// GPU kernel); --device D wraps the model in tf.device(D), as a TF1 script would.
// The models are those of bench/train.ts (keep the two in step).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../src/index.js';

interface Config {
  name: string;
  model: 'mlp' | 'cnn';
  batch: number;
}
const allConfigs: Config[] = [
  { name: 'mlp-50', model: 'mlp', batch: 50 },
  { name: 'mlp-128', model: 'mlp', batch: 128 },
  { name: 'mlp-1024', model: 'mlp', batch: 1024 },
  { name: 'cnn-64', model: 'cnn', batch: 64 },
];

function usage(): never {
  console.error('usage: npx tsx tools/export-bench-graphs.ts OUT_DIR [--device /gpu:0] [--only mlp-50,cnn-64]');
  process.exit(2);
}

const args = process.argv.slice(2);
let outDir: string | undefined;
let device: string | undefined;
let only: string[] | undefined;
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--device') device = args[++i] ?? usage();
  else if (a === '--only') only = (args[++i] ?? usage()).split(',');
  else if (a.startsWith('--') || outDir !== undefined) usage();
  else outDir = a;
}
if (outDir === undefined) usage();
const configs = only ? allConfigs.filter((c) => only.includes(c.name)) : allConfigs;
if (configs.length === 0) usage();

/** The model of bench/train.ts's buildModel, optionally under a device scope. */
function buildModel(c: Config) {
  const graph = new tf.Graph();
  const body = () => {
    // Fixed seeds: the initial weights are the same on every device (the GPU's random ops
    // draw the CPU's Philox streams), so a CPU and a GPU run can be compared step by step.
    tf.setRandomSeed(7);
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
  return { graph, ...graph.asDefault(() => (device ? tf.device(device, body) : body())) };
}

mkdirSync(outDir, { recursive: true });
for (const c of configs) {
  const { graph, X, y, loss, trainOp, init } = buildModel(c);
  // What Session._callable sends on its first run: the whole graph as one Extend delta.
  const bytes = graph.asGraphDef().serialize();
  const sidecar = {
    config: c.name,
    model: c.model,
    batch: c.batch,
    device: device ?? null,
    warmup: c.model === 'mlp' ? 20 : 10, // bench/train.ts's defaults
    feeds: [
      { name: X.name, dtype: 'float32', shape: [c.batch, 784] },
      // Labels 0..9 (the driver fills int32 feeds with class indices).
      { name: y.name, dtype: 'int32', shape: [c.batch], max: 10 },
    ],
    train_op: trainOp.name,
    loss: loss.name,
    init_op: init.name,
    nodes: graph.asGraphDef().node.length,
  };
  writeFileSync(join(outDir, `${c.name}.graph`), bytes);
  writeFileSync(join(outDir, `${c.name}.json`), JSON.stringify(sidecar, null, 2) + '\n');
  console.log(`${c.name}: ${sidecar.nodes} nodes, ${bytes.length} bytes -> ${join(outDir, c.name)}.{graph,json}`);
}
