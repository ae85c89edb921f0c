// CPU kernels of the random ops: distributions (moments and ranges on 100k samples),
// RandomUniformInt coverage, shuffles are permutations, multinomial frequencies, and TF1's
// seeding: same seeds replay in a fresh session, successive runs differ, no seed is random.
import test from 'ava';
import * as tf from 'tensorgraph';

const N = 100_000;

function stats(data: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let sum = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    sum += data[i];
    min = Math.min(min, data[i]);
    max = Math.max(max, data[i]);
  }
  const mean = sum / data.length;
  let sq = 0;
  for (let i = 0; i < data.length; i++) sq += (data[i] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / data.length), min, max };
}

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);
const nums = (a: tf.NDArray) => Array.from(a.data as ArrayLike<number | bigint>, Number);

/** A raw op of `type` with explicit attrs (for dtypes the compositions do not cover). */
function raw(type: string, inputs: tf.Tensor[], attrs: Record<string, [string, unknown]>, out: tf.DType): tf.Tensor {
  const a: Record<string, { kind: never; value: unknown }> = {};
  for (const [k, [kind, value]] of Object.entries(attrs)) a[k] = { kind: kind as never, value };
  return tf.getDefaultGraph()._createOp(type, inputs, { name: type, attrs: a, outputDtypes: [out] }).outputs[0];
}

test('RandomUniform float32/float64: [0, 1), mean 1/2, std 1/sqrt(12); minval/maxval composition', (t) => {
  new tf.Graph().asDefault(() => {
    const u32 = tf.randomUniform([N]);
    const u64 = tf.randomUniform([200, 500], { dtype: 'float64' });
    const ab = tf.randomUniform([N], { minval: -3, maxval: 5 });
    const sess = new tf.Session();
    const [a, b, c] = sess.run([u32, u64, ab]);
    t.is(a.dtype, 'float32');
    t.deepEqual(a.shape, [N]);
    t.is(b.dtype, 'float64');
    t.deepEqual(b.shape, [200, 500]);
    for (const arr of [a, b]) {
      const s = stats(arr.data as Float32Array);
      t.true(s.min >= 0 && s.max < 1, `range ${s.min} ${s.max}`);
      t.true(Math.abs(s.mean - 0.5) < 0.01, `mean ${s.mean}`);
      t.true(Math.abs(s.std - 1 / Math.sqrt(12)) < 0.01, `std ${s.std}`);
      t.true(s.min < 0.001 && s.max > 0.999);
    }
    // float64 values use 52 random bits: not all representable as float32.
    const d = b.data as Float64Array;
    t.true(d.some((v) => Math.fround(v) !== v));
    const s = stats(c.data as Float32Array);
    t.true(s.min >= -3 && s.max < 5);
    t.true(Math.abs(s.mean - 1) < 0.08, `mean ${s.mean}`);
    t.true(Math.abs(s.std - 8 / Math.sqrt(12)) < 0.08, `std ${s.std}`);
    // Quartiles are even: uniform, not just right moments.
    const q = [0, 0, 0, 0];
    for (const v of a.data as Float32Array) q[Math.floor(v * 4)]++;
    for (const k of q) t.true(Math.abs(k / N - 0.25) < 0.01);
  });
});

test('RandomStandardNormal float32/float64: mean 0, std 1, 4.55% beyond 2 std', (t) => {
  new tf.Graph().asDefault(() => {
    const n32 = tf.randomNormal([N]);
    const n64 = tf.randomNormal([N], { dtype: 'float64' });
    const shifted = tf.randomNormal([N], { mean: 10, stddev: 2 });
    const sess = new tf.Session();
    const [a, b, c] = sess.run([n32, n64, shifted]);
    t.is(a.dtype, 'float32');
    t.is(b.dtype, 'float64');
    for (const arr of [a, b]) {
      const s = stats(arr.data as Float32Array);
      t.true(Math.abs(s.mean) < 0.02, `mean ${s.mean}`);
      t.true(Math.abs(s.std - 1) < 0.02, `std ${s.std}`);
      const tail = (arr.data as Float32Array).filter((v) => Math.abs(v) > 2).length / N;
      t.true(Math.abs(tail - 0.0455) < 0.005, `tail ${tail}`);
      t.true(s.max > 3 && s.min < -3);
    }
    const s = stats(c.data as Float32Array);
    t.true(Math.abs(s.mean - 10) < 0.04 && Math.abs(s.std - 2) < 0.04);
  });
});

