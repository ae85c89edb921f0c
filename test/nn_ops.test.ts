// tf.nn ops: values against plain-JS references (activations, softmax, bias add, losses,
// top-k, moments, l2 normalisation, embedding lookup, dropout statistics), static shapes,
// TF1 node names, and construction / run-time errors.
import test, { type ExecutionContext } from 'ava';
import * as tf from 'tensorgraph';
const nnModule = tf.nn;

// The module the lead exports as tf.nn.
const nn = ((tf as unknown as { nn?: typeof nnModule }).nn ?? nnModule) as typeof nnModule;

type Arr = number[];

function close(t: ExecutionContext, got: ArrayLike<number | bigint>, want: ArrayLike<number>, tol = 1e-5, msg = ''): void {
  t.is(got.length, want.length, `length ${msg}`);
  for (let i = 0; i < want.length; i++) {
    const g = Number(got[i]);
    const w = want[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : Math.abs(g - w) <= tol * Math.max(1, Math.abs(w));
    if (!ok) {
      t.fail(`${msg} [${i}]: got ${g}, want ${w}`);
      return;
    }
  }
  t.pass();
}

/** Runs `build` in a fresh graph and returns the fetched values. */
function run<T>(build: () => T, feeds?: [tf.Tensor, unknown][]): { out: T; vals: tf.NDArray | tf.NDArray[]; g: tf.Graph } {
  const g = new tf.Graph();
  const out = g.asDefault(build);
  using sess = new tf.Session({ graph: g });
  const vals = sess.run(out as unknown as tf.Tensor, feeds ? new Map(feeds) : undefined) as tf.NDArray | tf.NDArray[];
  return { out, vals, g };
}
/** A registered op from positional inputs, built through the public tf.rawOps: its outputs. */
function applyOp(type: string, inputs: tf.TensorLike[]): tf.Tensor[] {
  const r = tf.rawOps[type](Object.fromEntries(tf.getOpDef(type).inputs.map((a, i) => [a.name, inputs[i]])));
  return Array.isArray(r) ? r : [r as tf.Tensor];
}
const f32 = (v: Arr) => Float32Array.from(v);
const f64 = (v: Arr) => Float64Array.from(v);
const data = (a: tf.NDArray) => Array.from(a.data as ArrayLike<number>, Number);

// Reference functions.
const sigm = (x: number) => 1 / (1 + Math.exp(-x));
function erf(x: number): number {
  // Maclaurin series; accurate to double precision for |x| <= 3.
  let sum = 0;
  let term = x;
  for (let n = 0; n < 80; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_ALPHA = 1.6732632423543772848170429916717;
const XS = [-7, -2.5, -1, -0.3, 0, 0.2, 1, 2.5, 5.9, 6.5, 30];

function softmaxRows(x: Arr, cols: number, log = false): Arr {
  const out: Arr = [];
  for (let r = 0; r < x.length / cols; r++) {
    const row = x.slice(r * cols, (r + 1) * cols);
    const mx = Math.max(...row);
    const s = row.reduce((p, v) => p + Math.exp(v - mx), 0);
    for (const v of row) out.push(log ? v - mx - Math.log(s) : Math.exp(v - mx) / s);
  }
  return out;
}

// =====================================================================================
// Activations
// =====================================================================================

const ACTIVATIONS: [string, (x: tf.Tensor) => tf.Tensor, (x: number) => number, string][] = [
  ['relu', (x) => nn.relu(x), (x) => Math.max(x, 0), 'Relu'],
  ['relu6', (x) => nn.relu6(x), (x) => Math.min(Math.max(x, 0), 6), 'Relu6'],
  ['elu', (x) => nn.elu(x), (x) => (x < 0 ? Math.expm1(x) : x), 'Elu'],
  ['selu', (x) => nn.selu(x), (x) => (x < 0 ? SELU_SCALE * SELU_ALPHA * Math.expm1(x) : SELU_SCALE * x), 'Selu'],
  ['leakyRelu', (x) => nn.leakyRelu(x), (x) => (x > 0 ? x : Math.fround(0.2) * x), 'LeakyRelu'],  // alpha is a float attr,
  ['softplus', (x) => nn.softplus(x), (x) => Math.log1p(Math.exp(x)), 'Softplus'],
  ['softsign', (x) => nn.softsign(x), (x) => x / (1 + Math.abs(x)), 'Softsign'],
  ['sigmoid', (x) => nn.sigmoid(x), sigm, 'Sigmoid'],
  ['tanh', (x) => nn.tanh(x), Math.tanh, 'Tanh'],
];

for (const [name, fn, ref, opType] of ACTIVATIONS) {
  test(`${name}: values in float32 and float64, node name ${opType}`, (t) => {
    for (const dtype of ['float32', 'float64'] as const) {
      const { out, vals } = run(() => fn(tf.constant(dtype === 'float32' ? f32(XS) : f64(XS), { shape: [11], dtype })));
      t.is(out.op.type, opType);
      t.is(out.op.name, opType);
      t.is(out.dtype, dtype);
      t.deepEqual(out.shape.dims, [11]);
      close(t, (vals as tf.NDArray).data as Float32Array, XS.map(ref), dtype === 'float32' ? 2e-6 : 1e-12, `${name} ${dtype}`);
    }
  });
}

test('relu and relu6 take integers; relu6 and leakyRelu open their scopes', (t) => {
  const { vals } = run(() => [nn.relu(tf.constant([-3, 0, 4], { dtype: 'int32' })), nn.relu6(tf.constant([-3, 5, 9], { dtype: 'int64' }))]);
  const [r, r6] = vals as tf.NDArray[];
  t.is(r.dtype, 'int32');
  t.deepEqual(data(r), [0, 0, 4]);
  t.deepEqual(data(r6), [0, 5, 6]);
  const g = new tf.Graph();
  g.asDefault(() => {
    const y = nn.relu6([1.5, -2]);
    t.is(y.op.name, 'Relu6');
    t.is(y.op.inputs[0].op.name, 'Relu6/features');
    const l = nn.leakyRelu(tf.constant([1, -2], { dtype: 'int32' }), { alpha: 0.1 });
    t.is(l.op.name, 'LeakyRelu');
    t.is(l.dtype, 'float32');  // integers are cast first
    t.is(l.op.getAttr('alpha'), 0.1);
    t.is(l.op.inputs[0].op.name, 'LeakyRelu/Cast');
    t.is(nn.leakyRelu(tf.placeholder('float32')).op.getAttr('alpha'), 0.2);
    t.is(nn.relu(tf.placeholder('float32'), { name: 'act' }).op.name, 'act');
  });
  const { vals: lv } = run(() => nn.leakyRelu(tf.constant(f32([-10, 3]), { dtype: 'float32' }), { alpha: 0.01 }));
  close(t, (lv as tf.NDArray).data as Float32Array, [-0.1, 3]);
});

test('softplus is exact on both tails', (t) => {
  const xs = [-100, -40, -20, 20, 40, 100];
  const { vals } = run(() => nn.softplus(tf.constant(f64(xs), { dtype: 'float64' })));
  close(t, (vals as tf.NDArray).data as Float64Array, xs.map((x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)))), 1e-14);
  const { vals: v32 } = run(() => nn.softplus(tf.constant(f32(xs), { dtype: 'float32' })));
  close(t, (v32 as tf.NDArray).data as Float32Array, xs.map((x) => (x > 0 ? x : Math.exp(x))), 1e-6);
});

test('swish and gelu (exact and tanh approximation)', (t) => {
  const xs = [-3, -1.2, -0.5, 0, 0.4, 1, 2.7];
  const { vals } = run(() => {
    const x = tf.constant(f64(xs), { dtype: 'float64' });
    return [nn.swish(x), nn.gelu(x), nn.gelu(x, { approximate: true })];
  });
  const [sw, ge, ga] = vals as tf.NDArray[];
  close(t, sw.data as Float64Array, xs.map((x) => x * sigm(x)), 1e-12, 'swish');
  close(t, ge.data as Float64Array, xs.map((x) => 0.5 * x * (1 + erf(x / Math.SQRT2))), 1e-12, 'gelu');
  const approx = (x: number) => 0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3)));
  close(t, ga.data as Float64Array, xs.map(approx), 1e-12, 'gelu approx');
  // The two forms differ by < 1e-3.
  for (const x of xs) t.true(Math.abs(approx(x) - 0.5 * x * (1 + erf(x / Math.SQRT2))) < 1e-3);
});

