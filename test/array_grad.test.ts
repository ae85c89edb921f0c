// Gradients of the array ops (src/gradients/array_grad.ts): numeric gradient checks in
// float64 for every differentiable op, with random shapes, negative axes and placeholders
// whose static shape is partly or wholly unknown (fed at run time); the kernels of the
// helper ops the gradients build (InvertPermutation, ConcatOffset, ShapeN, StridedSliceGrad,
// UnsortedSegmentSum, MirrorPadGrad) against hand-computed values; the gradient graph's
// node names against TF1's (derived from TF1's array_grad.py); and the ops with no gradient.
import test, { type ExecutionContext } from 'ava';
import * as tf from 'tensorgraph';
import { run } from './helpers.js';

const { invertPermutation, shapeN, unsortedSegmentSum } = tf;
// The gradients' helper ops TF keeps internal, called as tf.rawOps (TF's tf.raw_ops).
const concatOffset = (concatDim: tf.TensorLike, shape: tf.TensorLike[]) => tf.rawOps.ConcatOffset({ concatDim, shape }) as tf.Tensor[];
const stridedSliceGrad = (shape: tf.TensorLike, begin: tf.TensorLike, end: tf.TensorLike, strides: tf.TensorLike, dy: tf.TensorLike,
                          masks: { shrinkAxisMask?: number; newAxisMask?: number } = {}) =>
  tf.rawOps.StridedSliceGrad({ shape, begin, end, strides, dy, ...masks }) as tf.Tensor;
const mirrorPadGrad = (input: tf.TensorLike, paddings: tf.TensorLike, mode: string) => tf.rawOps.MirrorPadGrad({ input, paddings, mode }) as tf.Tensor;

// ---------- harness ----------

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const randInt = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const randShape = (r: () => number, rank: number, lo = 1, hi = 4) => Array.from({ length: rank }, () => randInt(r, lo, hi));
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function randValues(r: () => number, shape: readonly number[]): tf.NDArray {
  const n = prod(shape);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = r() * 2 - 1;
  return tf.NDArray.from(v, 'float64', shape);
}

interface CheckOptions {
  /** Static shape of the placeholder x (default: fully known); null = unknown rank. */
  staticShape?: tf.ShapeLike;
  seed?: number;
  tol?: number;
  /** Values of x (default: uniform in [-1, 1)). */
  init?: tf.NDArray;
}

/** f's result: y, or y and feeds for more placeholders f created. */
type Built = tf.Tensor | { y: tf.Tensor; feeds: [tf.Tensor, unknown][] };

/**
 * The largest difference between tf.gradients' Jacobian of f(x) and central differences,
 * x a float64 placeholder fed with random values of `xShape`.
 */
function gradError(t: ExecutionContext, xShape: number[], f: (x: tf.Tensor) => Built, o: CheckOptions = {}): number {
  const g = new tf.Graph();
  return g.asDefault(() => {
    const x = tf.placeholder('float64', { shape: o.staticShape === undefined ? xShape : o.staticShape, name: 'x' });
    const built = f(x);
    const y = built instanceof tf.Tensor ? built : built.y;
    const feeds = new Map<tf.Tensor | string, unknown>(built instanceof tf.Tensor ? [] : built.feeds);
    using sess = new tf.Session({ graph: g });
    const init = o.init ?? randValues(rng(o.seed ?? 7), xShape);
    const yv = sess.run(y, new Map([...feeds, [x, init]]));
    const err = tf.test.computeGradientError(x, xShape, y, [...yv.shape], { xInitValue: init, session: sess, extraFeedDict: feeds });
    const st = tf.TensorShape.from(o.staticShape === undefined ? xShape : o.staticShape).toString();
    t.true(err < (o.tol ?? 1e-6), `gradient error ${err} for x of shape [${xShape}] (static ${st}), y ${y.op.type} [${yv.shape}]`);
    return err;
  });
}

/** Static shapes to try for a runtime shape: known, partly unknown, unknown rank. */
function staticVariants(shape: number[], r: () => number): tf.ShapeLike[] {
  const partial = shape.map((d) => (r() < 0.5 ? null : d));
  if (shape.length > 0) partial[randInt(r, 0, shape.length - 1)] = null;
  return [shape, partial, null];
}

function expectArray(t: ExecutionContext, got: tf.NDArray, want: number[], shape: number[], tol = 1e-12): void {
  t.deepEqual([...got.shape], shape);
  t.is(got.size, want.length);
  for (let i = 0; i < want.length; i++) {
    t.true(Math.abs(Number(got.flatGet(i)) - want[i]) <= tol, `element ${i}: got ${got.flatGet(i)}, want ${want[i]}`);
  }
}

// ---------- identity-like ----------

