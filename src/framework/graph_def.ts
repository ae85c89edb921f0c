// GraphDef: the serialised graph (schema/graph.fbs). Graph.asGraphDef() produces one,
// importGraphDef() rebuilds ops from one. Buffers from outside are checked by the native
// FlatBuffers verifier before a single field is read; src/native.ts installs it (this module
// does not load the addon).
import * as flatbuffers from 'flatbuffers';
import * as fb from '../generated/graph_generated.js';
import { type DType, dtypeFromEnum, dtypeToEnum } from './dtypes.js';
import { InternalError, InvalidArgumentError, OpError } from './errors.js';
import { NDArray } from './ndarray.js';
import type { AttrKind } from './op_registry.js';
import type { Attr } from './operation.js';
import { bytesToStrings, ndarrayFromBytes, ndarrayToBytes, stringsToBytes } from './tensor_codec.js';
import { TensorShape } from './tensor_shape.js';

/** Checks a buffer's structure (throws on corrupt or truncated bytes). */
export type GraphDefVerifier = (bytes: Uint8Array) => void;

let verifier: GraphDefVerifier | undefined;

/** Installs the FlatBuffers verifier GraphDef.parse runs first (src/native.ts installs the addon's). */
export function setGraphDefVerifier(fn: GraphDefVerifier): void {
  verifier = fn;
}

/** Version of the graphs this library produces (GraphDef.versions.producer). */
export const GRAPH_DEF_VERSION = 1;

export interface NodeDef {
  name: string;
  op: string;
  /** "name", "name:i" or "^name" (control input). */
  input: string[];
  device: string;
  attr: Record<string, Attr>;
}

export class GraphDef {
  node: NodeDef[];
  versions: { producer: number; minConsumer: number };

  constructor(node: NodeDef[] = [], versions = { producer: GRAPH_DEF_VERSION, minConsumer: 0 }) {
    this.node = node;
    this.versions = versions;
  }

  /** The FlatBuffers bytes (file identifier "TGGD"). */
  serialize(): Uint8Array {
    const b = new flatbuffers.Builder(1024 + this.node.length * 128);
    const nodes = this.node.map((n) => writeNode(b, n));
    const nodeVec = fb.GraphDef.createNodeVector(b, nodes);
    const versions = fb.VersionDef.createVersionDef(b, this.versions.producer, this.versions.minConsumer, 0);
    fb.GraphDef.startGraphDef(b);
    fb.GraphDef.addNode(b, nodeVec);
    fb.GraphDef.addVersions(b, versions);
    fb.GraphDef.finishGraphDefBuffer(b, fb.GraphDef.endGraphDef(b));
    return b.asUint8Array();
  }

  /** Parses bytes; the native verifier rejects corrupt or truncated buffers first. */
  static parse(bytes: Uint8Array): GraphDef {
    if (!verifier) throw new InternalError(undefined, undefined, 'GraphDef.parse: no GraphDef verifier installed (src/native.ts installs it)');
    verifier(bytes);
    try {
      const g = fb.GraphDef.getRootAsGraphDef(new flatbuffers.ByteBuffer(bytes));
      const nodes: NodeDef[] = [];
      for (let i = 0; i < g.nodeLength(); i++) nodes.push(readNode(g.node(i)!));
      const v = g.versions();
      return new GraphDef(nodes, { producer: v?.producer() ?? 0, minConsumer: v?.minConsumer() ?? 0 });
    } catch (e) {
      // The verifier vouches for the structure; anything still wrong is bad content.
      throw e instanceof OpError ? e : new InvalidArgumentError(undefined, undefined, `Invalid GraphDef: ${(e as Error).message}`);
    }
  }
}

// ---------- writing ----------

function writeShape(b: flatbuffers.Builder, shape: TensorShape): number {
  const dims = fb.TensorShape.createDimsVector(b, (shape.dims ?? []).map((d) => BigInt(d ?? -1)));
  return fb.TensorShape.createTensorShape(b, dims, shape.dims === null);
}

