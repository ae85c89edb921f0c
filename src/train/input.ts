// tf.train input pipelines (TF1's training/input.py): producers that fill a queue with the
// elements of a tensor (file names, indices, slices) epoch after epoch, and batching that
// groups single examples into batches through a queue. Each builds a queue, a QueueRunner in
// QUEUE_RUNNERS (started by tf.train.startQueueRunners) and a scalar summary of how full the
// queue is. Names, scopes and errors are TF's.
import { GraphKeys } from '../framework/collections.js';
import type { DType } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { convertToTensor, type TensorLike } from '../framework/op_builder.js';
import type { Operation } from '../framework/operation.js';
import { controlDependencies, nameScope } from '../framework/scopes.js';
import { Tensor } from '../framework/tensor.js';
import { TensorShape, type ShapeLike } from '../framework/tensor_shape.js';
import { gather } from '../ops/slice_ops.js';
import { identity, range } from '../ops/array_ops.js';
import { shape as shapeOf, size } from '../ops/shape_ops.js';
import { assert } from '../ops/control_flow_ops.js';
import { FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue } from '../ops/data_flow_ops.js';
import { cast, greater, maximum, mul, sub } from '../ops/math_ops.js';
import { randomShuffle } from '../ops/random_ops.js';
import { constant } from '../framework/op_builder.js';
import { countUpTo } from '../ops/state_ops.js';
import { Variable } from '../ops/variables.js';
import { scalar as scalarSummary } from '../summary/summary_ops.js';
import { addQueueRunner, QueueRunner } from './queue_runner.js';

// ---------- producers ----------

/**
 * tf.train.limitEpochs(tensor, numEpochs): returns `tensor`, but lets it be evaluated only
 * `numEpochs` times; then it fails with OutOfRangeError. Counts in the LOCAL variable
 * "<scope>/epochs" (initialize it with tf.localVariablesInitializer()).
 */
export function limitEpochs(tensor: TensorLike, numEpochs?: number | null | { numEpochs?: number | null; name?: string },
                            options: { name?: string } = {}): Tensor {
  const opts = typeof numEpochs === 'object' && numEpochs !== null ? numEpochs : { numEpochs, name: options.name };
  const t = convertToTensor(tensor);
  if (opts.numEpochs === undefined || opts.numEpochs === null) return t;
  const n = opts.numEpochs;
  if (n <= 0) throw new InvalidArgumentError(undefined, undefined, `num_epochs must be > 0 not ${n}.`);
  return nameScope(opts.name, { defaultName: 'limit_epochs', values: [t] }, (scope) => {
    const zero64 = constant(0, { dtype: 'int64' });
    const epochs = new Variable(zero64, { name: 'epochs', trainable: false, collections: [GraphKeys.LOCAL_VARIABLES] });
    const counter = countUpTo(epochs, n);
    return controlDependencies([counter], () => identity(t, { name: scope }));
  });
}

export interface ProducerOptions {
  /** Passes over the input before OutOfRangeError (default: forever). Needs tf.localVariablesInitializer(). */
  numEpochs?: number | null;
  /** Shuffle the elements within each epoch (default true). */
  shuffle?: boolean;
  seed?: number;
  /** Capacity of the queue (default 32). */
  capacity?: number;
  sharedName?: string;
  name?: string;
  /** Op run when the coordinator stops (default: the queue's close with cancelPendingEnqueues). */
  cancelOp?: Operation;
}

export interface InputProducerOptions extends ProducerOptions {
  /** Shape of one element (default: the input's shape without its first dimension). */
  elementShape?: ShapeLike;
  /** Name of the fullness summary (none when undefined). */
  summaryName?: string;
}

/**
 * tf.train.inputProducer(inputTensor): a FIFOQueue fed with the rows of `inputTensor`
 * (shuffled per epoch), by a QueueRunner added to QUEUE_RUNNERS. Returns the queue.
 */
export function inputProducer(inputTensor: TensorLike, options: InputProducerOptions = {}): FIFOQueue {
  const { numEpochs, shuffle = true, seed, capacity = 32, sharedName, summaryName, name, cancelOp } = options;
  return nameScope(name, { defaultName: 'input_producer', values: [inputTensor] }, () => {
    let input = convertToTensor(inputTensor, { name: 'input_tensor' });
    const dims = input.shape.dims;
    const elementShape = (dims === null ? TensorShape.unknown() : new TensorShape(dims.slice(1))).mergeWith(options.elementShape);
    if (!elementShape.isFullyDefined()) {
      throw new InvalidArgumentError(undefined, undefined, 'Either `input_tensor` must have a fully defined shape or `element_shape` must be specified');
    }
    if (shuffle) input = randomShuffle(input, { seed });
    input = limitEpochs(input, numEpochs);
    const q = new FIFOQueue(capacity, [input.dtype], { shapes: [elementShape], sharedName, name });
    const enq = q.enqueueMany([input]);
    addQueueRunner(new QueueRunner(q, [enq], { cancelOp }));
    if (summaryName !== undefined) scalarSummary(summaryName, mul(cast(q.size(), 'float32'), 1 / capacity));
    return q;
  });
}

