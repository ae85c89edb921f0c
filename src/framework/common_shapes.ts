// Shape functions shared by many ops.
import { constantValue } from './constant_value.js';
import { InvalidArgumentError } from './errors.js';
import type { Tensor } from './tensor.js';
import type { Operation } from './operation.js';
import { broadcastShapes, type Dim, TensorShape, type ShapeLike } from './tensor_shape.js';

/** Output 0 has the shape of input 0 (element-wise unary ops). */
export function unchangedShape(op: Operation): ShapeLike[] {
  return [op.inputs[0].shape];
}

/** Output 0 is the broadcast of inputs 0 and 1 (element-wise binary ops). */
export function broadcastBinaryShape(op: Operation): ShapeLike[] {
  return [broadcastShapes(op.inputs[0].shape, op.inputs[1].shape)];
}

// ---------- TF's InferenceContext checks, with its error messages ----------

function shapeError(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

/** TF's WithRank: throws unless the rank is `rank` (or unknown); `what` is appended to the message. */
export function withRank(s: TensorShape, rank: number, what = ''): TensorShape {
  if (s.dims === null) return TensorShape.unknownOfRank(rank);
  if (s.dims.length !== rank) throw shapeError(`Shape must be rank ${rank} but is rank ${s.dims.length}${what}`);
  return s;
}

/** TF's WithRankAtLeast. */
export function withRankAtLeast(s: TensorShape, rank: number): TensorShape {
  if (s.dims !== null && s.dims.length < rank) throw shapeError(`Shape must be at least rank ${rank} but is rank ${s.dims.length}`);
  return s;
}

/** TF's WithRankAtMost. */
export function withRankAtMost(s: TensorShape, rank: number): TensorShape {
  if (s.dims !== null && s.dims.length > rank) throw shapeError(`Shape must be at most rank ${rank} but is rank ${s.dims.length}`);
  return s;
}

/** TF's Merge of two dimensions. */
export function mergeDim(a: Dim, b: Dim): Dim {
  if (a === null) return b;
  if (b === null || a === b) return a;
  throw shapeError(`Dimensions must be equal, but are ${a} and ${b}`);
}

/** TF's Merge of two shapes: the most specific shape compatible with both. */
export function mergeShapes(a: TensorShape, b: TensorShape): TensorShape {
  if (a.dims === null) return b;
  if (b.dims === null) return a;
  if (a.dims.length !== b.dims.length) throw shapeError(`Shapes must be equal rank, but are ${a.dims.length} and ${b.dims.length}`);
  return new TensorShape(a.dims.map((d, i) => {
    const e = b.dims![i];
    if (d !== null && e !== null && d !== e) {
      throw shapeError(`Dimension ${i} in both shapes must be equal, but are ${d} and ${e}. Shapes are ${a.toShortString()} and ${b.toShortString()}.`);
    }
    return d ?? e;
  }));
}

// ---------- TF's InferenceContext arithmetic on dims, with its error messages ----------

/** The shape of unknown rank. */
export const UNKNOWN = TensorShape.unknown();

/** Throws unless a known dim equals `value` (TF's WithValue). */
export function withValue(d: Dim, value: number): number {
  if (d !== null && d !== value) throw shapeError(`Dimension must be ${value} but is ${d}`);
  return value;
}

export function addDim(a: Dim, b: Dim): Dim {
  return a === null || b === null ? null : a + b;
}

/** TF's Multiply: 0 and 1 are exact even against an unknown dim. */
export function mulDim(a: Dim, b: Dim): Dim {
  if (a === 0 || b === 0) return 0;
  if (a === 1) return b;
  if (b === 1) return a;
  return a === null || b === null ? null : a * b;
}

export function subDim(a: Dim, b: Dim): Dim {
  if (b === 0) return a;
  if (a === null || b === null) return null;
  if (a < b) throw shapeError(`Negative dimension size caused by subtracting ${b} from ${a}`);
  return a - b;
}

export function divDim(a: Dim, b: number, evenlyDivisible: boolean): Dim {
  if (b === 1 || a === null) return a;
  if (b === 0) throw shapeError('Division by zero');
  if (evenlyDivisible && a % b !== 0) throw shapeError(`Dimension size must be evenly divisible by ${b} but is ${a}`);
  return Math.floor(a / b);
}

/** The value of a scalar (or one-element) constant input, else undefined. */
export function scalarValue(t: Tensor): number | undefined {
  const v = constantValue(t);
  return v && v.size === 1 ? Number(v.flatGet(0)) : undefined;
}

/** TF's MakeDimForScalarInputWithNegativeIndexing. */
export function axisDim(t: Tensor, rank: number | undefined): Dim {
  withRank(t.shape, 0);
  let v = scalarValue(t);
  if (v === undefined) return null;
  if (v < 0) {
    if (rank === undefined) return null;
    if (v + rank < 0) throw shapeError(`Dimension size, given by scalar input ${v} must be in range [-${rank}, ${rank})`);
    v += rank;
  } else if (rank !== undefined && v >= rank) {
    throw shapeError(`Dimension size, given by scalar input ${v} must be in range [-${rank}, ${rank})`);
  }
  return v;
}

/** Pack/Unpack's axis check (GetAxisForPackAndUnpack). */
export function packAxis(axis: number, rank: number): number {
  if (axis < -rank || axis >= rank) throw shapeError(`Invalid axis: ${axis}; must be in [${-rank},${rank})`);
  return axis < 0 ? axis + rank : axis;
}

export function shapeOf(dims: Dim[] | null): TensorShape {
  return new TensorShape(dims);
}