test('activation *Grad ops: values and shape checks', (t) => {
  const gs = [1, 2, 3, 4, 5];
  const fs = [-1, 0.5, 7, -0.2, 3];
  const { vals } = run(() => ['ReluGrad', 'Relu6Grad', 'EluGrad', 'SeluGrad', 'LeakyReluGrad', 'SoftplusGrad', 'SoftsignGrad']
    .map((type) => applyOp(type, [tf.constant(f64(gs), { dtype: 'float64' }), tf.constant(f64(fs), { dtype: 'float64' })])[0]));
  const [relu, relu6, elu, selu, leaky, softplus, softsign] = vals as tf.NDArray[];
  close(t, relu.data as Float64Array, [0, 2, 3, 0, 5], 1e-15, 'ReluGrad');
  close(t, relu6.data as Float64Array, [0, 2, 0, 0, 5], 1e-15, 'Relu6Grad');
  close(t, elu.data as Float64Array, gs.map((g, i) => (fs[i] < 0 ? g * (fs[i] + 1) : g)), 1e-15, 'EluGrad');
  close(t, selu.data as Float64Array, gs.map((g, i) => (fs[i] < 0 ? g * (fs[i] + SELU_SCALE * SELU_ALPHA) : g * SELU_SCALE)), 1e-15, 'SeluGrad');
  close(t, leaky.data as Float64Array, gs.map((g, i) => (fs[i] > 0 ? g : Math.fround(0.2) * g)), 1e-15, 'LeakyReluGrad');
  close(t, softplus.data as Float64Array, gs.map((g, i) => g * sigm(fs[i])), 1e-15, 'SoftplusGrad');
  close(t, softsign.data as Float64Array, gs.map((g, i) => g / (1 + Math.abs(fs[i])) ** 2), 1e-15, 'SoftsignGrad');
  const g = new tf.Graph();
  g.asDefault(() => {
    t.throws(() => applyOp('ReluGrad', [tf.zeros([2]), tf.zeros([3])]), { instanceOf: tf.errors.InvalidArgumentError, message: /ReluGrad/ });
    t.is(tf.getOpDef('EluGrad').inputs[1].name, 'outputs');
    t.is(tf.getOpDef('LeakyReluGrad').attrs!.alpha.default, 0.2);
  });
});

// =====================================================================================
// Softmax
// =====================================================================================

test('softmax / logSoftmax over the last axis: float32 (oneDNN) and float64', (t) => {
  const x = [1, 2, 3, 4, -1, 0, 1000, 1001, 0.5, 0.5, 0.5, 0.5];
  for (const dtype of ['float32', 'float64'] as const) {
    const { out, vals } = run(() => {
      const c = tf.constant(dtype === 'float32' ? f32(x) : f64(x), { shape: [3, 4], dtype });
      return [nn.softmax(c), nn.logSoftmax(c)];
    });
    const [s, l] = vals as tf.NDArray[];
    t.is(out[0].op.name, 'Softmax');
    t.is(out[1].op.name, 'LogSoftmax');
    t.deepEqual(s.shape, [3, 4]);
    const tol = dtype === 'float32' ? 1e-6 : 1e-14;
    close(t, s.data as Float32Array, softmaxRows(x, 4), tol, `softmax ${dtype}`);
    close(t, l.data as Float32Array, softmaxRows(x, 4, true), dtype === 'float32' ? 1e-5 : 1e-13, `logSoftmax ${dtype}`);
  }
});

