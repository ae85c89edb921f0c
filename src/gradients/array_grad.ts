// Gradients of the array ops (TF1's python/ops/array_grad.py, plus Select and
// UnsortedSegmentSum from math_grad.py). The helper ops they build (InvertPermutation,
// ConcatOffset, ShapeN, StridedSliceGrad, UnsortedSegmentSum, MirrorPadGrad) are registered
// with the other ops of their TF module in src/ops/. Each gradient builds the same ops as TF1, so node
// names under "gradients/<op>_grad/" match. One difference: TF1's GatherV2 gradient along
// axis 0 is an IndexedSlices; here it is made dense right away, exactly as TF1 densifies it
// (UnsortedSegmentSum(values, indices, dense_shape[0])).
import { constantValue } from '../framework/constant_value.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { applyOp1, type TensorLike } from '../framework/op_builder.js';
import { registerGradient } from '../framework/gradient_registry.js';
import type { Operation } from '../framework/operation.js';
import { colocateWith, nameScope } from '../framework/scopes.js';
import { Tensor } from '../framework/tensor.js';
import { checkNumerics, concat, onesLike, ones, range, split, stack, tile, transpose, unstack, where, zeros, zerosLike } from '../ops/array_ops.js';
import { expandDims, rank, reshape, shape, size, squeeze } from '../ops/shape_ops.js';
import { gather, slice, stridedSlice } from '../ops/slice_ops.js';
import { pad } from '../ops/pad_ops.js';
import { cast, greaterEqual, logicalAnd, maximum, reduceProd, reduceSum } from '../ops/math_ops.js';
import { STRIDED_SLICE_MASK_ATTRS } from '../ops/strided_slice_masks.js';
import { concatOffset, invertPermutation } from '../ops/array_ops.js';
import { shapeN } from '../ops/shape_ops.js';
import { mirrorPadGrad } from '../ops/pad_ops.js';
import { unsortedSegmentSum } from '../ops/math_ops.js';
import '../ops/tensor_methods.js';

type Grads = (Tensor | undefined)[];
type InGrads = (Tensor | undefined | null)[];

function err(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
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

function sliceMaskAttrs(op: Operation): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(STRIDED_SLICE_MASK_ATTRS)) out[k] = op.getAttr(k) as number;
  return out;
}

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
