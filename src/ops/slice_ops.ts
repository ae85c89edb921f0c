// Slice ops: Slice, StridedSlice (and its gradient op StridedSliceGrad), GatherV2. Op defs,
// shape functions (TF's ValidateStridedSliceOp) and constant folding follow TF1's
// array_ops.cc; the public functions follow TF1's array_ops.py.
import { constantInts, constantValue, constantValueAsShape } from '../framework/constant_value.js';
import { folder, iota, takeIndices } from '../framework/constant_folding.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { NDArray } from '../framework/ndarray.js';
import { applyOp1, type TensorLike } from '../framework/op_builder.js';
import { registerOp } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import { Tensor } from '../framework/tensor.js';
import { type Dim, TensorShape } from '../framework/tensor_shape.js';
import {
  mergeShapes, scalarValue, shapeOf, subDim, UNKNOWN, withRank, withRankAtLeast, withRankAtMost,
} from '../framework/common_shapes.js';
import { applyOpPacked, graphOfValues, INDEX_TYPES, isOptions, type NameOption } from './op_args.js';
import { STRIDED_SLICE_MASK_ATTRS, type StridedSliceMaskOptions, stridedSliceMaskAttrs } from './strided_slice_masks.js';

function err(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

import { onesLike } from './array_ops.js';

registerOp({
  type: 'Slice',
  inputs: [{ name: 'input', typeAttr: 'T' }, { name: 'begin', typeAttr: 'Index' }, { name: 'size', typeAttr: 'Index' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' }, Index: { kind: 'type', allowed: INDEX_TYPES } },
  shape: (op) => {
    const [input, beginT, sizeT] = op.inputs;
    const lens = mergeShapes(withRank(beginT.shape, 1), withRank(sizeT.shape, 1));
    const ndims = lens.dim(0);
    const s = ndims === null ? input.shape : withRank(input.shape, ndims);
    let begin = constantValueAsShape(beginT);
    const sizes = constantInts(sizeT);
    if (sizes) {
      begin = withRank(begin, sizes.length);
      return [sizes.map((size, i) => {
        if (size === -1) return subDim(s.dim(i), begin.dim(i));
        if (size < 0) throw err(`Out of bounds slicing on dimension ${i} of length ${s.dim(i) ?? -1}: sizes vector cannot be < -1, but was ${size}`);
        return size;
      })];
    }
    // Partly known sizes: a -1 entry reads as unknown.
    const partial = constantValueAsShape(sizeT);
    if (partial.dims !== null) {
      withRank(begin, partial.dims.length);
      return [partial];
    }
    return [s.dims === null ? UNKNOWN : TensorShape.unknownOfRank(s.dims.length)];
  },
});
folder('Slice', (t) => {
  const [v, b] = [constantValue(t.op.inputs[0]), constantInts(t.op.inputs[1])];
  if (!v || !b || !t.shape.isFullyDefined()) return undefined;
  const out = t.shape.dims as number[];
  if (b.some((x, i) => x < 0 || x + out[i] > v.shape[i])) return undefined;
  return takeIndices(v, out.map((n, i) => iota(n, b[i])), out);
});

/** tf.slice(input, begin, size): `size[i]` -1 takes the rest of dimension i (node "Slice"). */
export function slice(input: TensorLike, begin: TensorLike | readonly TensorLike[], size: TensorLike | readonly TensorLike[], options: NameOption = {}): Tensor {
  return applyOpPacked('Slice', [input, begin, size], {}, options.name);
}

interface SliceMasks {
  begin: number;
  end: number;
  ellipsis: number;
  newAxis: number;
  shrinkAxis: number;
}

interface DenseSlice {
  /** Output shape (null where unknown). */
  final: Dim[];
  /** Shape before new axes are added and shrunk axes dropped, one entry per input dim. */
  processing: Dim[];
  /** Canonical begin and stride per input dim (valid when begin/end are known). */
  begin: number[];
  strides: number[];
}

const NEW_AXIS = -1;
const SHRINK_AXIS = -2;

/**
 * TF's ValidateStridedSliceOp: expands the sparse spec (ellipsis, new axes, shrinks) into one
 * entry per input dimension, canonicalises the ranges and computes the result shape.
 */
function validateStridedSlice(input: readonly Dim[], begin: number[] | undefined, end: number[] | undefined,
                              strides: number[], masks: SliceMasks): DenseSlice {
  const n = strides.length;
  if ((begin && begin.length !== n) || (end && end.length !== n) || n >= 32) {
    throw err(`Expected begin, end, and strides to be 1D equal size tensors, but got shapes [${begin?.length ?? '?'}], [${end?.length ?? '?'}], and [${n}] instead.`);
  }
  let ellipsis = masks.ellipsis;
  if (ellipsis && (ellipsis & (ellipsis - 1)) !== 0) throw err('Multiple ellipses in slice spec not allowed');
  let sparseDims = n;
  let newAxesAfterEllipsis = 0;
  let seen = false;
  for (let i = 0; i < n; i++) {
    if (seen && (masks.newAxis & (1 << i))) newAxesAfterEllipsis++;
    if (ellipsis & (1 << i)) seen = true;
  }
  if (!seen) ellipsis |= 1 << sparseDims++; // an implicit trailing ellipsis

  // Dense spec: one entry per input dimension.
  const dims = input.length;
  const dBegin = new Array<number>(dims).fill(0);
  const dEnd = new Array<number>(dims).fill(0);
  const dStrides = new Array<number>(dims).fill(1);
  let beginMask = 0;
  let endMask = 0;
  let shrinkMask = 0;
  const gather: number[] = [];
  let full = 0;
  for (let i = 0; i < sparseDims; i++) {
    const bit = 1 << i;
    if (ellipsis & bit) {
      const next = Math.min(dims - (sparseDims - i) + 1 + newAxesAfterEllipsis, dims);
      for (; full < next; full++) {
        beginMask |= 1 << full;
        endMask |= 1 << full;
        gather.push(full);
      }
    } else if (masks.newAxis & bit) {
      gather.push(NEW_AXIS);
    } else {
      if (full === dims) throw err(`Index out of range using input dim ${full}; input has only ${dims} dims`);
      if (begin) dBegin[full] = begin[i];
      if (end) dEnd[full] = end[i];
      dStrides[full] = strides[i];
      if (masks.begin & bit) beginMask |= 1 << full;
      if (masks.end & bit) endMask |= 1 << full;
      if (masks.shrinkAxis & bit) {
        gather.push(SHRINK_AXIS);
        shrinkMask |= 1 << full;
      } else {
        gather.push(full);
      }
      full++;
    }
  }

  // Make the implicit ranges explicit, bounds-check, and size each dimension.
  const processing: Dim[] = [];
  for (let i = 0; i < dims; i++) {
    const stride = dStrides[i];
    const size = input[i];
    if (stride === 0) throw err(`strides[${i}] must be non-zero`);
    const shrink = (shrinkMask & (1 << i)) !== 0;
    if (size === null) {
      processing.push(shrink ? 1 : null);
      continue;
    }
    const masked = [(beginMask & (1 << i)) !== 0, (endMask & (1 << i)) !== 0];
    const valid = [stride > 0 ? 0 : -1, stride > 0 ? size : size - 1];
    const canonical = (x: number, c: 0 | 1) => {
      if (masked[c]) return stride > 0 ? valid[c] : valid[(c + 1) & 1];
      const fwd = x < 0 ? size + x : x;
      return Math.max(valid[0], Math.min(valid[1], fwd));
    };
    if (shrink && stride <= 0) throw err('only stride 1 allowed on non-range indexing.');
    let length: number | undefined;
    if (begin && end) {
      if (shrink) {
        const fwd = dBegin[i] < 0 ? size + dBegin[i] : dBegin[i];
        if (fwd < 0 || fwd >= size) throw err(`slice index ${dBegin[i]} of dimension ${i} out of bounds.`);
        dBegin[i] = fwd;
        dEnd[i] = fwd + 1;
      } else {
        dBegin[i] = canonical(dBegin[i], 0);
        dEnd[i] = canonical(dEnd[i], 1);
      }
      length = dEnd[i] - dBegin[i];
    } else if (shrink) {
      length = 1;
    } else if (masked[0] && masked[1]) {
      length = stride < 0 ? -size : size;
    }
    if (length === undefined) {
      processing.push(null);
    } else if (length === 0 || (length < 0) !== (stride < 0)) {
      processing.push(0);
    } else {
      processing.push(Math.trunc(length / stride) + (length % stride !== 0 ? 1 : 0));
    }
  }
  const final: Dim[] = [];
  for (const g of gather) {
    if (g >= 0) final.push(processing[g]);
    else if (g === NEW_AXIS) final.push(1);
  }
  return { final, processing, begin: dBegin, strides: dStrides };
}

function sliceMasks(op: Operation): SliceMasks {
  return {
    begin: op.getAttr('begin_mask') as number,
    end: op.getAttr('end_mask') as number,
    ellipsis: op.getAttr('ellipsis_mask') as number,
    newAxis: op.getAttr('new_axis_mask') as number,
    shrinkAxis: op.getAttr('shrink_axis_mask') as number,
  };
}

registerOp({
  type: 'StridedSlice',
  inputs: [
    { name: 'input', typeAttr: 'T' }, { name: 'begin', typeAttr: 'Index' },
    { name: 'end', typeAttr: 'Index' }, { name: 'strides', typeAttr: 'Index' },
  ],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: {
    T: { kind: 'type' },
    Index: { kind: 'type', allowed: INDEX_TYPES },
    ...STRIDED_SLICE_MASK_ATTRS,
  },
  shape: (op) => {
    const [input, beginT, endT, stridesT] = op.inputs;
    const lens = mergeShapes(mergeShapes(withRank(beginT.shape, 1), withRank(endT.shape, 1)), withRank(stridesT.shape, 1));
    const strides = constantInts(stridesT);
    if (input.shape.dims === null || lens.dim(0) === null || !strides) return [UNKNOWN];
    const r = validateStridedSlice(input.shape.dims, constantInts(beginT), constantInts(endT), strides, sliceMasks(op));
    return [r.final];
  },
});
folder('StridedSlice', (t) => {
  const [inputT, beginT, endT, stridesT] = t.op.inputs;
  const v = constantValue(inputT);
  const [b, e, s] = [constantInts(beginT), constantInts(endT), constantInts(stridesT)];
  if (!v || !b || !e || !s || !t.shape.isFullyDefined()) return undefined;
  const r = validateStridedSlice(v.shape, b, e, s, sliceMasks(t.op));
  const idx = r.processing.map((n, i) => iota(n!, r.begin[i], r.strides[i]));
  const data = takeIndices(v, idx, r.processing as number[]);
  return data && new NDArray(data.dtype, t.shape.dims as number[], data.data);
});

export interface StridedSliceOptions extends NameOption, StridedSliceMaskOptions {}

/**
 * tf.stridedSlice(input, begin, end, strides?, {beginMask, endMask, ellipsisMask, newAxisMask,
 * shrinkAxisMask}): numpy-style basic indexing (node "StridedSlice"). Without `strides`, TF1
 * builds tf.onesLike(begin) for them.
 */
export function stridedSlice(input: TensorLike, begin: TensorLike | readonly TensorLike[], end: TensorLike | readonly TensorLike[],
                             strides?: TensorLike | readonly TensorLike[] | StridedSliceOptions, options: StridedSliceOptions = {}): Tensor {
  if (isOptions(strides)) {
    options = strides as StridedSliceOptions;
    strides = undefined;
  }
  return graphOfValues([input, begin, end, strides]).asDefault(() => {
    const s = strides === undefined ? onesLike(begin) : (strides as TensorLike);
    return applyOpPacked('StridedSlice', [input, begin, end, s], stridedSliceMaskAttrs(options), options.name);
  });
}

registerOp({
  type: 'GatherV2',
  inputs: [{ name: 'params', typeAttr: 'Tparams' }, { name: 'indices', typeAttr: 'Tindices' }, { name: 'axis', typeAttr: 'Taxis' }],
  outputs: [{ name: 'output', typeAttr: 'Tparams' }],
  attrs: {
    batch_dims: { kind: 'int', default: 0 },
    Tparams: { kind: 'type' },
    Tindices: { kind: 'type', allowed: INDEX_TYPES },
    Taxis: { kind: 'type', allowed: INDEX_TYPES },
  },
  shape: (op) => {
    const [paramsT, indicesT, axisT] = op.inputs;
    withRankAtMost(axisT.shape, 1);
    const batchDims = op.getAttr('batch_dims') as number;
    const params = withRankAtLeast(paramsT.shape, batchDims + 1);
    const indices = withRankAtLeast(indicesT.shape, batchDims);
    const axisValue = scalarValue(axisT);
    if (axisValue === undefined) {
      if (params.dims === null || indices.dims === null) return [UNKNOWN];
      return [TensorShape.unknownOfRank(params.dims.length + indices.dims.length - 1 - batchDims)];
    }
    withRankAtLeast(params, axisValue < 0 ? -axisValue : axisValue + 1);
    if (params.dims === null || indices.dims === null) return [UNKNOWN];
    const axis = axisValue < 0 ? axisValue + params.dims.length : axisValue;
    if (batchDims > axis) throw err(`batch_dims (${batchDims}) must be less than or equal to axis (${axis}).`);
    const batch = mergeShapes(shapeOf(params.dims.slice(0, batchDims)), shapeOf(indices.dims.slice(0, batchDims)));
    return [[...batch.dims!, ...params.dims.slice(batchDims, axis), ...indices.dims.slice(batchDims), ...params.dims.slice(axis + 1)]];
  },
});
folder('GatherV2', (t) => {
  const [p, ind] = [constantValue(t.op.inputs[0]), constantValue(t.op.inputs[1])];
  let axis = scalarValue(t.op.inputs[2]);
  if (!p || !ind || axis === undefined || (t.op.getAttr('batch_dims') as number) !== 0) return undefined;
  if (axis < 0) axis += p.rank;
  const picks = Array.from({ length: ind.size }, (_, i) => Number(ind.flatGet(i)));
  if (picks.some((k) => k < 0 || k >= p.shape[axis!])) return undefined;
  const idx = p.shape.map((d, i) => (i === axis ? picks : iota(d)));
  return takeIndices(p, idx, [...p.shape.slice(0, axis), ...ind.shape, ...p.shape.slice(axis + 1)]);
});

export interface GatherOptions extends NameOption {
  axis?: TensorLike;
  batchDims?: number;
}

/** tf.gather(params, indices, {axis, batchDims}): slices of `params` along `axis` (node "GatherV2"). */
export function gather(params: TensorLike, indices: TensorLike, options: GatherOptions = {}): Tensor {
  const batchDims = options.batchDims ?? 0;
  return applyOp1('GatherV2', [params, indices, options.axis ?? batchDims], { batch_dims: batchDims }, options.name);
}

registerOp({
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

export interface StridedSliceGradOptions extends StridedSliceMaskOptions {
  name?: string;
}

/** gen_array_ops.strided_slice_grad: dy scattered into zeros of `shape` where StridedSlice read. */
export function stridedSliceGrad(shapeT: TensorLike, begin: TensorLike, end: TensorLike, strides: TensorLike, dy: TensorLike,
                                 options: StridedSliceGradOptions = {}): Tensor {
  return applyOp1('StridedSliceGrad', [shapeT, begin, end, strides, dy], stridedSliceMaskAttrs(options), options.name);
}