test('TruncatedNormal float32/float64: every value within 2 std, std of the truncated normal (0.8796)', (t) => {
  new tf.Graph().asDefault(() => {
    const t32 = tf.truncatedNormal([N]);
    const t64 = tf.truncatedNormal([N], { dtype: 'float64' });
    const scaled = tf.truncatedNormal([1000, 10], { mean: 1, stddev: 0.5 });
    const sess = new tf.Session();
    const [a, b, c] = sess.run([t32, t64, scaled]);
    for (const arr of [a, b]) {
      const s = stats(arr.data as Float32Array);
      t.true(s.min > -2 && s.max < 2, `range ${s.min} ${s.max}`);
      t.true(Math.abs(s.mean) < 0.02, `mean ${s.mean}`);
      t.true(Math.abs(s.std - 0.8796) < 0.02, `std ${s.std}`);
      t.true(s.max > 1.95 && s.min < -1.95);
    }
    t.deepEqual(c.shape, [1000, 10]);
    const s = stats(c.data as Float32Array);
    // 1 + 0.5 * z for the largest float32 z below 2 (1.99999988) is 1.99999994, which rounds
    // to 2 in float32 (ties to even): the bound is reachable, exceeding it is not.
    t.true(s.min > 0 && s.max <= 2, `range ${s.min} ${s.max}`);
  });
});

test('float16 and bfloat16 outputs: uniform in [0, 1), normal and truncated normal moments', (t) => {
  new tf.Graph().asDefault(() => {
    const shape = tf.constant([20000]);
    const outs: [string, tf.DType][] = [];
    const tensors: tf.Tensor[] = [];
    for (const op of ['RandomUniform', 'RandomStandardNormal', 'TruncatedNormal']) {
      for (const dtype of ['float16', 'bfloat16'] as tf.DType[]) {
        outs.push([op, dtype]);
        tensors.push(raw(op, [shape], { dtype: ['type', dtype], T: ['type', 'int32'], seed: ['int', 0], seed2: ['int', 0] }, dtype));
      }
    }
    const res = new tf.Session().run(tensors);
    res.forEach((arr, i) => {
      const [op, dtype] = outs[i];
      t.is(arr.dtype, dtype);
      const s = stats(arr.data as Float32Array);
      if (op === 'RandomUniform') {
        t.true(s.min >= 0 && s.max < 1, `${op} ${dtype}`);
        t.true(Math.abs(s.mean - 0.5) < 0.02, `${op} ${dtype} mean ${s.mean}`);
      } else {
        t.true(Math.abs(s.mean) < 0.03, `${op} ${dtype} mean ${s.mean}`);
        const std = op === 'TruncatedNormal' ? 0.8796 : 1;
        t.true(Math.abs(s.std - std) < 0.03, `${op} ${dtype} std ${s.std}`);
        if (op === 'TruncatedNormal') t.true(s.min >= -2 && s.max <= 2);
      }
    });
  });
});

test('shapes: int64 shape tensor, empty and scalar outputs, negative dims are InvalidArgument', (t) => {
  new tf.Graph().asDefault(() => {
    const a = tf.randomUniform(tf.constant([2, 3], { dtype: 'int64' }));
    const e = tf.randomNormal([0, 4]);
    const s = tf.truncatedNormal([]);
    const dims = tf.placeholder('int32', { shape: [2] });
    const fed = tf.randomUniform(dims);
    const sess = new tf.Session();
    const [av, ev, sv] = sess.run([a, e, s]);
    t.deepEqual(av.shape, [2, 3]);
    t.deepEqual(ev.shape, [0, 4]);
    t.is(ev.size, 0);
    t.deepEqual(sv.shape, []);
    t.true(Math.abs(sv.item() as number) < 2);
    t.deepEqual(sess.run(fed, { [dims.name]: [3, 1] }).shape, [3, 1]);
    const err = t.throws(() => sess.run(fed, { [dims.name]: [2, -1] }), { instanceOf: tf.errors.InvalidArgumentError });
    t.regex(err!.message, /Dimension -1 must be >= 0/);
  });
});

