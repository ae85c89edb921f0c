// tf.nn pooling, LRN and batch normalisation on oneDNN, float32: MaxPool / AvgPool (+ grads),
// LRN / LRNGrad, FusedBatchNormV3 (+ grad) and the batch_normalization composite. Values against
// plain JS references, TF1 shape rules and errors, node names, float32 numeric gradient checks.
import test from 'ava';
import * as tf from 'tensorgraph';
import * as ref from './nn_conv_ref.js';
import { close, cst, f32, inGraph } from './nn_conv_ref.js';
const nn = tf.nn;

/** Distinct values (a shuffled ramp) so max pooling has no ties, even after a +-1e-2 nudge. */
function distinct(n: number, seed: number): Float32Array {
  const r = ref.rand(n, 0, 1, seed);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => r[a] - r[b]);
  const v = new Float32Array(n);
  order.forEach((idx, k) => { v[idx] = (k - n / 2) * 0.1; });
  return v;
}

// ---------- pooling ----------

test('MaxPool 2x2 stride 2 VALID: (2,427,640,3) -> (2,213,320,3) by shape inference, and values on smaller data', (t) => {
  inGraph((sess) => {
    const big = nn.maxPool(tf.placeholder('float32', { shape: [2, 427, 640, 3] }), [1, 2, 2, 1], [1, 2, 2, 1], 'VALID');
    t.deepEqual(big.shape.dims, [2, 213, 320, 3]);
    t.is(big.op.name, 'MaxPool');
    t.deepEqual(big.op.getAttr('ksize'), [1, 2, 2, 1]);
    const xs = [2, 7, 10, 3];
    const xv = ref.rand(ref.numel(xs), -1, 1, 1);
    const y = nn.maxPool(cst(xv, xs), [1, 2, 2, 1], [1, 2, 2, 1], 'VALID');
    t.deepEqual(y.shape.dims, [2, 3, 5, 3]);
    close(t, sess.run(y), ref.maxPool(xv, xs, { ksize: [2, 2], strides: [2, 2], padding: 'VALID' }), [2, 3, 5, 3]);
  });
});

const POOL_CASES: ref.PoolCfg[] = [
  { ksize: [2, 2], strides: [2, 2], padding: 'VALID' },
  { ksize: [2, 2], strides: [2, 2], padding: 'SAME' },
  { ksize: [3, 3], strides: [1, 1], padding: 'SAME' },
  { ksize: [3, 3], strides: [2, 2], padding: 'SAME' },
  { ksize: [3, 2], strides: [2, 1], padding: 'VALID' },
  { ksize: [1, 1], strides: [2, 2], padding: 'SAME' },
];

// Windows that tile the input exactly (each element in one window) take MaxPoolGrad's
// fast path, which writes whole windows instead of clearing dx first.
const TILING_CASES: ref.PoolCfg[] = [
  { ksize: [2, 2], strides: [2, 2], padding: 'VALID' },
  { ksize: [2, 3], strides: [2, 3], padding: 'SAME' },
];

test('MaxPool / AvgPool and MaxPoolGrad / AvgPoolGrad match the JS reference', (t) => {
  [...POOL_CASES.map((cfg) => ({ cfg, xs: [2, 7, 6, 3] })), ...TILING_CASES.map((cfg) => ({ cfg, xs: [2, 6, 6, 5] }))].forEach(({ cfg, xs }, k) => {
    inGraph((sess) => {
      const xv = distinct(ref.numel(xs), k + 1);
      const ys = ref.poolShape(xs, cfg);
      const dyv = ref.rand(ref.numel(ys), -1, 1, k + 10);
      const x = cst(xv, xs);
      const ksize = [1, ...cfg.ksize, 1];
      const strides = [1, ...cfg.strides, 1];
      const mp = nn.maxPool(x, ksize, strides, cfg.padding);
      const ap = nn.avgPool(x, ksize, strides, cfg.padding);
      t.deepEqual(mp.shape.dims, ys);
      t.deepEqual(ap.shape.dims, ys);
      const opts = { ksize, strides, padding: cfg.padding };
      const mg = nn.maxPoolGrad(x, mp, cst(dyv, ys), opts);
      const ag = nn.avgPoolGrad(xs, cst(dyv, ys), opts);
      t.deepEqual(mg.shape.dims, xs);
      t.deepEqual(ag.shape.dims, xs);
      const [mv, av, mgv, agv] = sess.run([mp, ap, mg, ag]);
      const l = JSON.stringify(cfg);
      close(t, mv, ref.maxPool(xv, xs, cfg), ys, 1e-5, `max ${l}`);
      close(t, av, ref.avgPool(xv, xs, cfg), ys, 1e-5, `avg ${l}`);
      close(t, mgv, ref.maxPoolGrad(xv, xs, dyv, cfg), xs, 1e-5, `max grad ${l}`);
      close(t, agv, ref.avgPoolGrad(xs, dyv, cfg), xs, 1e-5, `avg grad ${l}`);
    });
  });
});

