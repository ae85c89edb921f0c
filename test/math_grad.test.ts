// Gradients of the math ops: numeric gradient checks (float64, central differences) for every
// registered gradient with broadcasting, reductions, matmul transposes and unknown static
// shapes; TF 1.15's node names for gradient graphs; the BroadcastGradientArgs kernel.
import test, { type ExecutionContext } from 'ava';
import * as tf from 'tensorgraph';
import { inGraph } from './helpers.js';

type Dims = (number | null)[] | undefined;
type Mode = 'static' | 'dynamic' | 'unknownRank';
const MODES: Mode[] = ['static', 'dynamic', 'unknownRank'];

/** Deterministic uniform values in [lo, hi). */
function rand(n: number, lo: number, hi: number, seed: number): Float64Array {
  const v = new Float64Array(n);
  let s = seed * 7919 + 17;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    v[i] = lo + (hi - lo) * (s / 2147483648);
  }
  return v;
}

const numel = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);
const nd = (v: ArrayLike<number>, shape: number[]) => tf.NDArray.from(Float64Array.from(v), 'float64', shape);

/** Static shape of a placeholder for a mode: as given, all dims unknown, or unknown rank. */
function phShape(shape: number[], mode: Mode): Dims {
  if (mode === 'static') return shape;
  if (mode === 'dynamic') return shape.map(() => null);
  return undefined;
}

interface CheckOptions {
  /** Value range per input (default [-1, 1)). */
  ranges?: [number, number][];
  /** Explicit input values. */
  values?: ArrayLike<number>[];
  tol?: number;
  delta?: number;
  mode?: Mode;
  /** Inputs to check (default: all). */
  wrt?: number[];
  seed?: number;
}

/**
 * Builds y = fn(...placeholders) on float64 inputs of the given shapes and returns the largest
 * |theoretical - numerical| Jacobian difference over the checked inputs. Theoretical: one
 * tf.gradients pass per element of y with a one-hot gradient fed through a
 * PlaceholderWithDefault; numerical: central differences.
 */
function gradError(shapes: number[][], fn: (...xs: tf.Tensor[]) => tf.Tensor, o: CheckOptions = {}): number {
  const g = new tf.Graph();
  const mode = o.mode ?? 'static';
  const delta = o.delta ?? 1e-4;
  return g.asDefault(() => {
    const xs = shapes.map((s, i) => tf.placeholder('float64', { shape: phShape(s, mode), name: `x${i}` }));
    const y = fn(...xs);
    const values = shapes.map((s, i) => {
      if (o.values?.[i]) return nd(o.values[i], s);
      const [lo, hi] = o.ranges?.[i] ?? [-1, 1];
      return nd(rand(numel(s), lo, hi, (o.seed ?? 1) * 31 + i), s);
    });
    using sess = new tf.Session({ graph: g });
    const feeds = (more: [tf.Tensor, tf.NDArray][] = []) =>
      new Map<tf.Tensor | string, unknown>([...xs.map((x, i) => [x, values[i]] as [tf.Tensor, tf.NDArray]), ...more]);
    const yShape = [...(sess.run(y, feeds()) as tf.NDArray).shape];
    const ny = numel(yShape);
    const wrt = o.wrt ?? shapes.map((_, k) => k);
    const dy = tf.placeholderWithDefault(tf.zeros(yShape, 'float64'), yShape, { name: 'dy' });
    const dxs = tf.gradients(y, wrt.map((i) => xs[i]), { gradYs: [dy] });
    let err = 0;
    wrt.forEach((i, k) => {
      const nx = numel(shapes[i]);
      const theoretical = new Float64Array(nx * ny);
      const dx = dxs[k];
      if (dx) {
        for (let j = 0; j < ny; j++) {
          const oneHot = new Float64Array(ny);
          oneHot[j] = 1;
          const v = sess.run(dx, feeds([[dy, nd(oneHot, yShape)]])) as tf.NDArray;
          for (let p = 0; p < nx; p++) theoretical[p * ny + j] = Number(v.flatGet(p));
        }
      }
      const base = Float64Array.from(values[i].data as Float64Array);
      for (let p = 0; p < nx; p++) {
        const run = (d: number) => {
          const v = base.slice();
          v[p] += d;
          return sess.run(y, feeds([[xs[i], nd(v, shapes[i])]])) as tf.NDArray;
        };
        const yp = run(delta);
        const ym = run(-delta);
        for (let j = 0; j < ny; j++) {
          const numerical = (Number(yp.flatGet(j)) - Number(ym.flatGet(j))) / (2 * delta);
          err = Math.max(err, Math.abs(numerical - theoretical[p * ny + j]));
        }
      }
    });
    return err;
  });
}

function check(t: ExecutionContext, label: string, shapes: number[][], fn: (...xs: tf.Tensor[]) => tf.Tensor, o: CheckOptions = {}) {
  const err = gradError(shapes, fn, o);
  t.true(err < (o.tol ?? 1e-6), `${label} (${o.mode ?? 'static'} ${JSON.stringify(shapes)}): gradient error ${err}`);
}

type AttrValue = boolean | number | string;
const ATTR_KIND: Record<string, string> = { boolean: 'bool', number: 'int', string: 'type' };