test('Identity, PlaceholderWithDefault, IdentityN, CheckNumerics, Print pass the gradient through', (t) => {
  const r = rng(1);
  const shape = randShape(r, 3);
  for (const s of staticVariants(shape, r)) {
    gradError(t, shape, (x) => tf.identity(x), { staticShape: s });
    gradError(t, shape, (x) => tf.placeholderWithDefault(x, s ?? null), { staticShape: s });
    gradError(t, shape, (x) => tf.concat(tf.identityN([x, x]), -1), { staticShape: s });
    gradError(t, shape, (x) => tf.identityN([x, x])[1], { staticShape: s });
    gradError(t, shape, (x) => tf.checkNumerics(x, 'bad'), { staticShape: s });
    gradError(t, shape, (x) => tf.print(x, [x], { message: 'array_grad test: ', firstN: 1 }), { staticShape: s });
  }
});

test('CheckNumerics gradient checks the gradient', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float64', { shape: [2] });
    const dy = tf.placeholder('float64', { shape: [2] });
    const [gx] = tf.gradients(tf.checkNumerics(x, 'fwd'), x, { gradYs: [dy] });
    t.is(gx!.op.type, 'CheckNumerics');
    expectArray(t, run(gx!, [[x, [1, 2]], [dy, [3, 4]]]), [3, 4], [2]);
    t.throws(() => run(gx!, [[x, [1, 2]], [dy, [NaN, 4]]]), {
      instanceOf: tf.errors.InvalidArgumentError, message: /Not a number \(NaN\) or infinity \(Inf\) values detected in gradient/,
    });
  });
});

// ---------- reshape family ----------

test('Reshape gradient (with -1 and unknown static dims)', (t) => {
  const r = rng(2);
  for (let k = 0; k < 3; k++) {
    const shape = randShape(r, randInt(r, 1, 4));
    const n = prod(shape);
    for (const s of staticVariants(shape, r)) {
      gradError(t, shape, (x) => tf.reshape(x, [-1]), { staticShape: s });
      gradError(t, shape, (x) => tf.reshape(x, [n, 1]), { staticShape: s });
      gradError(t, shape, (x) => tf.reshape(x, [1, -1, 1]), { staticShape: s });
    }
  }
  // A shape fed at run time.
  gradError(t, [2, 6], (x) => {
    const sp = tf.placeholder('int32', { shape: [2], name: 'shp' });
    return { y: tf.reshape(x, sp), feeds: [[sp, [3, 4]]] };
  }, { staticShape: null });
});

test('ExpandDims and Squeeze gradients (negative axes)', (t) => {
  const r = rng(3);
  for (let k = 0; k < 3; k++) {
    const rank = randInt(r, 0, 3);
    const shape = randShape(r, rank);
    for (const s of staticVariants(shape, r)) {
      for (const axis of [0, rank, -1, -rank - 1]) gradError(t, shape, (x) => tf.expandDims(x, axis), { staticShape: s });
    }
  }
  for (const [shape, axis] of [[[1, 3, 1], [-1]], [[2, 1, 3], [1]], [[1, 2, 1, 1], [0, -2]], [[1, 2, 1], undefined]] as [number[], number[] | undefined][]) {
    for (const s of [shape, shape.map((d) => (d === 1 && axis ? null : d)), ...(axis ? [null] : [])]) {
      gradError(t, shape, (x) => tf.squeeze(x, axis), { staticShape: s });
    }
  }
});

test('Transpose gradient (random permutations, perm fed at run time)', (t) => {
  const r = rng(4);
  for (let k = 0; k < 6; k++) {
    const rank = randInt(r, 1, 5);
    const shape = randShape(r, rank, 1, 3);
    const perm = Array.from({ length: rank }, (_, i) => i);
    for (let i = rank - 1; i > 0; i--) {
      const j = randInt(r, 0, i);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    for (const s of staticVariants(shape, r)) gradError(t, shape, (x) => tf.transpose(x, perm), { staticShape: s });
    gradError(t, shape, (x) => {
      const p = tf.placeholder('int32', { shape: [null], name: 'perm' });
      return { y: tf.transpose(x, p), feeds: [[p, perm]] };
    }, { staticShape: null });
  }
  // Without perm: reversed dims, also for unknown rank.
  gradError(t, [2, 3, 4], (x) => tf.transpose(x), { staticShape: null });
});

// ---------- concat, stack, split ----------

test('ConcatV2 gradient (ConcatOffset with static shapes, ShapeN with unknown ones, negative axes)', (t) => {
  const r = rng(5);
  for (let k = 0; k < 4; k++) {
    const rank = randInt(r, 1, 3);
    const shape = randShape(r, rank);
    const axis = randInt(r, -rank, rank - 1);
    const a = axis < 0 ? axis + rank : axis;
    const other = shape.map((d, i) => (i === a ? randInt(r, 1, 3) : d));
    const c = tf.NDArray.from(randValues(r, other).data as Float64Array, 'float64', other);
    for (const s of staticVariants(shape, r)) {
      gradError(t, shape, (x) => tf.concat([x, tf.constant(c), x], axis), { staticShape: s });
      gradError(t, shape, (x) => tf.concat([tf.constant(c), x], axis), { staticShape: s });
    }
  }
  // The axis fed at run time.
  gradError(t, [2, 3], (x) => {
    const ax = tf.placeholder('int32', { shape: [], name: 'axis' });
    return { y: tf.concat([x, x, x], ax), feeds: [[ax, -1]] };
  }, { staticShape: [null, 3] });
});

test('ConcatV2 gradient with more than 16 inputs (one SplitV)', (t) => {
  for (const s of [[2, 3], [2, null], null] as tf.ShapeLike[]) {
    gradError(t, [2, 3], (x) => tf.concat(Array.from({ length: 17 }, (_, i) => (i % 2 ? x : tf.slice(x, [0, 0], [-1, 1 + (i % 3)]))), -1),
      { staticShape: s });
  }
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float64', { shape: [2, 3] });
    tf.gradients(tf.concat(Array.from({ length: 17 }, () => x), 1), x);
    const types = g.getOperations().filter((op) => op.name.startsWith('gradients/concat_grad/')).map((op) => op.type);
    t.true(types.includes('SplitV'));
    t.false(types.includes('ConcatOffset'));
  });
});

