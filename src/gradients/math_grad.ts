// Gradients of the math ops, written as TF 1.15's python/ops/math_grad.py (and linalg_grad.py
// for MatrixInverse) writes them: the same ops, in the same order, under the same names, so a
// gradient graph has TF1's node names ("gradients/MatMul_grad/MatMul_1", ...). TF 1.15 takes
// the `compat.forward_compatible(2019, 9, 14)` branches' old side (no MulNoNan/Xdivy), which is
// what is built here.
//
// Where TF uses an op this project does not register (SqrtGrad, TanhGrad, DynamicStitch,
// ListDiff, ...), the gradient checks with hasOpDef when it is built and
// falls back to an equivalent composition of registered ops.
import { constantValue } from '../framework/constant_value.js';
import { type DType, FLOATING_DTYPES } from '../framework/dtypes.js';
import { NotFoundError } from '../framework/errors.js';
import type { Graph } from '../framework/graph.js';
import { NDArray } from '../framework/ndarray.js';
import { applyOp, applyOp1, constant, convertToTensor, type TensorLike } from '../framework/op_builder.js';
import { registerGradient } from '../framework/gradient_registry.js';
import { hasOpDef } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import { colocateWith, controlDependencies, device, nameScope } from '../framework/scopes.js';
import { Tensor } from '../framework/tensor.js';
import type { Dim } from '../framework/tensor_shape.js';
import * as a from '../ops/array_ops.js';
import * as shapeOps from '../ops/shape_ops.js';
import * as sliceOps from '../ops/slice_ops.js';
import * as m from '../ops/math_ops.js';
import { broadcastGradientArgs, broadcastReduceIndices } from '../ops/shape_ops.js';
import '../ops/tensor_methods.js';

type Grad = Tensor | undefined | null;
type Tuple = readonly Dim[] | null;

// =====================================================================================
// BroadcastGradientArgs
// =====================================================================================

// =====================================================================================
// Helpers: Python operators, static shapes, graph-level caches
// =====================================================================================

/** TF's math_ops.conj: the identity for real tensors (no op). */
const conj = (x: Tensor) => x;

/** `value <op> t` with a JS value on the left (TF1's r_binary_op_wrapper: Const "<op>/x"). */
function rop(opName: 'add' | 'sub' | 'mul' | 'truediv', value: number, y: Tensor): Tensor {
  const fns = { add: m.add, sub: m.subtract, mul: m.multiply, truediv: m.truediv };
  return nameScope(opName, { values: [y] }, (scope) => {
    const x = convertToTensor(value, { dtype: y.dtype, name: 'x' });
    return fns[opName](x, y, { name: scope });
  });
}

/** x._shape_tuple(). */
const tupleOf = (t: Tensor): Tuple => t.shape.dims;
const tupleEq = (p: Tuple, q: Tuple) =>
  p === null || q === null ? p === q : p.length === q.length && p.every((d, i) => d === q[i]);
const fullyKnown = (p: Tuple): p is number[] => p !== null && !p.includes(null);

function shapesFullySpecifiedAndEqual(x: Tensor, y: Tensor, grad: Tensor): boolean {
  const xs = tupleOf(x);
  return tupleEq(xs, tupleOf(y)) && tupleEq(xs, tupleOf(grad)) && fullyKnown(xs);
}

/** Per-graph caches (TF's graph._bcast_grad_args_cache and graph._reduced_shape_cache). */
const bcastCache = new WeakMap<Graph, Map<string, [number[], number[]]>>();
const reducedShapeCache = new WeakMap<Graph, Map<string, [number[], number[]]>>();

function cacheOf<V>(caches: WeakMap<Graph, Map<string, V>>, g: Graph): Map<string, V> {
  let c = caches.get(g);
  if (!c) caches.set(g, (c = new Map()));
  return c;
}

interface BcastInfo {
  /** The input's shape (a tensor, or a JS list when static). */
  shape: Tensor | number[];
  /** Axes to sum the gradient over (a tensor, or a JS list when static). */
  reduce: Tensor | number[];
  /** Whether the gradient has to be summed and reshaped at all. */
  mustReduce: boolean;
}

