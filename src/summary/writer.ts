// tf.summary.FileWriter (TF1's summary/writer/writer.py): turns summaries, graphs, run
// metadata and session logs into Events and hands them to an EventFileWriter.
import { InvalidArgumentError } from '../framework/errors.js';
import { Graph } from '../framework/graph.js';
import { GraphDef } from '../framework/graph_def.js';
import { NDArray } from '../framework/ndarray.js';
import type { RunMetadata } from '../client/session.js';
import { META_GRAPH_PRODUCER, type MetaGraphDef } from '../train/meta_graph.js';
import { EventFileWriter, type EventFileWriterOptions } from './event_file.js';
import { serializeGraphAsMetaGraphDefProto, serializeGraphDefProto, serializeMetaGraphDefProto } from './graph_proto.js';
import {
  encodeEvent, encodeRunMetadata, encodeSummary, encodeSummaryEvent, type EventObject, isSummaryBytes,
  type RunMetadataObject, type SessionLogObject, type SummaryObject,
} from './proto.js';

export type FileWriterOptions = EventFileWriterOptions;

/** A summary: a summary op's run result (string scalar), serialized Summary bytes, or a Summary object. */
export type SummaryLike = NDArray | Uint8Array | SummaryObject;

/** A global step: a number, or the scalar NDArray a run of the step variable returns. */
export type StepLike = number | bigint | NDArray;

function stepOf(step: StepLike | null | undefined): number {
  if (step == null) return 0;
  let v: unknown = step;
  if (step instanceof NDArray) {
    if (step.size !== 1 || step.dtype === 'string') throw new InvalidArgumentError(undefined, undefined, `globalStep must be a scalar number, got an NDArray of dtype ${step.dtype} and shape [${step.shape.join(',')}]`);
    v = step.data[0];
  }
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(undefined, undefined, `globalStep must be an integer, got ${String(v)}`);
  return n;
}

const now = () => Date.now() / 1000;

/** Our RunMetadata (a traced run's stepStats) as a tensorflow.RunMetadata. */
function runMetadataProto(rm: RunMetadata): RunMetadataObject {
  return {
    stepStats: {
      devStats: (rm.stepStats?.devStats ?? []).map((d) => ({
        device: d.device,
        // Our runtime times each kernel as a whole: the op's own span is the node's span.
        nodeStats: d.nodeStats.map((n) => ({
          nodeName: n.nodeName, allStartMicros: n.allStartMicros, opStartRelMicros: 0,
          opEndRelMicros: n.allEndRelMicros, allEndRelMicros: n.allEndRelMicros, threadId: n.threadId,
          memory: (n.memory ?? []).map((m) => ({ allocatorName: m.allocatorName, totalBytes: m.totalBytes })),
        })),
      })),
    },
  };
}

/**
 * Writes Event protocol buffers to a new event file in `logdir` for TensorBoard (and
 * `npx tensorgraph-board`). The file is `events.out.tfevents.<secs>.<host><suffix>`; its
 * first record is the file version. With a graph, the graph (and a meta graph holding it) is
 * written first. Adding only queues: a background writer writes after `maxQueue` events or
 * `flushSecs` seconds; `flush()` and `close()` are synchronous and leave everything on disk.
 * A writer never keeps the process alive; queued events are also written at normal exit.
 */
export class FileWriter {
  private readonly logdir: string;
  private readonly options: FileWriterOptions;
  private writer: EventFileWriter;
  /** TF1: a run-metadata tag is written once per writer. */
  private readonly runMetadataTags = new Set<string>();

  constructor(logdir: string, graph?: Graph | GraphDef | null, options: FileWriterOptions = {}) {
    if (typeof logdir !== 'string' || logdir === '') throw new InvalidArgumentError(undefined, undefined, `logdir must be a non-empty directory path, got ${String(logdir)}`);
    this.logdir = logdir;
    this.options = { ...options };
    this.writer = new EventFileWriter(logdir, this.options);
    if (graph != null) {
      this.addGraph(graph);
      this.writer.add(encodeEvent({ wallTime: now(), metaGraphDef: serializeGraphAsMetaGraphDefProto(graph, META_GRAPH_PRODUCER) }));
    }
  }

  /** The directory the event file is in. */
  getLogdir(): string {
    return this.logdir;
  }

  /** Adds an Event (its wallTime defaults to now). */
  addEvent(event: EventObject): void {
    if (this.writer.isClosed) return;
    this.writer.add(encodeEvent({ ...event, wallTime: event.wallTime ?? now() }));
  }

