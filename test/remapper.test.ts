// The runtime's remapper (native/runtime/remapper.cc): MatMul+BiasAdd(+Relu) runs as one
// _FusedMatMul node (Conv2D+BiasAdd(+Relu) as one _FusedConv2D) under the last node's name, with the unfused graph's values; an
// intermediate that is fetched (or used elsewhere) keeps the chain unfused.
import test from 'ava';
import * as tf from 'tensorgraph';
import { inGraph } from './helpers.js';

const f32 = (v: number[], shape: number[]) => tf.NDArray.from(Float32Array.from(v), 'float32', shape);
const X = [0.5, -1, 2, 1.5, 0.25, -0.75, -2, 1, 0.5, 0.1, 0.2, 0.3];  // [4,3]
const W = [1, -0.5, 0.25, 2, -1, 0.5, 1.5, -2, 0.75, 0.3, -0.25, 1, 0.5, -1.5, 2];  // [3,5]
const B = [0.1, -0.2, 0.3, -0.4, 0.5];

/** relu(x·w + b) in float64, row-major [4,5]. */
function expected(relu: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 5; j++) {
      let s = 0;
      for (let p = 0; p < 3; p++) s += X[i * 3 + p] * W[p * 5 + j];
      out.push(relu ? Math.max(s + B[j], 0) : s + B[j]);
    }
  }
  return out;
}

/** The op each traced node ran, by node name (from TF's timeline label "name = Op(...)"). */
function opsRan(md: tf.RunMetadata): Map<string, string> {
  const m = new Map<string, string>();
  for (const d of md.stepStats!.devStats) for (const n of d.nodeStats) m.set(n.nodeName, /^[^=]* = ([^(]*)\(/.exec(n.timelineLabel)![1]);
  return m;
}

function layer(relu: boolean) {
  const x = tf.placeholder('float32', { shape: [4, 3], name: 'x' });
  const w = tf.constant(f32(W, [3, 5]), { name: 'w' });
  const b = tf.constant(f32(B, [5]), { name: 'b' });
  const mm = tf.matmul(x, w);
  const pre = tf.nn.biasAdd(mm, b);
  const y = relu ? tf.nn.relu(pre) : pre;
  return { x, mm, pre, y };
}

for (const relu of [true, false]) {
  test(`MatMul+BiasAdd${relu ? '+Relu' : ''} runs as one _FusedMatMul with the unfused values`, (t) => {
    inGraph((g) => {
      const { x, mm, pre, y } = layer(relu);
      using sess = new tf.Session({ graph: g });
      const feeds = new Map<tf.Tensor | string, unknown>([[x, f32(X, [4, 3])]]);
      const md: tf.RunMetadata = {};
      const [fused] = sess.run([y], feeds, { traceLevel: tf.TraceLevel.FULL_TRACE }, md);
      const ops = opsRan(md);
      t.is(ops.get(y.op.name), '_FusedMatMul');
      t.false(ops.has(mm.op.name));
      if (relu) t.false(ops.has(pre.op.name));
      const want = expected(relu);
      const got = Array.from(fused.data as Float32Array);
      t.is(got.length, 20);
      for (let i = 0; i < 20; i++) t.true(Math.abs(got[i] - want[i]) < 1e-5, `${i}: ${got[i]} vs ${want[i]}`);
      if (relu) t.true(got.some((v) => v === 0) && got.some((v) => v > 0), 'the relu clips some values');
      // Fetching the MatMul keeps the chain apart; the values are the same bits.
      const md2: tf.RunMetadata = {};
      const [unfused] = sess.run([y, mm], feeds, { traceLevel: tf.TraceLevel.FULL_TRACE }, md2);
      const ops2 = opsRan(md2);
      t.is(ops2.get(mm.op.name), 'MatMul');
      t.is(ops2.get(y.op.name), relu ? 'Relu' : 'BiasAdd');
      t.deepEqual(Array.from(unfused.data as Float32Array), got);
    });
  });
}

test('a fetched BiasAdd output fuses MatMul+BiasAdd only; Relu runs on its own', (t) => {
  inGraph((g) => {
    const { x, pre, y } = layer(true);
    using sess = new tf.Session({ graph: g });
    const md: tf.RunMetadata = {};
    const [ry, rpre] = sess.run([y, pre], new Map([[x, f32(X, [4, 3])]]), { traceLevel: tf.TraceLevel.FULL_TRACE }, md);
    const ops = opsRan(md);
    t.is(ops.get(pre.op.name), '_FusedMatMul');
    t.is(ops.get(y.op.name), 'Relu');
    const want = expected(false);
    Array.from(rpre.data as Float32Array).forEach((v, i) => t.true(Math.abs(v - want[i]) < 1e-5));
    Array.from(ry.data as Float32Array).forEach((v, i) => t.true(Math.abs(v - Math.max(want[i], 0)) < 1e-5));
  });
});

test('gradients through a fused layer match finite differences, and training runs the fusion', (t) => {
  inGraph((g) => {
    const x = tf.placeholder('float32', { shape: [4, 3], name: 'x' });
    const w = tf.placeholder('float32', { shape: [3, 5], name: 'w' });
    const b = tf.placeholder('float32', { shape: [5], name: 'b' });
    const h = tf.nn.relu(tf.nn.biasAdd(tf.matmul(x, w), b));
    const loss = tf.reduceSum(h.mul(h));
    using sess = new tf.Session({ graph: g });
    const vals = new Map<tf.Tensor | string, unknown>([[x, f32(X, [4, 3])], [w, f32(W, [3, 5])], [b, f32(B, [5])]]);
    const [gw] = tf.gradients(loss, [w]);
    const md: tf.RunMetadata = {};
    sess.run([gw!], vals, { traceLevel: tf.TraceLevel.FULL_TRACE }, md);
    t.is(opsRan(md).get(h.op.name), '_FusedMatMul', 'Relu feeds ReluGrad and the loss: still fused');
    for (const [p, shape, init] of [[x, [4, 3], X], [w, [3, 5], W], [b, [5], B]] as [tf.Tensor, number[], number[]][]) {
      const extra = new Map(vals);
      extra.delete(p);
      const err = tf.test.computeGradientError(p, shape, loss, [], { xInitValue: f32(init, shape), delta: 1e-3, extraFeedDict: extra, session: sess });
      t.true(err < 2e-2, `${p.name}: ${err}`);
    }
  });
});

// A SAME 3x3 convolution of a [2,5,5,3] batch to 4 channels, + bias, ReLU; values of a simple
// formula so that about half of the pre-activations are negative.
const CX = Array.from({ length: 2 * 5 * 5 * 3 }, (_, i) => Math.sin(i * 0.7));
const CW = Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i * 1.3) * 0.5);
const CB = [0.1, -0.3, 0.2, -0.1];

