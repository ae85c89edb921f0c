// tf.whileLoop: TF1 dataflow loops (Enter/Merge/Switch/LoopCond/NextIteration/Exit) run by
// the frame-aware executor, and their gradients (a mirror loop over saved forward values),
// checked against hand-computed values and finite differences.
import test from 'ava';
import * as tf from 'tensorgraph';
import { expectClose, inGraph, invalid } from './helpers.js';

type T = tf.Tensor;
const f64 = (shape: (number | null)[] | null, name: string) => tf.placeholder('float64', { shape, name });

test('a counter loop runs the body until the condition fails; one loop variable gives a tensor', (t) => inGraph(() => {
  const r = tf.whileLoop((i: T) => i.lt(10), (i: T) => i.add(1), [tf.constant(0)]);
  t.true(r instanceof tf.Tensor);
  t.is(r.name, 'while/Exit:0');
  using sess = new tf.Session();
  t.is(sess.run(r).item(), 10);
}));

test('TF1 node names and op types of the loop structure', (t) => inGraph((g) => {
  const x = tf.placeholder('float32', { shape: [2], name: 'x' });
  const [, y] = tf.whileLoop((i: T) => i.lt(3), (i: T, v: T) => [i.add(1), v.mul(2)], [tf.constant(0), x]) as T[];
  const types = new Map(g.getOperations().map((o) => [o.name, o.type]));
  for (const [name, type] of [['while/Enter', 'Enter'], ['while/Enter_1', 'Enter'], ['while/Merge', 'Merge'],
    ['while/LoopCond', 'LoopCond'], ['while/Switch', 'Switch'], ['while/Exit_1', 'Exit'], ['while/Identity', 'Identity'],
    ['while/NextIteration', 'NextIteration'], ['while/NextIteration_1', 'NextIteration']]) {
    t.is(types.get(name), type, name);
  }
  t.is(g.getOperationByName('while/Enter').getAttr('frame_name'), 'while/while_context');
  t.is(g.getOperationByName('while/Enter').getAttr('is_constant'), false);
  t.is(g.getOperationByName('while/Merge').inputs[1].name, 'while/NextIteration:0');
  t.deepEqual(y.shape.dims, [2]);
}));

test('several loop variables, an outside value read inside the body, nested structures', (t) => inGraph(() => {
  const n = tf.placeholder('int32', { shape: [], name: 'n' });
  const step = tf.placeholder('float32', { shape: [], name: 'step' });
  // sum of step * i for i < n, and the Fibonacci pair in an object.
  const [i, acc, fib] = tf.whileLoop(
    (i: T) => i.lt(n),
    (i: T, acc: T, f: { a: T; b: T }) => [i.add(1), acc.add(step.mul(tf.cast(i, 'float32'))), { a: f.b, b: f.a.add(f.b) }],
    [tf.constant(0), tf.constant(0, { dtype: 'float32' }), { a: tf.constant(0), b: tf.constant(1) }]) as [T, T, { a: T; b: T }];
  using sess = new tf.Session();
  const [iv, accv, a, b] = sess.run([i, acc, fib.a, fib.b], { n: 10, step: 0.5 });
  t.is(iv.item(), 10);
  t.is(accv.item(), 0.5 * 45);
  t.is(a.item(), 55);
  t.is(b.item(), 89);
  // Zero iterations: the initial values come straight out.
  const [i0, acc0] = sess.run([i, acc], { n: 0, step: 1 });
  t.is(i0.item(), 0);
  t.is(acc0.item(), 0);
}));

test('matrix loop variable and a constant created in the body (it runs every iteration)', (t) => inGraph(() => {
  const m = tf.constant([[1, 1], [1, 0]], { dtype: 'float32' });
  const [, p] = tf.whileLoop((i: T) => i.lt(5), (i: T, x: T) => [i.add(1), tf.matmul(x, m)],
    [tf.constant(0), tf.constant([[1, 0], [0, 1]], { dtype: 'float32' })]) as T[];
  using sess = new tf.Session();
  expectClose(t, sess.run(p), [[8, 5], [5, 3]]); // [[1,1],[1,0]]^5
}));