test('softmax on a vector, a 3-D tensor, empty tensors and a bigger float32 batch', (t) => {
  const n = 2 * 3 * 5;
  const x = Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
  const big = Array.from({ length: 64 * 100 }, (_, i) => Math.cos(i * 0.37) * 5);
  const { vals } = run(() => [
    nn.softmax(tf.constant(f32([1, 2, 3]), { dtype: 'float32' })),
    nn.logSoftmax(tf.constant(f32(x), { shape: [2, 3, 5], dtype: 'float32' })),
    nn.softmax(tf.zeros([0, 4])),
    nn.softmax(tf.zeros([3, 0], 'float64')),
    nn.softmax(tf.constant(f32(big), { shape: [64, 100], dtype: 'float32' })),
  ]);
  const [v, l3, e1, e2, b] = vals as tf.NDArray[];
  close(t, v.data as Float32Array, softmaxRows([1, 2, 3], 3), 1e-6);
  close(t, l3.data as Float32Array, softmaxRows(x, 5, true), 1e-5);
  t.deepEqual(e1.shape, [0, 4]);
  t.deepEqual(e2.shape, [3, 0]);
  close(t, b.data as Float32Array, softmaxRows(big, 100), 1e-6);
});

test('softmax with axis transposes around the op (TF1 _softmax)', (t) => {
  const x = Array.from({ length: 24 }, (_, i) => (i * 7) % 5 - 2 + i / 10);
  const { out, vals } = run(() => {
    const c = tf.constant(f64(x), { shape: [2, 3, 4], dtype: 'float64' });
    return [nn.softmax(c, { axis: 1 }), nn.logSoftmax(c, { axis: 0 }), nn.softmax(c, { axis: -1 }), nn.softmax(c, { axis: 2, name: 'sm' })];
  });
  const [s1, l0, sl, named] = vals as tf.NDArray[];
  // Reference over axis 1: for each (i, k) the 3 entries x[i, :, k].
  const want1 = new Array<number>(24);
  for (let i = 0; i < 2; i++) for (let k = 0; k < 4; k++) {
    const col = [0, 1, 2].map((j) => x[i * 12 + j * 4 + k]);
    softmaxRows(col, 3).forEach((v, j) => (want1[i * 12 + j * 4 + k] = v));
  }
  close(t, s1.data as Float64Array, want1, 1e-14);
  const want0 = new Array<number>(24);
  for (let r = 0; r < 12; r++) softmaxRows([x[r], x[12 + r]], 2, true).forEach((v, i) => (want0[i * 12 + r] = v));
  close(t, l0.data as Float64Array, want0, 1e-14);
  close(t, sl.data as Float64Array, softmaxRows(x, 4), 1e-14);
  t.deepEqual(s1.shape, [2, 3, 4]);
  t.deepEqual(out[0].shape.dims, [2, 3, 4]);
  t.is(out[0].op.type, 'Transpose');
  t.is(out[2].op.type, 'Softmax');
  t.is(out[3].op.name, 'sm');  // axis 2 is the last: the op itself
  t.deepEqual(data(named), data(sl));
  const g = new tf.Graph();
  g.asDefault(() => {
    const e = t.throws(() => nn.softmax(tf.zeros([2, 3]), { axis: 2 }), { instanceOf: tf.errors.InvalidArgumentError });
    t.regex(e!.message, /Dimension \(2\) must be in the range \[-2, 2\)/);
    t.throws(() => nn.softmax(tf.constant(1.5)), { instanceOf: tf.errors.InvalidArgumentError, message: /Softmax/ });
    t.deepEqual(nn.softmax(tf.placeholder('float32', { shape: [null, 7] })).shape.dims, [null, 7]);
    t.is(nn.softmax(tf.placeholder('float32')).shape.rank, undefined);
  });
});

// =====================================================================================
// BiasAdd, L2Loss
// =====================================================================================

test('biasAdd NHWC / NCHW / matrices / int32, with static shapes', (t) => {
  const x = Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i);
  const { out, vals } = run(() => {
    const nhwc = tf.constant(f32(x), { shape: [2, 2, 2, 3], dtype: 'float32' });
    const nchw = tf.constant(f64(x), { shape: [2, 3, 2, 2], dtype: 'float64' });
    return [
      nn.biasAdd(nhwc, tf.constant(f32([10, 20, 30]), { dtype: 'float32' })),
      nn.biasAdd(nchw, tf.constant(f64([100, 200, 300]), { dtype: 'float64' }), { dataFormat: 'NCHW' }),
      nn.biasAdd(tf.constant([[1, 2], [3, 4]], { dtype: 'int32' }), [10, 20]),
      nn.biasAdd(tf.constant(f32(x.slice(0, 12)), { shape: [2, 3, 2], dtype: 'float32' }), tf.constant(f32([1, 2, 3]), { dtype: 'float32' }), { dataFormat: 'NCW' }),
    ];
  });
  const [a, b, c, d] = vals as tf.NDArray[];
  close(t, a.data as Float32Array, x.map((v, i) => v + [10, 20, 30][i % 3]));
  close(t, b.data as Float64Array, x.map((v, i) => v + [100, 200, 300][Math.floor(i / 4) % 3]));
  t.deepEqual(data(c), [11, 22, 13, 24]);
  close(t, d.data as Float32Array, x.slice(0, 12).map((v, i) => v + [1, 2, 3][Math.floor(i / 2) % 3]));
  t.is(out[0].op.name, 'BiasAdd');
  t.is(out[1].op.getAttr('data_format'), 'NCHW');
  t.is(out[0].op.getAttr('data_format'), 'NHWC');
  t.is(out[2].op.inputs[1].op.name, 'BiasAdd_2/bias');
  t.deepEqual(out[1].shape.dims, [2, 3, 2, 2]);
});

