// NDArray: a dense host value (what Session.run returns and what constants and feeds hold),
// plus the conversion of JS values (numbers, nested arrays, TypedArrays) into one.
import { type DType, type TypedArray, dtypeInfo, holdsBytes, isDType } from './dtypes.js';
import { InvalidArgumentError } from './errors.js';

export type Scalar = number | boolean | string | bigint;
export type NestedArray = Scalar | readonly NestedArray[];
/** Nested arrays of byte strings (Uint8Array/Buffer elements of a string tensor). */
export type NestedBytes = Uint8Array | readonly (NestedBytes | string)[];
/** Values convertible to a tensor: JS scalars, nested arrays, TypedArrays, NDArrays, byte strings. */
export type ValueLike = NestedArray | TypedArray | NDArray | NestedBytes;

// ---------- strings are bytes ----------

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();
/** Hidden on a string[] view: the exact bytes it was decoded from (or encodes to). */
const BYTES = Symbol('tensorgraph.bytes');

type Tagged = string[] & { [BYTES]?: Uint8Array[] };

/** A plain Uint8Array view of bytes (Buffers included), no copy. */
function plainBytes(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The UTF-8 view of byte strings, carrying the bytes themselves so nothing re-encodes them. */
export function stringsOfBytes(bytes: readonly Uint8Array[]): string[] {
  const plain = bytes.map(plainBytes);
  const strings = plain.map((b) => utf8Decoder.decode(b)) as Tagged;
  Object.defineProperty(strings, BYTES, { value: plain, enumerable: false });
  return strings;
}

/** Exact bytes of a string[] view (the ones it came from), else its UTF-8 encoding. */
export function bytesOfStrings(strings: readonly string[]): Uint8Array[] {
  const tagged = (strings as Tagged)[BYTES];
  if (tagged && tagged.length === strings.length) return tagged;
  return strings.map((x) => utf8Encoder.encode(x));
}

/** Storage of a byte-string array from strings and/or byte strings. */
function byteStrings(values: readonly unknown[]): string[] {
  if (values.every((v) => typeof v === 'string')) {
    const tagged = (values as Tagged)[BYTES];
    if (tagged && tagged.length === values.length) return values as string[];
    return stringsOfBytes(values.map((v) => utf8Encoder.encode(v as string)));
  }
  return stringsOfBytes(values.map((v) => {
    if (typeof v === 'string') return utf8Encoder.encode(v);
    if (v instanceof Uint8Array) return v;
    throw new InvalidArgumentError(undefined, undefined, `Expected string or bytes, got ${String(v)} of type '${typeof v}' instead.`);
  }));
}

const NO_DIMS: readonly number[] = Object.freeze([]);

export class NDArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  /**
   * Row-major values; string[] for strings (the UTF-8 view of `bytes`), Float32Array for
   * float16/bfloat16, Uint8Array for bool.
   */
  readonly data: TypedArray | string[];

  /**
   * String (and resource) arrays: `data` may hold strings, byte strings (Uint8Array/Buffer) or
   * both; the exact bytes are kept in `bytes` and `data` is their UTF-8 view.
   */
  constructor(dtype: DType, shape: readonly number[], data: TypedArray | string[] | readonly (string | Uint8Array)[]) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new InvalidArgumentError(undefined, undefined, `NDArray of shape [${shape.join(',')}] needs ${size} values, got ${data.length}`);
    }
    this.dtype = dtype;
    // A frozen shape (the placeholder's, another array's) is shared rather than copied.
    this.shape = shape.length === 0 ? NO_DIMS : Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this.data = holdsBytes(dtype) ? byteStrings(data as readonly unknown[]) : (data as TypedArray);
  }

  /** Exact bytes of each element of a string (or resource) array: never re-encoded. */
  get bytes(): Uint8Array[] {
    if (!holdsBytes(this.dtype)) throw new TypeError(`NDArray of dtype ${this.dtype} has no byte strings; use data`);
    return bytesOfStrings(this.data as string[]);
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Zero-filled array of a dtype and shape. */
  static zeros(dtype: DType, shape: readonly number[]): NDArray {
    const size = shape.reduce((a, b) => a * b, 1);
    const ctor = dtypeInfo(dtype).array;
    return new NDArray(dtype, shape, ctor ? new ctor(size) : new Array<string>(size).fill(''));
  }

  /** Converts a JS value; see `toNDArray`. */
  static from(value: ValueLike, dtype?: DType, shape?: readonly number[]): NDArray {
    return toNDArray(value, { dtype, shape });
  }

  /** The element at a flat index as a JS value (int64 as number, bool as boolean). */
  flatGet(i: number): number | boolean | string {
    const v = this.data[i];
    if (this.dtype === 'bool') return v !== 0;
    if (typeof v === 'bigint') return Number(v);
    return v as number | string;
  }

  get(...index: number[]): number | boolean | string {
    if (index.length !== this.shape.length) {
      throw new InvalidArgumentError(undefined, undefined, `get() needs ${this.shape.length} indices, got ${index.length}`);
    }
    let flat = 0;
    for (let i = 0; i < index.length; i++) {
      const d = this.shape[i];
      const k = index[i] < 0 ? index[i] + d : index[i];
      if (!(k >= 0 && k < d)) throw new InvalidArgumentError(undefined, undefined, `index ${index[i]} is out of bounds for axis ${i} with size ${d}`);
      flat = flat * d + k;
    }
    return this.flatGet(flat);
  }

  /** The single value of a rank-0 or size-1 array. */
  item(): number | boolean | string {
    if (this.size !== 1) throw new InvalidArgumentError(undefined, undefined, `item() needs an array of size 1, this one has size ${this.size}`);
    return this.flatGet(0);
  }

  /** Nested JS arrays (a plain value for rank 0). */
  toArray(): NestedArray {
    let pos = 0;
    const build = (axis: number): NestedArray => {
      if (axis === this.shape.length) return this.flatGet(pos++);
      const out: NestedArray[] = new Array(this.shape[axis]);
      for (let i = 0; i < this.shape[axis]; i++) out[i] = build(axis + 1);
      return out;
    };
    return build(0);
  }

  /** numpy-like rendering: `[[1. 2.]\n [3. 4.]]`. */
  toString(): string {
    const fmt = (i: number): string => {
      const v = this.flatGet(i);
      if (typeof v === 'string') return `'${v}'`;
      if (typeof v === 'boolean') return v ? 'True' : 'False';
      if (dtypeInfo(this.dtype).isFloating) return Number.isInteger(v) ? `${v}.` : String(Math.fround(v) === v ? +v.toPrecision(8) : v);
      return String(v);
    };
    if (this.shape.length === 0) return fmt(0);
    let pos = 0;
    const build = (axis: number, indent: string): string => {
      if (axis === this.shape.length - 1) {
        const parts: string[] = [];
        for (let i = 0; i < this.shape[axis]; i++) parts.push(fmt(pos++));
        return `[${parts.join(' ')}]`;
      }
      const rows: string[] = [];
      for (let i = 0; i < this.shape[axis]; i++) rows.push(build(axis + 1, indent + ' '));
      return `[${rows.join('\n'.repeat(this.shape.length - 1 - axis) + indent + ' ')}]`;
    };
    return build(0, '');
  }
}

