// A run's graph event (GraphDef, or a MetaGraphDef's graph_def) as the page draws it: nodes
// with name, op, inputs, device and attrs rendered as short readable strings.
import { decodeGraphDef, decodeMetaGraphDef, protoRoot, type AttrValueObject, type NodeDefObject, type TensorProtoObject, type TensorShapeProtoObject } from '../summary/proto.js';
import type { GraphEvent } from './runs.js';

export interface GraphNodeJson {
  name: string;
  op: string;
  inputs: string[];
  device: string;
  attrs: Record<string, string>;
}

const MAX_VALUES = 10;

/** The graph's nodes (a bad GraphDef throws the decoder's DataLossError). */
export function graphToJson(g: GraphEvent): { nodes: GraphNodeJson[]; step: number; wallTime: number } {
  const def = g.kind === 'meta_graph_def' ? decodeMetaGraphDef(g.bytes).graphDef ?? {} : decodeGraphDef(g.bytes);
  return { nodes: (def.node ?? []).map(nodeJson), step: g.step, wallTime: g.wallTime };
}

/** DataType enum number -> its name ('DT_FLOAT'). */
function dtypeName(n: number | undefined): string {
  return protoRoot().lookupEnum('tensorflow.DataType').valuesById[n ?? 0] ?? `DataType(${n})`;
}

function nodeJson(n: NodeDefObject): GraphNodeJson {
  const attrs: Record<string, string> = {};
  for (const k of Object.keys(n.attr ?? {}).sort()) attrs[k] = attrString(n.attr![k]);
  return { name: n.name ?? '', op: n.op ?? '', inputs: n.input ?? [], device: n.device ?? '', attrs };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function bytesString(b: Uint8Array): string {
  try {
    const s = utf8.decode(b);
    if (!/[\u0000-\u0008\u000e-\u001f]/.test(s)) return JSON.stringify(s.length > 200 ? s.slice(0, 200) + '…' : s);
  } catch { /* binary */ }
  return `<${b.length} bytes>`;
}

function shapeString(s: TensorShapeProtoObject | undefined): string {
  if (!s || s.unknownRank) return '<unknown>';
  return `[${(s.dim ?? []).map((d) => (d.size === undefined || d.size < 0 ? '?' : String(d.size))).join(',')}]`;
}

function listString<T>(xs: T[], f: (x: T) => string): string {
  const shown = xs.slice(0, MAX_VALUES).map(f);
  return `[${shown.join(', ')}${xs.length > MAX_VALUES ? `, … (${xs.length})` : ''}]`;
}

function tensorString(t: TensorProtoObject): string {
  const head = `${dtypeName(t.dtype)} ${shapeString(t.tensorShape)}`;
  const vals = t.floatVal ?? t.doubleVal ?? t.intVal ?? t.int64Val ?? t.boolVal;
  if (vals?.length) return `${head} ${listString<number | boolean>(vals, String)}`;
  if (t.stringVal?.length) return `${head} ${listString(t.stringVal, bytesString)}`;
  if (t.tensorContent?.length) return `${head} <${t.tensorContent.length} bytes>`;
  return head;
}

/** protobufjs leaves unset fields out, so the one field present is the attr's value. */
function attrString(a: AttrValueObject): string {
  if (a.s !== undefined) return bytesString(a.s);
  if (a.i !== undefined) return String(a.i);
  if (a.f !== undefined) return String(a.f);
  if (a.b !== undefined) return String(a.b);
  if (a.type !== undefined) return dtypeName(a.type);
  if (a.shape !== undefined) return shapeString(a.shape);
  if (a.tensor !== undefined) return tensorString(a.tensor);
  if (a.func !== undefined) return `func ${a.func.name ?? ''}`;
  if (a.placeholder !== undefined) return `$${a.placeholder}`;
  const l = a.list ?? {};
  if (l.s?.length) return listString(l.s, bytesString);
  if (l.i?.length) return listString(l.i, String);
  if (l.f?.length) return listString(l.f, String);
  if (l.b?.length) return listString(l.b, String);
  if (l.type?.length) return listString(l.type, dtypeName);
  if (l.shape?.length) return listString(l.shape, shapeString);
  if (l.tensor?.length) return listString(l.tensor, tensorString);
  if (l.func?.length) return listString(l.func, (f) => `func ${f.name ?? ''}`);
  return '[]';
}
