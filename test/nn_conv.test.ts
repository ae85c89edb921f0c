// tf.nn convolutions: Conv2D / Conv2DBackpropInput / Conv2DBackpropFilter / DepthwiseConv2dNative
// (+ backprops) on oneDNN, float32. Values against a naive JS convolution (SAME/VALID, strides
// 1/2, dilation 2, explicit padding, NCHW), TF1 shape inference and errors, node names of the
// public wrappers and of gradient graphs, and float32 numeric gradient checks.
import test from 'ava';
import * as tf from 'tensorgraph';
import * as ref from './nn_conv_ref.js';
import { close, cst, f32, inGraph } from './nn_conv_ref.js';
const nn = tf.nn;

// ---------- acceptance values ----------

test('Conv2D: 4x4 image 1..16 with the 3x3 kernel -1..-9, VALID, stride 1', (t) => {
  inGraph((sess) => {
    const x = cst(Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]);
    const f = cst(Array.from({ length: 9 }, (_, i) => -(i + 1)), [3, 3, 1, 1]);
    const y = nn.conv2d(x, f, [1, 1, 1, 1], 'VALID');
    t.is(y.op.type, 'Conv2D');
    t.is(y.name, 'Conv2D:0');
    t.deepEqual(y.shape.dims, [1, 2, 2, 1]);
    t.deepEqual(sess.run(y).toArray(), [[[[-348], [-393]], [[-528], [-573]]]]);
  });
});

test('Conv2D shape (2,427,640,3) * [7,7,3,2], stride 2, SAME -> (2,214,320,2), and values at sampled positions', (t) => {
  inGraph((sess) => {
    const xs = [2, 427, 640, 3];
    const fs = [7, 7, 3, 2];
    const x = tf.placeholder('float32', { shape: xs });
    const f = tf.placeholder('float32', { shape: fs });
    const y = nn.conv2d(x, f, [1, 2, 2, 1], 'SAME');
    t.deepEqual(y.shape.dims, [2, 214, 320, 2]);
    // Unknown spatial dims stay unknown; batch and depth come through.
    const yu = nn.conv2d(tf.placeholder('float32', { shape: [null, null, 640, 3] }), f, 2, 'SAME');
    t.deepEqual(yu.shape.dims, [null, null, 320, 2]);

    const xv = ref.rand(ref.numel(xs), -1, 1, 1);
    const fv = ref.rand(ref.numel(fs), -1, 1, 2);
    const out = sess.run(y, new Map([[x, f32(xv, xs)], [f, f32(fv, fs)]]));
    t.deepEqual([...out.shape], [2, 214, 320, 2]);
    // TF's SAME split: pad_total = (214-1)*2 + 7 - 427 = 6 -> 3 before; (320-1)*2+7-640 = 5 -> 2 before.
    const sample = (b: number, oh: number, ow: number, co: number) => {
      let s = 0;
      for (let i = 0; i < 7; i++)
        for (let j = 0; j < 7; j++) {
          const ih = oh * 2 - 3 + i;
          const iw = ow * 2 - 2 + j;
          if (ih < 0 || ih >= 427 || iw < 0 || iw >= 640) continue;
          for (let c = 0; c < 3; c++) s += xv[((b * 427 + ih) * 640 + iw) * 3 + c] * fv[((i * 7 + j) * 3 + c) * 2 + co];
        }
      return s;
    };
    const data = out.data as Float32Array;
    for (const [b, oh, ow, co] of [[0, 0, 0, 0], [1, 213, 319, 1], [0, 100, 0, 1], [1, 0, 319, 0], [0, 213, 0, 0], [1, 57, 211, 1]]) {
      const got = data[((b * 214 + oh) * 320 + ow) * 2 + co];
      t.true(Math.abs(got - sample(b, oh, ow, co)) < 1e-4, `at ${[b, oh, ow, co]}: ${got} vs ${sample(b, oh, ow, co)}`);
    }
  });
});

// ---------- values against the naive reference ----------

interface Case {
  xs: number[];
  fs: number[];
  cfg: ref.ConvCfg;
}

