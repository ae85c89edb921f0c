// Array ops: placeholders, identity, shapes and layout (reshape, transpose, concat, ...).
// Op defs, attrs and shape functions follow TF1's array_ops.cc; the public functions follow
// TF1's python/ops/array_ops.py, including the sub-graphs they build (tf.zeros of a small
// shape is a Const, tf.ones_like is a Fill, tf.shape of a known shape is a Const ...).
import { constantInts, constantValue, constantValueAsShape, registerConstantFolder } from '../framework/constant_value.js';
import { type DType, FLOATING_DTYPES, isInteger } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { type Graph, getDefaultGraph } from '../framework/graph.js';
import { NDArray, toNDArray, type ValueLike } from '../framework/ndarray.js';
import { applyOp, applyOp1, constant, convertToTensor, type TensorLike } from '../framework/op_builder.js';
import { type ArgDef, getOpDef, registerOp } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import { nameScope } from '../framework/scopes.js';
import { Tensor } from '../framework/tensor.js';
import { type Dim, TensorShape, type ShapeLike } from '../framework/tensor_shape.js';
import { mergeShapes, unchangedShape, withRank, withRankAtLeast, withRankAtMost } from '../framework/common_shapes.js';
import { STRIDED_SLICE_MASK_ATTRS, type StridedSliceMaskOptions, stridedSliceMaskAttrs } from './strided_slice_masks.js';

export interface NameOption {
  name?: string;
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
// Shape-function helpers (TF's InferenceContext arithmetic, with its error messages)
// =====================================================================================

const INDEX_TYPES: DType[] = ['int32', 'int64'];

function err(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

const UNKNOWN = TensorShape.unknown();

function rankOf(s: TensorShape): string {
  return s.rank === undefined ? '?' : String(s.rank);
}

/** Throws unless a known dim equals `value` (TF's WithValue). */
function withValue(d: Dim, value: number): number {
  if (d !== null && d !== value) throw err(`Dimension must be ${value} but is ${d}`);
  return value;
}

function addDim(a: Dim, b: Dim): Dim {
  return a === null || b === null ? null : a + b;
}

/** TF's Multiply: 0 and 1 are exact even against an unknown dim. */
function mulDim(a: Dim, b: Dim): Dim {
  if (a === 0 || b === 0) return 0;
  if (a === 1) return b;
  if (b === 1) return a;
  return a === null || b === null ? null : a * b;
}

function subDim(a: Dim, b: Dim): Dim {
  if (b === 0) return a;
  if (a === null || b === null) return null;
  if (a < b) throw err(`Negative dimension size caused by subtracting ${b} from ${a}`);
  return a - b;
}

function divDim(a: Dim, b: number, evenlyDivisible: boolean): Dim {
  if (b === 1 || a === null) return a;
  if (b === 0) throw err('Division by zero');
  if (evenlyDivisible && a % b !== 0) throw err(`Dimension size must be evenly divisible by ${b} but is ${a}`);
  return Math.floor(a / b);
}

/** The value of a scalar (or one-element) constant input, else undefined. */
function scalarValue(t: Tensor): number | undefined {
  const v = constantValue(t);
  return v && v.size === 1 ? Number(v.flatGet(0)) : undefined;
}

/** TF's MakeDimForScalarInputWithNegativeIndexing. */
function axisDim(t: Tensor, rank: number | undefined): Dim {
  withRank(t.shape, 0);
  let v = scalarValue(t);
  if (v === undefined) return null;
  if (v < 0) {
    if (rank === undefined) return null;
    if (v + rank < 0) throw err(`Dimension size, given by scalar input ${v} must be in range [-${rank}, ${rank})`);
    v += rank;
  } else if (rank !== undefined && v >= rank) {
    throw err(`Dimension size, given by scalar input ${v} must be in range [-${rank}, ${rank})`);
  }
  return v;
}

/** Pack/Unpack's axis check (GetAxisForPackAndUnpack). */
function packAxis(axis: number, rank: number): number {
  if (axis < -rank || axis >= rank) throw err(`Invalid axis: ${axis}; must be in [${-rank},${rank})`);
  return axis < 0 ? axis + rank : axis;
}

function shapeOf(dims: Dim[] | null): TensorShape {
  return new TensorShape(dims);
}

// =====================================================================================
// Constant-folding helpers: shape functions see through these ops when inputs are known
// =====================================================================================

/** Largest result a folder computes; beyond it the value is left unknown. */
const MAX_FOLD_ELEMENTS = 1 << 16;

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function rowStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

type Elems = { [i: number]: unknown; length: number };

/** out[k] = src[index], iterating the cartesian product of per-dimension source indices. */
function takeIndices(src: NDArray, idx: number[][], outShape: readonly number[]): NDArray | undefined {
  const total = idx.reduce((a, l) => a * l.length, 1);
  if (total !== product(outShape) || total > MAX_FOLD_ELEMENTS) return undefined;
  const out = NDArray.zeros(src.dtype, outShape);
  const strides = rowStrides(src.shape);
  const counter = new Array<number>(idx.length).fill(0);
  const from = src.data as Elems;
  const to = out.data as Elems;
  for (let k = 0; k < total; k++) {
    let off = 0;
    for (let d = 0; d < idx.length; d++) off += idx[d][counter[d]] * strides[d];
    to[k] = from[off];
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++counter[d] < idx[d].length) break;
      counter[d] = 0;
    }
  }
  return out;
}

