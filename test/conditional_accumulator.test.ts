// tf.ConditionalAccumulator: the TF1 ops (ConditionalAccumulator, AccumulatorApplyGradient,
// AccumulatorTakeGradient, AccumulatorNumAccumulated, AccumulatorSetGlobalStep) and the
// class. Expected values are TF's kernel_tests/conditional_accumulator_test.py.
import test from 'ava';
import * as tf from 'tensorgraph';

/** A fresh graph with a session on it; `fn` builds and runs. */
function session<T>(fn: (sess: tf.Session, g: tf.Graph) => T): T {
  const g = new tf.Graph();
  const sess = new tf.Session({ graph: g });
  try {
    return g.asDefault(() => fn(sess, g));
  } finally {
    sess.close();
  }
}

const f32 = (v: number[]) => new Float32Array(v);
const item = (sess: tf.Session, t: tf.Tensor) => sess.run(t).item() as number;

test('the ConditionalAccumulator node and its attrs (testConstructor, testConstructorWithShape)', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const q = new tf.ConditionalAccumulator('float32', { name: 'Q' });
    const op = q.accumulatorRef.op;
    t.is(op.name, 'Q');
    t.is(op.type, 'ConditionalAccumulator');
    t.is(q.accumulatorRef.dtype, 'string');
    t.deepEqual(q.accumulatorRef.shape.dims, [2]);
    t.is(op.getAttr('dtype'), 'float32');
    t.is((op.getAttr('shape') as tf.TensorShape).dims, null);
    t.is(op.getAttr('container'), '');
    t.is(op.getAttr('shared_name'), '');
    t.is(op.getAttr('reduction_type'), 'MEAN');
    const q2 = new tf.ConditionalAccumulator('float32', { name: 'Q', shape: [1, 5, 2, 8] });
    t.is(q2.accumulatorRef.op.name, 'Q_1');
    t.deepEqual((q2.accumulatorRef.op.getAttr('shape') as tf.TensorShape).dims, [1, 5, 2, 8]);
    t.throws(() => new tf.ConditionalAccumulator('float32', { reductionType: 'Invalid' as 'SUM' }), { instanceOf: tf.errors.InvalidArgumentError });
  });
});

test('applyGrad ops run beside the accumulator: colocated with it through the ref handle', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const q = tf.device('/job:ps/task:1', () => new tf.ConditionalAccumulator('float32', { name: 'Q', shape: [1] }));
    tf.device('/job:worker', () => {
      const apply = q.applyGrad(f32([1]));
      const take = q.takeGrad(1);
      t.is(apply.device, q.accumulatorRef.op.device);
      t.is(take.op.device, q.accumulatorRef.op.device);
      t.deepEqual(apply.getAttr('_class'), ['loc:@Q']);
    });
  });
});

test('a wrong static gradient shape fails at construction (testAccumulatorApplyGradWithWrongShape)', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const q = new tf.ConditionalAccumulator('float32', { name: 'Q', shape: [3, 2] });
    t.throws(() => q.applyGrad(tf.constant([[1, 2], [3, 4]], { dtype: 'float32' })), { instanceOf: tf.errors.InvalidArgumentError });
    t.throws(() => q.applyGrad(tf.constant([[1], [2], [3]], { dtype: 'float32' })), { instanceOf: tf.errors.InvalidArgumentError });
  });
});

test('numAccumulated counts applies; takeGrad resets it (testAccumulatorSizeAfterApplyGradAndTakeGrad)', (t) => session((sess) => {
  const q = new tf.ConditionalAccumulator('float32', { name: 'Q', shape: [1] });
  const accum = q.applyGrad(f32([10]));
  const extract = q.takeGrad(2);
  const n = q.numAccumulated();
  t.is(n.op.name, 'Q_NumAccumulated');
  t.is(item(sess, n), 0);
  sess.run(accum);
  t.is(item(sess, n), 1);
  sess.run(accum);
  t.is(item(sess, n), 2);
  sess.run(extract.op);
  t.is(item(sess, n), 0);
  // The take advanced the accumulator's step to 1: local step 0 is stale now.
  sess.run(accum);
  t.is(item(sess, n), 0);
  const accum1 = q.applyGrad(f32([10]), { localStep: 1 });
  for (let i = 0; i < 4; i++) sess.run(accum1);
  t.is(item(sess, n), 4);
  sess.run(extract.op);
  t.is(item(sess, n), 0);
}));

