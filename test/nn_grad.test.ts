// Gradients of the tf.nn ops: numeric checks (central differences, float64 unless the kernel
// is float32-only) for the activations and their second derivatives, softmax / log-softmax,
// the cross-entropies, biasAdd (both inputs and BiasAddGrad's own gradient), l2Loss, topK and
// the composites; TF1's node names in gradient graphs; sparse xent's disabled second derivative.
import test, { type ExecutionContext } from 'ava';
import * as tf from 'tensorgraph';
const nnModule = tf.nn;

const nn = ((tf as unknown as { nn?: typeof nnModule }).nn ?? nnModule) as typeof nnModule;

const numel = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** Deterministic values in [lo, hi) that keep at least `gap` away from each of `avoid`. */
function values(n: number, lo: number, hi: number, seed: number, avoid: number[] = [], gap = 0.1): Float64Array {
  const v = new Float64Array(n);
  let s = seed * 7919 + 17;
  for (let i = 0; i < n; i++) {
    let x: number;
    do {
      s = (s * 1103515245 + 12345) % 2147483648;
      x = lo + (hi - lo) * (s / 2147483648);
    } while (avoid.some((a) => Math.abs(x - a) < gap));
    v[i] = x;
  }
  return v;
}

interface CheckOptions {
  dtype?: 'float32' | 'float64';
  lo?: number;
  hi?: number;
  avoid?: number[];
  init?: ArrayLike<number>;
  tol?: number;
  delta?: number;
  seed?: number;
}

/** Max |theoretical - numerical| of d fn(x) / dx at x of `shape`. */
function check(t: ExecutionContext, shape: number[], fn: (x: tf.Tensor) => tf.Tensor, o: CheckOptions = {}, label = ''): void {
  const dtype = o.dtype ?? 'float64';
  const g = new tf.Graph();
  const [x, y] = g.asDefault(() => {
    const xp = tf.placeholder(dtype, { shape });
    return [xp, fn(xp)];
  });
  using sess = new tf.Session({ graph: g });
  const init = o.init ? Float64Array.from(o.init) : values(numel(shape), o.lo ?? -2, o.hi ?? 2, o.seed ?? 1, o.avoid ?? []);
  const err = g.asDefault(() => tf.test.computeGradientError(x, shape, y, y.shape.dims as number[], {
    xInitValue: tf.NDArray.from(init, 'float64', shape), delta: o.delta ?? (dtype === 'float32' ? 1e-2 : 1e-5), session: sess,
  }));
  const tol = o.tol ?? (dtype === 'float32' ? 1e-2 : 1e-7);
  t.true(err < tol, `${label} gradient error ${err} >= ${tol}`);
}

/** fn(x) with another fixed float64 input built from `v`. */
const c64 = (v: ArrayLike<number>, shape: number[]) => tf.constant(Float64Array.from(v), { shape, dtype: 'float64' });

// =====================================================================================
// Activations
// =====================================================================================

const ACTS: [string, (x: tf.Tensor) => tf.Tensor, CheckOptions][] = [
  ['relu', (x) => nn.relu(x), { avoid: [0] }],
  ['relu6', (x) => nn.relu6(x), { lo: -2, hi: 8, avoid: [0, 6] }],
  ['elu', (x) => nn.elu(x), { avoid: [0] }],
  ['selu', (x) => nn.selu(x), { avoid: [0] }],
  ['leakyRelu', (x) => nn.leakyRelu(x, { alpha: 0.3 }), { avoid: [0] }],
  ['softplus', (x) => nn.softplus(x), { lo: -4, hi: 4 }],
  ['softsign', (x) => nn.softsign(x), { avoid: [0] }],
  ['swish', (x) => nn.swish(x), {}],
  ['gelu', (x) => nn.gelu(x), {}],
  ['gelu approximate', (x) => nn.gelu(x, { approximate: true }), {}],
  ['sigmoid', (x) => nn.sigmoid(x), {}],
  ['tanh', (x) => nn.tanh(x), {}],
];

for (const [name, fn, o] of ACTS) {
  test(`${name} gradient (float64)`, (t) => check(t, [3, 4], fn, o, name));
}

test('relu family in float32 (delta 1e-2)', (t) => {
  for (const [name, fn, o] of ACTS.slice(0, 7)) check(t, [2, 3], fn, { ...o, dtype: 'float32' }, name);
});