const NOT_NULL = 'string_input_producer requires a non-null input tensor';

/**
 * tf.train.stringInputProducer(strings): a queue of file names (or any strings) for a
 * reader, refilled every epoch; scope "input_producer", summary
 * "input_producer/fraction_of_<capacity>_full".
 */
export function stringInputProducer(stringTensor: TensorLike, options: ProducerOptions = {}): FIFOQueue {
  if (!(stringTensor instanceof Tensor) && (!stringTensor || (Array.isArray(stringTensor) && stringTensor.length === 0))) {
    throw new InvalidArgumentError(undefined, undefined, NOT_NULL);
  }
  const capacity = options.capacity ?? 32;
  return nameScope(options.name, { defaultName: 'input_producer', values: [stringTensor] }, (scope) => {
    let strings = convertToTensor(stringTensor, { dtype: 'string' });
    const check = assert(greater(size(strings), 0), [NOT_NULL]);
    strings = controlDependencies([check], () => identity(strings));
    return inputProducer(strings, {
      ...options, elementShape: [], capacity, name: scope, summaryName: `fraction_of_${capacity}_full`,
    });
  });
}

/** tf.train.rangeInputProducer(limit): a queue of the integers 0..limit-1, every epoch. */
export function rangeInputProducer(limit: TensorLike, options: ProducerOptions = {}): FIFOQueue {
  const capacity = options.capacity ?? 32;
  return nameScope(options.name, { defaultName: 'input_producer', values: [limit] }, (scope) => {
    const rangeTensor = range(limit);
    return inputProducer(rangeTensor, {
      ...options, elementShape: [], capacity, name: scope, summaryName: `fraction_of_${capacity}_full`,
    });
  });
}

/**
 * tf.train.sliceInputProducer(tensors): one row of every tensor at a time (the same row
 * index for all, shuffled per epoch). Returns the rows.
 */
export function sliceInputProducer(tensorList: readonly TensorLike[], options: Omit<ProducerOptions, 'cancelOp'> = {}): Tensor[] {
  return nameScope(options.name, { defaultName: 'input_producer', values: [...tensorList] }, () => {
    const tensors = tensorList.map((t) => convertToTensor(t));
    if (tensors.length === 0) throw new InvalidArgumentError(undefined, undefined, 'Expected at least one tensor in slice_input_producer().');
    const rangeSize = gather(shapeOf(tensors[0]), 0);
    const queue = rangeInputProducer(rangeSize, { ...options, name: undefined });
    const index = queue.dequeue() as Tensor;
    return tensors.map((t) => gather(t, index));
  });
}

// ---------- batching ----------

/** What batching takes: a tensor, an array of tensors, or an object of tensors (the result mirrors it). */
export type BatchInput = Tensor | readonly TensorLike[] | { readonly [key: string]: TensorLike };

/** The batched counterpart of an input (a one-element array gives a Tensor, as TF1's dequeue does). */
export type BatchResult<T> =
  T extends Tensor ? Tensor :
  T extends readonly [unknown] ? Tensor :
  T extends readonly unknown[] ? (number extends T['length'] ? Tensor | Tensor[] : { -readonly [K in keyof T]: Tensor }) :
  { -readonly [K in keyof T]: Tensor };

export interface BatchOptions {
  batchSize?: number | Tensor;
  /** Queue capacity (default 32). */
  capacity?: number;
  /** Enqueue threads (default 1). */
  numThreads?: number;
  /** Each input is a batch of examples (first dimension) rather than one example. */
  enqueueMany?: boolean;
  /** Shapes of one example per component (default: the inputs' static shapes). */
  shapes?: ShapeLike[];
  /** Pad variable-sized components to the batch's largest (PaddingFIFOQueue). */
  dynamicPad?: boolean;
  /** Return a last batch smaller than batchSize instead of dropping it. */
  allowSmallerFinalBatch?: boolean;
  sharedName?: string;
  name?: string;
}

export interface ShuffleBatchOptions extends Omit<BatchOptions, 'dynamicPad'> {
  /** Elements kept in the queue after a dequeue, for mixing. */
  minAfterDequeue?: number;
  seed?: number;
}

interface Flat {
  tensors: Tensor[];
  keys?: string[];
  single: boolean;
}