/** Creates an op directly (for op types without a public wrapper: Add, Div, BatchMatMul, ...). */
function rawOp(type: string, inputs: tf.Tensor[], attrs: Record<string, AttrValue>, outputDtypes: tf.DType[]): tf.Operation {
  const typed = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { kind: ATTR_KIND[typeof v], value: v }]));
  return tf.getDefaultGraph()._createOp(type, inputs, { name: type, attrs: typed, outputDtypes } as never);
}
const raw1 = (type: string, inputs: tf.Tensor[], attrs: Record<string, AttrValue> = {}) =>
  rawOp(type, inputs, { T: inputs[0].dtype, ...attrs }, [inputs[0].dtype]).outputs[0];

test('tf.test.computeGradientError agrees on gradients without control dependencies', (t) => {
  inGraph((g) => {
    const x = tf.placeholder('float64', { shape: [2, 3], name: 'x' });
    const w = tf.placeholder('float64', { shape: [3, 2], name: 'w' });
    const b = tf.placeholder('float64', { shape: [2], name: 'b' });
    const y = tf.reduceSum(tf.matmul(x, w).add(b).mul(tf.neg(b)), { axis: 0 });
    using sess = new tf.Session({ graph: g });
    const vals = new Map<tf.Tensor | string, unknown>([[x, nd(rand(6, -1, 1, 1), [2, 3])], [w, nd(rand(6, -1, 1, 2), [3, 2])], [b, nd(rand(2, -1, 1, 3), [2])]]);
    for (const [p, shape] of [[x, [2, 3]], [w, [3, 2]], [b, [2]]] as [tf.Tensor, number[]][]) {
      const extra = new Map(vals);
      extra.delete(p);
      const err = tf.test.computeGradientError(p, shape, y, [2], { xInitValue: vals.get(p) as tf.NDArray, delta: 1e-4, extraFeedDict: extra, session: sess });
      t.true(err < 1e-6, `${p.name}: ${err}`);
    }
  });
});

// ---------------------------------------------------------------------------------------
// Unary ops
// ---------------------------------------------------------------------------------------

const UNARY: [string, (x: tf.Tensor) => tf.Tensor, [number, number]][] = [
  ['Neg', tf.neg, [-1, 1]], ['Abs', tf.abs, [0.2, 1]], ['Square', tf.square, [-1, 1]],
  ['Sqrt', tf.sqrt, [0.5, 2]], ['Rsqrt', tf.rsqrt, [0.5, 2]], ['Exp', tf.exp, [-1, 1]], ['Expm1', tf.expm1, [-1, 1]],
  ['Log', tf.log, [0.5, 2]], ['Log1p', tf.log1p, [-0.5, 1]], ['Sin', tf.sin, [-2, 2]], ['Cos', tf.cos, [-2, 2]],
  ['Tan', tf.tan, [-1, 1]], ['Asin', tf.asin, [-0.8, 0.8]], ['Acos', tf.acos, [-0.8, 0.8]], ['Atan', tf.atan, [-2, 2]],
  ['Sinh', tf.sinh, [-1, 1]], ['Cosh', tf.cosh, [-1, 1]], ['Tanh', tf.tanh, [-1, 1]], ['Asinh', tf.asinh, [-2, 2]],
  ['Acosh', tf.acosh, [1.2, 3]], ['Atanh', tf.atanh, [-0.8, 0.8]], ['Sigmoid', tf.sigmoid, [-2, 2]],
  ['Reciprocal', tf.reciprocal, [0.5, 2]], ['Erf', tf.erf, [-1.5, 1.5]], ['Erfc', tf.erfc, [-1.5, 1.5]],
  ['Lgamma', tf.lgamma, [0.5, 3]], ['Sign', tf.sign, [0.2, 1]],
];

test('unary ops: gradient check (float64, static and unknown shapes)', (t) => {
  for (const [name, fn, range] of UNARY) {
    check(t, name, [[2, 3]], (x) => fn(x), { ranges: [range] });
    check(t, name, [[3]], (x) => fn(x), { ranges: [range], mode: 'dynamic' });
    check(t, name, [[]], (x) => fn(x), { ranges: [range], mode: 'unknownRank' });
  }
  // Negative inputs too where the function allows them.
  check(t, 'Abs<0', [[4]], (x) => tf.abs(x), { ranges: [[-1, -0.2]] });
  check(t, 'Sign<0', [[4]], (x) => tf.sign(x).mul(x), { ranges: [[-1, -0.2]] });
});

