// Queues: TF's V2 queue ops (resource handles; kernels in native/kernels/cpu/queue_ops.cc)
// and TF1's queue classes (tf.FIFOQueue, tf.RandomShuffleQueue, tf.PaddingFIFOQueue,
// tf.PriorityQueue) with their names, conversions and construction-time checks.
import { createHash } from 'node:crypto';
import { type DType, isDType, NUMERIC_DTYPES } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { getDefaultGraph } from '../framework/graph.js';
import { applyOp, applyOp1, convertToTensor, type TensorLike } from '../framework/op_builder.js';
import { registerOp } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import { Tensor } from '../framework/tensor.js';
import { type Dim, TensorShape, type ShapeLike } from '../framework/tensor_shape.js';
import { cast } from './math_ops.js';
import { getSeed } from './random_ops.js';

// ---------- op registrations (tensorflow/core/ops/data_flow_ops.cc) ----------

function scalarInput(op: Operation, i: number): void {
  const r = op.inputs[i].shape.rank;
  if (r !== undefined && r !== 0) {
    throw new InvalidArgumentError(undefined, op, `Shape must be rank 0 but is rank ${r} for '${op.name}' (op: '${op.type}') input ${i}`);
  }
}

const RESOURCE_ATTRS = { container: { kind: 'string', default: '' }, shared_name: { kind: 'string', default: '' } } as const;
const QUEUE_ATTRS = {
  component_types: { kind: 'list(type)' },
  shapes: { kind: 'list(shape)', default: [] },
  capacity: { kind: 'int', default: -1 },
} as const;

for (const [type, extra] of [
  ['FIFOQueueV2', {}],
  ['PaddingFIFOQueueV2', {}],
  ['RandomShuffleQueueV2', { min_after_dequeue: { kind: 'int', default: 0 }, seed: { kind: 'int', default: 0 }, seed2: { kind: 'int', default: 0 } }],
  // PriorityQueueV2: the int64 priority component is implicit; shapes has no default.
  ['PriorityQueueV2', { component_types: { kind: 'list(type)', default: [] }, shapes: { kind: 'list(shape)' } }],
] as const) {
  registerOp({
    type,
    inputs: [],
    outputs: [{ name: 'handle', type: 'resource' }],
    attrs: { ...QUEUE_ATTRS, ...extra, ...RESOURCE_ATTRS },
    stateful: true,
    shape: () => [[]],
  });
}

const TIMEOUT = { timeout_ms: { kind: 'int', default: -1 } } as const;

for (const type of ['QueueEnqueueV2', 'QueueEnqueueManyV2']) {
  registerOp({
    type,
    inputs: [{ name: 'handle', type: 'resource' }, { name: 'components', typeListAttr: 'Tcomponents' }],
    outputs: [],
    attrs: { Tcomponents: { kind: 'list(type)' }, ...TIMEOUT },
    stateful: true,
    shape: (op) => {
      scalarInput(op, 0);
      return [];
    },
  });
}

registerOp({
  type: 'QueueDequeueV2',
  inputs: [{ name: 'handle', type: 'resource' }],
  outputs: [{ name: 'components', typeListAttr: 'component_types' }],
  attrs: { component_types: { kind: 'list(type)' }, ...TIMEOUT },
  stateful: true,
  // The queue's component shapes are set by the queue object (QueueBase.dequeue).
  shape: (op) => (op.getAttr('component_types') as DType[]).map(() => TensorShape.unknown()),
});

for (const type of ['QueueDequeueManyV2', 'QueueDequeueUpToV2']) {
  registerOp({
    type,
    inputs: [{ name: 'handle', type: 'resource' }, { name: 'n', type: 'int32' }],
    outputs: [{ name: 'components', typeListAttr: 'component_types' }],
    attrs: { component_types: { kind: 'list(type)' }, ...TIMEOUT },
    stateful: true,
    shape: (op) => {
      scalarInput(op, 1);
      return (op.getAttr('component_types') as DType[]).map(() => TensorShape.unknown());
    },
  });
}

registerOp({
  type: 'QueueCloseV2',
  inputs: [{ name: 'handle', type: 'resource' }],
  outputs: [],
  attrs: { cancel_pending_enqueues: { kind: 'bool', default: false } },
  stateful: true,
  shape: () => [],
});

