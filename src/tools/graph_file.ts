// Loads a graph to draw from a file, whatever it holds: our meta graph ("TGMG") or GraphDef
// ("TGGD") FlatBuffers, a TF protobuf GraphDef (.pb), or an events file (TFRecord framing; the
// newest Event.graph_def, else the newest meta_graph_def's graph). The format comes from the
// content (file identifier, record CRC, protobuf wire structure), never from the extension.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

import { dtypeFromEnum } from '../framework/dtypes.js';
import { DataLossError, InvalidArgumentError, NotFoundError, OpError } from '../framework/errors.js';
import { Graph } from '../framework/graph.js';
import { GraphDef, type NodeDef } from '../framework/graph_def.js';
import { importGraphDef } from '../framework/importer.js';
import { maskedCrc32c, tfRecordIterator } from '../io/tfrecord.js';
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

// ---------- protobuf (schema/proto, loaded once) ----------

// TODO(writer helper): use src/summary/proto.ts, the project's one protobufjs root, once it lands.
let root: protobuf.Root | undefined;
function protoRoot(): protobuf.Root {
  if (!root) {
    // <package>/dist/tools/ or <package>/src/tools/ -> <package>/schema/proto
    const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema', 'proto');
    const r = new protobuf.Root();
    r.resolvePath = (_origin, target) => join(dir, basename(target));
    r.loadSync(['graph.proto', 'event.proto'], { keepCase: true });
    // TF's MetaGraphDef: only its graph_def (field 2) is needed here.
    (r.lookup('tensorflow') as protobuf.Namespace).add(new protobuf.Type('MetaGraphDefGraph').add(new protobuf.Field('graph_def', 2, 'GraphDef')));
    r.resolveAll();
    root = r;
  }
  return root;
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

interface ProtoShape { dim?: { size?: number }[]; unknown_rank?: boolean }
interface ProtoAttr { type?: number; shape?: ProtoShape; list?: { shape?: ProtoShape[] } }
interface ProtoNode { name?: string; op?: string; input?: string[]; device?: string; attr?: Record<string, ProtoAttr> }

const protoShape = (s: ProtoShape): DotOutput['shape'] =>
  (s.unknown_rank ? null : (s.dim ?? []).map((d) => (d.size === undefined || d.size < 0 ? null : Number(d.size))));

function protoTypeName(n: number | undefined): string | undefined {
  if (n === undefined) return undefined;
  try {
    return dtypeFromEnum(n);
  } catch {
    return `DataType ${n}`;
  }
}

/** A TF protobuf GraphDef's nodes; shapes from `_output_shapes` where the producer wrote them. */
function protoGraphDefNodes(bytes: Uint8Array, source: string): DotNode[] {
  const type = protoRoot().lookupType('tensorflow.GraphDef');
  let obj: { node?: ProtoNode[] };
  try {
    obj = type.toObject(type.decode(bytes), { longs: Number, enums: Number, arrays: true, objects: true });
  } catch (e) {
    throw new DataLossError(undefined, undefined, `Cannot parse ${source} as a GraphDef: ${(e as Error).message}`);
  }
  return (obj.node ?? []).map((n) => {
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

/** The newest graph in an events file (graph_def wins over meta_graph_def, as in TensorBoard). */
function eventsGraph(path: string, warnings: string[]): Uint8Array | undefined {
  const Event = protoRoot().lookupType('tensorflow.Event');
  const Meta = protoRoot().lookupType('tensorflow.MetaGraphDefGraph');
  let graph: Uint8Array | undefined;
  let meta: Uint8Array | undefined;
  let records = 0;
  try {
    for (const rec of tfRecordIterator(path)) {
      records++;
      let ev: { graph_def?: Uint8Array; meta_graph_def?: Uint8Array };
      try {
        ev = Event.decode(rec) as unknown as typeof ev;
      } catch (e) {
        throw new DataLossError(undefined, undefined, `record ${records - 1} is not an Event: ${(e as Error).message}`);
      }
      if (ev.graph_def?.length) graph = ev.graph_def;
      if (ev.meta_graph_def?.length) meta = ev.meta_graph_def;
    }
  } catch (e) {
    if (!(e instanceof DataLossError) || records === 0) throw e;
    // TensorBoard too reads an events file up to its first bad record (a writer may still be
    // appending to it, or have crashed mid-record).
    warnings.push(`${path}: ${e.message}; the graph is read from the records before it`);
  }
  if (graph) return graph;
  if (meta) {
    const m = Meta.toObject(Meta.decode(meta)) as { graph_def?: unknown };
    if (m.graph_def) return protoRoot().lookupType('tensorflow.GraphDef').encode(m.graph_def as protobuf.Message).finish();
  }
  return undefined;
}

/** The events files of a log directory, oldest first (their names start with the creation time). */
function eventFilesIn(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.includes('tfevents') && !f.endsWith('.profile-empty')).sort().map((f) => join(dir, f));
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
      if (g) return { format: 'events', path: f, nodes: protoGraphDefNodes(g, `the graph_def in ${f}`), warnings };
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
      return { format, path, nodes: protoGraphDefNodes(bytes, `file ${path}`), warnings };
    case 'events': {
      const g = eventsGraph(path, warnings);
      if (!g) throw new InvalidArgumentError(undefined, undefined, `${path} is a TFRecord file without a graph (no Event.graph_def or meta_graph_def); ${NOT_A_GRAPH}`);
      return { format, path, nodes: protoGraphDefNodes(g, `the graph_def in ${path}`), warnings };
    }
    default:
      throw new InvalidArgumentError(undefined, undefined, `${path} is not a graph: ${NOT_A_GRAPH}`);
  }
}
