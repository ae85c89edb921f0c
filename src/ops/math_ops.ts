// Math ops: element-wise unary and binary arithmetic, comparisons, logic, casts, matmul,
// reductions. Op defs (types, attrs, allowed dtypes) follow TF 1.15's math_ops.cc; the public
// functions follow tf.compat.v1's Python wrappers, including their default node names.
import { type DType, dtypeInfo, isDType, NUMERIC_DTYPES } from '../framework/dtypes.js';
import {
  broadcastBinaryShape, mergeDim, mergeShapes, unchangedShape, withRank, withRankAtLeast, withRankAtMost,
} from '../framework/common_shapes.js';
import { constantInts, constantValue, registerConstantFolder } from '../framework/constant_value.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { NDArray } from '../framework/ndarray.js';
import { applyOp1, constant, convertToTensor, graphOf, type TensorLike } from '../framework/op_builder.js';
import { hasOpDef, registerOp } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import { nameScope } from '../framework/scopes.js';
import { Tensor } from '../framework/tensor.js';
import { broadcastShapes, type Dim, type ShapeLike, TensorShape } from '../framework/tensor_shape.js';
import { identity, type NameOption } from './array_ops.js';

// ---------- allowed dtypes (TF's lists restricted to the dtypes we have) ----------

const REAL: DType[] = ['bfloat16', 'float16', 'float32', 'float64'];
/** TF's UNARY(): floats and signed ints. */
const SIGNED: DType[] = [...REAL, 'int8', 'int16', 'int32', 'int64'];
/** TF's BINARY_MORE() and AddV2. */
const BINARY_MORE: DType[] = [...REAL, 'uint8', 'int8', 'int16', 'int32', 'int64'];
/** TF's BINARY_FEWER(), also Maximum/Minimum, Sign, MatMul, Pow. */
const FLOAT_INT32_64: DType[] = [...REAL, 'int32', 'int64'];
/** realnumbertypes: ordered types (comparisons). */
const ORDERED: DType[] = [...REAL, 'uint8', 'int8', 'int16', 'int32', 'int64'];
/** Equal/NotEqual take every type. */
const EQUALITY: DType[] = [...ORDERED, 'string', 'bool'];
const NUMBER: DType[] = NUMERIC_DTYPES;
const INDEX: DType[] = ['int32', 'int64'];

// ---------- shape-function helpers with TF's C++ messages ----------

