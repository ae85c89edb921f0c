// tf.contrib.layers: fullyConnected variable and op names, batchNorm (variables, UPDATE_OPS or
// in-place updates, values), dropout, flatten, l1/l2 regularizers in REGULARIZATION_LOSSES,
// argScope defaults, and a small MLP trained with Adam.
import test from 'ava';
import * as tf from 'tensorgraph';
const { xavierInitializer } = tf.contrib.layers;
import { expectClose, flat, inGraph, type Nested, varNames, withSession } from './helpers.js';
const cl = tf.contrib.layers;

const values = (sess: tf.Session, x: tf.Tensor, feeds: [tf.Tensor, unknown][] = []) =>
  flat((sess.run(x, feeds) as tf.NDArray).toArray() as Nested) as number[];

test('fullyConnected: <scope>/weights and <scope>/biases, relu by default, model variables', (t) => {
  inGraph(() => {
    const x = tf.placeholder('float32', { shape: [null, 784] });
    const h1 = cl.fullyConnected(x, 300, { scope: 'hidden1' });
    const h2 = cl.fullyConnected(h1, 100);
    const out = cl.fullyConnected(h2, 10, { activationFn: null });
    t.deepEqual(varNames(tf.trainableVariables()), [
      'hidden1/weights', 'hidden1/biases', 'fully_connected/weights', 'fully_connected/biases',
      'fully_connected_1/weights', 'fully_connected_1/biases',
    ]);
    t.is(tf.modelVariables().length, 6);
    t.deepEqual(tf.trainableVariables()[0].shape.dims, [784, 300]);
    t.is(h1.op.name, 'hidden1/Relu');
    t.is(h1.op.inputs[0].op.name, 'hidden1/BiasAdd');
    t.is(h1.op.inputs[0].op.inputs[0].op.name, 'hidden1/MatMul');
    t.is(out.op.name, 'fully_connected_1/BiasAdd');
    t.deepEqual(out.shape.dims, [null, 10]);
    // reuse
    t.throws(() => cl.fullyConnected(x, 300, { scope: 'hidden1' }), { message: /already exists/ });
    cl.fullyConnected(x, 300, { scope: 'hidden1', reuse: true });
    t.is(tf.globalVariables().length, 6);
  });
});

test('fullyConnected computes relu(x·W + b)', (t) => {
  const g = new tf.Graph();
  const y = g.asDefault(() => cl.fullyConnected(tf.constant([[1, -2], [3, 4]], { dtype: 'float32' }), 2, {
    weightsInitializer: tf.constantInitializer([[1, 2], [3, 4]]), biasesInitializer: tf.constantInitializer(-1),
  }));
  withSession(g, (sess) => expectClose(t, sess.run(y) as tf.NDArray, [[0, 0], [14, 21]], [2, 2]));
});

test('l2Regularizer and l1Regularizer add scale * l2_loss(w) and scale * sum|w| to REGULARIZATION_LOSSES', (t) => {
  const g = new tf.Graph();
  const losses = g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [null, 2] });
    cl.fullyConnected(x, 2, { scope: 'hidden1', weightsInitializer: tf.constantInitializer([[1, -2], [3, 4]]), weightsRegularizer: cl.l2Regularizer(0.1) });
    cl.fullyConnected(x, 2, { scope: 'hidden2', weightsInitializer: tf.constantInitializer([[1, -2], [3, 4]]), weightsRegularizer: cl.l1Regularizer(0.5) });
    cl.fullyConnected(x, 2, { scope: 'hidden3', weightsRegularizer: cl.l2Regularizer(0) });
    return tf.getCollection<tf.Tensor>(tf.GraphKeys.REGULARIZATION_LOSSES);
  });
  t.is(losses.length, 2);
  t.is(losses[0].op.name, 'hidden1/weights/Regularizer/l2_regularizer');
  t.is(losses[1].op.name, 'hidden2/weights/Regularizer/l1_regularizer');
  t.throws(() => cl.l2Regularizer(-1), { message: /less than 0/ });
  withSession(g, (sess) => {
    expectClose(t, sess.run(losses[0]) as tf.NDArray, 0.1 * (1 + 4 + 9 + 16) / 2, []);
    expectClose(t, sess.run(losses[1]) as tf.NDArray, 0.5 * 10, []);
  });
});

test('batchNorm: BatchNorm/beta, moving_mean, moving_variance (gamma with scale); updates in UPDATE_OPS', (t) => {
  const xs = [[1, 10], [2, 20], [3, 30], [6, 60]];
  const g = new tf.Graph();
  const { y, updates } = g.asDefault(() => {
    const x = tf.constant(xs, { dtype: 'float32' });
    const y = cl.batchNorm(x, { decay: 0.9 });
    cl.batchNorm(x, { scale: true });
    return { y, updates: tf.getCollection<tf.Tensor>(tf.GraphKeys.UPDATE_OPS) };
  });
  t.deepEqual(g.asDefault(() => varNames(tf.globalVariables())), [
    'BatchNorm/beta', 'BatchNorm/moving_mean', 'BatchNorm/moving_variance',
    'BatchNorm_1/beta', 'BatchNorm_1/gamma', 'BatchNorm_1/moving_mean', 'BatchNorm_1/moving_variance',
  ]);
  t.deepEqual(g.asDefault(() => varNames(tf.trainableVariables())), ['BatchNorm/beta', 'BatchNorm_1/beta', 'BatchNorm_1/gamma']);
  t.is(updates.length, 4);
  withSession(g, (sess) => {
    const [out] = sess.run([y, updates[0], updates[1]]) as tf.NDArray[];
    expectClose(t, out, xs.map((r) => r.map((v, j) => (v - [3, 30][j]) / Math.sqrt([3.5, 350][j] + 0.001))), [4, 2], 1e-4);
    const mm = g.asDefault(() => tf.globalVariables()[1]);
    expectClose(t, sess.run(mm) as tf.NDArray, [0.3, 3], [2], 1e-5);
  });
});

