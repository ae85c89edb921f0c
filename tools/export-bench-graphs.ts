// Writes the training graphs of bench/train.ts for bench/gpu_driver.cc (which runs them on a
// machine without Node.js):
//   npx tsx tools/export-bench-graphs.ts OUT_DIR [--device /gpu:0] [--only mlp-50,cnn-64]
// Per config, OUT_DIR/<name>.graph holds the GraphDef flatbuffer bytes a Session sends to the
// native runtime (Graph.asGraphDef().serialize(), what Session extends with), and
// OUT_DIR/<name>.json the sidecar: feeds (name, dtype, shape), train op, loss tensor, init op.
// Without --device the nodes carry no device and the placer picks (GPU:0 where the op has a
// GPU kernel); --device D wraps the model in tf.device(D), as a TF1 script would.
// The models are bench/models.ts's (bench/train.ts's), with fixed seeds.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allConfigs, buildModel } from '../bench/models.js';
import * as tf from 'tensorgraph';

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

mkdirSync(outDir, { recursive: true });
for (const c of configs) {
  const { graph, X, y, loss, trainOp, init } = buildModel(tf, c, { seed: 7, device }); // fixed seeds: the same initial weights on every device
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