const CASES: Case[] = [
  { xs: [2, 7, 8, 3], fs: [3, 3, 3, 4], cfg: { strides: [1, 1], padding: 'SAME' } },
  { xs: [2, 7, 8, 3], fs: [3, 3, 3, 4], cfg: { strides: [1, 1], padding: 'VALID' } },
  { xs: [2, 7, 8, 3], fs: [3, 3, 3, 4], cfg: { strides: [2, 2], padding: 'SAME' } },
  { xs: [2, 7, 8, 3], fs: [3, 3, 3, 4], cfg: { strides: [2, 2], padding: 'VALID' } },
  { xs: [1, 9, 6, 2], fs: [2, 4, 2, 3], cfg: { strides: [2, 3], padding: 'SAME' } },
  { xs: [1, 9, 6, 2], fs: [4, 2, 2, 3], cfg: { strides: [3, 2], padding: 'VALID' } },
  { xs: [2, 8, 7, 3], fs: [3, 3, 3, 2], cfg: { strides: [1, 1], dilations: [2, 2], padding: 'SAME' } },
  { xs: [2, 8, 7, 3], fs: [3, 3, 3, 2], cfg: { strides: [1, 1], dilations: [2, 2], padding: 'VALID' } },
  { xs: [1, 9, 9, 2], fs: [2, 3, 2, 2], cfg: { strides: [2, 2], dilations: [2, 1], padding: 'SAME' } },
  { xs: [1, 1, 1, 5], fs: [1, 1, 5, 3], cfg: { strides: [1, 1], padding: 'SAME' } },
  // More than 4 input channels: stride 1 backprops to the input run as a flipped forward conv.
  { xs: [2, 7, 8, 6], fs: [3, 3, 6, 5], cfg: { strides: [1, 1], padding: 'SAME' } },
  { xs: [2, 7, 8, 6], fs: [2, 4, 6, 5], cfg: { strides: [1, 1], padding: 'SAME' } },
  { xs: [2, 7, 8, 6], fs: [3, 2, 6, 5], cfg: { strides: [1, 1], padding: 'VALID' } },
  { xs: [2, 9, 8, 6], fs: [3, 2, 6, 5], cfg: { strides: [1, 1], dilations: [2, 3], padding: 'SAME' } },
  { xs: [1, 9, 8, 6], fs: [3, 3, 6, 5], cfg: { strides: [2, 1], padding: 'SAME' } },
];

const label = (c: Case) => `${c.xs}*${c.fs} s${c.cfg.strides} d${c.cfg.dilations ?? [1, 1]} ${c.cfg.padding}`;

test('Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter match the naive convolution', (t) => {
  CASES.forEach((c, k) => {
    inGraph((sess) => {
      const ys = ref.convShape(c.xs, c.fs, c.cfg);
      const xv = ref.rand(ref.numel(c.xs), -1, 1, 10 + k);
      const fv = ref.rand(ref.numel(c.fs), -1, 1, 20 + k);
      const dyv = ref.rand(ref.numel(ys), -1, 1, 30 + k);
      const opts = { dilations: c.cfg.dilations ?? 1 };
      const y = nn.conv2d(cst(xv, c.xs), cst(fv, c.fs), c.cfg.strides, c.cfg.padding, opts);
      t.deepEqual(y.shape.dims, ys, label(c));
      const dx = nn.conv2dBackpropInput(c.xs, cst(fv, c.fs), cst(dyv, ys), c.cfg.strides, c.cfg.padding, opts);
      const df = nn.conv2dBackpropFilter(cst(xv, c.xs), c.fs, cst(dyv, ys), c.cfg.strides, c.cfg.padding, opts);
      t.deepEqual(dx.shape.dims, c.xs);
      t.deepEqual(df.shape.dims, c.fs);
      const [yv, dxv, dfv] = sess.run([y, dx, df]);
      close(t, yv, ref.conv(xv, c.xs, fv, c.fs, c.cfg), ys, 1e-4, `forward ${label(c)}`);
      close(t, dxv, ref.convBackpropInput(dyv, c.xs, fv, c.fs, c.cfg), c.xs, 1e-4, `backprop input ${label(c)}`);
      close(t, dfv, ref.convBackpropFilter(xv, c.xs, dyv, c.fs, c.cfg), c.fs, 1e-4, `backprop filter ${label(c)}`);
    });
  });
});