test('batchNorm with updatesCollections null updates in place; isTraining false uses the moving statistics', (t) => {
  const xs = [[1, 10], [2, 20], [3, 30], [6, 60]];
  const g = new tf.Graph();
  const { y, yInf, mm } = g.asDefault(() => {
    const x = tf.constant(xs, { dtype: 'float32' });
    const y = cl.batchNorm(x, { decay: 0.5, updatesCollections: null, scope: 'bn' });
    const yInf = cl.batchNorm(x, { isTraining: false, scope: 'bn', reuse: true });
    return { y, yInf, mm: tf.globalVariables()[1] };
  });
  t.is(g.asDefault(() => tf.getCollection(tf.GraphKeys.UPDATE_OPS)).length, 0);
  t.is(y.op.type, 'Identity');
  t.is(y.op.controlInputs.length, 2);
  withSession(g, (sess) => {
    expectClose(t, sess.run(yInf) as tf.NDArray, xs.map((r) => r.map((v) => v / Math.sqrt(1.001))), [4, 2], 1e-5);
    sess.run(y);
    expectClose(t, sess.run(mm) as tf.NDArray, [1.5, 15], [2], 1e-5);
    expectClose(t, sess.run(yInf) as tf.NDArray,
      xs.map((r) => r.map((v, j) => (v - [1.5, 15][j]) / Math.sqrt(0.5 + 0.5 * [3.5, 350][j] + 0.001))), [4, 2], 1e-4);
  });
});

test('fullyConnected with normalizerFn batchNorm has no biases; argScope sets defaults', (t) => {
  inGraph(() => {
    const training = tf.placeholderWithDefault(false, [], { name: 'training' });
    const x = tf.placeholder('float32', { shape: [null, 4] });
    const out = cl.argScope([cl.fullyConnected], { normalizerFn: cl.batchNorm, normalizerParams: { isTraining: training, decay: 0.9 } }, () => {
      const h = cl.fullyConnected(x, 3, { scope: 'hidden1' });
      return cl.argScope([cl.fullyConnected], { activationFn: null }, () => cl.fullyConnected(h, 2, { scope: 'out', normalizerFn: null }));
    });
    t.deepEqual(varNames(tf.globalVariables()), [
      'hidden1/weights', 'hidden1/BatchNorm/beta', 'hidden1/BatchNorm/moving_mean', 'hidden1/BatchNorm/moving_variance',
      'out/weights', 'out/biases',
    ]);
    t.is(out.op.type, 'BiasAdd');
    t.is(tf.getCollection(tf.GraphKeys.UPDATE_OPS).length, 2);
    // Outside the scope the defaults are gone.
    const z = cl.fullyConnected(x, 2, { scope: 'plain' });
    t.is(z.op.name, 'plain/Relu');
    t.throws(() => cl.argScope([tf.nn.relu], {}, () => 0), { message: /arg_scope/ });
  });
});

test('contrib dropout: identity when not training, keeps about keepProb when training; flatten', (t) => {
  const g = new tf.Graph();
  const { off, on, f } = g.asDefault(() => {
    const x = tf.ones([50, 40]);
    return {
      off: cl.dropout(x, { keepProb: 0.8, isTraining: false }),
      on: cl.dropout(x, { keepProb: 0.8 }),
      f: cl.flatten(tf.zeros([3, 2, 5])),
    };
  });
  t.is(off.op.type, 'Identity');
  t.true(on.op.name.startsWith('Dropout_1/'));
  t.deepEqual(f.shape.dims, [3, 10]);
  t.is(f.op.name, 'Flatten/flatten/Reshape');
  withSession(g, (sess) => {
    t.true(values(sess, off).every((v) => v === 1));
    const d = values(sess, on);
    const kept = d.filter((v) => v !== 0).length / d.length;
    t.true(kept > 0.76 && kept < 0.84, `kept ${kept}`);
    t.true(d.every((v) => v === 0 || Math.abs(v - 1.25) < 1e-5));
  });
});

test('xavier-initialised fullyConnected MLP trained with Adam reaches 100% on a separable problem', (t) => {
  let s = 5;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const xs = Array.from({ length: 200 }, () => [rnd() * 2 - 1, rnd() * 2 - 1]);
  const ys = xs.map(([a, b]) => (a - b > 0 ? 1 : 0));
  const g = new tf.Graph();
  const { X, y, train, correct } = g.asDefault(() => {
    tf.setRandomSeed(7);
    const X = tf.placeholder('float32', { shape: [null, 2] });
    const y = tf.placeholder('int32', { shape: [null] });
    const h = cl.fullyConnected(X, 16, { weightsInitializer: xavierInitializer() });
    const logits = cl.fullyConnected(h, 2, { activationFn: null });
    const loss = tf.reduceMean(tf.nn.sparseSoftmaxCrossEntropyWithLogits(y, logits));
    const train = new tf.train.AdamOptimizer(0.05).minimize(loss);
    const correct = tf.reduceSum(tf.cast(tf.nn.inTopK(logits, y, 1), 'int32'));
    return { X, y, train, correct };
  });
  withSession(g, (sess) => {
    const feeds: [tf.Tensor, unknown][] = [[X, xs], [y, ys]];
    for (let i = 0; i < 300; i++) sess.run(train, feeds);
    t.is(Number((sess.run(correct, feeds) as tf.NDArray).flatGet(0)), 200);
  });
});