/**
 * TF 1.15's SmartBroadcastGradientArgs: with fully known input shapes the reduction axes are
 * computed at graph-construction time (once per graph and pair of shapes, leaving TF's
 * constant-evaluated BroadcastGradientArgs node behind); otherwise Shape + BroadcastGradientArgs.
 */
function smartBroadcastGradientArgs(x: Tensor, y: Tensor, grad: Tensor): [BcastInfo, BcastInfo] {
  const xs = tupleOf(x);
  const ys = tupleOf(y);
  if (!fullyKnown(xs) || !fullyKnown(ys)) {
    const sx = shapeOps.shape(x, { optimize: false });
    const sy = shapeOps.shape(y, { optimize: false });
    const [rx, ry] = broadcastGradientArgs(sx, sy);
    return [{ shape: sx, reduce: rx, mustReduce: true }, { shape: sy, reduce: ry, mustReduce: true }];
  }
  const gs = tupleOf(grad);
  const cache = cacheOf(bcastCache, x.graph);
  const key = JSON.stringify([xs, ys]);
  let r = cache.get(key);
  if (!r) {
    broadcastGradientArgs(xs, ys);  // what TF builds and then evaluates
    r = broadcastReduceIndices(xs, ys);
    cache.set(key, r);
  }
  return [
    { shape: xs, reduce: r[0], mustReduce: !tupleEq(xs, gs) },
    { shape: ys, reduce: r[1], mustReduce: !tupleEq(ys, gs) },
  ];
}

/** array_ops.reshape(math_ops.reduce_sum(g, axes), shape). */
function sumToShape(g: Tensor, axes: Tensor | number[], shape: Tensor | number[]): Tensor {
  return shapeOps.reshape(m.reduceSum(g, { axis: axes }), shape);
}

/** Shape, Shape_1, BroadcastGradientArgs: TF's unconditional broadcasting preamble. */
function shapesAndReduceIndices(x: Tensor, y: Tensor): [Tensor, Tensor, Tensor, Tensor] {
  const sx = shapeOps.shape(x);
  const sy = shapeOps.shape(y);
  const [rx, ry] = broadcastGradientArgs(sx, sy);
  return [sx, sy, rx, ry];
}

/** _safe_shape_div(x, y): x // maximum(y, 1) (a JS list on the left converts as "floordiv/x"). */
function safeShapeDiv(x: TensorLike, y: TensorLike): Tensor {
  const den = m.maximum(y, 1);
  if (x instanceof Tensor) return x.floorDiv(den);
  return nameScope('floordiv', { values: [den] }, (scope) => {
    const xt = convertToTensor(x, { dtype: den.dtype, name: 'x' });
    return m.floordiv(xt, den, { name: scope });
  });
}

/**
 * math_ops.reduced_shape(input_shape, axes): input_shape with the reduced axes set to 1.
 * TF builds DynamicStitch(range(rank), axes; input_shape, fill(shape(axes), 1)); without a
 * DynamicStitch op the same is a Select over which positions are reduced.
 */
function reducedShape(inputShape: TensorLike, axes: TensorLike): Tensor {
  const shapeT = m.cast(inputShape, 'int32');
  let axesT = m.cast(axes, 'int32');
  const inputRank = shapeOps.size(shapeT);
  axesT = axesT.add(inputRank).mod(inputRank);
  if (hasOpDef('DynamicStitch')) {
    const axesShape = shapeOps.shape(axesT);
    return applyOp1('DynamicStitch', [[a.range(inputRank), axesT], [shapeT, a.fill(axesShape, 1)]]);
  }
  const positions = a.range(inputRank);
  const isReduced = m.reduceAny(m.equal(shapeOps.reshape(positions, [-1, 1]), shapeOps.reshape(axesT, [1, -1])), { axis: 1 });
  return a.where(isReduced, a.onesLike(shapeT), shapeT);
}

/** reduced_shape for static values (what TF's cache holds). */
function reducedShapeValue(input: readonly number[], axes: readonly number[]): number[] {
  const r = input.length;
  const out = [...input];
  for (const ax of axes) out[(((ax + r) % r) + r) % r] = 1;
  return out;
}

const ints = (v: NDArray) => Array.from({ length: v.size }, (_, i) => Number(v.flatGet(i)));

// =====================================================================================
// Reductions
// =====================================================================================