test('Conv2D+BiasAdd+Relu runs as one _FusedConv2D: the unfused values, and its gradients match finite differences', (t) => {
  inGraph((g) => {
    const x = tf.placeholder('float32', { shape: [2, 5, 5, 3], name: 'x' });
    const w = tf.placeholder('float32', { shape: [3, 3, 3, 4], name: 'w' });
    const b = tf.placeholder('float32', { shape: [4], name: 'b' });
    const conv = tf.nn.conv2d(x, w, 1, 'SAME');
    const h = tf.nn.relu(tf.nn.biasAdd(conv, b));
    const loss = tf.reduceSum(h.mul(h));
    using sess = new tf.Session({ graph: g });
    const vals = new Map<tf.Tensor | string, unknown>([[x, f32(CX, [2, 5, 5, 3])], [w, f32(CW, [3, 3, 3, 4])], [b, f32(CB, [4])]]);
    const [gw, gb] = tf.gradients(loss, [w, b]);
    const md: tf.RunMetadata = {};
    const [fused, fgw, fgb] = sess.run([h, gw!, gb!], vals, { traceLevel: tf.TraceLevel.FULL_TRACE }, md);
    t.is(opsRan(md).get(h.op.name), '_FusedConv2D');
    t.false(opsRan(md).has(conv.op.name));
    // Fetching the convolution keeps the chain apart: the same values and gradients.
    const md2: tf.RunMetadata = {};
    const [unfused, ugw, ugb] = sess.run([h, gw!, gb!, conv], vals, { traceLevel: tf.TraceLevel.FULL_TRACE }, md2);
    t.is(opsRan(md2).get(conv.op.name), 'Conv2D');
    t.is(opsRan(md2).get(h.op.name), 'Relu');
    const close = (a: tf.NDArray, e: tf.NDArray, what: string) => {
      const av = a.data as Float32Array, ev = e.data as Float32Array;
      t.is(av.length, ev.length);
      for (let i = 0; i < av.length; i++) t.true(Math.abs(av[i] - ev[i]) <= 1e-4 * (1 + Math.abs(ev[i])), `${what}[${i}]: ${av[i]} vs ${ev[i]}`);
    };
    close(fused, unfused, 'relu(conv + b)');
    close(fgw, ugw, 'dloss/dw');
    close(fgb, ugb, 'dloss/db');
    const hv = fused.data as Float32Array;
    t.true(hv.some((v) => v === 0) && hv.some((v) => v > 0), 'the relu clips some values');
    // float32 differences of a loss of ~100: the bound scales with the largest gradient.
    for (const [p, shape, init, grad] of [[w, [3, 3, 3, 4], CW, fgw], [b, [4], CB, fgb]] as [tf.Tensor, number[], number[], tf.NDArray][]) {
      const extra = new Map(vals);
      extra.delete(p);
      const err = tf.test.computeGradientError(p, shape, loss, [], { xInitValue: f32(init, shape), delta: 1e-3, extraFeedDict: extra, session: sess });
      const scale = Math.max(1, ...Array.from(grad.data as Float32Array, Math.abs));
      t.true(err < 2e-3 * scale, `${p.name}: ${err} (largest gradient ${scale})`);
    }
  });
});