function flatten(input: BatchInput): Flat {
  if (input instanceof Tensor) return { tensors: [input], single: true };
  if (Array.isArray(input)) return { tensors: (input as TensorLike[]).map((t) => convertToTensor(t)), single: false };
  if (input && typeof input === 'object') {
    const obj = input as Record<string, TensorLike>;
    const keys = Object.keys(obj).sort();
    return { tensors: keys.map((k) => convertToTensor(obj[k])), keys, single: false };
  }
  throw new InvalidArgumentError(undefined, undefined, `Expected a tensor, an array or an object of tensors, got ${String(input)}`);
}

function restore(flat: Flat, dequeued: Tensor | Tensor[]): unknown {
  const list = Array.isArray(dequeued) ? dequeued : [dequeued];
  if (flat.keys) return Object.fromEntries(flat.keys.map((k, i) => [k, list[i]]));
  return flat.single || list.length === 1 ? list[0] : list;
}

function dtypesOf(lists: Tensor[][]): DType[] {
  const types = lists[0].map((t) => t.dtype);
  for (const other of lists.slice(1).map((l) => l.map((t) => t.dtype))) {
    if (other.length !== types.length || other.some((d, i) => d !== types[i])) {
      throw new InvalidArgumentError(undefined, undefined, `Expected types to be consistent: ${types.join(', ')} vs. ${other.join(', ')}.`);
    }
  }
  return types;
}

function shapesOf(lists: Tensor[][], shapes: ShapeLike[] | undefined, enqueueMany: boolean): TensorShape[] {
  if (shapes) return shapes.map((s) => TensorShape.from(s));
  const n = lists[0].length;
  for (const l of lists) {
    for (let i = 0; i < n; i++) {
      if (l[i].shape.dims === null) throw new InvalidArgumentError(undefined, l[i].op, `Cannot infer Tensor's rank: ${l[i].name}`);
    }
  }
  return Array.from({ length: n }, (_, i) => {
    let merged: TensorShape | undefined;
    for (const l of lists) {
      let s = l[i].shape;
      if (enqueueMany) s = new TensorShape(s.withRankAtLeast(1).dims!.slice(1));
      merged = merged ? merged.mergeWith(s) : s;
    }
    return merged!;
  });
}

function requireFullyDefined(shapes: TensorShape[]): void {
  if (shapes.some((s) => !s.isFullyDefined())) {
    throw new InvalidArgumentError(undefined, undefined, `All shapes must be fully defined: [${shapes.map((s) => s.toString()).join(', ')}]`);
  }
}

function validateLists(lists: Tensor[][], join: boolean): void {
  if (lists.length === 0) throw new InvalidArgumentError(undefined, undefined, 'Expected at least one input in batch_join().');
  if (!join && lists[0].length === 0) throw new InvalidArgumentError(undefined, undefined, 'Expected at least one tensor in batch().');
}

