// Gradients of the array ops (TF1's python/ops/array_grad.py, plus Select and
// UnsortedSegmentSum from math_grad.py), and the helper ops those gradients build that
// array_ops.ts does not define: InvertPermutation, ConcatOffset, ShapeN, StridedSliceGrad,
// UnsortedSegmentSum and MirrorPadGrad. Each gradient builds the same ops as TF1, so node
// names under "gradients/<op>_grad/" match. One difference: TF1's GatherV2 gradient along
// axis 0 is an IndexedSlices; here it is made dense right away, exactly as TF1 densifies it
// (UnsortedSegmentSum(values, indices, dense_shape[0])).
import { withRank } from '../framework/common_shapes.js';
import { constantInts, constantValue, constantValueAsShape, registerConstantFolder } from '../framework/constant_value.js';
import { type DType, NUMERIC_DTYPES } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { NDArray } from '../framework/ndarray.js';
import { applyOp, applyOp1, type TensorLike } from '../framework/op_builder.js';
import { registerGradient } from '../framework/gradient_registry.js';
import { hasOpDef, type OpDef, registerOp } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import { colocateWith, nameScope } from '../framework/scopes.js';
import { Tensor } from '../framework/tensor.js';
import { type Dim, TensorShape } from '../framework/tensor_shape.js';
import {
  checkNumerics, concat, expandDims, gather, onesLike, ones, pad, range, rank, reshape, shape, size, slice, split,
  squeeze, stack, stridedSlice, tile, transpose, unstack, where, zeros, zerosLike,
} from '../ops/array_ops.js';
import { cast, greaterEqual, logicalAnd, maximum, reduceProd, reduceSum } from '../ops/math_ops.js';
import { STRIDED_SLICE_MASK_ATTRS, type StridedSliceMaskOptions, stridedSliceMaskAttrs } from '../ops/strided_slice_masks.js';
import '../ops/tensor_methods.js';

type Grads = (Tensor | undefined)[];
type InGrads = (Tensor | undefined | null)[];

const INDEX_TYPES: DType[] = ['int32', 'int64'];