function shapeError(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

/** The last dims of a known-rank shape, or null for unknown rank. */
function dimFromEnd(s: TensorShape, k: number): Dim {
  return s.rank === undefined ? null : s.dim(s.rank - k);
}

// ---------- element-wise unary ops ----------

function registerUnary(type: string, allowed: readonly DType[], outType?: DType): void {
  registerOp({
    type,
    inputs: [{ name: 'x', typeAttr: 'T' }],
    outputs: [outType ? { name: 'y', type: outType } : { name: 'y', typeAttr: 'T' }],
    attrs: { T: { kind: 'type', allowed } },
    shape: unchangedShape,
  });
}

const UNARY_OPS: [string, readonly DType[]][] = [
  ['Neg', SIGNED], ['Abs', SIGNED], ['Square', SIGNED], ['Reciprocal', SIGNED], ['Round', SIGNED],
  ['Tan', SIGNED], ['Asin', SIGNED], ['Acos', SIGNED], ['Atan', SIGNED],
  ['Sign', FLOAT_INT32_64],
  ['Sqrt', REAL], ['Rsqrt', REAL], ['Exp', REAL], ['Expm1', REAL], ['Log', REAL], ['Log1p', REAL],
  ['Sin', REAL], ['Cos', REAL], ['Sinh', REAL], ['Cosh', REAL], ['Tanh', REAL],
  ['Asinh', REAL], ['Acosh', REAL], ['Atanh', REAL], ['Sigmoid', REAL],
  ['Floor', REAL], ['Ceil', REAL], ['Erf', REAL], ['Erfc', REAL], ['Lgamma', REAL], ['Digamma', REAL],
];
for (const [type, allowed] of UNARY_OPS) registerUnary(type, allowed);
for (const type of ['IsNan', 'IsInf', 'IsFinite']) registerUnary(type, REAL, 'bool');

registerOp({
  type: 'LogicalNot',
  inputs: [{ name: 'x', type: 'bool' }],
  outputs: [{ name: 'y', type: 'bool' }],
  shape: unchangedShape,
});

type UnaryFn = (x: TensorLike, options?: NameOption) => Tensor;

/** A public wrapper creating `type` (default node name: the op type, as TF1's gen ops). */
function unary(type: string): UnaryFn {
  return (x, options = {}) => applyOp1(type, [x], {}, options.name);
}

/** tf.negative / tf.neg: -x. */
export const negative = unary('Neg');
export const neg = negative;
/** |x| (node "Abs"). */
export const abs = unary('Abs');
export const square = unary('Square');
export const sqrt = unary('Sqrt');
export const rsqrt = unary('Rsqrt');
export const exp = unary('Exp');
export const expm1 = unary('Expm1');
export const log = unary('Log');
export const log1p = unary('Log1p');
export const sin = unary('Sin');
export const cos = unary('Cos');
export const tan = unary('Tan');
export const asin = unary('Asin');
export const acos = unary('Acos');
export const atan = unary('Atan');
export const sinh = unary('Sinh');
export const cosh = unary('Cosh');
export const tanh = unary('Tanh');
export const asinh = unary('Asinh');
export const acosh = unary('Acosh');
export const atanh = unary('Atanh');
export const sigmoid = unary('Sigmoid');
export const sign = unary('Sign');
export const floor = unary('Floor');
export const ceil = unary('Ceil');
export const reciprocal = unary('Reciprocal');
export const erf = unary('Erf');
export const erfc = unary('Erfc');
export const lgamma = unary('Lgamma');
export const digamma = unary('Digamma');
export const isNan = unary('IsNan');
export const isInf = unary('IsInf');
export const isFinite = unary('IsFinite');
export const logicalNot = unary('LogicalNot');

/**
 * tf.round: half to even. Integer tensors are returned unchanged, as TF1 does; JS values are
 * converted first (a Const named "x", as TF1's convert_to_tensor outside any scope).
 */
export function round(x: TensorLike, options: NameOption = {}): Tensor {
  const t = graphOf([x]).asDefault(() => convertToTensor(x, { name: 'x' }));
  if (dtypeInfo(t.dtype).isInteger) return t;
  return applyOp1('Round', [t], {}, options.name);
}

// ---------- element-wise binary ops ----------

function registerBinary(type: string, allowed: readonly DType[], outType?: DType): void {
  registerOp({
    type,
    inputs: [{ name: 'x', typeAttr: 'T' }, { name: 'y', typeAttr: 'T' }],
    outputs: [outType ? { name: 'z', type: outType } : { name: 'z', typeAttr: 'T' }],
    attrs: { T: { kind: 'type', allowed } },
    shape: broadcastBinaryShape,
  });
}

const BINARY_OPS: [string, readonly DType[]][] = [
  ['AddV2', BINARY_MORE], ['Add', [...BINARY_MORE, 'string']],
  ['Sub', BINARY_MORE], ['Mul', BINARY_MORE], ['Div', BINARY_MORE], ['RealDiv', BINARY_MORE],
  ['FloorDiv', BINARY_MORE], ['TruncateDiv', BINARY_MORE],
  ['FloorMod', FLOAT_INT32_64], ['TruncateMod', FLOAT_INT32_64],
  ['Pow', FLOAT_INT32_64], ['Maximum', FLOAT_INT32_64], ['Minimum', FLOAT_INT32_64],
  ['SquaredDifference', FLOAT_INT32_64], ['Atan2', REAL], ['DivNoNan', ['float16', 'float32', 'float64']],
];
for (const [type, allowed] of BINARY_OPS) registerBinary(type, allowed);
for (const type of ['Less', 'LessEqual', 'Greater', 'GreaterEqual']) registerBinary(type, ORDERED, 'bool');

// Equal/NotEqual (TF 1.15): with incompatible_shape_error=false, incompatible shapes give a
// scalar at run time, so the static shape is unknown then.
for (const type of ['Equal', 'NotEqual']) {
  registerOp({
    type,
    inputs: [{ name: 'x', typeAttr: 'T' }, { name: 'y', typeAttr: 'T' }],
    outputs: [{ name: 'z', type: 'bool' }],
    attrs: { T: { kind: 'type', allowed: EQUALITY }, incompatible_shape_error: { kind: 'bool', default: true } },
    shape: (op) => {
      if (op.getAttr('incompatible_shape_error')) return broadcastBinaryShape(op);
      try {
        return broadcastBinaryShape(op);
      } catch {
        return [TensorShape.unknown()];
      }
    },
  });
}

for (const type of ['LogicalAnd', 'LogicalOr']) {
  registerOp({
    type,
    inputs: [{ name: 'x', type: 'bool' }, { name: 'y', type: 'bool' }],
    outputs: [{ name: 'z', type: 'bool' }],
    shape: broadcastBinaryShape,
  });
}

type BinaryFn = (x: TensorLike, y: TensorLike, options?: NameOption) => Tensor;

function binary(type: string, defaultName = type): BinaryFn {
  return (x, y, options = {}) => applyOp1(type, [x, y], {}, options.name ?? defaultName);
}

function isStringValue(v: TensorLike): boolean {
  if (v instanceof Tensor) return v.dtype === 'string';
  let e: unknown = v;
  while (Array.isArray(e)) e = e[0];
  return typeof e === 'string';
}

/**
 * The op behind `+`: AddV2, or Add for strings (AddV2 has no string kernel), as TF 1.15's
 * _add_dispatch. `name` may be an exact scope ("add/").
 */
function addDispatch(x: TensorLike, y: TensorLike, name: string): Tensor {
  const t = [x, y].find((v) => v instanceof Tensor);
  const str = t ? isStringValue(t) : isStringValue(x);
  return applyOp1(str ? 'Add' : 'AddV2', [x, y], {}, name);
}

/** tf.add(x, y): element-wise x + y with broadcasting (node name defaults to "Add"). */
export function add(x: TensorLike, y: TensorLike, options: NameOption = {}): Tensor {
  return addDispatch(x, y, options.name ?? 'Add');
}

export const subtract = binary('Sub');
export const sub = subtract;
export const multiply = binary('Mul');
export const mul = multiply;
/** tf.realdiv: RealDiv without any cast. */
export const realdiv = binary('RealDiv');
export const truncatediv = binary('TruncateDiv');
/** tf.floormod / tf.mod: FloorMod (node "FloorMod"). */
export const floormod = binary('FloorMod');
export const mod = floormod;
export const truncatemod = binary('TruncateMod');
export const maximum = binary('Maximum');
export const minimum = binary('Minimum');
export const squaredDifference = binary('SquaredDifference');
export const atan2 = binary('Atan2');
export const less = binary('Less');
export const lessEqual = binary('LessEqual');
export const greater = binary('Greater');
export const greaterEqual = binary('GreaterEqual');
export const logicalAnd = binary('LogicalAnd');
export const logicalOr = binary('LogicalOr');

/** tf.pow(x, y): node "Pow". */
export const pow = binary('Pow');

export function equal(x: TensorLike, y: TensorLike, options: NameOption = {}): Tensor {
  return applyOp1('Equal', [x, y], {}, options.name);
}

export function notEqual(x: TensorLike, y: TensorLike, options: NameOption = {}): Tensor {
  return applyOp1('NotEqual', [x, y], {}, options.name);
}

/** tf.floordiv: FloorDiv under the name scope "floordiv". */
export function floordiv(x: TensorLike, y: TensorLike, options: NameOption = {}): Tensor {
  return nameScope(options.name, { defaultName: 'floordiv', values: [x, y] }, (scope) => applyOp1('FloorDiv', [x, y], {}, scope));
}
export const floorDiv = floordiv;

/** Converts a pair for a binary Python wrapper: JS values take the other operand's dtype. */
function convertPair(x: TensorLike, y: TensorLike): [Tensor, Tensor] {
  const xt = convertToTensor(x, { name: 'x', preferredDtype: y instanceof Tensor ? y.dtype : undefined });
  const yt = convertToTensor(y, { name: 'y', preferredDtype: xt.dtype });
  if (xt.dtype !== yt.dtype) {
    throw new InvalidArgumentError(undefined, undefined, `x and y must have the same dtype, got ${xt.dtype} != ${yt.dtype}`);
  }
  return [xt, yt];
}

/** Floats for integer division (TF1's _TRUEDIV_TABLE): small ints -> float32, int32/int64 -> float64. */
const TRUEDIV_CAST: Partial<Record<DType, DType>> = {
  uint8: 'float32', int8: 'float32', int16: 'float32', int32: 'float64', int64: 'float64',
};

/**
 * tf.truediv (and `x / y`): RealDiv under the name scope "truediv", after casting integer
 * operands to floats as TF1's _truediv_python3 ("truediv/Cast", "truediv/Cast_1").
 */
export function truediv(x: TensorLike, y: TensorLike, options: NameOption = {}): Tensor {
  return nameScope(options.name, { defaultName: 'truediv', values: [x, y] }, (scope) => {
    let [xt, yt] = convertPair(x, y);
    const to = TRUEDIV_CAST[xt.dtype];
    if (to) {
      xt = cast(xt, to);
      yt = cast(yt, to);
    } else if (!REAL.includes(xt.dtype)) {
      throw new InvalidArgumentError(undefined, undefined, `Invalid dtype ${xt.dtype} in __truediv__`);
    }
    return applyOp1('RealDiv', [xt, yt], {}, scope);
  });
}

/** tf.divide(x, y): Python 3 division, i.e. truediv. */
export const divide = truediv;

/** tf.div (TF1, deprecated): Python 2 division: RealDiv for floats, FloorDiv for integers. */
export function div(x: TensorLike, y: TensorLike, options: NameOption = {}): Tensor {
  return nameScope(options.name, { defaultName: 'div', values: [x, y] }, (scope) => {
    const [xt, yt] = convertPair(x, y);
    return applyOp1(REAL.includes(xt.dtype) ? 'RealDiv' : 'FloorDiv', [xt, yt], {}, scope);
  });
}

/** tf.div_no_nan: x / y, 0 where y is 0 (node "div_no_nan"). */
export function divNoNan(x: TensorLike, y: TensorLike, options: NameOption = {}): Tensor {
  return nameScope(options.name, { defaultName: 'div_no_nan', values: [x, y] }, (scope) => {
    const [xt, yt] = convertPair(x, y);
    return applyOp1('DivNoNan', [xt, yt], {}, scope);
  });
}

/** tf.logical_xor: (x | y) & !(x & y), composed as TF1 does (final node "LogicalXor"). */
export function logicalXor(x: TensorLike, y: TensorLike, options: NameOption = {}): Tensor {
  return graphOf([x, y]).asDefault(() => {
    const either = logicalOr(x, y);
    const notBoth = logicalNot(logicalAnd(x, y));
    return logicalAnd(either, notBoth, { name: options.name ?? 'LogicalXor' });
  });
}

// ---------- AddN ----------

registerOp({
  type: 'AddN',
  inputs: [{ name: 'inputs', typeAttr: 'T', numberAttr: 'N' }],
  outputs: [{ name: 'sum', typeAttr: 'T' }],
  attrs: { N: { kind: 'int' }, T: { kind: 'type', allowed: NUMBER } },
  shape: (op) => {
    // TF merges from the last input backwards, naming the input that failed.
    let cur = op.inputs[op.inputs.length - 1].shape;
    for (let i = op.inputs.length - 2; i >= 0; i--) {
      try {
        cur = mergeShapes(op.inputs[i].shape, cur);
      } catch (e) {
        throw shapeError(`${(e as Error).message.replace(/\.$/, '')}. From merging shape ${i} with other shapes.`);
      }
    }
    return [cur];
  },
});

/** tf.add_n: sums a list of same-shape tensors; a single input is returned (or named by Identity). */
export function addN(inputs: readonly TensorLike[], options: NameOption = {}): Tensor {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new InvalidArgumentError(undefined, undefined, 'inputs must be a list of at least one Tensor with the same dtype and shape');
  }
  return graphOf(inputs).asDefault(() => {
    const first = inputs.find((v) => v instanceof Tensor) as Tensor | undefined;
    const tensors = inputs.map((v) => convertToTensor(v, { preferredDtype: first?.dtype }));
    if (tensors.length === 1) return options.name ? identity(tensors[0], { name: options.name }) : tensors[0];
    if (tensors.some((t) => t.dtype !== tensors[0].dtype)) {
      throw new InvalidArgumentError(undefined, undefined,
        `Tensors in list passed to 'inputs' of 'AddN' Op have types [${tensors.map((t) => t.dtype).join(', ')}] that don't all match.`);
    }
    return applyOp1('AddN', [tensors], {}, options.name);
  });
}