function positiveInt(v: number | undefined, what: string): number {
  if (v === undefined || !Number.isInteger(v) || v <= 0) {
    throw new InvalidArgumentError(undefined, undefined, `${what} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

interface Built {
  queue: FIFOQueue | PaddingFIFOQueue | RandomShuffleQueue;
  flat: Flat;
}

/** The shared body of batch/batchJoin/shuffleBatch/shuffleBatchJoin (TF's _batch and friends). */
function buildBatch(inputs: BatchInput[], join: boolean, shuffle: boolean, o: BatchOptions & ShuffleBatchOptions): unknown {
  if (o.batchSize === undefined) throw new InvalidArgumentError(undefined, undefined, 'batchSize is required');
  const capacity = o.capacity ?? 32;
  const defaultName = `${shuffle ? 'shuffle_batch' : 'batch'}${join ? '_join' : ''}`;
  const flats = inputs.map(flatten);
  const values = flats.flatMap((f) => f.tensors);
  return nameScope(o.name, { defaultName, values }, (scope) => {
    let minAfterDequeue = 0;
    if (shuffle) {
      if (o.minAfterDequeue === undefined) throw new InvalidArgumentError(undefined, undefined, 'minAfterDequeue is required');
      minAfterDequeue = o.minAfterDequeue;
      if (capacity <= minAfterDequeue) {
        throw new InvalidArgumentError(undefined, undefined, `capacity ${capacity} must be bigger than min_after_dequeue ${minAfterDequeue}.`);
      }
    }
    const lists = flats.map((f) => f.tensors);
    validateLists(lists, join);
    const dtypes = dtypesOf(lists);
    const shapes = shapesOf(lists, o.shapes, !!o.enqueueMany);
    const built: Built = { flat: flats[0], queue: undefined as unknown as FIFOQueue };
    if (shuffle) {
      requireFullyDefined(shapes);
      built.queue = new RandomShuffleQueue(capacity, minAfterDequeue, dtypes, { shapes, seed: o.seed, sharedName: o.sharedName });
    } else if (o.dynamicPad) {
      built.queue = new PaddingFIFOQueue(capacity, dtypes, { shapes, sharedName: o.sharedName });
    } else {
      requireFullyDefined(shapes);
      built.queue = new FIFOQueue(capacity, dtypes, { shapes, sharedName: o.sharedName });
    }
    const q = built.queue;
    const enqueue = (l: Tensor[]) => (o.enqueueMany ? q.enqueueMany(l) : q.enqueue(l));
    // batch(): numThreads threads run the same enqueue op; batchJoin(): one op per input list.
    const ops = join ? lists.map(enqueue) : new Array<Operation>(positiveInt(o.numThreads ?? 1, 'numThreads')).fill(enqueue(lists[0]));
    addQueueRunner(new QueueRunner(q, ops));
    if (shuffle) {
      const room = capacity - minAfterDequeue;
      scalarSummary(`fraction_over_${minAfterDequeue}_of_${room}_full`,
        mul(cast(maximum(0, sub(q.size(), minAfterDequeue)), 'float32'), 1 / room));
    } else {
      scalarSummary(`fraction_of_${capacity}_full`, mul(cast(q.size(), 'float32'), 1 / capacity));
    }
    const dequeued = o.allowSmallerFinalBatch
      ? q.dequeueUpTo(o.batchSize!, { name: scope })
      : q.dequeueMany(o.batchSize!, { name: scope });
    return restore(built.flat, dequeued as Tensor | Tensor[]);  // the queue has no `names`
  });
}

function batchOptions<O extends { batchSize?: number | Tensor }>(batchSize: number | Tensor | O | undefined, options: O | undefined): O {
  if (typeof batchSize === 'number' || batchSize instanceof Tensor) return { ...(options ?? ({} as O)), batchSize };
  return batchSize ?? ({} as O);
}

function shuffleOptions(a: number | Tensor | ShuffleBatchOptions | undefined, capacity: number | undefined,
                        minAfterDequeue: number | undefined, options: ShuffleBatchOptions | undefined): ShuffleBatchOptions {
  if (typeof a === 'number' || a instanceof Tensor) {
    return { ...(options ?? {}), batchSize: a, ...(capacity !== undefined ? { capacity } : {}), ...(minAfterDequeue !== undefined ? { minAfterDequeue } : {}) };
  }
  return a ?? {};
}

/**
 * tf.train.batch(tensors, {batchSize, ...}) (or TF's positional `(tensors, batchSize, {...})`):
 * batches of `batchSize` examples from a FIFOQueue (PaddingFIFOQueue with dynamicPad) filled
 * by `numThreads` QueueRunner threads. Output 'batch:0'; summary 'batch/fraction_of_<capacity>_full'.
 */
export function batch<const T extends BatchInput>(tensors: T, batchSize: number | Tensor | BatchOptions, options?: BatchOptions): BatchResult<T> {
  return buildBatch([tensors], false, false, batchOptions(batchSize, options)) as BatchResult<T>;
}

/** tf.train.batchJoin(tensorsList, {batchSize, ...}): like batch, one enqueue thread per input list. */
export function batchJoin<const T extends BatchInput>(tensorsList: readonly T[], batchSize: number | Tensor | BatchOptions, options?: BatchOptions): BatchResult<T> {
  return buildBatch([...tensorsList], true, false, batchOptions(batchSize, options)) as BatchResult<T>;
}

/**
 * tf.train.shuffleBatch(tensors, {batchSize, capacity, minAfterDequeue, ...}) (or TF's
 * positional `(tensors, batchSize, capacity, minAfterDequeue, {...})`): batches drawn at
 * random from a RandomShuffleQueue holding at least minAfterDequeue examples.
 */
export function shuffleBatch<const T extends BatchInput>(tensors: T, batchSize: number | Tensor | ShuffleBatchOptions,
                                                        capacity?: number, minAfterDequeue?: number, options?: ShuffleBatchOptions): BatchResult<T> {
  return buildBatch([tensors], false, true, shuffleOptions(batchSize, capacity, minAfterDequeue, options)) as BatchResult<T>;
}

/** tf.train.shuffleBatchJoin(tensorsList, ...): shuffleBatch with one enqueue thread per input list. */
export function shuffleBatchJoin<const T extends BatchInput>(tensorsList: readonly T[], batchSize: number | Tensor | ShuffleBatchOptions,
                                                            capacity?: number, minAfterDequeue?: number, options?: ShuffleBatchOptions): BatchResult<T> {
  return buildBatch([...tensorsList], true, true, shuffleOptions(batchSize, capacity, minAfterDequeue, options)) as BatchResult<T>;
}
