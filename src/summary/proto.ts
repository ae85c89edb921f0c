// TensorFlow's protobuf messages (event files, summaries, GraphDef, RunMetadata) for TS: the
// one protobufjs root, loaded at first use from <package root>/schema/proto (the same .proto
// files the C++ side compiles), and typed encode/decode helpers over plain objects.
// Plain objects use protobufjs's camelCase field names; int64 fields are JS numbers; bytes
// are Uint8Arrays; enums are their numbers.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { DataLossError, InvalidArgumentError } from '../framework/errors.js';

/** <package root>/schema/proto: src/summary/proto.ts and dist/summary/proto.js sit two levels down. */
export const PROTO_DIR = join(dirname(dirname(dirname(fileURLToPath(import.meta.url)))), 'schema', 'proto');
const PROTO_FILES = ['types', 'tensor', 'graph', 'summary', 'event', 'meta_graph', 'step_stats', 'config'];

let root: protobuf.Root | undefined;

/** The protobufjs root of schema/proto (package `tensorflow`), loaded once. */
export function protoRoot(): protobuf.Root {
  if (!root) {
    root = protobuf.loadSync(PROTO_FILES.map((f) => join(PROTO_DIR, `${f}.proto`)));
    root.resolveAll();
  }
  return root;
}

/** A message type of package tensorflow, e.g. 'Event', 'Summary.Value'. */
export function protoType(name: string): protobuf.Type {
  return protoRoot().lookupType(`tensorflow.${name}`);
}

// ---------- message shapes (the fields we write and read) ----------

export interface TensorShapeProtoObject {
  dim?: { size?: number; name?: string }[];
  unknownRank?: boolean;
}

export interface TensorProtoObject {
  dtype?: number;
  tensorShape?: TensorShapeProtoObject;
  versionNumber?: number;
  tensorContent?: Uint8Array;
  halfVal?: number[];
  floatVal?: number[];
  doubleVal?: number[];
  intVal?: number[];
  stringVal?: Uint8Array[];
  int64Val?: number[];
  boolVal?: boolean[];
  uint32Val?: number[];
  uint64Val?: number[];
}

export interface NameAttrListObject {
  name?: string;
  attr?: Record<string, AttrValueObject>;
}

export interface AttrValueObject {
  s?: Uint8Array;
  i?: number;
  f?: number;
  b?: boolean;
  type?: number;
  shape?: TensorShapeProtoObject;
  tensor?: TensorProtoObject;
  list?: {
    s?: Uint8Array[]; i?: number[]; f?: number[]; b?: boolean[]; type?: number[];
    shape?: TensorShapeProtoObject[]; tensor?: TensorProtoObject[]; func?: NameAttrListObject[];
  };
  func?: NameAttrListObject;
  placeholder?: string;
}

export interface NodeDefObject {
  name?: string;
  op?: string;
  input?: string[];
  device?: string;
  attr?: Record<string, AttrValueObject>;
}

export interface GraphDefObject {
  node?: NodeDefObject[];
  versions?: { producer?: number; minConsumer?: number; badConsumers?: number[] };
}

export interface MetaGraphDefObject {
  metaInfoDef?: {
    metaGraphVersion?: string; tags?: string[]; tensorflowVersion?: string;
    tensorflowGitVersion?: string; strippedDefaultAttrs?: boolean;
  };
  graphDef?: GraphDefObject;
  saverDef?: {
    filenameTensorName?: string; saveTensorName?: string; restoreOpName?: string; maxToKeep?: number;
    sharded?: boolean; keepCheckpointEveryNHours?: number; version?: number;
  };
}

export interface HistogramProtoObject {
  min?: number;
  max?: number;
  num?: number;
  sum?: number;
  sumSquares?: number;
  bucketLimit?: number[];
  bucket?: number[];
}

export interface SummaryMetadataObject {
  pluginData?: { pluginName?: string; content?: Uint8Array };
  displayName?: string;
  summaryDescription?: string;
  dataClass?: number;
}

export interface SummaryValueObject {
  tag?: string;
  nodeName?: string;
  metadata?: SummaryMetadataObject;
  simpleValue?: number;
  obsoleteOldStyleHistogram?: Uint8Array;
  image?: { height?: number; width?: number; colorspace?: number; encodedImageString?: Uint8Array };
  histo?: HistogramProtoObject;
  audio?: { sampleRate?: number; numChannels?: number; lengthFrames?: number; encodedAudioString?: Uint8Array; contentType?: string };
  tensor?: TensorProtoObject;
}

export interface SummaryObject {
  value?: SummaryValueObject[];
}

export interface NodeExecStatsObject {
  nodeName?: string;
  allStartMicros?: number;
  opStartRelMicros?: number;
  opEndRelMicros?: number;
  allEndRelMicros?: number;
  memory?: { allocatorName?: string; totalBytes?: number }[];
  threadId?: number;
}