test('maximumIterations stops a loop whose condition still holds', (t) => inGraph(() => {
  const r = tf.whileLoop(() => tf.constant(true), (x: T) => x.mul(2), [tf.constant(1)], { maximumIterations: 6 });
  using sess = new tf.Session();
  t.is(sess.run(r).item(), 64);
}));

test('shape invariants: a growing loop variable needs one, and gets it', (t) => inGraph(() => {
  const cond = (i: T) => i.lt(3);
  const body = (i: T, x: T) => [i.add(1), tf.concat([x, x], 0)];
  const e = t.throws(() => tf.whileLoop(cond, body, [tf.constant(0), tf.ones([2])]), invalid);
  t.regex(e!.message, /enters the loop with shape \(2,\), but has shape \(4,\) after one iteration/);
  const [, x] = tf.whileLoop(cond, body, [tf.constant(0), tf.ones([2])], { shapeInvariants: [[], [null]] }) as T[];
  t.deepEqual(x.shape.dims, [null]);
  using sess = new tf.Session();
  t.deepEqual(sess.run(x).shape, [16]);
}));

test('construction errors: wrong number of results, dtype change, no loop variables', (t) => inGraph(() => {
  t.throws(() => tf.whileLoop((i: T) => i.lt(3), (i: T) => [i.add(1), i], [tf.constant(0)]), { message: /as many values/ });
  t.throws(() => tf.whileLoop((i: T) => i.lt(3), (i: T) => tf.cast(i, 'float32'), [tf.constant(0)]), { message: /enters the loop as int32/ });
  t.throws(() => tf.whileLoop(() => true, () => [], [] as unknown[]), { message: /No loop variables/ });
}));

test('a tf.cond inside the body takes one branch per iteration', (t) => inGraph(() => {
  // Collatz steps from 27: 111.
  const [, steps] = tf.whileLoop((x: T) => x.gt(1),
    (x: T, s: T) => [tf.cond(tf.equal(tf.mod(x, 2), 0), () => tf.floorDiv(x, 2), () => x.mul(3).add(1)), s.add(1)],
    [tf.constant(27), tf.constant(0)]) as T[];
  using sess = new tf.Session();
  t.is(sess.run(steps).item(), 111);
}));

test('a loop inside a tf.cond branch runs only when the branch is taken', (t) => inGraph(() => {
  const p = tf.placeholder('bool', { shape: [], name: 'p' });
  const r = tf.cond(p, () => tf.whileLoop((i: T) => i.lt(7), (i: T) => i.add(1), [tf.constant(0)]), () => tf.constant(-1));
  using sess = new tf.Session();
  t.is(sess.run(r, { p: true }).item(), 7);
  t.is(sess.run(r, { p: false }).item(), -1);
}));

test('nested loops: the inner loop restarts for every outer iteration', (t) => inGraph(() => {
  const [, total] = tf.whileLoop((i: T) => i.lt(4), (i: T, acc: T) => {
    const [, inner] = tf.whileLoop((j: T) => j.lt(i), (j: T, a: T) => [j.add(1), a.add(j)], [tf.constant(0), tf.constant(0)]) as T[];
    return [i.add(1), acc.add(inner)];
  }, [tf.constant(0), tf.constant(0)]) as T[];
  using sess = new tf.Session();
  t.is(sess.run(total).item(), 0 + 0 + 1 + 3); // sum over i<4 of sum over j<i of j
}));

test('variables inside the loop: assignAdd per iteration under control dependencies', (t) => inGraph(() => {
  const v = new tf.Variable(0, { name: 'v' });
  const r = tf.whileLoop((i: T) => i.lt(5), (i: T) => tf.controlDependencies([tf.assignAdd(v, i)], () => i.add(1)), [tf.constant(0)]);
  using sess = new tf.Session();
  sess.run(v.initializer);
  t.is(sess.run(r).item(), 5);
  t.is(sess.run(v).item(), 10);
}));