// relu -> max_pool: the gradient reaches the relu's input only at a window's first maximum,
// and only where that maximum is > 0. In float64 over NHWC, TF's SAME split of the padding.
function reluPoolGrad(pre: number[], shape: number[], k: number, s: number, padding: 'SAME' | 'VALID', dy: number[]): number[] {
  const [n, h, w, c] = shape;
  const out = (len: number) => (padding === 'SAME' ? Math.ceil(len / s) : Math.floor((len - k) / s) + 1);
  const [oh, ow] = [out(h), out(w)];
  const padBefore = (len: number, o: number) => (padding === 'SAME' ? Math.floor(Math.max((o - 1) * s + k - len, 0) / 2) : 0);
  const [ph, pw] = [padBefore(h, oh), padBefore(w, ow)];
  const at = (b: number, y: number, x: number, ch: number) => ((b * h + y) * w + x) * c + ch;
  const dx = new Array<number>(pre.length).fill(0);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++)
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity, arg = -1;
          for (let i = y * s - ph; i < y * s - ph + k; i++)
            for (let j = x * s - pw; j < x * s - pw + k; j++) {
              if (i < 0 || i >= h || j < 0 || j >= w) continue;
              const v = Math.max(pre[at(b, i, j, ch)], 0);
              if (v > best) [best, arg] = [v, at(b, i, j, ch)];
            }
          if (best > 0) dx[arg] += dy[((b * oh + y) * ow + x) * c + ch];
        }
  return dx;
}

for (const [k, s, padding] of [[2, 2, 'VALID'], [3, 2, 'SAME'], [2, 3, 'SAME']] as [number, number, 'SAME' | 'VALID'][]) {
  test(`MaxPoolGrad -> ReluGrad (pool ${k}x${k} stride ${s} ${padding}) runs as one _FusedMaxPoolGrad with the hand-computed gradient`, (t) => {
    inGraph((g) => {
      const shape = [2, 7, 6, 5];
      const PRE = Array.from({ length: 2 * 7 * 6 * 5 }, (_, i) => Math.sin(i * 0.91) + 0.1);
      const pre = tf.placeholder('float32', { shape, name: 'pre' });
      const pooled = tf.nn.maxPool(tf.nn.relu(pre), k, s, padding);
      const WT = Array.from({ length: pooled.shape.numElements()! }, (_, i) => Math.cos(i * 0.37));
      const loss = tf.reduceSum(pooled.mul(tf.constant(f32(WT, pooled.shape.dims as number[]))));
      const [dpre] = tf.gradients(loss, [pre]);
      using sess = new tf.Session({ graph: g });
      const feeds = new Map<tf.Tensor | string, unknown>([[pre, f32(PRE, shape)]]);
      const md: tf.RunMetadata = {};
      const [fused] = sess.run([dpre!], feeds, { traceLevel: tf.TraceLevel.FULL_TRACE }, md);
      t.is(opsRan(md).get(dpre!.op.name), '_FusedMaxPoolGrad');
      const want = reluPoolGrad(PRE, shape, k, s, padding, WT);
      const got = Array.from(fused.data as Float32Array);
      t.is(got.length, want.length);
      for (let i = 0; i < want.length; i++) t.true(Math.abs(got[i] - want[i]) < 1e-5, `${i}: ${got[i]} vs ${want[i]}`);
      t.true(want.filter((v) => v !== 0).length > 10 && PRE.some((v) => v < 0), 'some gradients pass, some inputs are clipped');
      // A control edge on the ReluGrad (as tf.gradients' tuples add) waits for the fused node.
      const counter = new tf.Variable(0, { name: 'counter' });
      const after = tf.controlDependencies([dpre!.op], () => counter.assignAdd(1));
      sess.run(counter.initializer);
      const md1: tf.RunMetadata = {};
      sess.run([after], feeds, { traceLevel: tf.TraceLevel.FULL_TRACE }, md1);
      t.is(opsRan(md1).get(dpre!.op.name), '_FusedMaxPoolGrad');
      t.is(sess.run(counter.value()).data[0], 1);
      // Fetching the MaxPoolGrad keeps the pair apart: the same values.
      const mpg = g.getOperations().find((o) => o.type === 'MaxPoolGrad')!;
      const md2: tf.RunMetadata = {};
      const [unfused] = sess.run([dpre!, mpg.outputs[0]], feeds, { traceLevel: tf.TraceLevel.FULL_TRACE }, md2);
      t.is(opsRan(md2).get(dpre!.op.name), 'ReluGrad');
      t.deepEqual(Array.from(unfused.data as Float32Array), got);
    });
  });
}