function writeTensor(b: flatbuffers.Builder, arr: NDArray): number {
  const shape = writeShape(b, new TensorShape(arr.shape));
  let content = 0;
  let strings = 0;
  if (arr.dtype === 'string') {
    const items = stringsToBytes(arr.data as string[]).map((s) => fb.Bytes.createBytes(b, fb.Bytes.createDataVector(b, s)));
    strings = fb.TensorProto.createStringValVector(b, items);
  } else {
    content = fb.TensorProto.createContentVector(b, ndarrayToBytes(arr));
  }
  fb.TensorProto.startTensorProto(b);
  fb.TensorProto.addDtype(b, dtypeToEnum(arr.dtype));
  fb.TensorProto.addShape(b, shape);
  if (content) fb.TensorProto.addContent(b, content);
  if (strings) fb.TensorProto.addStringVal(b, strings);
  return fb.TensorProto.endTensorProto(b);
}

const encoder = new TextEncoder();
const asBytes = (s: string | Uint8Array) => (typeof s === 'string' ? encoder.encode(s) : s);

const KIND: Record<AttrKind, fb.AttrKind> = {
  string: fb.AttrKind.S, int: fb.AttrKind.I, float: fb.AttrKind.F, bool: fb.AttrKind.B,
  type: fb.AttrKind.TYPE, shape: fb.AttrKind.SHAPE, tensor: fb.AttrKind.TENSOR, func: fb.AttrKind.FUNC,
  'list(string)': fb.AttrKind.LIST_S, 'list(int)': fb.AttrKind.LIST_I, 'list(float)': fb.AttrKind.LIST_F,
  'list(bool)': fb.AttrKind.LIST_B, 'list(type)': fb.AttrKind.LIST_TYPE, 'list(shape)': fb.AttrKind.LIST_SHAPE,
  'list(tensor)': fb.AttrKind.LIST_TENSOR,
};
const KIND_NAME = new Map<fb.AttrKind, AttrKind>(Object.entries(KIND).map(([k, v]) => [v, k as AttrKind]));

function writeAttrValue(b: flatbuffers.Builder, { kind, value }: Attr): number {
  // Children first (FlatBuffers builds bottom-up), then the table.
  let child = 0;
  const v = value as never;
  switch (kind) {
    case 'string': child = fb.AttrValue.createSVector(b, asBytes(v)); break;
    case 'shape': child = writeShape(b, v); break;
    case 'tensor': child = writeTensor(b, v); break;
    case 'func': child = fb.NameAttrList.createNameAttrList(b, b.createString(v), 0); break;
    case 'list(string)':
      child = fb.AttrValue.createListSVector(b, (v as (string | Uint8Array)[]).map((s) => fb.Bytes.createBytes(b, fb.Bytes.createDataVector(b, asBytes(s)))));
      break;
    case 'list(int)': child = fb.AttrValue.createListIVector(b, (v as number[]).map((i) => BigInt(i))); break;
    case 'list(float)': child = fb.AttrValue.createListFVector(b, v as number[]); break;
    case 'list(bool)': child = fb.AttrValue.createListBVector(b, v as boolean[]); break;
    case 'list(type)': child = fb.AttrValue.createListTypeVector(b, (v as DType[]).map(dtypeToEnum)); break;
    case 'list(shape)': child = fb.AttrValue.createListShapeVector(b, (v as TensorShape[]).map((s) => writeShape(b, s))); break;
    case 'list(tensor)': child = fb.AttrValue.createListTensorVector(b, (v as NDArray[]).map((t) => writeTensor(b, t))); break;
  }
  fb.AttrValue.startAttrValue(b);
  fb.AttrValue.addKind(b, KIND[kind]);
  switch (kind) {
    case 'string': fb.AttrValue.addS(b, child); break;
    case 'int': fb.AttrValue.addI(b, BigInt(v)); break;
    case 'float': fb.AttrValue.addF(b, v); break;
    case 'bool': fb.AttrValue.addB(b, v); break;
    case 'type': fb.AttrValue.addType(b, dtypeToEnum(v)); break;
    case 'shape': fb.AttrValue.addShape(b, child); break;
    case 'tensor': fb.AttrValue.addTensor(b, child); break;
    case 'func': fb.AttrValue.addFunc(b, child); break;
    case 'list(string)': fb.AttrValue.addListS(b, child); break;
    case 'list(int)': fb.AttrValue.addListI(b, child); break;
    case 'list(float)': fb.AttrValue.addListF(b, child); break;
    case 'list(bool)': fb.AttrValue.addListB(b, child); break;
    case 'list(type)': fb.AttrValue.addListType(b, child); break;
    case 'list(shape)': fb.AttrValue.addListShape(b, child); break;
    case 'list(tensor)': fb.AttrValue.addListTensor(b, child); break;
  }
  return fb.AttrValue.endAttrValue(b);
}