test('unary ops build TF 1.15 graphs (names under <op>_grad/)', (t) => {
  const names = (fn: (x: tf.Tensor) => tf.Tensor) => inGraph((g) => {
    const x = tf.placeholder('float32', { shape: [2], name: 'x' });
    const y = fn(x);
    const n = g.getOperations().length;
    tf.gradients(y, x);
    return g.getOperations().slice(n + 3).map((o) => `${o.name.replace(/^gradients\/[^/]+_grad\//, '')}:${o.type}`);
  });
  t.deepEqual(names(tf.square), ['Const:Const', 'Mul:Mul', 'Mul_1:Mul']);
  t.deepEqual(names(tf.abs), ['Sign:Sign', 'mul:Mul']);
  t.deepEqual(names(tf.cos), ['Neg:Neg', 'Sin:Sin', 'mul:Mul']);
  t.deepEqual(names(tf.log1p), ['add/x:Const', 'add:AddV2', 'Reciprocal:Reciprocal', 'mul:Mul']);
  t.deepEqual(names(tf.atan), ['Square:Square', 'Const:Const', 'Add:Add', 'Reciprocal:Reciprocal', 'mul:Mul']);
  t.deepEqual(names(tf.erf), ['Const:Const', 'mul:Mul', 'Square:Square', 'Neg:Neg', 'Exp:Exp', 'mul_1:Mul']);
  t.deepEqual(names(tf.sign), ['Shape:Const', 'zeros/Const:Const', 'zeros:Fill']);
  // Square's 2*x waits for the incoming gradient, as TF1's control dependency does.
  inGraph((g) => {
    const x = tf.placeholder('float32', { shape: [2], name: 'x' });
    tf.gradients(tf.square(x), x);
    const c = g.getOperationByName('gradients/Square_grad/Const');
    t.deepEqual(c.controlInputs.map((o) => o.name), ['gradients/Fill']);
  });
});

test('piecewise constant ops (Floor, Ceil, Round, FloorDiv) pass no gradient', (t) => {
  inGraph(() => {
    const x = tf.placeholder('float64', { shape: [3], name: 'x' });
    const y = tf.placeholder('float64', { shape: [3], name: 'y' });
    for (const f of [tf.floor, tf.ceil, tf.round]) t.deepEqual(tf.gradients(f(x), x), [undefined]);
    t.deepEqual(tf.gradients(tf.floordiv(x, y), [x, y]), [undefined, undefined]);
    t.deepEqual(tf.gradients(tf.truncatediv(x, y), [x, y]), [undefined, undefined]);
    // Through other paths the gradient still flows.
    const [dx] = tf.gradients(tf.floor(x).add(x.mul(3)), x);
    using sess = new tf.Session();
    t.deepEqual(Array.from(sess.run(dx!, new Map([[x, nd([0.5, 1.5, 2.5], [3])]])).data as Float64Array), [3, 3, 3]);
  });
});

test('Digamma has no gradient while Polygamma is not registered', (t) => {
  inGraph(() => {
    const x = tf.placeholder('float64', { shape: [2], name: 'x' });
    const y = tf.digamma(x);
    if (tf.registeredOpTypes().includes('Polygamma')) {
      t.truthy(tf.gradients(y, x)[0]);
    } else {
      t.throws(() => tf.gradients(y, x), { instanceOf: tf.errors.NotFoundError, message: /Digamma.*Polygamma/ });
    }
  });
});

// ---------------------------------------------------------------------------------------
// Binary ops with broadcasting
// ---------------------------------------------------------------------------------------

const PAIRS: number[][][] = [[[2, 3], [2, 3]], [[2, 3], [3]], [[2, 1], [1, 3]], [[], [2, 3]], [[2, 3], []], [[3, 1, 2], [2]]];

const BINARY: [string, (x: tf.Tensor, y: tf.Tensor) => tf.Tensor, [number, number][]][] = [
  ['AddV2', (x, y) => tf.add(x, y), []],
  ['Add', (x, y) => raw1('Add', [x, y]), []],
  ['Sub', (x, y) => x.sub(y), []],
  ['Mul', (x, y) => x.mul(y), []],
  ['RealDiv', (x, y) => x.div(y), [[-1, 1], [0.5, 2]]],
  ['Div', (x, y) => raw1('Div', [x, y]), [[-1, 1], [0.5, 2]]],
  ['DivNoNan', (x, y) => tf.divNoNan(x, y), [[-1, 1], [0.5, 2]]],
  ['FloorMod', (x, y) => tf.floormod(x, y), [[2.2, 2.8], [1, 1.05]]],
  ['Pow', (x, y) => tf.pow(x, y), [[0.5, 2], [0.5, 2]]],
  ['Maximum', (x, y) => tf.maximum(x, y), [[-1, -0.1], [0.1, 1]]],
  ['Minimum', (x, y) => tf.minimum(x, y), [[-1, -0.1], [0.1, 1]]],
  ['SquaredDifference', (x, y) => tf.squaredDifference(x, y), []],
  ['Atan2', (x, y) => tf.atan2(x, y), [[0.5, 1], [0.5, 1]]],
];

test('binary ops: gradient check with broadcasting ([2,3]+[3], [2,1]+[1,3], scalars)', (t) => {
  for (const [name, fn, ranges] of BINARY) {
    for (const shapes of PAIRS) {
      check(t, name, shapes, fn, { ranges });
      check(t, name, shapes, fn, { ranges, mode: 'dynamic' });
    }
    check(t, name, [[2, 3], [3]], fn, { ranges, mode: 'unknownRank' });
  }
});