test('AvgPool SAME divides border windows by the number of real elements', (t) => {
  inGraph((sess) => {
    // 4x4 of ones: every average is 1 (padding counted would give 4/9 and 6/9 at the border).
    const ones = nn.avgPool(cst(new Float32Array(16).fill(1), [1, 4, 4, 1]), 3, 1, 'SAME');
    t.deepEqual(sess.run(ones).toArray(), [[[[1], [1], [1], [1]], [[1], [1], [1], [1]], [[1], [1], [1], [1]], [[1], [1], [1], [1]]]]);
    // Values 1..16, 3x3 stride 2 SAME on 4x4: out 2x2, pad_total 1 -> 0 before, 1 after.
    const y = nn.avgPool(cst(Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]), [1, 3, 3, 1], [1, 2, 2, 1], 'SAME');
    // (0,0): rows 0-2, cols 0-2 -> 9 elements; (0,1): rows 0-2, cols 2-3 -> 6; (1,1): rows 2-3, cols 2-3 -> 4.
    const want = [(1 + 2 + 3 + 5 + 6 + 7 + 9 + 10 + 11) / 9, (3 + 4 + 7 + 8 + 11 + 12) / 6, (9 + 10 + 11 + 13 + 14 + 15) / 6, (11 + 12 + 15 + 16) / 4];
    close(t, sess.run(y), want, [1, 2, 2, 1], 1e-6);
  });
});

test('pooling shape inference and errors', (t) => {
  inGraph((sess) => {
    t.deepEqual(nn.avgPool(tf.placeholder('float32', { shape: [null, 9, 8, 5] }), 3, 2, 'SAME').shape.dims, [null, 5, 4, 5]);
    t.deepEqual(nn.maxPool(tf.placeholder('float32', { shape: [1, 9, null, 5] }), [3, 2], [2, 2], 'VALID').shape.dims, [1, 4, null, 5]);
    t.deepEqual(nn.maxPool(tf.placeholder('float32'), 2, 2, 'VALID').shape.dims, [null, null, null, null]);
    t.deepEqual(nn.maxPool(tf.placeholder('float32', { shape: [1, 4, 9, 8] }), 2, 2, 'VALID', { dataFormat: 'NCHW' }).shape.dims, [1, 4, 4, 4]);
    t.is(nn.avgPool(tf.placeholder('float32', { shape: [1, 4, 4, 1] }), 2, 2, 'VALID').op.name, 'AvgPool_1');
    t.throws(() => nn.maxPool(tf.placeholder('float32', { shape: [1, 2, 2, 1] }), 3, 1, 'VALID'),
      { instanceOf: tf.errors.InvalidArgumentError, message: /Negative dimension size caused by subtracting 3 from 2/ });
    t.throws(() => nn.maxPool(tf.placeholder('float32', { shape: [1, 2, 2] }), 1, 1, 'VALID'),
      { instanceOf: tf.errors.InvalidArgumentError, message: /Shape must be rank 4 but is rank 3/ });
    t.throws(() => nn.maxPool(tf.placeholder('float32', { shape: [1, 4, 4, 1] }), 0, 1, 'VALID'),
      { instanceOf: tf.errors.InvalidArgumentError, message: /ksize cannot be zero/ });
    t.throws(() => nn.avgPool(tf.placeholder('int32', { shape: [1, 4, 4, 1] }), 2, 2, 'VALID'),
      { instanceOf: tf.errors.InvalidArgumentError, message: /not in the list of allowed values/ });
    // Pooling over the batch dimension: TF's Unimplemented at run time.
    const bad = nn.maxPool(cst(new Float32Array(8), [2, 2, 2, 1]), [2, 1, 1, 1], [1, 1, 1, 1], 'VALID');
    t.throws(() => sess.run(bad), { instanceOf: tf.errors.UnimplementedError, message: /batch dimension/ });
  });
});