// ---------- casts ----------

registerOp({
  type: 'Cast',
  inputs: [{ name: 'x', typeAttr: 'SrcT' }],
  outputs: [{ name: 'y', typeAttr: 'DstT' }],
  attrs: { SrcT: { kind: 'type' }, DstT: { kind: 'type' }, Truncate: { kind: 'bool', default: false } },
  shape: unchangedShape,
});

// Shape functions see through casts of constants (TF1's constant_value handles Cast too).
registerConstantFolder('Cast', (t) => {
  const v = constantValue(t.op.inputs[0]);
  if (!v || v.dtype === 'string' || t.dtype === 'string') return undefined;
  const out = NDArray.zeros(t.dtype, v.shape);
  const info = dtypeInfo(t.dtype);
  for (let i = 0; i < v.size; i++) {
    let x = Number(v.flatGet(i));
    if (t.dtype === 'bool') x = x !== 0 ? 1 : 0;
    else if (info.isInteger) {
      if (!Number.isFinite(x)) return undefined;
      x = Math.trunc(x);
    }
    if (out.data instanceof BigInt64Array) out.data[i] = BigInt(x);
    else (out.data as Float64Array)[i] = x;
  }
  return out;
});

function checkDType(dtype: unknown): DType {
  if (!isDType(dtype)) throw new InvalidArgumentError(undefined, undefined, `Unknown dtype '${String(dtype)}'`);
  return dtype;
}