test('takeGrad averages (MEAN) or sums (SUM), step after step (testAccumulatorTakeGradMean/Sum, Repeated*)', (t) => {
  for (const [reductionType, first, second] of [['MEAN', 15, 25], ['SUM', 30, 50]] as const) {
    session((sess) => {
      const q = new tf.ConditionalAccumulator('float32', { name: 'Q', shape: [1], reductionType });
      for (const x of [10, 20]) sess.run(q.applyGrad(f32([x]), { localStep: 0 }));
      const take = q.takeGrad(1);
      t.deepEqual(Array.from(sess.run(take).data as Float32Array), [first], reductionType);
      for (const x of [20, 30]) sess.run(q.applyGrad(f32([x]), { localStep: 1 }));
      t.deepEqual(Array.from(sess.run(q.takeGrad(tf.constant(1))).data as Float32Array), [second], reductionType);
    });
  }
});

test('float16, float32 and float64 accumulate (testDtypes: mean of 0..9 is 4.5)', (t) => {
  for (const dtype of ['float16', 'float32', 'float64'] as const) {
    session((sess) => {
      const q = new tf.ConditionalAccumulator(dtype, { shape: [1] });
      for (let e = 0; e < 10; e++) sess.run(q.applyGrad(tf.constant([e], { dtype })));
      const r = sess.run(q.takeGrad(1));
      t.is(r.dtype, dtype);
      t.is(r.item(), 4.5, dtype);
    });
  }
});

test('accumulators of one name in a graph are distinct (testAccumulatorMultipleAccumulators)', (t) => session((sess) => {
  const accums = [
    new tf.ConditionalAccumulator('float16', { name: 'Q', shape: [1] }),
    new tf.ConditionalAccumulator('float16', { name: 'Q', shape: [1] }),
    new tf.ConditionalAccumulator('float32', { name: 'Q', shape: [1] }),
    new tf.ConditionalAccumulator('float32', { name: 'Q', shape: [1] }),
  ];
  accums.forEach((q, i) => sess.run(q.applyGrad(tf.constant([i + 10], { dtype: q.dtype }))));
  accums.forEach((q, i) => t.is(item(sess, q.takeGrad(1)), i + 10));
}));

test('matrix gradients average elementwise, with a static or a fed shape (WithShape, DynamicShape)', (t) => {
  const elems = [[[1, 2], [3, 4], [5, 6]], [[10, 20], [30, 40], [50, 60]]];
  const ave = [[5.5, 11], [16.5, 22], [27.5, 33]];
  session((sess) => {
    const q = new tf.ConditionalAccumulator('float32', { name: 'Q', shape: [3, 2] });
    for (const x of elems) sess.run(q.applyGrad(tf.constant(x, { dtype: 'float32' })));
    const r = sess.run(q.takeGrad(1));
    t.deepEqual(r.shape, [3, 2]);
    t.deepEqual(r.toArray(), ave);
  });
  session((sess) => {
    const q = new tf.ConditionalAccumulator('float32', { name: 'Q' });
    const x = tf.placeholder('float32');
    const accum = q.applyGrad(x);
    for (const e of elems) sess.run(accum, [[x, e]]);
    t.deepEqual(sess.run(q.takeGrad(1)).toArray(), ave);
  });
});