function err(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

function ensureOp(def: OpDef): void {
  if (!hasOpDef(def.type)) registerOp(def);
}

// =====================================================================================
// Helper ops (TF1's gen_array_ops / gen_math_ops ops the gradients need)
// =====================================================================================

ensureOp({
  type: 'InvertPermutation',
  inputs: [{ name: 'x', typeAttr: 'T' }],
  outputs: [{ name: 'y', typeAttr: 'T' }],
  attrs: { T: { kind: 'type', default: 'int32', allowed: INDEX_TYPES } },
  shape: (op) => [withRank(op.inputs[0].shape, 1)],
});
registerConstantFolder('InvertPermutation', (t) => {
  const p = constantInts(t.op.inputs[0]);
  if (!p) return undefined;
  const inv = new Array<number>(p.length).fill(-1);
  for (let i = 0; i < p.length; i++) {
    if (p[i] < 0 || p[i] >= p.length || inv[p[i]] !== -1) return undefined;
    inv[p[i]] = i;
  }
  return NDArray.from(inv, t.dtype);
});

/** tf.invertPermutation(x): y[x[i]] = i (node "InvertPermutation"). */
export function invertPermutation(x: TensorLike, options: { name?: string } = {}): Tensor {
  return applyOp1('InvertPermutation', [x], {}, options.name);
}

ensureOp({
  type: 'ConcatOffset',
  inputs: [{ name: 'concat_dim', type: 'int32' }, { name: 'shape', type: 'int32', numberAttr: 'N' }],
  outputs: [{ name: 'offset', type: 'int32', numberAttr: 'N' }],
  attrs: { N: { kind: 'int' } },
  shape: (op) => {
    if (op.inputs.length - 1 < 2) throw err(`Attr 'N' of ${op.inputs.length - 1} must be at least minimum 2`);
    return op.inputs.slice(1).map((t) => t.shape);
  },
});
registerConstantFolder('ConcatOffset', (t) => {
  const dim = constantInts(t.op.inputs[0]);
  const shapes = t.op.inputs.slice(1).map(constantInts);
  if (!dim || shapes.some((s) => !s)) return undefined;
  const dims = shapes[0]!.length;
  const axis = dim[0] < 0 ? dim[0] + dims : dim[0];
  if (axis < 0 || axis >= dims) return undefined;
  let offset = 0;
  for (let i = 0; i < t.valueIndex; i++) offset += shapes[i]![axis];
  return NDArray.from(Array.from({ length: dims }, (_, j) => (j === axis ? offset : 0)), 'int32');
});

/** gen_array_ops.concat_offset: where each of `shapes` starts in their concatenation along concatDim. */
export function concatOffset(concatDim: TensorLike, shapes: readonly TensorLike[], options: { name?: string } = {}): Tensor[] {
  return [...applyOp('ConcatOffset', [concatDim, shapes], {}, options.name).outputs];
}

ensureOp({
  type: 'ShapeN',
  inputs: [{ name: 'input', typeAttr: 'T', numberAttr: 'N' }],
  outputs: [{ name: 'output', typeAttr: 'out_type', numberAttr: 'N' }],
  attrs: { N: { kind: 'int' }, T: { kind: 'type' }, out_type: { kind: 'type', default: 'int32', allowed: INDEX_TYPES } },
  shape: (op) => op.inputs.map((t) => [t.shape.rank ?? null]),
});
registerConstantFolder('ShapeN', (t) => {
  const s = t.op.inputs[t.valueIndex].shape;
  return s.isFullyDefined() ? NDArray.from(s.dims as number[], t.dtype) : undefined;
});

/** tf.shapeN(inputs, {outType}): the dynamic shapes of several tensors, one op (node "ShapeN"). */
export function shapeN(inputs: readonly TensorLike[], options: { outType?: DType; name?: string } = {}): Tensor[] {
  return [...applyOp('ShapeN', [inputs], { out_type: options.outType ?? 'int32' }, options.name).outputs];
}

ensureOp({
  type: 'StridedSliceGrad',
  inputs: [
    { name: 'shape', typeAttr: 'Index' }, { name: 'begin', typeAttr: 'Index' }, { name: 'end', typeAttr: 'Index' },
    { name: 'strides', typeAttr: 'Index' }, { name: 'dy', typeAttr: 'T' },
  ],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' }, Index: { kind: 'type', allowed: INDEX_TYPES }, ...STRIDED_SLICE_MASK_ATTRS },
  shape: (op) => {
    withRank(op.inputs[0].shape, 1);
    return [constantValueAsShape(op.inputs[0])];
  },
});

function sliceMaskAttrs(op: Operation): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(STRIDED_SLICE_MASK_ATTRS)) out[k] = op.getAttr(k) as number;
  return out;
}

export interface StridedSliceGradOptions extends StridedSliceMaskOptions {
  name?: string;
}

/** gen_array_ops.strided_slice_grad: dy scattered into zeros of `shape` where StridedSlice read. */
export function stridedSliceGrad(shapeT: TensorLike, begin: TensorLike, end: TensorLike, strides: TensorLike, dy: TensorLike,
                                 options: StridedSliceGradOptions = {}): Tensor {
  return applyOp1('StridedSliceGrad', [shapeT, begin, end, strides, dy], stridedSliceMaskAttrs(options), options.name);
}