test('Pack and Unpack gradients (negative axes)', (t) => {
  const r = rng(6);
  for (let k = 0; k < 4; k++) {
    const rank = randInt(r, 0, 3);
    const shape = randShape(r, rank);
    const c = randValues(r, shape);
    for (const s of staticVariants(shape, r)) {
      for (const axis of [0, rank, -1, -rank - 1]) {
        gradError(t, shape, (x) => tf.stack([x, tf.constant(c), x], { axis }), { staticShape: s });
      }
    }
    if (rank > 0) {
      for (const axis of [0, -1, rank - 1]) {
        const a = axis < 0 ? axis + rank : axis;
        // unstack needs the size of the axis statically.
        const s = shape.map((d, i) => (i === a ? d : null));
        gradError(t, shape, (x) => tf.unstack(x, { axis })[shape[a] - 1], { staticShape: s });
        gradError(t, shape, (x) => tf.stack(tf.unstack(x, { axis }).reverse(), { axis: -1 }), { staticShape: s });
        gradError(t, shape, (x) => tf.unstack(x, { axis, num: shape[a] })[0], { staticShape: null });
      }
    }
  }
});

test('Split and SplitV gradients (negative axes, -1 size, unused outputs)', (t) => {
  const r = rng(7);
  for (let k = 0; k < 4; k++) {
    const rank = randInt(r, 1, 3);
    const axis = randInt(r, -rank, rank - 1);
    const a = axis < 0 ? axis + rank : axis;
    const shape = randShape(r, rank);
    shape[a] = 6;
    for (const s of staticVariants(shape, r)) {
      gradError(t, shape, (x) => tf.concat(tf.split(x, 3, { axis }).reverse(), axis), { staticShape: s });
      gradError(t, shape, (x) => tf.split(x, 2, { axis })[1], { staticShape: s });
      gradError(t, shape, (x) => tf.concat(tf.split(x, [1, -1, 2], { axis }).slice(1), axis), { staticShape: s });
      gradError(t, shape, (x) => tf.split(x, [4, 2], { axis })[0], { staticShape: s });
    }
  }
});

// ---------- slicing ----------

test('Slice gradient (-1 sizes, begin fed at run time)', (t) => {
  const r = rng(8);
  for (let k = 0; k < 4; k++) {
    const rank = randInt(r, 1, 4);
    const shape = randShape(r, rank, 1, 4);
    const begin = shape.map((d) => randInt(r, 0, d - 1));
    const size = shape.map((d, i) => (r() < 0.3 ? -1 : randInt(r, 0, d - begin[i])));
    for (const s of staticVariants(shape, r)) gradError(t, shape, (x) => tf.slice(x, begin, size), { staticShape: s });
    gradError(t, shape, (x) => {
      const b = tf.placeholder('int32', { shape: [rank], name: 'begin' });
      return { y: tf.slice(x, b, size), feeds: [[b, begin]] };
    }, { staticShape: null });
    gradError(t, shape, (x) => tf.slice(x, tf.constant(begin, { dtype: 'int64' }), tf.constant(size, { dtype: 'int64' })), { staticShape: null });
  }
});