registerOp({
  type: 'QueueSizeV2',
  inputs: [{ name: 'handle', type: 'resource' }],
  outputs: [{ name: 'size', type: 'int32' }],
  stateful: true,
  shape: () => [[]],
});

registerOp({
  type: 'QueueIsClosedV2',
  inputs: [{ name: 'handle', type: 'resource' }],
  outputs: [{ name: 'is_closed', type: 'bool' }],
  stateful: true,
  shape: () => [[]],
});

// ---------- construction-time helpers (TF1's data_flow_ops.py) ----------

function valueError(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

function asTypeList(dtypes: DType | readonly DType[]): DType[] {
  const list = Array.isArray(dtypes) ? [...(dtypes as DType[])] : [dtypes as DType];
  for (const d of list) if (!isDType(d)) throw valueError(`Unknown dtype '${String(d)}'`);
  return list;
}

/** A single shape is a list of dims (or null); anything else is a list of shapes. */
type ShapesArg = ShapeLike | readonly ShapeLike[];

const fmtShapes = (shapes: TensorShape[]) => `[${shapes.map((s) => s.toString()).join(', ')}]`;

function asShapeList(shapes: ShapesArg | undefined, unknownDimAllowed = false): TensorShape[] | undefined {
  if (unknownDimAllowed) {
    if (!Array.isArray(shapes) || shapes.length === 0 || shapes.some((s) => s === null || typeof s === 'number')) {
      throw valueError('When providing partial shapes, a list of shapes must be provided.');
    }
  }
  if (shapes === undefined || shapes === null) return undefined;
  let list: ShapeLike[];
  if (shapes instanceof TensorShape) list = [shapes];
  else if (!Array.isArray(shapes)) throw valueError(`Shapes must be a TensorShape or a list of TensorShapes, got ${String(shapes)} instead.`);
  // A list of dims ([] included) is one shape.
  else if (shapes.every((s) => s === null || typeof s === 'number')) list = [shapes as readonly Dim[]];
  else list = shapes as ShapeLike[];
  const out = list.map((s) => TensorShape.from(s));
  if (!unknownDimAllowed && out.some((s) => !s.isFullyDefined())) throw valueError(`All shapes must be fully defined: ${fmtShapes(out)}`);
  if (out.some((s) => s.dims === null)) throw valueError(`All shapes must have a defined rank: ${fmtShapes(out)}`);
  return out;
}

function asNameList(names: string | readonly string[] | undefined, dtypes: readonly DType[]): string[] | undefined {
  if (names === undefined || names === null) return undefined;
  const list = Array.isArray(names) ? [...(names as string[])] : [names as string];
  if (list.length !== dtypes.length) throw valueError('List of names must have the same length as the list of dtypes');
  return list;
}

function assertCompatible(value: TensorShape, expected: TensorShape): void {
  if (!value.isCompatibleWith(expected)) {
    throw valueError(`Shapes ${value.toString()} and ${expected.toString()} are incompatible`);
  }
}

/** Values enqueued: an array of components, one component, or an object keyed by names. */
export type QueueValues = TensorLike | readonly TensorLike[] | { readonly [name: string]: TensorLike };
/** What a dequeue returns: one tensor, a list, or an object keyed by names. */
export type QueueOutput = Tensor | Tensor[] | Record<string, Tensor>;

export interface OpNameOptions {
  name?: string;
}

export interface CloseOptions extends OpNameOptions {
  cancelPendingEnqueues?: boolean;
}

export interface QueueOptions {
  shapes?: ShapesArg;
  names?: string | readonly string[];
  name?: string;
  sharedName?: string;
}

export interface RandomShuffleQueueOptions extends QueueOptions {
  seed?: number;
}

/** TF1's tf.QueueBase: the methods shared by all queues, over a queue resource handle. */
export class QueueBase {
  readonly dtypes: DType[];
  readonly shapes: TensorShape[];
  readonly names: string[] | undefined;
  readonly queueRef: Tensor;
  /** The queue op's full name ('shuffle_batch/random_shuffle_queue'), as TF1's `queue.name`. */
  readonly name: string;
  /** The last part of `name`: default names of the queue's ops (`<q>_Dequeue`, TF1's `_name`). */
  private readonly baseName: string;

  constructor(dtypes: readonly DType[], shapes: readonly ShapeLike[] | undefined, names: readonly string[] | undefined, queueRef: Tensor) {
    this.dtypes = [...dtypes];
    if (shapes !== undefined && shapes !== null) {
      if (shapes.length !== dtypes.length) throw valueError('Queue shapes must have the same length as dtypes');
      this.shapes = shapes.map((s) => TensorShape.from(s));
    } else {
      this.shapes = dtypes.map(() => TensorShape.unknown());
    }
    if (names !== undefined && names !== null) {
      if (names.length !== dtypes.length) throw valueError('Queue names must have the same length as dtypes');
      this.names = [...names];
    }
    this.queueRef = queueRef;
    this.name = queueRef.op.name;
    this.baseName = this.name.split('/').pop()!;
  }

  get graph() {
    return this.queueRef.graph;
  }

  private inScope<T>(name: string | undefined, defaultName: string, fn: (scope: string) => T): T {
    const g = this.graph;
    return g.asDefault(() => g.nameScope(name ?? defaultName, fn));
  }

  /** The components of `vals` converted to the queue's dtypes (TF1's _check_enqueue_dtypes). */
  private checkEnqueueDtypes(vals: QueueValues): Tensor[] {
    let list: TensorLike[];
    const isPlainObject = vals !== null && typeof vals === 'object' && !Array.isArray(vals) && !(vals instanceof Tensor)
      && !ArrayBuffer.isView(vals) && Object.getPrototypeOf(vals) === Object.prototype;
    if (isPlainObject) {
      if (!this.names) throw valueError('Queue must have names to enqueue a dictionary');
      const keys = Object.keys(vals).sort();
      const names = [...this.names].sort();
      if (keys.join('\0') !== names.join('\0')) {
        throw valueError(`Keys in dictionary to enqueue do not match names of Queue.  Dictionary: (${keys.join(', ')}), Queue: (${names.join(', ')})`);
      }
      list = this.names.map((k) => (vals as Record<string, TensorLike>)[k]);
    } else {
      if (this.names) throw valueError('You must enqueue a dictionary in a Queue with names');
      list = Array.isArray(vals) ? [...(vals as TensorLike[])] : [vals as TensorLike];
    }
    if (list.length !== this.dtypes.length) {
      throw valueError(`Queue '${this.baseName}' has ${this.dtypes.length} components, but ${list.length} values were given`);
    }
    return list.map((v, i) => convertToTensor(v, { dtype: this.dtypes[i], name: `component_${i}` }));
  }

  /** Enqueues one element (blocks while the queue is full). */
  enqueue(vals: QueueValues, options: OpNameOptions = {}): Operation {
    return this.inScope(options.name, `${this.baseName}_enqueue`, (scope) => {
      const tensors = this.checkEnqueueDtypes(vals);
      tensors.forEach((t, i) => assertCompatible(t.shape, this.shapes[i]));
      return applyOp('QueueEnqueueV2', [this.queueRef, tensors], {}, scope);
    });
  }

  /** Enqueues the slices along dimension 0 of every component (all with the same dim 0). */
  enqueueMany(vals: QueueValues, options: OpNameOptions = {}): Operation {
    return this.inScope(options.name, `${this.baseName}_EnqueueMany`, (scope) => {
      const tensors = this.checkEnqueueDtypes(vals);
      let batch: Dim = null;
      tensors.forEach((t, i) => {
        const s = t.shape;
        if (s.rank === 0) throw valueError(`Shape ${s.toString()} must have rank at least 1`);
        const d = s.dims ? s.dims[0] : null;
        if (d !== null && batch !== null && d !== batch) throw valueError(`Dimensions ${batch} and ${d} are not compatible`);
        if (d !== null) batch = d;
        if (s.dims) assertCompatible(new TensorShape(s.dims.slice(1)), this.shapes[i]);
      });
      return applyOp('QueueEnqueueManyV2', [this.queueRef, tensors], {}, scope);
    });
  }

  private returnValue(tensors: readonly Tensor[]): QueueOutput {
    if (this.names) return Object.fromEntries(this.names.map((n, i) => [n, tensors[i]]));
    return tensors.length === 1 ? tensors[0] : [...tensors];
  }

  /** Dequeues one element: a Tensor for a one-component queue, else a list (an object with names). */
  dequeue(options: OpNameOptions = {}): QueueOutput {
    const g = this.graph;
    const op = g.asDefault(() => applyOp('QueueDequeueV2', [this.queueRef], { component_types: this.dtypes }, options.name ?? `${this.baseName}_Dequeue`));
    op.outputs.forEach((t, i) => t.setShape(this.shapes[i]));
    return this.returnValue(op.outputs);
  }

  /** Dequeues `n` elements concatenated along a new dimension 0 (blocks until n are there). */
  dequeueMany(n: TensorLike, options: OpNameOptions = {}): QueueOutput {
    const g = this.graph;
    const op = g.asDefault(() => applyOp('QueueDequeueManyV2', [this.queueRef, n], { component_types: this.dtypes }, options.name ?? `${this.baseName}_DequeueMany`));
    const batch = staticInt(n);
    op.outputs.forEach((t, i) => t.setShape(new TensorShape([batch]).concatenate(this.shapes[i])));
    return this.returnValue(op.outputs);
  }

  /** Like dequeueMany, but once the queue is closed returns the remaining 1..n-1 elements. */
  dequeueUpTo(n: TensorLike, options: OpNameOptions = {}): QueueOutput {
    const g = this.graph;
    const op = g.asDefault(() => applyOp('QueueDequeueUpToV2', [this.queueRef, n], { component_types: this.dtypes }, options.name ?? `${this.baseName}_DequeueUpTo`));
    op.outputs.forEach((t, i) => t.setShape(new TensorShape([null]).concatenate(this.shapes[i])));
    return this.returnValue(op.outputs);
  }

  /** Closes the queue: no more enqueues; dequeues drain it, then fail with OutOfRangeError. */
  close(options: CloseOptions = {}): Operation {
    const g = this.graph;
    return g.asDefault(() => applyOp('QueueCloseV2', [this.queueRef], { cancel_pending_enqueues: options.cancelPendingEnqueues ?? false },
      options.name ?? `${this.baseName}_Close`));
  }

  /** Whether the queue is closed (a bool scalar). */
  isClosed(options: OpNameOptions = {}): Tensor {
    const g = this.graph;
    return g.asDefault(() => applyOp1('QueueIsClosedV2', [this.queueRef], {}, options.name ?? `${this.baseName}_IsClosed`));
  }

  /** The number of elements in the queue (an int32 scalar). */
  size(options: OpNameOptions = {}): Tensor {
    const g = this.graph;
    return g.asDefault(() => applyOp1('QueueSizeV2', [this.queueRef], {}, options.name ?? `${this.baseName}_Size`));
  }
}

/** A JS integer, or a constant tensor's value; else null (unknown). */
function staticInt(n: TensorLike): Dim {
  if (typeof n === 'number') return Number.isInteger(n) && n >= 0 ? n : null;
  if (n instanceof Tensor && n.op.type === 'Const') {
    const v = n.op.getAttr('value') as { size: number; flatGet(i: number): unknown };
    if (v.size === 1) return Number(v.flatGet(0));
  }
  return null;
}

/** Creates the queue op outside any control dependencies (TF1's init_scope). */
function queueOp(type: string, attrs: Record<string, unknown>, name: string): Tensor {
  const g = getDefaultGraph();
  return g.controlDependencies(null, () => applyOp1(type, [], attrs, name));
}

/** TF1's tf.FIFOQueue: elements come out in the order they went in. */
export class FIFOQueue extends QueueBase {
  constructor(capacity: number, dtypes: DType | readonly DType[], options: QueueOptions = {}) {
    const types = asTypeList(dtypes);
    const shapes = asShapeList(options.shapes);
    const names = asNameList(options.names, types);
    const ref = queueOp('FIFOQueueV2', {
      component_types: types, shapes: shapes ?? [], capacity, shared_name: options.sharedName ?? '',
    }, options.name ?? 'fifo_queue');
    super(types, shapes, names, ref);
  }
}

/** TF1's tf.PaddingFIFOQueue: a FIFO queue whose dequeueMany pads unknown dims to the batch maximum. */
export class PaddingFIFOQueue extends QueueBase {
  constructor(capacity: number, dtypes: DType | readonly DType[], options: QueueOptions = {}) {
    const types = asTypeList(dtypes);
    const shapes = asShapeList(options.shapes, true)!;
    const names = asNameList(options.names, types);
    if (types.length !== shapes.length) {
      throw valueError(`Shapes must be provided for all components, but received ${types.length} dtypes and ${shapes.length} shapes.`);
    }
    const ref = queueOp('PaddingFIFOQueueV2', {
      component_types: types, shapes, capacity, shared_name: options.sharedName ?? '',
    }, options.name ?? 'padding_fifo_queue');
    super(types, shapes, names, ref);
  }
}

/** TF1's tf.RandomShuffleQueue: dequeues a uniformly random element, keeping minAfterDequeue. */
export class RandomShuffleQueue extends QueueBase {
  constructor(capacity: number, minAfterDequeue: number, dtypes: DType | readonly DType[], options: RandomShuffleQueueOptions = {}) {
    const types = asTypeList(dtypes);
    const shapes = asShapeList(options.shapes);
    const names = asNameList(options.names, types);
    let [seed, seed2] = getSeed(options.seed);
    if (seed === undefined && seed2 === undefined) {
      seed = 0;
      seed2 = 0;
    } else if (options.seed === undefined && options.sharedName !== undefined) {
      // Graph seed without an op seed: seed2 from the graph seed and shared name only (not the
      // op count), so every graph sharing the queue shuffles alike (TF1's rule).
      const digest = createHash('md5').update(`${seed}${options.sharedName}`, 'utf8').digest('hex');
      seed2 = parseInt(digest.slice(0, 8), 16) & 0x7fffffff;
    }
    const ref = queueOp('RandomShuffleQueueV2', {
      component_types: types, shapes: shapes ?? [], capacity, min_after_dequeue: minAfterDequeue,
      seed: seed ?? 0, seed2: seed2 ?? 0, shared_name: options.sharedName ?? '',
    }, options.name ?? 'random_shuffle_queue');
    super(types, shapes, names, ref);
  }
}

/**
 * TF1's tf.PriorityQueue: elements come out smallest priority first. Component 0 is an
 * implicit int64 scalar priority: dtypes are ['int64', ...types], enqueue takes
 * [priority, ...values] and dequeue returns the same.
 */
export class PriorityQueue extends QueueBase {
  constructor(capacity: number, types: DType | readonly DType[], options: QueueOptions = {}) {
    const list = asTypeList(types);
    if (options.shapes === undefined || options.shapes === null) throw valueError('PriorityQueue requires shapes (one per component type)');
    const shapes = asShapeList(options.shapes)!;
    if (shapes.length !== list.length) throw valueError('Queue shapes must have the same length as dtypes');
    const ref = queueOp('PriorityQueueV2', {
      component_types: list, shapes, capacity, shared_name: options.sharedName ?? '',
    }, options.name ?? 'priority_queue');
    const names = options.names === undefined ? undefined : (Array.isArray(options.names) ? [...options.names] : [options.names as string]);
    super(['int64', ...list], [TensorShape.scalar(), ...shapes], names, ref);
  }
}

// ---------- ConditionalAccumulator (TF1's ops, Ref(string) handle; kernels in native/kernels/cpu/accumulator_ops.cc) ----------
// As in TF only the accumulator op is stateful; the others act through its reference.

const HANDLE = { name: 'handle', type: 'string', isRef: true } as const;
const ACCUM_DTYPE = { dtype: { kind: 'type', allowed: NUMERIC_DTYPES } } as const;

registerOp({
  type: 'ConditionalAccumulator',
  inputs: [],
  outputs: [HANDLE],
  attrs: {
    ...ACCUM_DTYPE,
    shape: { kind: 'shape' },
    ...RESOURCE_ATTRS,
    reduction_type: { kind: 'string', default: 'MEAN' },
  },
  stateful: true,
  shape: () => [[2]],
});

registerOp({
  type: 'AccumulatorApplyGradient',
  inputs: [HANDLE, { name: 'local_step', type: 'int64' }, { name: 'gradient', typeAttr: 'dtype' }],
  outputs: [],
  attrs: ACCUM_DTYPE,
  shape: (op) => {
    scalarInput(op, 1);
    return [];
  },
});

registerOp({
  type: 'AccumulatorTakeGradient',
  inputs: [HANDLE, { name: 'num_required', type: 'int32' }],
  outputs: [{ name: 'average', typeAttr: 'dtype' }],
  attrs: ACCUM_DTYPE,
  // The accumulator's shape is not visible from the op (the class sets it, as TF's).
  shape: (op) => {
    scalarInput(op, 1);
    return [TensorShape.unknown()];
  },
});

registerOp({
  type: 'AccumulatorNumAccumulated',
  inputs: [HANDLE],
  outputs: [{ name: 'num_accumulated', type: 'int32' }],
  shape: () => [[]],
});

registerOp({
  type: 'AccumulatorSetGlobalStep',
  inputs: [HANDLE, { name: 'new_global_step', type: 'int64' }],
  outputs: [],
  shape: (op) => {
    scalarInput(op, 1);
    return [];
  },
});

export interface ConditionalAccumulatorOptions {
  /** Shape of the gradients (default unknown). */
  shape?: ShapeLike;
  /** Share the accumulator under this name across sessions (of a server). */
  sharedName?: string;
  name?: string;
  /** 'MEAN' (default): takeGrad returns the average; 'SUM': the sum. */
  reductionType?: 'MEAN' | 'SUM';
}

export interface ApplyGradOptions extends OpNameOptions {
  /** The global step at which the gradient was computed; older than the accumulator's: dropped. Default 0. */
  localStep?: TensorLike;
}

/**
 * TF1's tf.ConditionalAccumulator: aggregates gradients computed at the current global
 * step. applyGrad adds a gradient unless it is stale (its localStep is below the
 * accumulator's step); takeGrad waits until `numRequired` gradients were added, returns
 * their average, resets the count and advances the accumulator's step by one.
 */
export class ConditionalAccumulator {
  readonly dtype: DType;
  readonly shape: TensorShape;
  /** The accumulator's handle (a string reference, as TF1's accumulator_ref). */
  readonly accumulatorRef: Tensor;
  /** The last part of the accumulator op's name (default names of its ops). */
  readonly name: string;

  constructor(dtype: DType, options: ConditionalAccumulatorOptions = {}) {
    if (!isDType(dtype)) throw valueError(`Unknown dtype '${String(dtype)}'`);
    const reduction = options.reductionType ?? 'MEAN';
    if (reduction !== 'MEAN' && reduction !== 'SUM') throw valueError(`reduction_type must be MEAN or SUM, got '${String(reduction)}'`);
    this.dtype = dtype;
    this.shape = options.shape === undefined || options.shape === null ? TensorShape.unknown() : TensorShape.from(options.shape);
    this.accumulatorRef = applyOp1('ConditionalAccumulator', [], {
      dtype, shape: this.shape, shared_name: options.sharedName ?? '', reduction_type: reduction,
    }, options.name ?? 'conditional_accumulator');
    this.name = this.accumulatorRef.op.name.split('/').pop()!;
  }

  private get graph() {
    return this.accumulatorRef.graph;
  }

  /** Number of gradients aggregated so far (an int32 scalar). */
  numAccumulated(options: OpNameOptions = {}): Tensor {
    return this.graph.asDefault(() => applyOp1('AccumulatorNumAccumulated', [this.accumulatorRef], {}, options.name ?? `${this.name}_NumAccumulated`));
  }

  /** Sets the accumulator's global step: gradients of older local steps are dropped from then on. */
  setGlobalStep(newGlobalStep: TensorLike, options: OpNameOptions = {}): Operation {
    return this.graph.asDefault(() => applyOp('AccumulatorSetGlobalStep',
      [this.accumulatorRef, cast(convertToTensor(newGlobalStep), 'int64')], {}, options.name ?? 'AccumulatorSetGlobalStep'));
  }

  /** Adds `grad` (converted to the accumulator's dtype), unless localStep is stale. */
  applyGrad(grad: TensorLike, options: ApplyGradOptions = {}): Operation {
    return this.graph.asDefault(() => {
      const g = convertToTensor(grad, { dtype: this.dtype });
      if (!g.shape.isCompatibleWith(this.shape)) {
        throw valueError(`Shapes ${g.shape.toString()} and ${this.shape.toString()} are incompatible`);
      }
      const step = cast(convertToTensor(options.localStep ?? 0), 'int64');
      return applyOp('AccumulatorApplyGradient', [this.accumulatorRef, step, g], { dtype: this.dtype }, options.name ?? 'AccumulatorApplyGradient');
    });
  }

  /** The average of `numRequired` gradients, once that many were added (waits until then). */
  takeGrad(numRequired: TensorLike, options: OpNameOptions = {}): Tensor {
    return this.graph.asDefault(() => {
      const out = applyOp1('AccumulatorTakeGradient', [this.accumulatorRef, numRequired], { dtype: this.dtype }, options.name ?? 'AccumulatorTakeGradient');
      out.setShape(this.shape);
      return out;
    });
  }
}
