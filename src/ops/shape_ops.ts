// Shape ops: reshape, expandDims, squeeze and the ops that read shapes (Shape, ShapeN, Size,
// Rank, BroadcastGradientArgs). Op defs and shape functions follow TF1's array_ops.cc; the
// public functions follow TF1's array_ops.py (tf.shape of a known shape is a Const, ...).
import { constantInts, constantValue, constantValueAsShape, registerConstantFolder } from '../framework/constant_value.js';
import { foldSameData, folder } from '../framework/constant_folding.js';
import { type DType } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { NDArray } from '../framework/ndarray.js';
import { applyOp, applyOp1, constant, convertToTensor, type TensorLike } from '../framework/op_builder.js';
import { registerOp } from '../framework/op_registry.js';
import { nameScope } from '../framework/scopes.js';
import { Tensor } from '../framework/tensor.js';
import { type Dim, TensorShape } from '../framework/tensor_shape.js';
import { divDim, UNKNOWN, withRank } from '../framework/common_shapes.js';
import { applyOpPacked, INDEX_TYPES, isOptions, type NameOption, shapeValue } from './op_args.js';

function err(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

registerOp({
  type: 'Reshape',
  inputs: [{ name: 'tensor', typeAttr: 'T' }, { name: 'shape', typeAttr: 'Tshape' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' }, Tshape: { kind: 'type', default: 'int32', allowed: INDEX_TYPES } },
  shape: (op) => {
    const [input, shapeT] = op.inputs;
    withRank(shapeT.shape, 1);
    const value = constantInts(shapeT);
    if (value) {
      const bad = value.find((d) => d < -1);
      if (bad !== undefined) throw err(`Invalid value in tensor used for shape: ${bad}`);
      const minus = value.flatMap((d, i) => (d === -1 ? [i] : []));
      if (minus.length > 1) throw err(`Only one input size may be -1, not both ${minus[0]} and ${minus[1]}`);
    }
    const out = constantValueAsShape(shapeT);
    if (out.dims === null || input.shape.dims === null) return [out];
    // Infer the one unknown output dim from the element count (SetOutputShapeForReshape).
    const count = (dims: readonly Dim[]) => {
      let known = 1;
      let unknownAt = -1;
      let tooMany = false;
      dims.forEach((d, i) => {
        if (d !== null) known *= d;
        else if (unknownAt >= 0) tooMany = true;
        else unknownAt = i;
      });
      return { known, unknownAt, tooMany };
    };
    const o = count(out.dims);
    const i = count(input.shape.dims);
    if (o.tooMany || i.tooMany) return [out];
    const dims = [...out.dims];
    if (i.unknownAt < 0 && o.unknownAt < 0) {
      if (i.known !== o.known) {
        throw err(`Cannot reshape a tensor with ${i.known} elements to shape ${out.toShortString()} (${o.known} elements)`);
      }
    } else if (i.unknownAt < 0 && o.known > 0) {
      dims[o.unknownAt] = divDim(i.known, o.known, true);
    } else if (o.unknownAt < 0 && i.known !== 0) {
      divDim(o.known, i.known, true);
    }
    return [dims];
  },
});
folder('Reshape', foldSameData);

/** tf.reshape(tensor, shape): `shape` may hold one -1 (inferred) and tensors (packed). */
export function reshape(tensor: TensorLike, shape: TensorLike | readonly TensorLike[] | TensorShape, options: NameOption = {}): Tensor {
  return applyOpPacked('Reshape', [tensor, shapeValue(shape)], {}, options.name);
}

registerOp({
  type: 'ExpandDims',
  inputs: [{ name: 'input', typeAttr: 'T' }, { name: 'dim', typeAttr: 'Tdim' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' }, Tdim: { kind: 'type', default: 'int32', allowed: INDEX_TYPES } },
  shape: (op) => {
    const [input, dimT] = op.inputs;
    const v = constantValue(dimT);
    if (v && v.size !== 1) throw err("'dim' input must be a tensor with a single value");
    if (!v || input.shape.dims === null) return [UNKNOWN];
    const rank = input.shape.dims.length;
    let dim = Number(v.flatGet(0));
    if (dim < -rank - 1 || dim > rank) throw err(`dim ${dim} not in the interval [${-rank - 1}, ${rank}].`);
    if (dim < 0) dim += rank + 1;
    const dims = [...input.shape.dims];
    dims.splice(dim, 0, 1);
    return [dims];
  },
});
folder('ExpandDims', foldSameData);

/** tf.expandDims(input, axis): inserts a dimension of 1 at `axis` (negative counts from the end). */
export function expandDims(input: TensorLike, axis: TensorLike, options: NameOption = {}): Tensor {
  return applyOp1('ExpandDims', [input, axis], {}, options.name);
}

registerOp({
  type: 'Squeeze',
  inputs: [{ name: 'input', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' }, squeeze_dims: { kind: 'list(int)', default: [] } },
  shape: (op) => {
    const s = op.inputs[0].shape;
    if (s.dims === null) return [UNKNOWN];
    const rank = s.dims.length;
    const axes = (op.getAttr('squeeze_dims') as number[]).map((a, i) => {
      if (a < -rank || a >= rank) throw err(`squeeze_dims[${i}] not in [${-rank},${rank}).`);
      return a < 0 ? a + rank : a;
    });
    const out: Dim[] = [];
    for (let i = 0; i < rank; i++) {
      const d = s.dims[i];
      const explicit = axes.includes(i);
      if (d === null) {
        if (explicit) continue; // assumed to be 1 at run time
        if (axes.length === 0) return [UNKNOWN];
      } else if (d === 1) {
        if (explicit || axes.length === 0) continue;
      } else if (explicit) {
        throw err(`Can not squeeze dim[${i}], expected a dimension of 1, got ${d}`);
      }
      out.push(d);
    }
    return [out];
  },
});
folder('Squeeze', foldSameData);

export interface SqueezeOptions extends NameOption {
  axis?: number | readonly number[];
}

/** tf.squeeze(input, axis?): removes size-1 dims (all of them, or those in `axis`). */
export function squeeze(input: TensorLike, axis?: number | readonly number[] | SqueezeOptions, options: SqueezeOptions = {}): Tensor {
  if (isOptions(axis)) options = axis as SqueezeOptions;
  else if (axis !== undefined) options = { ...options, axis: axis as number | readonly number[] };
  const a = options.axis;
  const dims = a === undefined ? [] : typeof a === 'number' ? [a] : [...a];
  return applyOp1('Squeeze', [input], { squeeze_dims: dims }, options.name);
}

// =====================================================================================
// Shape, size, rank, ShapeN
// =====================================================================================

const OUT_TYPE = { kind: 'type' as const, default: 'int32', allowed: INDEX_TYPES };

registerOp({
  type: 'Shape',
  inputs: [{ name: 'input', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'out_type' }],
  attrs: { T: { kind: 'type' }, out_type: OUT_TYPE },
  shape: (op) => [[op.inputs[0].shape.rank ?? null]],
});

registerOp({
  type: 'Size',
  inputs: [{ name: 'input', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'out_type' }],
  attrs: { T: { kind: 'type' }, out_type: OUT_TYPE },
  shape: () => [TensorShape.scalar()],
});

registerOp({
  type: 'Rank',
  inputs: [{ name: 'input', typeAttr: 'T' }],
  outputs: [{ name: 'output', type: 'int32' }],
  attrs: { T: { kind: 'type' } },
  shape: () => [TensorShape.scalar()],
});

export interface ShapeOptions extends NameOption {
  /** int32 (default) or int64. */
  outType?: DType;
  /** Encode a statically known result as a Const (TF1's default, true). */
  optimize?: boolean;
}

function shapeInternal(input: TensorLike, name: string | undefined, optimize: boolean, outType: DType): Tensor {
  return nameScope(name ?? null, { defaultName: 'Shape', values: [input] }, (scope) => {
    const t = convertToTensor(input);
    if (optimize && t.shape.isFullyDefined()) return constant(t.shape.dims as number[], { dtype: outType, name: scope });
    return applyOp1('Shape', [t], { out_type: outType }, scope);
  });
}

/** tf.shape(input, {outType}): the dynamic shape; a Const "Shape" when statically known (TF1). */
export function shape(input: TensorLike, options: ShapeOptions = {}): Tensor {
  return shapeInternal(input, options.name, options.optimize ?? true, options.outType ?? 'int32');
}

/** tf.size(input, {outType}): number of elements; a Const "Size" when statically known (TF1). */
export function size(input: TensorLike, options: ShapeOptions = {}): Tensor {
  const outType = options.outType ?? 'int32';
  return nameScope(options.name ?? null, { defaultName: 'Size', values: [input] }, (scope) => {
    const t = convertToTensor(input);
    if (options.optimize ?? true) {
      const n = t.shape.numElements();
      if (n !== null) return constant(n, { dtype: outType, name: scope });
      if (t.shape.dims?.includes(0)) return constant(0, { dtype: outType, name: scope });
    }
    return applyOp1('Size', [t], { out_type: outType }, scope);
  });
}

/** tf.rank(input): number of dimensions; a Const "Rank" when statically known (TF1). */
export function rank(input: TensorLike, options: NameOption & { optimize?: boolean } = {}): Tensor {
  return nameScope(options.name ?? null, { defaultName: 'Rank', values: [input] }, (scope) => {
    const t = convertToTensor(input);
    if ((options.optimize ?? true) && t.shape.rank !== undefined) return constant(t.shape.rank, { dtype: 'int32', name: scope });
    return applyOp1('Rank', [t], {}, scope);
  });
}

registerOp({
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

// BroadcastGradientArgs: the reduction axes of a broadcasting binary op's gradients.

/** TF's BCast reduction indices: the axes of the broadcast result to sum each input's gradient over. */
export function broadcastReduceIndices(sx: readonly number[], sy: readonly number[]): [number[], number[]] {
  const rx: number[] = [];
  const ry: number[] = [];
  if (sx.length === sy.length && sx.every((d, i) => d === sy[i])) return [rx, ry];
  const n = Math.max(sx.length, sy.length);
  for (let d = 0; d < n; d++) {
    const k = n - 1 - d;
    const x = k < sx.length ? sx[sx.length - 1 - k] : 1;
    const y = k < sy.length ? sy[sy.length - 1 - k] : 1;
    if (x === y) {
      if (x === 1) {
        rx.push(d);
        ry.push(d);
      }
    } else if (x === 1) {
      rx.push(d);
    } else if (y === 1) {
      ry.push(d);
    } else {
      throw new InvalidArgumentError(undefined, undefined, `Incompatible shapes: [${sx.join(',')}] vs. [${sy.join(',')}]`);
    }
  }
  return [rx, ry];
}

registerOp({
  type: 'BroadcastGradientArgs',
  inputs: [{ name: 's0', typeAttr: 'T' }, { name: 's1', typeAttr: 'T' }],
  outputs: [{ name: 'r0', typeAttr: 'T' }, { name: 'r1', typeAttr: 'T' }],
  attrs: { T: { kind: 'type', default: 'int32', allowed: ['int32', 'int64'] } },
  shape: (op) => {
    for (const t of op.inputs) {
      const r = t.shape.rank;
      if (r !== undefined && r !== 1) {
        throw new InvalidArgumentError(undefined, undefined, `Shape must be rank 1 but is rank ${r}`);
      }
    }
    return [[null], [null]];
  },
});

// Like TF's constant folding (TF_TryEvaluateConstant): known shapes give known reduction axes.
registerConstantFolder('BroadcastGradientArgs', (t) => {
  const [s0, s1] = t.op.inputs.map(constantValue);
  if (!s0 || !s1) return undefined;
  const toList = (v: NDArray) => Array.from({ length: v.size }, (_, i) => Number(v.flatGet(i)));
  let r: [number[], number[]];
  try {
    r = broadcastReduceIndices(toList(s0), toList(s1));
  } catch {
    return undefined;
  }
  return NDArray.from(r[t.valueIndex], t.dtype);
});

/** gen_array_ops.broadcast_gradient_args(s0, s1): [r0, r1] (node "BroadcastGradientArgs"). */
export function broadcastGradientArgs(s0: TensorLike, s1: TensorLike, options: { name?: string } = {}): [Tensor, Tensor] {
  const op = applyOp('BroadcastGradientArgs', [s0, s1], {}, options.name);
  return [op.outputs[0], op.outputs[1]];
}