test('Maximum/Minimum pick x on ties (GreaterEqual/LessEqual) and mixed values work', (t) => {
  // Mixed: some elements from each side.
  check(t, 'Maximum mixed', [[2, 3], [3]], (x, y) => tf.maximum(x, y), { values: [[-1, 0.5, 0.2, 0.7, -0.3, 0.9], [0.1, 0.4, -0.2]] });
  check(t, 'Minimum mixed', [[2, 3], [3]], (x, y) => tf.minimum(x, y), { values: [[-1, 0.5, 0.2, 0.7, -0.3, 0.9], [0.1, 0.4, -0.2]] });
  inGraph(() => {
    const x = tf.placeholder('float64', { shape: [3], name: 'x' });
    const y = tf.placeholder('float64', { shape: [3], name: 'y' });
    using sess = new tf.Session();
    const feeds = new Map([[x, nd([1, 2, 3], [3])], [y, nd([1, 5, 0], [3])]]);
    for (const [f, ex, ey] of [[tf.maximum, [1, 0, 1], [0, 1, 0]], [tf.minimum, [1, 1, 0], [0, 0, 1]]] as const) {
      const [dx, dy] = tf.gradients(f(x, y), [x, y]);
      t.deepEqual(Array.from(sess.run(dx!, feeds).data as Float64Array), [...ex]);
      t.deepEqual(Array.from(sess.run(dy!, feeds).data as Float64Array), [...ey]);
    }
  });
});

test('Pow: gradient w.r.t. the exponent is 0 where x <= 0', (t) => {
  inGraph(() => {
    const x = tf.placeholder('float64', { shape: [3], name: 'x' });
    const y = tf.placeholder('float64', { shape: [3], name: 'y' });
    const [dx, dy] = tf.gradients(tf.pow(x, y), [x, y]);
    using sess = new tf.Session();
    const feeds = new Map([[x, nd([0, -2, 2], [3])], [y, nd([2, 2, 3], [3])]]);
    t.deepEqual(Array.from(sess.run(dx!, feeds).data as Float64Array), [0, -4, 12]);
    const gy = Array.from(sess.run(dy!, feeds).data as Float64Array);
    t.deepEqual(gy.slice(0, 2), [0, 0]);
    t.true(Math.abs(gy[2] - 8 * Math.log(2)) < 1e-12);
  });
});

test('AddN copies the gradient to every input; x*x + x sums three paths to 2x+1 with AddN', (t) => {
  check(t, 'AddN', [[2, 3], [2, 3]], (x, y) => tf.addN([x, y, x]));
  inGraph((g) => {
    const x = tf.placeholder('float64', { shape: [3], name: 'x' });
    const y = x.mul(x).add(x);
    const [dx] = tf.gradients(y, x);
    t.is(dx!.op.type, 'AddN');
    t.is(dx!.op.name, 'gradients/AddN');
    t.is(dx!.op.inputs.length, 3);
    using sess = new tf.Session({ graph: g });
    const v = sess.run(dx!, new Map([[x, nd([1, -2, 0.5], [3])]]));
    t.deepEqual(Array.from(v.data as Float64Array), [3, -3, 2]);
  });
});

test('unconnected xs get undefined', (t) => {
  inGraph(() => {
    const x = tf.placeholder('float64', { shape: [2], name: 'x' });
    const z = tf.placeholder('float64', { shape: [2], name: 'z' });
    const i = tf.placeholder('int32', { shape: [2], name: 'i' });
    const y = x.mul(2);
    const [dx, dz] = tf.gradients(y, [x, z]);
    t.truthy(dx);
    t.is(dz, undefined);
    // Through a non-float tensor nothing flows either.
    t.deepEqual(tf.gradients(tf.cast(tf.cast(x, 'int32'), 'float64'), x), [undefined]);
    t.deepEqual(tf.gradients(tf.cast(i, 'float64'), i), [undefined]);
  });
});

test('Cast: float <-> float passes the gradient back in the source dtype', (t) => {
  check(t, 'Cast', [[2, 3]], (x) => tf.cast(tf.cast(x, 'float32'), 'float64').mul(tf.cast(tf.cast(x, 'float32'), 'float64')), { tol: 1e-3 });
  inGraph(() => {
    const x = tf.placeholder('float32', { shape: [2], name: 'x' });
    const [dx] = tf.gradients(tf.cast(x, 'float64'), x);
    t.is(dx!.dtype, 'float32');
    t.is(dx!.op.name, 'gradients/Cast_grad/Cast');
  });
});

// ---------------------------------------------------------------------------------------
// Matrix products
// ---------------------------------------------------------------------------------------

test('MatMul: all four transpose combinations', (t) => {
  for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]]) {
    const sa = ta ? [3, 2] : [2, 3];
    const sb = tb ? [4, 3] : [3, 4];
    for (const mode of ['static', 'dynamic'] as Mode[]) {
      check(t, `MatMul ta=${ta} tb=${tb}`, [sa, sb], (x, y) => tf.matmul(x, y, { transposeA: ta, transposeB: tb }), { mode });
    }
  }
});

test('MatMul gradient graph: MatMul and MatMul_1 with TF1 transposes', (t) => {
  inGraph((g) => {
    const x = tf.placeholder('float32', { shape: [2, 3], name: 'x' });
    const w = tf.placeholder('float32', { shape: [3, 4], name: 'w' });
    const [dx, dw] = tf.gradients(tf.matmul(x, w), [x, w]);
    t.is(dx!.op.name, 'gradients/MatMul_grad/MatMul');
    t.is(dw!.op.name, 'gradients/MatMul_grad/MatMul_1');
    t.deepEqual([dx!.op.getAttr('transpose_a'), dx!.op.getAttr('transpose_b')], [false, true]);
    t.deepEqual([dw!.op.getAttr('transpose_a'), dw!.op.getAttr('transpose_b')], [true, false]);
    t.deepEqual(dx!.shape.dims, [2, 3]);
    t.deepEqual(dw!.shape.dims, [3, 4]);
    void g;
  });
});

