// Event files for the viewer's tests, screenshot and benchmark, written independently of the
// viewer's reader: protobufjs encodes tensorflow.Event from schema/proto and tf.io's
// TFRecordWriter frames the records.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import * as tf from 'tensorgraph';

const protoDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'proto');
const root = protobuf.loadSync([join(protoDir, 'event.proto'), join(protoDir, 'graph.proto')]);
const Event = root.lookupType('tensorflow.Event');
const GraphDef = root.lookupType('tensorflow.GraphDef');

export function encodeEvent(e: Record<string, unknown>): Uint8Array {
  const err = Event.verify(e);
  if (err) throw new Error(err);
  return Event.encode(Event.fromObject(e)).finish();
}

/** One event file, kept open so a test can grow it. */
export class EventLog {
  readonly writer: tf.io.TFRecordWriter;
  constructor(readonly path: string, wallTime = 1_700_000_000) {
    mkdirSync(dirname(path), { recursive: true });
    this.writer = new tf.io.TFRecordWriter(path);
    this.add({ wallTime, fileVersion: 'brain.Event:2' });
  }
  add(e: Record<string, unknown>): this {
    this.writer.write(encodeEvent(e));
    return this;
  }
  scalar(step: number, tag: string, value: number, wallTime = 1_700_000_000 + step): this {
    return this.add({ wallTime, step, summary: { value: [{ tag, simpleValue: value }] } });
  }
  histogram(step: number, tag: string, values: number[], wallTime = 1_700_000_000 + step): this {
    // TF's default bucket limits (1e-12 * 1.1^k on both sides of 0, then DBL_MAX), empty buckets dropped.
    const pos: number[] = [];
    for (let v = 1e-12; v < 1e20; v *= 1.1) pos.push(v);
    const all = [...pos.map((v) => -v).reverse(), 0, ...pos, 1.7976931348623157e308];
    const counts = all.map(() => 0);
    for (const v of values) counts[all.findIndex((l) => v < l)]++;
    const keep = counts.map((c, i) => c > 0 || (i > 0 && counts[i - 1] > 0));
    const limits = all.filter((_, i) => keep[i]);
    const bucket = counts.filter((_, i) => keep[i]);
    const histo = {
      min: Math.min(...values), max: Math.max(...values), num: values.length,
      sum: values.reduce((a, b) => a + b, 0), sumSquares: values.reduce((a, b) => a + b * b, 0), bucketLimit: limits, bucket,
    };
    return this.add({ wallTime, step, summary: { value: [{ tag, histo }] } });
  }
  graph(nodes: Record<string, unknown>[], wallTime = 1_700_000_000): this {
    return this.add({ wallTime, graphDef: GraphDef.encode(GraphDef.fromObject({ node: nodes, versions: { producer: 27 } })).finish() });
  }
  flush(): this {
    this.writer.flush();
    return this;
  }
  close(): void {
    this.writer.close();
  }
}

export const eventFile = (dir: string, n = 0) => join(dir, `events.out.tfevents.${1_700_000_000 + n}.testhost`);

const f32 = { type: 'DT_FLOAT' };
/** A small MLP training graph with name scopes, a CPU/GPU placement and typical attrs. */
export function mlpGraphNodes(): Record<string, unknown>[] {
  const shape = (...d: number[]) => ({ shape: { dim: d.map((size) => ({ size })) } });
  const cpu = '/job:localhost/replica:0/task:0/device:CPU:0';
  const gpu = '/job:localhost/replica:0/task:0/device:GPU:0';
  const n = (name: string, op: string, input: string[], device: string, attr: Record<string, unknown> = {}) => ({ name, op, input, device, attr });
  return [
    n('input/x', 'Placeholder', [], cpu, { dtype: f32, shape: shape(-1, 784) }),
    n('input/y', 'Placeholder', [], cpu, { dtype: { type: 'DT_INT64' }, shape: shape(-1) }),
    n('hidden/weights', 'VariableV2', [], gpu, { dtype: f32, shape: shape(784, 128), container: { s: Buffer.from('') }, shared_name: { s: Buffer.from('') } }),
    n('hidden/weights/read', 'Identity', ['hidden/weights'], gpu, { T: f32 }),
    n('hidden/biases', 'VariableV2', [], gpu, { dtype: f32, shape: shape(128) }),
    n('hidden/MatMul', 'MatMul', ['input/x', 'hidden/weights/read'], gpu, { T: f32, transpose_a: { b: false }, transpose_b: { b: false } }),
    n('hidden/add', 'Add', ['hidden/MatMul', 'hidden/biases'], gpu, { T: f32 }),
    n('hidden/Relu', 'Relu', ['hidden/add'], gpu, { T: f32 }),
    n('softmax_linear/weights', 'VariableV2', [], gpu, { dtype: f32, shape: shape(128, 10) }),
    n('softmax_linear/MatMul', 'MatMul', ['hidden/Relu', 'softmax_linear/weights'], gpu, { T: f32 }),
    n('loss/xentropy', 'SparseSoftmaxCrossEntropyWithLogits', ['softmax_linear/MatMul', 'input/y'], gpu, { T: f32, Tlabels: { type: 'DT_INT64' } }),
    n('loss/Const', 'Const', [], cpu, { dtype: f32, value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: 1 }] }, intVal: [0] } } }),
    n('loss/Mean', 'Mean', ['loss/xentropy', 'loss/Const'], gpu, { T: f32, keep_dims: { b: false } }),
    n('train/learning_rate', 'Const', [], cpu, { dtype: f32, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: {}, floatVal: [0.01] } } }),
    n('train/GradientDescent', 'NoOp', ['^loss/Mean', '^train/learning_rate'], gpu),
    n('init', 'NoOp', ['^hidden/weights', '^hidden/biases', '^softmax_linear/weights'], cpu),
  ];
}

/** A training-like run: `steps` points of loss/accuracy, a histogram every `histEvery` steps, the graph. */
export function writeDemoRun(dir: string, steps: number, seed = 1, histEvery = 100): string {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const path = eventFile(dir);
  const log = new EventLog(path).graph(mlpGraphNodes());
  for (let step = 0; step < steps; step++) {
    const t = step / Math.max(1, steps);
    log.scalar(step, 'loss', 2.3 * Math.exp(-4 * t) + 0.1 + 0.15 * (rand() - 0.5));
    log.scalar(step, 'accuracy', 1 - 0.9 * Math.exp(-5 * t) - 0.05 * rand());
    if (step % histEvery === 0) log.histogram(step, 'hidden/weights', Array.from({ length: 200 }, () => (rand() - 0.5) * (0.4 + 1.5 * t)));
  }
  log.close();
  return path;
}
