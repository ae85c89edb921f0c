// Readers: TF's V2 reader ops (tensorflow/core/ops/io_ops.cc; kernels in
// native/kernels/cpu/reader_ops.cc) and TF1's reader classes. A reader is a per-session
// resource that takes work (filenames) from a queue and produces (key, value) records.
import { InvalidArgumentError } from '../framework/errors.js';
import { getDefaultGraph } from '../framework/graph.js';
import { applyOp, applyOp1, type TensorLike } from '../framework/op_builder.js';
import { registerOp } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import { Tensor } from '../framework/tensor.js';
import type { QueueBase } from './data_flow_ops.js';

// ---------- op registrations ----------

const RESOURCE_ATTRS = { container: { kind: 'string', default: '' }, shared_name: { kind: 'string', default: '' } } as const;

for (const [type, attrs] of [
  ['TextLineReaderV2', { skip_header_lines: { kind: 'int', default: 0 }, ...RESOURCE_ATTRS }],
  ['FixedLengthRecordReaderV2', {
    header_bytes: { kind: 'int', default: 0 }, record_bytes: { kind: 'int' }, footer_bytes: { kind: 'int', default: 0 },
    hop_bytes: { kind: 'int', default: 0 }, ...RESOURCE_ATTRS, encoding: { kind: 'string', default: '' },
  }],
  ['TFRecordReaderV2', { ...RESOURCE_ATTRS, compression_type: { kind: 'string', default: '' } }],
  ['WholeFileReaderV2', RESOURCE_ATTRS],
  ['IdentityReaderV2', RESOURCE_ATTRS],
] as const) {
  registerOp({
    type,
    inputs: [],
    outputs: [{ name: 'reader_handle', type: 'resource' }],
    attrs,
    stateful: true,
    shape: () => [[]],
  });
}

function withRank(op: Operation, i: number, rank: number): void {
  const r = op.inputs[i].shape.rank;
  if (r !== undefined && r !== rank) {
    throw new InvalidArgumentError(undefined, op, `Shape must be rank ${rank} but is rank ${r} for '${op.name}' (op: '${op.type}') input ${i}`);
  }
}

const scalarsIn = (op: Operation) => op.inputs.forEach((_, i) => withRank(op, i, 0));

// Ops on a reader change its state (and may take work from the queue): stateful here so
// nothing ever treats them as pure.
registerOp({
  type: 'ReaderReadV2',
  inputs: [{ name: 'reader_handle', type: 'resource' }, { name: 'queue_handle', type: 'resource' }],
  outputs: [{ name: 'key', type: 'string' }, { name: 'value', type: 'string' }],
  stateful: true,
  shape: (op) => {
    scalarsIn(op);
    return [[], []];
  },
});

registerOp({
  type: 'ReaderReadUpToV2',
  inputs: [{ name: 'reader_handle', type: 'resource' }, { name: 'queue_handle', type: 'resource' }, { name: 'num_records', type: 'int64' }],
  outputs: [{ name: 'keys', type: 'string' }, { name: 'values', type: 'string' }],
  stateful: true,
  shape: (op) => {
    scalarsIn(op);
    return [[null], [null]];
  },
});

for (const [type, out] of [['ReaderNumRecordsProducedV2', 'records_produced'], ['ReaderNumWorkUnitsCompletedV2', 'units_completed']]) {
  registerOp({
    type,
    inputs: [{ name: 'reader_handle', type: 'resource' }],
    outputs: [{ name: out, type: 'int64' }],
    stateful: true,
    shape: (op) => {
      scalarsIn(op);
      return [[]];
    },
  });
}

registerOp({
  type: 'ReaderResetV2',
  inputs: [{ name: 'reader_handle', type: 'resource' }],
  outputs: [],
  stateful: true,
  shape: (op) => {
    scalarsIn(op);
    return [];
  },
});

// ---------- classes (TF1's io_ops.py) ----------

export interface ReaderOpOptions {
  name?: string;
}

/** A queue object or the queue's resource handle. */
export type QueueLike = QueueBase | Tensor;

function queueRefOf(queue: QueueLike): Tensor {
  if (queue instanceof Tensor) return queue;
  if (queue && (queue as QueueBase).queueRef instanceof Tensor) return (queue as QueueBase).queueRef;
  throw new InvalidArgumentError(undefined, undefined, `Expected a queue or a queue handle tensor, got ${String(queue)}`);
}

/** TF1's tf.ReaderBase: the ops shared by all readers, over a reader resource handle. */
export class ReaderBase {
  readonly readerRef: Tensor;
  readonly supportsSerialize: boolean;

