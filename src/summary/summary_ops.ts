// TF1 summary ops (tf.summary.scalar, histogram, image, audio, text, merge, mergeAll) with TF's
// op signatures; kernels in native/kernels/cpu/summary_ops.cc. Each op outputs a string scalar
// holding a serialized tensorflow.Summary, which FileWriter.addSummary writes as is.
//   ScalarSummary(tags: string, values: T real) -> summary: string
//   HistogramSummary(tag: string, values: T real = float32) -> summary
//   ImageSummary(tag, tensor: T {uint8, float32, float16, float64} = float32; max_images >= 1 = 3, bad_color: tensor)
//   AudioSummaryV2(tag, tensor: float32, sample_rate: float32; max_outputs >= 1 = 3)
//   TensorSummaryV2(tag, tensor: T, serialized_summary_metadata: string)
//   MergeSummary(inputs: N * string; N >= 1)
// Tags follow TF1's summary_op_util: the tag is the name scope the op opens (so enclosing
// scopes and uniquification apply), prefixed by `family` when given.
import { GraphKeys } from '../framework/collections.js';
import type { DType } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { NDArray, toNDArray } from '../framework/ndarray.js';
import { applyOp1, convertToTensor, type TensorLike } from '../framework/op_builder.js';
import { registerOp } from '../framework/op_registry.js';
import { getCollection, nameScope } from '../framework/scopes.js';
import { Tensor } from '../framework/tensor.js';
import { TensorShape } from '../framework/tensor_shape.js';
import { encodeMessage, type SummaryMetadataObject } from './proto.js';

const REAL: readonly DType[] = ['float32', 'float64', 'int32', 'uint8', 'int16', 'int8', 'int64', 'bfloat16', 'float16'];
const scalarShape = () => [TensorShape.scalar()];

registerOp({
  type: 'ScalarSummary',
  inputs: [{ name: 'tags', type: 'string' }, { name: 'values', typeAttr: 'T' }],
  outputs: [{ name: 'summary', type: 'string' }],
  attrs: { T: { kind: 'type', allowed: REAL } },
  shape: scalarShape,
});

registerOp({
  type: 'HistogramSummary',
  inputs: [{ name: 'tag', type: 'string' }, { name: 'values', typeAttr: 'T' }],
  outputs: [{ name: 'summary', type: 'string' }],
  attrs: { T: { kind: 'type', allowed: REAL, default: 'float32' } },
  shape: scalarShape,
});

registerOp({
  type: 'ImageSummary',
  inputs: [{ name: 'tag', type: 'string' }, { name: 'tensor', typeAttr: 'T' }],
  outputs: [{ name: 'summary', type: 'string' }],
  attrs: {
    max_images: { kind: 'int', default: 3 },
    T: { kind: 'type', allowed: ['uint8', 'float32', 'float16', 'float64'], default: 'float32' },
    // Color of pixels with a non-finite channel (float images): TF's default, opaque red.
    bad_color: { kind: 'tensor', default: new NDArray('uint8', [4], new Uint8Array([255, 0, 0, 255])) },
  },
  shape: scalarShape,
});

registerOp({
  type: 'AudioSummaryV2',
  inputs: [{ name: 'tag', type: 'string' }, { name: 'tensor', type: 'float32' }, { name: 'sample_rate', type: 'float32' }],
  outputs: [{ name: 'summary', type: 'string' }],
  attrs: { max_outputs: { kind: 'int', default: 3 } },
  shape: scalarShape,
});

registerOp({
  type: 'TensorSummaryV2',
  inputs: [{ name: 'tag', type: 'string' }, { name: 'tensor', typeAttr: 'T' }, { name: 'serialized_summary_metadata', type: 'string' }],
  outputs: [{ name: 'summary', type: 'string' }],
  attrs: { T: { kind: 'type' } },
  shape: scalarShape,
});

registerOp({
  type: 'MergeSummary',
  inputs: [{ name: 'inputs', type: 'string', numberAttr: 'N' }],
  outputs: [{ name: 'summary', type: 'string' }],
  attrs: { N: { kind: 'int' } },
  shape: scalarShape,
});

// ---------- TF1's summary_op_util ----------