/** tf.cast(x, dtype): a Cast op (node "Cast"); a tensor already of `dtype` is returned as is. */
export function cast(x: TensorLike, dtype: DType, options: { name?: string; truncate?: boolean } = {}): Tensor {
  checkDType(dtype);
  if (x instanceof Tensor && x.dtype === dtype) return x;
  return nameScope(options.name, { defaultName: 'Cast', values: [x] }, (scope) => {
    const t = convertToTensor(x, { name: 'x' });
    if (t.dtype === dtype) return t;
    return applyOp1('Cast', [t], { DstT: dtype, Truncate: options.truncate ?? false }, scope);
  });
}

/** Value range of a dtype; int64's is the true one (dtypeInfo keeps it to safe integers). */
function dtypeRange(dtype: DType): [number, number] {
  if (dtype === 'bool' || dtype === 'string') {
    throw new InvalidArgumentError(undefined, undefined, `Cannot find minimum value of ${dtype}.`);
  }
  if (dtype === 'int64') return [-(2 ** 63), 2 ** 63 - 1];
  const i = dtypeInfo(dtype);
  return [i.min, i.max];
}

/** tf.saturate_cast: clamps to the target's range before casting (scope "saturate_cast"). */
export function saturateCast(value: TensorLike, dtype: DType, options: NameOption = {}): Tensor {
  checkDType(dtype);
  return nameScope(options.name, { defaultName: 'saturate_cast', values: [value] }, (scope) => {
    let v = convertToTensor(value, { name: 'value' });
    const [fromMin, fromMax] = dtypeRange(v.dtype);
    const [toMin, toMax] = dtypeRange(dtype);
    if (fromMin < toMin) v = applyOp1('Maximum', [v, constant(toMin, { dtype: v.dtype, name: 'min' })]);
    if (fromMax > toMax) v = applyOp1('Minimum', [v, constant(toMax, { dtype: v.dtype, name: 'max' })]);
    return cast(v, dtype, { name: scope });
  });
}

