// Packing NDArray values into the little-endian bytes the schema and the runtime use, and
// back. The one place host values cross into binary form (GraphDef constants, feeds, fetches).
import { type DType, type TypedArray, dtypeInfo, holdsBytes } from './dtypes.js';
import { DataLossError } from './errors.js';
import { bytesOfStrings, NDArray, stringsOfBytes } from './ndarray.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 value -> IEEE half bits, round to nearest even. */
export function toHalfBits(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++; // a carry rounds into the exponent
  return sign | half;
}

export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** float32 value -> bfloat16 bits, round to nearest even. */
export function toBfloat16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0];
  if ((x & 0x7fffffff) > 0x7f800000) return (x >>> 16) | 0x40;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export function fromBfloat16Bits(b: number): number {
  u32[0] = b << 16;
  return f32[0];
}

/** Raw bytes of a numeric NDArray (a view, no copy, when the layout already matches). */
export function ndarrayToBytes(arr: NDArray): Uint8Array {
  const { dtype, data } = arr;
  if (holdsBytes(dtype)) throw new TypeError('string tensors have no packed bytes; use stringsToBytes');
  if (dtype === 'float16' || dtype === 'bfloat16') {
    const conv = dtype === 'float16' ? toHalfBits : toBfloat16Bits;
    const out = new Uint16Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = conv((data as Float32Array)[i]);
    return new Uint8Array(out.buffer);
  }
  const t = data as TypedArray;
  return new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
}

/**
 * Bytes of string elements: the exact bytes a string[] view of an NDArray came from (strings
 * are bytes: a value read from a file is never re-encoded), else UTF-8.
 */
export function stringsToBytes(values: readonly string[]): Uint8Array[] {
  return bytesOfStrings(values);
}

/** The UTF-8 view of byte strings; the view carries the bytes (see stringsToBytes). */
export function bytesToStrings(values: readonly Uint8Array[]): string[] {
  return stringsOfBytes(values);
}

/**
 * An NDArray over packed bytes. Copied by default (so it does not pin a larger buffer);
 * `adopt` views bytes that nobody else holds (fresh run results) without a copy.
 */
export function ndarrayFromBytes(dtype: DType, shape: readonly number[], bytes: Uint8Array, adopt = false): NDArray {
  // Byte-string elements (resource handles from the runtime arrive as one Buffer each).
  if (holdsBytes(dtype) && Array.isArray(bytes)) return new NDArray(dtype, shape, bytes as Uint8Array[]);
  const info = dtypeInfo(dtype);
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== size * info.size) {
    throw new DataLossError(undefined, undefined,
      `tensor of dtype ${dtype} and shape [${shape.join(',')}] needs ${size * info.size} bytes, got ${bytes.byteLength}`);
  }
  const aligned = bytes.byteOffset % Math.max(1, info.size) === 0;
  const copy = adopt && aligned ? bytes : bytes.slice();
  if (dtype === 'float16' || dtype === 'bfloat16') {
    const bits = new Uint16Array(copy.buffer, copy.byteOffset, size);
    const conv = dtype === 'float16' ? fromHalfBits : fromBfloat16Bits;
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = conv(bits[i]);
    return new NDArray(dtype, shape, out);
  }
  const Ctor = info.array as unknown as new (b: ArrayBuffer, o: number, n: number) => TypedArray;
  return new NDArray(dtype, shape, new Ctor(copy.buffer as ArrayBuffer, copy.byteOffset, size));
}