test('BatchMatMulV2 / BatchMatMul: adjoints and broadcast batch dims reduced', (t) => {
  for (const [ax, ay] of [[false, false], [false, true], [true, false], [true, true]]) {
    const sx = ax ? [3, 2] : [2, 3];
    const sy = ay ? [4, 3] : [3, 4];
    const fn = (x: tf.Tensor, y: tf.Tensor) => tf.batchMatmul(x, y, { adjX: ax, adjY: ay });
    check(t, `BatchMatMulV2 adj=${ax},${ay}`, [[2, ...sx], [2, ...sy]], fn);
    check(t, `BatchMatMulV2 bcast adj=${ax},${ay}`, [[2, 1, ...sx], [3, ...sy]], fn);
    check(t, `BatchMatMulV2 bcast dynamic adj=${ax},${ay}`, [[1, ...sx], [2, ...sy]], fn, { mode: 'dynamic' });
    check(t, `BatchMatMul adj=${ax},${ay}`, [[2, ...sx], [2, ...sy]],
      (x, y) => raw1('BatchMatMul', [x, y], { adj_x: ax, adj_y: ay }));
  }
  // tf.matmul of a matrix and a batch (BatchMatMulV2 under "MatMul").
  check(t, 'matmul [2,3] x [4,3,2]', [[2, 3], [4, 3, 2]], (x, y) => tf.matmul(x, y));
  inGraph((g) => {
    const x = tf.placeholder('float32', { shape: [2, 1, 2, 3], name: 'x' });
    const y = tf.placeholder('float32', { shape: [3, 3, 4], name: 'y' });
    const z = tf.matmul(x, y);
    const n = g.getOperations().length;
    const [dx, dy] = tf.gradients(z, [x, y]);
    t.deepEqual(dx!.shape.dims, [2, 1, 2, 3]);
    t.deepEqual(dy!.shape.dims, [3, 3, 4]);
    const names = g.getOperations().slice(n + 3).map((o) => o.name.replace('gradients/MatMul_grad/', ''));
    t.deepEqual(names, [
      'MatMul', 'MatMul_1', 'Shape', 'Shape_1', 'strided_slice/stack', 'strided_slice/stack_1', 'strided_slice/stack_2',
      'strided_slice', 'strided_slice_1/stack', 'strided_slice_1/stack_1', 'strided_slice_1/stack_2', 'strided_slice_1',
      'BroadcastGradientArgs', 'Sum', 'Reshape', 'Sum_1', 'Reshape_1',
    ]);
  });
});

test('MatrixInverse: d(A^-1) = -A^-T dY A^-T', (t) => {
  const eye = (n: number, k: number) => Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) === i % n ? k : 0));
  const a3 = rand(9, -0.5, 0.5, 3).map((v, i) => v + eye(3, 2)[i]);
  check(t, 'MatrixInverse', [[3, 3]], (x) => tf.matrixInverse(x), { values: [a3] });
  check(t, 'MatrixInverse adjoint', [[3, 3]], (x) => tf.matrixInverse(x, { adjoint: true }), { values: [a3] });
  const b = [...a3, ...rand(9, -0.5, 0.5, 4).map((v, i) => v + eye(3, 3)[i])];
  check(t, 'MatrixInverse batch', [[2, 3, 3]], (x) => tf.matrixInverse(x), { values: [b] });
});

// ---------------------------------------------------------------------------------------
// Reductions and scans
// ---------------------------------------------------------------------------------------

const REDUCE: [string, (x: tf.Tensor, o: tf.ReduceOptions) => tf.Tensor][] = [
  ['Sum', tf.reduceSum], ['Mean', tf.reduceMean], ['Max', tf.reduceMax], ['Min', tf.reduceMin], ['Prod', tf.reduceProd],
];
const AXES: (number | number[] | undefined)[] = [undefined, 1, [0, 2], -1, [], [2, 0, 1]];

test('reductions: gradient check over axes, keepDims and static/unknown shapes', (t) => {
  for (const [name, fn] of REDUCE) {
    for (const axis of AXES) {
      for (const keepDims of [false, true]) {
        for (const mode of MODES) {
          if (mode === 'unknownRank' && axis === undefined && keepDims) continue;
          check(t, `${name} axis=${JSON.stringify(axis)} keepDims=${keepDims}`, [[2, 3, 2]], (x) => fn(x, { axis, keepDims }),
            { ranges: [[0.5, 1.5]], mode });
        }
      }
    }
  }
  // A tensor axis (value unknown at graph construction).
  check(t, 'Sum tensor axis', [[2, 3]], (x) => tf.reduceSum(x, { axis: tf.placeholderWithDefault(tf.constant([1]), [null]) }));
  check(t, 'Prod tensor axis', [[2, 3]], (x) => tf.reduceProd(x, { axis: tf.placeholderWithDefault(tf.constant(0), []) }));
  // int64 axes and scalars.
  check(t, 'Mean int64 axis', [[2, 3]], (x) => tf.reduceMean(x, { axis: tf.constant([1], { dtype: 'int64' }) }));
  check(t, 'Sum scalar', [[]], (x) => tf.reduceSum(x));
  check(t, 'Prod scalar', [[]], (x) => tf.reduceProd(x, { axis: [] }));
});