test('after the first gradient, others of another shape fail at run time (testAccumulatorWrongDynamicShape)', (t) => session((sess) => {
  const q = new tf.ConditionalAccumulator('float32', { name: 'Q' });
  const x = tf.placeholder('float32');
  const accum = q.applyGrad(x);
  sess.run(accum, [[x, [[1, 2], [3, 4], [5, 6]]]]);
  t.throws(() => sess.run(accum, [[x, [[1, 2], [3, 4]]]]), { instanceOf: tf.errors.InvalidArgumentError, message: /Shape mismatch: expected \[3,2\], got \[2,2\]/ });
  t.throws(() => sess.run(accum, [[x, [[1], [2], [3]]]]), { instanceOf: tf.errors.InvalidArgumentError });
  t.is(item(sess, q.numAccumulated()), 1);
  // A declared shape is checked even for the first gradient.
  const fixed = new tf.ConditionalAccumulator('float32', { shape: [2] });
  const y = tf.placeholder('float32');
  const e = t.throws(() => sess.run(fixed.applyGrad(y, { name: 'bad_apply' }), [[y, [1, 2, 3]]]), { instanceOf: tf.errors.InvalidArgumentError });
  t.is(e?.op, 'bad_apply');
}));

test('takeGrad with numRequired < 1 fails (testAccumulatorInvalidTakeGrad)', (t) => session((sess) => {
  const q = new tf.ConditionalAccumulator('float32', { name: 'Q', shape: [1] });
  for (const x of [10, 20]) sess.run(q.applyGrad(f32([x])));
  t.throws(() => sess.run(q.takeGrad(-1)), { instanceOf: tf.errors.InvalidArgumentError, message: /num_required must be positive, but was -1/ });
}));

test('setGlobalStep drops gradients of older local steps (testAccumulatorSetGlobalStepPreventsAccumulation)', (t) => session((sess) => {
  const q = new tf.ConditionalAccumulator('float32', { name: 'Q', shape: [1] });
  const steps = [1000, 1001, 1002, 1003, 1004];
  const accumOps = steps.map((x) => q.applyGrad(f32([x]), { localStep: x }));
  for (const ls of steps) {
    sess.run(q.setGlobalStep(ls));
    for (const op of accumOps) sess.run(op);
    const kept = steps.filter((x) => x >= ls);
    t.is(item(sess, q.takeGrad(1)), kept.reduce((a, b) => a + b, 0) / kept.length);
  }
}));

test('a global step fed from a variable (testAccumulatorIncrementGlobalStep)', (t) => session((sess) => {
  const q = new tf.ConditionalAccumulator('float32', { name: 'Q', shape: [1] });
  const globalStep = new tf.Variable(0, { name: 'global_step' });
  const next = tf.add(globalStep, 1);
  const inc = tf.assign(globalStep, next);
  const set = q.setGlobalStep(next);
  t.is(set.inputs[1].dtype, 'int64');
  sess.run(tf.globalVariablesInitializer());
  for (let i = 0; i < 3; i++) {
    sess.run(set);
    sess.run(inc);
  }
  // The accumulator is at step 3: a gradient from step 2 is stale, one from step 3 is not.
  sess.run(q.applyGrad(f32([5]), { localStep: 2 }));
  t.is(item(sess, q.numAccumulated()), 0);
  sess.run(q.applyGrad(f32([5]), { localStep: 3 }));
  t.is(item(sess, q.numAccumulated()), 1);
}));

test('a blocked takeGrad holds no thread and completes when enough gradients arrive (testAccumulatorApplyAndBlockingTake)', async (t) => {
  const g = new tf.Graph();
  const { q, take } = g.asDefault(() => {
    const acc = new tf.ConditionalAccumulator('float32', { name: 'Q', shape: [1] });
    return { q: acc, take: acc.takeGrad(3) };
  });
  // One inter-op thread: the parked take must not keep the applies from running.
  const sess = new tf.Session({ graph: g, config: { interOpParallelismThreads: 1 } });
  const pending = sess.runAsync(take);
  let done = false;
  void pending.then(() => (done = true), () => (done = true));
  for (const x of [10, 20]) g.asDefault(() => sess.run(q.applyGrad(f32([x]))));
  await new Promise((r) => setImmediate(r));
  t.false(done);
  g.asDefault(() => sess.run(q.applyGrad(f32([30]))));
  t.is((await pending).item(), 20);
  t.is(g.asDefault(() => item(sess, q.numAccumulated())), 0);
  sess.close();
});