function sumGrad(op: Operation, grad: Tensor): [Tensor, null] {
  const input0 = tupleOf(op.inputs[0]);
  if (input0 !== null) {
    const axesV = constantValue(op.inputs[1]);
    if (axesV) {
      const rank = input0.length;
      const axes = ints(axesV);
      if (axesV.shape.length === 1 && axes.length === rank && axes.every((v, i) => v === i)) {
        // Reducing everything: Reshape to [1, ..., 1] and Tile to the input's shape.
        const g = shapeOps.reshape(grad, new Array<number>(rank).fill(1));
        const inputShape = fullyKnown(input0) ? constant(input0, { dtype: 'int32' }) : shapeOps.shape(op.inputs[0]);
        return [a.tile(g, inputShape), null];
      } else if (fullyKnown(input0)) {
        // Static shape and axes: the kept-dims shape and tiling are computed once per graph.
        const cache = cacheOf(reducedShapeCache, op.graph);
        const key = JSON.stringify([input0, axes]);
        let r = cache.get(key);
        if (!r) {
          // TF builds these (then evaluates them); only where its ops exist here.
          const okd = reducedShapeValue(input0, axes);
          if (hasOpDef('DynamicStitch')) {
            reducedShape(input0, axes);
            safeShapeDiv(input0, okd);
          }
          r = [okd, input0.map((d, i) => Math.floor(d / Math.max(okd[i], 1)))];
          cache.set(key, r);
        }
        return [a.tile(shapeOps.reshape(grad, r[0]), r[1]), null];
      }
    }
  }
  const inputShape = shapeOps.shape(op.inputs[0]);
  const [okd, tileScaling] = colocateWith(inputShape, () => {
    const kept = reducedShape(inputShape, op.inputs[1]);
    return [kept, safeShapeDiv(inputShape, kept)];
  });
  return [a.tile(shapeOps.reshape(grad, okd), tileScaling), null];
}

registerGradient('Sum', (op, grads) => sumGrad(op, grads[0]!));

registerGradient('Mean', (op, grads) => {
  const sum = sumGrad(op, grads[0]!)[0];
  const inShape = tupleOf(op.inputs[0]);
  const outShape = tupleOf(op.outputs[0]);
  let factor: Tensor;
  if (fullyKnown(inShape) && fullyKnown(outShape)) {
    const inSize = inShape.reduce((p, d) => p * d, 1);
    const outSize = outShape.reduce((p, d) => p * d, 1);
    factor = constant(Math.floor(inSize / Math.max(outSize, 1)), { dtype: sum.dtype });
  } else {
    const inputShape = shapeOps.shape(op.inputs[0]);
    const outputShape = shapeOps.shape(op.outputs[0]);
    factor = safeShapeDiv(m.reduceProd(inputShape), m.reduceProd(outputShape));
  }
  return [m.truediv(sum, m.cast(factor, sum.dtype)), null];
});

/** _MinOrMaxGrad: the gradient goes to the selected elements, split evenly between ties. */
function minOrMaxGrad(op: Operation, grads: Grad[]): Grad[] {
  let grad = grads[0]!;
  const inputShape = shapeOps.shape(op.inputs[0]);
  const okd = reducedShape(inputShape, op.inputs[1]);
  const y = shapeOps.reshape(op.outputs[0], okd);
  grad = shapeOps.reshape(grad, okd);
  const indicators = m.cast(m.equal(y, op.inputs[0]), grad.dtype);
  const numSelected = shapeOps.reshape(m.reduceSum(indicators, { axis: op.inputs[1] }), okd);
  return [m.divide(indicators, numSelected).mul(grad), null];
}
registerGradient('Max', minOrMaxGrad);
registerGradient('Min', minOrMaxGrad);

/** setdiff1d(x, y)[0] for 1-D int32 x, y (ListDiff, or a Where-based equivalent). */
function setdiff1d(x: Tensor, y: Tensor): Tensor {
  if (hasOpDef('ListDiff')) return applyOp('ListDiff', [x, y], { out_idx: 'int32' }).outputs[0];
  const inY = m.reduceAny(m.equal(shapeOps.reshape(x, [-1, 1]), shapeOps.reshape(y, [1, -1])), { axis: 1 });
  const keep = shapeOps.reshape(a.where(m.logicalNot(inY)), [-1]);
  return sliceOps.gather(x, keep);
}