test('biasAdd shape errors at construction and run time', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    t.throws(() => nn.biasAdd(tf.zeros([2, 3]), tf.zeros([4])), { instanceOf: tf.errors.InvalidArgumentError, message: /Dimensions must be equal, but are 3 and 4 for 'BiasAdd'/ });
    t.throws(() => nn.biasAdd(tf.zeros([3]), tf.zeros([3])), { instanceOf: tf.errors.InvalidArgumentError, message: /at least rank 2/ });
    t.throws(() => nn.biasAdd(tf.zeros([2, 3]), tf.zeros([3]), { dataFormat: 'NCHW' }), { instanceOf: tf.errors.InvalidArgumentError, message: /at least rank 3/ });
    t.throws(() => nn.biasAdd(tf.zeros([2, 3]), tf.zeros([3]), { dataFormat: 'HWC' }), { instanceOf: tf.errors.InvalidArgumentError });
    const p = tf.placeholder('float32', { shape: [null, null] });
    t.deepEqual(nn.biasAdd(p, tf.zeros([5])).shape.dims, [null, 5]);
    t.is(nn.biasAdd(tf.placeholder('float32'), tf.zeros([5])).shape.rank, undefined);
  });
  const x = g.asDefault(() => tf.placeholder('float32'));
  const y = g.asDefault(() => nn.biasAdd(x, tf.zeros([3])));
  using sess = new tf.Session({ graph: g });
  t.throws(() => sess.run(y, new Map([[x, new Float32Array(8)]]) as never), { instanceOf: tf.errors.InvalidArgumentError });
  const e = t.throws(() => sess.run(y, [[x, tf.NDArray.from(new Float32Array(8), 'float32', [2, 4])]]), { instanceOf: tf.errors.InvalidArgumentError });
  t.regex(e!.message, /Must provide as many biases as the last dimension of the input tensor: \[3\] vs. \[2,4\]/);
});

test('l2Loss: sum(t^2) / 2 as a scalar', (t) => {
  const x = [1, -2, 3.5, 0.25, -4, 2];
  const { out, vals } = run(() => [
    nn.l2Loss(tf.constant(f32(x), { shape: [2, 3], dtype: 'float32' })),
    nn.l2Loss(tf.constant(f64(x), { dtype: 'float64' }), { name: 'wd' }),
  ]);
  const want = x.reduce((p, v) => p + v * v, 0) / 2;
  t.is(out[0].op.name, 'L2Loss');
  t.is(out[1].op.name, 'wd');
  t.deepEqual(out[0].shape.dims, []);
  for (const v of vals as tf.NDArray[]) close(t, [Number(v.item())], [want], 1e-7);
});

// =====================================================================================
// Cross-entropy
// =====================================================================================

function xentRef(labels: Arr, logits: Arr, cols: number): Arr {
  const ls = softmaxRows(logits, cols, true);
  const out: Arr = [];
  for (let r = 0; r < logits.length / cols; r++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s -= labels[r * cols + j] * ls[r * cols + j];
    out.push(s);
  }
  return out;
}

test('softmaxCrossEntropyWithLogits(V2): values, axis, rank 3, names', (t) => {
  const logits = [1, 2, 3, 0.5, -1, 4, 2, 2, 0, 10, -3, 1];
  const labels = [0, 0, 1, 0.2, 0.3, 0.5, 1, 0, 0, 0.25, 0.25, 0.5];
  const { out, vals } = run(() => {
    const lg = tf.constant(f32(logits), { shape: [4, 3], dtype: 'float32' });
    const lb = tf.constant(f32(labels), { shape: [4, 3], dtype: 'float32' });
    return [
      nn.softmaxCrossEntropyWithLogitsV2({ labels: lb, logits: lg }),
      nn.softmaxCrossEntropyWithLogits({ labels: lb, logits: lg }),
      nn.softmaxCrossEntropyWithLogitsV2(lb, lg),
      // axis 0 of the transposes: the same losses.
      nn.softmaxCrossEntropyWithLogitsV2({ labels: tf.transpose(lb), logits: tf.transpose(lg), axis: 0 }),
      nn.softmaxCrossEntropyWithLogitsV2({
        labels: tf.constant(f64(labels), { shape: [2, 2, 3], dtype: 'float64' }),
        logits: tf.constant(f64(logits), { shape: [2, 2, 3], dtype: 'float64' }),
      }),
    ];
  });
  const want = xentRef(labels, logits, 3);
  const [v2, v1, pos, ax0, r3] = vals as tf.NDArray[];
  close(t, v2.data as Float32Array, want, 1e-5, 'v2');
  close(t, v1.data as Float32Array, want, 1e-5, 'v1');
  close(t, pos.data as Float32Array, want, 1e-5, 'positional');
  close(t, ax0.data as Float32Array, want, 1e-5, 'axis 0');
  t.deepEqual(r3.shape, [2, 2]);
  close(t, r3.data as Float64Array, want, 1e-13, 'rank 3');
  t.deepEqual(out[0].shape.dims, [4]);
  t.deepEqual(out[3].shape.dims, [4]);
  t.deepEqual(out[4].shape.dims, [2, 2]);
  t.is(out[0].op.name, 'softmax_cross_entropy_with_logits/Reshape_2');
  const g = out[0].graph;
  t.is(g.getOperationByName('softmax_cross_entropy_with_logits').type, 'SoftmaxCrossEntropyWithLogits');
  t.is(g.getOperationByName('softmax_cross_entropy_with_logits_sg').type, 'SoftmaxCrossEntropyWithLogits');
  t.is(g.getOperationByName('softmax_cross_entropy_with_logits_sg/labels_stop_gradient').type, 'StopGradient');
});