test('MaxPool / AvgPool gradients: TF1 node names and float32 numeric checks', (t) => {
  inGraph((_sess) => {
    const x = tf.placeholder('float32', { shape: [1, 4, 4, 2] });
    const [gm] = tf.gradients(nn.maxPool(x, 2, 2, 'VALID'), x);
    const [ga] = tf.gradients(nn.avgPool(x, 2, 2, 'VALID'), x);
    t.is(gm!.op.name, 'gradients/MaxPool_grad/MaxPoolGrad');
    t.is(ga!.op.name, 'gradients_1/AvgPool_grad/AvgPoolGrad');
    t.deepEqual(gm!.shape.dims, [1, 4, 4, 2]);
    t.deepEqual(ga!.shape.dims, [1, 4, 4, 2]);
  });
  for (const [k, s, p] of [[2, 2, 'VALID'], [3, 2, 'SAME'], [3, 1, 'SAME']] as const) {
    const xs = [1, 5, 5, 2];
    for (const pool of [nn.maxPool, nn.avgPool]) {
      const err = inGraph((sess) => {
        const x = tf.placeholder('float32', { shape: xs });
        const y = pool(x, k, s, p);
        return tf.test.computeGradientError(x, xs, y, y.shape.dims as number[], { session: sess, delta: 1e-2, xInitValue: f32(distinct(50, k * 10 + s), xs) });
      });
      t.true(err < 1e-2, `${pool.name} ${k} ${s} ${p}: ${err}`);
    }
  }
});

test('MaxPoolGrad gradient (MaxPoolGradGrad) and AvgPoolGrad gradient', (t) => {
  const xs = [1, 4, 4, 1];
  const xv = distinct(16, 5);
  const err1 = inGraph((sess) => {
    const g = tf.placeholder('float32', { shape: [1, 2, 2, 1] });
    const x = cst(xv, xs);
    const y = nn.maxPoolGrad(x, nn.maxPool(x, 2, 2, 'VALID'), g, { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: 'VALID' });
    const [dg] = tf.gradients(y, g);
    t.is(dg!.op.type, 'MaxPoolGradGrad');
    return tf.test.computeGradientError(g, [1, 2, 2, 1], y, xs, { session: sess, delta: 1e-2 });
  });
  t.true(err1 < 1e-2, `MaxPoolGradGrad: ${err1}`);
  const err2 = inGraph((sess) => {
    const g = tf.placeholder('float32', { shape: [1, 2, 2, 1] });
    const y = nn.avgPoolGrad(xs, g, { ksize: [1, 3, 3, 1], strides: [1, 2, 2, 1], padding: 'SAME' });
    return tf.test.computeGradientError(g, [1, 2, 2, 1], y, xs, { session: sess, delta: 1e-2 });
  });
  t.true(err2 < 1e-2, `AvgPoolGrad's gradient: ${err2}`);
});

// ---------- LRN ----------

const LRN_CASES: { xs: number[]; p: ref.LrnCfg; opts: tf.nn.LRNOptions }[] = [
  { xs: [2, 3, 4, 7], p: { r: 5, bias: 1, alpha: 1, beta: 0.5 }, opts: {} },
  { xs: [2, 3, 4, 7], p: { r: 2, bias: 1.5, alpha: 0.3, beta: 0.75 }, opts: { depthRadius: 2, bias: 1.5, alpha: 0.3, beta: 0.75 } },
  { xs: [1, 2, 2, 12], p: { r: 1, bias: 2, alpha: 1e-2, beta: 0.6 }, opts: { depthRadius: 1, bias: 2, alpha: 1e-2, beta: 0.6 } },
  { xs: [1, 2, 3, 3], p: { r: 0, bias: 0.5, alpha: 2, beta: 1 }, opts: { depthRadius: 0, bias: 0.5, alpha: 2, beta: 1 } },
];