// bias_add -> relu -> max_pool (a conv layer's tail): the bias gradient (BiasAddGrad of the
// masked gradient) comes out of the _FusedMaxPoolGrad as its second output; the BiasAddGrad
// node does not run. Expected: the hand-computed masked gradient summed per channel.
for (const [k, s, padding] of [[2, 2, 'VALID'], [3, 2, 'SAME']] as [number, number, 'SAME' | 'VALID'][]) {
  test(`BiasAddGrad after MaxPoolGrad -> ReluGrad (pool ${k}x${k} stride ${s} ${padding}) is summed by the _FusedMaxPoolGrad`, (t) => {
    inGraph((g) => {
      const shape = [3, 6, 7, 6];
      const X = Array.from({ length: 3 * 6 * 7 * 6 }, (_, i) => Math.sin(i * 0.73) + 0.05);
      const BV = [0.2, -0.3, 0.1, 0.5, -0.6, 0];
      const x = tf.placeholder('float32', { shape, name: 'x' });
      const b = tf.constant(f32(BV, [6]), { name: 'b' });
      const pooled = tf.nn.maxPool(tf.nn.relu(tf.nn.biasAdd(x, b)), k, s, padding);
      const WT = Array.from({ length: pooled.shape.numElements()! }, (_, i) => Math.cos(i * 0.41) * 3);
      const loss = tf.reduceSum(pooled.mul(tf.constant(f32(WT, pooled.shape.dims as number[]))));
      const [dx, db] = tf.gradients(loss, [x, b]);
      const dbUser = tf.identity(db!, { name: 'db_user' });  // a consumer, as an optimizer's update is
      using sess = new tf.Session({ graph: g });
      const feeds = new Map<tf.Tensor | string, unknown>([[x, f32(X, shape)]]);
      const md: tf.RunMetadata = {};
      const [gx, gb] = sess.run([dx!, dbUser], feeds, { traceLevel: tf.TraceLevel.FULL_TRACE }, md);
      const ran = opsRan(md);
      t.is(ran.get(dx!.op.name), '_FusedMaxPoolGrad');
      t.false([...ran.values()].includes('BiasAddGrad'), 'the BiasAddGrad did not run');
      const PRE = X.map((v, i) => v + BV[i % 6]);
      const want = reluPoolGrad(PRE, shape, k, s, padding, WT);
      const gotX = Array.from(gx.data as Float32Array);
      for (let i = 0; i < want.length; i++) t.true(Math.abs(gotX[i] - want[i]) < 1e-5, `dx ${i}: ${gotX[i]} vs ${want[i]}`);
      const wantB = BV.map((_, ch) => want.filter((_, i) => i % 6 === ch).reduce((a, v) => a + v, 0));
      t.true(wantB.filter((v) => Math.abs(v) > 0.5).length >= 3, 'the bias gradients are not trivial');
      const gotB = Array.from(gb.data as Float32Array);
      t.is(gotB.length, 6);
      for (let ch = 0; ch < 6; ch++) t.true(Math.abs(gotB[ch] - wantB[ch]) < 1e-4, `db ${ch}: ${gotB[ch]} vs ${wantB[ch]}`);
      // Fetching the BiasAddGrad itself keeps it a node of its own: the same values.
      const md2: tf.RunMetadata = {};
      const [gb2] = sess.run([db!], feeds, { traceLevel: tf.TraceLevel.FULL_TRACE }, md2);
      t.is(opsRan(md2).get(db!.op.name), 'BiasAddGrad');
      const gotB2 = Array.from(gb2.data as Float32Array);
      for (let ch = 0; ch < 6; ch++) t.true(Math.abs(gotB2[ch] - wantB[ch]) < 1e-4, `unfused db ${ch}: ${gotB2[ch]} vs ${wantB[ch]}`);
    });
  });
}