test('SoftmaxCrossEntropyWithLogits op: backprop output, broadcast labels, errors', (t) => {
  const logits = [1, 2, 3, 0.5, -1, 4];
  const labels = [0.1, 0.2, 0.7];
  const lab2 = [...labels, ...labels];
  const { out, vals } = run(() => {
    const lg = tf.constant(f64(logits), { shape: [2, 3], dtype: 'float64' });
    return [
      ...applyOp('SoftmaxCrossEntropyWithLogits', [lg, tf.constant(f64(labels), { shape: [1, 3], dtype: 'float64' })]),
      applyOp('SoftmaxCrossEntropyWithLogits', [lg, tf.constant(f64(labels), { dtype: 'float64' })])[0],
    ];
  });
  const [loss, backprop, loss1] = vals as tf.NDArray[];
  close(t, loss.data as Float64Array, xentRef(lab2, logits, 3), 1e-13);
  close(t, loss1.data as Float64Array, xentRef(lab2, logits, 3), 1e-13);
  const sm = softmaxRows(logits, 3);
  close(t, backprop.data as Float64Array, sm.map((v, i) => v - lab2[i]), 1e-13);
  t.deepEqual(out[0].shape.dims, [2]);
  t.deepEqual(out[1].shape.dims, [2, 3]);
  const g = new tf.Graph();
  g.asDefault(() => {
    t.throws(() => nn.softmaxCrossEntropyWithLogitsV2({ labels: tf.zeros([2, 3]), logits: tf.zeros([2, 4]) }),
      { instanceOf: tf.errors.InvalidArgumentError });
    t.throws(() => applyOp('SoftmaxCrossEntropyWithLogits', [tf.zeros([2, 3, 4]), tf.zeros([2, 3, 4])]),
      { instanceOf: tf.errors.InvalidArgumentError, message: /broadcasted with rank 2/ });
    t.throws(() => nn.softmaxCrossEntropyWithLogitsV2({ logits: tf.zeros([2, 4]) } as never), { instanceOf: tf.errors.InvalidArgumentError });
  });
  const g2 = new tf.Graph();
  const [p, y] = g2.asDefault(() => {
    const ph = tf.placeholder('float32');
    return [ph, applyOp('SoftmaxCrossEntropyWithLogits', [ph, tf.zeros([2, 3])])[0]];
  });
  using sess = new tf.Session({ graph: g2 });
  const e = t.throws(() => sess.run(y, [[p, tf.NDArray.from(new Float32Array(8), 'float32', [2, 4])]]), { instanceOf: tf.errors.InvalidArgumentError });
  t.regex(e!.message, /logits and labels must be broadcastable: logits_size=\[2,4\] labels_size=\[2,3\]/);
});

test('sparseSoftmaxCrossEntropyWithLogits: values, int64 labels, rank 3, names', (t) => {
  const logits = [1, 2, 3, 0.5, -1, 4, 2, 2, 0, 10, -3, 1];
  const labels = [2, 0, 1, 0];
  const onehot = labels.flatMap((l) => [0, 1, 2].map((j) => (j === l ? 1 : 0)));
  const want = xentRef(onehot, logits, 3);
  const { out, vals } = run(() => [
    nn.sparseSoftmaxCrossEntropyWithLogits({ labels, logits: tf.constant(f32(logits), { shape: [4, 3], dtype: 'float32' }) }),
    nn.sparseSoftmaxCrossEntropyWithLogits({
      labels: tf.constant(labels, { dtype: 'int64' }), logits: tf.constant(f64(logits), { shape: [4, 3], dtype: 'float64' }),
    }),
    nn.sparseSoftmaxCrossEntropyWithLogits({
      labels: tf.constant(labels, { shape: [2, 2], dtype: 'int32' }), logits: tf.constant(f64(logits), { shape: [2, 2, 3], dtype: 'float64' }),
      name: 'loss',
    }),
  ]);
  const [a, b, c] = vals as tf.NDArray[];
  close(t, a.data as Float32Array, want, 1e-5);
  close(t, b.data as Float64Array, want, 1e-13);
  close(t, c.data as Float64Array, want, 1e-13);
  t.deepEqual(c.shape, [2, 2]);
  t.is(out[0].op.name, 'SparseSoftmaxCrossEntropyWithLogits/SparseSoftmaxCrossEntropyWithLogits');
  t.is(out[1].op.name, 'SparseSoftmaxCrossEntropyWithLogits_1/SparseSoftmaxCrossEntropyWithLogits');
  t.is(out[1].op.getAttr('Tlabels'), 'int64');
  t.deepEqual(out[2].shape.dims, [2, 2]);
  t.is(out[2].graph.getOperationByName('loss/loss').type, 'SparseSoftmaxCrossEntropyWithLogits');
});

test('sparseSoftmaxCrossEntropyWithLogits: label errors', (t) => {
  const g = new tf.Graph();
  const [logits, labels, labels64, loss, loss64] = g.asDefault(() => {
    const lg = tf.placeholder('float32', { shape: [null, 10] });
    const lb = tf.placeholder('int32', { shape: [null] });
    const lb64 = tf.placeholder('int64', { shape: [null] });
    return [lg, lb, lb64, nn.sparseSoftmaxCrossEntropyWithLogits({ labels: lb, logits: lg }),
      nn.sparseSoftmaxCrossEntropyWithLogits({ labels: lb64, logits: lg })];
  });
  using sess = new tf.Session({ graph: g });
  const lv = tf.NDArray.from(new Float32Array(30), 'float32', [3, 10]);
  let e = t.throws(() => sess.run(loss, [[logits, lv], [labels, [1, 10, 3]]]), { instanceOf: tf.errors.InvalidArgumentError });
  t.regex(e!.message, /Received a label value of 10 which is outside the valid range of \[0, 10\)\.  Label values: 1 10 3/);
  e = t.throws(() => sess.run(loss64, [[logits, lv], [labels64, tf.NDArray.from([-1, 2, 3], 'int64')]]), { instanceOf: tf.errors.InvalidArgumentError });
  t.regex(e!.message, /Received a label value of -1 which is outside the valid range of \[0, 10\)/);
  e = t.throws(() => sess.run(loss, [[logits, lv], [labels, [1, 2]]]), { instanceOf: tf.errors.InvalidArgumentError });
  t.regex(e!.message, /logits and labels must have the same first dimension/);
  close(t, sess.run(loss, [[logits, lv], [labels, [0, 9, 5]]]).data as Float32Array, [Math.log(10), Math.log(10), Math.log(10)]);
  g.asDefault(() => {
    t.throws(() => nn.sparseSoftmaxCrossEntropyWithLogits({ labels: tf.zeros([3], 'int32'), logits: tf.zeros([3, 2, 4]) }),
      { instanceOf: tf.errors.InvalidArgumentError, message: /Rank mismatch/ });
    t.throws(() => nn.sparseSoftmaxCrossEntropyWithLogits({ labels: tf.zeros([4], 'int32'), logits: tf.zeros([3, 4]) }),
      { instanceOf: tf.errors.InvalidArgumentError, message: /Shape mismatch/ });
    t.throws(() => nn.sparseSoftmaxCrossEntropyWithLogits({ labels: tf.zeros([], 'int32'), logits: tf.constant(1.5) }),
      { instanceOf: tf.errors.InvalidArgumentError, message: /Logits cannot be scalars/ });
  });
});