test('Conv2D: a second run with another batch size reuses the kernel (primitive cache per shape)', (t) => {
  inGraph((sess) => {
    const x = tf.placeholder('float32', { shape: [null, 5, 5, 2] });
    const fv = ref.rand(3 * 3 * 2 * 2, -1, 1, 3);
    const y = nn.conv2d(x, cst(fv, [3, 3, 2, 2]), 1, 'SAME');
    const cfg: ref.ConvCfg = { strides: [1, 1], padding: 'SAME' };
    for (const n of [1, 3, 1, 0, 3]) {
      const xs = [n, 5, 5, 2];
      const xv = ref.rand(ref.numel(xs), -1, 1, n + 40);
      close(t, sess.run(y, new Map([[x, f32(xv, xs)]])), ref.conv(xv, xs, fv, [3, 3, 2, 2], cfg), [n, 5, 5, 2], 1e-4, `batch ${n}`);
    }
  });
});

test('Conv2D with explicit padding equals VALID on the zero-padded input', (t) => {
  inGraph((sess) => {
    const xs = [1, 5, 6, 2];
    const fs = [3, 2, 2, 3];
    const xv = ref.rand(ref.numel(xs), -1, 1, 5);
    const fv = ref.rand(ref.numel(fs), -1, 1, 6);
    const y = nn.conv2d(cst(xv, xs), cst(fv, fs), [1, 2, 1, 1], [[0, 0], [1, 2], [0, 1], [0, 0]]);
    t.is(y.op.getAttr('padding'), 'EXPLICIT');
    t.deepEqual(y.op.getAttr('explicit_paddings'), [0, 0, 1, 2, 0, 1, 0, 0]);
    // Pad by hand: rows 1 before, 2 after; cols 0 before, 1 after.
    const ps = [1, 8, 7, 2];
    const pv = new Float32Array(ref.numel(ps));
    for (let h = 0; h < 5; h++)
      for (let w = 0; w < 6; w++)
        for (let c = 0; c < 2; c++) pv[((h + 1) * 7 + w) * 2 + c] = xv[(h * 6 + w) * 2 + c];
    const cfg: ref.ConvCfg = { strides: [2, 1], padding: 'VALID' };
    const ys = ref.convShape(ps, fs, cfg);
    t.deepEqual(y.shape.dims, ys);
    close(t, sess.run(y), ref.conv(pv, ps, fv, fs, cfg), ys);
  });
});

test('Conv2DBackpropInput in NCHW (stride 1, 6 input channels) equals NHWC transposed', (t) => {
  inGraph((sess) => {
    const xs = [2, 6, 5, 6];
    const fs = [3, 2, 6, 4];
    const cfg: ref.ConvCfg = { strides: [1, 1], padding: 'SAME' };
    const ys = ref.convShape(xs, fs, cfg);
    const fv = ref.rand(ref.numel(fs), -1, 1, 9);
    const dyv = ref.rand(ref.numel(ys), -1, 1, 10);
    const dyNchw = tf.transpose(cst(dyv, ys), [0, 3, 1, 2]);
    const dx = nn.conv2dBackpropInput([2, 6, 6, 5], cst(fv, fs), dyNchw, 1, 'SAME', { dataFormat: 'NCHW' });
    close(t, sess.run(tf.transpose(dx, [0, 2, 3, 1])), ref.convBackpropInput(dyv, xs, fv, fs, cfg), xs, 1e-4);
  });
});

test('Conv2D in NCHW equals NHWC transposed', (t) => {
  inGraph((sess) => {
    const xs = [2, 6, 5, 3];
    const fs = [3, 3, 3, 4];
    const xv = ref.rand(ref.numel(xs), -1, 1, 7);
    const fv = ref.rand(ref.numel(fs), -1, 1, 8);
    const xNchw = tf.transpose(cst(xv, xs), [0, 3, 1, 2]);
    const y = nn.conv2d(xNchw, cst(fv, fs), [1, 1, 2, 2], 'SAME', { dataFormat: 'NCHW' });
    t.deepEqual(y.shape.dims, [2, 4, 3, 3]);
    const back = tf.transpose(y, [0, 2, 3, 1]);
    close(t, sess.run(back), ref.conv(xv, xs, fv, fs, { strides: [2, 2], padding: 'SAME' }), [2, 3, 3, 4]);
  });
});

