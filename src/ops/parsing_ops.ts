// Parsing and file ops with TF's op defs (parsing_ops.cc, string_ops.cc, io_ops.cc; kernels in
// native/kernels/cpu/parsing_ops.cc and file_ops.cc): DecodeCSV, DecodeRaw, StringToNumber,
// StringSplit, ParseSingleExample, ParseExample, ReadFile, WriteFile, MatchingFiles.
import { type DType, isDType } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { applyOp, applyOp1, constant, convertToTensor, graphOf, type TensorLike } from '../framework/op_builder.js';
import { registerOp } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import type { Tensor } from '../framework/tensor.js';
import { TensorShape, type ShapeLike } from '../framework/tensor_shape.js';

// ---------- shape helpers ----------

function rankAtMost(op: Operation, i: number, max: number): void {
  const r = op.inputs[i].shape.rank;
  if (r !== undefined && r > max) {
    throw new InvalidArgumentError(undefined, op, `Shape must be at most rank ${max} but is rank ${r} for '${op.name}' (op: '${op.type}') input ${i}`);
  }
}

function withRank(op: Operation, i: number, rank: number): void {
  const r = op.inputs[i].shape.rank;
  if (r !== undefined && r !== rank) {
    throw new InvalidArgumentError(undefined, op, `Shape must be rank ${rank} but is rank ${r} for '${op.name}' (op: '${op.type}') input ${i}`);
  }
}

const PARSE_TYPES: DType[] = ['float32', 'int64', 'string'];

// ---------- op registrations ----------

registerOp({
  type: 'DecodeCSV',
  inputs: [{ name: 'records', type: 'string' }, { name: 'record_defaults', typeListAttr: 'OUT_TYPE' }],
  outputs: [{ name: 'output', typeListAttr: 'OUT_TYPE' }],
  attrs: {
    OUT_TYPE: { kind: 'list(type)', allowed: ['float32', 'float64', 'int32', 'int64', 'string'] },
    field_delim: { kind: 'string', default: ',' },
    use_quote_delim: { kind: 'bool', default: true },
    na_value: { kind: 'string', default: '' },
    select_cols: { kind: 'list(int)', default: [] },
  },
  shape: (op) => {
    for (let i = 1; i < op.inputs.length; i++) {
      rankAtMost(op, i, 1);
      const s = op.inputs[i].shape;
      if (s.isFullyDefined() && s.dims!.reduce((a, b) => a! * b!, 1)! > 1) {
        throw new InvalidArgumentError(undefined, op, 'Shape of a default must be a length-0 or length-1 vector, or a scalar.');
      }
    }
    return op.outputs.map(() => op.inputs[0].shape);
  },
});

registerOp({
  type: 'DecodeRaw',
  inputs: [{ name: 'bytes', type: 'string' }],
  outputs: [{ name: 'output', typeAttr: 'out_type' }],
  attrs: {
    out_type: { kind: 'type', allowed: ['float16', 'float32', 'float64', 'int32', 'uint8', 'int16', 'int8', 'int64', 'bool', 'bfloat16'] },
    little_endian: { kind: 'bool', default: true },
  },
  shape: (op) => {
    const s = op.inputs[0].shape;
    return [s.dims === null ? TensorShape.unknown() : new TensorShape([...s.dims, null])];
  },
});

registerOp({
  type: 'StringToNumber',
  inputs: [{ name: 'string_tensor', type: 'string' }],
  outputs: [{ name: 'output', typeAttr: 'out_type' }],
  attrs: { out_type: { kind: 'type', default: 'float32', allowed: ['float32', 'float64', 'int32', 'int64'] } },
  shape: (op) => [op.inputs[0].shape],
});

registerOp({
  type: 'StringSplit',
  inputs: [{ name: 'input', type: 'string' }, { name: 'delimiter', type: 'string' }],
  outputs: [{ name: 'indices', type: 'int64' }, { name: 'values', type: 'string' }, { name: 'shape', type: 'int64' }],
  attrs: { skip_empty: { kind: 'bool', default: true } },
  shape: (op) => {
    withRank(op, 0, 1);
    withRank(op, 1, 0);
    return [[null, 2], [null], [2]];
  },
});