/** TF's clean_tag: characters other than [-/\w.] become '_'; leading slashes go. */
export function cleanTag(name: string): string;
export function cleanTag(name: string | undefined): string | undefined;
export function cleanTag(name: string | undefined): string | undefined {
  return name === undefined ? undefined : name.replace(/[^-/\w.]/g, '_').replace(/^\/+/, '');
}

/**
 * TF's summary_scope: opens the name scope `family/name` (or `name`) and calls `fn` with the
 * tag (the scope without its slash, prefixed by `family/` again so TensorBoard files it under
 * the family's tab) and the scope (the summary op takes it as its name).
 */
function summaryScope<T>(name: string, family: string | undefined, values: readonly unknown[],
                         fn: (tag: string, scope: string) => T): T {
  const n = cleanTag(name);
  const fam = cleanTag(family);
  const base = fam === undefined ? n : `${fam}/${n}`;
  return nameScope(base, { defaultName: 'summary', values: values as TensorLike[] }, (scope) => {
    const bare = scope.replace(/\/$/, '');
    return fn(fam === undefined ? bare : `${fam}/${bare}`, scope);
  });
}

/** TF's summary_op_util.collect: adds the summary to `collections` (default: SUMMARIES). */
function collect(val: Tensor, collections: readonly string[] | undefined, defaults: readonly string[]): void {
  for (const key of collections ?? defaults) val.graph.addToCollection(key, val);
}

export interface SummaryOptions {
  /** Collections to add the summary to (default [GraphKeys.SUMMARIES]). */
  collections?: string[];
  /** Prefix of the tag and name scope; TensorBoard groups summaries by it. */
  family?: string;
}

export interface ImageSummaryOptions extends SummaryOptions {
  /** At most this many images of the batch (default 3). */
  maxOutputs?: number;
}

export type AudioSummaryOptions = ImageSummaryOptions;

function maxOutputs(v: number | undefined): number {
  const n = v ?? 3;
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(undefined, undefined, `maxOutputs must be an integer >= 1, got ${n}`);
  return n;
}

/**
 * tf.summary.scalar(name, tensor, {collections, family}): a Summary with one simple_value
 * (float32) tagged with the op's name scope. A non-scalar tensor fails at run time
 * ("tags and values are not the same shape").
 */
export function scalar(name: string, tensor: TensorLike, options: SummaryOptions = {}): Tensor {
  return summaryScope(name, options.family, [tensor], (tag, scope) => {
    const val = applyOp1('ScalarSummary', [tag, tensor], {}, scope);
    collect(val, options.collections, [GraphKeys.SUMMARIES]);
    return val;
  });
}

/**
 * tf.summary.histogram(name, values, {collections, family}): a HistogramProto of all elements
 * (TF's buckets). NaN or infinite values fail at run time ("Nan in summary histogram for: <tag>").
 */
export function histogram(name: string, values: TensorLike, options: SummaryOptions = {}): Tensor {
  return summaryScope(name, options.family, [values], (tag, scope) => {
    const val = applyOp1('HistogramSummary', [tag, values], {}, scope);
    collect(val, options.collections, [GraphKeys.SUMMARIES]);
    return val;
  });
}

/**
 * tf.summary.image(name, tensor, {maxOutputs = 3, collections, family}): the first maxOutputs
 * images of a [batch, height, width, channels] tensor (channels 1, 3 or 4) as PNGs, tagged
 * '<tag>/image/0', '<tag>/image/1', ... ('<tag>/image' when maxOutputs is 1). uint8 values are
 * used as is; float images are scaled to 0..255 (by 255/max, or 127/max|v| around 128 when
 * some value is negative).
 */
export function image(name: string, tensor: TensorLike, options: ImageSummaryOptions = {}): Tensor {
  const maxImages = maxOutputs(options.maxOutputs);
  return summaryScope(name, options.family, [tensor], (tag, scope) => {
    const val = applyOp1('ImageSummary', [tag, tensor], { max_images: maxImages }, scope);
    collect(val, options.collections, [GraphKeys.SUMMARIES]);
    return val;
  });
}

/**
 * tf.summary.audio(name, tensor, sampleRate, {maxOutputs = 3, collections, family}): the first
 * maxOutputs clips of a float32 [batch, frames] or [batch, frames, channels] tensor (values in
 * [-1, 1]) as 16-bit WAV files, tagged '<tag>/audio/0', ... ('<tag>/audio' when maxOutputs is 1).
 */
