// tf.nn: activations, softmax, bias add, losses, top-k, moments, normalisation, embedding
// lookup and dropout. Op defs (types, attrs, shape functions, errors) follow TF 1.15's
// core/ops/nn_ops.cc; the public functions follow tf.compat.v1's Python (nn_ops.py,
// nn_impl.py, embedding_ops.py), including their name scopes and default node names.
// The module's exports are exactly these tf.nn function names (sigmoid and tanh are the
// math ops); the gradients live in src/gradients/nn_grad.ts.
import { mergeShapes, unchangedShape, withRank, withRankAtLeast } from '../framework/common_shapes.js';
import { constantValue } from '../framework/constant_value.js';
import { type DType, dtypeInfo } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { applyOp, applyOp1, constant, convertToTensor, graphOf, type TensorLike } from '../framework/op_builder.js';
import { registerOp } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import { colocateWith, nameScope } from '../framework/scopes.js';
import { Tensor } from '../framework/tensor.js';
import { type Dim, type ShapeLike, TensorShape } from '../framework/tensor_shape.js';
import * as a from './array_ops.js';
import * as shapeOps from './shape_ops.js';
import * as sliceOps from './slice_ops.js';
import * as m from './math_ops.js';
import type { NameOption } from './array_ops.js';
import { randomUniform } from './random_ops.js';
import './tensor_methods.js';

// ---------- allowed dtypes ----------

const FLOATS: DType[] = ['float16', 'bfloat16', 'float32', 'float64'];
/** TF's realnumbertypes (Relu, Relu6, TopKV2). */
const REAL: DType[] = [...FLOATS, 'int8', 'int16', 'int32', 'int64', 'uint8'];
/** TF's numbertypes restricted to what we have (BiasAdd). */
const NUMBER: DType[] = REAL;
const INDEX: DType[] = ['int32', 'int64'];