registerOp({
  type: 'ParseSingleExample',
  inputs: [{ name: 'serialized', type: 'string' }, { name: 'dense_defaults', typeListAttr: 'Tdense' }],
  outputs: [
    { name: 'sparse_indices', type: 'int64', numberAttr: 'num_sparse' },
    { name: 'sparse_values', typeListAttr: 'sparse_types' },
    { name: 'sparse_shapes', type: 'int64', numberAttr: 'num_sparse' },
    { name: 'dense_values', typeListAttr: 'Tdense' },
  ],
  attrs: {
    num_sparse: { kind: 'int' },
    sparse_keys: { kind: 'list(string)' },
    dense_keys: { kind: 'list(string)' },
    sparse_types: { kind: 'list(type)', allowed: PARSE_TYPES },
    Tdense: { kind: 'list(type)', allowed: PARSE_TYPES },
    dense_shapes: { kind: 'list(shape)' },
  },
  shape: (op) => {
    withRank(op, 0, 0);
    const n = op.getAttr('num_sparse') as number;
    const dense = op.getAttr('dense_shapes') as TensorShape[];
    return [
      ...new Array<ShapeLike>(n).fill([null, 1]), ...new Array<ShapeLike>(n).fill([null]), ...new Array<ShapeLike>(n).fill([1]),
      ...dense,
    ];
  },
});

registerOp({
  type: 'ParseExample',
  inputs: [
    { name: 'serialized', type: 'string' },
    { name: 'names', type: 'string' },
    { name: 'sparse_keys', type: 'string', numberAttr: 'Nsparse' },
    { name: 'dense_keys', type: 'string', numberAttr: 'Ndense' },
    { name: 'dense_defaults', typeListAttr: 'Tdense' },
  ],
  outputs: [
    { name: 'sparse_indices', type: 'int64', numberAttr: 'Nsparse' },
    { name: 'sparse_values', typeListAttr: 'sparse_types' },
    { name: 'sparse_shapes', type: 'int64', numberAttr: 'Nsparse' },
    { name: 'dense_values', typeListAttr: 'Tdense' },
  ],
  attrs: {
    Nsparse: { kind: 'int' },
    Ndense: { kind: 'int' },
    sparse_types: { kind: 'list(type)', allowed: PARSE_TYPES },
    Tdense: { kind: 'list(type)', allowed: PARSE_TYPES },
    dense_shapes: { kind: 'list(shape)' },
  },
  shape: (op) => {
    rankAtMost(op, 0, 1);
    const n = op.getAttr('Nsparse') as number;
    const batch = op.inputs[0].shape.dims?.[0] ?? null;
    const dense = op.getAttr('dense_shapes') as TensorShape[];
    return [
      ...new Array<ShapeLike>(n).fill([null, 2]), ...new Array<ShapeLike>(n).fill([null]), ...new Array<ShapeLike>(n).fill([2]),
      ...dense.map((s) => new TensorShape([batch]).concatenate(s)),
    ];
  },
});

registerOp({
  type: 'ReadFile',
  inputs: [{ name: 'filename', type: 'string' }],
  outputs: [{ name: 'contents', type: 'string' }],
  shape: (op) => {
    withRank(op, 0, 0);
    return [[]];
  },
});

registerOp({
  type: 'WriteFile',
  inputs: [{ name: 'filename', type: 'string' }, { name: 'contents', type: 'string' }],
  outputs: [],
  stateful: true,
  shape: (op) => {
    withRank(op, 0, 0);
    withRank(op, 1, 0);
    return [];
  },
});

registerOp({
  type: 'MatchingFiles',
  inputs: [{ name: 'pattern', type: 'string' }],
  outputs: [{ name: 'filenames', type: 'string' }],
  shape: (op) => {
    rankAtMost(op, 0, 1);
    return [[null]];
  },
});

// ---------- functions ----------

export interface NameOptions {
  name?: string;
}

export interface DecodeCsvOptions extends NameOptions {
  /** One default per column: a tensor of 0 elements (required column) or 1 (its default). */
  recordDefaults?: readonly TensorLike[];
  fieldDelim?: string;
  useQuoteDelim?: boolean;
  naValue?: string;
  selectCols?: readonly number[];
}

