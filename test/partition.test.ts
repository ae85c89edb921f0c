// A step whose ops live on two devices (deviceCount {CPU: 2}) runs as one partition per
// device, joined by _Send/_Recv through the step's rendezvous (native/runtime/graph_partition.cc).
import test from 'ava';
import * as tf from 'tensorgraph';
import { captureLog } from './helpers.js';

const CPU = (i: number) => `/job:localhost/replica:0/task:0/device:CPU:${i}`;
const twoCpus = (extra: Record<string, unknown> = {}) => new tf.Session({ config: { deviceCount: { CPU: 2 }, ...extra } });

test.serial('values cross devices: matmul on cpu:1, add on cpu:0; placement is logged per node', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = tf.device('/cpu:1', () => tf.constant([[1, 2], [3, 4]], { name: 'a' }));
    const b = tf.constant([[5], [6]], { name: 'b' });
    const m = tf.device('/cpu:1', () => tf.matmul(a, b, { name: 'm' }));
    const s = tf.add(m, b, { name: 's' });
    using sess = twoCpus({ logDevicePlacement: true });
    let got: number[][] = [];
    const lines = captureLog(() => { got = sess.run([m, s]).map((x) => (x.toArray() as number[][]).flat()); });
    t.deepEqual(got, [[17, 39], [22, 45]]);  // [1*5+2*6, 3*5+4*6]; + [5, 6]
    t.deepEqual(lines, [`a: ${CPU(1)}`, `b: ${CPU(0)}`, `m: ${CPU(1)}`, `s: ${CPU(0)}`]);
    // A second run reuses the partitions (nothing new placed) and gives the same values.
    t.deepEqual(captureLog(() => t.deepEqual((sess.run(s).toArray() as number[][]).flat(), [22, 45])), []);
  });
});

test.serial('a fed value reaches both partitions; a fetched feed comes back as fed', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [], name: 'x' });
    const y = tf.device('/cpu:1', () => tf.multiply(x, 3));
    const z = tf.add(y, x);
    using sess = twoCpus();
    t.deepEqual(sess.run([z, y, x], { x: 2 }).map((v) => v.item()), [8, 6, 2]);
    t.deepEqual(sess.run([z], { x: -1 }).map((v) => v.item()), [-4]);
  });
});

test.serial('a tf.cond branch on the other device: the untaken branch crosses as dead', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [], name: 'x' });
    const p = tf.placeholder('bool', { shape: [], name: 'p' });
    const r = tf.cond(p, () => tf.device('/cpu:1', () => tf.multiply(x, 3)), () => tf.subtract(x, 1));
    using sess = twoCpus();
    const meta: tf.RunMetadata = {};
    t.is(sess.run(r, { x: 2, p: true }, { outputPartitionGraphs: true }, meta).item(), 6);
    t.is(meta.partitionGraphs!.length, 2);  // the step really spans both devices
    t.is(sess.run(r, { x: 2, p: false }).item(), 1);
  });
});

test.serial('a control dependency on an op of the other device makes it run first', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const counter = tf.device('/cpu:1', () => new tf.Variable(0, { name: 'counter' }));
    const inc = tf.device('/cpu:1', () => tf.assignAdd(counter, 1));
    const after = tf.controlDependencies([inc], () => tf.constant(5, { name: 'after' }));
    using sess = twoCpus();
    sess.run(counter.initializer);
    for (let i = 0; i < 3; i++) t.is(sess.run(after).item(), 5);
    t.is(sess.run(counter.value()).item(), 3);
  });
});

test.serial('an error in one partition fails the step naming its node, and cancels a blocked partition', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [], name: 'x' });
    const checked = tf.device('/cpu:1', () => tf.checkNumerics(tf.log(x), 'bad log', { name: 'check' }));
    const q = new tf.FIFOQueue(2, 'float32', { shapes: [[]] });
    const d = q.dequeue() as tf.Tensor;  // on cpu:0, never fed: only the error can end the step
    using sess = twoCpus();
    const e = t.throws(() => sess.run([checked.add(1), d], { x: -1 }), { instanceOf: tf.errors.InvalidArgumentError });
    t.regex(e!.message, /bad log/);
    t.is(e!.op, 'check');
    t.is(sess.run(checked, { x: 1 }).item(), 0);  // the session stays usable
  });
});

test.serial('timeoutInMs covers every partition: a dequeue blocked on cpu:1 ends in DeadlineExceeded', async (t) => {
  const g = new tf.Graph();
  const { q, y } = g.asDefault(() => {
    const queue = tf.device('/cpu:1', () => new tf.FIFOQueue(2, 'float32', { shapes: [[]] }));
    const d = tf.device('/cpu:1', () => queue.dequeue() as tf.Tensor);
    return { q: queue, y: tf.add(d, 1) };
  });
  using sess = new tf.Session({ graph: g, config: { deviceCount: { CPU: 2 } } });
  t.throws(() => sess.run(y, undefined, { timeoutInMs: 100 }), { instanceOf: tf.errors.DeadlineExceededError });
  await t.throwsAsync(sess.runAsync(y, undefined, { timeoutInMs: 100 }), { instanceOf: tf.errors.DeadlineExceededError });
  g.asDefault(() => sess.run(q.enqueue(4)));
  t.is(sess.run(y).item(), 5);
});

test.serial('sess.close() cancels a step whose dequeue on cpu:1 is blocked', async (t) => {
  const g = new tf.Graph();
  const y = g.asDefault(() => {
    const queue = tf.device('/cpu:1', () => new tf.FIFOQueue(2, 'float32', { shapes: [[]] }));
    return tf.add(tf.device('/cpu:1', () => queue.dequeue() as tf.Tensor), 1);
  });
  const sess = new tf.Session({ graph: g, config: { deviceCount: { CPU: 2 } } });
  const blocked = sess.runAsync(y);
  await new Promise((r) => setTimeout(r, 50));
  sess.close();
  await t.throwsAsync(blocked, { instanceOf: tf.errors.CancelledError });
});