registerGradient('Prod', (op, grads) => {
  // Product of all the other entries as an exclusive cumprod from the left times one from the
  // right, over the reduced dimensions packed into one (no division: zeros are fine).
  let grad = grads[0]!;
  const inputShape = shapeOps.shape(op.inputs[0]);
  let reductionIndices = shapeOps.reshape(op.inputs[1], [-1]);
  const okd = reducedShape(inputShape, op.inputs[1]);
  const tileScaling = safeShapeDiv(inputShape, okd);
  grad = shapeOps.reshape(grad, okd);
  grad = a.tile(grad, tileScaling);

  const [perm, reducedNum, otherNum] = device('/cpu:0', () => {
    const rank = shapeOps.rank(op.inputs[0]);
    reductionIndices = reductionIndices.add(rank).mod(rank);
    const reduced = m.cast(reductionIndices, 'int32');
    const idx = a.range(0, rank);
    const other = setdiff1d(idx, reduced);
    const p = a.concat([reduced, other], 0);
    const rn = m.reduceProd(sliceOps.gather(inputShape, reduced));
    const on = m.reduceProd(sliceOps.gather(inputShape, other));
    return [p, rn, on];
  });
  const permuted = a.transpose(op.inputs[0], perm);
  const permutedShape = shapeOps.shape(permuted);
  const reshaped = shapeOps.reshape(permuted, [reducedNum, otherNum]);

  const left = m.cumprod(reshaped, { axis: 0, exclusive: true });
  const right = m.cumprod(reshaped, { axis: 0, exclusive: true, reverse: true });
  const y = shapeOps.reshape(conj(left).mul(conj(right)), permutedShape);

  const out = grad.mul(a.transpose(y, a.invertPermutation(perm)));
  return [shapeOps.reshape(out, inputShape), null];
});

// =====================================================================================
// Element-wise unary
// =====================================================================================

const inputOf = (op: Operation, i = 0) => op.inputs[i];
const withGrad = <T>(grad: Tensor, fn: () => T): T => controlDependencies([grad], fn);

registerGradient('Abs', (op, [grad]) => [grad!.mul(m.sign(op.inputs[0]))]);

registerGradient('Neg', (_op, [grad]) => [m.negative(grad!)]);

registerGradient('Reciprocal', (op, [grad]) => {
  const y = op.outputs[0];  // y = 1 / x
  if (hasOpDef('ReciprocalGrad')) return [applyOp1('ReciprocalGrad', [y, grad!])];
  return [withGrad(grad!, () => m.negative(grad!).mul(m.square(y)))];
});

registerGradient('Square', (op, [grad]) => withGrad(grad!, () => {
  const x = conj(inputOf(op));
  const two = constant(2.0, { dtype: x.dtype });
  return [m.multiply(grad!, m.multiply(x, two))];
}));

registerGradient('Sqrt', (op, [grad]) => {
  const y = op.outputs[0];  // y = x^(1/2)
  if (hasOpDef('SqrtGrad')) return [applyOp1('SqrtGrad', [y, grad!])];
  return [withGrad(grad!, () => grad!.mul(0.5).div(y))];
});

registerGradient('Rsqrt', (op, [grad]) => {
  const y = op.outputs[0];  // y = x^(-1/2)
  if (hasOpDef('RsqrtGrad')) return [applyOp1('RsqrtGrad', [y, grad!])];
  return [withGrad(grad!, () => grad!.mul(-0.5).mul(y.mul(y).mul(y)))];
});

registerGradient('Exp', (op, [grad]) => withGrad(grad!, () => [grad!.mul(conj(op.outputs[0]))]));

registerGradient('Expm1', (op, [grad]) => withGrad(grad!, () => {
  const y = m.exp(conj(inputOf(op)));
  return [grad!.mul(y)];
}));

registerGradient('Log', (op, [grad]) => withGrad(grad!, () => [grad!.mul(m.reciprocal(conj(inputOf(op))))]));

registerGradient('Log1p', (op, [grad]) => withGrad(grad!, () => [grad!.mul(m.reciprocal(rop('add', 1, conj(inputOf(op)))))]));

registerGradient('Sinh', (op, [grad]) => withGrad(grad!, () => [grad!.mul(m.cosh(conj(inputOf(op))))]));