test('sigmoidCrossEntropyWithLogits and weightedCrossEntropyWithLogits', (t) => {
  const x = [-50, -3, -0.5, 0, 0.7, 2, 40, 1.5];
  const z = [0, 1, 0.3, 1, 0, 0.6, 1, 0];
  const q = 2.5;
  const { out, vals } = run(() => {
    const logits = tf.constant(f64(x), { shape: [2, 4], dtype: 'float64' });
    const labels = tf.constant(f64(z), { shape: [2, 4], dtype: 'float64' });
    return [nn.sigmoidCrossEntropyWithLogits({ labels, logits }), nn.weightedCrossEntropyWithLogits(labels, logits, q),
      nn.sigmoidCrossEntropyWithLogits(tf.constant(f32(z), { dtype: 'float32' }), tf.constant(f32(x), { dtype: 'float32' }))];
  });
  const [s, w, s32] = vals as tf.NDArray[];
  const sp = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));  // log(1 + e^v)
  close(t, s.data as Float64Array, x.map((v, i) => sp(v) - v * z[i]), 1e-13, 'sigmoid');
  close(t, s32.data as Float32Array, x.map((v, i) => sp(v) - v * z[i]), 1e-5, 'sigmoid f32');
  // -q z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x)) = q z sp(-x) + (1 - z) sp(x)
  close(t, w.data as Float64Array, x.map((v, i) => q * z[i] * sp(-v) + (1 - z[i]) * sp(v)), 1e-13, 'weighted');
  t.is(out[0].op.name, 'logistic_loss');
  t.is(out[1].op.name, 'logistic_loss_1');
  t.deepEqual(out[0].shape.dims, [2, 4]);
  const g = new tf.Graph();
  g.asDefault(() => {
    t.throws(() => nn.sigmoidCrossEntropyWithLogits({ labels: tf.zeros([2]), logits: tf.zeros([3]) }),
      { instanceOf: tf.errors.InvalidArgumentError, message: /logits and labels must have the same shape/ });
    t.throws(() => nn.weightedCrossEntropyWithLogits(tf.zeros([2]), tf.zeros([3]), 1),
      { instanceOf: tf.errors.InvalidArgumentError, message: /same shape/ });
  });
});

// =====================================================================================
// Top-k
// =====================================================================================

test('inTopK counts ties in the target\'s favour, as TF', (t) => {
  const preds = [
    0.1, 0.3, 0.3, 0.2,
    0.1, 0.3, 0.3, 0.2,
    0.1, 0.3, 0.3, 0.2,
    0.4, 0.4, 0.4, 0.4,
    0.1, NaN, 0.5, 0.2,
    0.1, 0.2, 0.3, 0.4,
  ];
  const cases = (k: number, targets: number[]) => {
    const { out, vals } = run(() => nn.inTopK(tf.constant(f32(preds), { shape: [6, 4], dtype: 'float32' }), targets, k));
    return { out, v: Array.from((vals as tf.NDArray).data as unknown as ArrayLike<number>, Boolean) };
  };
  // k=1: targets 1 and 2 tie for the max (nothing strictly larger): both in; 3 is not.
  let r = cases(1, [1, 2, 3, 0, 2, 3]);
  t.deepEqual(r.v, [true, true, false, true, false, true]);  // NaN row: false
  t.is(r.out.op.name, 'in_top_k/InTopKV2');
  t.is(r.out.dtype, 'bool');
  t.deepEqual(r.out.shape.dims, [6]);
  // k=2: 0.2 has two larger classes -> out; k=3 -> in.
  r = cases(2, [3, 0, 1, 3, 0, 1]);
  t.deepEqual(r.v, [false, false, true, true, false, false]);
  r = cases(3, [3, 0, 1, 3, 0, 1]);
  t.deepEqual(r.v, [true, false, true, true, false, true]);
  // Out-of-range targets are false.
  r = cases(4, [4, -1, 0, 3, 0, 0]);
  t.deepEqual(r.v, [false, false, true, true, false, true]);
  const { vals } = run(() => nn.inTopK(tf.constant(f32([1, 2, 3]), { shape: [1, 3], dtype: 'float32' }), tf.constant([2], { dtype: 'int64' }), 1));
  t.deepEqual(Array.from((vals as tf.NDArray).data as unknown as ArrayLike<number>, Boolean), [true]);
  const g = new tf.Graph();
  g.asDefault(() => {
    t.throws(() => nn.inTopK(tf.zeros([2, 3]), [0, 1, 2], 1), { instanceOf: tf.errors.InvalidArgumentError, message: /InTopKV2/ });
    t.throws(() => nn.inTopK(tf.zeros([3]), [0, 1, 2], 1), { instanceOf: tf.errors.InvalidArgumentError });
  });
});