function ve(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

/**
 * TF1's tf.decode_csv: one output per default (dtype of the default, shape of `records`).
 * `(records, {recordDefaults, ...})` or the positional `(records, recordDefaults, {...})`.
 */
export function decodeCsv(records: TensorLike, recordDefaults: readonly TensorLike[] | DecodeCsvOptions, options: DecodeCsvOptions = {}): Tensor[] {
  const o: DecodeCsvOptions = Array.isArray(recordDefaults) ? { ...options, recordDefaults: recordDefaults as TensorLike[] } : (recordDefaults as DecodeCsvOptions);
  const defaults = o.recordDefaults;
  if (!defaults || !Array.isArray(defaults)) throw ve('decode_csv requires record_defaults (a list of default tensors)');
  const sel = o.selectCols;
  if (sel) {
    for (let i = 0; i + 1 < sel.length; i++) if (sel[i] >= sel[i + 1]) throw ve('select_cols is not strictly increasing.');
    if (sel.length > 0 && sel[0] < 0) throw ve('select_cols contains negative values.');
    if (sel.length !== defaults.length) throw ve('Length of select_cols and record_defaults do not match.');
  }
  const g = graphOf([records, ...defaults]);
  return g.asDefault(() => [...applyOp('DecodeCSV', [records, defaults], {
    field_delim: o.fieldDelim ?? ',', use_quote_delim: o.useQuoteDelim ?? true, na_value: o.naValue ?? '', select_cols: [...(sel ?? [])],
  }, o.name ?? 'DecodeCSV').outputs]);
}

export interface DecodeRawOptions extends NameOptions {
  littleEndian?: boolean;
}

/** TF's tf.decode_raw: reinterprets each string's bytes as `outType` elements (a new last dim). */
export function decodeRaw(bytes: TensorLike, outType: DType, options: DecodeRawOptions = {}): Tensor {
  if (!isDType(outType)) throw ve(`Unknown dtype '${String(outType)}'`);
  return graphOf([bytes]).asDefault(() => applyOp1('DecodeRaw', [bytes], { out_type: outType, little_endian: options.littleEndian ?? true }, options.name ?? 'DecodeRaw'));
}

export interface StringToNumberOptions extends NameOptions {
  outType?: DType;
}

/** TF's tf.string_to_number: parses each string as a number of `outType` (float32 by default). */
export function stringToNumber(stringTensor: TensorLike, options: StringToNumberOptions | DType = {}): Tensor {
  const o = typeof options === 'string' ? { outType: options } : options;
  return graphOf([stringTensor]).asDefault(() => applyOp1('StringToNumber', [stringTensor], { out_type: o.outType ?? 'float32' }, o.name ?? 'StringToNumber'));
}

/** A sparse result (TF's SparseTensor): [N, rank] int64 indices, [N] values, [rank] int64 denseShape. */
export interface SparseTensorLike {
  indices: Tensor;
  values: Tensor;
  denseShape: Tensor;
}

export interface StringSplitOptions extends NameOptions {
  delimiter?: TensorLike;
  skipEmpty?: boolean;
}

/**
 * TF1's tf.string_split: splits each element of the vector `source` on any character of
 * `delimiter` (' ' by default); a sparse [rows, max tokens] result.
 */
export function stringSplit(source: TensorLike, options: StringSplitOptions | TensorLike = {}): SparseTensorLike {
  const o: StringSplitOptions = typeof options === 'string' || Array.isArray(options) ? { delimiter: options as TensorLike } : (options as StringSplitOptions);
  return graphOf([source]).asDefault(() => {
    const delimiter = convertToTensor(o.delimiter ?? ' ', { dtype: 'string' });
    const src = convertToTensor(source, { dtype: 'string' });
    const [indices, values, shape] = applyOp('StringSplit', [src, delimiter], { skip_empty: o.skipEmpty ?? true }, o.name ?? 'StringSplit').outputs;
    return { indices, values, denseShape: shape };
  });
}

/** A dense feature of a tf.train.Example (TF's FixedLenFeature namedtuple). */
export interface FixedLenFeatureSpec {
  readonly kind: 'FixedLenFeature';
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly defaultValue?: TensorLike;
}

/** tf.io.FixedLenFeature(shape, dtype, defaultValue?): works with or without `new`. */
export function FixedLenFeature(shape: readonly number[], dtype: DType, defaultValue?: TensorLike): FixedLenFeatureSpec {
  if (!PARSE_TYPES.includes(dtype)) throw ve(`Unsupported FixedLenFeature dtype ${dtype}: must be float32, int64 or string`);
  return Object.freeze({ kind: 'FixedLenFeature' as const, shape: [...shape], dtype, defaultValue });
}

export type Features = Record<string, FixedLenFeatureSpec>;

/** The features in TF's order (sorted keys), each with its default tensor (empty: required). */
function denseParams(features: Features): { keys: string[]; defaults: Tensor[]; shapes: TensorShape[]; types: DType[] } {
  const keys = Object.keys(features).sort();
  const defaults: Tensor[] = [];
  const shapes: TensorShape[] = [];
  const types: DType[] = [];
  for (const key of keys) {
    const f = features[key];
    if (!f || f.kind !== 'FixedLenFeature') throw ve(`Feature '${key}' is not a FixedLenFeature (only dense features are supported)`);
    const constName = `key_${key.replace(/[^A-Za-z0-9_.\-/]/g, '_')}`;
    defaults.push(f.defaultValue === undefined || f.defaultValue === null
      ? constant([], { dtype: f.dtype, name: constName })
      : constant(f.defaultValue as never, { dtype: f.dtype, shape: f.shape, name: constName }));
    shapes.push(new TensorShape(f.shape));
    types.push(f.dtype);
  }
  return { keys, defaults, shapes, types };
}

/** TF's tf.parse_single_example: a serialized tf.train.Example -> {key: dense tensor of its shape}. */
export function parseSingleExample(serialized: TensorLike, features: Features, options: NameOptions = {}): Record<string, Tensor> {
  const g = graphOf([serialized]);
  return g.asDefault(() => g.nameScope(options.name ?? 'ParseSingleExample', (scope) => {
    const p = denseParams(features);
    const op = applyOp('ParseSingleExample', [serialized, p.defaults], {
      num_sparse: 0, sparse_keys: [], dense_keys: p.keys, sparse_types: [], dense_shapes: p.shapes,
    }, scope);
    return Object.fromEntries(p.keys.map((k, i) => [k, op.outputs[i]]));
  }));
}

export interface ParseExampleOptions extends NameOptions {
  exampleNames?: TensorLike;
}

/** TF's tf.parse_example: a vector of serialized Examples -> {key: [batch, ...shape] tensor}. */
export function parseExample(serialized: TensorLike, features: Features, options: ParseExampleOptions = {}): Record<string, Tensor> {
  const g = graphOf([serialized]);
  return g.asDefault(() => g.nameScope(options.name ?? 'ParseExample', (scope) => {
    const p = denseParams(features);
    const names = options.exampleNames ?? constant([], { dtype: 'string', name: 'names' });
    const op = applyOp('ParseExample', [serialized, names, [], p.keys, p.defaults], {
      sparse_types: [], dense_shapes: p.shapes,
    }, scope);
    return Object.fromEntries(p.keys.map((k, i) => [k, op.outputs[i]]));
  }));
}

/** TF's tf.read_file: the whole contents of a file (string scalar). */
export function readFile(filename: TensorLike, options: NameOptions = {}): Tensor {
  return graphOf([filename]).asDefault(() => applyOp1('ReadFile', [filename], {}, options.name ?? 'ReadFile'));
}

/** TF's tf.write_file: writes `contents` to `filename` when run. */
export function writeFile(filename: TensorLike, contents: TensorLike, options: NameOptions = {}): Operation {
  return graphOf([filename, contents]).asDefault(() => applyOp('WriteFile', [filename, contents], {}, options.name ?? 'WriteFile'));
}

/** TF's tf.matching_files: the sorted files matching a glob pattern (or patterns). */
export function matchingFiles(pattern: TensorLike, options: NameOptions = {}): Tensor {
  return graphOf([pattern]).asDefault(() => applyOp1('MatchingFiles', [pattern], {}, options.name ?? 'MatchingFiles'));
}
