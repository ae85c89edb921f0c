// Convolution, pooling, local response normalisation and batch normalisation for tf.nn.
// Op defs (types, attrs, defaults, allowed dtypes) and shape functions follow TF 1.15's
// nn_ops.cc and common_shape_fns.cc, with their error messages; the public functions follow
// tf.compat.v1.nn's Python wrappers and their default node names. The CPU kernels (oneDNN) are
// float32 only: the ops accept TF's float types at graph construction, as TF does.
import { mergeShapes, withRank } from '../framework/common_shapes.js';
import { constantValueAsShape } from '../framework/constant_value.js';
import type { DType } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { applyOp, applyOp1, constant, convertToTensor, type TensorLike } from '../framework/op_builder.js';
import { registerOp } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import { nameScope } from '../framework/scopes.js';
import type { Tensor } from '../framework/tensor.js';
import { type Dim, type ShapeLike, TensorShape } from '../framework/tensor_shape.js';
import { shape as shapeOf } from './shape_ops.js';
import { rsqrt } from './math_ops.js';
import './tensor_methods.js';

// ---------- dtypes ----------

const FLOATS: DType[] = ['float16', 'bfloat16', 'float32', 'float64'];
const HALF_FLOAT: DType[] = ['float16', 'bfloat16', 'float32'];
/** TF's realnumbertypes as far as this project has them (MaxPool, MaxPoolGrad). */
const REAL_NUMBERS: DType[] = ['float32', 'float64', 'int32', 'uint8', 'int16', 'int8', 'int64', 'bfloat16', 'float16'];

// ---------- shape-function helpers (TF's InferenceContext semantics and messages) ----------