test('LRN and LRNGrad match the JS reference (TF alpha is per element, not divided by the window)', (t) => {
  LRN_CASES.forEach(({ xs, p, opts }, k) => {
    inGraph((sess) => {
      const xv = ref.rand(ref.numel(xs), -2, 2, k + 1);
      const dyv = ref.rand(ref.numel(xs), -1, 1, k + 20);
      const x = cst(xv, xs);
      const y = nn.lrn(x, opts);
      t.is(y.op.type, 'LRN');
      t.deepEqual(y.shape.dims, xs);
      const g = nn.lrnGrad(cst(dyv, xs), x, y, opts);
      const [yv, gv] = sess.run([y, g]);
      close(t, yv, ref.lrn(xv, xs, p), xs, 1e-5, `lrn ${JSON.stringify(p)}`);
      close(t, gv, ref.lrnGrad(xv, xs, dyv, p), xs, 1e-4, `lrn grad ${JSON.stringify(p)}`);
    });
  });
});

test('LRN: defaults, shape rules, gradient node name and numeric check', (t) => {
  inGraph(() => {
    const y = nn.lrn(tf.placeholder('float32', { shape: [1, 2, 2, 3] }));
    t.is(y.op.name, 'LRN');
    t.is(y.op.getAttr('depth_radius'), 5);
    t.is(y.op.getAttr('bias'), 1);
    t.is(y.op.getAttr('alpha'), 1);
    t.is(y.op.getAttr('beta'), 0.5);
    t.throws(() => nn.lrn(tf.placeholder('float32', { shape: [2, 3] })), { instanceOf: tf.errors.InvalidArgumentError, message: /rank 4/ });
    t.deepEqual(nn.lrnGrad(tf.placeholder('float32'), tf.placeholder('float32', { shape: [1, 2, null, 3] }), tf.placeholder('float32', { shape: [null, 2, 5, 3] })).shape.dims, [1, 2, 5, 3]);
  });
  const err = inGraph((sess) => {
    const x = tf.placeholder('float32', { shape: [1, 2, 2, 6] });
    const y = nn.lrn(x, { depthRadius: 2, bias: 1, alpha: 0.5, beta: 0.75 });
    const [gx] = tf.gradients(y, x);
    t.is(gx!.op.name, 'gradients/LRN_grad/LRNGrad');
    return tf.test.computeGradientError(x, [1, 2, 2, 6], y, [1, 2, 2, 6], { session: sess, delta: 1e-2, xInitValue: f32(ref.rand(24, -1, 1, 3), [1, 2, 2, 6]) });
  });
  t.true(err < 1e-2, `LRN gradient: ${err}`);
});

// ---------- batch normalisation ----------

test('fusedBatchNorm training: y from batch statistics, Bessel-corrected batch variance', (t) => {
  inGraph((sess) => {
    const xs = [2, 3, 4, 5];
    const c = 5;
    const xv = ref.rand(ref.numel(xs), -2, 3, 1);
    const sv = ref.rand(c, 0.5, 1.5, 2);
    const ov = ref.rand(c, -1, 1, 3);
    const [y, mean, variance] = nn.fusedBatchNorm(cst(xv, xs), cst(sv, [c]), cst(ov, [c]));
    t.is(y.op.type, 'FusedBatchNormV3');
    t.is(y.op.name, 'FusedBatchNormV3');
    t.is(y.op.getAttr('epsilon'), 0.001);
    t.deepEqual(y.shape.dims, xs);
    t.deepEqual(mean.shape.dims, [c]);
    t.deepEqual(variance.shape.dims, [c]);
    const m = ref.moments(xv, c);
    const [yv, mv, vv] = sess.run([y, mean, variance]);
    close(t, yv, ref.batchNorm(xv, c, sv, ov, m.mean, m.variance, 0.001), xs, 1e-4, 'y');
    close(t, mv, m.mean, [c], 1e-5, 'mean');
    close(t, vv, Array.from(m.variance, (v) => v * m.count / (m.count - 1)), [c], 1e-5, 'variance');
    // Reserve spaces keep the mean and the biased variance; V3's third is a scalar.
    const [r1, r2, r3] = sess.run([y.op.outputs[3], y.op.outputs[4], y.op.outputs[5]]);
    close(t, r1, m.mean, [c], 1e-5);
    close(t, r2, m.variance, [c], 1e-5);
    t.deepEqual(r3.shape, []);
  });
});