registerGradient('Cosh', (op, [grad]) => withGrad(grad!, () => [grad!.mul(m.sinh(conj(inputOf(op))))]));

registerGradient('Tanh', (op, [grad]) => withGrad(grad!, () => {
  const y = conj(op.outputs[0]);  // y = tanh(x)
  if (hasOpDef('TanhGrad')) return [applyOp1('TanhGrad', [y, grad!])];
  return [grad!.mul(rop('sub', 1, y.mul(y)))];
}));

registerGradient('Asinh', (op, [grad]) => withGrad(grad!, () => [grad!.div(m.cosh(conj(op.outputs[0])))]));

registerGradient('Acosh', (op, [grad]) => withGrad(grad!, () => [grad!.div(m.sinh(conj(op.outputs[0])))]));

registerGradient('Atanh', (op, [grad]) => withGrad(grad!, () => {
  const x2 = m.square(conj(inputOf(op)));
  const one = constant(1, { dtype: grad!.dtype });
  const inv = m.reciprocal(m.subtract(one, x2));
  return [grad!.mul(inv)];
}));

/** Erf / Erfc: grad * (+-2/sqrt(pi)) * exp(-x^2). */
function erfGrad(sign: number) {
  return (op: Operation, [grad]: Grad[]) => {
    const c = constant(sign * 2 / Math.sqrt(Math.PI), { dtype: grad!.dtype });
    return withGrad(grad!, () => {
      const x = conj(inputOf(op));
      return [grad!.mul(c).mul(m.exp(m.negative(m.square(x))))];
    });
  };
}
registerGradient('Erf', erfGrad(1));
registerGradient('Erfc', erfGrad(-1));

registerGradient('Lgamma', (op, [grad]) => withGrad(grad!, () => [grad!.mul(m.digamma(conj(inputOf(op))))]));

registerGradient('Digamma', (op, [grad]) => {
  if (!hasOpDef('Polygamma')) {
    throw new NotFoundError(undefined, op,
      `No gradient defined for operation '${op.name}' (op type: Digamma): it needs the Polygamma op, which is not registered`);
  }
  return withGrad(grad!, () => {
    const x = conj(inputOf(op));
    const partial = applyOp1('Polygamma', [constant(1, { dtype: x.dtype }), x]);
    return [grad!.mul(partial)];
  });
});

registerGradient('Sigmoid', (op, [grad]) => withGrad(grad!, () => {
  const y = conj(op.outputs[0]);  // y = sigmoid(x)
  if (hasOpDef('SigmoidGrad')) return [applyOp1('SigmoidGrad', [y, grad!])];
  return [grad!.mul(y).mul(rop('sub', 1, y))];
}));

registerGradient('Sign', (op) => {
  const x = inputOf(op);
  return [a.zeros(shapeOps.shape(x), x.dtype)];
});

registerGradient('Sin', (op, [grad]) => withGrad(grad!, () => [grad!.mul(m.cos(conj(inputOf(op))))]));

registerGradient('Cos', (op, [grad]) => withGrad(grad!, () => {
  const x = conj(inputOf(op));
  return [m.negative(grad!).mul(m.sin(x))];
}));

registerGradient('Tan', (op, [grad]) => withGrad(grad!, () => {
  const secx = m.reciprocal(m.cos(conj(inputOf(op))));
  const secx2 = m.square(secx);
  return [secx2.mul(grad!)];
}));

/** Asin / Acos: +-grad / sqrt(1 - x^2). */
function asinGrad(negate: boolean) {
  return (op: Operation, [grad]: Grad[]) => withGrad(grad!, () => {
    const x2 = m.square(conj(inputOf(op)));
    const one = constant(1, { dtype: grad!.dtype });
    const den = m.sqrt(m.subtract(one, x2));
    const inv = m.reciprocal(den);
    return [(negate ? m.negative(grad!) : grad!).mul(inv)];
  });
}
registerGradient('Asin', asinGrad(false));
registerGradient('Acos', asinGrad(true));

registerGradient('Atan', (op, [grad]) => withGrad(grad!, () => {
  const x2 = m.square(conj(inputOf(op)));
  const one = constant(1, { dtype: grad!.dtype });
  const inv = m.reciprocal(applyOp1('Add', [one, x2]));  // math_ops.add is gen_math_ops.add
  return [grad!.mul(inv)];
}));