// ---------- matrix products ----------

/** Shape of a 2-D matmul (MatMul, _FusedMatMul), with its transpose attrs. */
function matMulShape(op: Operation): ShapeLike[] {
  const a = withRank(op.inputs[0].shape, 2);
  const b = withRank(op.inputs[1].shape, 2);
  const ta = op.getAttr('transpose_a') as boolean;
  const tb = op.getAttr('transpose_b') as boolean;
  mergeDim(a.dim(ta ? 0 : 1), b.dim(tb ? 1 : 0));
  return [[a.dim(ta ? 1 : 0), b.dim(tb ? 0 : 1)]];
}

registerOp({
  type: 'MatMul',
  inputs: [{ name: 'a', typeAttr: 'T' }, { name: 'b', typeAttr: 'T' }],
  outputs: [{ name: 'product', typeAttr: 'T' }],
  attrs: {
    transpose_a: { kind: 'bool', default: false },
    transpose_b: { kind: 'bool', default: false },
    T: { kind: 'type', allowed: FLOAT_INT32_64 },
  },
  shape: matMulShape,
});

// The runtime's remapper (native/runtime/remapper.cc) rewrites MatMul+BiasAdd(+Relu) into
// this node when it builds an executor; TF's internal op of the same name and attrs.
registerOp({
  type: '_FusedMatMul',
  inputs: [{ name: 'a', typeAttr: 'T' }, { name: 'b', typeAttr: 'T' }, { name: 'args', typeAttr: 'T', numberAttr: 'num_args' }],
  outputs: [{ name: 'product', typeAttr: 'T' }],
  attrs: {
    transpose_a: { kind: 'bool', default: false },
    transpose_b: { kind: 'bool', default: false },
    T: { kind: 'type', allowed: ['float32'] },
    num_args: { kind: 'int', default: 0 },
    fused_ops: { kind: 'list(string)', default: [] },
    epsilon: { kind: 'float', default: 0.0001 },
    leakyrelu_alpha: { kind: 'float', default: 0.2 },
  },
  shape: matMulShape,
});

/** Shape of a batch matmul; `broadcast` says whether batch dims broadcast (V2) or must match. */
function batchMatMulShape(broadcast: boolean) {
  return (op: Operation): ShapeLike[] => {
    const a = withRankAtLeast(op.inputs[0].shape, 2);
    const b = withRankAtLeast(op.inputs[1].shape, 2);
    const adjX = op.getAttr('adj_x') as boolean;
    const adjY = op.getAttr('adj_y') as boolean;
    const rows = dimFromEnd(a, adjX ? 1 : 2);
    const cols = dimFromEnd(b, adjY ? 2 : 1);
    mergeDim(dimFromEnd(a, adjX ? 2 : 1), dimFromEnd(b, adjY ? 1 : 2));
    if (a.dims === null || b.dims === null) return [TensorShape.unknown()];
    const ba = new TensorShape(a.dims.slice(0, -2));
    const bb = new TensorShape(b.dims.slice(0, -2));
    const batch = broadcast ? broadcastShapes(ba, bb) : mergeShapes(ba, bb);
    return [batch.concatenate([rows, cols])];
  };
}