test('RandomUniformInt int32/int64: covers exactly [minval, maxval); minval >= maxval is InvalidArgument', (t) => {
  new tf.Graph().asDefault(() => {
    const i32 = tf.randomUniform([N], { minval: -2, maxval: 3, dtype: 'int32' });
    const i64 = tf.randomUniform([N], { minval: 7, maxval: 11, dtype: 'int64' });
    const wide = tf.randomUniform([1000], { minval: -2_000_000_000, maxval: 2_000_000_000, dtype: 'int32' });
    const lo = tf.placeholder('int32', { shape: [] });
    const hi = tf.placeholder('int32', { shape: [] });
    const fed = tf.randomUniform([5], { minval: lo, maxval: hi, dtype: 'int32' });
    const empty = tf.randomUniform([0], { minval: lo, maxval: hi, dtype: 'int32' });
    const sess = new tf.Session();
    const [a, b, w] = sess.run([i32, i64, wide]);
    t.is(a.dtype, 'int32');
    t.is(b.dtype, 'int64');
    const count = (arr: tf.NDArray) => {
      const m = new Map<number, number>();
      for (const v of nums(arr)) m.set(v, (m.get(v) ?? 0) + 1);
      return m;
    };
    const ca = count(a);
    t.deepEqual([...ca.keys()].sort((x, y) => x - y), [-2, -1, 0, 1, 2]);
    for (const c of ca.values()) t.true(Math.abs(c / N - 0.2) < 0.01);
    const cb = count(b);
    t.deepEqual([...cb.keys()].sort((x, y) => x - y), [7, 8, 9, 10]);
    for (const c of cb.values()) t.true(Math.abs(c / N - 0.25) < 0.01);
    const sw = stats(nums(w));
    t.true(sw.min >= -2_000_000_000 && sw.max < 2_000_000_000 && sw.min < -1e9 && sw.max > 1e9);
    t.deepEqual(nums(sess.run(fed, { [lo.name]: 4, [hi.name]: 5 })), [4, 4, 4, 4, 4]);
    for (const [l, h] of [[5, 5], [6, 5]]) {
      const err = t.throws(() => sess.run(fed, { [lo.name]: l, [hi.name]: h }), { instanceOf: tf.errors.InvalidArgumentError });
      t.regex(err!.message, new RegExp(`Need minval < maxval, got ${l} >= ${h}`));
    }
    // Zero impossible things are fine.
    t.deepEqual(sess.run(empty, { [lo.name]: 5, [hi.name]: 5 }).shape, [0]);
  });
});

test('seeds: graph + op seed replays in fresh sessions; successive runs differ; fetch sets share one stream', (t) => {
  const build = () => {
    const g = new tf.Graph();
    return g.asDefault(() => {
      tf.setRandomSeed(42);
      const u = tf.randomUniform([6], { seed: 7 });
      const n = tf.randomNormal([6]); // graph seed only: op seed from the graph
      const i = tf.randomUniform([6], { maxval: 1000, dtype: 'int64', seed: 3 });
      const s = tf.randomShuffle(tf.constant(iota(20)), { seed: 1 });
      const m = tf.multinomial([[0, 0, 0, 0]], 8, { seed: 5 });
      return { g, list: [u, n, i, s, m], u };
    });
  };
  const first = build();
  const s1 = new tf.Session({ graph: first.g });
  const run1 = s1.run(first.list).map(nums);
  const run2 = s1.run(first.list).map(nums);
  const s2 = new tf.Session({ graph: first.g });
  t.deepEqual(s2.run(first.list).map(nums), run1);
  t.deepEqual(s2.run(first.list).map(nums), run2);
  // The same program built again in another graph gives the same values.
  const again = build();
  t.deepEqual(new tf.Session({ graph: again.g }).run(again.list).map(nums), run1);
  // A second run in the same session gives different values.
  for (let k = 0; k < run1.length; k++) t.notDeepEqual(run1[k], run2[k], `output ${k}`);
  // Another fetch signature continues the node's stream instead of restarting it.
  const third = nums(s1.run(first.u));
  t.notDeepEqual(third, run1[0]);
  t.notDeepEqual(third, run2[0]);
  const s3 = new tf.Session({ graph: first.g });
  s3.run(first.u);
  s3.run(first.u);
  t.deepEqual(nums(s3.run(first.list)[0]), third);
});

test('seeds: ops with only an op seed are deterministic; no seed at all differs between sessions', (t) => {
  const g = new tf.Graph();
  const [seeded, unseeded, same] = g.asDefault(() => [
    tf.randomNormal([8], { seed: 11 }),
    tf.randomNormal([8]),
    tf.randomNormal([8], { seed: 11 }),
  ]);
  const a = new tf.Session({ graph: g }).run([seeded, unseeded, same]).map(nums);
  const b = new tf.Session({ graph: g }).run([seeded, unseeded, same]).map(nums);
  t.deepEqual(a[0], b[0]);
  t.notDeepEqual(a[1], b[1]);
  // Equal (seed, seed2) attrs give the same sequence.
  t.deepEqual(a[0], a[2]);
});