test('conv2dTranspose is the backprop of conv2d (SAME stride 2, VALID with a leftover row)', (t) => {
  inGraph((sess, g) => {
    const vs = [1, 3, 3, 2];
    const fs = [3, 3, 4, 2];  // [h, w, out_channels, in_channels]
    const vv = ref.rand(ref.numel(vs), -1, 1, 11);
    const fv = ref.rand(ref.numel(fs), -1, 1, 12);
    const y = nn.conv2dTranspose(cst(vv, vs), cst(fv, fs), [1, 6, 6, 4], [1, 2, 2, 1]);
    t.is(y.op.type, 'Conv2DBackpropInput');
    t.is(y.op.name, 'conv2d_transpose');
    t.truthy(g.getOperationByName('conv2d_transpose/output_shape'));
    t.deepEqual(y.shape.dims, [1, 6, 6, 4]);
    close(t, sess.run(y), ref.convBackpropInput(vv, [1, 6, 6, 4], fv, fs, { strides: [2, 2], padding: 'SAME' }), [1, 6, 6, 4]);

    // VALID: (7 - 3)/2 + 1 = 3 outputs, so the last input row/column only gets zeros.
    const y2 = nn.conv2dTranspose(cst(vv, vs), cst(fv, fs), [1, 8, 7, 4], 2, { padding: 'VALID' });
    t.deepEqual(y2.shape.dims, [1, 8, 7, 4]);
    close(t, sess.run(y2), ref.convBackpropInput(vv, [1, 8, 7, 4], fv, fs, { strides: [2, 2], padding: 'VALID' }), [1, 8, 7, 4]);

    t.throws(() => nn.conv2dTranspose(cst(vv, vs), cst(fv, [3, 3, 4, 2]), [1, 6, 6, 5], 2),
      { instanceOf: tf.errors.InvalidArgumentError, message: /output_shape does not match filter's output channels/ });
    t.throws(() => nn.conv2dTranspose(cst(vv, vs), cst(fv, [3, 3, 2, 4]), [1, 6, 6, 2], 2),
      { instanceOf: tf.errors.InvalidArgumentError, message: /input channels does not match filter's input channels/ });
  });
});

// ---------- depthwise, separable, atrous ----------

const DW_CASES: Case[] = [
  { xs: [2, 6, 7, 3], fs: [3, 3, 3, 2], cfg: { strides: [1, 1], padding: 'SAME', depthwise: true } },
  { xs: [2, 6, 7, 3], fs: [3, 3, 3, 2], cfg: { strides: [2, 2], padding: 'VALID', depthwise: true } },
  { xs: [1, 7, 7, 4], fs: [2, 2, 4, 1], cfg: { strides: [2, 2], padding: 'SAME', depthwise: true } },
  { xs: [1, 8, 8, 2], fs: [3, 3, 2, 3], cfg: { strides: [1, 1], dilations: [2, 2], padding: 'SAME', depthwise: true } },
];

test('DepthwiseConv2dNative and its backprops match the naive depthwise convolution', (t) => {
  DW_CASES.forEach((c, k) => {
    inGraph((sess) => {
      const ys = ref.convShape(c.xs, c.fs, c.cfg);
      const xv = ref.rand(ref.numel(c.xs), -1, 1, 50 + k);
      const fv = ref.rand(ref.numel(c.fs), -1, 1, 60 + k);
      const dyv = ref.rand(ref.numel(ys), -1, 1, 70 + k);
      const opts = { dilations: c.cfg.dilations ?? 1 };
      const y = nn.depthwiseConv2dNative(cst(xv, c.xs), cst(fv, c.fs), c.cfg.strides, c.cfg.padding, opts);
      t.deepEqual(y.shape.dims, ys);
      const dx = nn.depthwiseConv2dNativeBackpropInput(c.xs, cst(fv, c.fs), cst(dyv, ys), c.cfg.strides, c.cfg.padding, opts);
      const df = nn.depthwiseConv2dNativeBackpropFilter(cst(xv, c.xs), c.fs, cst(dyv, ys), c.cfg.strides, c.cfg.padding, opts);
      const [yv, dxv, dfv] = sess.run([y, dx, df]);
      close(t, yv, ref.conv(xv, c.xs, fv, c.fs, c.cfg), ys, 1e-4, `depthwise ${label(c)}`);
      close(t, dxv, ref.convBackpropInput(dyv, c.xs, fv, c.fs, c.cfg), c.xs, 1e-4, `depthwise dx ${label(c)}`);
      close(t, dfv, ref.convBackpropFilter(xv, c.xs, dyv, c.fs, c.cfg), c.fs, 1e-4, `depthwise df ${label(c)}`);
    });
  });
});

test('depthwiseConv2d, separableConv2d and atrousConv2d: TF1 node names and values', (t) => {
  inGraph((sess, g) => {
    const xs = [1, 6, 6, 2];
    const xv = ref.rand(ref.numel(xs), -1, 1, 80);
    const dwv = ref.rand(3 * 3 * 2 * 2, -1, 1, 81);
    const pwv = ref.rand(1 * 1 * 4 * 3, -1, 1, 82);
    const x = cst(xv, xs);
    const d = nn.depthwiseConv2d(x, cst(dwv, [3, 3, 2, 2]), [1, 1, 1, 1], 'SAME');
    t.is(d.op.name, 'depthwise');
    t.is(d.op.type, 'DepthwiseConv2dNative');
    t.truthy(g.getOperationByName('depthwise/Shape'));
    t.truthy(g.getOperationByName('depthwise/dilation_rate'));
    t.deepEqual(d.shape.dims, [1, 6, 6, 4]);
    const dcfg: ref.ConvCfg = { strides: [1, 1], padding: 'SAME', depthwise: true };
    close(t, sess.run(d), ref.conv(xv, xs, dwv, [3, 3, 2, 2], dcfg), [1, 6, 6, 4]);

    const dr = nn.depthwiseConv2d(x, cst(dwv, [3, 3, 2, 2]), 1, 'VALID', { rate: 2 });
    t.is(dr.op.name, 'depthwise_1');
    close(t, sess.run(dr), ref.conv(xv, xs, dwv, [3, 3, 2, 2], { strides: [1, 1], dilations: [2, 2], padding: 'VALID', depthwise: true }), [1, 2, 2, 4]);

    const s = nn.separableConv2d(x, cst(dwv, [3, 3, 2, 2]), cst(pwv, [1, 1, 4, 3]), [1, 2, 2, 1], 'SAME');
    t.is(s.op.name, 'separable_conv2d');
    t.is(s.op.type, 'Conv2D');
    t.is(s.op.inputs[0].op.name, 'separable_conv2d/depthwise');
    t.deepEqual(s.shape.dims, [1, 3, 3, 3]);
    const dw = ref.conv(xv, xs, dwv, [3, 3, 2, 2], { ...dcfg, strides: [2, 2] });
    close(t, sess.run(s), ref.conv(dw, [1, 3, 3, 4], pwv, [1, 1, 4, 3], { strides: [1, 1], padding: 'VALID' }), [1, 3, 3, 3]);
    t.throws(() => nn.separableConv2d(x, cst(dwv, [3, 3, 2, 2]), cst(ref.rand(2 * 1 * 4 * 3, 0, 1, 1), [2, 1, 4, 3]), 1, 'SAME'),
      { instanceOf: tf.errors.InvalidArgumentError });

    const fv = ref.rand(3 * 3 * 2 * 2, -1, 1, 83);
    const a = nn.atrousConv2d(x, cst(fv, [3, 3, 2, 2]), 2, 'SAME');
    t.is(a.op.name, 'convolution');
    t.deepEqual(a.op.getAttr('dilations'), [1, 2, 2, 1]);
    close(t, sess.run(a), ref.conv(xv, xs, fv, [3, 3, 2, 2], { strides: [1, 1], dilations: [2, 2], padding: 'SAME' }), [1, 6, 6, 2]);
    t.throws(() => nn.atrousConv2d(x, cst(fv, [3, 3, 2, 2]), 0, 'SAME'), { message: /rate 0 cannot be less than one/ });
  });
});

// ---------- shape inference and errors ----------

test('Conv2D shape inference: TF1 rules and construction-time errors name the op', (t) => {
  inGraph(() => {
    const f = tf.placeholder('float32', { shape: [3, 3, 3, 8] });
    t.deepEqual(nn.conv2d(tf.placeholder('float32', { shape: [4, 10, 11, 3] }), f, 1, 'VALID').shape.dims, [4, 8, 9, 8]);
    t.deepEqual(nn.conv2d(tf.placeholder('float32', { shape: [4, 10, 11, 3] }), f, [3, 2], 'SAME').shape.dims, [4, 4, 6, 8]);
    t.deepEqual(nn.conv2d(tf.placeholder('float32', { shape: [4, 10, 11, 3] }), f, 1, 'SAME', { dilations: 2 }).shape.dims, [4, 10, 11, 8]);
    t.deepEqual(nn.conv2d(tf.placeholder('float32'), f, 1, 'SAME').shape.dims, [null, null, null, 8]);
    t.deepEqual(nn.conv2d(tf.placeholder('float32', { shape: [2, 3, 10, 11] }), f, 1, 'VALID', { dataFormat: 'NCHW' }).shape.dims, [2, 8, 8, 9]);
    t.deepEqual(nn.depthwiseConv2dNative(tf.placeholder('float32', { shape: [1, 5, 5, 3] }), tf.placeholder('float32', { shape: [3, 3, 3, 4] }), 2, 'SAME').shape.dims, [1, 3, 3, 12]);

    t.throws(() => nn.conv2d(tf.placeholder('float32', { shape: [1, 5, 5, 4] }), f, 1, 'SAME'),
      { instanceOf: tf.errors.InvalidArgumentError, message: /Dimensions must be equal, but are 4 and 3 for 'Conv2D_\d+' \(op: 'Conv2D'\) with input shapes: \[1,5,5,4\], \[3,3,3,8\]/ });
    t.throws(() => nn.conv2d(tf.placeholder('float32', { shape: [1, 2, 5, 3] }), f, 1, 'VALID'),
      { instanceOf: tf.errors.InvalidArgumentError, message: /Negative dimension size caused by subtracting 3 from 2/ });
    t.throws(() => nn.conv2d(tf.placeholder('float32', { shape: [1, 5, 5] }), f, 1, 'SAME'),
      { instanceOf: tf.errors.InvalidArgumentError, message: /Shape must be rank 4 but is rank 3/ });
    t.throws(() => nn.conv2d(tf.placeholder('float32', { shape: [1, 5, 5, 3] }), f, [1, 1, 1], 'SAME'),
      { instanceOf: tf.errors.InvalidArgumentError, message: /strides should be of length 1, 2 or 4 but was 3/ });
    t.throws(() => nn.conv2d(tf.placeholder('float32', { shape: [1, 5, 5, 3] }), f, 1, 'EXPLICIT' as 'SAME'),
      { instanceOf: tf.errors.InvalidArgumentError, message: /"EXPLICIT" is not a valid value/ });
    t.throws(() => nn.depthwiseConv2dNative(tf.placeholder('float32', { shape: [1, 5, 5, 3] }), tf.placeholder('float32', { shape: [3, 3, 3, 4] }), [1, 2], 'SAME'),
      { instanceOf: tf.errors.InvalidArgumentError, message: /equal length strides/ });
    t.throws(() => nn.conv2d(tf.placeholder('int32', { shape: [1, 5, 5, 3] }), tf.placeholder('int32', { shape: [3, 3, 3, 1] }), 1, 'SAME'),
      { instanceOf: tf.errors.InvalidArgumentError, message: /not in the list of allowed values/ });
    // Backprop shapes come from the constant sizes input.
    t.deepEqual(nn.conv2dBackpropInput([2, 9, 9, 3], f, tf.placeholder('float32'), 1, 'SAME').shape.dims, [2, 9, 9, 3]);
    t.deepEqual(nn.conv2dBackpropFilter(tf.placeholder('float32'), tf.placeholder('int32', { shape: [4] }), tf.placeholder('float32'), 1, 'SAME').shape.dims, [null, null, null, null]);
  });
});

test('Conv2D kernels: run-time errors for shapes only known when fed', (t) => {
  inGraph((sess) => {
    const x = tf.placeholder('float32');
    const f = tf.placeholder('float32');
    const y = nn.conv2d(x, f, 1, 'VALID');
    const feeds = (xs: number[], fs: number[]) => new Map([[x, f32(new Float32Array(ref.numel(xs)), xs)], [f, f32(new Float32Array(ref.numel(fs)), fs)]]);
    t.throws(() => sess.run(y, feeds([1, 5, 5, 3], [3, 3, 2, 1])), { instanceOf: tf.errors.InvalidArgumentError, message: /input and filter must have the same depth: 3 vs 2/ });
    t.throws(() => sess.run(y, feeds([1, 5, 5], [3, 3, 3, 1])), { instanceOf: tf.errors.InvalidArgumentError, message: /input must be 4-dimensional/ });
    // As TF's kernel: (in - k + stride) / stride truncates, so 2 - 3 gives an empty output and 1 - 3 an error.
    t.deepEqual(sess.run(y, feeds([1, 2, 2, 1], [3, 3, 1, 1])).shape, [1, 0, 0, 1]);
    t.throws(() => sess.run(y, feeds([1, 1, 1, 1], [3, 3, 1, 1])), { instanceOf: tf.errors.InvalidArgumentError, message: /Computed output size would be negative: -1/ });
    t.deepEqual(sess.run(y, feeds([0, 5, 5, 3], [3, 3, 3, 2])).shape, [0, 3, 3, 2]);
    // Strides on the batch dimension pass shape inference (as in TF) and fail in the kernel.
    const yb = nn.conv2d(x, f, [2, 1, 1, 1], 'VALID');
    t.throws(() => sess.run(yb, feeds([2, 5, 5, 3], [3, 3, 3, 2])),
      { instanceOf: tf.errors.InvalidArgumentError, message: /does not yet support strides in the batch and depth dimensions/ });

    const dy = tf.placeholder('float32');
    const dx = nn.conv2dBackpropInput([1, 6, 6, 1], cst(new Float32Array(9), [3, 3, 1, 1]), dy, 2, 'SAME');
    t.throws(() => sess.run(dx, new Map([[dy, f32(new Float32Array(16), [1, 4, 4, 1])]])),
      { instanceOf: tf.errors.InvalidArgumentError, message: /Conv2DBackpropInput: Size of out_backprop doesn't match computed: actual = 4, computed = 3/ });
  });
});

// ---------- gradients ----------

test('Conv2D gradient graph has TF1 node names', (t) => {
  inGraph((_sess, g) => {
    const x = tf.placeholder('float32', { shape: [1, 5, 5, 2] });
    const f = tf.placeholder('float32', { shape: [3, 3, 2, 4] });
    const y = nn.conv2d(x, f, 2, 'SAME');
    const [gx, gf] = tf.gradients(y, [x, f]);
    t.is(gx!.op.name, 'gradients/Conv2D_grad/Conv2DBackpropInput');
    t.is(gf!.op.name, 'gradients/Conv2D_grad/Conv2DBackpropFilter');
    t.is(gx!.op.inputs[0].op.name, 'gradients/Conv2D_grad/ShapeN');
    t.deepEqual(gx!.shape.dims, [1, 5, 5, 2]);
    t.deepEqual(gf!.shape.dims, [3, 3, 2, 4]);
    t.deepEqual(gx!.op.getAttr('strides'), [1, 2, 2, 1]);
    t.truthy(g.getOperationByName('gradients/Conv2D_grad/ShapeN'));
  });
});

/** Float32 numeric gradient check of y(x) for a placeholder x (other inputs fixed). */
function gradErr(xs: number[], build: (x: tf.Tensor) => tf.Tensor, seed: number, range: [number, number] = [-1, 1]): number {
  return inGraph((sess) => {
    const x = tf.placeholder('float32', { shape: xs });
    const y = build(x);
    const ys = y.shape.dims as number[];
    return tf.test.computeGradientError(x, xs, y, ys, {
      session: sess, delta: 1e-2, xInitValue: f32(ref.rand(ref.numel(xs), range[0], range[1], seed), xs),
    });
  });
}

test('Conv2D gradients (input and filter) pass a float32 numeric check', (t) => {
  const fv = ref.rand(3 * 3 * 2 * 2, -1, 1, 90);
  const xv = ref.rand(1 * 5 * 5 * 2, -1, 1, 91);
  for (const [strides, padding, dil] of [[1, 'SAME', 1], [2, 'VALID', 1], [2, 'SAME', 1], [1, 'SAME', 2]] as const) {
    const wrtX = gradErr([1, 5, 5, 2], (x) => nn.conv2d(x, cst(fv, [3, 3, 2, 2]), strides, padding, { dilations: dil }), 92);
    const wrtF = gradErr([3, 3, 2, 2], (f) => nn.conv2d(cst(xv, [1, 5, 5, 2]), f, strides, padding, { dilations: dil }), 93);
    t.true(wrtX < 1e-2, `d/dx ${strides} ${padding} ${dil}: ${wrtX}`);
    t.true(wrtF < 1e-2, `d/df ${strides} ${padding} ${dil}: ${wrtF}`);
  }
});

test('Conv2DBackpropInput / Conv2DBackpropFilter / DepthwiseConv2dNative gradients pass a float32 numeric check', (t) => {
  const fv = ref.rand(3 * 3 * 2 * 2, -1, 1, 94);
  const vv = ref.rand(1 * 3 * 3 * 2, -1, 1, 95);
  // conv2d_transpose w.r.t. its value and its filter (Conv2DBackpropInput's gradients).
  t.true(gradErr([1, 3, 3, 2], (v) => nn.conv2dTranspose(v, cst(fv, [3, 3, 2, 2]), [1, 5, 5, 2], 2), 96) < 1e-2);
  t.true(gradErr([3, 3, 2, 2], (f) => nn.conv2dTranspose(cst(vv, [1, 3, 3, 2]), f, [1, 5, 5, 2], 2), 97) < 1e-2);
  // Conv2DBackpropFilter w.r.t. its input and out_backprop.
  const xv = ref.rand(1 * 5 * 5 * 2, -1, 1, 98);
  const dyv = ref.rand(1 * 3 * 3 * 2, -1, 1, 99);
  t.true(gradErr([1, 5, 5, 2], (x) => nn.conv2dBackpropFilter(x, [3, 3, 2, 2], cst(dyv, [1, 3, 3, 2]), 2, 'SAME'), 100) < 1e-2);
  t.true(gradErr([1, 3, 3, 2], (dy) => nn.conv2dBackpropFilter(cst(xv, [1, 5, 5, 2]), [3, 3, 2, 2], dy, 2, 'SAME'), 101) < 1e-2);
  // Depthwise, input and filter.
  const dfv = ref.rand(3 * 3 * 2 * 2, -1, 1, 102);
  t.true(gradErr([1, 5, 5, 2], (x) => nn.depthwiseConv2d(x, cst(dfv, [3, 3, 2, 2]), 2, 'SAME'), 103) < 1e-2);
  t.true(gradErr([3, 3, 2, 2], (f) => nn.depthwiseConv2d(cst(xv, [1, 5, 5, 2]), f, 1, 'VALID'), 104) < 1e-2);
});

test('concurrent runs of one Conv2D / its gradients with different shapes (shared primitive cache, per-run scratchpad)', async (t) => {
  const g = new tf.Graph();
  await g.asDefault(async () => {
    using sess = new tf.Session({ graph: g });
    const x = tf.placeholder('float32', { shape: [null, 6, 6, 3] });
    const fv = ref.rand(3 * 3 * 3 * 4, -1, 1, 110);
    const y = nn.conv2d(x, cst(fv, [3, 3, 3, 4]), 2, 'SAME');
    const [gx] = tf.gradients(y, x);
    const cfg: ref.ConvCfg = { strides: [2, 2], padding: 'SAME' };
    const batches = [1, 4, 2, 4, 1, 3, 2, 1];
    const inputs = batches.map((n, i) => ref.rand(n * 6 * 6 * 3, -1, 1, 120 + i));
    const results = await Promise.all(batches.map((n, i) => sess.runAsync([y, gx!], new Map([[x, f32(inputs[i], [n, 6, 6, 3])]]))));
    results.forEach(([yv, gv], i) => {
      const xs = [batches[i], 6, 6, 3];
      const ys = ref.convShape(xs, [3, 3, 3, 4], cfg);
      close(t, yv, ref.conv(inputs[i], xs, fv, [3, 3, 3, 4], cfg), ys, 1e-4, `run ${i}`);
      close(t, gv, ref.convBackpropInput(new Float32Array(ref.numel(ys)).fill(1), xs, fv, [3, 3, 3, 4], cfg), xs, 1e-4, `grad ${i}`);
    });
  });
});

test('DepthwiseConv2dNative in NCHW equals NHWC transposed', (t) => {
  inGraph((sess) => {
    const xs = [1, 5, 6, 3];
    const fs = [3, 3, 3, 2];
    const xv = ref.rand(ref.numel(xs), -1, 1, 130);
    const fv = ref.rand(ref.numel(fs), -1, 1, 131);
    const y = nn.depthwiseConv2dNative(tf.transpose(cst(xv, xs), [0, 3, 1, 2]), cst(fv, fs), [1, 1, 2, 2], 'SAME', { dataFormat: 'NCHW' });
    t.deepEqual(y.shape.dims, [1, 6, 3, 3]);
    close(t, sess.run(tf.transpose(y, [0, 2, 3, 1])), ref.conv(xv, xs, fv, fs, { strides: [2, 2], padding: 'SAME', depthwise: true }), [1, 3, 3, 6]);
  });
});