const iota = (n: number, start = 0, step = 1) => Array.from({ length: n }, (_, i) => start + i * step);

/** A tensor with the same data as a constant input and its own (fully defined) shape. */
function foldSameData(t: Tensor): NDArray | undefined {
  const v = constantValue(t.op.inputs[0]);
  if (!v || !t.shape.isFullyDefined()) return undefined;
  const dims = t.shape.dims as number[];
  return product(dims) === v.size ? new NDArray(v.dtype, dims, v.data) : undefined;
}

/** Registers a folder; a folder never throws (the value is then just not known). */
function folder(type: string, fn: (t: Tensor) => NDArray | undefined): void {
  registerConstantFolder(type, (t) => {
    try {
      return fn(t);
    } catch {
      return undefined;
    }
  });
}

function filled(dtype: DType, shape: readonly number[], value: unknown): NDArray | undefined {
  if (product(shape) > MAX_FOLD_ELEMENTS) return undefined;
  const out = NDArray.zeros(dtype, shape);
  (out.data as unknown as { fill(v: unknown): void }).fill(value);
  return out;
}

// =====================================================================================
// Building ops whose shape-like inputs may be JS lists holding tensors (TF1 autopacking)
// =====================================================================================

function firstTensor(v: unknown): Tensor | undefined {
  if (v instanceof Tensor) return v;
  if (Array.isArray(v)) {
    for (const e of v) {
      const t = firstTensor(e);
      if (t) return t;
    }
  }
  return undefined;
}

function graphOfValues(values: readonly unknown[]): Graph {
  return firstTensor(values)?.graph ?? getDefaultGraph();
}

/**
 * TF1's _autopacking_helper: a (nested) JS list holding tensors becomes a Pack op named
 * `name` (inside the current scope), its plain elements Consts named by their index.
 */
function autoPack(list: readonly unknown[], dtype: DType | undefined, name: string): Tensor | unknown[] {
  const graph = getDefaultGraph();
  return graph.nameScope(name, (scope) => {
    let mustPack = false;
    const elems = list.map((e, i) => {
      if (e instanceof Tensor) {
        const t = e._asInput(false);
        if (dtype && t.dtype !== dtype) {
          throw err(`Cannot convert a list containing a tensor of dtype ${t.dtype} to ${dtype} (Tensor is: ${t.toString()})`);
        }
        mustPack = true;
        return t;
      }
      if (Array.isArray(e)) {
        const packed = autoPack(e, dtype, String(i));
        if (packed instanceof Tensor) mustPack = true;
        return packed;
      }
      return e;
    });
    if (!mustPack) return elems;
    const tensors = elems.map((e, i) => (e instanceof Tensor ? e : constant(e as ValueLike, { dtype, name: String(i) })));
    return applyOp1('Pack', [tensors], { axis: 0 }, scope);
  });
}

