// Session: the TF1 chapter-9 programs and the contract's run semantics, checked against
// hand-computed values.
import test from 'ava';
import * as tf from 'tensorgraph';

test('x*x*y + y + 2 is 42: sess.run, initializer.run/eval in a default session, InteractiveSession', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = new tf.Variable(3, { name: 'x' });
    const y = new tf.Variable(4, { name: 'y' });
    const f = x.mul(x).mul(y).add(y).add(2);

    const sess = new tf.Session();
    sess.run(x.initializer);
    sess.run(y.initializer);
    t.is(sess.run(f).item(), 42);
    sess.close();

    const s2 = new tf.Session();
    s2.asDefault(() => {
      x.initializer.run();
      y.initializer.run();
      t.is(f.eval().item(), 42);
    });
    s2.close();

    const init = tf.globalVariablesInitializer();
    const inter = new tf.InteractiveSession();
    init.run();
    t.is(f.eval().item(), 42);
    t.is(tf.getDefaultSession(), inter);
    inter.close();
    t.is(tf.getDefaultSession(), undefined);
  });
});

test('lifecycle: y = x + 5 and z = x * 3 give 10 and 15, and one run of [y, z] evaluates x once', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const counter = new tf.Variable(0, { name: 'counter' });
    const w = tf.constant(3);
    // x increments the counter each time it is evaluated.
    const x = tf.controlDependencies([tf.assignAdd(counter, 1)], () => w.add(2));
    const y = x.add(5);
    const z = x.mul(3);
    using sess = new tf.Session();
    sess.run(counter.initializer);
    t.is(sess.run(y).item(), 10);
    t.is(sess.run(z).item(), 15);
    t.is(sess.run(counter).item(), 2);
    const [yv, zv] = sess.run([y, z]);
    t.deepEqual([yv.item(), zv.item()], [10, 15]);
    t.is(sess.run(counter).item(), 3);
  });
});

test('placeholder of shape [null, 3] fed with 1 and 2 rows; all feed_dict forms', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const A = tf.placeholder('float32', { shape: [null, 3], name: 'A' });
    const B = A.add(5);
    using sess = new tf.Session();
    t.deepEqual(sess.run(B, new Map([[A, [[1, 2, 3]]]])).toArray(), [[6, 7, 8]]);
    t.deepEqual(sess.run(B, [[A, [[4, 5, 6], [7, 8, 9]]]]).toArray(), [[9, 10, 11], [12, 13, 14]]);
    t.deepEqual(sess.run(B, { A: [[0, 0, 0]] }).toArray(), [[5, 5, 5]]);
    t.deepEqual(sess.run(B, { 'A:0': new Float32Array([1, 1, 1, 2, 2, 2]) }).shape, [2, 3]);
    t.deepEqual(sess.run(B, new Map([['A', tf.NDArray.from([[1, 2, 3]], 'float64')]])).toArray(), [[6, 7, 8]]);
    t.is(sess.run(B, { A: [[1, 2, 3]] }).dtype, 'float32');
  });
});

test('fetch structures: nested arrays and objects, names, operations give undefined', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = tf.constant(1, { name: 'a' });
    const b = tf.constant(2, { name: 'b' });
    const op = tf.noOp({ name: 'nothing' });
    using sess = new tf.Session();
    const r = sess.run({ first: a, rest: [b, [a, op]], byName: 'b:0', opByName: 'nothing' });
    t.is(r.first.item(), 1);
    t.is(r.rest[0].item(), 2);
    t.is(r.rest[1][0].item(), 1);
    t.is(r.rest[1][1], undefined);
    t.is((r.byName as tf.NDArray).item(), 2);
    t.is(r.opByName, undefined);
  });
});

test('feeding an intermediate tensor skips its producers (their placeholders need no feed)', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [], name: 'x' });
    const hidden = x.mul(100);
    const out = hidden.add(1);
    using sess = new tf.Session();
    t.is(sess.run(out, [[hidden, 5]]).item(), 6);
    t.throws(() => sess.run(out), { instanceOf: tf.errors.InvalidArgumentError, message: /You must feed a value for placeholder tensor 'x'/ });
  });
});