// Second derivatives: d/dx of tf.gradients(f(x), x), i.e. the gradients of the *Grad ops.
const SECOND: [string, (x: tf.Tensor) => tf.Tensor, CheckOptions][] = [
  ['elu', (x) => nn.elu(x), { avoid: [0] }],
  ['selu', (x) => nn.selu(x), { avoid: [0] }],
  ['softplus', (x) => nn.softplus(x), {}],
];
for (const [name, fn, o] of SECOND) {
  test(`${name} second derivative`, (t) => check(t, [2, 3], (x) => tf.gradients(fn(x), x)[0]!, o, name));
}

test('ReluGrad / Relu6Grad / LeakyReluGrad gradients: the op itself for dy, zeros for x', (t) => {
  for (const [name, fn] of [['relu', nn.relu], ['relu6', nn.relu6], ['leakyRelu', nn.leakyRelu]] as const) {
    const g = new tf.Graph();
    g.asDefault(() => {
      const x = c64([-1, 0.5, 7, 3], [4]);
      const dy = tf.placeholder('float64', { shape: [4] });
      const dx = tf.gradients((fn as (x: tf.Tensor) => tf.Tensor)(x), x, { gradYs: [dy] })[0]!;
      // dx is linear in dy: its gradient w.r.t. dy is the same mask.
      const [ddy, ddx] = tf.gradients(dx, [dy, x]);
      using sess = new tf.Session({ graph: g });
      const [a, b] = sess.run([ddy!, ddx!], [[dy, new Float64Array([1, 1, 1, 1])]]) as tf.NDArray[];
      const mask = name === 'relu' ? [0, 1, 1, 1] : name === 'relu6' ? [0, 1, 0, 1] : [Math.fround(0.2), 1, 1, 1];
      t.deepEqual(Array.from(a.data as Float64Array), mask, name);
      t.deepEqual(Array.from(b.data as Float64Array), [0, 0, 0, 0], name);
    });
  }
});

// =====================================================================================
// Softmax
// =====================================================================================

test('softmax / logSoftmax gradients (float64 loop kernels)', (t) => {
  const w = () => c64(values(12, -1, 1, 9), [3, 4]);  // a fixed weighting so the Jacobian is not trivial
  check(t, [3, 4], (x) => nn.softmax(x), {}, 'softmax');
  check(t, [3, 4], (x) => nn.logSoftmax(x), {}, 'logSoftmax');
  check(t, [3, 4], (x) => nn.softmax(x).mul(w()), {}, 'softmax weighted');
  check(t, [2, 3, 2], (x) => nn.softmax(x, { axis: 1 }), {}, 'softmax axis 1');
  check(t, [3, 2], (x) => nn.logSoftmax(x, { axis: 0 }), {}, 'logSoftmax axis 0');
});

test('softmax / logSoftmax gradients in float32 (oneDNN forward)', (t) => {
  check(t, [2, 5], (x) => nn.softmax(x), { dtype: 'float32', tol: 5e-3 }, 'softmax f32');
  check(t, [2, 5], (x) => nn.logSoftmax(x), { dtype: 'float32', tol: 5e-3 }, 'logSoftmax f32');
});

test('Softmax gradient graph has TF1 node names', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [2, 3] });
    const [dx] = tf.gradients(nn.softmax(x), x);
    t.is(dx!.op.name, 'gradients/Softmax_grad/mul_1');
    for (const n of ['gradients/Softmax_grad/mul', 'gradients/Softmax_grad/Sum', 'gradients/Softmax_grad/sub']) {
      t.notThrows(() => g.getOperationByName(n), n);
    }
    const [dr] = tf.gradients(nn.relu(x), x);
    t.is(dr!.op.name, 'gradients_1/Relu_grad/ReluGrad');
    t.is(dr!.op.inputs[1].op.name, 'Relu');
    const [db] = tf.gradients(nn.biasAdd(x, tf.zeros([3])), tf.getDefaultGraph().getOperationByName('zeros').outputs[0]);
    t.is(db!.op.name, 'gradients_2/BiasAdd_grad/BiasAddGrad');
  });
});

// =====================================================================================
// Cross-entropy
// =====================================================================================

const LABELS = [0.1, 0.2, 0.7, 0, 1, 0, 0.5, 0.25, 0.25];