test('gradient of x^n through the loop matches d/dx and finite differences', (t) => inGraph(() => {
  const x = f64([], 'x');
  const [, y] = tf.whileLoop((i: T) => i.lt(4), (i: T, v: T) => [i.add(1), v.mul(x)], [tf.constant(0), tf.constant(1, { dtype: 'float64' })]) as T[];
  const [dx] = tf.gradients(y, [x]);
  using sess = new tf.Session();
  t.is(sess.run(dx!, { x: 1.5 }).item(), 4 * 1.5 ** 3);
  const err = tf.test.computeGradientError(x, [], y, [], { session: sess, xInitValue: tf.NDArray.from(0.7, 'float64') });
  t.true(err < 1e-5, `error ${err}`); // central differences: delta^2/6 * f''' = 2.8e-6
}));

test('gradient with respect to the initial value: v -> v*v three times is v^8', (t) => inGraph(() => {
  const v0 = f64([], 'v0');
  const [, y] = tf.whileLoop((i: T) => i.lt(3), (i: T, v: T) => [i.add(1), v.mul(v)], [tf.constant(0), v0]) as T[];
  const [dv] = tf.gradients(y, [v0]);
  using sess = new tf.Session();
  t.is(sess.run(dv!, { v0: 1.5 }).item(), 8 * 1.5 ** 7);
  // No iterations: the gradient passes straight through.
  const [, y0] = tf.whileLoop((i: T) => i.lt(0), (i: T, v: T) => [i.add(1), v.mul(v)], [tf.constant(0), v0]) as T[];
  const [d0] = tf.gradients(y0, [v0]);
  t.is(sess.run(d0!, { v0: 3 }).item(), 1);
}));

test('RNN-style loop: gradients of a weight matrix and the initial state match finite differences', (t) => inGraph(() => {
  const W = f64([3, 3], 'W');
  const h0 = f64([2, 3], 'h0');
  const xs = tf.constant([[0.1, -0.2, 0.3], [0.5, 0.1, -0.4], [-0.3, 0.2, 0.2], [0.05, 0.4, -0.1]], { dtype: 'float64' });
  const [, h] = tf.whileLoop((i: T) => i.lt(4),
    (i: T, h: T) => [i.add(1), tf.tanh(tf.matmul(h, W).add(tf.gather(xs, i)))],
    [tf.constant(0), h0]) as T[];
  const loss = tf.reduceSum(tf.square(h));
  const wInit = tf.NDArray.from([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.3, 0.7]], 'float64');
  const hInit = tf.NDArray.from([[0.3, -0.1, 0.2], [0.6, 0.2, -0.5]], 'float64');
  using sess = new tf.Session();
  const errW = tf.test.computeGradientError(W, [3, 3], loss, [], { session: sess, xInitValue: wInit, extraFeedDict: new Map([[h0, hInit]]) });
  const errH = tf.test.computeGradientError(h0, [2, 3], loss, [], { session: sess, xInitValue: hInit, extraFeedDict: new Map([[W, wInit]]) });
  t.true(errW < 1e-6, `W error ${errW}`);
  t.true(errH < 1e-6, `h0 error ${errH}`);
}));

test('gradient through a tf.cond inside the loop body follows the taken branch each iteration', (t) => inGraph(() => {
  const x = f64([], 'x');
  // Doubles while below 10, then adds 1: from x = 1.5: 3, 6, 12, 13, 14 after 5 iterations.
  const [, y] = tf.whileLoop((i: T) => i.lt(5),
    (i: T, v: T) => [i.add(1), tf.cond(v.lt(10), () => v.mul(2), () => v.add(1))],
    [tf.constant(0), x]) as T[];
  const [dx] = tf.gradients(y, [x]);
  using sess = new tf.Session();
  const [yv, dv] = sess.run([y, dx!], { x: 1.5 });
  t.is(yv.item(), 14);
  t.is(dv.item(), 8);
}));

test('training through a loop: GradientDescent on a weight used in every iteration fits it', (t) => inGraph(() => {
  const w = new tf.Variable(tf.constant(0.9, { dtype: 'float32' }), { name: 'w' });
  // v accumulates w * i for i < 5, so y = 10 w; fitting y = 5 drives w to 0.5.
  const [, y] = tf.whileLoop((i: T) => i.lt(5), (i: T, v: T) => [i.add(1), v.add(w.mul(tf.cast(i, 'float32')))],
    [tf.constant(0), tf.constant(0, { dtype: 'float32' })]) as T[];
  const loss = tf.square(y.sub(5));
  const train = new tf.train.GradientDescentOptimizer(0.004).minimize(loss);
  using sess = new tf.Session();
  sess.run(w.initializer);
  const first = sess.run(loss).item() as number;
  for (let k = 0; k < 30; k++) sess.run(train);
  t.is(first, 16);
  t.true(Math.abs((sess.run(w).item() as number) - 0.5) < 1e-4);
}));

