// A run's graph event (GraphDef, or a MetaGraphDef's graph_def) as the page draws it: nodes
// with name, op, inputs, device and attrs rendered as short readable strings.
import { toObjectOptions } from './event_reader.js';
import { viewerTypes } from './proto.js';
import type { GraphEvent } from './runs.js';

export interface GraphNodeJson {
  name: string;
  op: string;
  inputs: string[];
  device: string;
  attrs: Record<string, string>;
}

interface ShapeData { dim?: { size?: number; name?: string }[]; unknownRank?: boolean }
interface TensorData {
  dtype?: string; tensorShape?: ShapeData; tensorContent?: Uint8Array;
  floatVal?: number[]; doubleVal?: number[]; intVal?: number[]; int64Val?: number[]; boolVal?: boolean[]; stringVal?: Uint8Array[];
}
interface AttrData {
  value?: string; s?: Uint8Array; i?: number; f?: number; b?: boolean; type?: string; shape?: ShapeData; tensor?: TensorData;
  list?: { s?: Uint8Array[]; i?: number[]; f?: number[]; b?: boolean[]; type?: string[]; shape?: ShapeData[]; tensor?: TensorData[] };
  func?: { name?: string }; placeholder?: string;
}
interface NodeData { name?: string; op?: string; input?: string[]; device?: string; attr?: Record<string, AttrData> }

const MAX_VALUES = 10;

export function graphToJson(g: GraphEvent): { nodes: GraphNodeJson[]; step: number; wallTime: number } {
  const { GraphDef, MetaGraphDef } = viewerTypes();
  let bytes = g.bytes;
  if (g.kind === 'meta_graph_def') {
    const meta = MetaGraphDef.toObject(MetaGraphDef.decode(bytes), toObjectOptions) as { graphDef?: unknown };
    const nodes = ((meta.graphDef ?? {}) as { node?: NodeData[] }).node ?? [];
    return { nodes: nodes.map(nodeJson), step: g.step, wallTime: g.wallTime };
  }
  const def = GraphDef.toObject(GraphDef.decode(bytes), toObjectOptions) as { node?: NodeData[] };
  return { nodes: (def.node ?? []).map(nodeJson), step: g.step, wallTime: g.wallTime };
}

function nodeJson(n: NodeData): GraphNodeJson {
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

function shapeString(s: ShapeData | undefined): string {
  if (!s || s.unknownRank) return '<unknown>';
  return `[${(s.dim ?? []).map((d) => (d.size === undefined || d.size < 0 ? '?' : String(d.size))).join(',')}]`;
}

function listString<T>(xs: T[], f: (x: T) => string): string {
  const shown = xs.slice(0, MAX_VALUES).map(f);
  return `[${shown.join(', ')}${xs.length > MAX_VALUES ? `, … (${xs.length})` : ''}]`;
}

function tensorString(t: TensorData): string {
  const head = `${t.dtype ?? 'DT_INVALID'} ${shapeString(t.tensorShape)}`;
  const vals = t.floatVal ?? t.doubleVal ?? t.intVal ?? t.int64Val ?? t.boolVal;
  if (vals?.length) return `${head} ${listString<number | boolean>(vals, String)}`;
  if (t.stringVal?.length) return `${head} ${listString(t.stringVal, bytesString)}`;
  if (t.tensorContent?.length) return `${head} <${t.tensorContent.length} bytes>`;
  return head;
}

function attrString(a: AttrData): string {
  switch (a.value) {
    case 's': return bytesString(a.s ?? new Uint8Array());
    case 'i': return String(a.i ?? 0);
    case 'f': return String(a.f ?? 0);
    case 'b': return String(a.b ?? false);
    case 'type': return a.type ?? 'DT_INVALID';
    case 'shape': return shapeString(a.shape);
    case 'tensor': return tensorString(a.tensor ?? {});
    case 'func': return `func ${a.func?.name ?? ''}`;
    case 'placeholder': return `$${a.placeholder ?? ''}`;
    case 'list': {
      const l = a.list ?? {};
      if (l.s?.length) return listString(l.s, bytesString);
      if (l.i?.length) return listString(l.i, String);
      if (l.f?.length) return listString(l.f, String);
      if (l.b?.length) return listString(l.b, String);
      if (l.type?.length) return listString(l.type, String);
      if (l.shape?.length) return listString(l.shape, shapeString);
      if (l.tensor?.length) return listString(l.tensor, tensorString);
      return '[]';
    }
    default: return '';
  }
}