test('fusedBatchNorm inference: given mean and variance, passed through; NCHW; epsilon floor', (t) => {
  inGraph((sess) => {
    const xs = [3, 2, 2, 4];
    const c = 4;
    const xv = ref.rand(ref.numel(xs), -2, 2, 4);
    const sv = ref.rand(c, 0.5, 1.5, 5);
    const ov = ref.rand(c, -1, 1, 6);
    const mv = ref.rand(c, -0.5, 0.5, 7);
    const vv = ref.rand(c, 0.5, 2, 8);
    const [y, bm, bv] = nn.fusedBatchNorm(cst(xv, xs), sv, ov, { mean: mv, variance: vv, isTraining: false, epsilon: 0.01 });
    const [yv, bmv, bvv] = sess.run([y, bm, bv]);
    close(t, yv, ref.batchNorm(xv, c, sv, ov, mv, vv, 0.01), xs, 1e-5, 'y');
    close(t, bmv, mv, [c], 0);
    close(t, bvv, vv, [c], 0);

    // NCHW: same values in the other layout.
    const xNchw = tf.transpose(cst(xv, xs), [0, 3, 1, 2]);
    const [yn] = nn.fusedBatchNorm(xNchw, sv, ov, { mean: mv, variance: vv, isTraining: false, epsilon: 0.01, dataFormat: 'NCHW' });
    t.deepEqual(yn.shape.dims, [3, 4, 2, 2]);
    close(t, sess.run(tf.transpose(yn, [0, 2, 3, 1])), ref.batchNorm(xv, c, sv, ov, mv, vv, 0.01), xs, 1e-5, 'NCHW');
    const [tn, tm] = nn.fusedBatchNorm(xNchw, sv, ov, { dataFormat: 'NCHW' });
    const m = ref.moments(xv, c);
    const [tnv, tmv] = sess.run([tf.transpose(tn, [0, 2, 3, 1]), tm]);
    close(t, tnv, ref.batchNorm(xv, c, sv, ov, m.mean, m.variance, 0.001), xs, 1e-4, 'NCHW training');
    close(t, tmv, m.mean, [c], 1e-5);

    const [tiny] = nn.fusedBatchNorm(cst(xv, xs), sv, ov, { epsilon: 1e-9 });
    t.is(tiny.op.getAttr('epsilon'), 1.001e-5);
    t.throws(() => nn.fusedBatchNorm(cst(xv, xs), sv, ov, { isTraining: false }), { message: /must be a 1D tensor when is_training is False/ });
    t.throws(() => nn.fusedBatchNorm(cst(xv, xs), sv, ov, { mean: mv, variance: vv }), { message: /must be None if is_training is True/ });
    t.throws(() => nn.fusedBatchNorm(cst(xv, xs), [1, 2, 3], ov), { instanceOf: tf.errors.InvalidArgumentError, message: /Dimensions must be equal, but are 4 and 3/ });
    t.throws(() => nn.fusedBatchNorm(cst(xv, [3, 2, 8]), sv, ov), { instanceOf: tf.errors.InvalidArgumentError, message: /rank 4/ });
  });
});

