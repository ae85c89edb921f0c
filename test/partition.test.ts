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

// A loop whose devices fall out of step would wait forever: fail instead.
const LOOP_TIMEOUT = 20000;

/** Runs fetches with outputPartitionGraphs; returns the values and, per device, the frames its control loops repeat. */
function runSplit(sess: tf.Session, fetches: T[]) {
  const meta: tf.RunMetadata = {};
  const values = sess.run(fetches, undefined, { outputPartitionGraphs: true, timeoutInMs: LOOP_TIMEOUT }, meta).map((r) => r.item() as number);
  const str = (v: unknown) => (typeof v === 'string' ? v : new TextDecoder().decode(v as Uint8Array));
  const loops: Record<string, string[]> = {};
  for (const gd of meta.partitionGraphs!) {
    const device = gd.node[0].device.replace(/.*device:/, '');
    loops[device] = gd.node.filter((n) => n.op === 'Enter' && n.name.startsWith('_cloop_'))
      .map((n) => str(n.attr.frame_name.value)).sort();
  }
  return { values, loops };
}

test.serial('a while loop inside one partition runs, and so does one whose body multiplies on the other device', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.constant(3, { name: 'x' });
    // The whole loop on cpu:1, its input from and its result to cpu:0: 3 doubled 4 times.
    const [, y] = tf.device('/cpu:1', () => tf.whileLoop((i: T) => i.lt(4), (i: T, v: T) => [i.add(1), v.mul(2)],
      [tf.constant(0), x], { name: 'inside' })) as T[];
    const z = tf.add(y, 1);
    // The loop on cpu:0, x * 2 + 1 on cpu:1: 10 times from 0 gives 2^10 - 1.
    const [i, v] = tf.whileLoop((i: T) => i.lt(10),
      (i: T, v: T) => [i.add(1), tf.device('/cpu:1', () => v.mul(2).add(1))],
      [tf.constant(0), tf.constant(0, { dtype: 'float32' })], { name: 'across' }) as T[];
    using sess = twoCpus();
    t.is(sess.run(z).item(), 49);
    const meta: tf.RunMetadata = {};
    t.deepEqual(sess.run([i, v], undefined, { outputPartitionGraphs: true, timeoutInMs: LOOP_TIMEOUT }, meta).map((r) => r.item()), [10, 1023]);
    // cpu:1 repeats the loop's iterations with a control loop of its own, driven by the
    // LoopCond received from cpu:0 once per iteration.
    const on1 = meta.partitionGraphs!.find((gd) => gd.node.every((n) => n.device === CPU(1)))!;
    const ops = on1.node.map((n) => n.op);
    for (const op of ['Enter', 'Merge', 'Switch', 'NextIteration']) t.is(ops.filter((o) => o === op).length, 1, op);
    // Its _Recvs (v, the LoopCond, the body's pivot for its constants) run once per iteration.
    const merge = on1.node.find((n) => n.op === 'Merge')!;
    const recvs = on1.node.filter((n) => n.op === '_Recv');
    t.true(recvs.length >= 2);
    for (const r of recvs) t.deepEqual(r.input, [`^${merge.name}`]);
    // Runs again with the same values (each step has its own keys).
    t.deepEqual(sess.run([i, v]).map((r) => r.item()), [10, 1023]);
  });
});

test.serial('a loop whose condition reads a value computed on cpu:1 and whose body runs on cpu:0', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    // While i * i < 50 (i * i on cpu:1): i runs 0..7, s sums them (on cpu:0).
    const [i, s] = tf.whileLoop((i: T) => tf.device('/cpu:1', () => i.mul(i)).lt(50),
      (i: T, s: T) => tf.device('/cpu:0', () => [i.add(1), s.add(i)]), [tf.constant(0), tf.constant(0)]) as T[];
    // The same with the loop's own nodes on cpu:1 and the body on cpu:0.
    const [j, u] = tf.device('/cpu:1', () => tf.whileLoop((j: T) => j.mul(j).lt(50),
      (j: T, u: T) => tf.device('/cpu:0', () => [j.add(1), u.add(j)]), [tf.constant(0), tf.constant(0)])) as T[];
    using sess = twoCpus();
    const { values, loops } = runSplit(sess, [i, s, j, u]);
    // Each device receives values inside both loops, so each repeats both.
    t.deepEqual(loops, { 'CPU:0': ['while/while_context', 'while_1/while_context'], 'CPU:1': ['while/while_context', 'while_1/while_context'] });
    t.deepEqual(values, [8, 28, 8, 28]);
  });
});