// Piecewise constant: no gradient (TF registers functions returning None).
for (const type of ['Floor', 'Ceil', 'Round']) registerGradient(type, () => [null]);

// =====================================================================================
// Element-wise binary
// =====================================================================================

registerGradient('AddN', (op, [grad]) => op.inputs.map(() => grad));

function addGrad(op: Operation, [g]: Grad[]): Grad[] {
  const grad = g!;
  const [x, y] = op.inputs;
  if (shapesFullySpecifiedAndEqual(x, y, grad)) return [grad, grad];
  const [bx, by] = smartBroadcastGradientArgs(x, y, grad);
  const gx = bx.mustReduce ? sumToShape(grad, bx.reduce, bx.shape) : grad;
  const gy = by.mustReduce ? sumToShape(grad, by.reduce, by.shape) : grad;
  return [gx, gy];
}
registerGradient('Add', addGrad);
registerGradient('AddV2', addGrad);

registerGradient('Sub', (op, [g]) => {
  const grad = g!;
  const [x, y] = op.inputs;
  if (shapesFullySpecifiedAndEqual(x, y, grad)) return [grad, m.negative(grad)];
  const [bx, by] = smartBroadcastGradientArgs(x, y, grad);
  const gx = bx.mustReduce ? sumToShape(grad, bx.reduce, bx.shape) : grad;
  const gy = by.mustReduce ? sumToShape(m.negative(grad), by.reduce, by.shape) : m.negative(grad);
  return [gx, gy];
});

registerGradient('Mul', (op, [g]) => {
  const grad = g!;
  let [x, y] = op.inputs;
  if (shapesFullySpecifiedAndEqual(x, y, grad) && (grad.dtype === 'int32' || grad.dtype === 'float32')) {
    return [m.multiply(grad, y), m.multiply(grad, x)];
  }
  const [bx, by] = smartBroadcastGradientArgs(x, y, grad);
  x = conj(x);
  y = conj(y);
  const gx = bx.mustReduce ? sumToShape(m.multiply(grad, y), bx.reduce, bx.shape) : m.multiply(grad, y);
  const gy = by.mustReduce ? sumToShape(m.multiply(x, grad), by.reduce, by.shape) : m.multiply(x, grad);
  return [gx, gy];
});

/** Div / RealDiv / DivNoNan: grad / y and grad * (-x / y / y), summed to each input's shape. */
function divGrad(div: (p: Tensor, q: Tensor) => Tensor) {
  return (op: Operation, [g]: Grad[]): Grad[] => {
    const grad = g!;
    let [x, y] = op.inputs;
    const [sx, sy, rx, ry] = shapesAndReduceIndices(x, y);
    x = conj(x);
    y = conj(y);
    const gx = sumToShape(div(grad, y), rx, sx);
    const gy = sumToShape(grad.mul(div(div(m.negative(x), y), y)), ry, sy);
    return [gx, gy];
  };
}
registerGradient('Div', divGrad((p, q) => m.divide(p, q)));
registerGradient('RealDiv', divGrad((p, q) => m.realdiv(p, q)));
registerGradient('DivNoNan', divGrad((p, q) => m.divNoNan(p, q)));

registerGradient('FloorDiv', () => [null, null]);
registerGradient('TruncateDiv', () => [null, null]);

registerGradient('FloorMod', (op, [g]) => {
  const grad = g!;
  const x = conj(op.inputs[0]);
  const y = conj(op.inputs[1]);
  const [sx, sy, rx, ry] = shapesAndReduceIndices(x, y);
  const floorXY = applyOp1('FloorDiv', [x, y]);  // math_ops.floor_div
  const gx = sumToShape(grad, rx, sx);
  const gy = sumToShape(grad.mul(m.negative(floorXY)), ry, sy);
  return [gx, gy];
});

registerGradient('Pow', (op, [g]) => {
  const grad = g!;
  let [x, y] = op.inputs;
  const [bx, by] = smartBroadcastGradientArgs(x, y, grad);
  x = conj(x);
  y = conj(y);
  let gx = grad.mul(y).mul(m.pow(x, y.sub(1)));
  if (bx.mustReduce) gx = sumToShape(gx, bx.reduce, bx.shape);
  const z = conj(op.outputs[0]);
  // Avoid the false singularity at x = 0; for x < 0 there is no real log: 0.
  const mask = m.greater(x, 0);
  const safeX = a.where(mask, x, a.onesLike(x));
  const logX = a.where(mask, m.log(safeX), a.zerosLike(x));
  let gy = grad.mul(z).mul(logX);
  if (by.mustReduce) gy = sumToShape(gy, by.reduce, by.shape);
  return [gx, gy];
});