ensureOp({
  type: 'UnsortedSegmentSum',
  inputs: [{ name: 'data', typeAttr: 'T' }, { name: 'segment_ids', typeAttr: 'Tindices' }, { name: 'num_segments', typeAttr: 'Tnumsegments' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: {
    T: { kind: 'type', allowed: NUMERIC_DTYPES },
    Tindices: { kind: 'type', allowed: INDEX_TYPES },
    Tnumsegments: { kind: 'type', default: 'int32', allowed: INDEX_TYPES },
  },
  // TF's UnsortedSegmentReductionShapeFn.
  shape: (op) => {
    const [data, ids, num] = op.inputs;
    withRank(num.shape, 0);
    if (ids.shape.dims === null) return [TensorShape.unknown()];
    const r = ids.shape.dims.length;
    if (data.shape.dims !== null) {
      if (data.shape.dims.length < r) throw err(`Shape must be at least rank ${r} but is rank ${data.shape.dims.length}`);
      ids.shape.dims.forEach((d, i) => {
        const e = data.shape.dims![i];
        if (d !== null && e !== null && d !== e) {
          throw err(`Dimension ${i} in both shapes must be equal, but are ${e} and ${d}. Shapes are ${data.shape.toShortString()} and ${ids.shape.toShortString()}.`);
        }
      });
    }
    const v = constantValue(num);
    let n: Dim = null;
    if (v) {
      n = Number(v.flatGet(0));
      if (n < 0) throw err(`Dimension size, given by scalar input 2, must be non-negative but is ${n}`);
    }
    if (data.shape.dims === null) return [TensorShape.unknown()];
    return [[n, ...data.shape.dims.slice(r)]];
  },
});

/** tf.unsortedSegmentSum(data, segmentIds, numSegments): sums of data rows by segment id (negative ids dropped). */
export function unsortedSegmentSum(data: TensorLike, segmentIds: TensorLike, numSegments: TensorLike, options: { name?: string } = {}): Tensor {
  return applyOp1('UnsortedSegmentSum', [data, segmentIds, numSegments], {}, options.name);
}

ensureOp({
  type: 'MirrorPadGrad',
  inputs: [{ name: 'input', typeAttr: 'T' }, { name: 'paddings', typeAttr: 'Tpaddings' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' }, Tpaddings: { kind: 'type', default: 'int32', allowed: INDEX_TYPES }, mode: { kind: 'string' } },
  shape: (op) => {
    const [input, paddingsT] = op.inputs;
    const p = withRank(paddingsT.shape, 2);
    const n = p.dim(0);
    if (n === null) return [TensorShape.unknown()];
    const s = withRank(input.shape, n);
    const cols = p.dim(1);
    if (cols !== null && cols !== 2) throw err(`Dimension 1 in both shapes must be equal, but are ${cols} and 2.`);
    const pads = constantInts(paddingsT);
    if (!pads) return [TensorShape.unknownOfRank(n)];
    return [Array.from({ length: n }, (_, i) => {
      const [a, b] = [pads[2 * i], pads[2 * i + 1]];
      if (a < 0 || b < 0) throw err('Paddings must be non-negative');
      const d = s.dim(i);
      if (d === null) return null;
      if (d < a + b) throw err(`Negative dimension size caused by subtracting ${a + b} from ${d}`);
      return d - a - b;
    })];
  },
});

/** gen_array_ops.mirror_pad_grad: folds the mirrored borders of `input` back onto the interior. */
export function mirrorPadGrad(input: TensorLike, paddings: TensorLike, mode: string, options: { name?: string } = {}): Tensor {
  return applyOp1('MirrorPadGrad', [input, paddings], { mode }, options.name);
}

// =====================================================================================
// Python-like helpers
// =====================================================================================

type Index = { index: TensorLike } | { start?: TensorLike; stop?: TensorLike };

/** TF1's Tensor.__getitem__ (_slice_helper) for plain indices and step-1 slices. */
function getItem(t: Tensor, specs: readonly Index[]): Tensor {
  const begin: TensorLike[] = [];
  const end: TensorLike[] = [];
  const strides: TensorLike[] = [];
  let beginMask = 0;
  let endMask = 0;
  let shrinkMask = 0;
  specs.forEach((s, i) => {
    if ('index' in s) {
      begin.push(s.index);
      end.push(s.index instanceof Tensor ? s.index.add(1) : (s.index as number) + 1);
      shrinkMask |= 1 << i;
    } else {
      if (s.start === undefined) {
        begin.push(0);
        beginMask |= 1 << i;
      } else {
        begin.push(s.start);
      }
      if (s.stop === undefined) {
        end.push(0);
        endMask |= 1 << i;
      } else {
        end.push(s.stop);
      }
    }
    strides.push(1);
  });
  return nameScope(null, { defaultName: 'strided_slice', values: [t] }, (scope) => {
    const b = stack(begin);
    const e = stack(end);
    const st = stack(strides);
    return stridedSlice(t, b, e, st, { beginMask, endMask, shrinkAxisMask: shrinkMask, name: scope });
  });
}

/**
 * array_ops.concat(values, axis) where some values are JS lists holding tensors: TF1 packs
 * each such list inside the op's scope as "values_<i>" (convert_n_to_tensor's autopacking).
 */
function concatPacked(values: readonly (TensorLike | readonly TensorLike[])[], axis: TensorLike, name = 'concat'): Tensor {
  return nameScope(name, { values: values.flat() }, (scope) => {
    const ts = values.map((v, i) => (Array.isArray(v) && v.some((e) => e instanceof Tensor) ? stack(v as TensorLike[], { name: `values_${i}` }) : v));
    return applyOp1('ConcatV2', [ts as TensorLike[], axis], {}, scope);
  });
}

/** Python's `x & y` on bool tensors (binary_op_wrapper "and"). */
function and(x: Tensor, y: Tensor): Tensor {
  return nameScope('and', { values: [x, y] }, (scope) => logicalAnd(x, y, { name: scope }));
}

/** Python's `x * y` on tensors (binary_op_wrapper "mul"). */
function mul(x: Tensor, y: TensorLike): Tensor {
  return x.mul(y);
}

// =====================================================================================
// Gradients
// =====================================================================================

function grad0(grads: Grads): Tensor {
  return grads[0] as Tensor;
}

// ---------- Pack / Unpack ----------

registerGradient('Pack', (op, grads) =>
  unstack(grad0(grads), { num: op.getAttr('N') as number, axis: op.getAttr('axis') as number }));

registerGradient('Unpack', (op, grads) => [stack(grads as Tensor[], { axis: op.getAttr('axis') as number })]);

// ---------- ConcatV2 ----------

/** TF1's _ExtractInputShapes: Const shapes when all are static, else one ShapeN. */
function extractInputShapes(inputs: readonly Tensor[]): Tensor[] {
  const sizes: Tensor[] = [];
  for (const x of inputs) {
    const s = shape(x);
    if (s.op.type !== 'Const') return shapeN(inputs);
    sizes.push(s);
  }
  return sizes;
}

/** TF1's _ConcatGradHelper for a dense gradient. */
function concatGradHelper(op: Operation, grad: Tensor, startValueIndex: number, endValueIndex: number, dimIndex: number): InGrads {
  const n = op.inputs.length;
  const norm = (i: number) => (i < 0 ? i + n : i);
  const valuesLast = norm(endValueIndex) <= norm(dimIndex);
  // Degenerate concatenation: the gradient is the incoming one.
  if (n === 2) return valuesLast ? [grad, null] : [null, grad];
  const concatDim = op.inputs[norm(dimIndex)];
  const inputValues = op.inputs.slice(startValueIndex, norm(endValueIndex));
  // concat_dim was checked at construction to be in [-rank, rank): mod makes it non-negative.
  const nonNegConcatDim = concatDim.mod(rank(inputValues[0]));
  let sizes = extractInputShapes(inputValues);
  const outGrads: Tensor[] = [];
  if (sizes.length > 16) {
    // The size of each input along the concat dimension, then one split.
    const stacked = squeeze(slice(stack(sizes, { axis: 1 }), [nonNegConcatDim, 0], [1, -1]));
    outGrads.push(...split(grad, stacked, { axis: nonNegConcatDim, num: sizes.length }));
    sizes = [];
  } else {
    const offsets = concatOffset(nonNegConcatDim, sizes);
    offsets.forEach((begin, i) => outGrads.push(slice(grad, begin, sizes[i])));
  }
  return valuesLast ? [...outGrads, null] : [null, ...outGrads];
}

registerGradient('ConcatV2', (op, grads) => concatGradHelper(op, grad0(grads), 0, -1, -1));

// ---------- Slice, StridedSlice ----------

registerGradient('Slice', (op, grads) => {
  const grad = grad0(grads);
  const [inputVec, beginVec] = op.inputs;
  const inputRank = rank(inputVec);
  const sliceSize = shape(op.outputs[0], { outType: beginVec.dtype });
  const shape2 = stack([inputRank, 1]);
  const beforePad = reshape(beginVec, shape2);
  const afterPad = reshape(shape(inputVec, { outType: beginVec.dtype }).sub(sliceSize).sub(beginVec), shape2);
  const paddings = concat([beforePad, afterPad], 1);
  return [pad(grad, paddings), null, null];
});

registerGradient('StridedSlice', (op, grads) => {
  const [input, begin, end, strides] = op.inputs;
  const x = shape(input, { outType: begin.dtype });
  const attrs = sliceMaskAttrs(op);
  const g = applyOp1('StridedSliceGrad', [x, begin, end, strides, grad0(grads)], attrs);
  return [g, null, null, null];
});

registerGradient('StridedSliceGrad', (op, grads) => {
  const [, begin, end, strides] = op.inputs;
  const m = sliceMaskAttrs(op);
  return [null, null, null, null, stridedSlice(grad0(grads), begin, end, strides, {
    beginMask: m.begin_mask, endMask: m.end_mask, ellipsisMask: m.ellipsis_mask,
    newAxisMask: m.new_axis_mask, shrinkAxisMask: m.shrink_axis_mask,
  })];
});

// ---------- Split, SplitV ----------

registerGradient('Split', (op, grads) => [null, concat(grads as Tensor[], op.inputs[0])]);

registerGradient('SplitV', (op, grads) => [concat(grads as Tensor[], op.inputs[2]), ...op.inputs.slice(1).map(() => null)]);

// ---------- Fill ----------

registerGradient('Fill', (_op, grads) => [null, reduceSum(grad0(grads))]);

// ---------- GatherV2 ----------

/** TF1's _GetBatchIndices: indices offset by their batch position in the flattened batch. */
function getBatchIndices(paramsShape: Tensor, indices: Tensor, batchDims: number): Tensor {
  let batchIndices = indices;
  const dtype = indices.dtype;
  const castedParamsShape = cast(paramsShape, dtype);
  let accumDimValue = ones([], dtype);
  for (let dim = batchDims; dim > 0; dim--) {
    const dimValue = getItem(castedParamsShape, [{ index: dim - 1 }]);
    accumDimValue = mul(accumDimValue, getItem(castedParamsShape, [{ index: dim }]));
    const start = zeros([], dtype);
    const step = ones([], dtype);
    let dimIndices = range(start, dimValue, step);
    dimIndices = mul(dimIndices, accumDimValue);
    const dimShape = concatPacked([tile([1], [dim - 1]), [dimValue], tile([1], [rank(indices).sub(dim)])], 0);
    batchIndices = batchIndices.add(reshape(dimIndices, dimShape));
  }
  return batchIndices;
}

/** TF1's _BatchGatherGrad, dense. */
function batchGatherGrad(paramsShape: Tensor, values: Tensor, indices: Tensor, batchDims: number, gatherDimSize: Tensor): Tensor {
  const indicesSize = expandDims(size(indices), 0);
  let outerShape: Tensor | undefined;
  let flatValuesShape: Tensor | undefined;
  if (batchDims) {
    const valuesShape = shape(values);
    outerShape = getItem(valuesShape, [{ stop: batchDims }]);
    const innerShape = getItem(getItem(valuesShape, [{ start: batchDims }]), [{ start: 1 }]);
    const batchSize = reduceProd(outerShape, { axis: [0] });
    flatValuesShape = concatPacked([[-1], innerShape], 0);
    gatherDimSize = mul(gatherDimSize, batchSize);
    indices = getBatchIndices(paramsShape, indices, batchDims);
    values = reshape(values, flatValuesShape);
  }
  indices = reshape(indices, indicesSize);
  let paramsGrad = unsortedSegmentSum(values, indices, gatherDimSize);
  if (batchDims) paramsGrad = reshape(paramsGrad, concat([outerShape!, flatValuesShape!], 0));
  return paramsGrad;
}

registerGradient('GatherV2', (op, grads) => {
  const grad = grad0(grads);
  const params = op.inputs[0];
  const paramsShape = colocateWith(params.op, () => cast(shape(params, { outType: 'int64' }), 'int32'));
  let indices = op.inputs[1];
  const indicesSize = expandDims(size(indices), 0);
  let axis = op.inputs[2];
  const axisStatic = constantValue(axis);
  let batchDims = op.getAttr('batch_dims') as number;
  if (batchDims < 0) {
    const r = indices.shape.rank;
    if (r === undefined) {
      throw err('Currently, it is unsupported to take the gradient of tf.gather when batch_dims < 0 and the rank of the indices is unknown.');
    }
    batchDims += r;
  }

  if (axisStatic && axisStatic.size === 1 && Number(axisStatic.flatGet(0)) === 0) {
    const paramsTailShape = getItem(paramsShape, [{ start: 1 }]);
    const valuesShape = concat([indicesSize, paramsTailShape], 0);
    const values = reshape(grad, valuesShape);
    indices = reshape(indices, indicesSize);
    // IndexedSlices(values, indices, params_shape) made dense (TF1's _IndexedSlicesToTensor).
    return [unsortedSegmentSum(values, indices, getItem(paramsShape, [{ index: 0 }])), null, null];
  }

  // Slicing the int32 params_shape needs an int32 axis (TF1 assumes one).
  if (axis.dtype !== 'int32') axis = cast(axis, 'int32');
  const outerShape = getItem(paramsShape, [{ stop: axis }]);
  const innerShape = getItem(getItem(paramsShape, [{ start: axis }]), [{ start: 1 }]);
  const valuesShape = concatPacked([outerShape, [-1], innerShape], 0);
  const valuesDims = size(valuesShape);
  const axisDims = size(outerShape);
  const outerBatchesIndices = range(batchDims);
  const batchAxisIndices = range(batchDims, axisDims);
  const innerAxesIndices = range(axisDims.add(1), valuesDims);
  const values = reshape(grad, valuesShape);
  // Move values[axis] up to values[batch_dims].
  const transposeDims = concatPacked([outerBatchesIndices, [axisDims], batchAxisIndices, innerAxesIndices], 0);
  const valuesTranspose = transpose(values, transposeDims);
  // (TF1.15 passes params_shape itself; later TF gathers it into the transposed order,
  // which only matters, and is only right, with batch dims.)
  const batchParamsShape = batchDims ? gather(paramsShape, transposeDims) : paramsShape;
  let paramsGrad = batchGatherGrad(batchParamsShape, valuesTranspose, indices, batchDims, getItem(paramsShape, [{ index: axis }]));
  // Move dimension batch_dims back to where the axis was.
  const invertTransposeDims = concatPacked([outerBatchesIndices, batchAxisIndices.add(1), [batchDims], innerAxesIndices], 0);
  paramsGrad = transpose(paramsGrad, invertTransposeDims);
  return [paramsGrad, null, null];
});

// ---------- UnsortedSegmentSum (math_grad.py) ----------

/** TF1's _GatherDropNegatives: gather rows by ids, with zeros where an id is negative. */
function gatherDropNegatives(params: Tensor, ids: Tensor): Tensor {
  const zeroClippedIndices = maximum(ids, zerosLike(ids));
  const gathered = gather(params, zeroClippedIndices);
  let isPositive = greaterEqual(ids, 0);
  const [gr, pr] = [gathered.shape.rank, isPositive.shape.rank];
  if (gr === undefined || pr === undefined) {
    throw err('UnsortedSegmentSum gradient needs the static ranks of the gradient and of segment_ids (TF1 _GatherDropNegatives)');
  }
  for (let i = 0; i < gr - pr; i++) isPositive = expandDims(isPositive, -1);
  isPositive = and(isPositive, onesLike(gathered, { dtype: 'bool' }));
  const zeroSlice = zerosLike(gathered);
  return where(isPositive, gathered, zeroSlice);
}

registerGradient('UnsortedSegmentSum', (op, grads) => [gatherDropNegatives(grad0(grads), op.inputs[1]), null, null]);

// ---------- CheckNumerics, Identity, IdentityN ----------

registerGradient('CheckNumerics', (_op, grads) =>
  [checkNumerics(grad0(grads), 'Not a number (NaN) or infinity (Inf) values detected in gradient.')]);

registerGradient('Identity', (_op, grads) => [grads[0]]);
registerGradient('PlaceholderWithDefault', (_op, grads) => [grads[0]]);
registerGradient('RefIdentity', (_op, grads) => [grads[0]]);
registerGradient('IdentityN', (_op, grads) => [...grads]);

// ---------- Reshape, ExpandDims, Squeeze, Transpose ----------

/** TF1's _ReshapeToInput. */
function reshapeToInput(op: Operation, grad: Tensor): Tensor {
  return reshape(grad, shape(op.inputs[0]));
}

registerGradient('Reshape', (op, grads) => [reshapeToInput(op, grad0(grads)), null]);
registerGradient('ExpandDims', (op, grads) => [reshapeToInput(op, grad0(grads)), null]);
registerGradient('Squeeze', (op, grads) => [reshapeToInput(op, grad0(grads))]);

registerGradient('Transpose', (op, grads) => [transpose(grad0(grads), invertPermutation(op.inputs[1])), null]);

// ---------- Tile ----------

registerGradient('Tile', (op, grads) => {
  const [input, multiples] = op.inputs;
  const inputShape = shape(input, { outType: multiples.dtype });
  // Interleave multiples and input_shape into split_shape, reshape grad to it and sum the
  // even (tiled) dimensions: [20, 30, 40] x [2, 3, 4] -> [2, 20, 3, 30, 4, 40], axes [0, 2, 4].
  const splitShape = reshape(transpose(stack([multiples, inputShape])), [-1]);
  const axes = range(0, size(splitShape), 2);
  const inputGrad = reduceSum(reshape(grad0(grads), splitShape), { axis: axes });
  inputGrad.setShape(input.shape);
  return [inputGrad, null];
});

// ---------- Pad, PadV2, MirrorPad ----------

function padGrad(op: Operation, grads: Grads): InGrads {
  const [x, a] = op.inputs;
  // The before-paddings (first column of a, [rank(x), 1]) as a vector are where x starts.
  const padBefore = slice(a, [0, 0], stack([rank(x), 1]));
  const begin = reshape(padBefore, [-1]);
  const sizes = shape(x, { outType: begin.dtype });
  const xGrad = slice(grad0(grads), begin, sizes);
  return op.inputs.length === 3 ? [xGrad, null, null] : [xGrad, null];
}

registerGradient('Pad', padGrad);
registerGradient('PadV2', padGrad);

registerGradient('MirrorPad', (op, grads) => [mirrorPadGrad(grad0(grads), op.inputs[1], op.getAttr('mode') as string), null]);
registerGradient('MirrorPadGrad', (op, grads) =>
  [applyOp1('MirrorPad', [grad0(grads), op.inputs[1]], { mode: op.getAttr('mode') as string }), null]);

// ---------- Select (math_grad.py) ----------

registerGradient('Select', (op, grads) => {
  const grad = grad0(grads);
  const [c, x] = op.inputs;
  const zeros_ = zerosLike(x);
  return [null, where(c, grad, zeros_), where(c, zeros_, grad)];
});

// ---------- Not differentiable (TF1's ops.NotDifferentiable) ----------

for (const type of [
  'Const', 'Placeholder', 'Shape', 'ShapeN', 'Size', 'Rank', 'ZerosLike', 'OnesLike', 'StopGradient', 'OneHot', 'Where',
  'Range', 'LinSpace', 'InvertPermutation', 'ConcatOffset', 'BroadcastGradientArgs',
]) {
  registerGradient(type, null);
}