test('Prod: gradient is exact with zeros in the input (cumprod, no division)', (t) => {
  check(t, 'Prod one zero', [[2, 3]], (x) => tf.reduceProd(x, { axis: 1 }), { values: [[0, 2, 3, 4, 0.5, 1.5]] });
  check(t, 'Prod two zeros', [[2, 3]], (x) => tf.reduceProd(x), { values: [[0, 2, 0, 4, 0.5, 1.5]] });
  inGraph(() => {
    const x = tf.placeholder('float64', { shape: [4], name: 'x' });
    const [dx] = tf.gradients(tf.reduceProd(x), x);
    using sess = new tf.Session();
    t.deepEqual(Array.from(sess.run(dx!, new Map([[x, nd([2, 0, 3, 5], [4])]])).data as Float64Array), [0, 30, 0, 0]);
  });
});

test('Max/Min: the gradient is split evenly between tied extremes', (t) => {
  inGraph(() => {
    const x = tf.placeholder('float64', { shape: [2, 4], name: 'x' });
    const [dmax] = tf.gradients(tf.reduceMax(x, { axis: 1 }), x);
    const [dmin] = tf.gradients(tf.reduceMin(x, { axis: 1, keepDims: true }), x);
    const [dall] = tf.gradients(tf.reduceMax(x), x);
    using sess = new tf.Session();
    const feeds = new Map([[x, nd([1, 3, 3, 2, 5, 0, 0, 0], [2, 4])]]);
    t.deepEqual(Array.from(sess.run(dmax!, feeds).data as Float64Array), [0, 0.5, 0.5, 0, 1, 0, 0, 0]);
    const third = 1 / 3;
    t.deepEqual(Array.from(sess.run(dmin!, feeds).data as Float64Array), [1, 0, 0, 0, 0, third, third, third]);
    t.deepEqual(Array.from(sess.run(dall!, feeds).data as Float64Array), [0, 0, 0, 0, 1, 0, 0, 0]);
  });
});

test('Cumsum / Cumprod: axis, exclusive and reverse', (t) => {
  for (const axis of [0, 1, -1]) {
    for (const exclusive of [false, true]) {
      for (const reverse of [false, true]) {
        const o = { axis, exclusive, reverse };
        check(t, `Cumsum ${JSON.stringify(o)}`, [[3, 4]], (x) => tf.cumsum(x, o));
        check(t, `Cumprod ${JSON.stringify(o)}`, [[3, 4]], (x) => tf.cumprod(x, o), { ranges: [[0.5, 1.5]] });
      }
    }
  }
  check(t, 'Cumsum dynamic', [[3, 4]], (x) => tf.cumsum(x, { axis: 1 }), { mode: 'dynamic' });
});

test('composite expressions: chains, broadcasting and reductions together', (t) => {
  check(t, 'softplus-ish', [[3, 2], [2]], (x, b) => tf.reduceMean(tf.log1p(tf.exp(x.add(b)))));
  check(t, 'mse', [[4, 3], [3, 1], [4, 1]], (x, w, y) => tf.reduceMean(tf.square(tf.matmul(x, w).sub(y))));
  check(t, 'mse dynamic', [[4, 3], [3, 1], [4, 1]], (x, w, y) => tf.reduceMean(tf.square(tf.matmul(x, w).sub(y))), { mode: 'dynamic' });
  check(t, 'normalise', [[2, 3]], (x) => x.div(tf.reduceSum(x, { axis: 1, keepDims: true })), { ranges: [[0.5, 1.5]] });
  check(t, 'tanh sigmoid mix', [[2, 3], [3]], (x, y) => tf.tanh(x).mul(tf.sigmoid(y)).sub(tf.sqrt(tf.square(y).add(1))));
});

// ---------------------------------------------------------------------------------------
// TF 1.15 node names of whole gradient graphs
// ---------------------------------------------------------------------------------------

/** Names of the ops tf.gradients adds. */
function gradientOpNames(g: tf.Graph, fn: () => unknown): string[] {
  const n = g.getOperations().length;
  fn();
  return g.getOperations().slice(n).map((o) => o.name);
}