test('softmaxCrossEntropyWithLogitsV2 gradients w.r.t. logits and labels', (t) => {
  const labels = () => c64(LABELS, [3, 3]);
  const logits = () => c64(values(9, -2, 2, 4), [3, 3]);
  check(t, [3, 3], (x) => nn.softmaxCrossEntropyWithLogitsV2({ labels: labels(), logits: x }), {}, 'logits');
  check(t, [3, 3], (x) => nn.softmaxCrossEntropyWithLogitsV2({ labels: x, logits: logits() }), {}, 'labels');
  check(t, [3, 3], (x) => nn.softmaxCrossEntropyWithLogits({ labels: labels(), logits: x }), {}, 'v1 logits');
  // Like TF's fused op, the logits gradient assumes each label distribution sums to 1.
  check(t, [3, 2], (x) => nn.softmaxCrossEntropyWithLogitsV2({ labels: c64([0.1, 0.3, 0.7, 0.3, 0.2, 0.4], [3, 2]), logits: x, axis: 0 }), {}, 'axis 0');
  check(t, [2, 3], (x) => nn.softmaxCrossEntropyWithLogits({ labels: c64(LABELS.slice(0, 6), [2, 3]), logits: x }), { dtype: 'float64' }, 'v1');
  // V1 stops the gradient into labels.
  const g = new tf.Graph();
  g.asDefault(() => {
    const lb = tf.placeholder('float64', { shape: [2, 3] });
    const lg = tf.placeholder('float64', { shape: [2, 3] });
    t.deepEqual(tf.gradients(nn.softmaxCrossEntropyWithLogits({ labels: lb, logits: lg }), [lb, lg]).map((d) => d === undefined), [true, false]);
  });
});

test('second derivative through the fused softmax cross-entropy', (t) => {
  const labels = () => c64(LABELS.slice(0, 6), [2, 3]);
  check(t, [2, 3], (x) => tf.gradients(nn.softmaxCrossEntropyWithLogitsV2({ labels: labels(), logits: x }), x)[0]!, {}, 'd2');
});

test('sparseSoftmaxCrossEntropyWithLogits gradient; its second derivative is disabled', (t) => {
  check(t, [3, 4], (x) => nn.sparseSoftmaxCrossEntropyWithLogits({ labels: [3, 0, 1], logits: x }), {}, 'sparse');
  check(t, [2, 2, 3], (x) => nn.sparseSoftmaxCrossEntropyWithLogits({ labels: tf.constant([[2, 0], [1, 1]], { dtype: 'int64' }), logits: x }), {}, 'sparse rank 3');
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float64', { shape: [2, 3] });
    const loss = nn.sparseSoftmaxCrossEntropyWithLogits({ labels: [0, 2], logits: x });
    const [dx] = tf.gradients(loss, x);
    t.is(dx!.op.inputs[1].op.type, 'PreventGradient');
    t.is(dx!.op.inputs[1].op.name, 'gradients/SparseSoftmaxCrossEntropyWithLogits/SparseSoftmaxCrossEntropyWithLogits_grad/PreventGradient');
    const e = t.throws(() => tf.gradients(dx!, x), { instanceOf: tf.errors.NotFoundError });
    t.regex(e!.message, /Gradient explicitly disabled\. Reason: Currently there is no way to take the second derivative/);
  });
});

test('sigmoid and weighted cross-entropy gradients w.r.t. logits', (t) => {
  const z = () => c64([0, 1, 0.3, 1, 0, 0.6], [2, 3]);
  check(t, [2, 3], (x) => nn.sigmoidCrossEntropyWithLogits({ labels: z(), logits: x }), { lo: -4, hi: 4, avoid: [0] }, 'sigmoid');
  check(t, [2, 3], (x) => nn.weightedCrossEntropyWithLogits(z(), x, 3), { lo: -4, hi: 4, avoid: [0] }, 'weighted');
  check(t, [2, 3], (x) => nn.sigmoidCrossEntropyWithLogits({ labels: x, logits: c64([1, -2, 0.5, 3, 0, -1], [2, 3]) }), {}, 'labels');
});

// =====================================================================================
// BiasAdd, L2Loss, TopK, composites
// =====================================================================================