test('topK: values and int32 indices, ties keep the lower index, k = 0, rank 3', (t) => {
  const x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8];
  const { out, vals } = run(() => {
    const c = tf.constant(f32(x), { shape: [2, 6], dtype: 'float32' });
    return [nn.topK(c, 3), nn.topK(c), nn.topK(tf.constant(x, { shape: [2, 2, 3], dtype: 'int32' }), { k: 2 }),
      nn.topK(c, 0), nn.topK(tf.constant(f64([2, 2, 2, 1]), { dtype: 'float64' }), 4)];
  });
  const [r3, r1, ri, r0, rt] = vals as unknown as { values: tf.NDArray; indices: tf.NDArray }[];
  t.deepEqual(data(r3.values), [9, 5, 4, 8, 6, 5]);
  t.deepEqual(data(r3.indices), [5, 4, 2, 5, 1, 2]);  // the two 5s of row 1: index 2 first
  t.is(r3.indices.dtype, 'int32');
  t.deepEqual(data(r1.values), [9, 8]);
  t.deepEqual(r1.values.shape, [2, 1]);
  t.deepEqual(data(ri.values), [4, 3, 9, 5, 6, 5, 8, 5]);
  t.deepEqual(data(ri.indices), [2, 0, 2, 1, 1, 2, 2, 1]);
  t.deepEqual(r0.values.shape, [2, 0]);
  t.deepEqual(data(rt.indices), [0, 1, 2, 3]);
  const [v, i] = out[0];
  t.is(v, out[0].values);
  t.is(i, out[0].indices);
  t.is(v.op.name, 'TopKV2');
  t.is(v.op.getAttr('sorted'), true);
  t.deepEqual(v.shape.dims, [2, 3]);
  t.deepEqual(out[2].indices.shape.dims, [2, 2, 2]);
  // Larger rows run the partial sort.
  const big = Array.from({ length: 500 }, (_, j) => Math.sin(j * 12.9898) * 43758.5453 % 1);
  const { vals: bv } = run(() => nn.topK(tf.constant(f64(big), { dtype: 'float64' }), 7));
  const order = big.map((val, j) => [val, j]).sort((p, q) => q[0] - p[0] || p[1] - q[1]).slice(0, 7);
  const bres = bv as unknown as { values: tf.NDArray; indices: tf.NDArray };
  t.deepEqual(data(bres.indices), order.map((p) => p[1]));
  t.deepEqual(data(bres.values), order.map((p) => p[0]));
});

test('topK errors: static k larger than the last dim, and at run time', (t) => {
  const g = new tf.Graph();
  const [x, k, y] = g.asDefault(() => {
    t.throws(() => nn.topK(tf.zeros([2, 3]), 5), { instanceOf: tf.errors.InvalidArgumentError, message: /input must have last dimension >= k = 5 but is 3/ });
    t.throws(() => nn.topK(tf.constant(2.5), 1), { instanceOf: tf.errors.InvalidArgumentError });
    const xp = tf.placeholder('float32');
    const kp = tf.placeholder('int32', { shape: [] });
    const r = nn.topK(xp, kp, { sorted: false });
    t.is(r.values.shape.rank, undefined);
    t.deepEqual(nn.topK(tf.placeholder('float32', { shape: [null, 9] }), kp).values.shape.dims, [null, null]);
    return [xp, kp, r.values];
  });
  using sess = new tf.Session({ graph: g });
  const e = t.throws(() => sess.run(y, [[x, tf.NDArray.from(new Float32Array(6), 'float32', [2, 3])], [k, 4]]), { instanceOf: tf.errors.InvalidArgumentError });
  t.regex(e!.message, /input must have at least k columns. Had 3, needed 4/);
  t.throws(() => sess.run(y, [[x, tf.NDArray.from(new Float32Array(6), 'float32', [2, 3])], [k, -1]]), { instanceOf: tf.errors.InvalidArgumentError, message: /Need k >= 0/ });
});

// =====================================================================================
// Moments, l2Normalize, embeddingLookup
// =====================================================================================

test('moments: mean and population variance, keepDims, names', (t) => {
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 10, -1, 0, 2];
  const { out, vals } = run(() => {
    const c = tf.constant(f64(x), { shape: [3, 4], dtype: 'float64' });
    return [...nn.moments(c, [0]), ...nn.moments(c, [0, 1], { keepDims: true })];
  });
  const [m0, v0, mAll, vAll] = vals as tf.NDArray[];
  const colMean = [0, 1, 2, 3].map((j) => (x[j] + x[4 + j] + x[8 + j]) / 3);
  const colVar = [0, 1, 2, 3].map((j) => [x[j], x[4 + j], x[8 + j]].reduce((p, v) => p + (v - colMean[j]) ** 2, 0) / 3);
  close(t, m0.data as Float64Array, colMean, 1e-14);
  close(t, v0.data as Float64Array, colVar, 1e-14);
  const mean = x.reduce((p, v) => p + v, 0) / 12;
  close(t, mAll.data as Float64Array, [mean], 1e-14);
  close(t, vAll.data as Float64Array, [x.reduce((p, v) => p + (v - mean) ** 2, 0) / 12], 1e-14);
  t.deepEqual(mAll.shape, [1, 1]);
  t.deepEqual(out[0].shape.dims, [4]);
  const g = out[0].graph;
  t.is(g.getOperationByName('moments/mean').type, 'Mean');
  t.is(g.getOperationByName('moments/variance').type, 'Mean');
  t.is(out[0].op.name, 'moments/Squeeze');
  t.is(out[1].op.name, 'moments/Squeeze_1');
  t.is(out[2].op.name, 'moments_1/mean');
});