test('node names: gradients of reduce_mean(square(matmul(X, w) - y)) w.r.t. w, unknown batch size', (t) => {
  inGraph((g) => {
    const X = tf.placeholder('float32', { shape: [null, 3], name: 'X' });
    const y = tf.placeholder('float32', { shape: [null, 1], name: 'y' });
    const w = new tf.Variable(tf.zeros([3, 1]), { name: 'w' });
    const loss = tf.reduceMean(tf.square(tf.matmul(X, w).sub(y)));
    let dw: tf.Tensor | undefined;
    const names = gradientOpNames(g, () => {
      [dw] = tf.gradients(loss, w);
    });
    t.deepEqual(names, [
      'gradients/Shape', 'gradients/grad_ys_0', 'gradients/Fill',
      // _MeanGrad: _SumGrad's reduce-everything path (Reshape to [1,1], Tile by the input's
      // shape), then the count of reduced elements from the dynamic shapes.
      'gradients/Mean_grad/Reshape/shape', 'gradients/Mean_grad/Reshape', 'gradients/Mean_grad/Shape',
      'gradients/Mean_grad/Tile', 'gradients/Mean_grad/Shape_1', 'gradients/Mean_grad/Shape_2',
      'gradients/Mean_grad/Const', 'gradients/Mean_grad/Prod', 'gradients/Mean_grad/Const_1', 'gradients/Mean_grad/Prod_1',
      'gradients/Mean_grad/Maximum/y', 'gradients/Mean_grad/Maximum', 'gradients/Mean_grad/floordiv',
      'gradients/Mean_grad/Cast', 'gradients/Mean_grad/truediv',
      // _SquareGrad: grad * (x * 2) after the gradient arrives.
      'gradients/Square_grad/Const', 'gradients/Square_grad/Mul', 'gradients/Square_grad/Mul_1',
      // _SubGrad with unknown shapes: SmartBroadcastGradientArgs' dynamic path.
      'gradients/sub_grad/Shape', 'gradients/sub_grad/Shape_1', 'gradients/sub_grad/BroadcastGradientArgs',
      'gradients/sub_grad/Sum', 'gradients/sub_grad/Reshape', 'gradients/sub_grad/Neg', 'gradients/sub_grad/Sum_1',
      'gradients/sub_grad/Reshape_1',
      // _MatMulGrad: grad_a = grad @ b^T, grad_b = a^T @ grad.
      'gradients/MatMul_grad/MatMul', 'gradients/MatMul_grad/MatMul_1',
    ]);
    t.is(dw!.name, 'gradients/MatMul_grad/MatMul_1:0');
    t.deepEqual(dw!.shape.dims, [3, 1]);
    // The value: 2/m X^T (Xw - y).
    using sess = new tf.Session({ graph: g });
    sess.run(w.initializer);
    const Xv = tf.NDArray.from(Float32Array.from([1, 2, 3, 4, 5, 6]), 'float32', [2, 3]);
    const yv = tf.NDArray.from(Float32Array.from([1, -1]), 'float32', [2, 1]);
    const v = Array.from(sess.run(dw!, new Map([[X, Xv], [y, yv]])).data as Float32Array);
    // w = 0: Xw - y = [-1, 1], so 2/2 * X^T [-1, 1] = [3, 3, 3].
    t.deepEqual(v, [3, 3, 3]);
  });
});

test('node names: the same loss with fully known shapes (static fast paths)', (t) => {
  inGraph((g) => {
    const X = tf.placeholder('float32', { shape: [4, 3], name: 'X' });
    const y = tf.placeholder('float32', { shape: [4, 1], name: 'y' });
    const w = tf.placeholder('float32', { shape: [3, 1], name: 'w' });
    const loss = tf.reduceMean(tf.square(tf.matmul(X, w).sub(y)));
    const names = gradientOpNames(g, () => tf.gradients(loss, w));
    t.deepEqual(names, [
      'gradients/Shape', 'gradients/grad_ys_0', 'gradients/Fill',
      'gradients/Mean_grad/Reshape/shape', 'gradients/Mean_grad/Reshape', 'gradients/Mean_grad/Const',
      'gradients/Mean_grad/Tile', 'gradients/Mean_grad/Const_1', 'gradients/Mean_grad/truediv',
      'gradients/Square_grad/Const', 'gradients/Square_grad/Mul', 'gradients/Square_grad/Mul_1',
      // Same fully known shapes: grad and -grad.
      'gradients/sub_grad/Neg',
      'gradients/MatMul_grad/MatMul', 'gradients/MatMul_grad/MatMul_1',
    ]);
  });
});

test('node names: static broadcasting uses the reduction axes computed at construction', (t) => {
  inGraph((g) => {
    const x = tf.placeholder('float64', { shape: [2, 3], name: 'x' });
    const b = tf.placeholder('float64', { shape: [3], name: 'b' });
    const z = x.mul(b);
    const names = gradientOpNames(g, () => tf.gradients(z, [x, b]));
    t.deepEqual(names.slice(3).map((n) => n.replace('gradients/mul_grad/', '')), [
      // Built once per graph and shape pair, then constant-evaluated (TF 1.15's cache).
      'BroadcastGradientArgs/s0', 'BroadcastGradientArgs/s1', 'BroadcastGradientArgs',
      'Mul', 'Mul_1', 'Sum/reduction_indices', 'Sum', 'Reshape/shape', 'Reshape',
    ]);
    // A second gradient over the same shapes reuses the cached axes.
    const again = gradientOpNames(g, () => tf.gradients(x.mul(b), [x, b]));
    t.false(again.some((n) => n.includes('BroadcastGradientArgs')));
  });
});