test('biasAdd gradients w.r.t. value and bias, NHWC and NCHW', (t) => {
  const bias = () => c64([0.5, -1, 2], [3]);
  const value = () => c64(values(2 * 3 * 2, -1, 1, 3), [2, 2, 3]);
  const nchwValue = () => c64(values(2 * 3 * 2 * 2, -1, 1, 5), [2, 3, 2, 2]);
  // Weighted outputs, so a wrong layout of the bias gradient shows.
  const w = () => c64(values(12, -1, 1, 7), [2, 2, 3]);
  const w4 = () => c64(values(24, -1, 1, 8), [2, 3, 2, 2]);
  check(t, [2, 2, 3], (x) => nn.biasAdd(x, bias()).mul(w()), {}, 'value');
  check(t, [3], (x) => nn.biasAdd(value(), x).mul(w()), {}, 'bias');
  check(t, [2, 3, 2, 2], (x) => nn.biasAdd(x, bias(), { dataFormat: 'NCHW' }).mul(w4()), {}, 'NCHW value');
  check(t, [3], (x) => nn.biasAdd(nchwValue(), x, { dataFormat: 'NCHW' }).mul(w4()), {}, 'NCHW bias');
  check(t, [3], (x) => nn.biasAdd(tf.cast(value(), 'float32'), x).mul(tf.cast(w(), 'float32')), { dtype: 'float32' }, 'bias f32');
});

test('BiasAddGrad gradient (second order), NHWC and NCHW', (t) => {
  for (const dataFormat of ['NHWC', 'NCHW']) {
    const shape = dataFormat === 'NHWC' ? [2, 2, 3] : [2, 3, 2];
    const g = new tf.Graph();
    const [dy, db] = g.asDefault(() => {
      const v = tf.placeholder('float64', { shape });
      const b = tf.placeholder('float64', { shape: [3] });
      const d = tf.placeholder('float64', { shape });
      return [d, tf.gradients(nn.biasAdd(v, b, { dataFormat }), b, { gradYs: [d] })[0]!.mul(c64([1, -2, 3], [3]))];
    });
    using sess = new tf.Session({ graph: g });
    const err = g.asDefault(() => tf.test.computeGradientError(dy, shape, db, [3], {
      xInitValue: tf.NDArray.from(values(12, -1, 1, 2), 'float64', shape), session: sess, delta: 1e-5,
    }));
    t.true(err < 1e-7, `${dataFormat}: ${err}`);
  }
});

test('l2Loss, topK, moments, l2Normalize and embeddingLookup gradients', (t) => {
  check(t, [2, 3], (x) => nn.l2Loss(x), {}, 'l2Loss');
  check(t, [2, 3], (x) => nn.l2Loss(x), { dtype: 'float32' }, 'l2Loss f32');
  // Distinct values, so the selection does not move under the finite differences.
  check(t, [2, 5], (x) => nn.topK(x, 3).values, { init: [5, 1, 4, 2, 3, -1, 0.5, 2, -3, 1.5] }, 'topK');
  check(t, [2, 2, 3], (x) => nn.topK(x, 2).values.mul(c64([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2])), { init: values(12, -3, 3, 11) }, 'topK rank 3');
  check(t, [3, 4], (x) => nn.moments(x, [0])[1], {}, 'moments variance');
  check(t, [3, 4], (x) => nn.moments(x, [0, 1], { keepDims: true })[0], {}, 'moments mean');
  check(t, [3, 2], (x) => nn.l2Normalize(x, 1), {}, 'l2Normalize');
  check(t, [4, 2], (x) => nn.embeddingLookup(x, [3, 0, 3]), {}, 'embeddingLookup');
});

test('dropout gradient is the same mask, scaled', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float64', { shape: [200] });
    const y = nn.dropout(x, 0.25, { seed: 5 });
    const [dx] = tf.gradients(y, x);
    using sess = new tf.Session({ graph: g });
    // With a graph seed unset the op seed alone fixes the stream, so y and dx match per run.
    const [yv, dv] = sess.run([y, dx!], [[x, new Float64Array(200).fill(1)]]) as tf.NDArray[];
    const ya = Array.from(yv.data as Float64Array);
    const da = Array.from(dv.data as Float64Array);
    t.deepEqual(da, ya);
    t.true(ya.every((v) => v === 0 || v === 4));
  });
});
