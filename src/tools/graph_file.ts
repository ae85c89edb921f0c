// Loads a graph to draw from a file, whatever it holds: our meta graph ("TGMG") or GraphDef
// ("TGGD") FlatBuffers, a TF protobuf GraphDef (.pb), or an events file (TFRecord framing; the
// newest Event.graph_def, else the newest meta_graph_def's graph). The format comes from the
// content (file identifier, record CRC, protobuf wire structure), never from the extension.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';

import { dtypeFromEnum } from '../framework/dtypes.js';
import { DataLossError, InvalidArgumentError, NotFoundError, OpError } from '../framework/errors.js';
import { Graph } from '../framework/graph.js';
import { GraphDef, type NodeDef } from '../framework/graph_def.js';
import { importGraphDef } from '../framework/importer.js';
import { maskedCrc32c } from '../io/tfrecord.js';
import { isEventFileName, readEvents } from '../summary/event_file.js';
import { decodeMessage, type GraphDefObject, type MetaGraphDefObject, type TensorShapeProtoObject } from '../summary/proto.js';
import { parseMetaGraph } from '../train/meta_graph.js';
import { graphNodes, type DotNode, type DotOutput } from './graph_dot.js';

export type GraphFileFormat = 'meta-graph' | 'graph-def' | 'tf-graph-def' | 'events';

export interface LoadedGraph {
  format: GraphFileFormat;
  /** The file the graph came from (for a log directory: the events file). */
  path: string;
  nodes: DotNode[];
  /** Non-fatal problems (a truncated last event record). */
  warnings: string[];
}

// ---------- detection ----------

const ident = (bytes: Uint8Array) => (bytes.length >= 8 ? String.fromCharCode(...bytes.subarray(4, 8)) : '');

function isTFRecord(bytes: Uint8Array): boolean {
  if (bytes.length < 16) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(8, true) === maskedCrc32c(bytes.subarray(0, 8));
}

/** GraphDef's own fields with their wire types: node=1, library=2, version=3, versions=4. */
const GRAPH_DEF_WIRE: Record<number, number> = { 1: 2, 2: 2, 3: 0, 4: 2 };

/** Whether the bytes are, field by field, a GraphDef with at least one node. */
function looksLikeProtoGraphDef(bytes: Uint8Array): boolean {
  const r = protobuf.Reader.create(bytes);
  let nodes = 0;
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (GRAPH_DEF_WIRE[field] !== wire) return false;
      if (field === 1) nodes++;
      r.skipType(wire);
    }
  } catch {
    return false;
  }
  return nodes > 0 && r.pos === r.len;
}

/** The format of a graph file's bytes, or undefined when they hold no graph we know. */
export function detectGraphFormat(bytes: Uint8Array): GraphFileFormat | undefined {
  const id = ident(bytes);
  if (id === 'TGMG') return 'meta-graph';
  if (id === 'TGGD') return 'graph-def';
  if (isTFRecord(bytes)) return 'events';
  if (looksLikeProtoGraphDef(bytes)) return 'tf-graph-def';
  return undefined;
}

// ---------- our FlatBuffers graphs ----------

/** Output dtypes a node's attrs state outright (T is an input type for many ops: not used). */
function declaredOutput(op: string, types: Record<string, string | undefined>): string | undefined {
  const out = types.out_type ?? types.output_type ?? types.DstT;
  if (out) return out;
  if (/^(Const|HostConst|Placeholder(V2|WithDefault)?|Variable(V2)?|VarHandleOp)$/.test(op)) return types.dtype;
  return undefined;
}

/** Our GraphDef's nodes: imported into a scratch graph for exact dtypes and inferred shapes. */
function ourGraphDefNodes(def: GraphDef): DotNode[] {
  const g = new Graph();
  try {
    g.asDefault(() => importGraphDef(def, { name: '' }));
    // Keep the file's node order (import sorts topologically).
    const byName = new Map(graphNodes(g).map((n) => [n.name, n]));
    return def.node.map((n) => ({ ...byName.get(n.name)!, inputs: n.input }));
  } catch {
    // Ops this build does not know, or a partial graph: draw it from the NodeDefs alone.
    return def.node.map((n: NodeDef) => {
      const types: Record<string, string | undefined> = {};
      for (const [k, a] of Object.entries(n.attr)) if (a.kind === 'type') types[k] = a.value as string;
      const dtype = declaredOutput(n.op, types);
      return { name: n.name, op: n.op, device: n.device, inputs: n.input, outputs: dtype ? [{ dtype }] : undefined };
    });
  }
}

// ---------- TF protobuf graphs ----------

const protoShape = (s: TensorShapeProtoObject): DotOutput['shape'] =>
  (s.unknownRank ? null : (s.dim ?? []).map((d) => (d.size === undefined || d.size < 0 ? null : d.size)));

function protoTypeName(n: number | undefined): string | undefined {
  if (n === undefined) return undefined;
  try {
    return dtypeFromEnum(n);
  } catch {
    return `DataType ${n}`;
  }
}

const decodeGraphDefFrom = (bytes: Uint8Array, source: string) => decodeMessage<GraphDefObject>('GraphDef', bytes, `${source} as a GraphDef`);