test('node names: reductions over some axes', (t) => {
  inGraph((g) => {
    const x = tf.placeholder('float32', { shape: [2, 3, 4], name: 'x' });
    const sum = tf.reduceSum(x, { axis: 1 });
    const names = gradientOpNames(g, () => tf.gradients(sum, x));
    // Static shape and axes: Reshape to the kept-dims shape and Tile (values from TF's cache).
    t.deepEqual(names.slice(3).filter((n) => !/\/(Cast|Cast_1|Size|add|mod|Shape|range|Fill|DynamicStitch|Maximum|floordiv)(\/|$)/.test(n)), [
      'gradients/Sum_grad/Reshape/shape', 'gradients/Sum_grad/Reshape', 'gradients/Sum_grad/Tile/multiples', 'gradients/Sum_grad/Tile',
    ]);
  });
  inGraph((g) => {
    const x = tf.placeholder('float32', { shape: [null, 3], name: 'x' });
    const sum = tf.reduceSum(x, { axis: 1 });
    const names = gradientOpNames(g, () => tf.gradients(sum, x));
    const has = (n: string) => names.includes(`gradients/Sum_grad/${n}`);
    for (const n of ['Shape', 'Size', 'add', 'mod', 'Maximum', 'floordiv', 'Reshape', 'Tile']) t.true(has(n), n);
  });
});

// ---------------------------------------------------------------------------------------
// BroadcastGradientArgs
// ---------------------------------------------------------------------------------------

test('BroadcastGradientArgs: TF BCast reduction indices; incompatible shapes are an error', (t) => {
  inGraph(() => {
    const cases: [number[], number[], number[], number[]][] = [
      [[2, 3], [3], [], [0]], [[2, 1], [1, 3], [1], [0]], [[], [2, 3], [0, 1], []], [[2, 3], [2, 3], [], []],
      [[1], [1, 1], [0, 1], [0, 1]], [[5, 1, 3], [4, 1], [1], [0, 2]], [[], [], [], []], [[2, 3], [1, 1], [], [0, 1]],
    ];
    using sess = new tf.Session();
    for (const dtype of ['int32', 'int64'] as const) {
      for (const [s0, s1, r0, r1] of cases) {
        const op = rawOp('BroadcastGradientArgs', [tf.constant(s0, { dtype }), tf.constant(s1, { dtype })], { T: dtype }, [dtype, dtype]);
        t.is(op.outputs[0].dtype, dtype);
        t.deepEqual(op.outputs[0].shape.dims, [null]);
        const [v0, v1] = sess.run([op.outputs[0], op.outputs[1]]) as tf.NDArray[];
        t.deepEqual(Array.from(v0.data as ArrayLike<number | bigint>, Number), r0, `${s0} vs ${s1}`);
        t.deepEqual(Array.from(v1.data as ArrayLike<number | bigint>, Number), r1, `${s0} vs ${s1}`);
      }
    }
    const s0 = tf.placeholder('int32', { shape: [null], name: 's0' });
    const s1 = tf.placeholder('int32', { shape: [null], name: 's1' });
    const bad = rawOp('BroadcastGradientArgs', [s0, s1], { T: 'int32' }, ['int32', 'int32']);
    const feeds = new Map([[s0, tf.NDArray.from(Int32Array.from([2, 3]), 'int32', [2])], [s1, tf.NDArray.from(Int32Array.from([4]), 'int32', [1])]]);
    t.throws(() => sess.run(bad.outputs[0], feeds), { instanceOf: tf.errors.InvalidArgumentError, message: /Incompatible shapes: \[2,3\] vs\. \[4\]/ });
    t.throws(() => rawOp('BroadcastGradientArgs', [tf.constant([[1]]), tf.constant([1])], { T: 'int32' }, ['int32', 'int32']), { message: /rank 1/ });
  });
});

test('registerGradient: one gradient per op type, used by tf.gradients; null stops the gradient', (t) => {
  tf.registerOp({
    type: 'TestDoubler', inputs: [{ name: 'x', typeAttr: 'T' }], outputs: [{ name: 'y', typeAttr: 'T' }],
    attrs: { T: { kind: 'type' } }, shape: (op) => [op.inputs[0].shape],
  });
  tf.registerOp({
    type: 'TestBlocker', inputs: [{ name: 'x', typeAttr: 'T' }], outputs: [{ name: 'y', typeAttr: 'T' }],
    attrs: { T: { kind: 'type' } }, shape: (op) => [op.inputs[0].shape],
  });
  t.is(tf.getGradientFunction('TestDoubler'), undefined);
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [2], name: 'x' });
    const y = tf.getDefaultGraph()._createOp('TestDoubler', [x], { name: 'd', outputDtypes: ['float32'], attrs: { T: { kind: 'type', value: 'float32' } } }).outputs[0];
    t.throws(() => tf.gradients(y, x), { instanceOf: tf.errors.NotFoundError, message: /No gradient defined for operation 'd' \(op type: TestDoubler\)/ });
    tf.registerGradient('TestDoubler', (_op, [dy]) => [tf.multiply(dy!, 2)]);
    t.throws(() => tf.registerGradient('TestDoubler', (_op, grads) => grads), { message: /Registering two gradient with name 'TestDoubler'/ });
    t.is(tf.gradients(y, x)[0]!.op.type, 'Mul');
    tf.registerGradient('TestBlocker', null);
    t.is(tf.getGradientFunction('TestBlocker'), null);
    const z = tf.getDefaultGraph()._createOp('TestBlocker', [x], { name: 'b', outputDtypes: ['float32'], attrs: { T: { kind: 'type', value: 'float32' } } }).outputs[0];
    t.deepEqual(tf.gradients(z, x), [undefined]);
  });
  // Every built-in gradient is registered once, by its family's module.
  t.is(typeof tf.getGradientFunction('MatMul'), 'function');
  t.is(tf.getGradientFunction('Const'), null);
});