test('StridedSlice gradient (strides, negative strides, masks, ellipsis, new and shrink axes)', (t) => {
  type Case = [number[], number[], number[], number[], tf.StridedSliceOptions?];
  const cases: Case[] = [
    [[5], [1], [4], [1]],
    [[6], [-1], [0], [-2]],
    [[4, 5], [0, 1], [0, 0], [1, 2], { beginMask: 1, endMask: 3 }],
    [[4, 5], [1, -1], [3, 0], [1, -1], { endMask: 2 }],
    [[3, 4, 5], [1], [2], [1], { shrinkAxisMask: 1 }],
    [[3, 4, 5], [0, 2], [0, 3], [1, 1], { ellipsisMask: 1, shrinkAxisMask: 2 }],
    [[3, 4, 5], [0, 0, 1], [0, 0, 5], [1, 1, 2], { ellipsisMask: 1, newAxisMask: 2 }],
    [[2, 3], [0, 0, 0], [0, 2, 0], [1, 1, 1], { newAxisMask: 1, beginMask: 4, endMask: 4 }],
    [[3, 4], [-1, -2], [-4, 0], [-1, -1], { endMask: 2 }],
    [[3, 4], [1, 0], [1, 0], [1, 1], { endMask: 2 }],  // empty result
  ];
  for (const [shape, b, e, s, opts] of cases) {
    for (const st of [shape, shape.map(() => null), null] as tf.ShapeLike[]) {
      gradError(t, shape, (x) => tf.stridedSlice(x, b, e, s, opts ?? {}), { staticShape: st });
    }
    gradError(t, shape, (x) => tf.stridedSlice(x, tf.constant(b, { dtype: 'int64' }), tf.constant(e, { dtype: 'int64' }),
      tf.constant(s, { dtype: 'int64' }), opts ?? {}));
    gradError(t, shape, (x) => {
      const bp = tf.placeholder('int32', { shape: [b.length], name: 'b' });
      return { y: tf.stridedSlice(x, bp, e, s, opts ?? {}), feeds: [[bp, b]] };
    }, { staticShape: null });
  }
});

test('StridedSliceGrad kernel and its gradient', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const dy = tf.placeholder('float64', { shape: [2, 2] });
    const y = stridedSliceGrad([3, 4], [0, 3], [3, 0], [2, -2], dy);
    t.deepEqual(y.shape.asList(), [3, 4]);
    expectArray(t, run(y, [[dy, [[1, 2], [3, 4]]]]), [0, 2, 0, 1, 0, 0, 0, 0, 0, 4, 0, 3], [3, 4]);
    // Shrink and new axis: dy [1, 4] from x[1, tf.newaxis].
    const dy2 = tf.placeholder('int32', { shape: null });
    const y2 = stridedSliceGrad([3, 4], [1, 0], [2, 0], [1, 1], dy2, { shrinkAxisMask: 1, newAxisMask: 2 });
    expectArray(t, run(y2, [[dy2, [[1, 2, 3, 4]]]]), [0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0], [3, 4]);
    t.throws(() => run(y2, [[dy2, [[1, 2, 3]]]]), { instanceOf: tf.errors.InvalidArgumentError, message: /shape of dy was \[1,3\] instead of \[1,4\]/ });
    const s = tf.placeholder('int32', { shape: [2] });
    const y3 = stridedSliceGrad(s, [0, 3], [3, 0], [2, -2], dy);
    t.deepEqual(y3.shape.asList(), [null, null]);
    t.throws(() => run(y3, [[s, [1, 4]], [dy, [[1, 2], [3, 4]]]]), { instanceOf: tf.errors.InvalidArgumentError });
    const ys = stridedSliceGrad([2], [1], [2], [1], tf.constant(['a']));
    t.deepEqual(run(ys).toArray(), ['', 'a']);
  });
  // Its gradient slices dy back out.
  gradError(t, [2, 2], (dy) => stridedSliceGrad([3, 4], [0, 3], [3, 0], [2, -2], dy));
  gradError(t, [3], (dy) => stridedSliceGrad([2, 3], [1], [2], [1], dy, { shrinkAxisMask: 1 }), { staticShape: null });
});

test('GatherV2 gradient (axis 0 dense, other and negative axes, duplicates, N-D indices, batch_dims)', (t) => {
  const r = rng(9);
  for (let k = 0; k < 4; k++) {
    const rank = randInt(r, 1, 3);
    const shape = randShape(r, rank, 2, 4);
    for (const axis of [0, rank - 1, -1, -rank]) {
      const a = axis < 0 ? axis + rank : axis;
      const idxShape = randShape(r, randInt(r, 0, 2), 1, 3);
      const idx = Array.from({ length: prod(idxShape) }, () => randInt(r, 0, shape[a] - 1));
      const indices = tf.NDArray.from(Int32Array.from(idx), 'int32', idxShape);
      for (const s of staticVariants(shape, r)) {
        gradError(t, shape, (x) => tf.gather(x, tf.constant(indices), { axis }), { staticShape: s });
      }
      // Indices and axis fed at run time (int64).
      gradError(t, shape, (x) => {
        const ip = tf.placeholder('int64', { shape: null, name: 'indices' });
        const ap = tf.placeholder('int64', { shape: [], name: 'axis' });
        return { y: tf.gather(x, ip, { axis: ap }), feeds: [[ip, tf.NDArray.from(BigInt64Array.from(idx.map(BigInt)), 'int64', idxShape)], [ap, tf.NDArray.from(BigInt(axis), 'int64')]] };
      }, { staticShape: null });
    }
  }
  // Repeated indices add up.
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float64', { shape: [3, 2] });
    const [gx] = tf.gradients(tf.gather(x, [2, 0, 2, 2]), x);
    expectArray(t, run(gx!, [[x, [[1, 2], [3, 4], [5, 6]]]]), [1, 1, 0, 0, 3, 3], [3, 2]);
  });
  // batch_dims.
  const bi = tf.NDArray.from(Int32Array.from([1, 0, 0, 2, 2, 2]), 'int32', [2, 3]);
  gradError(t, [2, 3, 2], (x) => tf.gather(x, tf.constant(bi), { axis: 1, batchDims: 1 }));
  gradError(t, [2, 2, 3], (x) => tf.gather(x, tf.constant(bi), { axis: 2, batchDims: 1 }), { staticShape: [2, null, 3] });
  gradError(t, [2, 2, 3], (x) => tf.gather(x, tf.constant(bi), { axis: -1, batchDims: 1 }), { staticShape: null });
});

