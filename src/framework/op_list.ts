// The op records in the shared format (schema/op_def.fbs, TF's OpList): the build writes
// every registered op's record for the native runtime (tools/gen-op-list.mjs), and a session
// hands the runtime the records of ops registered later (tf.registerOp at run time), so the
// runtime knows each node's inputs and outputs when it imports a graph.
import * as flatbuffers from 'flatbuffers';
import * as fb from '../generated/op_def_generated.js';
import { native } from '../native.js';
import { dtypeToEnum, type DType } from './dtypes.js';
import type { NDArray } from './ndarray.js';
import { type ArgDef, type AttrDef, getOpDef, hasOpDef, type OpDef } from './op_registry.js';
import { ndarrayToBytes } from './tensor_codec.js';
import { TensorShape, type ShapeLike } from './tensor_shape.js';

/** The FlatBuffers bytes (file identifier "TGOL") of these ops' records, in the given order. */
export function serializeOpList(defs: readonly OpDef[]): Uint8Array {
  const b = new flatbuffers.Builder(4096);
  const ops = defs.map((d) => writeOp(b, d));
  const vec = fb.OpList.createOpVector(b, ops);
  fb.OpList.finishOpListBuffer(b, fb.OpList.createOpList(b, vec));
  return b.asUint8Array();
}

function str(b: flatbuffers.Builder, s: string | undefined): number {
  return s ? b.createString(s) : 0;
}

function writeArg(b: flatbuffers.Builder, a: ArgDef): number {
  const name = b.createString(a.name);
  const typeAttr = str(b, a.typeAttr);
  const numberAttr = str(b, a.numberAttr);
  const typeListAttr = str(b, a.typeListAttr);
  return fb.ArgDef.createArgDef(b, name, a.type ? dtypeToEnum(a.type) : 0, typeAttr, numberAttr, typeListAttr, a.isRef ?? false);
}

function writeShape(b: flatbuffers.Builder, s: ShapeLike): number {
  const shape = TensorShape.from(s);
  const dims = shape.dims === null ? 0 : fb.ShapeDefault.createDimsVector(b, shape.dims.map((d) => BigInt(d ?? -1)));
  return fb.ShapeDefault.createShapeDefault(b, dims, shape.dims === null);
}

function writeDefault(b: flatbuffers.Builder, op: string, name: string, { kind, default: v }: AttrDef): number {
  const A = fb.AttrDefault;
  const fail = () => new Error(`op ${op}: attr ${name} (${kind}) has a default the op list cannot record: ${String(v)}`);
  // Children first (FlatBuffers builds bottom-up), then the table.
  let child = 0;
  switch (kind) {
    case 'string': child = b.createString(v as string); break;
    case 'shape': child = writeShape(b, v as ShapeLike); break;
    case 'tensor': {
      const t = v as NDArray;
      if (t.dtype === 'string') throw fail();
      child = fb.TensorDefault.createTensorDefault(b, dtypeToEnum(t.dtype), fb.TensorDefault.createShapeVector(b, t.shape.map(BigInt)),
        fb.TensorDefault.createContentVector(b, ndarrayToBytes(t)));
      break;
    }
    case 'list(string)': child = A.createListSVector(b, (v as string[]).map((s) => b.createString(s))); break;
    case 'list(int)': child = A.createListIVector(b, (v as number[]).map(BigInt)); break;
    case 'list(float)': child = A.createListFVector(b, v as number[]); break;
    case 'list(bool)': child = A.createListBVector(b, v as boolean[]); break;
    case 'list(type)': child = A.createListTypeVector(b, (v as DType[]).map(dtypeToEnum)); break;
    case 'list(shape)': child = A.createListShapeVector(b, (v as ShapeLike[]).map((s) => writeShape(b, s))); break;
    case 'int': case 'float': case 'bool': case 'type': break;
    default: throw fail();
  }
  A.startAttrDefault(b);
  switch (kind) {
    case 'string': A.addS(b, child); break;
    case 'int': A.addI(b, BigInt(v as number)); break;
    case 'float': A.addF(b, v as number); break;
    case 'bool': A.addB(b, v as boolean); break;
    case 'type': A.addType(b, dtypeToEnum(v as DType)); break;
    case 'shape': A.addShape(b, child); break;
    case 'tensor': A.addTensor(b, child); break;
    case 'list(string)': A.addListS(b, child); break;
    case 'list(int)': A.addListI(b, child); break;
    case 'list(float)': A.addListF(b, child); break;
    case 'list(bool)': A.addListB(b, child); break;
    case 'list(type)': A.addListType(b, child); break;
    case 'list(shape)': A.addListShape(b, child); break;
  }
  return A.endAttrDefault(b);
}

function writeAttr(b: flatbuffers.Builder, op: string, name: string, a: AttrDef): number {
  const nameOff = b.createString(name);
  const type = b.createString(a.kind);
  const dflt = a.default === undefined ? 0 : writeDefault(b, op, name, a);
  const allowed = a.allowed ? fb.AttrDef.createAllowedTypesVector(b, a.allowed.map(dtypeToEnum)) : 0;
  fb.AttrDef.startAttrDef(b);
  fb.AttrDef.addName(b, nameOff);
  fb.AttrDef.addType(b, type);
  if (dflt) fb.AttrDef.addDefaultValue(b, dflt);
  if (allowed) fb.AttrDef.addAllowedTypes(b, allowed);
  return fb.AttrDef.endAttrDef(b);
}

function writeOp(b: flatbuffers.Builder, d: OpDef): number {
  const name = b.createString(d.type);
  const inputs = fb.OpDef.createInputArgVector(b, d.inputs.map((a) => writeArg(b, a)));
  const outputs = fb.OpDef.createOutputArgVector(b, d.outputs.map((a) => writeArg(b, a)));
  const attrs = fb.OpDef.createAttrVector(b, Object.entries(d.attrs ?? {}).map(([n, a]) => writeAttr(b, d.type, n, a)));
  return fb.OpDef.createOpDef(b, name, inputs, outputs, attrs, d.stateful ?? false);
}

// Op types the runtime has a record of: the build's list, then what sessions handed over.
let nativeOps: Set<string> | undefined;

/**
 * Hands the runtime the records of these op types that it lacks (ops registered after the
 * build, e.g. by tf.registerOp in user code). Types without a record here are left for the
 * runtime's graph import to reject.
 */
export function ensureNativeOpRecords(types: Iterable<string>): void {
  nativeOps ??= new Set(native().opTypes());
  const missing = new Set<string>();
  for (const t of types) if (!nativeOps.has(t) && hasOpDef(t)) missing.add(t);
  if (missing.size === 0) return;
  native().registerOps(serializeOpList([...missing].map(getOpDef)));
  for (const t of missing) nativeOps.add(t);
}
