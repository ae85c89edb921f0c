// tensorgraph: TensorFlow 1.x graph mode for TypeScript. `import * as tf from 'tensorgraph'`.
export * from './framework/dtypes.js';
export * as errors from './framework/errors.js';
export { Graph, getDefaultGraph, resetDefaultGraph } from './framework/graph.js';
export type { DeviceFunction, DeviceSpecLike, OpLike } from './framework/graph.js';
export { Operation } from './framework/operation.js';
export { Tensor } from './framework/tensor.js';
export { TensorShape, type Dim, type ShapeLike } from './framework/tensor_shape.js';
export { NDArray, type ValueLike, type NestedArray } from './framework/ndarray.js';
export { DeviceSpec } from './framework/device.js';
export { GraphDef, type NodeDef } from './framework/graph_def.js';
export { importGraphDef, type ImportGraphDefOptions } from './framework/importer.js';
export { GraphKeys } from './framework/collections.js';
export { constant, convertToTensor, type TensorLike } from './framework/op_builder.js';
export { registerOp, getOpDef, registeredOpTypes, type OpDef } from './framework/op_registry.js';
export { registerGradient, getGradientFunction, type GradFn } from './framework/gradient_registry.js';
export type { FeedDict } from './framework/session_hooks.js';
export {
  nameScope, controlDependencies, device, colocateWith, container, setRandomSeed,
  getCollection, getCollectionRef, addToCollection, addToCollections,
} from './framework/scopes.js';
export {
  placeholder, placeholderWithDefault, identity, identityN, transpose, concat, stack, unstack, split, tile, fill, zeros, ones,
  zerosLike, onesLike, range, linspace, where, oneHot, stopGradient, checkNumerics, invertPermutation,
  type NameOption, type TransposeOptions, type StackOptions, type UnstackOptions, type SplitOptions, type ZerosOptions,
  type LikeOptions, type RangeOptions, type OneHotOptions,
} from './ops/array_ops.js';
export { reshape, expandDims, squeeze, shape, shapeN, size, rank, type SqueezeOptions, type ShapeOptions } from './ops/shape_ops.js';
export { slice, stridedSlice, gather, type StridedSliceOptions, type GatherOptions } from './ops/slice_ops.js';
export { pad, type PadOptions } from './ops/pad_ops.js';
export { rawOps, type RawOp, type RawOpArgs, type RawOpResult } from './ops/raw_ops.js';
export * from './ops/math_ops.js';
export * from './ops/random_ops.js';
export * from './ops/state_ops.js';
export * from './ops/variables.js';
export * from './ops/control_flow_ops.js';
import './ops/tensor_methods.js';
export {
  Session, InteractiveSession, getDefaultSession, ConfigProto, TraceLevel, type StepStats,
  type Fetch, type FetchResult, type RunOptions, type RunMetadata, type SessionOptions, type GPUOptions,
} from './client/session.js';
export { gradients, type GradientsOptions } from './gradients/gradients_impl.js';
import './gradients/math_grad.js';
import './gradients/array_grad.js';
import * as testUtil from './gradients/gradient_checker.js';
/** tf.test: testing helpers (computeGradient, computeGradientError). */
export const test = { computeGradient: testUtil.computeGradient, computeGradientError: testUtil.computeGradientError };
export * as train from './train/index.js';
export * from './ops/clip_ops.js';
export * from './ops/variable_scope.js';
export * as initializers from './ops/init_ops.js';
export {
  zerosInitializer, onesInitializer, constantInitializer, randomUniformInitializer, randomNormalInitializer,
  truncatedNormalInitializer, varianceScalingInitializer, orthogonalInitializer, glorotUniformInitializer,
  glorotNormalInitializer,
} from './ops/init_ops.js';
export { contrib } from './contrib.js';
export { cond, case, switchOp, merge } from './ops/cond.js';
export { whileLoop, type WhileLoopOptions, type ShapeInvariant } from './ops/while_loop.js';
export * as nn from './nn.js';
import './gradients/nn_grad.js';
import './gradients/nn_conv_grad.js';
import './gradients/control_flow_grad.js';
import './gradients/state_grad.js';
import './gradients/random_grad.js';
import './gradients/io_grad.js';
export * as datasets from './datasets/index.js';
export * as layers from './layers/index.js';
export {
  QueueBase, FIFOQueue, RandomShuffleQueue, PaddingFIFOQueue, PriorityQueue, ConditionalAccumulator,
  type ConditionalAccumulatorOptions, type ApplyGradOptions,
  type QueueValues, type QueueOutput, type QueueOptions, type RandomShuffleQueueOptions, type CloseOptions,
} from './ops/data_flow_ops.js';
export {
  ReaderBase, TextLineReader, FixedLengthRecordReader, TFRecordReader, WholeFileReader, IdentityReader,
  type QueueLike, type TextLineReaderOptions, type FixedLengthRecordReaderOptions, type TFRecordReaderOptions,
} from './ops/reader_ops.js';
export {
  decodeCsv, decodeRaw, stringToNumber, stringSplit, parseSingleExample, parseExample, FixedLenFeature,
  readFile, writeFile, matchingFiles, type SparseTensorLike, type FixedLenFeatureSpec,
} from './ops/parsing_ops.js';
export * as io from './io/index.js';
export * as summary from './summary/index.js';