/** A TF protobuf GraphDef's nodes; shapes from `_output_shapes` where the producer wrote them. */
function protoGraphDefNodes(def: GraphDefObject): DotNode[] {
  return (def.node ?? []).map((n) => {
    const attr = n.attr ?? {};
    const types: Record<string, string | undefined> = {};
    for (const [k, a] of Object.entries(attr)) if (a.type !== undefined) types[k] = protoTypeName(a.type);
    const dtype = declaredOutput(n.op ?? '', types);
    const shapes = attr._output_shapes?.list?.shape;
    const outputs = shapes?.length ? shapes.map((s, i) => ({ dtype: i === 0 || shapes.length === 1 ? dtype : undefined, shape: protoShape(s) }))
      : dtype ? [{ dtype }] : undefined;
    return { name: n.name ?? '', op: n.op ?? '', device: n.device ?? '', inputs: n.input ?? [], outputs };
  });
}

// ---------- events files ----------

/**
 * The newest graph in an events file (graph_def wins over meta_graph_def, as in TensorBoard).
 * Like TensorBoard, it reads up to a truncated or corrupt tail (a writer may still be appending,
 * or have died mid-record) and warns; a file whose first record is corrupt is DataLoss.
 */
function eventsGraph(path: string, warnings: string[]): GraphDefObject | undefined {
  const { events, truncated, nextOffset, corrupt } = readEvents(path);
  if (corrupt && events.length === 0) {
    throw new DataLossError(undefined, undefined, `${path} is not a readable events file: ${corrupt.message}`);
  }
  if (corrupt) warnings.push(`${path}: ${corrupt.message}; the graph is read from the records before it`);
  else if (truncated) warnings.push(`${path}: truncated record at ${nextOffset}; the graph is read from the records before it`);
  let graph: Uint8Array | undefined;
  let meta: Uint8Array | undefined;
  for (const e of events) {
    if (e.graphDef?.length) graph = e.graphDef;
    if (e.metaGraphDef?.length) meta = e.metaGraphDef;
  }
  if (graph) return decodeGraphDefFrom(graph, `the graph_def in ${path}`);
  return meta ? decodeMessage<MetaGraphDefObject>('MetaGraphDef', meta, `the meta_graph_def in ${path} as a MetaGraphDef`).graphDef : undefined;
}

/** The events files of a log directory, oldest first (their names start with the creation time). */
function eventFilesIn(dir: string): string[] {
  return readdirSync(dir).filter(isEventFileName).sort().map((f) => join(dir, f));
}

// ---------- entry point ----------

const NOT_A_GRAPH = 'expected a meta graph (tf.train.exportMetaGraph), a GraphDef (ours, or a TF protobuf .pb), an events file with a graph, or a log directory';

/**
 * Reads the graph in `path`: a file in any of the supported formats, or a log directory (the
 * newest graph of its events files). NotFoundError when there is no such file,
 * InvalidArgumentError when it holds no graph, DataLossError when it is corrupt.
 */
export function loadGraphFile(path: string): LoadedGraph {
  if (!existsSync(path)) throw new NotFoundError(undefined, undefined, `File ${path} does not exist.`);
  try {
    return loadGraph(path);
  } catch (e) {
    if (e instanceof OpError) throw e;
    throw new DataLossError(undefined, undefined, `Cannot read ${path}: ${(e as Error).message}`);
  }
}

function loadGraph(path: string): LoadedGraph {
  const warnings: string[] = [];
  if (statSync(path).isDirectory()) {
    const files = eventFilesIn(path);
    if (files.length === 0) throw new NotFoundError(undefined, undefined, `No events files (*tfevents*) in directory ${path}`);
    for (const f of files.reverse()) {
      const g = eventsGraph(f, warnings);
      if (g) return { format: 'events', path: f, nodes: protoGraphDefNodes(g), warnings };
    }
    throw new InvalidArgumentError(undefined, undefined, `No graph in the events files of ${path} (no Event.graph_def or meta_graph_def)`);
  }
  const bytes = new Uint8Array(readFileSync(path));
  const format = detectGraphFormat(bytes);
  switch (format) {
    case 'meta-graph':
      return { format, path, nodes: ourGraphDefNodes(parseMetaGraph(bytes, `file ${path}`).graphDef), warnings };
    case 'graph-def':
      return { format, path, nodes: ourGraphDefNodes(GraphDef.parse(bytes)), warnings };
    case 'tf-graph-def':
      return { format, path, nodes: protoGraphDefNodes(decodeGraphDefFrom(bytes, `file ${path}`)), warnings };
    case 'events': {
      const g = eventsGraph(path, warnings);
      if (!g) throw new InvalidArgumentError(undefined, undefined, `${path} is a TFRecord file without a graph (no Event.graph_def or meta_graph_def); ${NOT_A_GRAPH}`);
      return { format, path, nodes: protoGraphDefNodes(g), warnings };
    }
    default:
      throw new InvalidArgumentError(undefined, undefined, `${path} is not a graph: ${NOT_A_GRAPH}`);
  }
}