/** Maximum / Minimum: the gradient goes to x where selector(x, y), else to y. */
function maximumMinimumGrad(selector: (p: Tensor, q: Tensor) => Tensor) {
  return (op: Operation, [g]: Grad[]): Grad[] => {
    const grad = g!;
    const [x, y] = op.inputs;
    const sx = shapeOps.shape(x);
    const sy = shapeOps.shape(y);
    const gradShape = shapeOps.shape(grad);
    const zeros = a.zeros(gradShape, grad.dtype);
    const xmask = selector(x, y);
    const [rx, ry] = broadcastGradientArgs(sx, sy);
    const gx = sumToShape(a.where(xmask, grad, zeros), rx, sx);
    const gy = sumToShape(a.where(xmask, zeros, grad), ry, sy);
    return [gx, gy];
  };
}
registerGradient('Maximum', maximumMinimumGrad((p, q) => m.greaterEqual(p, q)));
registerGradient('Minimum', maximumMinimumGrad((p, q) => m.lessEqual(p, q)));

registerGradient('SquaredDifference', (op, [g]) => {
  const grad = g!;
  const [x, y] = op.inputs;
  const xGrad = withGrad(grad, () => {
    // math_ops.scalar_mul(2.0, grad): a Const "scalar" and a Mul.
    const scalar = convertToTensor(2.0, { dtype: grad.dtype, name: 'scalar' });
    return m.multiply(scalar, grad).mul(x.sub(y));
  });
  if (shapesFullySpecifiedAndEqual(x, y, grad)) return [xGrad, m.negative(xGrad)];
  const [bx, by] = smartBroadcastGradientArgs(x, y, grad);
  const gx = bx.mustReduce ? sumToShape(xGrad, bx.reduce, bx.shape) : xGrad;
  const gy = by.mustReduce ? m.negative(sumToShape(xGrad, by.reduce, by.shape)) : m.negative(xGrad);
  return [gx, gy];
});

registerGradient('Atan2', (op, [g]) => {
  const grad = g!;
  const [y, x] = op.inputs;
  const [gy, gx] = withGrad(grad, () => {
    const gradInv = grad.div(m.square(x).add(m.square(y)));
    return [x.mul(gradInv), m.negative(y).mul(gradInv)];
  });
  if (shapesFullySpecifiedAndEqual(y, x, grad)) return [gy, gx];
  // TF 1.15 leaves broadcast inputs' gradients unreduced (an error); sum them like Add's.
  const [by, bx] = smartBroadcastGradientArgs(y, x, grad);
  return [
    by.mustReduce ? sumToShape(gy, by.reduce, by.shape) : gy,
    bx.mustReduce ? sumToShape(gx, bx.reduce, bx.shape) : gx,
  ];
});

// =====================================================================================
// Casts, matrix products, scans, linear algebra
// =====================================================================================

const CAST_DIFFERENTIABLE: DType[] = [...FLOATING_DTYPES];

registerGradient('Cast', (op, [grad]) => {
  const src = op.inputs[0].dtype;
  if (grad && CAST_DIFFERENTIABLE.includes(src) && CAST_DIFFERENTIABLE.includes(grad.dtype)) return [m.cast(grad, src)];
  return [null];
});

registerGradient('MatMul', (op, [g]) => {
  const grad = g!;
  const ta = op.getAttr('transpose_a') as boolean;
  const tb = op.getAttr('transpose_b') as boolean;
  const x = conj(op.inputs[0]);
  const y = conj(op.inputs[1]);
  const mm = (p: Tensor, q: Tensor, transposeA = false, transposeB = false) =>
    applyOp1('MatMul', [p, q], { transpose_a: transposeA, transpose_b: transposeB });
  if (!ta && !tb) return [mm(grad, y, false, true), mm(x, grad, true, false)];
  if (!ta && tb) return [mm(grad, y), mm(grad, x, true, false)];
  if (ta && !tb) return [mm(y, grad, false, true), mm(x, grad)];
  return [mm(y, grad, true, true), mm(grad, x, true, true)];
});