export interface RunMetadataObject {
  stepStats?: { devStats?: { device?: string; nodeStats?: NodeExecStatsObject[] }[] };
}

/** SessionLog.status values. */
export const SessionStatus = { STATUS_UNSPECIFIED: 0, START: 1, STOP: 2, CHECKPOINT: 3 } as const;

export interface SessionLogObject {
  status?: number;
  checkpointPath?: string;
  msg?: string;
}

/** tensorflow.Event: wall_time, step and at most one of the rest. */
export interface EventObject {
  wallTime?: number;
  step?: number;
  fileVersion?: string;
  graphDef?: Uint8Array;
  summary?: SummaryObject;
  logMessage?: { level?: number; message?: string };
  sessionLog?: SessionLogObject;
  taggedRunMetadata?: { tag?: string; runMetadata?: Uint8Array };
  metaGraphDef?: Uint8Array;
}

// ---------- encode / decode ----------

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: Number, bytes: Uint8Array as never, defaults: false };

/** Serializes a plain object as message `type` (a wrongly typed field is an InvalidArgumentError). */
export function encodeMessage(type: string, value: object): Uint8Array {
  const t = protoType(type);
  const err = t.verify(value);
  if (err) throw new InvalidArgumentError(undefined, undefined, `Invalid tensorflow.${type}: ${err}`);
  return t.encode(t.fromObject(value)).finish();
}

/** Parses message `type`; bad bytes are a DataLossError naming what was expected. */
export function decodeMessage<T>(type: string, bytes: Uint8Array, what = `tensorflow.${type}`): T {
  const t = protoType(type);
  let msg: protobuf.Message;
  try {
    msg = t.decode(bytes);
  } catch (e) {
    throw new DataLossError(undefined, undefined, `Can't parse ${what}: ${(e as Error).message}`);
  }
  return normalize(t.toObject(msg, TO_OBJECT)) as T;
}

/** protobufjs gives Buffers for bytes under Node; callers get plain Uint8Arrays. */
function normalize(x: unknown): unknown {
  if (x instanceof Uint8Array) return Buffer.isBuffer(x) ? new Uint8Array(x.buffer, x.byteOffset, x.byteLength) : x;
  if (Array.isArray(x)) return x.map(normalize);
  if (x && typeof x === 'object') {
    for (const k of Object.keys(x)) (x as Record<string, unknown>)[k] = normalize((x as Record<string, unknown>)[k]);
  }
  return x;
}

export const encodeEvent = (e: EventObject): Uint8Array => encodeMessage('Event', e);
export const decodeEvent = (b: Uint8Array): EventObject => decodeMessage<EventObject>('Event', b);
export const encodeSummary = (s: SummaryObject): Uint8Array => encodeMessage('Summary', s);
export const decodeSummary = (b: Uint8Array): SummaryObject => decodeMessage<SummaryObject>('Summary', b);
export const encodeGraphDef = (g: GraphDefObject): Uint8Array => encodeMessage('GraphDef', g);
export const decodeGraphDef = (b: Uint8Array): GraphDefObject => decodeMessage<GraphDefObject>('GraphDef', b);
export const encodeMetaGraphDef = (m: MetaGraphDefObject): Uint8Array => encodeMessage('MetaGraphDef', m);
export const decodeMetaGraphDef = (b: Uint8Array): MetaGraphDefObject => decodeMessage<MetaGraphDefObject>('MetaGraphDef', b);
export const encodeRunMetadata = (r: RunMetadataObject): Uint8Array => encodeMessage('RunMetadata', r);
export const decodeRunMetadata = (b: Uint8Array): RunMetadataObject => decodeMessage<RunMetadataObject>('RunMetadata', b);

/**
 * An Event whose `summary` field is `summaryBytes` exactly as given (a summary op's output is
 * already a serialized Summary: it is framed as Event field 5, never decoded and re-encoded).
 * Returned as two parts (the head, then the summary itself) to save a copy of the summary.
 */
export function encodeSummaryEvent(wallTime: number, step: number, summaryBytes: Uint8Array): [Uint8Array, Uint8Array] {
  const t = protoType('Event');
  const head = t.encode(t.fromObject({ wallTime, step }));
  head.uint32((5 << 3) | 2).uint32(summaryBytes.length);
  return [head.finish(), summaryBytes];
}

/**
 * Whether `bytes` are a well-formed Summary at the top level (only field 1, length-delimited,
 * within bounds): a cheap check for every step's summary; the Values are not decoded.
 */
export function isSummaryBytes(bytes: Uint8Array): boolean {
  const r = protobuf.Reader.create(bytes);
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag !== ((1 << 3) | 2)) return false;
      r.skipType(2);
    }
  } catch {
    return false;
  }
  return r.pos === r.len;
}