// ---------- conversion of JS values ----------

function typedArrayDType(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  throw new InvalidArgumentError(undefined, undefined, `Unsupported typed array ${(a as object).constructor.name}`);
}

function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/** Shape of a nested array, checking it is rectangular. */
function nestedShape(value: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  const check = (x: NestedArray, axis: number): void => {
    if (axis === shape.length) {
      if (Array.isArray(x)) throw ragged();
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[axis]) throw ragged();
    for (const e of x) check(e, axis + 1);
  };
  const ragged = () => new InvalidArgumentError(undefined, undefined,
    `Argument must be a dense tensor: ${JSON.stringify(value, (_k, x) => (typeof x === 'bigint' ? String(x) : x))} is ragged (expected shape [${shape.join(', ')}])`);
  check(value, 0);
  return shape;
}

function flatten(value: NestedArray, out: Scalar[]): void {
  if (Array.isArray(value)) for (const v of value) flatten(v, out);
  else out.push(value as Scalar);
}

/** The dtype JS values infer to: bool, string, int32 (all integers in range), int64, else float32. */
export function inferDType(values: readonly Scalar[]): DType {
  if (values.length === 0) return 'float32';
  if ((values[0] as unknown) instanceof Uint8Array) return 'string';
  const first = typeof values[0];
  if (first === 'boolean') return 'bool';
  if (first === 'string') return 'string';
  if (first === 'bigint') return 'int64';
  let allInt = true;
  let fitsInt32 = true;
  for (const v of values) {
    if (typeof v !== 'number') break;
    if (!Number.isInteger(v)) { allInt = false; break; }
    if (v < -2147483648 || v > 2147483647) fitsInt32 = false;
  }
  return allInt ? (fitsInt32 ? 'int32' : 'int64') : 'float32';
}

function scalarKind(v: Scalar): string {
  if ((v as unknown) instanceof Uint8Array) return 'string';
  return typeof v === 'bigint' ? 'number' : typeof v;
}

