// Random ops: TF1 node names of the compositions, attrs, static shapes, seeding rules.
import test from 'ava';
import * as tf from 'tensorgraph';
import { names } from './helpers.js';

const seeds = (op: tf.Operation) => [op.getAttr('seed'), op.getAttr('seed2')];

test('randomUniform: random_uniform/{shape,min,max,RandomUniform,sub,mul} and the add named random_uniform', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const u = tf.randomUniform([2, 3]);
    t.deepEqual(names(g), [
      'random_uniform/shape', 'random_uniform/min', 'random_uniform/max', 'random_uniform/RandomUniform',
      'random_uniform/sub', 'random_uniform/mul', 'random_uniform',
    ]);
    t.is(u.name, 'random_uniform:0');
    t.is(u.dtype, 'float32');
    t.deepEqual(u.shape.dims, [2, 3]);
    const r = g.getOperationByName('random_uniform/RandomUniform');
    t.is(r.type, 'RandomUniform');
    t.is(r.getAttr('dtype'), 'float32');
    t.is(r.getAttr('T'), 'int32');
    t.deepEqual(seeds(r), [0, 0]);
    t.deepEqual(r.inputs.map((i) => i.name), ['random_uniform/shape:0']);
    t.deepEqual(g.getOperationByName('random_uniform/sub').inputs.map((i) => i.name), ['random_uniform/max:0', 'random_uniform/min:0']);
    t.deepEqual(g.getOperationByName('random_uniform/mul').inputs.map((i) => i.name),
      ['random_uniform/RandomUniform:0', 'random_uniform/sub:0']);
    t.deepEqual(u.op.inputs.map((i) => i.name), ['random_uniform/mul:0', 'random_uniform/min:0']);
    t.is(g.getOperationByName('random_uniform/min').outputs[0].dtype, 'float32');
    // A second call gets random_uniform_1; a name replaces the default scope.
    t.is(tf.randomUniform([2], { minval: -1, maxval: 1 }).name, 'random_uniform_1:0');
    const n = tf.randomUniform([4], { dtype: 'float64', name: 'noise' });
    t.is(n.name, 'noise:0');
    t.is(g.getOperationByName('noise/RandomUniform').getAttr('dtype'), 'float64');
    t.is(g.getOperationByName('noise/max').outputs[0].dtype, 'float64');
  });
});

test('randomUniform with an integer dtype is one RandomUniformInt named random_uniform; maxval is required', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const u = tf.randomUniform([5], { maxval: 10, dtype: 'int32' });
    t.deepEqual(names(g), ['random_uniform/shape', 'random_uniform/min', 'random_uniform/max', 'random_uniform']);
    t.is(u.op.type, 'RandomUniformInt');
    t.is(u.dtype, 'int32');
    t.is(u.op.getAttr('Tout'), 'int32');
    t.deepEqual(u.shape.dims, [5]);
    t.deepEqual(u.op.inputs.map((i) => i.name), ['random_uniform/shape:0', 'random_uniform/min:0', 'random_uniform/max:0']);
    t.is(tf.randomUniform([5], { maxval: 10, dtype: 'int64' }).op.getAttr('Tout'), 'int64');
    t.throws(() => tf.randomUniform([5], { dtype: 'int32' }), { instanceOf: tf.errors.InvalidArgumentError, message: /maxval/ });
    t.throws(() => tf.randomUniform([5], { dtype: 'bool' }), { instanceOf: tf.errors.InvalidArgumentError });
    // min/max must be scalars.
    t.throws(() => tf.randomUniform([5], { minval: [0, 1], maxval: 10, dtype: 'int32' }),
      { instanceOf: tf.errors.InvalidArgumentError, message: /RandomUniformInt/ });
  });
});

test('randomNormal and truncatedNormal: shape, mean, stddev, kernel, mul, add', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const n = tf.randomNormal([3, 4], { mean: 1, stddev: 2 });
    t.deepEqual(names(g), [
      'random_normal/shape', 'random_normal/mean', 'random_normal/stddev',
      'random_normal/RandomStandardNormal', 'random_normal/mul', 'random_normal',
    ]);
    t.is(n.name, 'random_normal:0');
    t.deepEqual(n.shape.dims, [3, 4]);
    t.deepEqual(n.op.inputs.map((i) => i.name), ['random_normal/mul:0', 'random_normal/mean:0']);
    t.deepEqual(g.getOperationByName('random_normal/mul').inputs.map((i) => i.name),
      ['random_normal/RandomStandardNormal:0', 'random_normal/stddev:0']);
    t.is(g.getOperationByName('random_normal/mean').outputs[0].dtype, 'float32');

    const tn = tf.truncatedNormal([2], { dtype: 'float64' });
    t.is(tn.name, 'truncated_normal:0');
    t.is(tn.dtype, 'float64');
    t.deepEqual(names(g).slice(6), [
      'truncated_normal/shape', 'truncated_normal/mean', 'truncated_normal/stddev',
      'truncated_normal/TruncatedNormal', 'truncated_normal/mul', 'truncated_normal',
    ]);
    t.is(g.getOperationByName('truncated_normal/TruncatedNormal').getAttr('dtype'), 'float64');
    t.throws(() => tf.randomNormal([2], { dtype: 'int32' }), { instanceOf: tf.errors.InvalidArgumentError });
  });
});