/** Five steps of gradient descent on y = 2x with w, b on `varDevice`; returns [w, b] after step 1 and 5. */
function train(varDevice: string, config: Record<string, unknown>, parts: number[]): number[][] {
  const g = new tf.Graph();
  return g.asDefault(() => {
    const w = tf.device(varDevice, () => new tf.Variable(0, { name: 'w', dtype: 'float32' }));
    const b = tf.device(varDevice, () => new tf.Variable(0, { name: 'b', dtype: 'float32' }));
    const x = tf.constant([1, 2], { dtype: 'float32' });
    const y = tf.constant([2, 4], { dtype: 'float32' });
    const loss = tf.reduceMean(tf.square(tf.subtract(tf.add(tf.multiply(w, x), b), y)));
    const step = new tf.train.GradientDescentOptimizer(0.1).minimize(loss);
    using sess = new tf.Session({ graph: g, config });
    sess.run(tf.globalVariablesInitializer());
    const out: number[][] = [];
    const meta: tf.RunMetadata = {};
    sess.run(step, undefined, { outputPartitionGraphs: true }, meta);
    parts.push(meta.partitionGraphs!.length);
    const read = () => sess.run([w.value(), b.value()]).map((v) => v.item() as number);
    out.push(read());
    for (let i = 1; i < 5; i++) sess.run(step);
    out.push(read());
    return out;
  });
}

test.serial('training with variables on cpu:1 matches the one-device run', (t) => {
  const parts: number[] = [];
  const split = train('/cpu:1', { deviceCount: { CPU: 2 } }, parts);
  const one = train('/cpu:0', {}, parts);
  t.deepEqual(parts, [2, 1]);  // the split run's step spans both devices
  // Step 1 by hand: dL/dw = mean(2(0 - y)x) = -10, dL/db = mean(2(0 - y)) = -6; lr 0.1.
  t.true(Math.abs(split[0][0] - 1) < 1e-6 && Math.abs(split[0][1] - 0.6) < 1e-6, `${split[0]}`);
  t.deepEqual(split, one);
});

type T = tf.Tensor;

test.serial('a while loop inside one partition runs; one spanning devices is UnimplementedError naming it', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.constant(3, { name: 'x' });
    // The whole loop on cpu:1, its input from and its result to cpu:0: 3 doubled 4 times.
    const [, y] = tf.device('/cpu:1', () => tf.whileLoop((i: T) => i.lt(4), (i: T, v: T) => [i.add(1), v.mul(2)],
      [tf.constant(0), x], { name: 'inside' })) as T[];
    const z = tf.add(y, 1);
    // A loop whose body multiplies on the other device.
    const w = tf.whileLoop((i: T) => i.lt(4), (i: T) => tf.device('/cpu:1', () => i.add(1)), [tf.constant(0)],
      { name: 'across' }) as T;
    using sess = twoCpus();
    t.is(sess.run(z).item(), 49);
    const e = t.throws(() => sess.run(w), { instanceOf: tf.errors.UnimplementedError });
    t.regex(e!.message, /While loop 'across[^']*' spans devices/);
  });
});

test.serial('outputPartitionGraphs: one GraphDef per device, joined by a _Send/_Recv pair with TF attrs', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = tf.device('/cpu:1', () => tf.constant(2, { name: 'a' }));
    const s = tf.add(a, 1, { name: 's' });
    const lone = tf.constant(1, { name: 'lone' });
    using sess = twoCpus();
    const meta: tf.RunMetadata = {};
    t.is(sess.run(s, undefined, { outputPartitionGraphs: true }, meta).item(), 3);
    const graphs = meta.partitionGraphs!;
    t.is(graphs.length, 2);
    const str = (v: unknown) => (typeof v === 'string' ? v : new TextDecoder().decode(v as Uint8Array));
    const on1 = graphs.find((gd) => gd.node.some((n) => n.name === 'a'))!;
    const on0 = graphs.find((gd) => gd.node.some((n) => n.name === 's'))!;
    t.not(on0, on1);
    const send = on1.node.find((n) => n.op === '_Send')!;
    const recv = on0.node.find((n) => n.op === '_Recv')!;
    t.deepEqual(send.input, ['a']);
    t.regex(str(send.attr.tensor_name.value), /^edge_\d+_a$/);
    t.is(str(recv.attr.tensor_name.value), str(send.attr.tensor_name.value));
    for (const n of [send, recv]) {
      t.is(str(n.attr.send_device.value), CPU(1));
      t.is(str(n.attr.recv_device.value), CPU(0));
      t.false(n.attr.client_terminated.value as boolean);
    }
    t.is(recv.device, CPU(0));
    t.true(on0.node.find((n) => n.name === 's')!.input.includes(recv.name));
    const fetch = on0.node.find((n) => n.name === '_send_s_0')!;
    t.true(fetch.attr.client_terminated.value as boolean);
    // Without the option nothing is filled; a one-device run has one graph.
    const plain: tf.RunMetadata = {};
    sess.run(s, undefined, {}, plain);
    t.is(plain.partitionGraphs, undefined);
    const one: tf.RunMetadata = {};
    sess.run(lone, undefined, { outputPartitionGraphs: true }, one);
    t.deepEqual(one.partitionGraphs!.map((gd) => gd.node.map((n) => n.op)), [['Const', '_Send']]);
  });
});