test('l2Normalize along an axis and over everything', (t) => {
  const x = [3, 4, 0, 0, 1, -1];
  const { out, vals } = run(() => {
    const c = tf.constant(f32(x), { shape: [3, 2], dtype: 'float32' });
    return [nn.l2Normalize(c, 1), nn.l2Normalize(c, { axis: 0 }), nn.l2Normalize(c)];
  });
  const [a1, a0, all] = vals as tf.NDArray[];
  const s2 = Math.SQRT1_2;
  close(t, a1.data as Float32Array, [0.6, 0.8, 0, 0, s2, -s2]);
  const c0 = Math.sqrt(9 + 1), c1 = Math.sqrt(16 + 1);
  close(t, a0.data as Float32Array, [3 / c0, 4 / c1, 0, 0, 1 / c0, -1 / c1]);
  const n = Math.sqrt(27);
  close(t, all.data as Float32Array, x.map((v) => v / n));
  t.is(out[0].op.name, 'l2_normalize');
  t.is(out[0].op.type, 'Mul');
});

test('embeddingLookup gathers rows by int32/int64 ids; names; maxNorm; bad ids fail', (t) => {
  const params = [0, 1, 10, 11, 20, 21, 30, 31];
  const { out, vals } = run(() => {
    const p = tf.constant(f32(params), { shape: [4, 2], dtype: 'float32' });
    return [nn.embeddingLookup(p, [[3, 0], [1, 1]]), nn.embeddingLookup([p], tf.constant([2], { dtype: 'int64' })),
      nn.embeddingLookup(p, [3], { maxNorm: 1 })];
  });
  const [a, b, c] = vals as tf.NDArray[];
  t.deepEqual(a.shape, [2, 2, 2]);
  t.deepEqual(data(a), [30, 31, 0, 1, 10, 11, 10, 11]);
  t.deepEqual(data(b), [20, 21]);
  const nrm = Math.hypot(30, 31);
  close(t, c.data as Float32Array, [30 / nrm, 31 / nrm]);
  t.is(out[0].op.name, 'embedding_lookup/Identity');
  t.is(out[0].op.inputs[0].op.name, 'embedding_lookup');
  t.is(out[0].op.inputs[0].op.type, 'GatherV2');
  t.deepEqual(out[0].shape.dims, [2, 2, 2]);
  const g = new tf.Graph();
  const [ids, y] = g.asDefault(() => {
    const i = tf.placeholder('int32');
    return [i, nn.embeddingLookup(tf.zeros([4, 2]), i)];
  });
  using sess = new tf.Session({ graph: g });
  t.throws(() => sess.run(y, [[ids, [4]]]), { instanceOf: tf.errors.InvalidArgumentError });
});

// =====================================================================================
// Dropout
// =====================================================================================

test('dropout zeroes about 1 - keepProb of the entries and keeps the mean', (t) => {
  const n = 20000;
  for (const [keepProb, opts] of [[0.5, { keepProb: 0.5 }], [0.8, { rate: 0.2 }], [0.3, 0.3]] as const) {
    const { vals } = run(() => nn.dropout(tf.ones([n]), opts as never));
    const v = (vals as tf.NDArray).data as Float32Array;
    let zeros = 0;
    let sum = 0;
    for (const e of v) {
      if (e === 0) zeros++;
      else t.true(Math.abs(e - 1 / keepProb) < 1e-5, `kept values are scaled by 1/keepProb (${e})`);
      sum += e;
    }
    // Binomial: sd of the zero fraction is sqrt(p(1-p)/n) < 0.0036; allow 5 sd.
    t.true(Math.abs(zeros / n - (1 - keepProb)) < 0.018, `zero fraction ${zeros / n} for keepProb ${keepProb}`);
    t.true(Math.abs(sum / n - 1) < 0.06, `mean ${sum / n}`);
  }
});

test('dropout: the same seed gives the same mask; names; noiseShape; rate 0; errors', (t) => {
  const mask = (seed: number) => {
    const g = new tf.Graph();
    const y = g.asDefault(() => {
      tf.setRandomSeed(7);
      return nn.dropout(tf.ones([64]), 0.5, { seed });
    });
    using sess = new tf.Session({ graph: g });
    return [data(sess.run(y)), data(sess.run(y))];
  };
  const [a1, a2] = mask(3);
  const [b1] = mask(3);
  const [c1] = mask(4);
  t.deepEqual(a1, b1);
  t.notDeepEqual(a1, a2);  // a new mask every run
  t.notDeepEqual(a1, c1);

  const { out, vals, g } = run(() => nn.dropout(tf.ones([50, 40]), { keepProb: 0.5, noiseShape: [null, 1], seed: 1 }));
  const v = data(vals as tf.NDArray);
  for (let r = 0; r < 50; r++) {
    const row = v.slice(r * 40, (r + 1) * 40);
    t.true(row.every((e) => e === row[0]), 'noiseShape [n, 1] drops whole rows');
  }
  t.true(v.some((e) => e === 0) && v.some((e) => e === 2));
  t.is(out.op.name, 'dropout/mul');
  t.deepEqual(out.shape.dims, [50, 40]);
  for (const name of ['dropout/rate', 'dropout/sub', 'dropout/random_uniform', 'dropout/add', 'dropout/Floor', 'dropout/div']) {
    t.notThrows(() => g.getOperationByName(name), name);
  }
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [3] });
    t.is(nn.dropout(x, { rate: 0 }), x);
    t.is(nn.dropout(x, 1), x);
    t.throws(() => nn.dropout(x, { rate: 1 }), { instanceOf: tf.errors.InvalidArgumentError, message: /rate must be a scalar tensor or a float in the range \[0, 1\)/ });
    t.throws(() => nn.dropout(x), { instanceOf: tf.errors.InvalidArgumentError, message: /You must provide a rate/ });
    t.throws(() => nn.dropout(tf.ones([3], 'int32'), 0.5), { instanceOf: tf.errors.InvalidArgumentError, message: /floating point/ });
    const kp = tf.placeholder('float32', { shape: [] });
    t.deepEqual(nn.dropout(x, kp).shape.dims, [3]);
  });
});