test('feed errors name the placeholder and both shapes; dtypes convert like numpy', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const X = tf.placeholder('float32', { shape: [null, 3], name: 'X' });
    const i = tf.placeholder('int32', { shape: [2], name: 'i' });
    const y = X.mul(2);
    using sess = new tf.Session();
    const e1 = t.throws(() => sess.run(y, { X: [1, 2] }), { instanceOf: tf.errors.InvalidArgumentError });
    t.is(e1!.message, "Cannot feed value of shape (2,) for Tensor 'X:0', which has shape '(?, 3)'");
    t.is(e1!.op, 'X');
    const e2 = t.throws(() => sess.run(y, { X: [['a', 'b', 'c']] }), { instanceOf: tf.errors.InvalidArgumentError });
    t.regex(e2!.message, /Tensor 'X:0' of dtype float32/);
    const e3 = t.throws(() => sess.run(y), { instanceOf: tf.errors.InvalidArgumentError });
    t.regex(e3!.message, /You must feed a value for placeholder tensor 'X' with dtype float and shape \[\?,3\]/);
    t.is(e3!.op, 'X');
    // Floats fed to an int placeholder truncate toward zero (np.asarray(v, dtype=int32)).
    t.deepEqual(sess.run(i, { i: [1.9, -1.9] }).toArray(), [1, -1]);
    t.throws(() => sess.run(y, { 'nope:0': 1 }), { instanceOf: tf.errors.NotFoundError });
  });
});

test('uninitialized variables give FailedPreconditionError naming the variable', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const w = new tf.Variable(new Float32Array([1, 2]), { name: 'weights' });
    const y = w.mul(2);
    using sess = new tf.Session();
    const e = t.throws(() => sess.run(y), { instanceOf: tf.errors.FailedPreconditionError });
    t.regex(e!.message, /Attempting to use uninitialized value weights/);
    t.is(e!.op, 'weights');
    sess.run(w.initializer);
    t.deepEqual(sess.run(y).toArray(), [2, 4]);
  });
});

test('two sessions on one graph keep separate variable values', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable(10, { name: 'v' });
    const inc = tf.assignAdd(v, 1);
    using s1 = new tf.Session();
    using s2 = new tf.Session();
    s1.run(v.initializer);
    s2.run(v.initializer);
    s1.run(inc);
    s1.run(inc);
    s2.run(inc);
    t.is(s1.run(v).item(), 12);
    t.is(s2.run(v).item(), 11);
  });
});

test('the graph grows between runs: new ops are sent incrementally', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = tf.constant(2, { name: 'a' });
    using sess = new tf.Session();
    t.is(sess.run(a).item(), 2);
    const b = a.mul(21);
    t.is(sess.run(b).item(), 42);
    const c = b.sub(a);
    t.deepEqual(sess.run([a, b, c]).map((r) => r.item()), [2, 42, 40]);
  });
});

test('makeCallable runs with positional feeds', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [], name: 'x' });
    const y = x.mul(2).add(1);
    using sess = new tf.Session();
    const f = sess.makeCallable(y, [x]);
    t.is(f(3).item(), 7);
    t.is(f(-1).item(), -1);
    t.throws(() => f(), { instanceOf: tf.errors.InvalidArgumentError });
    const both = sess.makeCallable([y, x], ['x']);
    t.deepEqual(both(2).map((r: tf.NDArray) => r.item()), [5, 2]);
  });
});

test('runAsync resolves with the same values and never blocks the event loop', async (t) => {
  const g = new tf.Graph();
  const { x, y } = g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [null, null], name: 'x' });
    let y = x;
    for (let i = 0; i < 20; i++) y = tf.matmul(y, x);
    return { x, y };
  });
  using sess = new tf.Session({ graph: g });
  const n = 256;
  const eye = new Float32Array(n * n);
  for (let i = 0; i < n; i++) eye[i * n + i] = 1;
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const results = await Promise.all([0, 1, 2, 3].map(() => sess.runAsync(y, { x: tf.NDArray.from(eye, 'float32', [n, n]) })));
  clearInterval(timer);
  for (const r of results) {
    t.deepEqual(r.shape, [n, n]);
    t.is(r.get(5, 5), 1);
    t.is(r.get(5, 6), 0);
  }
  t.true(ticks > 0, 'the event loop ran while the steps were running');
  // Errors reject the promise with the tf.errors class.
  await t.throwsAsync(sess.runAsync(y), { instanceOf: tf.errors.InvalidArgumentError, message: /must feed a value for placeholder tensor 'x'/ });
});