export function audio(name: string, tensor: TensorLike, sampleRate: TensorLike, options: AudioSummaryOptions = {}): Tensor {
  const n = maxOutputs(options.maxOutputs);
  return summaryScope(name, options.family, [tensor], (tag, scope) => {
    const rate = convertToTensor(sampleRate, { dtype: 'float32', name: 'sample_rate' });
    const val = applyOp1('AudioSummaryV2', [tag, tensor, rate], { max_outputs: n }, scope);
    collect(val, options.collections, [GraphKeys.SUMMARIES]);
    return val;
  });
}

export interface TensorSummaryOptions extends SummaryOptions {
  summaryDescription?: string;
  displayName?: string;
  /** The SummaryMetadata (plugin data) stored with the value. */
  summaryMetadata?: SummaryMetadataObject;
}

/**
 * tf.summary.tensorSummary(name, tensor, {summaryDescription, displayName, summaryMetadata,
 * collections, family}): the whole tensor as a TensorProto value with its SummaryMetadata.
 */
export function tensorSummary(name: string, tensor: TensorLike, options: TensorSummaryOptions = {}): Tensor {
  const meta: SummaryMetadataObject = { ...(options.summaryMetadata ?? {}) };
  if (options.summaryDescription !== undefined) meta.summaryDescription = options.summaryDescription;
  if (options.displayName !== undefined) meta.displayName = options.displayName;
  // The metadata travels as a string scalar Const: its exact bytes, never re-encoded.
  const serialized = new NDArray('string', [], [encodeMessage('SummaryMetadata', meta)]);
  return summaryScope(name, options.family, [tensor], (tag, scope) => {
    const val = applyOp1('TensorSummaryV2', [tag, tensor, serialized], {}, scope);
    collect(val, options.collections, [GraphKeys.SUMMARIES]);
    return val;
  });
}

/**
 * tf.summary.text(name, tensor, {collections}): a string tensor as a tensor summary for
 * TensorBoard's text plugin (metadata plugin_name 'text'; Markdown is rendered there).
 */
export function text(name: string, tensor: TensorLike, options: { collections?: string[] } = {}): Tensor {
  // JS values become a Const inside the summary's scope ('<name>/tensor'), as tensors would be.
  const t = tensor instanceof Tensor ? tensor : toNDArray(tensor as Exclude<TensorLike, Tensor>);
  if (t.dtype !== 'string') {
    const what = t instanceof Tensor ? `tensor ${t.name}` : 'the text';
    throw new InvalidArgumentError(undefined, undefined, `Expected ${what} to have dtype string, got ${t.dtype}`);
  }
  return tensorSummary(name, t, { summaryMetadata: { pluginData: { pluginName: 'text' } }, collections: options.collections });
}

/**
 * tf.summary.merge(inputs, {collections, name}): one Summary holding the values of all
 * `inputs` (serialized Summary strings), in order. Op 'Merge/MergeSummary' by default (TF1's
 * scope and op name). Two values with the same tag fail at run time
 * ("Duplicate tag <t> found in summary inputs"). Added to no collection unless `collections`.
 */
export function merge(inputs: readonly TensorLike[], options: { collections?: string[]; name?: string } = {}): Tensor {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new InvalidArgumentError(undefined, undefined, 'tf.summary.merge needs a non-empty list of summaries');
  }
  const name = cleanTag(options.name);
  return nameScope(name, { defaultName: 'Merge', values: inputs as TensorLike[] }, () => {
    const val = applyOp1('MergeSummary', [inputs], {}, name ?? 'MergeSummary');
    collect(val, options.collections, []);
    return val;
  });
}

/**
 * tf.summary.mergeAll({key = GraphKeys.SUMMARIES, scope, name}): merge() of the summaries in
 * collection `key` (those whose names match `scope` when given); undefined when there are none.
 */
export function mergeAll(options: { key?: string; scope?: string; name?: string } = {}): Tensor | undefined {
  const ops = getCollection<Tensor>(options.key ?? GraphKeys.SUMMARIES, options.scope);
  if (ops.length === 0) return undefined;
  return merge(ops, { name: options.name });
}
