// Data types: string literals as in the contract, with what the runtime needs to know of each.
import { DataType } from '../generated/graph_generated.js';

export type DType =
  | 'float32' | 'float64' | 'float16' | 'bfloat16'
  | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8'
  | 'bool' | 'string'
  /** A resource handle (TF's DT_RESOURCE): queues and readers; a scalar of bytes. */
  | 'resource';

export const float32 = 'float32' as const;
export const float64 = 'float64' as const;
export const float16 = 'float16' as const;
export const bfloat16 = 'bfloat16' as const;
export const int8 = 'int8' as const;
export const int16 = 'int16' as const;
export const int32 = 'int32' as const;
export const int64 = 'int64' as const;
export const uint8 = 'uint8' as const;
export const bool = 'bool' as const;
export const string = 'string' as const;
export const resource = 'resource' as const;
/** TF1 aliases. */
export const float = float32;
export const double = float64;
export const half = float16;

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array
  | BigInt64Array | Uint8Array | Uint16Array;

interface DTypeInfo {
  /** Number in TensorFlow's DataType enum (and our schema). */
  readonly enumValue: DataType;
  /** Bytes per element in the runtime (0 for strings). */
  readonly size: number;
  /** JS array type holding values in an NDArray (float16/bfloat16 hold float32 values). */
  readonly array: (new (n: number) => TypedArray) | null;
  readonly isFloating: boolean;
  readonly isInteger: boolean;
  readonly min: number;
  readonly max: number;
}

const info: Record<DType, DTypeInfo> = {
  float32: { enumValue: DataType.DT_FLOAT, size: 4, array: Float32Array, isFloating: true, isInteger: false, min: -3.4028234663852886e38, max: 3.4028234663852886e38 },
  float64: { enumValue: DataType.DT_DOUBLE, size: 8, array: Float64Array, isFloating: true, isInteger: false, min: -Number.MAX_VALUE, max: Number.MAX_VALUE },
  float16: { enumValue: DataType.DT_HALF, size: 2, array: Float32Array, isFloating: true, isInteger: false, min: -65504, max: 65504 },
  bfloat16: { enumValue: DataType.DT_BFLOAT16, size: 2, array: Float32Array, isFloating: true, isInteger: false, min: -3.3895313892515355e38, max: 3.3895313892515355e38 },
  int8: { enumValue: DataType.DT_INT8, size: 1, array: Int8Array, isFloating: false, isInteger: true, min: -128, max: 127 },
  int16: { enumValue: DataType.DT_INT16, size: 2, array: Int16Array, isFloating: false, isInteger: true, min: -32768, max: 32767 },
  int32: { enumValue: DataType.DT_INT32, size: 4, array: Int32Array, isFloating: false, isInteger: true, min: -2147483648, max: 2147483647 },
  int64: { enumValue: DataType.DT_INT64, size: 8, array: BigInt64Array, isFloating: false, isInteger: true, min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  uint8: { enumValue: DataType.DT_UINT8, size: 1, array: Uint8Array, isFloating: false, isInteger: true, min: 0, max: 255 },
  bool: { enumValue: DataType.DT_BOOL, size: 1, array: Uint8Array, isFloating: false, isInteger: false, min: 0, max: 1 },
  string: { enumValue: DataType.DT_STRING, size: 0, array: null, isFloating: false, isInteger: false, min: 0, max: 0 },
  resource: { enumValue: DataType.DT_RESOURCE, size: 0, array: null, isFloating: false, isInteger: false, min: 0, max: 0 },
};

/** The value dtypes (resource handles are not values ops compute on). */
export const ALL_DTYPES = (Object.keys(info) as DType[]).filter((d) => d !== 'resource');
export const FLOATING_DTYPES: DType[] = ['float16', 'bfloat16', 'float32', 'float64'];
export const INTEGER_DTYPES: DType[] = ['int8', 'int16', 'int32', 'int64', 'uint8'];
export const NUMERIC_DTYPES: DType[] = [...FLOATING_DTYPES, ...INTEGER_DTYPES];
/** Types with an order (TF's realnumbertypes). */
export const REAL_DTYPES: DType[] = NUMERIC_DTYPES;

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(info, x);
}

export function dtypeInfo(dtype: DType): DTypeInfo {
  const i = info[dtype];
  if (!i) throw new TypeError(`Unknown dtype '${String(dtype)}'`);
  return i;
}

export const isFloating = (d: DType) => dtypeInfo(d).isFloating;
export const isInteger = (d: DType) => dtypeInfo(d).isInteger;
/** Elements are byte strings (string values, resource handles). */
export const holdsBytes = (d: DType) => d === 'string' || d === 'resource';

const byEnum = new Map<number, DType>((Object.keys(info) as DType[]).map((d) => [info[d].enumValue, d]));

export function dtypeToEnum(dtype: DType): DataType {
  return dtypeInfo(dtype).enumValue;
}

export function dtypeFromEnum(value: number): DType {
  const d = byEnum.get(value);
  if (!d) throw new TypeError(`Unsupported DataType enum value ${value}`);
  return d;
}

/** TF's short names, used in messages ("float", "int32"...). */
export function tfTypeName(dtype: DType): string {
  return dtype === 'float32' ? 'float' : dtype === 'float64' ? 'double' : dtype === 'float16' ? 'half' : dtype;
}