  constructor(readerRef: Tensor, supportsSerialize = false) {
    this.readerRef = readerRef;
    this.supportsSerialize = supportsSerialize;
  }

  private apply(type: string, inputs: TensorLike[], name: string | undefined): Operation {
    const g = this.readerRef.graph;
    return g.asDefault(() => applyOp(type, inputs, {}, name));
  }

  /** The next record: [key, value] string scalars; takes a new work unit from `queue` when needed. */
  read(queue: QueueLike, options: ReaderOpOptions = {}): [Tensor, Tensor] {
    const op = this.apply('ReaderReadV2', [this.readerRef, queueRefOf(queue)], options.name);
    return [op.outputs[0], op.outputs[1]];
  }

  /** Up to `numRecords` records: [keys, values] string vectors (never crossing into a new file once it produced one). */
  readUpTo(queue: QueueLike, numRecords: TensorLike, options: ReaderOpOptions = {}): [Tensor, Tensor] {
    const op = this.apply('ReaderReadUpToV2', [this.readerRef, queueRefOf(queue), numRecords], options.name);
    return [op.outputs[0], op.outputs[1]];
  }

  /** The number of records this reader has produced (int64 scalar). */
  numRecordsProduced(options: ReaderOpOptions = {}): Tensor {
    return this.apply('ReaderNumRecordsProducedV2', [this.readerRef], options.name).outputs[0];
  }

  /** The number of work units (files) this reader has finished (int64 scalar). */
  numWorkUnitsCompleted(options: ReaderOpOptions = {}): Tensor {
    return this.apply('ReaderNumWorkUnitsCompletedV2', [this.readerRef], options.name).outputs[0];
  }

  /** Restores the reader to its initial clean state. */
  reset(options: ReaderOpOptions = {}): Operation {
    return this.apply('ReaderResetV2', [this.readerRef], options.name);
  }
}

function readerOp(type: string, attrs: Record<string, unknown>, name: string | undefined): Tensor {
  return getDefaultGraph().controlDependencies(null, () => applyOp1(type, [], attrs, name));
}

export interface TextLineReaderOptions extends ReaderOpOptions {
  /** Lines skipped at the start of each file. */
  skipHeaderLines?: number;
}

/** Records are the lines of each file (key "<file>:<line>", 1-based). */
export class TextLineReader extends ReaderBase {
  constructor(options: TextLineReaderOptions = {}) {
    super(readerOp('TextLineReaderV2', { skip_header_lines: options.skipHeaderLines ?? 0 }, options.name));
  }
}

export interface FixedLengthRecordReaderOptions extends ReaderOpOptions {
  recordBytes?: number;
  headerBytes?: number;
  footerBytes?: number;
  hopBytes?: number;
  encoding?: string;
}

/** Records are recordBytes-sized slices of each file after its header (key "<file>:<index>"). */
export class FixedLengthRecordReader extends ReaderBase {
  constructor(recordBytes: number | FixedLengthRecordReaderOptions, options: FixedLengthRecordReaderOptions = {}) {
    const o = typeof recordBytes === 'number' ? { ...options, recordBytes } : recordBytes;
    if (o.recordBytes === undefined) throw new InvalidArgumentError(undefined, undefined, 'FixedLengthRecordReader requires recordBytes');
    super(readerOp('FixedLengthRecordReaderV2', {
      record_bytes: o.recordBytes, header_bytes: o.headerBytes ?? 0, footer_bytes: o.footerBytes ?? 0,
      hop_bytes: o.hopBytes ?? 0, encoding: o.encoding ?? '',
    }, o.name));
  }
}

export interface TFRecordReaderOptions extends ReaderOpOptions {
  /** '' (none), 'ZLIB' or 'GZIP'. */
  compressionType?: string;
}

/** Records of TFRecord files (key "<file>:<byte offset>"). */
export class TFRecordReader extends ReaderBase {
  constructor(options: TFRecordReaderOptions = {}) {
    super(readerOp('TFRecordReaderV2', { compression_type: options.compressionType ?? '' }, options.name));
  }
}

/** One record per file: key = filename, value = the whole contents. */
export class WholeFileReader extends ReaderBase {
  constructor(options: ReaderOpOptions = {}) {
    super(readerOp('WholeFileReaderV2', {}, options.name), true);
  }
}

/** One record per work unit: key = value = the work string. */
export class IdentityReader extends ReaderBase {
  constructor(options: ReaderOpOptions = {}) {
    super(readerOp('IdentityReaderV2', {}, options.name), true);
  }
}