/** The batch matmul gradients (math_ops.matmul with adjoints, as TF's _BatchMatMul). */
function batchMatMulGrads(op: Operation, grad: Tensor): [Tensor, Tensor] {
  const [x, y] = op.inputs;
  const adjX = op.getAttr('adj_x') as boolean;
  const adjY = op.getAttr('adj_y') as boolean;
  const mm = (p: Tensor, q: Tensor, adjointA: boolean, adjointB: boolean) => m.matmul(p, q, { adjointA, adjointB });
  if (!adjX) {
    if (!adjY) return [mm(grad, y, false, true), mm(x, grad, true, false)];
    return [mm(grad, y, false, false), mm(grad, x, true, false)];
  }
  if (!adjY) return [mm(y, grad, false, true), mm(x, grad, false, false)];
  return [mm(y, grad, true, true), mm(grad, x, true, true)];
}

registerGradient('BatchMatMul', (op, [grad]) => batchMatMulGrads(op, grad!));

/** `s[:-2]` on a 1-D tensor (TF1's _slice_helper: scope "strided_slice", Consts "stack*"). */
function dropLastTwo(s: Tensor): Tensor {
  return nameScope('strided_slice', { values: [s] }, (scope) => {
    const begin = constant([0], { dtype: 'int32', name: 'stack' });
    const end = constant([-2], { dtype: 'int32', name: 'stack_1' });
    const strides = constant([1], { dtype: 'int32', name: 'stack_2' });
    return applyOp1('StridedSlice', [s, begin, end, strides], { begin_mask: 1 }, scope);
  });
}

registerGradient('BatchMatMulV2', (op, [grad]) => {
  let [gx, gy] = batchMatMulGrads(op, grad!);
  const [x, y] = op.inputs;
  const xs = x.shape;
  const ys = y.shape;
  // Sum over the batch dimensions that were broadcast.
  if (!(xs.isFullyDefined() && ys.isFullyDefined() && tupleEq(xs.dims, ys.dims))) {
    const sx = shapeOps.shape(x);
    const sy = shapeOps.shape(y);
    const [rx, ry] = broadcastGradientArgs(dropLastTwo(sx), dropLastTwo(sy));
    gx = sumToShape(gx, rx, sx);
    gy = sumToShape(gy, ry, sy);
  }
  return [gx, gy];
});

registerGradient('Cumsum', (op, [grad]) => [
  m.cumsum(grad!, { axis: op.inputs[1], exclusive: op.getAttr('exclusive') as boolean, reverse: !(op.getAttr('reverse') as boolean) }),
  null,
]);

registerGradient('Cumprod', (op, [grad]) => {
  const [x, axis] = op.inputs;
  const exclusive = op.getAttr('exclusive') as boolean;
  const reverse = op.getAttr('reverse') as boolean;
  // As TF: divides by x, so not defined where x has zeros.
  const prod = m.cumprod(x, { axis, exclusive, reverse });
  const out = m.cumsum(prod.mul(grad!), { axis, exclusive, reverse: !reverse });
  return [out.div(x), null];
});

registerGradient('MatrixInverse', (op, [grad]) => {
  const ainv = op.outputs[0];
  if (op.getAttr('adjoint') as boolean) {
    // Y = inv(A^T): dA = -Y dY^T Y. (TF 1.15's _MatrixInverseGrad ignores `adjoint` and
    // returns the transpose of this.)
    return [m.negative(m.matmul(ainv, m.matmul(grad!, ainv, { adjointA: true })))];
  }
  // linalg_grad's _MatrixInverseGrad: -Y^T dY Y^T.
  return [m.negative(m.matmul(ainv, m.matmul(grad!, ainv, { adjointB: true }), { adjointA: true }))];
});

// ---------- Not differentiable (TF1's math_grad.py / math_ops.py NotDifferentiable) ----------

for (const type of [
  'ArgMax', 'ArgMin', 'All', 'Any', 'Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual',
  'LogicalAnd', 'LogicalOr', 'LogicalNot', 'IsFinite', 'IsInf', 'IsNan',
]) {
  registerGradient(type, null);
}