test('RandomShuffle: permutes dim 0 of any dtype (numbers, strings, 2-D rows); trivial inputs unchanged', (t) => {
  new tf.Graph().asDefault(() => {
    const ints = tf.constant(iota(100));
    const rows = tf.constant([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]], { dtype: 'float64' });
    const words = tf.constant(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    const bools = tf.constant([true, false, false, false, false, false]);
    const big = tf.constant(iota(50000), { dtype: 'int64' });
    const outs = [ints, rows, words, bools, big].map((x) => tf.randomShuffle(x));
    const trivial = [tf.constant(5), tf.constant([[1, 2, 3]]), tf.zeros([0, 2])].map((x) => tf.randomShuffle(x));
    const sess = new tf.Session();
    const [si, sr, sw, sb, sbig] = sess.run(outs);
    const vi = nums(si);
    t.is(si.dtype, 'int32');
    t.deepEqual([...vi].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
    t.notDeepEqual(vi, Array.from({ length: 100 }, (_, i) => i));
    t.is(sr.dtype, 'float64');
    const r = sr.toArray() as number[][];
    t.deepEqual([...r].sort((a, b) => a[0] - b[0]), [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]);
    t.deepEqual(sw.dtype, 'string');
    t.deepEqual([...(sw.data as string[])].sort(), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    t.is(nums(sb).filter((v) => v === 1).length, 1);
    const vb = nums(sbig);
    t.is(new Set(vb).size, 50000);
    t.true(Math.min(...vb) === 0 && Math.max(...vb) === 49999);
    // Each position holds each value with equal probability: position 0 over many runs.
    const firsts = new Array<number>(4).fill(0);
    const small = tf.randomShuffle(tf.constant([0, 1, 2, 3]));
    for (let k = 0; k < 2000; k++) firsts[nums(sess.run(small))[0]]++;
    for (const c of firsts) t.true(Math.abs(c / 2000 - 0.25) < 0.05, `${firsts}`);
    const [t0, t1, t2] = sess.run(trivial);
    t.is(t0.item(), 5);
    t.deepEqual(t1.toArray(), [[1, 2, 3]]);
    t.deepEqual(t2.shape, [0, 2]);
  });
});

test('Multinomial: logits [0, log 3] draw ~1:3; rows independent; -inf never drawn; int32/int64 outputs', (t) => {
  new tf.Graph().asDefault(() => {
    const logits = tf.constant([[0, Math.log(3)], [Math.log(3), 0], [-Infinity, 0]]);
    const m = tf.multinomial(logits, 20000);
    const m32 = tf.multinomial(tf.constant([[1, 1, 1, 1]], { dtype: 'float64' }), 10000, { outputDtype: 'int32' });
    const sess = new tf.Session();
    const [a, b] = sess.run([m, m32]);
    t.is(a.dtype, 'int64');
    t.deepEqual(a.shape, [3, 20000]);
    const v = nums(a);
    const frac1 = (row: number) => v.slice(row * 20000, (row + 1) * 20000).filter((x) => x === 1).length / 20000;
    t.true(Math.abs(frac1(0) - 0.75) < 0.02, `row0 ${frac1(0)}`);
    t.true(Math.abs(frac1(1) - 0.25) < 0.02, `row1 ${frac1(1)}`);
    t.is(frac1(2), 1);
    t.is(b.dtype, 'int32');
    t.deepEqual(b.shape, [1, 10000]);
    const counts = [0, 0, 0, 0];
    for (const x of nums(b)) counts[x]++;
    for (const c of counts) t.true(Math.abs(c / 10000 - 0.25) < 0.025, `${counts}`);
    // Integer logits work too; zero samples give an empty [batch, 0].
    const ints = sess.run(tf.multinomial(tf.constant([[0, 5]], { dtype: 'int32' }), 100));
    t.true(nums(ints).filter((x) => x === 1).length > 90);
    t.deepEqual(sess.run(tf.multinomial(logits, 0)).shape, [3, 0]);
  });
});

test('Multinomial errors: no classes, negative num_samples', (t) => {
  new tf.Graph().asDefault(() => {
    const logits = tf.placeholder('float32', { shape: [null, null] });
    const n = tf.placeholder('int32', { shape: [] });
    const m = tf.multinomial(logits, n);
    const sess = new tf.Session();
    t.deepEqual(sess.run(m, { [logits.name]: [[0, 0]], [n.name]: 3 }).shape, [1, 3]);
    let err = t.throws(() => sess.run(m, { [logits.name]: tf.NDArray.zeros('float32', [2, 0]), [n.name]: 3 }),
      { instanceOf: tf.errors.InvalidArgumentError });
    t.regex(err!.message, /num_classes should be positive, got 0/);
    err = t.throws(() => sess.run(m, { [logits.name]: [[0, 0]], [n.name]: -1 }), { instanceOf: tf.errors.InvalidArgumentError });
    t.regex(err!.message, /num_samples should be nonnegative, got -1/);
  });
});