test('runAsync of a short step gives the same values, and its errors still reject the promise', async (t) => {
  const g = new tf.Graph();
  const { x, y, s, r } = g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [], name: 'x' });
    const s = tf.placeholder('int32', { shape: [null], name: 's' });
    return { x, y: x.mul(2).add(1), s, r: tf.reshape(tf.constant([1, 2, 3, 4]), s) };
  });
  using sess = new tf.Session({ graph: g });
  // After the first step these run on the JS thread (see Session.runAsync).
  for (let i = 0; i < 50; i++) t.is((await sess.runAsync(y, [[x, i]])).item(), 2 * i + 1);
  for (let i = 0; i < 3; i++) t.deepEqual((await sess.runAsync(r, [[s, [2, 2]]])).shape, [2, 2]);
  let p: Promise<unknown> | undefined;
  t.notThrows(() => { p = sess.runAsync(r, [[s, [3, 3]]]); });
  await t.throwsAsync(p!, { instanceOf: tf.errors.InvalidArgumentError });
  t.is((await sess.runAsync(y, [[x, 5]])).item(), 11);
});

test('timeouts: RunOptions.timeoutInMs and config.operationTimeoutInMs raise DeadlineExceededError', (t) => {
  const g = new tf.Graph();
  const y = g.asDefault(() => {
    const x = tf.constant(tf.NDArray.zeros('float32', [300, 300]));
    let y = x;
    for (let i = 0; i < 400; i++) y = tf.matmul(y, x);
    return y;
  });
  using sess = new tf.Session({ graph: g });
  t.throws(() => sess.run(y, undefined, { timeoutInMs: 1 }), { instanceOf: tf.errors.DeadlineExceededError });
  using s2 = new tf.Session({ graph: g, config: { operationTimeoutInMs: 1 } });
  t.throws(() => s2.run(y), { instanceOf: tf.errors.DeadlineExceededError });
});

test('a closed session refuses to run; Symbol.dispose closes', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = tf.constant(1);
    const sess = new tf.Session();
    sess.close();
    t.throws(() => sess.run(a), { instanceOf: tf.errors.CancelledError, message: /closed Session/ });
    let inner: tf.Session;
    {
      using s = new tf.Session();
      inner = s;
      t.is(s.run(a).item(), 1);
    }
    t.true(inner.closed);
  });
});

test('eval without a default session is an error; a session of another graph is rejected', (t) => {
  const g = new tf.Graph();
  const a = g.asDefault(() => tf.constant(1));
  t.throws(() => a.eval(), { instanceOf: tf.errors.InvalidArgumentError, message: /No default session/ });
  using other = new tf.Session({ graph: new tf.Graph() });
  t.throws(() => a.eval({ session: other }), { instanceOf: tf.errors.InvalidArgumentError, message: /graph is different/ });
  using sess = new tf.Session({ graph: g });
  t.is(a.eval({ session: sess }).item(), 1);
});

test('Session.reset clears variables of every session', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable(1, { name: 'v' });
    using sess = new tf.Session();
    sess.run(v.initializer);
    t.is(sess.run(v).item(), 1);
    tf.Session.reset('', []);
    t.throws(() => sess.run(v), { instanceOf: tf.errors.FailedPreconditionError });
  });
});

test('results do not alias graph constants or variables', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const big = new Float32Array(4096).fill(1);
    const c = tf.constant(big, { shape: [4096] });
    const v = new tf.Variable(c, { name: 'v' });
    using sess = new tf.Session();
    sess.run(v.initializer);
    const r1 = sess.run(c);
    (r1.data as Float32Array)[0] = 99;
    t.is(sess.run(c).get(0), 1);
    const r2 = sess.run(v);
    (r2.data as Float32Array)[0] = 77;
    t.is(sess.run(v).get(0), 1);
  });
});