test('FusedBatchNormGradV3 matches the JS reference (training and inference)', (t) => {
  inGraph((sess) => {
    const xs = [2, 3, 3, 4];
    const c = 4;
    const xv = ref.rand(ref.numel(xs), -2, 2, 9);
    const dyv = ref.rand(ref.numel(xs), -1, 1, 10);
    const sv = ref.rand(c, 0.5, 1.5, 11);
    const ov = ref.rand(c, -1, 1, 12);
    const mv = ref.rand(c, -0.5, 0.5, 13);
    const vv = ref.rand(c, 0.5, 2, 14);
    const x = cst(xv, xs);
    const dy = cst(dyv, xs);
    const [yt] = nn.fusedBatchNorm(x, sv, ov);
    const [yi] = nn.fusedBatchNorm(x, sv, ov, { mean: mv, variance: vv, isTraining: false });
    const gt = tf.gradients(yt, [x, yt.op.inputs[1], yt.op.inputs[2]], { gradYs: [dy] });
    const gi = tf.gradients(yi, [x, yi.op.inputs[1], yi.op.inputs[2]], { gradYs: [dy] });
    t.is(gt[0]!.op.type, 'FusedBatchNormGradV3');
    t.is(gt[0]!.op.name, 'gradients/FusedBatchNormV3_grad/FusedBatchNormGradV3');
    t.deepEqual(gt[0]!.shape.dims, xs);
    t.deepEqual(gt[1]!.shape.dims, [c]);
    const [dxt, dst, dot] = sess.run(gt as tf.Tensor[]);
    const rt = ref.batchNormGradTraining(dyv, xv, c, sv, 0.001);
    close(t, dxt, rt.dx, xs, 1e-4, 'training dx');
    close(t, dst, rt.dscale, [c], 1e-4, 'training dscale');
    close(t, dot, rt.doffset, [c], 1e-4, 'training doffset');
    const [dxi, dsi, doi] = sess.run(gi as tf.Tensor[]);
    const ri = ref.batchNormGradInference(dyv, xv, c, sv, mv, vv, 0.001);
    close(t, dxi, ri.dx, xs, 1e-4, 'inference dx');
    close(t, dsi, ri.dscale, [c], 1e-4, 'inference dscale');
    close(t, doi, ri.doffset, [c], 1e-4, 'inference doffset');
  });
});

test('fusedBatchNorm gradients pass a float32 numeric check', (t) => {
  const xs = [2, 2, 3, 3];
  const sv = [0.8, 1.2, 1.0];
  const ov = [0.1, -0.2, 0.3];
  for (const isTraining of [true, false]) {
    const errX = inGraph((sess) => {
      const x = tf.placeholder('float32', { shape: xs });
      const [y] = isTraining ? nn.fusedBatchNorm(x, sv, ov) : nn.fusedBatchNorm(x, sv, ov, { mean: [0.1, 0, -0.1], variance: [1, 2, 0.5], isTraining });
      return tf.test.computeGradientError(x, xs, y, xs, { session: sess, delta: 1e-2, xInitValue: f32(ref.rand(36, -2, 2, 15), xs) });
    });
    t.true(errX < 2e-2, `d/dx training=${isTraining}: ${errX}`);
    const errS = inGraph((sess) => {
      const s = tf.placeholder('float32', { shape: [3] });
      const x = cst(ref.rand(36, -2, 2, 16), xs);
      const [y] = isTraining ? nn.fusedBatchNorm(x, s, ov) : nn.fusedBatchNorm(x, s, ov, { mean: [0.1, 0, -0.1], variance: [1, 2, 0.5], isTraining });
      return tf.test.computeGradientError(s, [3], y, xs, { session: sess, delta: 1e-2, xInitValue: f32(sv, [3]) });
    });
    t.true(errS < 1e-2, `d/dscale training=${isTraining}: ${errS}`);
  }
});

