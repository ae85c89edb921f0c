// Array ops: placeholders, identity, layout (transpose, concat, stack, split, tile), fills,
// ranges, where, one-hot. Shapes are in shape_ops.ts, slices in slice_ops.ts, padding in
// pad_ops.ts. Op defs, attrs and shape functions follow TF1's array_ops.cc; the public
// functions follow TF1's python/ops/array_ops.py, including the sub-graphs they build
// (tf.zeros of a small shape is a Const, tf.ones_like is a Fill, ...).
import { constantInts, constantValue, constantValueAsShape, registerConstantFolder } from '../framework/constant_value.js';
import { type Elems, filled, folder, iota, MAX_FOLD_ELEMENTS, product, takeIndices } from '../framework/constant_folding.js';
import { type DType, FLOATING_DTYPES, isInteger } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { NDArray, toNDArray } from '../framework/ndarray.js';
import { applyOp, applyOp1, constant, convertToTensor, type TensorLike } from '../framework/op_builder.js';
import { registerOp } from '../framework/op_registry.js';
import { nameScope } from '../framework/scopes.js';
import { Tensor } from '../framework/tensor.js';
import { type Dim, TensorShape, type ShapeLike } from '../framework/tensor_shape.js';
import {
  addDim, axisDim, divDim, mergeShapes, mulDim, packAxis, scalarValue, shapeOf, unchangedShape, UNKNOWN,
  withRank, withRankAtLeast, withValue,
} from '../framework/common_shapes.js';
import { applyOpPacked, graphOfValues, INDEX_TYPES, isOptions, type NameOption, preferredDtype, shapeValue, toTensor } from './op_args.js';

import { reshape, shape } from './shape_ops.js';
export type { NameOption } from './op_args.js';