test('UnsortedSegmentSum kernel and gradient (negative ids are dropped)', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const data = tf.constant([[1, 2], [3, 4], [5, 6], [7, 8]], { dtype: 'float64' });
    const y = unsortedSegmentSum(data, [0, 2, -1, 0], 3);
    t.deepEqual(y.shape.asList(), [3, 2]);
    expectArray(t, run(y), [8, 10, 0, 0, 3, 4], [3, 2]);
    const y2 = unsortedSegmentSum(tf.constant([[1, 2], [3, 4]], { dtype: 'int32' }), tf.constant([[1, 1], [0, 1]], { dtype: 'int64' }), 2);
    expectArray(t, run(y2), [3, 7], [2]);
    t.throws(() => run(unsortedSegmentSum(data, [0, 3, 1, 1], 3)), { instanceOf: tf.errors.InvalidArgumentError, message: /segment_ids\[1\] = 3 is out of range \[0, 3\)/ });
    const ids = tf.placeholder('int32', { shape: null });
    t.throws(() => run(unsortedSegmentSum(data, ids, 3), [[ids, [0, 1]]]), { instanceOf: tf.errors.InvalidArgumentError, message: /does not start with segment_ids.shape/ });
    t.deepEqual(unsortedSegmentSum(tf.placeholder('float32', { shape: [4, null, 5] }), tf.placeholder('int32', { shape: [4, 3] }), 7).shape.asList(), [7, 5]);
  });
  const ids = tf.NDArray.from(Int32Array.from([2, -1, 0, 2, 1]), 'int32', [5]);
  for (const s of [[5, 3], [null, 3], null] as tf.ShapeLike[]) {
    gradError(t, [5, 3], (x) => unsortedSegmentSum(x, tf.constant(ids), 4), { staticShape: s === null ? [5, null] : s });
  }
  const ids2 = tf.NDArray.from(Int32Array.from([1, -1, 0, 1]), 'int32', [2, 2]);
  gradError(t, [2, 2, 3], (x) => unsortedSegmentSum(x, tf.constant(ids2), 2));
});

// ---------- tile, pad, fill, select ----------

test('Tile gradient (random multiples, multiples fed at run time, int64 multiples)', (t) => {
  const r = rng(10);
  for (let k = 0; k < 5; k++) {
    const rank = randInt(r, 1, 3);
    const shape = randShape(r, rank, 1, 3);
    const mult = randShape(r, rank, 1, 3);
    for (const s of staticVariants(shape, r)) gradError(t, shape, (x) => tf.tile(x, mult), { staticShape: s });
    gradError(t, shape, (x) => {
      const m = tf.placeholder('int32', { shape: [rank], name: 'm' });
      return { y: tf.tile(x, m), feeds: [[m, mult]] };
    }, { staticShape: null });
    gradError(t, shape, (x) => tf.tile(x, tf.constant(mult, { dtype: 'int64' })));
  }
});

test('Pad, PadV2 and MirrorPad gradients', (t) => {
  const r = rng(11);
  for (let k = 0; k < 4; k++) {
    const rank = randInt(r, 1, 3);
    const shape = randShape(r, rank, 2, 4);
    const p = shape.map(() => [randInt(r, 0, 2), randInt(r, 0, 2)]);
    const mp = shape.map((d) => [randInt(r, 0, d - 1), randInt(r, 0, d - 1)]);
    for (const s of staticVariants(shape, r)) {
      gradError(t, shape, (x) => tf.pad(x, p), { staticShape: s });
      gradError(t, shape, (x) => tf.pad(x, p, { constantValues: 2.5 }), { staticShape: s });
      gradError(t, shape, (x) => tf.pad(x, tf.constant(p, { dtype: 'int64' })), { staticShape: s });
      gradError(t, shape, (x) => tf.pad(x, mp, { mode: 'REFLECT' }), { staticShape: s });
      gradError(t, shape, (x) => tf.pad(x, shape.map((d) => [randInt(r, 0, d), randInt(r, 0, d)]), { mode: 'SYMMETRIC' }), { staticShape: s });
    }
    gradError(t, shape, (x) => {
      const pp = tf.placeholder('int32', { shape: null, name: 'p' });
      return { y: tf.pad(x, pp), feeds: [[pp, p]] };
    }, { staticShape: null });
  }
});