/** JS lists holding tensors convert to a packed tensor (TF1's convert_to_tensor on such lists). */
function toTensor(value: unknown, options: { dtype?: DType; name?: string } = {}): Tensor {
  if (Array.isArray(value) && firstTensor(value)) {
    const dtype = options.dtype ?? firstTensor(value)!.dtype;
    return autoPack(value, dtype, options.name ?? 'packed') as Tensor;
  }
  return convertToTensor(value as TensorLike, options);
}

/** A JS value (or list with tensors) where a tensor input goes. */
type Input = TensorLike | readonly TensorLike[] | readonly Tensor[];

/** applyOp, autopacking single-tensor inputs given as JS lists that hold tensors. */
function build(type: string, inputs: readonly Input[], attrs: Record<string, unknown> = {}, name?: string): Operation {
  const def = getOpDef(type);
  const isList = (arg: ArgDef) => !!(arg.numberAttr || arg.typeListAttr);
  const pack = def.inputs.map((arg, i) => !isList(arg) && Array.isArray(inputs[i]) && !!firstTensor(inputs[i]));
  if (!pack.includes(true)) return applyOp(type, inputs as TensorLike[], attrs, name);
  const graph = graphOfValues(inputs);
  return graph.asDefault(() => graph.nameScope(name || type, (scope) => {
    const converted = inputs.map((v, i) => {
      if (!pack[i]) return v;
      const arg = def.inputs[i];
      const dtype = arg.type ?? (arg.typeAttr ? (attrs[arg.typeAttr] as DType | undefined) : undefined);
      return toTensor(v, { dtype, name: arg.name });
    });
    return applyOp(type, converted as TensorLike[], attrs, scope);
  }));
}

function build1(type: string, inputs: readonly Input[], attrs: Record<string, unknown> = {}, name?: string): Tensor {
  return build(type, inputs, attrs, name).outputs[0];
}

/** A TensorShape argument as the JS list it converts to (TF1 converts fully-defined shapes). */
function shapeValue<T>(v: T | TensorShape): T | number[] {
  if (!(v instanceof TensorShape)) return v;
  if (!v.isFullyDefined()) throw err(`Cannot convert a partially known TensorShape to a Tensor: ${v.toString()}`);
  return v.dims as number[];
}

/** Whether a trailing argument is an options object rather than a tensor-like value. */
function isOptions(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Tensor) &&
    !(x instanceof NDArray) && !(x instanceof TensorShape) && !ArrayBuffer.isView(x);
}

/** The dtype a JS value converts to when it can convert to `dtype` (TF1's preferred dtype). */
function preferredDtype(value: unknown, dtype: DType): DType | undefined {
  if (value instanceof Tensor) return undefined;
  try {
    toNDArray(value as ValueLike, { dtype });
    return dtype;
  } catch {
    return undefined;
  }
}

// =====================================================================================
// Reshape, transpose, expand/squeeze
// =====================================================================================

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
  return build1('Reshape', [tensor, shapeValue(shape)], {}, options.name);
}

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
    if (p !== undefined) return build1('Transpose', [a, p], {}, scope);
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
// Slice, strided slice, gather
// =====================================================================================

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
  return build1('Slice', [input, begin, size], {}, options.name);
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
    return build1('StridedSlice', [input, begin, end, s], stridedSliceMaskAttrs(options), options.name);
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

// =====================================================================================
// Tile, pad
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
  return build1('Tile', [input, multiples], {}, options.name);
}