test.serial('nested loops whose inner body computes on cpu:1', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    // total = sum over i < 3 of (sum over j < 4 of (i + 1) * j) = 6 * 6.
    const [, total] = tf.whileLoop((i: T) => i.lt(3), (i: T, total: T) => {
      const [, s] = tf.whileLoop((j: T) => j.lt(4),
        (j: T, s: T) => [j.add(1), tf.device('/cpu:1', () => s.add(i.add(1).mul(j)))], [tf.constant(0), tf.constant(0)]) as T[];
      return [i.add(1), total.add(s)];
    }, [tf.constant(0), tf.constant(0)]) as T[];
    // The inner loop's nodes on cpu:1, its condition's bound computed on cpu:0: sum over
    // i < 4 of (number of j with j * j <= i) = 1 + 2 + 2 + 2.
    const [, count] = tf.whileLoop((i: T) => i.lt(4), (i: T, c: T) => {
      const bound = i.add(1);
      const j = tf.device('/cpu:1', () => tf.whileLoop((j: T) => j.mul(j).lt(bound), (j: T) => [j.add(1)], [tf.constant(0)])) as T;
      return [i.add(1), c.add(j)];
    }, [tf.constant(0), tf.constant(0)]) as T[];
    using sess = twoCpus();
    const { values, loops } = runSplit(sess, [total, count]);
    // An inner frame's control loop nests in its outer frame's on the same device.
    const frames = ['while/while/while_context', 'while/while_context', 'while_1/while_context'];
    t.deepEqual(loops, { 'CPU:0': frames, 'CPU:1': frames });
    t.deepEqual(values, [36, 7]);
  });
});

test.serial('gradients through a loop whose body multiplies on cpu:1', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.constant(1.5, { dtype: 'float32', name: 'x' });
    const v0 = tf.constant(2, { dtype: 'float32', name: 'v0' });
    // y = v0 * x^3 (three iterations of v * x on cpu:1): dy/dx = 3 v0 x^2, dy/dv0 = x^3.
    const [, y] = tf.whileLoop((i: T) => i.lt(3), (i: T, v: T) => [i.add(1), tf.device('/cpu:1', () => v.mul(x))],
      [tf.constant(0), v0]) as T[];
    const [dx, dv] = tf.gradients(y, [x, v0]) as T[];
    // Again with the gradient loop's multiplications on cpu:1 too (the rest of it on cpu:0).
    const [dxc] = tf.device((op) => (op.type === 'Mul' ? '/cpu:1' : '/cpu:0'), () => tf.gradients(y, [x])) as T[];
    // And with colocateGradientsWithOps: the body's gradient Muls follow v * x to cpu:1 (TF).
    const [dxo] = tf.gradients(y, [x], { colocateGradientsWithOps: true }) as T[];
    using sess = twoCpus();
    const { values: [yv, dxv, dvv, dxcv, dxov], loops } = runSplit(sess, [y, dx, dv, dxc, dxo]);
    // The forward loop and the second and third gradient loops span both devices.
    const spanning = ['gradients_1/while_grad/while_context', 'gradients_2/while_grad/while_context', 'while/while_context'];
    t.deepEqual(loops, { 'CPU:0': spanning, 'CPU:1': spanning });
    t.true(Math.abs(dxov - 13.5) < 1e-4, `${dxov}`);
    t.true(Math.abs(yv - 6.75) < 1e-5, `${yv}`);
    t.true(Math.abs(dxv - 13.5) < 1e-4, `${dxv}`);
    t.true(Math.abs(dvv - 3.375) < 1e-5, `${dvv}`);
    t.true(Math.abs(dxcv - 13.5) < 1e-4, `${dxcv}`);
  });
});

test.serial('a tf.cond inside a loop with its branches on different devices (Collatz steps from 6)', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    // 6 3 10 5 16 8 4 2 1: 8 steps; each iteration takes one branch, the other's value crosses dead.
    const [v, steps] = tf.whileLoop((v: T) => tf.greater(v, 1), (v: T, n: T) => [
      tf.cond(tf.equal(tf.mod(v, 2), 0), () => tf.device('/cpu:1', () => tf.floorDiv(v, 2)),
        () => tf.device('/cpu:0', () => v.mul(3).add(1))),
      n.add(1)], [tf.constant(6), tf.constant(0)]) as T[];
    using sess = twoCpus();
    const { values, loops } = runSplit(sess, [v, steps]);
    t.deepEqual(loops, { 'CPU:0': ['while/while_context'], 'CPU:1': ['while/while_context'] });
    t.deepEqual(values, [1, 8]);
  });
});

test.serial('a loop spanning devices on an untaken tf.cond branch: entered dead, it still meets cpu:1 once', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const p = tf.placeholder('bool', { shape: [], name: 'p' });
    const r = tf.cond(p, () => tf.whileLoop((i: T) => i.lt(5), (i: T) => [tf.device('/cpu:1', () => i.add(1))], [tf.constant(0)]) as T,
      () => tf.constant(-1));
    using sess = twoCpus();
    t.is(sess.run(r, { p: true }).item(), 5);
    t.is(sess.run(r, { p: false }, { timeoutInMs: LOOP_TIMEOUT }).item(), -1);  // cpu:1's control loop gets a dead LoopCond and stops
    t.is(sess.run(r, { p: true }).item(), 5);
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
    // Nothing but the transfers is added where there is no loop.
    t.deepEqual(on1.node.map((n) => n.op), ['Const', '_Send']);
    t.deepEqual(on0.node.map((n) => n.op), ['Const', '_Recv', 'AddV2', '_Send']);  // the 1 of a + 1 first
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