test('shape argument: empty list is an int32 scalar shape, tensors give partial shapes, bad ranks fail', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const s = tf.randomUniform([]);
    t.deepEqual(s.shape.dims, []);
    t.is(g.getOperationByName('random_uniform/shape').outputs[0].dtype, 'int32');
    const p = tf.placeholder('int32', { shape: [3] });
    t.deepEqual(tf.randomNormal(p).shape.dims, [null, null, null]);
    const q = tf.placeholder('int64', { shape: [null] });
    t.is(tf.randomNormal(q).shape.rank, undefined);
    t.deepEqual(tf.randomUniform(new tf.TensorShape([2, 2])).shape.dims, [2, 2]);
    t.throws(() => tf.randomUniform(new tf.TensorShape([2, null])), { instanceOf: tf.errors.InvalidArgumentError });
    const e = t.throws(() => tf.randomUniform(tf.placeholder('int32', { shape: [2, 2] })), { instanceOf: tf.errors.InvalidArgumentError });
    t.regex(e!.message, /Shape must be rank 1 but is rank 2/);
    t.regex(e!.message, /RandomUniform/);
    t.throws(() => tf.randomNormal([2, -3]), { instanceOf: tf.errors.InvalidArgumentError, message: /Dimension -3 must be >= -1/ });
    t.deepEqual(tf.randomNormal([2, -1]).shape.dims, [2, null]);
  });
});

test('seeds: nothing set gives (0, 0) attrs; an op seed alone uses DEFAULT_GRAPH_SEED 87654321', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    t.deepEqual(tf.getSeed(undefined), [undefined, undefined]);
    t.deepEqual(tf.getSeed(7), [87654321, 7]);
    tf.randomUniform([1], { seed: 5 });
    t.deepEqual(seeds(g.getOperationByName('random_uniform/RandomUniform')), [87654321, 5]);
    tf.randomNormal([1], { seed: 2 ** 31 + 3 });
    // Seeds are truncated modulo 2**31 - 1.
    t.deepEqual(seeds(g.getOperationByName('random_normal/RandomStandardNormal')), [87654321, 4]);
  });
});

test('seeds with tf.setRandomSeed: op seed defaults to the graph\'s last op id', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    tf.setRandomSeed(42);
    t.is(g.seed, 42);
    // shape, min and max are ops 1..3 when the seed is drawn.
    tf.randomUniform([2]);
    t.deepEqual(seeds(g.getOperationByName('random_uniform/RandomUniform')), [42, 3]);
    // 7 ops exist now; shape, mean, stddev make 10.
    tf.randomNormal([2]);
    t.deepEqual(seeds(g.getOperationByName('random_normal/RandomStandardNormal')), [42, 10]);
    tf.truncatedNormal([2], { seed: 1 });
    t.deepEqual(seeds(g.getOperationByName('truncated_normal/TruncatedNormal')), [42, 1]);
    t.deepEqual(tf.getSeed(null), [42, g.getOperations().length]);
    t.deepEqual(tf.getSeed(-1), [42, 2 ** 31 - 2]);
    tf.setRandomSeed(0);
    t.deepEqual(tf.getSeed(0), [0, 2 ** 31 - 1]);
    t.deepEqual(tf.getSeed(3), [0, 3]);
  });
  // The seed belongs to the graph.
  t.is(new tf.Graph().seed, undefined);
});

test('randomShuffle keeps the shape and takes seeds', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [null, 3], name: 'x' });
    const s = tf.randomShuffle(x, { seed: 9 });
    t.is(s.name, 'RandomShuffle:0');
    t.is(s.op.type, 'RandomShuffle');
    t.deepEqual(s.shape.dims, [null, 3]);
    t.is(s.op.getAttr('T'), 'float32');
    t.deepEqual(seeds(s.op), [87654321, 9]);
    const c = tf.randomShuffle([1, 2, 3], { name: 'shuf' });
    t.deepEqual(c.op.inputs.map((i) => i.name), ['shuf/value:0']);
    t.deepEqual(seeds(c.op), [0, 0]);
  });
});

test('multinomial: scope multinomial, logits and num_samples inputs, int64 output [batch, numSamples]', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const m = tf.multinomial([[1, 2, 3]], 5);
    t.deepEqual(names(g), ['multinomial/logits', 'multinomial/Multinomial/num_samples', 'multinomial/Multinomial']);
    t.is(m.name, 'multinomial/Multinomial:0');
    t.is(m.dtype, 'int64');
    t.deepEqual(m.shape.dims, [1, 5]);
    t.is(m.op.getAttr('T'), 'int32');
    const logits = tf.placeholder('float32', { shape: [null, 4] });
    const m2 = tf.multinomial(logits, 2, { outputDtype: 'int32', seed: 3, name: 'draw' });
    t.is(m2.name, 'draw/Multinomial:0');
    t.is(m2.dtype, 'int32');
    t.deepEqual(m2.shape.dims, [null, 2]);
    t.deepEqual(seeds(m2.op), [87654321, 3]);
    const n = tf.placeholder('int32', { shape: [] });
    t.deepEqual(tf.multinomial(logits, n).shape.dims, [null, null]);
    t.throws(() => tf.multinomial(tf.placeholder('float32', { shape: [4] }), 2),
      { instanceOf: tf.errors.InvalidArgumentError, message: /Shape must be rank 2 but is rank 1/ });
    t.throws(() => tf.multinomial(logits, 2, { outputDtype: 'float32' }), { instanceOf: tf.errors.InvalidArgumentError });
  });
});

test('random ops are stateful and not differentiable', (t) => {
  for (const type of ['RandomUniform', 'RandomStandardNormal', 'TruncatedNormal', 'RandomUniformInt', 'RandomShuffle', 'Multinomial']) {
    const def = tf.getOpDef(type);
    t.true(def.stateful, type);
    t.is(tf.getGradientFunction(type), null, type);
  }
});