for (const [type, broadcast] of [['BatchMatMul', false], ['BatchMatMulV2', true]] as const) {
  registerOp({
    type,
    inputs: [{ name: 'x', typeAttr: 'T' }, { name: 'y', typeAttr: 'T' }],
    outputs: [{ name: 'output', typeAttr: 'T' }],
    attrs: {
      T: { kind: 'type', allowed: FLOAT_INT32_64 },
      adj_x: { kind: 'bool', default: false },
      adj_y: { kind: 'bool', default: false },
    },
    shape: batchMatMulShape(broadcast),
  });
}

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  adjointA?: boolean;
  adjointB?: boolean;
  /** Accepted for TF1 compatibility; a hint only (no SparseMatMul), the product is the same. */
  aIsSparse?: boolean;
  bIsSparse?: boolean;
  name?: string;
}

/**
 * tf.matmul(a, b): MatMul for matrices; BatchMatMulV2 (transposes become adjoints, the same for
 * real types) when either input has rank > 2 or unknown rank, as TF 1.15 does.
 */
export function matmul(a: TensorLike, b: TensorLike, options: MatmulOptions = {}): Tensor {
  const { transposeA = false, transposeB = false, adjointA = false, adjointB = false } = options;
  if (transposeA && adjointA) throw new InvalidArgumentError(undefined, undefined, 'Only one of transpose_a and adjoint_a can be True.');
  if (transposeB && adjointB) throw new InvalidArgumentError(undefined, undefined, 'Only one of transpose_b and adjoint_b can be True.');
  return nameScope(options.name, { defaultName: 'MatMul', values: [a, b] }, (scope) => {
    const at = convertToTensor(a, { name: 'a', preferredDtype: b instanceof Tensor ? b.dtype : undefined });
    const bt = convertToTensor(b, { name: 'b', preferredDtype: at.dtype });
    const ra = at.shape.rank;
    const rb = bt.shape.rank;
    const ta = transposeA || adjointA;
    const tb = transposeB || adjointB;
    if (ra === undefined || rb === undefined || ra > 2 || rb > 2) {
      return applyOp1('BatchMatMulV2', [at, bt], { adj_x: ta, adj_y: tb }, scope);
    }
    return applyOp1('MatMul', [at, bt], { transpose_a: ta, transpose_b: tb }, scope);
  });
}

/** BatchMatMulV2 directly: batched x @ y with broadcast batch dims (node "BatchMatMulV2"). */
export function batchMatmul(x: TensorLike, y: TensorLike, options: { adjX?: boolean; adjY?: boolean; name?: string } = {}): Tensor {
  return applyOp1('BatchMatMulV2', [x, y], { adj_x: options.adjX ?? false, adj_y: options.adjY ?? false }, options.name);
}