/** Pad/PadV2's shape function (PadShapeFn); MirrorPad's differs only in what it checks. */
function padShape(op: Operation, mirror: boolean): ShapeLike[] {
  const [input, paddingsT] = op.inputs;
  const pShape = withRank(paddingsT.shape, 2);
  let n = pShape.dim(0);
  let s = input.shape;
  if (mirror) {
    if (n === null) return [UNKNOWN];
    s = withRank(s, n);
    mergeShapes(pShape, shapeOf([n, 2]));
  } else {
    withValue(pShape.dim(1), 2);
    if (n !== null) s = withRank(s, n);
    else if (s.rank !== undefined) n = withValue(n, s.rank);
  }
  const paddings = constantInts(paddingsT);
  if (!paddings) return [n === null ? UNKNOWN : TensorShape.unknownOfRank(n)];
  const rows = paddings.length / 2;
  s = withRank(s, rows);
  withValue(n, rows);
  return [iota(rows).map((i) => {
    const [before, after] = [paddings[2 * i], paddings[2 * i + 1]];
    if (before < 0 || after < 0) throw err('Paddings must be non-negative');
    return addDim(s.dim(i), before + after);
  })];
}

const padAttrs = { T: { kind: 'type' as const }, Tpaddings: { kind: 'type' as const, default: 'int32', allowed: INDEX_TYPES } };
const padArgs: ArgDef[] = [{ name: 'input', typeAttr: 'T' }, { name: 'paddings', typeAttr: 'Tpaddings' }];

registerOp({ type: 'Pad', inputs: padArgs, outputs: [{ name: 'output', typeAttr: 'T' }], attrs: padAttrs, shape: (op) => padShape(op, false) });
registerOp({
  type: 'PadV2',
  inputs: [...padArgs, { name: 'constant_values', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: padAttrs,
  shape: (op) => padShape(op, false),
});
registerOp({
  type: 'MirrorPad',
  inputs: padArgs,
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { ...padAttrs, mode: { kind: 'string' } },
  shape: (op) => padShape(op, true),
});

export interface PadOptions extends NameOption {
  /** 'CONSTANT' (default), 'REFLECT' or 'SYMMETRIC', in any case. */
  mode?: string;
  constantValues?: TensorLike;
}

/** tf.pad(tensor, paddings, {mode, constantValues}): Pad, PadV2 (non-zero fill) or MirrorPad. */
export function pad(tensor: TensorLike, paddings: TensorLike | readonly TensorLike[], options: PadOptions = {}): Tensor {
  const mode = (options.mode ?? 'CONSTANT').toUpperCase();
  const cv = options.constantValues ?? 0;
  if (mode === 'CONSTANT') {
    if (cv instanceof Tensor || cv !== 0) return build1('PadV2', [tensor, paddings, cv], {}, options.name);
    return build1('Pad', [tensor, paddings], {}, options.name);
  }
  if (mode === 'REFLECT' || mode === 'SYMMETRIC') return build1('MirrorPad', [tensor, paddings], { mode }, options.name);
  throw err(`pad: Unknown padding mode: ${mode} (Pad)`);
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
  return build1('Fill', [shapeValue(dims), value], {}, options.name);
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
    if (options.dtype && options.dtype !== t.dtype) return filledWith('zeros', shapeInternal(t, undefined, optimize, 'int32'), options.dtype, scope);
    return applyOp1('ZerosLike', [t], {}, scope);
  });
}

/** tf.onesLike(tensor, {dtype}): ones of tensor's shape; TF1 builds Fill(shape, 1) (node "ones_like"). */
export function onesLike(tensor: TensorLike | readonly TensorLike[], options: LikeOptions = {}): Tensor {
  const optimize = options.optimize ?? true;
  return nameScope(options.name ?? null, { defaultName: 'ones_like', values: [tensor] }, (scope) => {
    const t = toTensor(tensor, { name: 'tensor' });
    const shapeT = shapeInternal(t, undefined, optimize, 'int32');
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
// Shape, size, rank
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
