// Constant folding for shape functions (TF's TryEvaluateConstant): folders let a shape
// function see through ops whose inputs are known constants (a Reshape of a Const, a slice
// of a known shape, ...). Each op module registers the folders of its ops with these helpers.
import { constantValue, registerConstantFolder } from './constant_value.js';
import type { DType } from './dtypes.js';
import { NDArray } from './ndarray.js';
import type { Tensor } from './tensor.js';

/** Largest result a folder computes; beyond it the value is left unknown. */
export const MAX_FOLD_ELEMENTS = 1 << 16;

export function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function rowStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export type Elems = { [i: number]: unknown; length: number };

/** out[k] = src[index], iterating the cartesian product of per-dimension source indices. */
export function takeIndices(src: NDArray, idx: number[][], outShape: readonly number[]): NDArray | undefined {
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

export const iota = (n: number, start = 0, step = 1) => Array.from({ length: n }, (_, i) => start + i * step);

/** A tensor with the same data as a constant input and its own (fully defined) shape. */
export function foldSameData(t: Tensor): NDArray | undefined {
  const v = constantValue(t.op.inputs[0]);
  if (!v || !t.shape.isFullyDefined()) return undefined;
  const dims = t.shape.dims as number[];
  return product(dims) === v.size ? new NDArray(v.dtype, dims, v.data) : undefined;
}

/** Registers a folder; a folder never throws (the value is then just not known). */
export function folder(type: string, fn: (t: Tensor) => NDArray | undefined): void {
  registerConstantFolder(type, (t) => {
    try {
      return fn(t);
    } catch {
      return undefined;
    }
  });
}

export function filled(dtype: DType, shape: readonly number[], value: unknown): NDArray | undefined {
  if (product(shape) > MAX_FOLD_ELEMENTS) return undefined;
  const out = NDArray.zeros(dtype, shape);
  (out.data as unknown as { fill(v: unknown): void }).fill(value);
  return out;
}