function writeNode(b: flatbuffers.Builder, n: NodeDef): number {
  const name = b.createString(n.name);
  const op = b.createString(n.op);
  const inputs = fb.NodeDef.createInputVector(b, n.input.map((s) => b.createString(s)));
  const device = b.createString(n.device);
  // Sorted keys make the bytes independent of attr insertion order.
  const attrs = Object.keys(n.attr).sort().map((k) => {
    const key = b.createString(k);
    const value = writeAttrValue(b, n.attr[k]);
    fb.Attr.startAttr(b);
    fb.Attr.addKey(b, key);
    fb.Attr.addValue(b, value);
    return fb.Attr.endAttr(b);
  });
  const attrVec = fb.NodeDef.createAttrVector(b, attrs);
  return fb.NodeDef.createNodeDef(b, name, op, inputs, device, attrVec);
}

// ---------- reading ----------

function readShape(s: fb.TensorShape | null): TensorShape {
  if (!s || s.unknownRank()) return TensorShape.unknown();
  const dims: (number | null)[] = [];
  for (let i = 0; i < s.dimsLength(); i++) {
    const d = Number(s.dims(i));
    dims.push(d < 0 ? null : d);
  }
  return new TensorShape(dims);
}

function readBytes(x: fb.Bytes | null): Uint8Array {
  return x?.dataArray() ?? new Uint8Array(0);
}

function readTensor(t: fb.TensorProto | null): NDArray {
  if (!t) throw new InvalidArgumentError(undefined, undefined, 'missing tensor value');
  const dtype = dtypeFromEnum(t.dtype());
  const shape = readShape(t.shape()).asList() as number[];
  if (dtype === 'string') {
    const items: Uint8Array[] = [];
    for (let i = 0; i < t.stringValLength(); i++) items.push(readBytes(t.stringVal(i)));
    return new NDArray('string', shape, bytesToStrings(items));
  }
  return ndarrayFromBytes(dtype, shape, t.contentArray() ?? new Uint8Array(0));
}

const decoder = new TextDecoder();

function readAttrValue(v: fb.AttrValue): Attr {
  const kind = KIND_NAME.get(v.kind());
  if (!kind) throw new InvalidArgumentError(undefined, undefined, `unsupported attr kind ${v.kind()}`);
  const list = <T>(n: number, get: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => get(i));
  switch (kind) {
    case 'string': return { kind, value: decoder.decode(v.sArray() ?? new Uint8Array(0)) };
    case 'int': return { kind, value: Number(v.i()) };
    case 'float': return { kind, value: v.f() };
    case 'bool': return { kind, value: v.b() };
    case 'type': return { kind, value: dtypeFromEnum(v.type()) };
    case 'shape': return { kind, value: readShape(v.shape()) };
    case 'tensor': return { kind, value: readTensor(v.tensor()) };
    case 'func': return { kind, value: String(v.func()?.name() ?? '') };
    case 'list(string)': return { kind, value: list(v.listSLength(), (i) => decoder.decode(readBytes(v.listS(i)))) };
    case 'list(int)': return { kind, value: list(v.listILength(), (i) => Number(v.listI(i))) };
    case 'list(float)': return { kind, value: list(v.listFLength(), (i) => v.listF(i)!) };
    case 'list(bool)': return { kind, value: list(v.listBLength(), (i) => !!v.listB(i)) };
    case 'list(type)': return { kind, value: list(v.listTypeLength(), (i) => dtypeFromEnum(v.listType(i)!)) };
    case 'list(shape)': return { kind, value: list(v.listShapeLength(), (i) => readShape(v.listShape(i))) };
    case 'list(tensor)': return { kind, value: list(v.listTensorLength(), (i) => readTensor(v.listTensor(i))) };
  }
}

function readNode(n: fb.NodeDef): NodeDef {
  const input: string[] = [];
  for (let i = 0; i < n.inputLength(); i++) input.push(String(n.input(i)));
  const attr: Record<string, Attr> = {};
  for (let i = 0; i < n.attrLength(); i++) {
    const a = n.attr(i)!;
    attr[String(a.key())] = readAttrValue(a.value()!);
  }
  return { name: String(n.name()), op: String(n.op()), input, device: String(n.device() ?? ''), attr };
}