function shapeError(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

function mergeDim(a: Dim, b: Dim): Dim {
  if (a === null) return b;
  if (b === null || a === b) return a;
  throw shapeError(`Dimensions must be equal, but are ${a} and ${b}`);
}

type Format = 'NHWC' | 'NCHW';
type PaddingType = 'SAME' | 'VALID' | 'EXPLICIT';

function formatOf(op: Operation): Format {
  const f = op.getAttr('data_format') as string;
  if (f !== 'NHWC' && f !== 'NCHW') throw shapeError(`Invalid data format string: ${f}`);
  return f;
}

const hIdx = (f: Format) => (f === 'NHWC' ? 1 : 2);
const wIdx = (f: Format) => (f === 'NHWC' ? 2 : 3);
const cIdx = (f: Format) => (f === 'NHWC' ? 3 : 1);

function makeDataShape(f: Format, n: Dim, h: Dim, w: Dim, c: Dim): Dim[] {
  return f === 'NHWC' ? [n, h, w, c] : [n, c, h, w];
}

/**
 * TF's GetWindowedOutputSizeFromDimsV2: the output size of one spatial dimension (null when
 * unknown); VALID/EXPLICIT windows that do not fit throw TF's "Negative dimension size" error.
 */
function windowedOutputSize(input: Dim, filter: Dim, dilation: number, stride: number, padding: PaddingType,
                            padBefore = 0, padAfter = 0): Dim {
  if (stride <= 0) throw shapeError(`Stride must be > 0, but got ${stride}`);
  if (dilation < 1) throw shapeError(`Dilation rate must be >= 1, but got ${dilation}`);
  if (padding === 'SAME') return input === null ? null : Math.floor((input + stride - 1) / stride);
  if (input === null || filter === null) return null;
  const padded = input + (padding === 'EXPLICIT' ? padBefore + padAfter : 0);
  const window = (filter - 1) * dilation + 1;
  if (padded < window) throw shapeError(`Negative dimension size caused by subtracting ${window} from ${padded}`);
  return Math.floor((padded - window + stride) / stride);
}

/** A 4-value attr (strides, ksize, dilations) checked for length, with TF's message. */
function attr4(op: Operation, name: string, opLabel: string, label = name): number[] {
  const v = op.getAttr(name) as number[];
  if (v.length !== 4) throw shapeError(`${opLabel} requires the ${label} attribute to contain 4 values, but got: ${v.length}`);
  return v;
}

/** TF's CheckValidPadding: explicit_paddings only (and always 8 values) with EXPLICIT padding. */
function explicitPaddings(op: Operation, padding: PaddingType): number[] {
  const p = (op.getAttr('explicit_paddings') as number[] | undefined) ?? [];
  if (padding === 'EXPLICIT') {
    if (p.length !== 8) throw shapeError(`explicit_paddings attribute must contain 8 values, but got: ${p.length}`);
    if (p.some((v) => v < 0)) throw shapeError(`All elements of explicit_paddings must be nonnegative, but got [${p.join(', ')}]`);
  } else if (p.length !== 0) {
    throw shapeError('explicit_paddings attribute must be empty if the padding attribute is not EXPLICIT');
  }
  return p;
}

// ---------- convolution ops ----------

const CONV_ATTRS = {
  T: { kind: 'type' as const, allowed: FLOATS },
  strides: { kind: 'list(int)' as const },
  use_cudnn_on_gpu: { kind: 'bool' as const, default: true },
  padding: { kind: 'string' as const },
  explicit_paddings: { kind: 'list(int)' as const, default: [] },
  data_format: { kind: 'string' as const, default: 'NHWC' },
  dilations: { kind: 'list(int)' as const, default: [1, 1, 1, 1] },
};

function paddingOf(op: Operation, allowExplicit: boolean): PaddingType {
  const p = op.getAttr('padding') as string;
  if (p === 'SAME' || p === 'VALID' || (allowExplicit && p === 'EXPLICIT')) return p as PaddingType;
  throw shapeError(`Invalid padding: ${p} (expected ${allowExplicit ? '"SAME", "VALID" or "EXPLICIT"' : '"SAME" or "VALID"'})`);
}

/** TF's Conv2DShapeImpl (NHWC/NCHW, HWIO filter, dilations, explicit padding). */
function conv2DShape(inputShape: TensorShape, filterShape: TensorShape, op: Operation): TensorShape {
  const f = formatOf(op);
  const input = withRank(inputShape, 4);
  const filter = withRank(filterShape, 4);
  const strides = attr4(op, 'strides', 'Conv2D', 'stride');
  const dilations = attr4(op, 'dilations', 'Conv2D', 'dilation');
  const padding = paddingOf(op, true);
  const pads = explicitPaddings(op, padding);
  mergeDim(input.dim(cIdx(f)), filter.dim(2));
  const rows = windowedOutputSize(input.dim(hIdx(f)), filter.dim(0), dilations[hIdx(f)], strides[hIdx(f)], padding,
    pads[2 * hIdx(f)], pads[2 * hIdx(f) + 1]);
  const cols = windowedOutputSize(input.dim(wIdx(f)), filter.dim(1), dilations[wIdx(f)], strides[wIdx(f)], padding,
    pads[2 * wIdx(f)], pads[2 * wIdx(f) + 1]);
  return new TensorShape(makeDataShape(f, input.dim(0), rows, cols, filter.dim(3)));
}

/** The shape given by a 1-D shape tensor input, which must describe rank 4 (MakeShapeFromShapeTensor + WithRank). */
function shapeFromInput(t: Tensor): TensorShape {
  withRank(t.shape, 1);
  return withRank(constantValueAsShape(t), 4);
}

registerOp({
  type: 'Conv2D',
  inputs: [{ name: 'input', typeAttr: 'T' }, { name: 'filter', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: CONV_ATTRS,
  shape: (op) => [conv2DShape(op.inputs[0].shape, op.inputs[1].shape, op)],
});

// The runtime's remapper (native/runtime/remapper.cc) rewrites Conv2D+BiasAdd(+Relu) into this
// node when it builds an executor; TF's internal op of the same name and attrs.
registerOp({
  type: '_FusedConv2D',
  inputs: [{ name: 'input', typeAttr: 'T' }, { name: 'filter', typeAttr: 'T' }, { name: 'args', typeAttr: 'T', numberAttr: 'num_args' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: {
    ...CONV_ATTRS,
    T: { kind: 'type', allowed: ['float32'] },
    num_args: { kind: 'int', default: 0 },
    fused_ops: { kind: 'list(string)', default: [] },
    epsilon: { kind: 'float', default: 0.0001 },
    leakyrelu_alpha: { kind: 'float', default: 0.2 },
  },
  shape: (op) => [conv2DShape(op.inputs[0].shape, op.inputs[1].shape, op)],
});

registerOp({
  type: 'Conv2DBackpropInput',
  inputs: [{ name: 'input_sizes', type: 'int32' }, { name: 'filter', typeAttr: 'T' }, { name: 'out_backprop', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: CONV_ATTRS,
  shape: (op) => [shapeFromInput(op.inputs[0])],
});

registerOp({
  type: 'Conv2DBackpropFilter',
  inputs: [{ name: 'input', typeAttr: 'T' }, { name: 'filter_sizes', type: 'int32' }, { name: 'out_backprop', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: CONV_ATTRS,
  shape: (op) => [shapeFromInput(op.inputs[1])],
});

const DEPTHWISE_ATTRS = {
  T: { kind: 'type' as const, allowed: FLOATS },
  strides: { kind: 'list(int)' as const },
  padding: { kind: 'string' as const },
  data_format: { kind: 'string' as const, default: 'NHWC' },
  dilations: { kind: 'list(int)' as const, default: [1, 1, 1, 1] },
};

/** TF's DepthwiseConv2DNativeShape: output depth = in_depth * depth_multiplier. */
function depthwiseShape(op: Operation): ShapeLike[] {
  const f = formatOf(op);
  const input = withRank(op.inputs[0].shape, 4);
  const filter = withRank(op.inputs[1].shape, 4);
  const strides = attr4(op, 'strides', 'DepthwiseConv2D', 'stride');
  const dilations = attr4(op, 'dilations', 'DepthwiseConv2D', 'dilations');
  const padding = paddingOf(op, false);
  const sh = strides[hIdx(f)], sw = strides[wIdx(f)];
  if (sh !== sw) throw shapeError('Current implementation only supports equal length strides in the row and column dimensions.');
  const inDepth = mergeDim(input.dim(cIdx(f)), filter.dim(2));
  const mult = filter.dim(3);
  const outDepth = inDepth === null || mult === null ? null : inDepth * mult;
  const rows = windowedOutputSize(input.dim(hIdx(f)), filter.dim(0), dilations[hIdx(f)], sh, padding);
  const cols = windowedOutputSize(input.dim(wIdx(f)), filter.dim(1), dilations[wIdx(f)], sw, padding);
  return [makeDataShape(f, input.dim(0), rows, cols, outDepth)];
}

registerOp({
  type: 'DepthwiseConv2dNative',
  inputs: [{ name: 'input', typeAttr: 'T' }, { name: 'filter', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: DEPTHWISE_ATTRS,
  shape: depthwiseShape,
});

registerOp({
  type: 'DepthwiseConv2dNativeBackpropInput',
  inputs: [{ name: 'input_sizes', type: 'int32' }, { name: 'filter', typeAttr: 'T' }, { name: 'out_backprop', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: DEPTHWISE_ATTRS,
  shape: (op) => [shapeFromInput(op.inputs[0])],
});

registerOp({
  type: 'DepthwiseConv2dNativeBackpropFilter',
  inputs: [{ name: 'input', typeAttr: 'T' }, { name: 'filter_sizes', type: 'int32' }, { name: 'out_backprop', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: DEPTHWISE_ATTRS,
  shape: (op) => [shapeFromInput(op.inputs[1])],
});

// ---------- pooling ops ----------

const POOL_FORMATS = ['NHWC', 'NCHW'];

function poolAttrs(allowed: DType[], dflt?: DType) {
  return {
    T: { kind: 'type' as const, allowed, ...(dflt ? { default: dflt } : {}) },
    ksize: { kind: 'list(int)' as const },
    strides: { kind: 'list(int)' as const },
    padding: { kind: 'string' as const },
    data_format: { kind: 'string' as const, default: 'NHWC' },
  };
}

/** TF's MaxPoolShape / AvgPoolShape (depth pooling only for MaxPool). */
function poolShape(op: Operation, label: string, depthPooling: boolean): TensorShape {
  const fmt = op.getAttr('data_format') as string;
  if (!POOL_FORMATS.includes(fmt)) throw shapeError(`Invalid data format string: ${fmt}`);
  const f = fmt as Format;
  const input = withRank(op.inputs[0].shape, 4);
  const strides = attr4(op, 'strides', label, 'stride');
  const ksize = attr4(op, 'ksize', label, 'ksize');
  const padding = paddingOf(op, false);
  const rows = windowedOutputSize(input.dim(hIdx(f)), ksize[hIdx(f)], 1, strides[hIdx(f)], padding);
  const cols = windowedOutputSize(input.dim(wIdx(f)), ksize[wIdx(f)], 1, strides[wIdx(f)], padding);
  const depth = depthPooling
    ? windowedOutputSize(input.dim(cIdx(f)), ksize[cIdx(f)], 1, strides[cIdx(f)], padding)
    : input.dim(cIdx(f));
  return new TensorShape(makeDataShape(f, input.dim(0), rows, cols, depth));
}

registerOp({
  type: 'MaxPool',
  inputs: [{ name: 'input', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: poolAttrs(REAL_NUMBERS, 'float32'),
  shape: (op) => [poolShape(op, 'MaxPool', true)],
});

registerOp({
  type: 'AvgPool',
  inputs: [{ name: 'value', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: poolAttrs(FLOATS),
  shape: (op) => [poolShape(op, 'AvgPool', false)],
});

registerOp({
  type: 'MaxPoolGrad',
  inputs: [{ name: 'orig_input', typeAttr: 'T' }, { name: 'orig_output', typeAttr: 'T' }, { name: 'grad', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: poolAttrs(REAL_NUMBERS, 'float32'),
  shape: (op) => [withRank(op.inputs[0].shape, 4)],
});

// The runtime's remapper rewrites MaxPoolGrad -> ReluGrad (the gradient of relu -> max_pool)
// into this node (fused_ops = ['ReluGrad']): the pool gradient masked where the maximum is <= 0;
// with num_bias_backprops = 1 (fused_ops = ['ReluGrad', 'BiasAddGrad']) also that gradient
// summed per channel, the layer's bias gradient.
registerOp({
  type: '_FusedMaxPoolGrad',
  inputs: [{ name: 'orig_input', typeAttr: 'T' }, { name: 'orig_output', typeAttr: 'T' }, { name: 'grad', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }, { name: 'bias_backprop', typeAttr: 'T', numberAttr: 'num_bias_backprops' }],
  attrs: {
    ...poolAttrs(['float32'], 'float32'),
    fused_ops: { kind: 'list(string)', default: [] },
    num_bias_backprops: { kind: 'int', default: 0 },
  },
  shape: (op) => {
    const input = withRank(op.inputs[0].shape, 4);
    const channels = input.dims === null ? null : input.dims[cIdx(formatOf(op))];
    return [input, ...op.outputs.slice(1).map(() => new TensorShape([channels]))];
  },
});

registerOp({
  type: 'AvgPoolGrad',
  inputs: [{ name: 'orig_input_shape', type: 'int32' }, { name: 'grad', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: poolAttrs(FLOATS),
  shape: (op) => [shapeFromInput(op.inputs[0])],
});

registerOp({
  type: 'MaxPoolGradGrad',
  inputs: [{ name: 'orig_input', typeAttr: 'T' }, { name: 'orig_output', typeAttr: 'T' }, { name: 'grad', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: poolAttrs(REAL_NUMBERS),
  shape: (op) => {
    const out = poolShape(op, 'MaxPool', true);
    mergeShapes(op.inputs[0].shape, op.inputs[2].shape);
    mergeShapes(op.inputs[1].shape, out);
    return [out];
  },
});

// ---------- LRN ----------

const LRN_ATTRS = {
  depth_radius: { kind: 'int' as const, default: 5 },
  bias: { kind: 'float' as const, default: 1 },
  alpha: { kind: 'float' as const, default: 1 },
  beta: { kind: 'float' as const, default: 0.5 },
  T: { kind: 'type' as const, default: 'float32', allowed: HALF_FLOAT },
};

registerOp({
  type: 'LRN',
  inputs: [{ name: 'input', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: LRN_ATTRS,
  shape: (op) => [withRank(op.inputs[0].shape, 4)],
});

registerOp({
  type: 'LRNGrad',
  inputs: [{ name: 'input_grads', typeAttr: 'T' }, { name: 'input_image', typeAttr: 'T' }, { name: 'output_image', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: LRN_ATTRS,
  shape: (op) => {
    let s = withRank(op.inputs[0].shape, 4);
    s = mergeShapes(s, op.inputs[1].shape);
    return [mergeShapes(s, op.inputs[2].shape)];
  },
});

// ---------- fused batch norm ----------

function batchNormFormat(op: Operation): Format {
  const f = op.getAttr('data_format') as string;
  if (f !== 'NHWC' && f !== 'NCHW') throw shapeError(`Invalid data format string: ${f}`);
  return f;
}

/** TF's FusedBatchNormShape (+ V3's unknown reserve_space_3). */
function fusedBatchNormShape(op: Operation): ShapeLike[] {
  const x = withRank(op.inputs[0].shape, 4);
  const ci = cIdx(batchNormFormat(op));
  const training = op.getAttr('is_training') as boolean;
  let channels = x.dim(ci);
  const n = training ? 3 : 5;
  for (let i = 1; i < n; i++) channels = mergeDim(channels, withRank(op.inputs[i].shape, 1).dim(0));
  const y = [...x.dims!];
  y[ci] = channels;
  const out: ShapeLike[] = [y, [channels], [channels], [channels], [channels]];
  if (op.outputs.length === 6) out.push(TensorShape.unknown());
  return out;
}

/** TF's FusedBatchNormGradShape. */
function fusedBatchNormGradShape(op: Operation): ShapeLike[] {
  const dy = withRank(op.inputs[0].shape, 4);
  const x = withRank(op.inputs[1].shape, 4);
  const ci = cIdx(batchNormFormat(op));
  let channels = mergeDim(dy.dim(ci), x.dim(ci));
  for (let i = 2; i < 5; i++) channels = mergeDim(channels, withRank(op.inputs[i].shape, 1).dim(0));
  const dx = [...dy.dims!];
  dx[ci] = channels;
  return [dx, [channels], [channels], [0], [0]];
}

const BN_ATTRS = {
  epsilon: { kind: 'float' as const, default: 0.0001 },
  data_format: { kind: 'string' as const, default: 'NHWC' },
  is_training: { kind: 'bool' as const, default: true },
};

registerOp({
  type: 'FusedBatchNorm',
  inputs: ['x', 'scale', 'offset', 'mean', 'variance'].map((name) => ({ name, typeAttr: 'T' })),
  outputs: ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2'].map((name) => ({ name, typeAttr: 'T' })),
  attrs: { T: { kind: 'type', allowed: ['float32'] }, ...BN_ATTRS },
  shape: fusedBatchNormShape,
});

for (const v3 of [false, true]) {
  registerOp({
    type: v3 ? 'FusedBatchNormV3' : 'FusedBatchNormV2',
    inputs: [{ name: 'x', typeAttr: 'T' }, ...['scale', 'offset', 'mean', 'variance'].map((name) => ({ name, typeAttr: 'U' }))],
    outputs: [{ name: 'y', typeAttr: 'T' },
      ...['batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2', ...(v3 ? ['reserve_space_3'] : [])]
        .map((name) => ({ name, typeAttr: 'U' }))],
    attrs: { T: { kind: 'type', allowed: HALF_FLOAT }, U: { kind: 'type', allowed: ['float32'] }, ...BN_ATTRS },
    shape: fusedBatchNormShape,
  });
}

registerOp({
  type: 'FusedBatchNormGrad',
  inputs: ['y_backprop', 'x', 'scale', 'reserve_space_1', 'reserve_space_2'].map((name) => ({ name, typeAttr: 'T' })),
  outputs: ['x_backprop', 'scale_backprop', 'offset_backprop', 'reserve_space_3', 'reserve_space_4'].map((name) => ({ name, typeAttr: 'T' })),
  attrs: { T: { kind: 'type', allowed: ['float32'] }, ...BN_ATTRS },
  shape: fusedBatchNormGradShape,
});

for (const v3 of [false, true]) {
  registerOp({
    type: v3 ? 'FusedBatchNormGradV3' : 'FusedBatchNormGradV2',
    inputs: [{ name: 'y_backprop', typeAttr: 'T' }, { name: 'x', typeAttr: 'T' }, { name: 'scale', type: 'float32' },
      { name: 'reserve_space_1', typeAttr: 'U' }, { name: 'reserve_space_2', typeAttr: 'U' },
      ...(v3 ? [{ name: 'reserve_space_3', typeAttr: 'U' }] : [])],
    outputs: [{ name: 'x_backprop', typeAttr: 'T' },
      ...['scale_backprop', 'offset_backprop', 'reserve_space_3', 'reserve_space_4'].map((name) => ({ name, typeAttr: 'U' }))],
    attrs: { T: { kind: 'type', allowed: HALF_FLOAT }, U: { kind: 'type', allowed: ['float32'] }, ...BN_ATTRS },
    shape: fusedBatchNormGradShape,
  });
}

// =====================================================================================
// Public functions (tf.nn)
// =====================================================================================

type IntOrList = number | readonly number[];
export type PaddingArg = 'SAME' | 'VALID' | readonly (readonly [number, number])[] | readonly (readonly number[])[];
export type DataFormat = 'NHWC' | 'NCHW';

function valueError(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

/** TF's _get_sequence: an int or a list of 1, n or n+2 ints -> the full 4-value attr. */
function getSequence(value: IntOrList | undefined, n: number, channelIndex: number, name: string): number[] {
  let v: number[] = value === undefined ? [1] : typeof value === 'number' ? [value] : [...value];
  if (v.length === n + 2) return v;
  if (v.length === 1) v = new Array<number>(n).fill(v[0]);
  else if (v.length !== n) throw valueError(`${name} should be of length 1, ${n} or ${n + 2} but was ${v.length}`);
  return channelIndex === 1 ? [1, 1, ...v] : [1, ...v, 1];
}

/** TF's convert_padding: a list of [before, after] pairs becomes EXPLICIT padding. */
function convertPadding(padding: PaddingArg): [string, number[]] {
  if (typeof padding === 'string') {
    if ((padding as string) === 'EXPLICIT') {
      throw valueError('"EXPLICIT" is not a valid value for the padding parameter. To use explicit padding, the padding parameter must be a list.');
    }
    return [padding, []];
  }
  const explicit: number[] = [];
  padding.forEach((pair, i) => {
    if (!Array.isArray(pair)) {
      throw valueError(`When padding is a list, each element of padding must be a list/tuple of size 2. Element with index ${i} of padding is not a list/tuple: ${String(pair)}`);
    }
    if (pair.length !== 2) {
      throw valueError(`When padding is a list, each element of padding must be a list/tuple of size 2. Element with index ${i} of padding has size ${pair.length}`);
    }
    explicit.push(pair[0], pair[1]);
  });
  if (padding.length !== 4) throw valueError(`When padding is a list, it must be of size 4. Got padding of size: ${padding.length}`);
  return ['EXPLICIT', explicit];
}

const channelIndexOf = (dataFormat: string) => (dataFormat.startsWith('NC') ? 1 : 3);

export interface Conv2DOptions {
  dilations?: IntOrList;
  dataFormat?: DataFormat;
  useCudnnOnGpu?: boolean;
  name?: string;
}

/** tf.nn.conv2d(input, filter, strides, padding, {dilations, dataFormat, name}) (node "Conv2D"). */
export function conv2d(input: TensorLike, filter: TensorLike, strides: IntOrList, padding: PaddingArg, options: Conv2DOptions = {}): Tensor {
  const dataFormat = options.dataFormat ?? 'NHWC';
  const [pad, explicit] = convertPadding(padding);
  const ci = channelIndexOf(dataFormat);
  return applyOp1('Conv2D', [input, filter], {
    strides: getSequence(strides, 2, ci, 'strides'), padding: pad, explicit_paddings: explicit,
    use_cudnn_on_gpu: options.useCudnnOnGpu ?? true, data_format: dataFormat,
    dilations: getSequence(options.dilations, 2, ci, 'dilations'),
  }, options.name);
}

/** gen_nn_ops.conv2d_backprop_input: the gradient of conv2d with respect to its input. */
export function conv2dBackpropInput(inputSizes: TensorLike, filter: TensorLike, outBackprop: TensorLike, strides: IntOrList,
                                    padding: PaddingArg, options: Conv2DOptions = {}): Tensor {
  const dataFormat = options.dataFormat ?? 'NHWC';
  const [pad, explicit] = convertPadding(padding);
  const ci = channelIndexOf(dataFormat);
  return applyOp1('Conv2DBackpropInput', [inputSizes, filter, outBackprop], {
    strides: getSequence(strides, 2, ci, 'strides'), padding: pad, explicit_paddings: explicit,
    use_cudnn_on_gpu: options.useCudnnOnGpu ?? true, data_format: dataFormat,
    dilations: getSequence(options.dilations, 2, ci, 'dilations'),
  }, options.name);
}

/** gen_nn_ops.conv2d_backprop_filter: the gradient of conv2d with respect to its filter. */
export function conv2dBackpropFilter(input: TensorLike, filterSizes: TensorLike, outBackprop: TensorLike, strides: IntOrList,
                                     padding: PaddingArg, options: Conv2DOptions = {}): Tensor {
  const dataFormat = options.dataFormat ?? 'NHWC';
  const [pad, explicit] = convertPadding(padding);
  const ci = channelIndexOf(dataFormat);
  return applyOp1('Conv2DBackpropFilter', [input, filterSizes, outBackprop], {
    strides: getSequence(strides, 2, ci, 'strides'), padding: pad, explicit_paddings: explicit,
    use_cudnn_on_gpu: options.useCudnnOnGpu ?? true, data_format: dataFormat,
    dilations: getSequence(options.dilations, 2, ci, 'dilations'),
  }, options.name);
}

export interface Conv2DTransposeOptions {
  padding?: 'SAME' | 'VALID';
  dataFormat?: DataFormat;
  dilations?: IntOrList;
  name?: string;
}

/**
 * tf.nn.conv2d_transpose(value, filter, outputShape, strides, {padding='SAME'}): the gradient of
 * conv2d, a Conv2DBackpropInput op named "conv2d_transpose" (filter is [h, w, out_c, in_c]).
 */
export function conv2dTranspose(value: TensorLike, filter: TensorLike, outputShape: TensorLike, strides: IntOrList,
                                options: Conv2DTransposeOptions = {}): Tensor {
  const dataFormat = options.dataFormat ?? 'NHWC';
  const padding = options.padding ?? 'SAME';
  return nameScope(options.name ?? null, { defaultName: 'conv2d_transpose', values: [value, filter, outputShape] }, (scope) => {
    if (dataFormat !== 'NCHW' && dataFormat !== 'NHWC') throw valueError(`data_format has to be either NCHW or NHWC.`);
    const v = convertToTensor(value, { name: 'value' });
    const f = convertToTensor(filter, { name: 'filter', dtype: v.dtype });
    const axis = dataFormat === 'NHWC' ? 3 : 1;
    if (!new TensorShape([v.shape.dim(axis)]).isCompatibleWith([f.shape.dim(3)])) {
      throw valueError(`input channels does not match filter's input channels, ${v.shape.dim(axis)} != ${f.shape.dim(3)}`);
    }
    const os = convertToTensor(outputShape, { name: 'output_shape', dtype: 'int32' });
    if (!os.shape.isCompatibleWith([4])) throw valueError(`output_shape must have shape (4,), got ${os.shape.toString()}`);
    if (Array.isArray(outputShape) && outputShape.length === 4 && typeof outputShape[axis] === 'number') {
      if (!new TensorShape([f.shape.dim(2)]).isCompatibleWith([outputShape[axis] as number])) {
        throw valueError(`output_shape does not match filter's output channels, ${outputShape[axis]} != ${f.shape.dim(2)}`);
      }
    }
    if (padding !== 'VALID' && padding !== 'SAME') throw valueError(`padding must be either VALID or SAME: ${String(padding)}`);
    return conv2dBackpropInput(os, f, v, strides, padding, { dataFormat, dilations: options.dilations, name: scope });
  });
}

export interface DepthwiseOptions {
  /** Dilation rate [rh, rw] (or one number). */
  rate?: IntOrList;
  dataFormat?: DataFormat;
  name?: string;
}

/** gen_nn_ops.depthwise_conv2d_native (node "DepthwiseConv2dNative"). */
export function depthwiseConv2dNative(input: TensorLike, filter: TensorLike, strides: IntOrList, padding: 'SAME' | 'VALID',
                                      options: { dataFormat?: DataFormat; dilations?: IntOrList; name?: string } = {}): Tensor {
  const dataFormat = options.dataFormat ?? 'NHWC';
  const ci = channelIndexOf(dataFormat);
  return applyOp1('DepthwiseConv2dNative', [input, filter], {
    strides: getSequence(strides, 2, ci, 'strides'), padding, data_format: dataFormat,
    dilations: getSequence(options.dilations, 2, ci, 'dilations'),
  }, options.name);
}

/** gen_nn_ops.depthwise_conv2d_native_backprop_input. */
export function depthwiseConv2dNativeBackpropInput(inputSizes: TensorLike, filter: TensorLike, outBackprop: TensorLike,
                                                   strides: IntOrList, padding: 'SAME' | 'VALID',
                                                   options: { dataFormat?: DataFormat; dilations?: IntOrList; name?: string } = {}): Tensor {
  const dataFormat = options.dataFormat ?? 'NHWC';
  const ci = channelIndexOf(dataFormat);
  return applyOp1('DepthwiseConv2dNativeBackpropInput', [inputSizes, filter, outBackprop], {
    strides: getSequence(strides, 2, ci, 'strides'), padding, data_format: dataFormat,
    dilations: getSequence(options.dilations, 2, ci, 'dilations'),
  }, options.name);
}

/** gen_nn_ops.depthwise_conv2d_native_backprop_filter. */
export function depthwiseConv2dNativeBackpropFilter(input: TensorLike, filterSizes: TensorLike, outBackprop: TensorLike,
                                                    strides: IntOrList, padding: 'SAME' | 'VALID',
                                                    options: { dataFormat?: DataFormat; dilations?: IntOrList; name?: string } = {}): Tensor {
  const dataFormat = options.dataFormat ?? 'NHWC';
  const ci = channelIndexOf(dataFormat);
  return applyOp1('DepthwiseConv2dNativeBackpropFilter', [input, filterSizes, outBackprop], {
    strides: getSequence(strides, 2, ci, 'strides'), padding, data_format: dataFormat,
    dilations: getSequence(options.dilations, 2, ci, 'dilations'),
  }, options.name);
}

function rateOf(rate: IntOrList | undefined): [number, number] {
  const r = rate === undefined ? [1, 1] : typeof rate === 'number' ? [rate, rate] : [...rate];
  if (r.length !== 2) throw valueError(`rate must be two elements, got ${r.length}`);
  if (r.some((v) => !Number.isInteger(v) || v < 1)) throw valueError(`rate must be >= 1, got [${r.join(', ')}]`);
  return [r[0], r[1]];
}

/** TF's with_space_to_batch preamble: the filter's dynamic shape and the rate as constants "Shape" and "dilation_rate". */
function spaceToBatchPreamble(filter: Tensor, rate: [number, number]): void {
  shapeOf(filter);
  constant(rate, { dtype: 'int32', name: 'dilation_rate' });
}

/**
 * tf.nn.depthwise_conv2d(input, filter, strides, padding, {rate}): filter [h, w, in_c, mult]
 * (node "depthwise"). A rate > 1 sets the op's dilations (TF1 wraps the op in SpaceToBatchND /
 * BatchToSpaceND instead; the values are the same).
 */
export function depthwiseConv2d(input: TensorLike, filter: TensorLike, strides: IntOrList, padding: 'SAME' | 'VALID',
                                options: DepthwiseOptions = {}): Tensor {
  return nameScope(options.name ?? null, { defaultName: 'depthwise', values: [input, filter] }, (scope) => {
    const x = convertToTensor(input, { name: 'tensor_in' });
    const f = convertToTensor(filter, { name: 'filter_in', dtype: x.dtype });
    const rate = rateOf(options.rate);
    spaceToBatchPreamble(f, rate);
    return depthwiseConv2dNative(x, f, strides, padding, { dataFormat: options.dataFormat, dilations: rate, name: scope });
  });
}

/**
 * tf.nn.separable_conv2d(input, depthwiseFilter, pointwiseFilter, strides, padding, {rate}):
 * a depthwise convolution ("separable_conv2d/depthwise") followed by a 1x1 Conv2D
 * ("separable_conv2d").
 */
export function separableConv2d(input: TensorLike, depthwiseFilter: TensorLike, pointwiseFilter: TensorLike, strides: IntOrList,
                                padding: 'SAME' | 'VALID', options: DepthwiseOptions = {}): Tensor {
  return nameScope(options.name ?? null, { defaultName: 'separable_conv2d', values: [input, depthwiseFilter, pointwiseFilter] }, (scope) => {
    const x = convertToTensor(input, { name: 'tensor_in' });
    const df = convertToTensor(depthwiseFilter, { name: 'depthwise_filter', dtype: x.dtype });
    const pf = convertToTensor(pointwiseFilter, { name: 'pointwise_filter', dtype: x.dtype });
    const ps = withRank(pf.shape, 4);
    if (ps.dim(0) !== null && ps.dim(0) !== 1) throw valueError(`Dimensions ${ps.dim(0)} and 1 are not compatible`);
    if (ps.dim(1) !== null && ps.dim(1) !== 1) throw valueError(`Dimensions ${ps.dim(1)} and 1 are not compatible`);
    const rate = rateOf(options.rate);
    spaceToBatchPreamble(df, rate);
    const depthwise = depthwiseConv2dNative(x, df, strides, padding, { dataFormat: options.dataFormat, dilations: rate, name: 'depthwise' });
    return conv2d(depthwise, pf, [1, 1, 1, 1], 'VALID', { dataFormat: options.dataFormat, name: scope });
  });
}

/**
 * tf.nn.atrous_conv2d(value, filters, rate, padding): a dilated convolution (TF1 builds it with
 * tf.nn.convolution under the scope "convolution"; here a Conv2D with dilations named so).
 */
export function atrousConv2d(value: TensorLike, filters: TensorLike, rate: number, padding: 'SAME' | 'VALID',
                             options: { name?: string } = {}): Tensor {
  if (!Number.isInteger(rate) || rate < 1) throw valueError(`rate ${rate} cannot be less than one`);
  return nameScope(options.name ?? null, { defaultName: 'convolution', values: [value, filters] }, (scope) => {
    const x = convertToTensor(value, { name: 'input' });
    const f = convertToTensor(filters, { name: 'filter', dtype: x.dtype });
    return conv2d(x, f, [1, 1, 1, 1], padding, { dilations: [1, rate, rate, 1], name: scope });
  });
}

export interface PoolOptions {
  dataFormat?: DataFormat;
  name?: string;
}

function pool(type: 'MaxPool' | 'AvgPool', value: TensorLike, ksize: IntOrList, strides: IntOrList, padding: 'SAME' | 'VALID',
              options: PoolOptions): Tensor {
  return nameScope(options.name ?? null, { defaultName: type, values: [value] }, (scope) => {
    const dataFormat = options.dataFormat ?? 'NHWC';
    const ci = channelIndexOf(dataFormat);
    const k = getSequence(ksize, 2, ci, 'ksize');
    const s = getSequence(strides, 2, ci, 'strides');
    if (k.some((v) => v === 0)) throw valueError('ksize cannot be zero.');
    const x = convertToTensor(value, { name: 'input' });
    return applyOp1(type, [x], { ksize: k, strides: s, padding, data_format: dataFormat }, scope);
  });
}

/** tf.nn.max_pool(value, ksize, strides, padding, {dataFormat}) (node "MaxPool"). */
export function maxPool(value: TensorLike, ksize: IntOrList, strides: IntOrList, padding: 'SAME' | 'VALID', options: PoolOptions = {}): Tensor {
  return pool('MaxPool', value, ksize, strides, padding, options);
}

/** tf.nn.avg_pool(value, ksize, strides, padding, {dataFormat}) (node "AvgPool"); SAME borders average only real elements. */
export function avgPool(value: TensorLike, ksize: IntOrList, strides: IntOrList, padding: 'SAME' | 'VALID', options: PoolOptions = {}): Tensor {
  return pool('AvgPool', value, ksize, strides, padding, options);
}

export interface PoolGradOptions extends PoolOptions {
  ksize: number[];
  strides: number[];
  padding: string;
}

/** gen_nn_ops.max_pool_grad. */
export function maxPoolGrad(origInput: TensorLike, origOutput: TensorLike, grad: TensorLike, options: PoolGradOptions): Tensor {
  return applyOp1('MaxPoolGrad', [origInput, origOutput, grad], {
    ksize: options.ksize, strides: options.strides, padding: options.padding, data_format: options.dataFormat ?? 'NHWC',
  }, options.name);
}

/** gen_nn_ops.max_pool_grad_grad. */
export function maxPoolGradGrad(origInput: TensorLike, origOutput: TensorLike, grad: TensorLike, options: PoolGradOptions): Tensor {
  return applyOp1('MaxPoolGradGrad', [origInput, origOutput, grad], {
    ksize: options.ksize, strides: options.strides, padding: options.padding, data_format: options.dataFormat ?? 'NHWC',
  }, options.name);
}

/** gen_nn_ops.avg_pool_grad. */
export function avgPoolGrad(origInputShape: TensorLike, grad: TensorLike, options: PoolGradOptions): Tensor {
  return applyOp1('AvgPoolGrad', [origInputShape, grad], {
    ksize: options.ksize, strides: options.strides, padding: options.padding, data_format: options.dataFormat ?? 'NHWC',
  }, options.name);
}

export interface LRNOptions {
  depthRadius?: number;
  bias?: number;
  alpha?: number;
  beta?: number;
  name?: string;
}

function lrnAttrs(options: LRNOptions) {
  return { depth_radius: options.depthRadius ?? 5, bias: options.bias ?? 1, alpha: options.alpha ?? 1, beta: options.beta ?? 0.5 };
}

/**
 * tf.nn.lrn / local_response_normalization(input, {depthRadius=5, bias=1, alpha=1, beta=0.5}):
 * out = input / (bias + alpha * sum(input[d-r..d+r]^2))^beta over the last dimension (node "LRN").
 */
export function lrn(input: TensorLike, options: LRNOptions = {}): Tensor {
  return applyOp1('LRN', [input], lrnAttrs(options), options.name);
}
export const localResponseNormalization = lrn;

/** gen_nn_ops.lrn_grad. */
export function lrnGrad(inputGrads: TensorLike, inputImage: TensorLike, outputImage: TensorLike, options: LRNOptions = {}): Tensor {
  return applyOp1('LRNGrad', [inputGrads, inputImage, outputImage], lrnAttrs(options), options.name);
}

export interface FusedBatchNormOptions {
  /** Population mean (inference only). */
  mean?: TensorLike;
  /** Population variance (inference only). */
  variance?: TensorLike;
  /** Default 0.001; raised to 1.001e-5 at least (as TF1, for cuDNN). */
  epsilon?: number;
  dataFormat?: DataFormat;
  /** Default true: normalise with the batch statistics. */
  isTraining?: boolean;
  name?: string;
}

/**
 * tf.nn.fused_batch_norm(x, scale, offset, {mean, variance, epsilon, isTraining}): returns
 * [y, batchMean, batchVariance] of one FusedBatchNormV3 op. In training the batch variance
 * returned is Bessel-corrected (the normalisation itself uses the biased one).
 */
export function fusedBatchNorm(x: TensorLike, scale: TensorLike, offset: TensorLike, options: FusedBatchNormOptions = {}): [Tensor, Tensor, Tensor] {
  const isTraining = options.isTraining ?? true;
  if (isTraining && (options.mean !== undefined || options.variance !== undefined)) {
    throw valueError("Both 'mean' and 'variance' must be None if is_training is True.");
  }
  if (!isTraining && (options.mean === undefined || options.variance === undefined)) {
    throw valueError("Both 'mean' and 'variance' must be a 1D tensor when is_training is False.");
  }
  // JS numbers become float32 (scale, offset, mean and variance are always float32).
  const f32 = { preferredDtype: 'float32' as const };
  const xt = convertToTensor(x, { name: 'input', ...f32 });
  const st = convertToTensor(scale, { name: 'scale', ...f32 });
  const ot = convertToTensor(offset, { name: 'offset', ...f32 });
  const mean = convertToTensor(options.mean ?? constant([], { dtype: 'float32' }), f32);
  const variance = convertToTensor(options.variance ?? constant([], { dtype: 'float32' }), f32);
  const minEpsilon = 1.001e-5;
  const eps = options.epsilon ?? 0.001;
  const op = applyOp('FusedBatchNormV3', [xt, st, ot, mean, variance], {
    epsilon: eps > minEpsilon ? eps : minEpsilon, data_format: options.dataFormat ?? 'NHWC', is_training: isTraining,
  }, options.name);
  return [op.outputs[0], op.outputs[1], op.outputs[2]];
}

/**
 * tf.nn.batch_normalization(x, mean, variance, offset, scale, varianceEpsilon): the composite
 * x * inv + (offset - mean * inv) with inv = rsqrt(variance + eps) * scale, under "batchnorm"
 * (offset and scale may be null).
 */
export function batchNormalization(x: TensorLike, mean: TensorLike, variance: TensorLike, offset: TensorLike | null | undefined,
                                   scale: TensorLike | null | undefined, varianceEpsilon: number,
                                   options: { name?: string } = {}): Tensor {
  return nameScope(options.name ?? null, { defaultName: 'batchnorm', values: [x, mean, variance, scale, offset] }, () => {
    const xt = convertToTensor(x);
    const m = convertToTensor(mean, { dtype: xt.dtype });
    const v = convertToTensor(variance, { dtype: xt.dtype });
    let inv = rsqrt(v.add(varianceEpsilon));
    if (scale !== null && scale !== undefined) inv = inv.mul(scale);
    // Python evaluates x * inv first, then (offset - mean * inv): mul_1, mul_2, sub, add_1.
    const scaled = xt.mul(inv);
    const shift = offset !== null && offset !== undefined ? convertToTensor(offset, { dtype: xt.dtype }).sub(m.mul(inv)) : m.neg().mul(inv);
    return scaled.add(shift);
  });
}