test('MirrorPadGrad kernel and its gradient', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    // REFLECT of [a b c] by (2, 1) is [c b a b c b]; folding back: a += 1, b += 1 + 2 + 4, c += 0 + 3 + 5.
    const x = tf.constant([1, 2, 4, 8, 16, 32], { dtype: 'float64' });
    expectArray(t, run(mirrorPadGrad(x, [[2, 1]], 'REFLECT')), [4, 2 + 8 + 32, 1 + 16], [3]);
    // SYMMETRIC of [a b c] by (2, 1) is [b a a b c c].
    expectArray(t, run(mirrorPadGrad(x, [[2, 1]], 'SYMMETRIC')), [2 + 4, 1 + 8, 16 + 32], [3]);
    const x2 = tf.constant([[1, 2, 3], [4, 5, 6]], { dtype: 'int32' });
    // SYMMETRIC: rows (1, 0) fold both rows onto the one original row; cols (0, 1) fold col 2 onto col 1.
    expectArray(t, run(mirrorPadGrad(x2, [[1, 0], [0, 1]], 'SYMMETRIC')), [5, 16], [1, 2]);
    t.throws(() => run(mirrorPadGrad(x, [[3, 1]], 'REFLECT')), { instanceOf: tf.errors.InvalidArgumentError, message: /paddings must be less than the output dimension size/ });
    t.deepEqual(mirrorPadGrad(tf.placeholder('float32', { shape: [7, null] }), [[1, 2], [0, 1]], 'REFLECT').shape.asList(), [4, null]);
  });
  gradError(t, [6], (x) => mirrorPadGrad(x, [[2, 1]], 'REFLECT'));
  gradError(t, [4, 5], (x) => mirrorPadGrad(x, [[1, 1], [2, 0]], 'SYMMETRIC'), { staticShape: null });
});

test('Fill gradient sums the incoming gradient', (t) => {
  for (const s of [[], null] as tf.ShapeLike[]) {
    gradError(t, [], (x) => tf.fill([2, 3], x), { staticShape: s });
    gradError(t, [], (x) => {
      const d = tf.placeholder('int32', { shape: [null], name: 'dims' });
      return { y: tf.fill(d, x), feeds: [[d, [3, 1, 2]]] };
    }, { staticShape: s });
  }
});

test('Select gradient (same-shape and vector conditions)', (t) => {
  const r = rng(12);
  for (let k = 0; k < 3; k++) {
    const shape = randShape(r, randInt(r, 1, 3));
    const cond = tf.NDArray.from(Array.from({ length: prod(shape) }, () => r() < 0.5), 'bool', shape);
    const vcond = tf.NDArray.from(Array.from({ length: shape[0] }, () => r() < 0.5), 'bool', [shape[0]]);
    const c = randValues(r, shape);
    for (const s of staticVariants(shape, r)) {
      gradError(t, shape, (x) => tf.where(tf.constant(cond), x, tf.constant(c)), { staticShape: s });
      gradError(t, shape, (x) => tf.where(tf.constant(cond), tf.constant(c), x), { staticShape: s });
      gradError(t, shape, (x) => tf.where(tf.constant(vcond), x, x), { staticShape: s });
      gradError(t, shape, (x) => tf.where(tf.constant(vcond), tf.constant(c), x), { staticShape: s });
    }
  }
});

// ---------- helper-op kernels ----------

test('InvertPermutation kernel, shape and constant folding', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const p = tf.placeholder('int32', { shape: null });
    const y = invertPermutation(p);
    t.deepEqual(y.shape.asList(), [null]);
    expectArray(t, run(y, [[p, [2, 0, 3, 1]]]), [1, 3, 0, 2], [4]);
    expectArray(t, run(y, [[p, []]]), [], [0]);
    const y64 = invertPermutation(tf.constant([1, 2, 0], { dtype: 'int64' }));
    t.is(y64.dtype, 'int64');
    expectArray(t, run(y64), [2, 0, 1], [3]);
    t.throws(() => run(y, [[p, [0, 0, 1]]]), { instanceOf: tf.errors.InvalidArgumentError, message: /0 is duplicated in the input/ });
    t.throws(() => run(y, [[p, [0, 3, 1]]]), { instanceOf: tf.errors.InvalidArgumentError, message: /3 is not between 0 and 3/ });
    t.throws(() => run(y, [[p, [[0]]]]), { instanceOf: tf.errors.InvalidArgumentError, message: /1D vector/ });
    // The transpose gradient of a constant perm has a static shape.
    const x = tf.placeholder('float32', { shape: [2, 3, 4] });
    const tr = tf.transpose(tf.placeholder('float32', { shape: [4, 2, 3] }), invertPermutation([2, 0, 1]));
    t.deepEqual(tr.shape.asList(), [2, 3, 4]);
    t.deepEqual(x.shape.asList(), [2, 3, 4]);
  });
});