/** Fills a TypedArray of `dtype` from JS scalars, checking each fits (TF's "Can't convert"). */
function fillArray(values: readonly Scalar[], dtype: DType, truncate = false): TypedArray | string[] {
  const info = dtypeInfo(dtype);
  if (holdsBytes(dtype)) {
    for (const v of values) {
      if (typeof v !== 'string' && !((v as unknown) instanceof Uint8Array)) {
        throw new InvalidArgumentError(undefined, undefined, `Expected string, got ${String(v)} of type '${typeof v}' instead.`);
      }
    }
    return byteStrings(values);
  }
  const out = new info.array!(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if ((v as unknown) instanceof Uint8Array) {
      throw new InvalidArgumentError(undefined, undefined, `Expected ${dtype}, got bytes of type 'Uint8Array' instead.`);
    }
    if (typeof v === 'string') {
      throw new InvalidArgumentError(undefined, undefined, `Expected ${dtype}, got '${v}' of type 'string' instead.`);
    }
    if (dtype === 'bool') {
      (out as Uint8Array)[i] = v ? 1 : 0;
      continue;
    }
    if (typeof v === 'boolean') {
      throw new InvalidArgumentError(undefined, undefined, `Expected ${dtype}, got ${v} of type 'bool' instead.`);
    }
    if (info.isInteger && typeof v === 'number' && !Number.isInteger(v)) {
      if (truncate && Number.isFinite(v)) {
        const tv = Math.trunc(v);
        if (tv < info.min || tv > info.max) throw new InvalidArgumentError(undefined, undefined, `Value ${v} out of range for ${dtype}`);
        if (out instanceof BigInt64Array) out[i] = BigInt(tv);
        else (out as Int32Array)[i] = tv;
        continue;
      }
      throw new InvalidArgumentError(undefined, undefined, `Expected ${dtype}, got ${v} of type 'float' instead.`);
    }
    if (info.isInteger && (Number(v) < info.min || Number(v) > info.max)) {
      throw new InvalidArgumentError(undefined, undefined, `Value ${String(v)} out of range for ${dtype}`);
    }
    if (out instanceof BigInt64Array) out[i] = BigInt(v);
    else (out as Float32Array)[i] = Number(v);
  }
  return out;
}

/**
 * Converts `data` of one dtype to another (host-side cast used by conversions and feeds):
 * floats truncate toward zero into integer types as numpy's astype does; values out of the
 * target's range and strings into numbers are errors.
 */
export function castData(data: TypedArray | string[], from: DType, to: DType): TypedArray | string[] {
  if (from === to) return data;
  const values: Scalar[] = Array.from(data as Iterable<Scalar>, (v) => (from === 'bool' ? v !== 0 : v));
  return fillArray(values, to, true);
}

export interface ToNDArrayOptions {
  dtype?: DType;
  shape?: readonly number[];
  /** Truncate non-integral JS numbers into integer dtypes instead of rejecting them (feeds). */
  truncate?: boolean;
}

/**
 * Converts a JS value into an NDArray, inferring the dtype as the contract says (integers ->
 * int32, otherwise float32; TypedArrays keep theirs). With `shape`, a scalar is broadcast to
 * it and a flat value of the right size is reshaped (tf.constant's rules).
 */
export function toNDArray(value: ValueLike, options: ToNDArrayOptions = {}): NDArray {
  const { dtype, shape } = options;
  if (dtype !== undefined && !isDType(dtype)) throw new InvalidArgumentError(undefined, undefined, `Unknown dtype '${String(dtype)}'`);
  let arr: NDArray;
  if (value instanceof NDArray) {
    arr = dtype && dtype !== value.dtype ? new NDArray(dtype, value.shape, castData(value.data, value.dtype, dtype)) : value;
  } else if (value instanceof Uint8Array && dtype !== undefined && holdsBytes(dtype)) {
    // One byte string (a Buffer given as a string scalar).
    arr = new NDArray(dtype, [], [value]);
  } else if (isTypedArray(value)) {
    const from = typedArrayDType(value);
    const to = dtype ?? from;
    const data = to === from ? value : castData(value, from, to);
    arr = new NDArray(to, shape ?? [value.length], data);
    if (shape) return arr;
  } else {
    const dims = nestedShape(value as NestedArray);
    const flat: Scalar[] = [];
    flatten(value as NestedArray, flat);
    if (flat.length > 1) {
      const kind = scalarKind(flat[0]);
      if (flat.some((v) => scalarKind(v) !== kind)) {
        throw new InvalidArgumentError(undefined, undefined, `Can't convert a list of mixed types (${[...new Set(flat.map((v) => typeof v))].join(', ')}) to a tensor`);
      }
    }
    const dt = dtype ?? inferDType(flat);
    arr = new NDArray(dt, dims, fillArray(flat, dt, options.truncate));
  }
  if (!shape) return arr;
  const size = shape.reduce((a, b) => a * b, 1);
  if (arr.size === size) return new NDArray(arr.dtype, shape, arr.data);
  if (arr.size === 1 && holdsBytes(arr.dtype)) return new NDArray(arr.dtype, shape, new Array<Uint8Array>(size).fill(arr.bytes[0]));
  if (arr.size === 1) {
    const ctor = dtypeInfo(arr.dtype).array;
    const data = ctor ? new ctor(size) : new Array<string>(size);
    (data as { fill(v: unknown): unknown }).fill(arr.data[0]);
    return new NDArray(arr.dtype, shape, data);
  }
  throw new InvalidArgumentError(undefined, undefined,
    `Expected a value of ${size} elements for shape [${shape.join(', ')}], got ${arr.size} elements (shape [${arr.shape.join(', ')}])`);
}