  /**
   * Adds a summary at `globalStep` (default 0; steps need not increase): the string result of
   * a summary op run (its bytes are written exactly), serialized Summary bytes, or a Summary
   * object. Ignored after close().
   */
  addSummary(summary: SummaryLike, globalStep?: StepLike): void {
    if (this.writer.isClosed) return;
    const step = stepOf(globalStep);
    let bytes: Uint8Array;
    if (summary instanceof NDArray) {
      if (summary.dtype !== 'string' || summary.size !== 1) {
        throw new InvalidArgumentError(undefined, undefined, `addSummary expects the scalar string a summary op returns, got an NDArray of dtype ${summary.dtype} and shape [${summary.shape.join(',')}]`);
      }
      bytes = summary.bytes[0];
    } else if (summary instanceof Uint8Array) {
      bytes = summary;
    } else if (summary && typeof summary === 'object') {
      bytes = encodeSummary(summary);
    } else {
      throw new InvalidArgumentError(undefined, undefined, `addSummary expects a summary (string NDArray, Uint8Array or Summary object), got ${String(summary)}`);
    }
    // TF1 parses the bytes; a top-level check keeps this cheap on every step. What is
    // written is the bytes themselves.
    if (!isSummaryBytes(bytes)) throw new InvalidArgumentError(undefined, undefined, 'addSummary: the bytes are not a serialized tensorflow.Summary');
    this.writer.add(encodeSummaryEvent(now(), step, bytes));
  }

  /** Adds a SessionLog (status START, STOP or CHECKPOINT; START makes TensorBoard drop later steps seen before). */
  addSessionLog(sessionLog: SessionLogObject, globalStep?: StepLike): void {
    this.addEvent({ step: stepOf(globalStep), sessionLog });
  }

  /** Adds a graph (a tf.Graph, our GraphDef, or serialized tensorflow.GraphDef bytes) for the Graphs tab. */
  addGraph(graph: Graph | GraphDef | Uint8Array, globalStep?: StepLike): void {
    if (this.writer.isClosed) return;
    let bytes: Uint8Array;
    if (graph instanceof Graph || graph instanceof GraphDef) bytes = serializeGraphDefProto(graph);
    else if (graph instanceof Uint8Array) bytes = graph;
    else throw new InvalidArgumentError(undefined, undefined, `addGraph expects a tf.Graph, a tf.GraphDef or GraphDef bytes, got ${String(graph)}`);
    this.addEvent({ step: stepOf(globalStep), graphDef: bytes });
  }

  /** Adds a meta graph (tf.train.exportMetaGraph's result, or serialized tensorflow.MetaGraphDef bytes). */
  addMetaGraph(metaGraphDef: MetaGraphDef | Uint8Array, globalStep?: StepLike): void {
    if (this.writer.isClosed) return;
    let bytes: Uint8Array;
    if (metaGraphDef instanceof Uint8Array) bytes = metaGraphDef;
    else if (metaGraphDef && (metaGraphDef as MetaGraphDef).graphDef instanceof GraphDef) bytes = serializeMetaGraphDefProto(metaGraphDef);
    else throw new InvalidArgumentError(undefined, undefined, `addMetaGraph expects a MetaGraphDef (tf.train.exportMetaGraph) or its bytes, got ${String(metaGraphDef)}`);
    this.addEvent({ step: stepOf(globalStep), metaGraphDef: bytes });
  }

  /**
   * Adds the step stats of a traced run (`sess.run(fetches, feeds, {traceLevel:
   * tf.TraceLevel.FULL_TRACE}, runMetadata)`) under `tag`, once per tag (TF1).
   */
  addRunMetadata(runMetadata: RunMetadata | Uint8Array, tag: string, globalStep?: StepLike): void {
    if (this.writer.isClosed) return;
    if (typeof tag !== 'string' || tag === '') throw new InvalidArgumentError(undefined, undefined, `addRunMetadata needs a non-empty tag, got ${String(tag)}`);
    if (this.runMetadataTags.has(tag)) throw new InvalidArgumentError(undefined, undefined, `The provided tag '${tag}' was already used for this event type`);
    const bytes = runMetadata instanceof Uint8Array ? runMetadata : encodeRunMetadata(runMetadataProto(runMetadata ?? {}));
    this.runMetadataTags.add(tag);
    this.addEvent({ step: stepOf(globalStep), taggedRunMetadata: { tag, runMetadata: bytes } });
  }

  /** Writes every queued event to disk now (synchronous, fsync'd). */
  flush(): void {
    this.writer.flush();
  }

  /** Flushes and closes the file; later adds are ignored until reopen(). */
  close(): void {
    this.writer.close();
  }

  /** After close(): a new event file in the same logdir takes the next events. Otherwise nothing. */
  reopen(): void {
    if (!this.writer.isClosed) return;
    this.writer = new EventFileWriter(this.logdir, this.options);
  }

  /** `using writer = new tf.summary.FileWriter(...)` closes it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }
}