test('backProp: false gives no gradient', (t) => inGraph(() => {
  const x = tf.placeholder('float32', { shape: [], name: 'x' });
  const y = tf.whileLoop((v: T) => v.lt(100), (v: T) => v.mul(2), [x], { backProp: false });
  t.deepEqual(tf.gradients(y, [x]), [undefined]);
}));

test('gradients through nested loops (the inner loop runs i + 1 times in outer iteration i) match finite differences', (t) => inGraph(() => {
  const x = f64([], 'x');
  const v0 = f64([], 'v0');
  const [, y] = tf.whileLoop((i: T) => i.lt(3), (i: T, v: T) => {
    const [, u] = tf.whileLoop((j: T) => j.le(i), (j: T, u: T) => [j.add(1), tf.sin(u).mul(x).add(u.mul(0.5))], [tf.constant(0), v]);
    return [i.add(1), u];
  }, [tf.constant(0), v0]);
  // The same computation unrolled in JS: six inner steps.
  const f = (xv: number, v: number) => {
    for (let k = 0; k < 6; k++) v = Math.sin(v) * xv + 0.5 * v;
    return v;
  };
  const [dx, dv] = tf.gradients(y, [x, v0]);
  using sess = new tf.Session();
  const [yv, gx, gv] = sess.run([y, dx!, dv!], { x: 0.8, v0: 0.3 });
  t.true(Math.abs((yv.item() as number) - f(0.8, 0.3)) < 1e-12);
  const h = 1e-6;
  t.true(Math.abs((gx.item() as number) - (f(0.8 + h, 0.3) - f(0.8 - h, 0.3)) / (2 * h)) < 1e-7);
  t.true(Math.abs((gv.item() as number) - (f(0.8, 0.3 + h) - f(0.8, 0.3 - h)) / (2 * h)) < 1e-7);
}));

test('run-time behaviour: fetching inside the loop is refused, an endless loop meets its deadline', (t) => inGraph((g) => {
  const r = tf.whileLoop((i: T) => i.lt(10), (i: T) => i.add(1), [tf.constant(0)]);
  using sess = new tf.Session();
  const e = t.throws(() => sess.run(g.getTensorByName('while/Identity:0')), invalid);
  t.regex(e!.message, /inside a while loop/);
  t.is(sess.run(r).item(), 10);
  const endless = tf.whileLoop(() => tf.constant(true), (i: T) => i.add(1), [tf.constant(0)]);
  t.throws(() => sess.run(endless, undefined, { timeoutInMs: 100 }), { instanceOf: tf.errors.DeadlineExceededError });
}));

test('runAsync, traced runs and a GraphDef round trip work with loops', async (t) => {
  const g = new tf.Graph();
  const r = g.asDefault(() => tf.whileLoop((i: T, s: T) => i.lt(5), (i: T, s: T) => [i.add(1), s.add(i)], [tf.constant(0), tf.constant(0)]) as T[]);
  const sess = new tf.Session({ graph: g });
  try {
    const [, s] = await sess.runAsync(r);
    t.is(s.item(), 10);
    const md: tf.RunMetadata = {};
    sess.run(r[1], undefined, { traceLevel: tf.TraceLevel.FULL_TRACE }, md);
    const nodes = md.stepStats!.devStats.flatMap((d) => d.nodeStats.map((n) => n.nodeName));
    t.true(nodes.includes('while/LoopCond'));
  } finally {
    sess.close();
  }
  const g2 = new tf.Graph();
  g2.asDefault(() => {
    const [out] = tf.importGraphDef(g.asGraphDef(), { returnElements: ['while/Exit_1:0'], name: '' })! as T[];
    using s2 = new tf.Session();
    t.is(s2.run(out).item(), 10);
  });
});