function err(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

/** Merges two dimensions (TF's InferenceContext::Merge). */
function mergeDim(x: Dim, y: Dim): Dim {
  if (x === null) return y;
  if (y === null || x === y) return x;
  throw err(`Dimensions must be equal, but are ${x} and ${y}`);
}

// =====================================================================================
// Op registrations
// =====================================================================================

// Activations: y = f(features); their *Grad ops take (gradients, features|outputs).
const ACTIVATIONS: [string, readonly DType[], string][] = [
  ['Relu', REAL, 'features'], ['Relu6', REAL, 'features'], ['Elu', FLOATS, 'outputs'], ['Selu', FLOATS, 'outputs'],
  ['LeakyRelu', FLOATS, 'features'], ['Softplus', FLOATS, 'features'], ['Softsign', FLOATS, 'features'],
];
for (const [type, allowed, gradSecond] of ACTIVATIONS) {
  const leaky = type === 'LeakyRelu';
  const attrs = {
    ...(leaky ? { alpha: { kind: 'float' as const, default: 0.2 } } : {}),
    T: { kind: 'type' as const, allowed, ...(leaky ? { default: 'float32' } : {}) },
  };
  registerOp({
    type,
    inputs: [{ name: 'features', typeAttr: 'T' }],
    outputs: [{ name: 'activations', typeAttr: 'T' }],
    attrs,
    shape: unchangedShape,
  });
  registerOp({
    type: `${type}Grad`,
    inputs: [{ name: 'gradients', typeAttr: 'T' }, { name: gradSecond, typeAttr: 'T' }],
    outputs: [{ name: 'backprops', typeAttr: 'T' }],
    attrs,
    // TF's MergeBothInputsShapeFn.
    shape: (op) => [mergeShapes(op.inputs[0].shape, op.inputs[1].shape)],
  });
}

for (const [type, out] of [['Softmax', 'softmax'], ['LogSoftmax', 'logsoftmax']]) {
  registerOp({
    type,
    inputs: [{ name: 'logits', typeAttr: 'T' }],
    outputs: [{ name: out, typeAttr: 'T' }],
    attrs: { T: { kind: 'type', allowed: FLOATS } },
    shape: (op) => [withRankAtLeast(op.inputs[0].shape, 1)],
  });
}

const DATA_FORMAT = { kind: 'string' as const, default: 'NHWC' };

function checkDataFormat(op: Operation): boolean {
  const f = op.getAttr('data_format') as string;
  if (f !== 'NHWC' && f !== 'NCHW') throw err(`Invalid data format string: ${f}`);
  return f === 'NCHW';
}

registerOp({
  type: 'BiasAdd',
  inputs: [{ name: 'value', typeAttr: 'T' }, { name: 'bias', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type', allowed: NUMBER }, data_format: DATA_FORMAT },
  // TF's BiasAddShape; NCHW's channel dimension is dim 1, as the kernel reads it.
  shape: (op) => {
    const nchw = checkDataFormat(op);
    const input = withRankAtLeast(op.inputs[0].shape, nchw ? 3 : 2);
    const bias = withRank(op.inputs[1].shape, 1);
    if (input.dims === null) return [TensorShape.unknown()];
    const dims = [...input.dims];
    const c = nchw ? 1 : dims.length - 1;
    dims[c] = mergeDim(dims[c], bias.dims![0]);
    return [dims];
  },
});

registerOp({
  type: 'BiasAddGrad',
  inputs: [{ name: 'out_backprop', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type', allowed: NUMBER }, data_format: DATA_FORMAT },
  shape: (op) => {
    const nchw = checkDataFormat(op);
    const input = withRankAtLeast(op.inputs[0].shape, 2);
    if (input.dims === null) return [[null]];
    return [[nchw ? input.dims[1] : input.dims[input.dims.length - 1]]];
  },
});

registerOp({
  type: 'L2Loss',
  inputs: [{ name: 't', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type', allowed: FLOATS } },
  shape: () => [[]],
});

registerOp({
  type: 'SoftmaxCrossEntropyWithLogits',
  inputs: [{ name: 'features', typeAttr: 'T' }, { name: 'labels', typeAttr: 'T' }],
  outputs: [{ name: 'loss', typeAttr: 'T' }, { name: 'backprop', typeAttr: 'T' }],
  attrs: { T: { kind: 'type', allowed: FLOATS } },
  // TF 1.15: equal matrices, or shapes that broadcast to a matrix.
  shape: (op) => {
    const [f, l] = [op.inputs[0].shape, op.inputs[1].shape];
    let merged: TensorShape | undefined;
    try {
      merged = mergeShapes(withRank(f, 2), l);
    } catch {
      merged = undefined;
    }
    if (merged) return [[merged.dims![0]], merged];
    const b = broadcastOrThrow(f, l);
    if (b.dims === null) throw err('Shape must be broadcasted with rank 2, but is rank is unknown.');
    if (b.dims.length !== 2) throw err(`Shape must be broadcasted with rank 2, but is rank ${b.dims.length}`);
    return [[b.dims[0]], b];
  },
});

function broadcastOrThrow(x: TensorShape, y: TensorShape): TensorShape {
  if (x.dims === null || y.dims === null) return TensorShape.unknown();
  const n = Math.max(x.dims.length, y.dims.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const dx = i < n - x.dims.length ? 1 : x.dims[i - (n - x.dims.length)];
    const dy = i < n - y.dims.length ? 1 : y.dims[i - (n - y.dims.length)];
    if (dx === 1) out.push(dy);
    else if (dy === 1) out.push(dx);
    else if (dx === null || dy === null) out.push(dx ?? dy);
    else if (dx === dy) out.push(dx);
    else throw err(`Incompatible shapes: ${x.toShortString()} vs. ${y.toShortString()}`);
  }
  return new TensorShape(out);
}

registerOp({
  type: 'SparseSoftmaxCrossEntropyWithLogits',
  inputs: [{ name: 'features', typeAttr: 'T' }, { name: 'labels', typeAttr: 'Tlabels' }],
  outputs: [{ name: 'loss', typeAttr: 'T' }, { name: 'backprop', typeAttr: 'T' }],
  attrs: { T: { kind: 'type', allowed: FLOATS }, Tlabels: { kind: 'type', allowed: INDEX, default: 'int64' } },
  shape: (op) => {
    const features = withRank(op.inputs[0].shape, 2);
    const labels = withRank(op.inputs[1].shape, 1);
    const batch = mergeDim(labels.dims![0], features.dims![0]);
    return [[batch], [batch, features.dims![1]]];
  },
});

function inTopKShape(op: Operation): ShapeLike[] {
  const predictions = withRank(op.inputs[0].shape, 2);
  const targets = withRank(op.inputs[1].shape, 1);
  if (op.inputs.length > 2) withRank(op.inputs[2].shape, 0);
  return [[mergeDim(predictions.dims![0], targets.dims![0])]];
}

registerOp({
  type: 'InTopK',
  inputs: [{ name: 'predictions', type: 'float32' }, { name: 'targets', typeAttr: 'T' }],
  outputs: [{ name: 'precision', type: 'bool' }],
  attrs: { k: { kind: 'int' }, T: { kind: 'type', allowed: INDEX, default: 'int32' } },
  shape: inTopKShape,
});

registerOp({
  type: 'InTopKV2',
  inputs: [{ name: 'predictions', type: 'float32' }, { name: 'targets', typeAttr: 'T' }, { name: 'k', typeAttr: 'T' }],
  outputs: [{ name: 'precision', type: 'bool' }],
  attrs: { T: { kind: 'type', allowed: INDEX, default: 'int32' } },
  shape: inTopKShape,
});

registerOp({
  type: 'TopKV2',
  inputs: [{ name: 'input', typeAttr: 'T' }, { name: 'k', type: 'int32' }],
  outputs: [{ name: 'values', typeAttr: 'T' }, { name: 'indices', type: 'int32' }],
  attrs: { sorted: { kind: 'bool', default: true }, T: { kind: 'type', allowed: REAL } },
  shape: (op) => {
    const input = withRankAtLeast(op.inputs[0].shape, 1);
    withRank(op.inputs[1].shape, 0);
    const kv = constantValue(op.inputs[1]);
    const k = kv ? Number(kv.flatGet(0)) : null;
    if (k !== null && k < 0) throw err(`Input must be non-negative, got ${k}`);
    if (input.dims === null) return [TensorShape.unknown(), TensorShape.unknown()];
    const last = input.dims[input.dims.length - 1];
    if (k !== null && last !== null && last < k) {
      throw err(`input must have last dimension >= k = ${k} but is ${last}`);
    }
    const out = [...input.dims.slice(0, -1), k];
    return [out, out];
  },
});

// =====================================================================================
// Activations
// =====================================================================================

/** tf.nn.relu: max(features, 0) (node "Relu"). */
export function relu(features: TensorLike, options: NameOption = {}): Tensor {
  return applyOp1('Relu', [features], {}, options.name);
}

/** tf.nn.relu6: min(max(features, 0), 6) (node "Relu6"). */
export function relu6(features: TensorLike, options: NameOption = {}): Tensor {
  return nameScope(options.name ?? null, { defaultName: 'Relu6', values: [features] }, (scope) =>
    applyOp1('Relu6', [convertToTensor(features, { name: 'features' })], {}, scope));
}

/** tf.nn.elu: exp(x) - 1 for x < 0, x otherwise (node "Elu"). */
export function elu(features: TensorLike, options: NameOption = {}): Tensor {
  return applyOp1('Elu', [features], {}, options.name);
}

/** tf.nn.selu: scale * elu(x) with alpha, SELU's constants (node "Selu"). */
export function selu(features: TensorLike, options: NameOption = {}): Tensor {
  return applyOp1('Selu', [features], {}, options.name);
}

export interface LeakyReluOptions extends NameOption {
  /** Slope for x < 0 (default 0.2). */
  alpha?: number;
}

/** tf.nn.leaky_relu: x for x > 0, alpha * x otherwise; integers are cast to float32 first. */
export function leakyRelu(features: TensorLike, options: LeakyReluOptions = {}): Tensor {
  return nameScope(options.name ?? null, { defaultName: 'LeakyRelu', values: [features] }, (scope) => {
    let x = convertToTensor(features, { name: 'features' });
    if (dtypeInfo(x.dtype).isInteger) x = m.cast(x, 'float32');
    return applyOp1('LeakyRelu', [x], { alpha: options.alpha ?? 0.2 }, scope);
  });
}

/** tf.nn.softplus: log(exp(x) + 1) (node "Softplus"). */
export function softplus(features: TensorLike, options: NameOption = {}): Tensor {
  return applyOp1('Softplus', [features], {}, options.name);
}

/** tf.nn.softsign: x / (|x| + 1) (node "Softsign"). */
export function softsign(features: TensorLike, options: NameOption = {}): Tensor {
  return applyOp1('Softsign', [features], {}, options.name);
}

/** tf.nn.sigmoid (tf.sigmoid). */
export const sigmoid = m.sigmoid;
/** tf.nn.tanh (tf.tanh). */
export const tanh = m.tanh;

/** tf.nn.swish: x * sigmoid(x), under the scope "swish". */
export function swish(features: TensorLike, options: NameOption = {}): Tensor {
  return nameScope(options.name ?? null, { defaultName: 'swish', values: [features] }, (scope) => {
    const x = convertToTensor(features, { name: 'features' });
    return m.multiply(x, m.sigmoid(x), { name: scope });
  });
}

export interface GeluOptions extends NameOption {
  /** Use the tanh approximation (default false: the exact erf form). */
  approximate?: boolean;
}

/** tf.nn.gelu (TF 2.4's): 0.5x(1 + erf(x/sqrt 2)), or the tanh approximation (scope "Gelu"). */
export function gelu(features: TensorLike, options: GeluOptions = {}): Tensor {
  return nameScope(options.name ?? null, { defaultName: 'Gelu', values: [features] }, () => {
    const x = convertToTensor(features, { name: 'features' });
    if (options.approximate) {
      const inner = x.add(m.pow(x, constant(3, { dtype: x.dtype })).mul(0.044715)).mul(0.7978845608028654);
      return x.mul(0.5).mul(m.tanh(inner).add(1));
    }
    return x.mul(0.5).mul(m.erf(x.div(1.4142135623730951)).add(1));
  });
}

// =====================================================================================
// Softmax
// =====================================================================================

export interface SoftmaxOptions extends NameOption {
  /** The dimension softmax runs over (default -1, the last). */
  axis?: number;
  /** Deprecated alias of axis. */
  dim?: number;
}

/** TF1's _softmax: the op over the last axis, or around transposes swapping `axis` to the end. */
function softmaxOver(type: 'Softmax' | 'LogSoftmax', logits: TensorLike, options: SoftmaxOptions): Tensor {
  const axis = options.axis ?? options.dim ?? -1;
  return graphOf([logits]).asDefault(() => {
    const x = convertToTensor(logits);
    const shape = x.shape;
    const rank = shape.rank;
    if (axis === -1 || axis === (rank ?? 0) - 1) return applyOp1(type, [x], {}, options.name);
    if (rank === undefined) throw err(`${type}: axis ${axis} needs a tensor of known rank`);
    if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
      throw err(`Dimension (${axis}) must be in the range [${-rank}, ${rank}) where ${rank} is the number of dimensions in the input.`);
    }
    const dimAxis = ((axis % rank) + rank) % rank;
    // Swaps dim and the last dim: [0..dim), last, (dim..last), dim (its own inverse).
    const perm = Array.from({ length: rank }, (_, i) => (i === dimAxis ? rank - 1 : i === rank - 1 ? dimAxis : i));
    const swap = (t: Tensor, name?: string) => a.transpose(t, perm, { name });
    const out = swap(applyOp1(type, [swap(x)]), options.name);
    out.setShape(shape);
    return out;
  });
}

/** tf.nn.softmax(logits, {axis, name}): exp(x) / sum(exp(x)) over `axis` (node "Softmax"). */
export function softmax(logits: TensorLike, options: SoftmaxOptions = {}): Tensor {
  return softmaxOver('Softmax', logits, options);
}

/** tf.nn.log_softmax(logits, {axis, name}) (node "LogSoftmax"). */
export function logSoftmax(logits: TensorLike, options: SoftmaxOptions = {}): Tensor {
  return softmaxOver('LogSoftmax', logits, options);
}

// =====================================================================================
// Bias add, L2 loss
// =====================================================================================

export interface BiasAddOptions extends NameOption {
  /** 'NHWC' (channels last, default) or 'NCHW'; any `N...C` / `NC...` form is accepted. */
  dataFormat?: string;
}

/** tf.nn.bias_add(value, bias, {dataFormat}): value + bias along the channel dim (node "BiasAdd"). */
export function biasAdd(value: TensorLike, bias: TensorLike, options: BiasAddOptions = {}): Tensor {
  let dataFormat = options.dataFormat;
  if (dataFormat !== undefined) {
    if (dataFormat.startsWith('NC')) dataFormat = 'NCHW';
    else if (dataFormat.startsWith('N') && dataFormat.endsWith('C')) dataFormat = 'NHWC';
    else throw err('data_format must be of the form `N...C` or `NC...`');
  }
  return nameScope(options.name ?? null, { defaultName: 'BiasAdd', values: [value, bias] }, (scope) => {
    const v = convertToTensor(value, { name: 'input' });
    const b = convertToTensor(bias, { dtype: v.dtype, name: 'bias' });
    return applyOp1('BiasAdd', [v, b], dataFormat ? { data_format: dataFormat } : {}, scope);
  });
}

/** tf.nn.l2_loss(t): sum(t ** 2) / 2 (node "L2Loss"). */
export function l2Loss(t: TensorLike, options: NameOption = {}): Tensor {
  return applyOp1('L2Loss', [t], {}, options.name);
}

// =====================================================================================
// Cross-entropy losses
// =====================================================================================

export interface XentOptions extends NameOption {
  labels?: TensorLike;
  logits?: TensorLike;
}
export interface SoftmaxXentOptions extends XentOptions {
  /** The class dimension (default -1). */
  axis?: number;
  /** Deprecated alias of axis. */
  dim?: number;
}

/**
 * TF1 takes labels and logits as keywords: fn({labels, logits, ...}). fn(labels, logits,
 * {...}) is accepted too.
 */
function xentArgs<O extends XentOptions>(fn: string, args: unknown[]): [TensorLike, TensorLike, O] {
  let options: O;
  if (args.length >= 2 && args[1] !== undefined) {
    options = { ...((args[2] ?? {}) as O), labels: args[0] as TensorLike, logits: args[1] as TensorLike };
  } else {
    options = (args[0] ?? {}) as O;
  }
  if (options.labels === undefined || options.logits === undefined) {
    throw err(`Both labels=None and logits=None must be provided to ${fn}: pass {labels, logits}.`);
  }
  return [options.labels, options.logits, options];
}

/** TF1's _flatten_outer_dims: [d0, ..., dn-1, c] -> [d0 * ... * dn-1, c]. */
function flattenOuterDims(t: Tensor): Tensor {
  const r = shapeOps.rank(t);
  const lastDimSize = sliceOps.slice(shapeOps.shape(t), [m.subtract(r, 1)], [1]);
  const out = shapeOps.reshape(t, a.concat([[-1], lastDimSize], 0));
  const dims = t.shape.dims;
  if (dims !== null) {
    const outer = dims.slice(0, -1);
    if (!outer.includes(null)) out.setShape([outer.reduce<number>((p, d) => p * d!, 1), dims[dims.length - 1]]);
  }
  return out;
}

function softmaxXentV2(labelsIn: TensorLike, logitsIn: TensorLike, options: SoftmaxXentOptions, scopeName?: string | null): Tensor {
  let axis = options.axis ?? options.dim ?? -1;
  return nameScope(scopeName ?? null, { defaultName: 'softmax_cross_entropy_with_logits', values: [logitsIn, labelsIn] }, (name) => {
    const logits = convertToTensor(logitsIn, { name: 'logits' });
    let labels = convertToTensor(labelsIn, { name: 'labels' });
    const toFloat32 = logits.dtype === 'float16' || logits.dtype === 'bfloat16';
    let precise = toFloat32 ? m.cast(logits, 'float32') : logits;
    labels = m.cast(labels, precise.dtype);
    const inputRank = shapeOps.rank(precise);
    const shape = logits.shape;
    if (axis !== -1) {
      // _move_dim_to_end: [0..axis), (axis..rank), axis.
      const moveToEnd = (t: Tensor) => a.transpose(t, a.concat([a.range(axis), a.range(axis + 1, inputRank), [axis]], 0));
      if (axis < 0) {
        if (shape.rank === undefined) throw err(`softmax_cross_entropy_with_logits: axis ${axis} needs logits of known rank`);
        axis += shape.rank;
      }
      precise = moveToEnd(precise);
      labels = moveToEnd(labels);
    }
    const inputShape = shapeOps.shape(precise);
    precise = flattenOuterDims(precise);
    labels = flattenOuterDims(labels);
    const [cost] = applyOp('SoftmaxCrossEntropyWithLogits', [precise, labels], {}, name).outputs;
    const outputShape = sliceOps.slice(inputShape, [0], [m.subtract(inputRank, 1)]);
    let out = shapeOps.reshape(cost, outputShape);
    if (shape.dims !== null) {
      const dims = [...shape.dims];
      dims.splice(axis < 0 ? dims.length + axis : axis, 1);
      out.setShape(dims);
    }
    if (toFloat32) out = m.cast(out, logits.dtype);
    return out;
  });
}

/**
 * tf.nn.softmax_cross_entropy_with_logits_v2({labels, logits, axis, name}): -sum(labels *
 * log_softmax(logits)) over `axis`; gradients flow into both labels and logits.
 */
export function softmaxCrossEntropyWithLogitsV2(options: SoftmaxXentOptions): Tensor;
export function softmaxCrossEntropyWithLogitsV2(labels: TensorLike, logits: TensorLike, options?: SoftmaxXentOptions): Tensor;
export function softmaxCrossEntropyWithLogitsV2(...args: unknown[]): Tensor {
  const [labels, logits, options] = xentArgs<SoftmaxXentOptions>('softmax_cross_entropy_with_logits_v2', args);
  return softmaxXentV2(labels, logits, options, options.name);
}

/**
 * tf.nn.softmax_cross_entropy_with_logits({labels, logits, axis, name}) (TF1's deprecated
 * form): as V2 with labels behind stop_gradient ("softmax_cross_entropy_with_logits_sg/").
 */
export function softmaxCrossEntropyWithLogits(options: SoftmaxXentOptions): Tensor;
export function softmaxCrossEntropyWithLogits(labels: TensorLike, logits: TensorLike, options?: SoftmaxXentOptions): Tensor;
export function softmaxCrossEntropyWithLogits(...args: unknown[]): Tensor {
  const [labels, logits, options] = xentArgs<SoftmaxXentOptions>('softmax_cross_entropy_with_logits', args);
  const [stopped, name] = nameScope(options.name ?? null,
    { defaultName: 'softmax_cross_entropy_with_logits_sg', values: [logits, labels] },
    (scope) => [a.stopGradient(labels, { name: 'labels_stop_gradient' }), scope] as const);
  return softmaxXentV2(stopped, logits, options, name);
}

/**
 * tf.nn.sparse_softmax_cross_entropy_with_logits({labels, logits, name}): labels are class
 * indices (int32/int64) of shape logits.shape[:-1]. Out-of-range labels fail at run time.
 */
export function sparseSoftmaxCrossEntropyWithLogits(options: XentOptions): Tensor;
export function sparseSoftmaxCrossEntropyWithLogits(labels: TensorLike, logits: TensorLike, options?: XentOptions): Tensor;
export function sparseSoftmaxCrossEntropyWithLogits(...args: unknown[]): Tensor {
  const [labelsIn, logitsIn, options] = xentArgs<XentOptions>('sparse_softmax_cross_entropy_with_logits', args);
  return nameScope(options.name ?? null,
    { defaultName: 'SparseSoftmaxCrossEntropyWithLogits', values: [labelsIn, logitsIn] }, () => {
      const labels = convertToTensor(labelsIn);
      const logits = convertToTensor(logitsIn);
      const precise = logits.dtype === 'float16' ? m.cast(logits, 'float32') : logits;
      const ls = labels.shape;
      const gs = logits.shape;
      const outer = gs.dims === null ? null : new TensorShape(gs.dims.slice(0, -1));
      const fullyDefined = ls.isFullyDefined() && outer !== null && outer.isFullyDefined();
      if (gs.rank === 0) throw err(`Logits cannot be scalars - received shape ${gs.toString()}.`);
      if (gs.rank !== undefined && ls.rank !== undefined && ls.rank !== gs.rank - 1) {
        throw err(`Rank mismatch: Rank of labels (received ${ls.rank}) should equal rank of logits minus 1 (received ${gs.rank}).`);
      }
      if (fullyDefined && !ls.equals(outer)) {
        throw err(`Shape mismatch: The shape of labels (received ${ls.toString()}) should equal the shape of logits except for the last dimension (received ${gs.toString()}).`);
      }
      const finish = (cost: Tensor) => (logits.dtype === 'float16' ? m.cast(cost, 'float16') : cost);
      if (gs.rank === 2) {
        return finish(applyOp('SparseSoftmaxCrossEntropyWithLogits', [precise, labels], {}, options.name).outputs[0]);
      }
      // Flatten to [N, classes] and [N]; TF adds a run-time shape check when shapes are not
      // static (assert_equal), which here is left to the kernel's batch-size check.
      const labelsShape = shapeOps.shape(labels);
      const numClasses = sliceOps.gather(shapeOps.shape(logits), m.subtract(shapeOps.rank(logits), 1));
      const flatLogits = shapeOps.reshape(precise, a.stack([-1, numClasses]));
      const flatLabels = shapeOps.reshape(labels, [-1]);
      const [cost] = applyOp('SparseSoftmaxCrossEntropyWithLogits', [flatLogits, flatLabels], {}, options.name).outputs;
      const out = shapeOps.reshape(cost, labelsShape);
      out.setShape(ls);
      return finish(out);
    });
}

/**
 * tf.nn.sigmoid_cross_entropy_with_logits({labels, logits, name}): TF1's stable
 * max(x, 0) - x * z + log(1 + exp(-|x|)) (scope "logistic_loss").
 */
export function sigmoidCrossEntropyWithLogits(options: XentOptions): Tensor;
export function sigmoidCrossEntropyWithLogits(labels: TensorLike, logits: TensorLike, options?: XentOptions): Tensor;
export function sigmoidCrossEntropyWithLogits(...args: unknown[]): Tensor {
  const [labelsIn, logitsIn, options] = xentArgs<XentOptions>('sigmoid_cross_entropy_with_logits', args);
  return nameScope(options.name ?? null, { defaultName: 'logistic_loss', values: [logitsIn, labelsIn] }, (name) => {
    const logits = convertToTensor(logitsIn, { name: 'logits' });
    const labels = convertToTensor(labelsIn, { name: 'labels' });
    sameShapes(logits, labels);
    const zeros = a.zerosLike(logits, { dtype: logits.dtype });
    const cond = m.greaterEqual(logits, zeros);
    const reluLogits = a.where(cond, logits, zeros);
    const negAbsLogits = a.where(cond, m.negative(logits), logits);
    return m.add(reluLogits.sub(logits.mul(labels)), m.log1p(m.exp(negAbsLogits)), { name });
  });
}

function sameShapes(logits: Tensor, labels: Tensor, what = 'labels'): void {
  if (!labels.shape.isCompatibleWith(logits.shape)) {
    throw err(`logits and ${what} must have the same shape (${logits.shape.toString()} vs ${labels.shape.toString()})`);
  }
}

/**
 * tf.nn.weighted_cross_entropy_with_logits(targets, logits, posWeight): sigmoid cross-entropy
 * with positive examples weighted by posWeight, in TF1's stable form
 * (1 - z) * x + (1 + (q - 1) * z) * (log(1 + exp(-|x|)) + max(-x, 0)).
 */
export function weightedCrossEntropyWithLogits(targets: TensorLike, logits: TensorLike, posWeight: TensorLike,
                                               options: NameOption = {}): Tensor {
  return nameScope(options.name ?? null, { defaultName: 'logistic_loss', values: [logits, targets] }, (name) => {
    const x = convertToTensor(logits, { name: 'logits' });
    const z = convertToTensor(targets, { name: 'targets' });
    sameShapes(x, z, 'targets');
    const q = posWeight instanceof Tensor ? posWeight : convertToTensor(posWeight, { dtype: x.dtype });
    const logWeight = q.sub(1).mul(z).add(1);  // 1 + (q - 1) * z
    const softplusNegAbs = m.log1p(m.exp(m.negative(m.abs(x))));
    return m.add(rsub(1, z).mul(x), logWeight.mul(softplusNegAbs.add(relu(m.negative(x)))), { name });
  });
}

/** `value - t` with a JS value on the left (TF1's r_binary_op_wrapper: Const "sub/x"). */
function rsub(value: number, t: Tensor): Tensor {
  return nameScope('sub', { values: [t] }, (scope) =>
    m.subtract(convertToTensor(value, { dtype: t.dtype, name: 'x' }), t, { name: scope }));
}

// =====================================================================================
// Top-k
// =====================================================================================

/** tf.nn.in_top_k(predictions, targets, k): whether each target is among its row's k largest. */
export function inTopK(predictions: TensorLike, targets: TensorLike, k: TensorLike, options: NameOption = {}): Tensor {
  // TF1 opens the scope "in_top_k" and names the op `name` (default "InTopKV2") inside it.
  return nameScope(options.name ?? null, { defaultName: 'in_top_k', values: [predictions, targets, k] }, () =>
    applyOp1('InTopKV2', [predictions, targets, k], {}, options.name));
}

export interface TopKOptions extends NameOption {
  /** Number of top entries (default 1). */
  k?: TensorLike;
  /** Sort the results descending (default true). */
  sorted?: boolean;
}

/**
 * TF's TopKV2 namedtuple: `.values` and `.indices`, and iterable, so `const [values, indices] =
 * tf.nn.topK(x, 2)` works. As a fetch it gives {values, indices}.
 */
export interface TopKResult extends Iterable<Tensor> {
  values: Tensor;
  indices: Tensor;
}

/**
 * tf.nn.top_k(input, k = 1, {sorted}): the k largest entries of each last-dimension row and
 * their int32 indices (node "TopKV2"). Equal values keep the lower index first.
 */
export function topK(input: TensorLike, k?: TensorLike | TopKOptions, options: TopKOptions = {}): TopKResult {
  if (isPlainOptions(k)) [options, k] = [k as TopKOptions, (k as TopKOptions).k];
  const op = applyOp('TopKV2', [input, (k as TensorLike | undefined) ?? 1], { sorted: options.sorted ?? true }, options.name);
  const [values, indices] = op.outputs;
  const result = { values, indices } as TopKResult;
  Object.defineProperty(result, Symbol.iterator, { value: () => [values, indices][Symbol.iterator](), enumerable: false });
  return result;
}

function isPlainOptions(x: unknown): boolean {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Tensor) &&
    !ArrayBuffer.isView(x) && Object.getPrototypeOf(x) === Object.prototype;
}

// =====================================================================================
// Moments, normalisation
// =====================================================================================

export interface MomentsOptions extends NameOption {
  /** Unused (TF1 ignores it too). */
  shift?: TensorLike;
  /** Keep the reduced axes with size 1 (default false). */
  keepDims?: boolean;
  keepdims?: boolean;
}

/**
 * tf.nn.moments(x, axes, {keepDims}): [mean, variance] over `axes` (the population variance);
 * the reductions are "moments/mean" and "moments/variance".
 */
export function moments(x: TensorLike, axes: number | readonly number[], options: MomentsOptions = {}): [Tensor, Tensor] {
  const keepDims = options.keepDims ?? options.keepdims ?? false;
  const axisList = typeof axes === 'number' ? [axes] : [...axes];
  return nameScope(options.name ?? null, { defaultName: 'moments', values: [x] }, () => {
    const xt = convertToTensor(x);
    const y = xt.dtype === 'float16' ? m.cast(xt, 'float32') : xt;
    let mean = m.reduceMean(y, { axis: axisList, keepDims: true, name: 'mean' });
    // Population variance; stop_gradient does not change the gradient (it is zero there).
    let variance = m.reduceMean(m.squaredDifference(y, a.stopGradient(mean)),
      { axis: axisList, keepDims: true, name: 'variance' });
    if (!keepDims) {
      mean = shapeOps.squeeze(mean, axisList);
      variance = shapeOps.squeeze(variance, axisList);
    }
    if (xt.dtype === 'float16') return [m.cast(mean, 'float16'), m.cast(variance, 'float16')];
    return [mean, variance];
  });
}

export interface L2NormalizeOptions extends NameOption {
  /** Axis or axes to normalise along (default: all). */
  axis?: number | readonly number[];
  /** Deprecated alias of axis. */
  dim?: number | readonly number[];
  /** Lower bound on the squared norm (default 1e-12). */
  epsilon?: number;
}

/** tf.nn.l2_normalize(x, axis, {epsilon}): x / sqrt(max(sum(x ** 2, axis), epsilon)). */
export function l2Normalize(x: TensorLike, axis?: number | readonly number[] | L2NormalizeOptions,
                            options: L2NormalizeOptions = {}): Tensor {
  if (isPlainOptions(axis)) options = axis as L2NormalizeOptions;
  else if (axis !== undefined) options = { ...options, axis: axis as number | readonly number[] };
  const ax = options.axis ?? options.dim;
  return nameScope(options.name ?? null, { defaultName: 'l2_normalize', values: [x] }, (name) => {
    const xt = convertToTensor(x, { name: 'x' });
    const squareSum = m.reduceSum(m.square(xt), { axis: ax === undefined ? undefined : (ax as number[]), keepDims: true });
    const xInvNorm = m.rsqrt(m.maximum(squareSum, constant(options.epsilon ?? 1e-12, { dtype: xt.dtype })));
    return m.multiply(xt, xInvNorm, { name });
  });
}

// =====================================================================================
// Embedding lookup
// =====================================================================================

export interface EmbeddingLookupOptions extends NameOption {
  /** 'mod' or 'div'; only matters with several shards (one tensor is supported). */
  partitionStrategy?: 'mod' | 'div';
  /** If given, each looked-up embedding is clipped to this L2 norm. */
  maxNorm?: number;
  validateIndices?: boolean;
}

/**
 * tf.nn.embedding_lookup(params, ids): rows of `params` (one tensor or variable, or a list of
 * one) gathered by `ids` (int32/int64) — node "embedding_lookup" plus an Identity.
 */
export function embeddingLookup(params: TensorLike | readonly TensorLike[], ids: TensorLike,
                                options: EmbeddingLookupOptions = {}): Tensor {
  let p: TensorLike = params as TensorLike;
  if (Array.isArray(params) && params.length > 0 && params.every((q) => q instanceof Tensor)) {
    if (params.length !== 1) throw err('embeddingLookup: only a single params tensor is supported (no partitioned params)');
    p = params[0] as Tensor;
  }
  return nameScope(options.name ?? null, { defaultName: 'embedding_lookup', values: [p, ids] }, (name) => {
    const pt = convertToTensor(p, { name: 'params' });
    const idsT = convertToTensor(ids, { name: 'ids' });
    const result = colocateWith(pt.op, () => {
      const gathered = sliceOps.gather(pt, idsT, { name });
      return clipByMaxNorm(gathered, idsT, options.maxNorm);
    });
    return a.identity(result);
  });
}

/** embedding_ops._clip: clip_by_norm over the embedding axes. */
function clipByMaxNorm(params: Tensor, ids: Tensor, maxNorm: number | undefined): Tensor {
  if (maxNorm === undefined) return params;
  const ir = ids.shape.rank;
  const pr = params.shape.rank;
  const axes = ir !== undefined && pr !== undefined ? Array.from({ length: pr - ir }, (_, i) => ir + i)
    : a.range(shapeOps.rank(ids), shapeOps.rank(params));
  // clip_by_norm(t, max_norm, axes): t * max_norm / max(||t||, max_norm).
  return nameScope(null, { defaultName: 'clip_by_norm', values: [params] }, (scope) => {
    const l2sum = m.reduceSum(params.mul(params), { axis: axes, keepDims: true });
    const pred = l2sum.gt(0);
    const l2sumSafe = a.where(pred, l2sum, a.onesLike(l2sum));
    const l2norm = a.where(pred, m.sqrt(l2sumSafe), l2sum);
    const mn = constant(maxNorm, { dtype: params.dtype });
    return a.identity(params.mul(mn).div(m.maximum(l2norm, mn)), { name: scope });
  });
}

// =====================================================================================
// Dropout
// =====================================================================================

export interface DropoutOptions extends NameOption {
  /** Probability of keeping each entry (TF1's keep_prob). */
  keepProb?: TensorLike;
  /** Probability of dropping each entry (1 - keepProb); give one of the two. */
  rate?: TensorLike;
  /** Shape of the keep/drop mask, broadcast against x (null dims take x's). */
  noiseShape?: TensorLike | readonly Dim[];
  seed?: number;
}

/**
 * tf.nn.dropout(x, keepProb | {keepProb | rate, noiseShape, seed}): each entry is kept with
 * probability keepProb and scaled by 1/keepProb, else zeroed. TF1's composite under "dropout/":
 * floor(keep_prob + random_uniform(noise_shape)) as the 0/1 mask, x / keep_prob * mask.
 */
export function dropout(x: TensorLike, keepProb?: TensorLike | DropoutOptions, options: DropoutOptions = {}): Tensor {
  if (isPlainOptions(keepProb)) options = keepProb as DropoutOptions;
  else if (keepProb !== undefined) options = { ...options, keepProb: keepProb as TensorLike };
  if (options.keepProb !== undefined && options.rate !== undefined) {
    throw err('dropout: give keepProb or rate, not both');
  }
  let rate: TensorLike | undefined = options.rate;
  if (options.keepProb !== undefined) {
    const kp = options.keepProb;
    rate = typeof kp === 'number' ? 1 - kp : graphOf([kp, x]).asDefault(() => rsub(1, convertToTensor(kp, { preferredDtype: 'float32' })));
  }
  if (rate === undefined) throw err('You must provide a rate to dropout.');
  return nameScope(options.name ?? null, { defaultName: 'dropout', values: [x] }, () => {
    const xt = convertToTensor(x, { name: 'x' });
    if (!dtypeInfo(xt.dtype).isFloating) {
      throw err(`x has to be a floating point tensor since it's going to be scaled. Got a ${xt.dtype} tensor instead.`);
    }
    if (typeof rate === 'number') {
      if (!(rate >= 0 && rate < 1)) throw err(`rate must be a scalar tensor or a float in the range [0, 1), got ${rate}`);
      if (rate === 0) return xt;
    }
    const rateT = rate instanceof Tensor ? (rate.dtype === xt.dtype ? rate : m.cast(rate, xt.dtype))
      : convertToTensor(rate!, { dtype: xt.dtype, name: 'rate' });
    if (!rateT.shape.isCompatibleWith([])) throw err(`Shape ${rateT.shape.toString()} must have rank 0`);
    const rv = constantValue(rateT);
    if (rv && rv.size === 1 && Number(rv.flatGet(0)) === 0) return xt;

    const noiseShape = noiseShapeOf(xt, options.noiseShape);
    const keep = rsub(1, rateT);
    // uniform [keep_prob, 1 + keep_prob): floor is 0 with probability rate, else 1.
    const randomTensor = keep.add(randomUniform(noiseShape, { seed: options.seed, dtype: xt.dtype }));
    const binaryTensor = m.floor(randomTensor);
    const ret = m.div(xt, keep).mul(binaryTensor);
    ret.setShape(xt.shape);
    return ret;
  });
}

/** TF1's _get_noise_shape: x's dynamic shape, or noiseShape with null dims filled from x. */
function noiseShapeOf(x: Tensor, noiseShape: DropoutOptions['noiseShape']): TensorLike | TensorShape {
  if (noiseShape === undefined || noiseShape === null) return shapeOps.shape(x);
  if (Array.isArray(noiseShape) && noiseShape.every((d) => d === null || typeof d === 'number')) {
    const dims = noiseShape as readonly Dim[];
    const xd = x.shape.dims;
    if (xd !== null && xd.length === dims.length) {
      const filled = dims.map((d, i) => (d === null ? xd[i] : d));
      if (!filled.includes(null)) return filled as number[];
    }
    if (dims.includes(null)) throw err(`dropout: noiseShape ${JSON.stringify(dims)} has unknown dims that x's shape cannot fill`);
  }
  return noiseShape as TensorLike;
}