function err(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

registerOp({
  type: 'Placeholder',
  inputs: [],
  outputs: [{ name: 'output', typeAttr: 'dtype' }],
  attrs: { dtype: { kind: 'type' }, shape: { kind: 'shape', default: TensorShape.unknown() } },
  shape: (op) => [op.getAttr('shape') as TensorShape],
});

/** tf.placeholder(dtype, {shape, name}): a value that must be fed. */
export function placeholder(dtype: DType, options: { shape?: ShapeLike; name?: string } = {}): Tensor {
  return applyOp1('Placeholder', [], { dtype, shape: TensorShape.from(options.shape) }, options.name);
}

registerOp({
  type: 'PlaceholderWithDefault',
  inputs: [{ name: 'input', typeAttr: 'dtype' }],
  outputs: [{ name: 'output', typeAttr: 'dtype' }],
  attrs: { dtype: { kind: 'type' }, shape: { kind: 'shape' } },
  shape: (op) => [op.getAttr('shape') as TensorShape],
});

/** A placeholder that yields `input` when not fed. */
export function placeholderWithDefault(input: TensorLike, shape: ShapeLike, options: NameOption = {}): Tensor {
  const s = TensorShape.from(shape);
  return applyOp1('PlaceholderWithDefault', [input], { shape: s }, options.name);
}

registerOp({
  type: 'Identity',
  inputs: [{ name: 'input', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' } },
  shape: unchangedShape,
});

// Identity of a variable reference that stays a reference (TF1's RefIdentity).
registerOp({
  type: 'RefIdentity',
  inputs: [{ name: 'input', typeAttr: 'T', isRef: true }],
  outputs: [{ name: 'output', typeAttr: 'T', isRef: true }],
  attrs: { T: { kind: 'type' } },
  shape: unchangedShape,
});

export function identity(input: TensorLike, options: NameOption = {}): Tensor {
  return applyOp1('Identity', [input], {}, options.name);
}

// =====================================================================================
// Transpose
// =====================================================================================

registerOp({
  type: 'Transpose',
  inputs: [{ name: 'x', typeAttr: 'T' }, { name: 'perm', typeAttr: 'Tperm' }],
  outputs: [{ name: 'y', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' }, Tperm: { kind: 'type', default: 'int32', allowed: INDEX_TYPES } },
  shape: (op) => {
    const [input, permT] = op.inputs;
    const perm = constantInts(permT);
    const permCount = permT.shape.rank === 1 ? permT.shape.dim(0) : null;
    const inRank = input.shape.rank;
    if (inRank === undefined && permCount === null && !perm) return [UNKNOWN];
    const rank = inRank ?? permCount ?? perm!.length;
    // A one-element perm cannot tell a scalar from a vector: both come out unchanged.
    if (inRank === undefined && rank < 2) return [input.shape];
    const s = withRank(input.shape, rank);
    withRank(permT.shape, 1);
    withValue(permCount, rank);
    if (!perm) return [TensorShape.unknownOfRank(rank)];
    if (perm.length !== rank) throw err(`Dimension must be ${rank} but is ${perm.length}`);
    return [perm.map((p) => {
      if (p >= rank || p < -rank) throw err(`perm dim ${p} is out of range of input rank ${rank}`);
      return s.dim(p);
    })];
  },
});

export interface TransposeOptions extends NameOption {
  perm?: TensorLike;
  /** Accepted for TF1 parity; no complex dtypes exist here, so it changes nothing. */
  conjugate?: boolean;
}

/**
 * tf.transpose(a, perm?): permutes dimensions; without `perm`, reverses them (node "transpose").
 * `transpose(a, {perm, name})` also works.
 */
export function transpose(a: TensorLike, perm?: TensorLike | TransposeOptions, options: TransposeOptions = {}): Tensor {
  if (isOptions(perm)) {
    options = perm as TransposeOptions;
    perm = options.perm;
  }
  const p = perm as TensorLike | undefined;
  return nameScope(options.name ?? 'transpose', { values: [a] }, (scope) => {
    if (p !== undefined) return applyOpPacked('Transpose', [a, p], {}, scope);
    const x = convertToTensor(a, { name: 'a' });
    const rank = x.shape.rank;
    let reversed: TensorLike;
    if (!rank) {
      // Unknown rank (and, as in TF1, rank 0): perm = (rank - 1) - range(0, rank, 1).
      const r = applyOp1('Rank', [x], {}, 'Rank');
      const top = applyOp1('Sub', [r, 1], {}, 'sub');
      const up = applyOp1('Range', [0, r, 1], {}, 'Range');
      reversed = applyOp1('Sub', [top, up], {}, 'sub');
    } else {
      reversed = iota(rank, rank - 1, -1);
    }
    const y = applyOp1('Transpose', [x, reversed], {}, scope);
    if (x.shape.dims !== null) y.setShape([...x.shape.dims].reverse());
    return y;
  });
}

// =====================================================================================
// Concat, stack / unstack, split
// =====================================================================================

registerOp({
  type: 'ConcatV2',
  inputs: [{ name: 'values', typeAttr: 'T', numberAttr: 'N' }, { name: 'axis', typeAttr: 'Tidx' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { N: { kind: 'int' }, T: { kind: 'type' }, Tidx: { kind: 'type', default: 'int32', allowed: INDEX_TYPES } },
  shape: (op) => {
    const values = op.inputs.slice(0, -1).map((t) => t.shape);
    const axisT = op.inputs[op.inputs.length - 1];
    if (values.length < 2) throw err(`Attr 'N' of ${values.length} must be at least minimum 2`);
    withRank(axisT.shape, 0);
    const axis = scalarValue(axisT);
    if (axis === undefined) {
      const rank = values.find((s) => s.rank !== undefined)?.rank;
      if (rank === undefined) return [UNKNOWN];
      if (rank === 0) throw err("Can't concatenate scalars (use tf.stack instead)");
      for (const s of values) withRank(s, rank);
      return [TensorShape.unknownOfRank(rank)];
    }
    const minRank = axis < 0 ? -axis : axis + 1;
    // Merge all non-concat dims and sum the concat dim, last input first (as TF does).
    let before = UNKNOWN;
    let after = UNKNOWN;
    let middle: Dim = null;
    for (let i = values.length - 1; i >= 0; i--) {
      const s = withRankAtLeast(values[i], minRank);
      let b = UNKNOWN;
      let m: Dim = null;
      let a = axis === -1 ? TensorShape.scalar() : UNKNOWN;
      if (s.dims !== null) {
        const ax = axis < 0 ? axis + s.dims.length : axis;
        b = shapeOf(s.dims.slice(0, ax));
        m = s.dims[ax];
        a = shapeOf(s.dims.slice(ax + 1));
      }
      if (i === values.length - 1) {
        [before, middle, after] = [b, m, a];
      } else {
        before = mergeShapes(b, before);
        middle = addDim(middle, m);
        after = mergeShapes(a, after);
      }
    }
    return [before.concatenate([middle]).concatenate(after)];
  },
});
folder('ConcatV2', (t) => {
  const parts = t.op.inputs.slice(0, -1).map(constantValue);
  let axis = scalarValue(t.op.inputs[t.op.inputs.length - 1]);
  if (parts.some((p) => !p) || axis === undefined || !t.shape.isFullyDefined()) return undefined;
  const arrays = parts as NDArray[];
  const rank = arrays[0].rank;
  if (axis < 0) axis += rank;
  const outShape = t.shape.dims as number[];
  if (product(outShape) > MAX_FOLD_ELEMENTS) return undefined;
  const out = NDArray.zeros(t.dtype, outShape);
  const outer = product(outShape.slice(0, axis));
  const to = out.data as Elems;
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (const p of arrays) {
      const chunk = product(p.shape.slice(axis));
      const from = p.data as Elems;
      for (let j = 0; j < chunk; j++) to[k++] = from[o * chunk + j];
    }
  }
  return out;
});

/** tf.concat(values, axis): joins along `axis` (node "concat"); one value gives an Identity. */
export function concat(values: TensorLike | readonly TensorLike[], axis: TensorLike, options: NameOption = {}): Tensor {
  const list: readonly TensorLike[] = Array.isArray(values) ? values : [values as TensorLike];
  const name = options.name ?? 'concat';
  if (list.length === 1) {
    // TF1 checks the axis with a throwaway Const, then returns an Identity.
    return nameScope(name, { values: [list[0], axis] }, (scope) => {
      const a = convertToTensor(axis, { dtype: 'int32', name: 'concat_dim' });
      if (!a.shape.isCompatibleWith([])) throw err(`concat: axis must be a scalar, got shape ${a.shape.toString()} (ConcatV2)`);
      return applyOp1('Identity', [list[0]], {}, scope);
    });
  }
  return applyOp1('ConcatV2', [list, axis], {}, name);
}

registerOp({
  type: 'Pack',
  inputs: [{ name: 'values', typeAttr: 'T', numberAttr: 'N' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { N: { kind: 'int' }, T: { kind: 'type' }, axis: { kind: 'int', default: 0 } },
  shape: (op) => {
    const n = op.inputs.length;
    if (n < 1) throw err(`Attr 'N' of ${n} must be at least minimum 1`);
    let cur = op.inputs[n - 1].shape;
    for (let i = n - 2; i >= 0; i--) {
      try {
        cur = mergeShapes(op.inputs[i].shape, cur);
      } catch (e) {
        throw err(`${(e as Error).message} From merging shape ${i} with other shapes.`);
      }
    }
    if (cur.dims === null) return [UNKNOWN];
    const axis = packAxis(op.getAttr('axis') as number, cur.dims.length + 1);
    const dims = [...cur.dims];
    dims.splice(axis, 0, n);
    return [dims];
  },
});

export interface StackOptions extends NameOption {
  axis?: number;
}

/**
 * tf.stack(values, axis?): packs rank-R tensors into one rank-(R+1) tensor (node "stack").
 * Along axis 0 a list of plain values becomes a Const, as in TF1.
 */
export function stack(values: readonly TensorLike[], axis?: number | StackOptions, options: StackOptions = {}): Tensor {
  if (isOptions(axis)) options = axis as StackOptions;
  else if (axis !== undefined) options = { ...options, axis: axis as number };
  const ax = options.axis ?? 0;
  const name = options.name ?? 'stack';
  const graph = graphOfValues(values);
  return graph.asDefault(() => {
    if (ax === 0) return toTensor(values, { name });
    if (!(values[0] instanceof Tensor)) convertToTensor(values[0], { name }); // TF1 converts values[0] to read its shape
    return applyOp1('Pack', [values], { axis: ax }, name);
  });
}

registerOp({
  type: 'Unpack',
  inputs: [{ name: 'value', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T', numberAttr: 'num' }],
  attrs: { num: { kind: 'int' }, T: { kind: 'type' }, axis: { kind: 'int', default: 0 } },
  shape: (op) => {
    const s = op.inputs[0].shape;
    const num = op.outputs.length;
    if (s.dims === null) return op.outputs.map(() => UNKNOWN);
    const axis = packAxis(op.getAttr('axis') as number, s.dims.length);
    withValue(s.dims[axis], num);
    const out = [...s.dims.slice(0, axis), ...s.dims.slice(axis + 1)];
    return op.outputs.map(() => out);
  },
});
folder('Unpack', (t) => {
  const v = constantValue(t.op.inputs[0]);
  if (!v) return undefined;
  const axis = packAxis(t.op.getAttr('axis') as number, v.rank);
  const idx = v.shape.map((d, i) => (i === axis ? [t.valueIndex] : iota(d)));
  return takeIndices(v, idx, v.shape.filter((_, i) => i !== axis));
});

export interface UnstackOptions extends NameOption {
  num?: number;
  axis?: number;
}

/** tf.unstack(value, {num, axis}): splits `axis` into `num` rank-(R-1) tensors (node "unstack"). */
export function unstack(value: TensorLike, options: UnstackOptions = {}): Tensor[] {
  const axis = options.axis ?? 0;
  let num = options.num;
  let v = value;
  if (num === undefined) {
    const t = convertToTensor(value);
    v = t;
    const s = t.shape;
    if (s.rank !== undefined) {
      if (axis < -s.rank || axis >= s.rank) throw err(`unstack: axis = ${axis} not in [${-s.rank}, ${s.rank}) (op Unpack)`);
      num = s.dim(axis) ?? undefined;
    }
    if (num === undefined) throw err(`unstack: Cannot infer num from shape ${s.toString()} (op Unpack)`);
  }
  return [...applyOp('Unpack', [v], { num, axis }, options.name ?? 'unstack').outputs];
}

registerOp({
  type: 'Split',
  inputs: [{ name: 'split_dim', type: 'int32' }, { name: 'value', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T', numberAttr: 'num_split' }],
  attrs: { num_split: { kind: 'int' }, T: { kind: 'type' } },
  shape: (op) => {
    const [dimT, input] = op.inputs;
    const n = op.outputs.length;
    if (n < 1) throw err(`Attr 'num_split' of ${n} must be at least minimum 1`);
    const dim = axisDim(dimT, input.shape.rank);
    let out: TensorShape;
    if (dim === null) {
      out = input.shape.dims === null ? UNKNOWN : TensorShape.unknownOfRank(input.shape.dims.length);
    } else {
      const s = withRankAtLeast(input.shape, dim + 1);
      let size: Dim;
      try {
        size = divDim(s.dim(dim), n, true);
      } catch (e) {
        throw err(`${(e as Error).message}. Number of ways to split should evenly divide the split dimension`);
      }
      out = s.dims === null ? UNKNOWN : shapeOf(s.dims.map((d, i) => (i === dim ? size : d)));
    }
    return op.outputs.map(() => out);
  },
});

registerOp({
  type: 'SplitV',
  inputs: [{ name: 'value', typeAttr: 'T' }, { name: 'size_splits', typeAttr: 'Tlen' }, { name: 'split_dim', type: 'int32' }],
  outputs: [{ name: 'output', typeAttr: 'T', numberAttr: 'num_split' }],
  attrs: { num_split: { kind: 'int' }, T: { kind: 'type' }, Tlen: { kind: 'type', default: 'int32', allowed: INDEX_TYPES } },
  shape: (op) => {
    const [input, sizesT, dimT] = op.inputs;
    const n = op.outputs.length;
    if (n < 1) throw err(`Attr 'num_split' of ${n} must be at least minimum 1`);
    const dim = axisDim(dimT, input.shape.rank);
    const s = input.shape;
    if (s.dims === null) return op.outputs.map(() => UNKNOWN);
    if (s.dims.length === 0) throw err("Can't split scalars");
    const sizes = constantInts(sizesT);
    if (dim === null) return op.outputs.map(() => TensorShape.unknownOfRank(s.dims!.length));
    const withDim = (d: Dim) => shapeOf(s.dims!.map((x, i) => (i === dim ? d : x)));
    if (!sizes) return op.outputs.map(() => withDim(null));
    if (sizes.length !== n) throw err('Length of size_splits should be equal to num_outputs');
    let total = 0;
    let hasMinusOne = false;
    for (const size of sizes) {
      if (size === -1) {
        if (hasMinusOne) throw err('size_splits can only have one -1');
        hasMinusOne = true;
      } else {
        total += size;
      }
    }
    const dimSize = s.dims[dim];
    if (dimSize !== null && (hasMinusOne ? total > dimSize : total !== dimSize)) {
      throw err(`can't split axis of size ${dimSize} into pieces of size [${sizes.join(',')}]`);
    }
    return sizes.map((size) => withDim(size === -1 ? (dimSize === null ? null : dimSize - total) : size));
  },
});

export interface SplitOptions extends NameOption {
  axis?: TensorLike;
  /** Number of outputs when it cannot be read from the shape of a size_splits tensor. */
  num?: number;
}

/**
 * tf.split(value, numOrSizeSplits, {axis, num}): an integer splits `axis` evenly (Split);
 * a list or 1-D tensor gives the piece sizes (SplitV). Node "split".
 */
export function split(value: TensorLike, numOrSizeSplits: TensorLike, options: SplitOptions = {}): Tensor[] {
  const axis = options.axis ?? 0;
  const name = options.name ?? 'split';
  return graphOfValues([value, numOrSizeSplits]).asDefault(() => {
    // TF1 converts num_or_size_splits first, so a number leaves a stray Const as it does there.
    const sizeSplits = convertToTensor(numOrSizeSplits);
    if (sizeSplits.shape.rank === 0 && isInteger(sizeSplits.dtype)) {
      if (typeof numOrSizeSplits !== 'number') {
        throw err(`split: num_or_size_splits must be a JS integer or a 1-D tensor, got ${sizeSplits.toString()} (op Split)`);
      }
      return [...applyOp('Split', [axis, value], { num_split: numOrSizeSplits }, name).outputs];
    }
    let num = options.num;
    if (num === undefined) {
      const s = sizeSplits.shape;
      num = s.rank ? (s.dim(0) ?? undefined) : undefined;
      if (num === undefined) throw err(`split: Cannot infer num from shape ${s.toString()} (op SplitV)`);
    }
    return [...applyOp('SplitV', [value, sizeSplits, axis], { num_split: num }, name).outputs];
  });
}

// =====================================================================================
// Tile
// =====================================================================================

registerOp({
  type: 'Tile',
  inputs: [{ name: 'input', typeAttr: 'T' }, { name: 'multiples', typeAttr: 'Tmultiples' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' }, Tmultiples: { kind: 'type', default: 'int32', allowed: INDEX_TYPES } },
  shape: (op) => {
    const [input, multiplesT] = op.inputs;
    let multiples = constantValueAsShape(multiplesT);
    if (input.shape.dims !== null) {
      const rank = input.shape.dims.length;
      multiples = withRank(multiples, rank);
      mergeShapes(multiplesT.shape, shapeOf([rank]));
    }
    if (multiples.dims === null) return [UNKNOWN];
    const s = withRank(input.shape, multiples.dims.length);
    return [multiples.dims.map((m, i) => mulDim(s.dim(i), m))];
  },
});
folder('Tile', (t) => {
  const [v, m] = [constantValue(t.op.inputs[0]), constantInts(t.op.inputs[1])];
  if (!v || !m || !t.shape.isFullyDefined()) return undefined;
  const idx = v.shape.map((d, i) => Array.from({ length: d * m[i] }, (_, k) => k % d));
  return takeIndices(v, idx, t.shape.dims as number[]);
});

/** tf.tile(input, multiples): repeats `input` multiples[i] times along dimension i (node "Tile"). */
export function tile(input: TensorLike, multiples: TensorLike | readonly TensorLike[], options: NameOption = {}): Tensor {
  return applyOpPacked('Tile', [input, multiples], {}, options.name);
}

// =====================================================================================
// Fill, zeros / ones and their *_like forms
// =====================================================================================

registerOp({
  type: 'Fill',
  inputs: [{ name: 'dims', typeAttr: 'index_type' }, { name: 'value', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' }, index_type: { kind: 'type', default: 'int32', allowed: INDEX_TYPES } },
  shape: (op) => {
    const [dimsT, valueT] = op.inputs;
    withRank(dimsT.shape, 1);
    withRank(valueT.shape, 0);
    const dims = constantInts(dimsT);
    if (dims && dims.some((d) => d < 0)) throw err('Fill dimensions must be >= 0');
    return [constantValueAsShape(dimsT)];
  },
});
folder('Fill', (t) => {
  const v = constantValue(t.op.inputs[1]);
  if (!v || !t.shape.isFullyDefined()) return undefined;
  return filled(t.dtype, t.shape.dims as number[], v.data[0]);
});

/** tf.fill(dims, value): a tensor of shape `dims` filled with the scalar `value` (node "Fill"). */
export function fill(dims: TensorLike | readonly TensorLike[] | TensorShape, value: TensorLike, options: NameOption = {}): Tensor {
  return applyOpPacked('Fill', [shapeValue(dims), value], {}, options.name);
}

for (const type of ['ZerosLike', 'OnesLike']) {
  registerOp({
    type,
    inputs: [{ name: 'x', typeAttr: 'T' }],
    outputs: [{ name: 'y', typeAttr: 'T' }],
    attrs: { T: { kind: 'type' } },
    shape: unchangedShape,
  });
  // The result does not depend on x's value, only on its (static) shape.
  folder(type, (t) => {
    if (!t.shape.isFullyDefined() || t.dtype === 'string') return undefined;
    const one = t.dtype === 'int64' ? 1n : 1;
    return filled(t.dtype, t.shape.dims as number[], type === 'OnesLike' ? one : 0);
  });
}

export interface ZerosOptions extends NameOption {
  dtype?: DType;
}

type ShapeInput = TensorLike | readonly TensorLike[] | TensorShape;

/** TF1's zeros / ones: a Const when the shape is known and small, else Fill(shape, value). */
function filledWith(kind: 'zeros' | 'ones', shape: ShapeInput, dtype: DType, name: string | undefined): Tensor {
  return nameScope(name ?? null, { defaultName: kind, values: [shape] }, (scope) => {
    const value = kind === 'zeros'
      ? (dtype === 'bool' ? false : dtype === 'string' ? '' : 0)
      : (dtype === 'bool' ? true : 1);
    let shapeT: Tensor;
    if (shape instanceof Tensor) {
      shapeT = shape;
    } else {
      const list = shape instanceof TensorShape ? shape.dims : shape;
      if (Array.isArray(list) && list.every((d) => typeof d === 'number')) {
        const dims = list as number[];
        if (product(dims) < 1000) return constant(value, { dtype, shape: dims, name: scope });
        shapeT = constant(dims, { dtype: dims.some((d) => d >= 2 ** 31) ? 'int64' : 'int32', name: 'shape_as_tensor' });
      } else if (Array.isArray(list) && list.some((d) => d === null)) {
        throw err(`${kind}: Cannot convert a partially known TensorShape to a Tensor: ${shapeOf(list as Dim[]).toString()} (Fill)`);
      } else {
        shapeT = toTensor(list, { dtype: 'int32' });
      }
    }
    if (!shapeT.shape.rank) shapeT = reshape(shapeT, [-1]); // make sure it is a vector
    return applyOp1('Fill', [shapeT, constant(value, { dtype })], {}, scope);
  });
}

function dtypeAndOptions(a: DType | ZerosOptions | undefined, b: ZerosOptions): ZerosOptions {
  if (typeof a === 'string') return { ...b, dtype: a };
  return { ...(a ?? {}), ...b };
}

/** tf.zeros(shape, dtype? | {dtype, name}): float32 zeros by default (node "zeros"). */
export function zeros(shape: ShapeInput, dtype?: DType | ZerosOptions, options: ZerosOptions = {}): Tensor {
  const o = dtypeAndOptions(dtype, options);
  return filledWith('zeros', shape, o.dtype ?? 'float32', o.name);
}

/** tf.ones(shape, dtype? | {dtype, name}): float32 ones by default (node "ones"). */
export function ones(shape: ShapeInput, dtype?: DType | ZerosOptions, options: ZerosOptions = {}): Tensor {
  const o = dtypeAndOptions(dtype, options);
  return filledWith('ones', shape, o.dtype ?? 'float32', o.name);
}

export interface LikeOptions extends ZerosOptions {
  /** Encode a statically known shape as a constant (TF1's default, true). */
  optimize?: boolean;
}

/** tf.zerosLike(tensor, {dtype}): zeros of tensor's shape (node "zeros_like"; a Const when static). */
export function zerosLike(tensor: TensorLike | readonly TensorLike[], options: LikeOptions = {}): Tensor {
  const optimize = options.optimize ?? true;
  return nameScope(options.name ?? null, { defaultName: 'zeros_like', values: [tensor] }, (scope) => {
    const t = toTensor(tensor, { name: 'tensor' });
    if (optimize && t.shape.isFullyDefined()) return filledWith('zeros', t.shape, options.dtype ?? t.dtype, scope);
    if (options.dtype && options.dtype !== t.dtype) return filledWith('zeros', shape(t, { optimize, outType: 'int32' }), options.dtype, scope);
    return applyOp1('ZerosLike', [t], {}, scope);
  });
}

/** tf.onesLike(tensor, {dtype}): ones of tensor's shape; TF1 builds Fill(shape, 1) (node "ones_like"). */
export function onesLike(tensor: TensorLike | readonly TensorLike[], options: LikeOptions = {}): Tensor {
  const optimize = options.optimize ?? true;
  return nameScope(options.name ?? null, { defaultName: 'ones_like', values: [tensor] }, (scope) => {
    const t = toTensor(tensor, { name: 'tensor' });
    const shapeT = shape(t, { optimize, outType: 'int32' });
    const out = filledWith('ones', shapeT, options.dtype ?? t.dtype, scope);
    out.setShape(t.shape);
    return out;
  });
}

// =====================================================================================
// Range, linspace
// =====================================================================================

/** Length of a constant range, with the Range kernel's checks. */
function rangeSize(start: number, limit: number, delta: number, integral: boolean): number {
  if (start > limit && delta > 0) throw err(`Requires start <= limit when delta > 0: ${start}/${limit}`);
  if (start < limit && delta < 0) throw err(`Requires start >= limit when delta < 0: ${start}/${limit}`);
  if (delta === 0) throw err('Requires delta != 0');
  return integral
    ? Math.trunc((Math.abs(limit - start) + Math.abs(delta) - 1) / Math.abs(delta))
    : Math.ceil(Math.abs((limit - start) / delta));
}

registerOp({
  type: 'Range',
  inputs: [{ name: 'start', typeAttr: 'Tidx' }, { name: 'limit', typeAttr: 'Tidx' }, { name: 'delta', typeAttr: 'Tidx' }],
  outputs: [{ name: 'output', typeAttr: 'Tidx' }],
  attrs: { Tidx: { kind: 'type', default: 'int32', allowed: ['bfloat16', 'float32', 'float64', 'int32', 'int64'] } },
  shape: (op) => {
    const names = ['start', 'limit', 'delta'];
    op.inputs.forEach((t, i) => {
      try {
        withRank(t.shape, 0);
      } catch (e) {
        throw err(`${(e as Error).message} for '${names[i]}'`);
      }
    });
    const [s, l, d] = op.inputs.map(scalarValue);
    if (s === undefined || l === undefined || d === undefined) return [[null]];
    return [[rangeSize(s, l, d, isInteger(op.outputs[0].dtype))]];
  },
});
folder('Range', (t) => {
  const [s, l, d] = t.op.inputs.map(scalarValue);
  if (s === undefined || l === undefined || d === undefined || t.shape.dim(0) === null) return undefined;
  const n = t.shape.dim(0)!;
  if (n > MAX_FOLD_ELEMENTS) return undefined;
  return NDArray.from(iota(n, s, d), t.dtype);
});

export interface RangeOptions extends NameOption {
  dtype?: DType;
}

/**
 * tf.range(start, limit?, delta = 1, {dtype}): [start, limit) by delta; `range(n)` is [0, n).
 * Without dtype the widest of the arguments' dtypes wins (int32 < int64 < float32 < float64)
 * and the others are cast to it, as in TF1. Node "range".
 */
export function range(start: TensorLike, limit?: TensorLike | RangeOptions, delta?: TensorLike | RangeOptions, options: RangeOptions = {}): Tensor {
  if (isOptions(limit)) [options, limit, delta] = [limit as RangeOptions, undefined, undefined];
  else if (isOptions(delta)) [options, delta] = [delta as RangeOptions, undefined];
  let args = [start, limit as TensorLike | undefined, (delta as TensorLike | undefined) ?? 1];
  if (args[1] === undefined) args = [0, start, args[2]];
  const dtype = options.dtype;
  return nameScope(options.name ?? 'range', { values: args }, (scope) => {
    let ts = ['start', 'limit', 'delta'].map((name, i) => convertToTensor(args[i]!, { dtype, name }));
    if (!dtype) {
      const order: DType[] = ['int32', 'int64', 'float32', 'float64'];
      const bad = ts.find((t) => !order.includes(t.dtype));
      if (bad) throw err(`range: unsupported dtype ${bad.dtype} (op Range needs int32, int64, float32 or float64)`);
      const widest = order[Math.max(...ts.map((t) => order.indexOf(t.dtype)))];
      ts = ts.map((t) => (t.dtype === widest ? t : applyOp1('Cast', [t], { DstT: widest, Truncate: false }, 'Cast')));
    }
    return applyOp1('Range', ts, {}, scope);
  });
}

registerOp({
  type: 'LinSpace',
  inputs: [{ name: 'start', typeAttr: 'T' }, { name: 'stop', typeAttr: 'T' }, { name: 'num', typeAttr: 'Tidx' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type', allowed: ['bfloat16', 'float32', 'float64'] }, Tidx: { kind: 'type', default: 'int32', allowed: INDEX_TYPES } },
  shape: (op) => {
    ['start', 'stop', 'num'].forEach((name, i) => {
      try {
        withRank(op.inputs[i].shape, 0);
      } catch (e) {
        throw err(`${(e as Error).message} for '${name}'`);
      }
    });
    const num = scalarValue(op.inputs[2]);
    if (num === undefined) return [[null]];
    if (num <= 0) throw err(`Requires num > 0: ${num}`);
    return [[num]];
  },
});

/**
 * tf.linspace(start, stop, num): `num` evenly spaced values from start to stop (node "LinSpace").
 * JS numbers for start and stop are float32 (JS cannot write 0.0 apart from 0).
 */
export function linspace(start: TensorLike, stop: TensorLike, num: TensorLike, options: NameOption = {}): Tensor {
  const attrs = start instanceof Tensor || stop instanceof Tensor ? {} : { T: 'float32' };
  return applyOp1('LinSpace', [start, stop, num], attrs, options.name);
}

// =====================================================================================
// Where / Select, one-hot
// =====================================================================================

registerOp({
  type: 'Where',
  inputs: [{ name: 'input', typeAttr: 'T' }],
  outputs: [{ name: 'index', type: 'int64' }],
  attrs: { T: { kind: 'type', default: 'bool' } },
  shape: (op) => [[null, op.inputs[0].shape.rank ?? null]],
});

registerOp({
  type: 'Select',
  inputs: [{ name: 'condition', type: 'bool' }, { name: 't', typeAttr: 'T' }, { name: 'e', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' } },
  shape: (op) => {
    const [condT, tT, eT] = op.inputs;
    let data = mergeShapes(tT.shape, eT.shape);
    const cond = condT.shape;
    if (cond.dims === null || data.dims === null) return [data];
    const condRank = cond.dims.length;
    if (condRank === 0) return [data];
    // Same shape as the data, or (TF1) a vector matching the data's first dimension.
    if (condRank !== 1 || data.dims.length === 0) return [mergeShapes(data, cond)];
    mergeShapes(cond, shapeOf([data.dims[0]]));
    return [data];
  },
});

/**
 * tf.where(condition, x?, y?): with x and y, picks from x where condition is true, else from
 * y (node "Select"; TF1 semantics). With condition only, the [numTrue, rank] int64
 * coordinates of its true elements (node "Where").
 */
export function where(condition: TensorLike, x?: TensorLike, y?: TensorLike, options: NameOption = {}): Tensor {
  if (isOptions(x)) [options, x, y] = [x as NameOption, undefined, undefined];
  if (x === undefined && y === undefined) {
    return nameScope(options.name ?? null, { defaultName: 'Where', values: [condition] }, (scope) => {
      const c = convertToTensor(condition, { name: 'condition' });
      return applyOp1('Where', [c], {}, scope);
    });
  }
  if (x === undefined || y === undefined) throw err('where: x and y must both be given or both be omitted (Select)');
  return applyOp1('Select', [condition, x, y], {}, options.name);
}

registerOp({
  type: 'OneHot',
  inputs: [
    { name: 'indices', typeAttr: 'TI' }, { name: 'depth', type: 'int32' },
    { name: 'on_value', typeAttr: 'T' }, { name: 'off_value', typeAttr: 'T' },
  ],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { axis: { kind: 'int', default: -1 }, T: { kind: 'type' }, TI: { kind: 'type', default: 'int64', allowed: ['uint8', 'int32', 'int64'] } },
  shape: (op) => {
    const [indicesT, depthT] = op.inputs;
    const axis = op.getAttr('axis') as number;
    if (axis < -1) throw err('axis must be >= -1');
    withRank(depthT.shape, 0);
    const depth = scalarValue(depthT) ?? null;
    if (depth !== null && depth < 0) throw err(`Dimension size, given by scalar input 1, must be non-negative but is ${depth}`);
    const s = indicesT.shape;
    if (s.dims === null) return [UNKNOWN];
    const newRank = s.dims.length + 1;
    if (axis >= newRank) throw err(`Expected axis to be -1 or between [0, ${newRank}). But received: ${axis}`);
    const at = axis === -1 ? s.dims.length : axis;
    return [[...s.dims.slice(0, at), depth, ...s.dims.slice(at)]];
  },
});

export interface OneHotOptions extends NameOption {
  onValue?: TensorLike;
  offValue?: TensorLike;
  axis?: number;
  dtype?: DType;
}

function jsDtype(value: TensorLike, dtype: DType | undefined): DType {
  if (value instanceof Tensor) return value.dtype;
  return dtype ?? toNDArray(value).dtype;
}

/**
 * tf.oneHot(indices, depth, {onValue = 1, offValue = 0, axis = -1, dtype = float32}): the
 * output shape inserts `depth` at `axis` (node "one_hot").
 */
export function oneHot(indices: TensorLike, depth: TensorLike, options: OneHotOptions = {}): Tensor {
  const { onValue, offValue } = options;
  return nameScope(options.name ?? null, { defaultName: 'one_hot', values: [indices, depth, onValue, offValue] }, (scope) => {
    let dtype = options.dtype;
    const onDtype = onValue === undefined ? undefined : jsDtype(onValue, dtype);
    const offDtype = offValue === undefined ? undefined : jsDtype(offValue, dtype);
    if (onDtype || offDtype) {
      if (dtype) {
        if (onDtype && onDtype !== dtype) throw err(`one_hot: dtype ${onDtype} of on_value does not match dtype parameter ${dtype} (OneHot)`);
        if (offDtype && offDtype !== dtype) throw err(`one_hot: dtype ${offDtype} of off_value does not match dtype parameter ${dtype} (OneHot)`);
      } else {
        dtype = onDtype ?? offDtype;
      }
    }
    dtype ??= 'float32';
    if (onDtype && offDtype && onDtype !== offDtype) {
      throw err(`one_hot: dtype ${onDtype} of on_value does not match dtype ${offDtype} of off_value (OneHot)`);
    }
    const on = onValue ?? convertToTensor(1, { dtype, name: 'on_value' });
    const off = offValue ?? convertToTensor(0, { dtype, name: 'off_value' });
    // TI defaults to int64: JS indices become int64 when they can, as TF1's preferred dtype.
    const ti = preferredDtype(indices, 'int64');
    return applyOp1('OneHot', [indices, depth, on, off], { axis: options.axis ?? -1, T: dtype, ...(ti ? { TI: ti } : {}) }, scope);
  });
}

// =====================================================================================
// StopGradient, CheckNumerics, IdentityN
// =====================================================================================

registerOp({
  type: 'StopGradient',
  inputs: [{ name: 'input', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' } },
  shape: unchangedShape,
});

/** tf.stopGradient(input): its value, with no gradient flowing through (node "StopGradient"). */
export function stopGradient(input: TensorLike, options: NameOption = {}): Tensor {
  return applyOp1('StopGradient', [input], {}, options.name);
}

registerOp({
  type: 'CheckNumerics',
  inputs: [{ name: 'tensor', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type', allowed: FLOATING_DTYPES }, message: { kind: 'string' } },
  shape: unchangedShape,
});

/** tf.checkNumerics(tensor, message): passes `tensor` through, failing at run time on NaN/Inf. */
export function checkNumerics(tensor: TensorLike, message: string, options: NameOption = {}): Tensor {
  return applyOp1('CheckNumerics', [tensor], { message }, options.name);
}

registerOp({
  type: 'IdentityN',
  inputs: [{ name: 'input', typeListAttr: 'T' }],
  outputs: [{ name: 'output', typeListAttr: 'T' }],
  attrs: { T: { kind: 'list(type)' } },
  shape: (op) => op.inputs.map((t) => t.shape),
});

/** tf.identityN(inputs): each input passed through, as one op (node "IdentityN"). */
export function identityN(inputs: readonly TensorLike[], options: NameOption = {}): Tensor[] {
  if (inputs.length < 1) throw err("identityN: Attr 'T' must have at least 1 type (IdentityN)");
  return [...applyOp('IdentityN', [inputs], {}, options.name).outputs];
}

// =====================================================================================
// InvertPermutation, ConcatOffset, PreventGradient
// =====================================================================================

registerOp({
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

registerOp({
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

// The identity, whose gradient raises (sparse softmax cross-entropy's second-order guard).
registerOp({
  type: 'PreventGradient',
  inputs: [{ name: 'input', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' }, message: { kind: 'string', default: '' } },
  shape: unchangedShape,
});