registerOp({
  type: 'MatrixInverse',
  inputs: [{ name: 'input', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { adjoint: { kind: 'bool', default: false }, T: { kind: 'type', allowed: ['float64', 'float32', 'float16'] } },
  shape: (op) => {
    // Batches of square matrices: [..., n, n].
    const s = withRankAtLeast(op.inputs[0].shape, 2);
    if (s.dims === null) return [TensorShape.unknown()];
    const n = mergeDim(s.dim(-2), s.dim(-1));
    return [[...s.dims.slice(0, -2), n, n]];
  },
});

/** tf.matrix_inverse(input, {adjoint}). */
export function matrixInverse(input: TensorLike, options: { adjoint?: boolean; name?: string } = {}): Tensor {
  return applyOp1('MatrixInverse', [input], { adjoint: options.adjoint ?? false }, options.name);
}

// ---------- scans ----------

for (const type of ['Cumsum', 'Cumprod']) {
  registerOp({
    type,
    inputs: [{ name: 'x', typeAttr: 'T' }, { name: 'axis', typeAttr: 'Tidx' }],
    outputs: [{ name: 'out', typeAttr: 'T' }],
    attrs: {
      exclusive: { kind: 'bool', default: false },
      reverse: { kind: 'bool', default: false },
      T: { kind: 'type', allowed: NUMBER },
      Tidx: { kind: 'type', allowed: INDEX, default: 'int32' },
    },
    shape: (op) => {
      withRank(op.inputs[1].shape, 0);
      return unchangedShape(op);
    },
  });
}

export interface ScanOptions {
  axis?: TensorLike;
  exclusive?: boolean;
  reverse?: boolean;
  name?: string;
}

function scan(type: string, x: TensorLike, options: ScanOptions): Tensor {
  return applyOp1(type, [x, options.axis ?? 0], { exclusive: options.exclusive ?? false, reverse: options.reverse ?? false }, options.name);
}

/** tf.cumsum(x, {axis = 0, exclusive, reverse}). */
export function cumsum(x: TensorLike, options: ScanOptions = {}): Tensor {
  return scan('Cumsum', x, options);
}

/** tf.cumprod(x, {axis = 0, exclusive, reverse}). */
export function cumprod(x: TensorLike, options: ScanOptions = {}): Tensor {
  return scan('Cumprod', x, options);
}

// ---------- reductions ----------

/** TF's ReductionShape: uses the axes' value when it is known at construction time. */
function reductionShape(op: Operation): ShapeLike[] {
  const input = op.inputs[0].shape;
  withRankAtMost(op.inputs[1].shape, 1);
  const keepDims = op.getAttr('keep_dims') as boolean;
  const axes = constantInts(op.inputs[1]);
  if (!axes || input.dims === null) {
    return [keepDims && input.dims !== null ? TensorShape.unknownOfRank(input.dims.length) : TensorShape.unknown()];
  }
  const rank = input.dims.length;
  const reduced = new Set<number>();
  for (const a of axes) {
    if (a < -rank || a >= rank) throw shapeError(`Invalid reduction dimension ${a} for input with ${rank} dimensions.`);
    reduced.add(a < 0 ? a + rank : a);
  }
  const dims: Dim[] = [];
  input.dims.forEach((d, i) => {
    if (!reduced.has(i)) dims.push(d);
    else if (keepDims) dims.push(1);
  });
  return [dims];
}

const REDUCTIONS: [string, DType[] | 'bool'][] = [
  ['Sum', NUMBER], ['Mean', NUMBER], ['Prod', NUMBER], ['Max', NUMBER], ['Min', NUMBER], ['All', 'bool'], ['Any', 'bool'],
];
for (const [type, allowed] of REDUCTIONS) {
  const logical = allowed === 'bool';
  registerOp({
    type,
    inputs: [logical ? { name: 'input', type: 'bool' } : { name: 'input', typeAttr: 'T' }, { name: 'reduction_indices', typeAttr: 'Tidx' }],
    outputs: [logical ? { name: 'output', type: 'bool' } : { name: 'output', typeAttr: 'T' }],
    attrs: {
      keep_dims: { kind: 'bool', default: false },
      ...(logical ? {} : { T: { kind: 'type' as const, allowed: allowed as DType[] } }),
      Tidx: { kind: 'type', allowed: INDEX, default: 'int32' },
    },
    shape: reductionShape,
  });
}

export interface ReduceOptions {
  /** Axes to reduce (number, array or int tensor); all of them when undefined. */
  axis?: TensorLike;
  keepDims?: boolean;
  /** TF1's newer spelling of keepDims. */
  keepdims?: boolean;
  name?: string;
}

/**
 * TF1's _ReductionDims for axis=None: a Const [0..rank) created outside the op's scope, or
 * Range(0, Rank(x)) when the rank is unknown.
 */
function allAxes(x: Tensor): Tensor {
  const rank = x.shape.rank;
  if (rank !== undefined) return constant(Int32Array.from({ length: rank }, (_, i) => i), { dtype: 'int32' });
  for (const type of ['Rank', 'Range']) {
    if (!hasOpDef(type)) throw new InvalidArgumentError(undefined, undefined, `Reducing a tensor of unknown rank needs the ${type} op, which is not registered`);
  }
  const r = applyOp1('Rank', [x]);
  return nameScope('range', (scope) => {
    const start = constant(0, { name: 'start' });
    const delta = constant(1, { name: 'delta' });
    return applyOp1('Range', [start, r, delta], {}, scope);
  });
}

function reduce(type: string, input: TensorLike, options: ReduceOptions): Tensor {
  return graphOf([input]).asDefault(() => {
    const keepDims = options.keepDims ?? options.keepdims ?? false;
    let axis = options.axis;
    let x = input;
    // An empty JS list would infer float32; TF1 converts it with Tidx's default, int32.
    if (Array.isArray(axis) && axis.length === 0) axis = new Int32Array(0);
    if (axis === undefined || axis === null) {
      x = convertToTensor(input);
      axis = allAxes(x);
    }
    const out = applyOp1(type, [x, axis], { keep_dims: keepDims }, options.name);
    // TF1's _may_reduce_to_scalar: reducing everything without keepDims gives a scalar.
    if ((options.axis === undefined || options.axis === null) && !keepDims && !out.shape.isFullyDefined()) out.setShape([]);
    return out;
  });
}

/** tf.reduce_sum(input, {axis, keepDims, name}) (node "Sum"). */
export function reduceSum(input: TensorLike, options: ReduceOptions = {}): Tensor {
  return reduce('Sum', input, options);
}
export function reduceMean(input: TensorLike, options: ReduceOptions = {}): Tensor {
  return reduce('Mean', input, options);
}
export function reduceMax(input: TensorLike, options: ReduceOptions = {}): Tensor {
  return reduce('Max', input, options);
}
export function reduceMin(input: TensorLike, options: ReduceOptions = {}): Tensor {
  return reduce('Min', input, options);
}
export function reduceProd(input: TensorLike, options: ReduceOptions = {}): Tensor {
  return reduce('Prod', input, options);
}
export function reduceAll(input: TensorLike, options: ReduceOptions = {}): Tensor {
  return reduce('All', input, options);
}
export function reduceAny(input: TensorLike, options: ReduceOptions = {}): Tensor {
  return reduce('Any', input, options);
}

/**
 * tf.count_nonzero: Sum(Cast(NotEqual(x, 0), int64)) under the scope "count_nonzero", then
 * cast to `dtype` (default int64).
 */
export function countNonzero(input: TensorLike, options: ReduceOptions & { dtype?: DType } = {}): Tensor {
  return nameScope(options.name, { defaultName: 'count_nonzero', values: [input] }, () => {
    const x = convertToTensor(input, { name: 'input_tensor' });
    const zero = constant(x.dtype === 'string' ? '' : x.dtype === 'bool' ? false : 0, { dtype: x.dtype, name: 'zeros' });
    const nonzero = cast(notEqual(x, zero), 'int64');
    const counts = reduceSum(nonzero, { axis: options.axis, keepDims: options.keepDims ?? options.keepdims });
    return cast(counts, options.dtype ?? 'int64');
  });
}

// ---------- arg max / min ----------

function argShape(op: Operation): ShapeLike[] {
  withRank(op.inputs[1].shape, 0);
  const input = op.inputs[0].shape;
  if (input.dims === null) return [TensorShape.unknown()];
  const rank = input.dims.length;
  if (rank <= 1) return [TensorShape.scalar()];
  const d = constantInts(op.inputs[1]);
  if (!d) return [TensorShape.unknownOfRank(rank - 1)];
  const axis = d[0] < 0 ? d[0] + rank : d[0];
  if (axis < 0 || axis >= rank) {
    throw shapeError(`Dimension (${d[0]}) must be in the range [${-rank}, ${rank}), where ${rank} is the number of dimensions in the input.`);
  }
  return [input.dims.filter((_, i) => i !== axis)];
}

for (const type of ['ArgMax', 'ArgMin']) {
  registerOp({
    type,
    inputs: [{ name: 'input', typeAttr: 'T' }, { name: 'dimension', typeAttr: 'Tidx' }],
    outputs: [{ name: 'output', typeAttr: 'output_type' }],
    attrs: {
      T: { kind: 'type', allowed: NUMBER },
      Tidx: { kind: 'type', allowed: INDEX, default: 'int32' },
      output_type: { kind: 'type', allowed: INDEX, default: 'int64' },
    },
    shape: argShape,
  });
}

export interface ArgOptions {
  /** Axis to reduce; 0 when undefined, as TF1. */
  axis?: TensorLike;
  outputType?: DType;
  name?: string;
}

/** tf.argmax(input, {axis = 0, outputType = int64, name}) (node "ArgMax"). */
export function argmax(input: TensorLike, options: ArgOptions = {}): Tensor {
  return applyOp1('ArgMax', [input, options.axis ?? 0], { output_type: options.outputType ?? 'int64' }, options.name);
}

/** tf.argmin(input, {axis = 0, outputType = int64, name}) (node "ArgMin"). */
export function argmin(input: TensorLike, options: ArgOptions = {}): Tensor {
  return applyOp1('ArgMin', [input, options.axis ?? 0], { output_type: options.outputType ?? 'int64' }, options.name);
}

// =====================================================================================
// Segment reductions
// =====================================================================================

function err(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

registerOp({
  type: 'UnsortedSegmentSum',
  inputs: [{ name: 'data', typeAttr: 'T' }, { name: 'segment_ids', typeAttr: 'Tindices' }, { name: 'num_segments', typeAttr: 'Tnumsegments' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: {
    T: { kind: 'type', allowed: NUMERIC_DTYPES },
    Tindices: { kind: 'type', allowed: INDEX },
    Tnumsegments: { kind: 'type', default: 'int32', allowed: INDEX },
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