test('ConcatOffset and ShapeN kernels', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const d = tf.placeholder('int32', { shape: [] });
    const offs = concatOffset(d, [[2, 2, 7], [2, 3, 7], [2, 9, 7]]);
    t.is(offs.length, 3);
    using sess = new tf.Session({ graph: g });
    const got = sess.run(offs, [[d, 1]]).map((a) => a.toArray());
    t.deepEqual(got, [[0, 0, 0], [0, 2, 0], [0, 5, 0]]);
    t.deepEqual(sess.run(offs, [[d, -2]]).map((a) => a.toArray()), [[0, 0, 0], [0, 2, 0], [0, 5, 0]]);
    const offs0 = concatOffset(d, [[2, 2, 7], [3, 2, 7]]);
    t.deepEqual(sess.run(offs0, [[d, -3]]).map((a) => a.toArray()), [[0, 0, 0], [2, 0, 0]]);
    t.throws(() => sess.run(offs, [[d, 3]]), { instanceOf: tf.errors.InvalidArgumentError, message: /Concat dim is out of range: 3 vs. 3/ });
    const bad = concatOffset(d, [[2, 2], [3, 2]]);
    t.throws(() => sess.run(bad, [[d, 1]]), { instanceOf: tf.errors.InvalidArgumentError, message: /All dimensions except 1 must match/ });
    const a = tf.placeholder('float32', { shape: null });
    const b = tf.placeholder('float32', { shape: [null, 2] });
    const sn = shapeN([a, b], { outType: 'int64' });
    t.deepEqual(sn.map((s) => s.shape.asList()), [[null], [2]]);
    const r = sess.run(sn, [[a, [[[1]], [[2]]]], [b, [[1, 2]]]]);
    t.deepEqual(r.map((x) => x.dtype), ['int64', 'int64']);
    t.deepEqual(r.map((x) => Array.from(x.data as BigInt64Array, Number)), [[2, 1, 1], [1, 2]]);
  });
});

// ---------- gradient graphs as TF1 builds them ----------