test('two blocked takes: each batch of gradients completes one of them', async (t) => {
  const g = new tf.Graph();
  const { q, take } = g.asDefault(() => {
    const acc = new tf.ConditionalAccumulator('float32', { shape: [1], reductionType: 'SUM' });
    return { q: acc, take: acc.takeGrad(2) };
  });
  const sess = new tf.Session({ graph: g });
  const takes = [sess.runAsync(take), sess.runAsync(take)];
  const apply = (x: number, step: number) => g.asDefault(() => sess.run(q.applyGrad(f32([x]), { localStep: step })));
  apply(1, 0);
  apply(2, 0);
  // Whichever take gets there first takes both (whenever it parks) and advances the step to 1.
  const first = await Promise.race(takes.map((p, i) => p.then((v) => ({ i, v: v.item() }))));
  t.is(first.v, 3);
  apply(100, 0);  // stale now
  apply(4, 1);
  apply(8, 1);
  t.is((await takes[1 - first.i]).item(), 12);
  sess.close();
});

test('closing the session cancels a blocked takeGrad (testAccumulatorCancel)', async (t) => {
  const g = new tf.Graph();
  const take = g.asDefault(() => new tf.ConditionalAccumulator('float32', { name: 'Q', shape: [1] }).takeGrad(1));
  const sess = new tf.Session({ graph: g });
  const blocked = sess.runAsync(take);
  await new Promise((r) => setTimeout(r, 20));
  sess.close();
  await t.throwsAsync(blocked, { instanceOf: tf.errors.CancelledError });
});

test('a blocked takeGrad times out with DeadlineExceeded; the accumulator stays usable', (t) => session((sess) => {
  const q = new tf.ConditionalAccumulator('float32', { name: 'Q', shape: [1] });
  const take = q.takeGrad(1);
  t.throws(() => sess.run(take, undefined, { timeoutInMs: 50 }), { instanceOf: tf.errors.DeadlineExceededError });
  sess.run(q.applyGrad(f32([7])));
  t.is(item(sess, take), 7);
}));

test('a taken average is not changed by later gradients (the next sum starts in a new buffer)', (t) => session((sess) => {
  const q = new tf.ConditionalAccumulator('float32', { shape: [2] });
  sess.run(q.applyGrad(f32([1, 2])));
  const take = q.takeGrad(1);
  const a = sess.run(take);
  const later = q.applyGrad(f32([100, 100]), { localStep: 1 });
  sess.run(later);
  sess.run(later);
  t.deepEqual(Array.from(a.data as Float32Array), [1, 2]);
  t.deepEqual(Array.from(sess.run(take).data as Float32Array), [100, 100]);
}));

test('an accumulator of an unsupported dtype has no kernel; a shared name with another dtype is an error', (t) => session((sess) => {
  const qi = new tf.ConditionalAccumulator('int32', { shape: [1] });
  t.throws(() => sess.run(qi.numAccumulated()), { instanceOf: tf.errors.OpError });
  const a = new tf.ConditionalAccumulator('float32', { shape: [1], sharedName: 'shared' });
  const b = new tf.ConditionalAccumulator('float64', { shape: [1], sharedName: 'shared' });
  sess.run(a.applyGrad(f32([1])));
  t.throws(() => sess.run(b.numAccumulated()), { instanceOf: tf.errors.InvalidArgumentError, message: /Shared accumulator 'shared' has dtype float/ });
}));

test('concurrent applies all count (testParallelApplyGrad)', async (t) => {
  const g = new tf.Graph();
  const { q, applies } = g.asDefault(() => {
    const acc = new tf.ConditionalAccumulator('float32', { name: 'Q', shape: [1] });
    return { q: acc, applies: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((x) => acc.applyGrad(f32([x]), { localStep: 0 })) };
  });
  const sess = new tf.Session({ graph: g });
  await Promise.all(applies.map((op) => sess.runAsync(op)));
  t.is(g.asDefault(() => item(sess, q.takeGrad(1))), 55);
  sess.close();
});
