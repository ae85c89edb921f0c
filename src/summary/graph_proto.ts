// Our graphs as TensorFlow's protobuf GraphDef / MetaGraphDef (what TensorBoard's Graphs tab
// and TF itself read). Our own serialized form stays the FlatBuffers GraphDef
// (src/framework/graph_def.ts); this is the one translation to TF's wire format.
import { type DType, dtypeToEnum } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { Graph } from '../framework/graph.js';
import { GraphDef, type NodeDef } from '../framework/graph_def.js';
import type { NDArray } from '../framework/ndarray.js';
import type { Attr } from '../framework/operation.js';
import { ndarrayToBytes, stringsToBytes } from '../framework/tensor_codec.js';
import { TensorShape, type ShapeLike } from '../framework/tensor_shape.js';
import type { MetaGraphDef } from '../train/meta_graph.js';
import {
  type AttrValueObject, encodeGraphDef, encodeMetaGraphDef, type GraphDefObject, type MetaGraphDefObject,
  type NodeDefObject, type TensorProtoObject, type TensorShapeProtoObject,
} from './proto.js';

const utf8 = new TextEncoder();
const bytesOf = (s: unknown): Uint8Array => (s instanceof Uint8Array ? s : utf8.encode(String(s)));

export function shapeProto(shape: ShapeLike): TensorShapeProtoObject {
  const s = TensorShape.from(shape);
  if (s.dims === null) return { unknownRank: true };
  return { dim: s.dims.map((d) => ({ size: d ?? -1 })) };
}

/** A tensor value as TF writes constants: packed little-endian tensor_content, or string_val. */
export function tensorProto(arr: NDArray): TensorProtoObject {
  const t: TensorProtoObject = { dtype: dtypeToEnum(arr.dtype), tensorShape: shapeProto([...arr.shape]) };
  if (arr.dtype === 'string') t.stringVal = stringsToBytes(arr.data as string[]);
  else t.tensorContent = ndarrayToBytes(arr);
  return t;
}

/** One attr value; `kind` says which AttrValue field (or ListValue list) carries it. */
export function attrValueProto({ kind, value }: Attr): AttrValueObject {
  const v = value as never;
  switch (kind) {
    case 'string': return { s: bytesOf(v) };
    case 'int': return { i: Number(v) };
    case 'float': return { f: v };
    case 'bool': return { b: v };
    case 'type': return { type: dtypeToEnum(v) };
    case 'shape': return { shape: shapeProto(v) };
    case 'tensor': return { tensor: tensorProto(v) };
    case 'func': return { func: { name: String(v) } };
    case 'list(string)': return { list: { s: (v as unknown[]).map(bytesOf) } };
    case 'list(int)': return { list: { i: (v as number[]).map(Number) } };
    case 'list(float)': return { list: { f: [...(v as number[])] } };
    case 'list(bool)': return { list: { b: [...(v as boolean[])] } };
    case 'list(type)': return { list: { type: (v as DType[]).map(dtypeToEnum) } };
    case 'list(shape)': return { list: { shape: (v as ShapeLike[]).map(shapeProto) } };
    case 'list(tensor)': return { list: { tensor: (v as NDArray[]).map(tensorProto) } };
  }
  throw new InvalidArgumentError(undefined, undefined, `attr of unknown kind '${String(kind)}'`);
}

function nodeProto(n: NodeDef): NodeDefObject {
  const attr: Record<string, AttrValueObject> = {};
  for (const k of Object.keys(n.attr).sort()) attr[k] = attrValueProto(n.attr[k]);
  return { name: n.name, op: n.op, input: [...n.input], device: n.device, attr };
}

export interface GraphDefProtoOptions {
  /**
   * Add each node's `_output_shapes` (the static shapes of its outputs), as TF1's FileWriter
   * does (`as_graph_def(add_shapes=True)`): TensorBoard labels edges with them. Only for a
   * Graph (a GraphDef has no shapes). Default true.
   */
  addShapes?: boolean;
}

/** A Graph or our GraphDef as a tensorflow.GraphDef (every node, input, device and attr). */
export function graphDefProto(graph: Graph | GraphDef, options: GraphDefProtoOptions = {}): GraphDefObject {
  if (!(graph instanceof Graph) && !(graph instanceof GraphDef)) {
    throw new InvalidArgumentError(undefined, undefined, `Expected a tf.Graph or tf.GraphDef, got ${String(graph)}`);
  }
  const def = graph instanceof Graph ? graph.asGraphDef() : graph;
  const node = def.node.map(nodeProto);
  if (graph instanceof Graph && (options.addShapes ?? true)) {
    for (const n of node) {
      if (n.attr!._output_shapes) continue;
      const op = graph.getOperationByName(n.name!);
      if (op.outputs.length > 0) n.attr!._output_shapes = { list: { shape: op.outputs.map((t) => shapeProto(t.shape)) } };
    }
  }
  return { node, versions: { producer: def.versions.producer, minConsumer: def.versions.minConsumer } };
}

/** The serialized tensorflow.GraphDef of a Graph or our GraphDef. */
export function serializeGraphDefProto(graph: Graph | GraphDef, options: GraphDefProtoOptions = {}): Uint8Array {
  return encodeGraphDef(graphDefProto(graph, options));
}

/**
 * Our MetaGraphDef (tf.train.exportMetaGraph) as a serialized tensorflow.MetaGraphDef:
 * meta_info_def, graph_def and saver_def (collections are not carried: TensorBoard does not
 * read them, and variable collections need TF's VariableDef inside google.protobuf.Any).
 */
export function serializeMetaGraphDefProto(meta: MetaGraphDef): Uint8Array {
  const info = meta.metaInfoDef ?? {};
  const out: MetaGraphDefObject = {
    metaInfoDef: {
      metaGraphVersion: info.metaGraphVersion, tags: info.tags, tensorflowVersion: info.tensorflowVersion,
      tensorflowGitVersion: info.tensorflowGitVersion, strippedDefaultAttrs: info.strippedDefaultAttrs,
    },
    graphDef: graphDefProto(meta.graphDef),
  };
  if (meta.saverDef) out.saverDef = { ...meta.saverDef };
  return encodeMetaGraphDef(out);
}

/** A MetaGraphDef holding just a graph (what TF1's FileWriter writes beside the graph). */
export function serializeGraphAsMetaGraphDefProto(graph: Graph | GraphDef, tensorflowVersion: string): Uint8Array {
  return encodeMetaGraphDef({ metaInfoDef: { tensorflowVersion }, graphDef: graphDefProto(graph) });
}