test('node names of a reshape / transpose / concat / slice / tile gradient graph match TF1', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [2, 3], name: 'x' });
    const r = tf.reshape(x, [3, 2]);
    const tr = tf.transpose(r, [1, 0]);
    const c = tf.concat([tr, x], 0);
    const s = tf.tile(tf.slice(x, [0, 1], [2, -1]), [2, 1]);
    const [gx] = tf.gradients([c, s], x);
    const names = (prefix: string) => g.getOperations().filter((op) => op.name.startsWith(prefix)).map((op) => `${op.name}:${op.type}`);
    // _ConcatGradHelper: concat_dim % rank, the static shapes (Consts), ConcatOffset, one Slice per input.
    t.deepEqual(names('gradients/concat_grad/'), [
      'gradients/concat_grad/Rank:Const', 'gradients/concat_grad/mod:FloorMod', 'gradients/concat_grad/Shape:Const',
      'gradients/concat_grad/Shape_1:Const', 'gradients/concat_grad/ConcatOffset:ConcatOffset',
      'gradients/concat_grad/Slice:Slice', 'gradients/concat_grad/Slice_1:Slice',
    ]);
    // _TransposeGrad: transpose(grad, invert_permutation(p)).
    t.deepEqual(names('gradients/transpose_grad/'), [
      'gradients/transpose_grad/InvertPermutation:InvertPermutation', 'gradients/transpose_grad/transpose:Transpose',
    ]);
    // _ReshapeGrad: reshape(grad, shape(x)), the shape a Const as x's is static.
    t.deepEqual(names('gradients/Reshape_grad/'), ['gradients/Reshape_grad/Shape:Const', 'gradients/Reshape_grad/Reshape:Reshape']);
    // _TileGrad: reshape(transpose(stack([multiples, shape])), [-1]), range(0, size, 2), reduce_sum.
    t.deepEqual(names('gradients/Tile_grad/'), [
      'gradients/Tile_grad/Shape:Const', 'gradients/Tile_grad/stack:Pack', 'gradients/Tile_grad/transpose/perm:Const',
      'gradients/Tile_grad/transpose:Transpose', 'gradients/Tile_grad/Reshape/shape:Const', 'gradients/Tile_grad/Reshape:Reshape',
      'gradients/Tile_grad/Size:Const', 'gradients/Tile_grad/range/start:Const', 'gradients/Tile_grad/range/delta:Const',
      'gradients/Tile_grad/range:Range', 'gradients/Tile_grad/Reshape_1:Reshape', 'gradients/Tile_grad/Sum:Sum',
    ]);
    // _SliceGrad: pad(grad, concat([reshape(begin, [rank, 1]), reshape(shape(x) - shape(y) - begin, [rank, 1])], 1)).
    t.deepEqual(names('gradients/Slice_grad/'), [
      'gradients/Slice_grad/Rank:Const', 'gradients/Slice_grad/Shape:Const', 'gradients/Slice_grad/stack/1:Const',
      'gradients/Slice_grad/stack:Pack', 'gradients/Slice_grad/Reshape:Reshape', 'gradients/Slice_grad/Shape_1:Const',
      'gradients/Slice_grad/sub:Sub', 'gradients/Slice_grad/sub_1:Sub', 'gradients/Slice_grad/Reshape_1:Reshape',
      'gradients/Slice_grad/concat/axis:Const', 'gradients/Slice_grad/concat:ConcatV2', 'gradients/Slice_grad/Pad:Pad',
    ]);
    const byName = (n: string) => g.getOperationByName(n)!;
    t.deepEqual(byName('gradients/transpose_grad/InvertPermutation').inputs.map((i) => i.name), ['transpose/perm:0']);
    t.deepEqual(byName('gradients/concat_grad/mod').inputs.map((i) => i.name), ['concat/axis:0', 'gradients/concat_grad/Rank:0']);
    t.deepEqual(byName('gradients/concat_grad/Slice').inputs.map((i) => i.name).slice(1),
      ['gradients/concat_grad/ConcatOffset:0', 'gradients/concat_grad/Shape:0']);
    t.deepEqual(byName('gradients/Reshape_grad/Reshape').inputs.map((i) => i.name),
      ['gradients/transpose_grad/transpose:0', 'gradients/Reshape_grad/Shape:0']);
    t.deepEqual(byName('gradients/Slice_grad/sub').inputs.map((i) => i.name), ['gradients/Slice_grad/Shape_1:0', 'gradients/Slice_grad/Shape:0']);
    t.is(gx!.op.type, 'AddN');
    expectArray(t, run(gx!, [[x, [[1, 2, 3], [4, 5, 6]]]]), [2, 4, 4, 2, 4, 4], [2, 3]);
  });
});

test('concat gradient of tensors with unknown shapes uses one ShapeN (TF1 _ExtractInputShapes)', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = tf.placeholder('float32', { shape: [2, 3], name: 'a' });
    const b = tf.placeholder('float32', { shape: [null, 3], name: 'b' });
    tf.gradients(tf.concat([a, b], -1), [a, b]);
    const ops = g.getOperations().filter((op) => op.name.startsWith('gradients/concat_grad/')).map((op) => `${op.name}:${op.type}`);
    // shape(a) is tried first (a Const), then shape(b) is not static: TF1 falls back to ShapeN.
    t.deepEqual(ops, [
      'gradients/concat_grad/Rank:Const', 'gradients/concat_grad/mod:FloorMod', 'gradients/concat_grad/Shape:Const',
      'gradients/concat_grad/Shape_1:Shape', 'gradients/concat_grad/ShapeN:ShapeN', 'gradients/concat_grad/ConcatOffset:ConcatOffset',
      'gradients/concat_grad/Slice:Slice', 'gradients/concat_grad/Slice_1:Slice',
    ]);
  });
});

// ---------- no gradient ----------

test('ops without a gradient let none flow (Shape, Size, Rank, ZerosLike, OnesLike, StopGradient, OneHot, Where, random, state)', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: null, name: 'x' });
    for (const type of ['Shape', 'ShapeN', 'Size', 'Rank', 'ZerosLike', 'OnesLike', 'StopGradient', 'OneHot', 'Where', 'Range',
      'InvertPermutation', 'ConcatOffset', 'NoOp', 'Assert', 'VariableV2', 'Assign', 'AssignAdd', 'AssignSub',
      'IsVariableInitialized', 'RandomUniform', 'RandomStandardNormal', 'TruncatedNormal', 'RandomUniformInt', 'RandomShuffle', 'Multinomial']) {
      t.is(tf.getGradientFunction(type), null, type);
    }
    t.deepEqual(tf.gradients([tf.zerosLike(x), tf.stopGradient(x), tf.onesLike(x)], x), [undefined]);
    t.deepEqual(tf.gradients(tf.randomShuffle(x), x), [undefined]);
    t.deepEqual(tf.gradients(tf.oneHot(tf.cast(tf.shape(x), 'int32'), 3), x), [undefined]);
    // Print passes its gradient to input 0 only; Assert has no outputs.
    const p = tf.print(x, [x]);
    t.is(tf.gradients(p, x)[0]!.op.type, 'Fill');
  });
});