test('batchNormalization: TF1 composite ops, names and values', (t) => {
  inGraph((sess, g) => {
    const xs = [2, 3, 4];
    const xv = ref.rand(24, -2, 2, 17);
    const mv = [0.1, -0.2, 0.3, 0];
    const vv = [1, 0.5, 2, 1.5];
    const ov = [0, 1, -1, 0.5];
    const sv = [1, 2, 0.5, 1.5];
    const y = nn.batchNormalization(cst(xv, xs), cst(mv, [4]), cst(vv, [4]), cst(ov, [4]), cst(sv, [4]), 1e-3);
    t.is(y.op.name, 'batchnorm/add_1');
    for (const name of ['batchnorm/add', 'batchnorm/Rsqrt', 'batchnorm/mul', 'batchnorm/mul_1', 'batchnorm/mul_2', 'batchnorm/sub']) {
      t.truthy(g.getOperationByName(name), name);
    }
    t.is(g.getOperationByName('batchnorm/mul_1').inputs[0].op.name, 'Const');
    close(t, sess.run(y), ref.batchNorm(xv, 4, sv, ov, mv, vv, 1e-3), xs, 1e-5);
    const noAffine = nn.batchNormalization(cst(xv, xs), cst(mv, [4]), cst(vv, [4]), null, null, 1e-3, { name: 'bn' });
    t.is(noAffine.op.name, 'bn/add_1');
    close(t, sess.run(noAffine), ref.batchNorm(xv, 4, [1, 1, 1, 1], [0, 0, 0, 0], mv, vv, 1e-3), xs, 1e-5);
  });
});

test('NCHW: MaxPool / AvgPool values and FusedBatchNorm gradients equal NHWC transposed', (t) => {
  inGraph((sess) => {
    const xs = [2, 5, 6, 3];
    const xv = distinct(ref.numel(xs), 40);
    const toNchw = (v: tf.Tensor) => tf.transpose(v, [0, 3, 1, 2]);
    const toNhwc = (v: tf.Tensor) => tf.transpose(v, [0, 2, 3, 1]);
    const cfg: ref.PoolCfg = { ksize: [3, 3], strides: [2, 2], padding: 'SAME' };
    const xn = toNchw(cst(xv, xs));
    const mp = nn.maxPool(xn, 3, 2, 'SAME', { dataFormat: 'NCHW' });
    const ap = nn.avgPool(xn, 3, 2, 'SAME', { dataFormat: 'NCHW' });
    t.deepEqual(mp.op.getAttr('ksize'), [1, 1, 3, 3]);
    close(t, sess.run(toNhwc(mp)), ref.maxPool(xv, xs, cfg), [2, 3, 3, 3], 1e-6, 'max NCHW');
    close(t, sess.run(toNhwc(ap)), ref.avgPool(xv, xs, cfg), [2, 3, 3, 3], 1e-6, 'avg NCHW');

    const dyv = ref.rand(ref.numel(xs), -1, 1, 41);
    const sv = [0.5, 1, 1.5];
    const ov = [0, 1, 2];
    const mv = [0.1, 0.2, 0.3];
    const vv = [1, 2, 3];
    for (const isTraining of [true, false]) {
      const x = cst(xv, xs);
      const stats = isTraining ? {} : { mean: mv, variance: vv, isTraining };
      const [yh] = nn.fusedBatchNorm(x, sv, ov, stats);
      const [yc] = nn.fusedBatchNorm(toNchw(x), sv, ov, { ...stats, dataFormat: 'NCHW' });
      const [gh] = tf.gradients(yh, x, { gradYs: [cst(dyv, xs)] });
      const [gc] = tf.gradients(yc, x, { gradYs: [toNchw(cst(dyv, xs))] });
      const [a, b] = sess.run([gh!, gc!]);
      close(t, b, a.data as Float32Array, xs, 1e-5, `bn grad NCHW training=${isTraining}`);
    }
  });
});

test('MaxPoolGrad sends the gradient of tied windows to the first maximum (as TF)', (t) => {
  inGraph((sess) => {
    const x = cst(new Float32Array(25).fill(1), [1, 5, 5, 1]);
    const [gx] = tf.gradients(nn.maxPool(x, 3, 2, 'SAME'), x);
    const want = [1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0];
    close(t, sess.run(gx!), want, [1, 5, 5, 1], 0);
    t.deepEqual(Array.from(ref.maxPoolGrad(new Float32Array(25).fill(1), [1, 5, 5, 1], new Float32Array(9).fill(1), { ksize: [3, 3], strides: [2, 2], padding: 'SAME' })), want);
  });
});
