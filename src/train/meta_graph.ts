// Meta graphs (TF1's framework/meta_graph.py + saver.py's export_meta_graph): a graph
// with its SaverDef and collections, stored as a schema/meta_graph.fbs buffer ("TGMG").
// Collections are stored by what their items are: tensors and operations by name, variables
// as VariableDefs (the names of their nodes), strings, integers and floats as values;
// importing rebuilds them over the imported nodes, variables as Variable objects.
// (tf.train.importMetaGraph, which returns a Saver, is in saver.ts as in TF1's saver.py.)
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as flatbuffers from 'flatbuffers';

import { GraphKeys } from '../framework/collections.js';
import { DataLossError, NotFoundError, OpError } from '../framework/errors.js';
import { getDefaultGraph, type Graph } from '../framework/graph.js';
import '../native.js'; // installs GraphDef.parse's verifier
import { GraphDef } from '../framework/graph_def.js';
import { importGraphDef } from '../framework/importer.js';
import { Operation } from '../framework/operation.js';
import { Tensor } from '../framework/tensor.js';
import * as fb from '../generated/meta_graph_generated.js';
import { Variable, type VariableDef } from '../ops/variables.js';
import { atomicWriteFile } from './checkpoint_state.js';

/** Written as meta_info_def.tensorflow_version: the TF API level this library follows, and itself. */
export const META_GRAPH_PRODUCER = '1.15-tensorgraph-0.1.0';

export interface MetaInfoDef {
  metaGraphVersion?: string;
  tags?: string[];
  tensorflowVersion?: string;
  tensorflowGitVersion?: string;
  strippedDefaultAttrs?: boolean;
}

/** The names of a Saver's ops and its settings (TF1's SaverDef). */
export interface SaverDef {
  /** Tensor fed with the checkpoint prefix ("save/Const:0"). */
  filenameTensorName: string;
  /** Tensor fetched to save ("save/control_dependency:0"). */
  saveTensorName: string;
  /** Op run to restore ("save/restore_all"). */
  restoreOpName: string;
  maxToKeep: number;
  sharded: boolean;
  keepCheckpointEveryNHours: number;
  /** Checkpoint format (2: V2). */
  version: number;
}

/** One collection (TF1's CollectionDef): exactly one of the lists. */
export type CollectionDef =
  | { nodeList: string[] }
  | { bytesList: string[] }
  | { int64List: number[] }
  | { floatList: number[] }
  | { variableList: VariableDef[] };

export interface MetaGraphDef {
  metaInfoDef: MetaInfoDef;
  graphDef: GraphDef;
  saverDef?: SaverDef;
  /** Collections by name. */
  collectionDef: Record<string, CollectionDef>;
}

// ---------- collections -> CollectionDef ----------

const isNodeLike = (x: unknown) => x instanceof Tensor || x instanceof Operation;

/** A collection's CollectionDef, or undefined when its items cannot be stored (TF1 skips those with a warning). */
function collectionDefOf(key: string, items: readonly unknown[]): CollectionDef | undefined {
  if (items.length === 0) return undefined;
  if (items.every((x) => x instanceof Variable)) return { variableList: (items as Variable[]).map((v) => v.toProto()) };
  if (items.every(isNodeLike)) return { nodeList: (items as (Tensor | Operation)[]).map((x) => x.name) };
  if (items.every((x) => typeof x === 'string')) return { bytesList: [...(items as string[])] };
  // JS has one number type: all integers make an int64_list, anything else a float_list.
  if (items.every((x) => typeof x === 'bigint' || (typeof x === 'number' && Number.isSafeInteger(x)))) {
    return { int64List: (items as (number | bigint)[]).map(Number) };
  }
  if (items.every((x) => typeof x === 'number')) return { floatList: [...(items as number[])] };
  console.warn(`Issue encountered when serializing: ${key}. Only tensors, operations, variables, strings and numbers are stored; the collection is skipped.`);
  return undefined;
}

// ---------- export ----------

export interface ExportMetaGraphOptions {
  /** The graph (default: the default graph). */
  graph?: Graph;
  /** Use this GraphDef instead of the graph's. */
  graphDef?: GraphDef;
  saverDef?: SaverDef;
  metaInfoDef?: MetaInfoDef;
  /** Collections to store (default: all, except internal ones whose names start with "__"). */
  collectionList?: readonly string[];
  /** Drop the nodes' device placements, for portability. */
  clearDevices?: boolean;
}

/**
 * tf.train.exportMetaGraph(filename?, {graph, saverDef, collectionList, ...}): the graph, its
 * SaverDef and collections as a MetaGraphDef, written to `filename` (atomically) when given.
 */
export function exportMetaGraph(filename?: string, options: ExportMetaGraphOptions = {}): MetaGraphDef {
  const graph = options.graph ?? getDefaultGraph();
  let graphDef = options.graphDef ?? graph.asGraphDef();
  if (options.clearDevices) graphDef = new GraphDef(graphDef.node.map((n) => ({ ...n, device: '' })), graphDef.versions);
  const keys = options.collectionList ?? graph.getAllCollectionKeys().filter((k) => !k.startsWith('__'));
  const collectionDef: Record<string, CollectionDef> = {};
  for (const key of keys) {
    const def = collectionDefOf(key, graph.getCollection(key));
    if (def) collectionDef[key] = def;
  }
  const meta: MetaGraphDef = {
    metaInfoDef: { ...options.metaInfoDef, tensorflowVersion: META_GRAPH_PRODUCER, tensorflowGitVersion: 'unknown' },
    graphDef,
    saverDef: options.saverDef ? { ...options.saverDef } : undefined,
    collectionDef,
  };
  if (filename) writeFileAtomic(filename, serializeMetaGraph(meta));
  return meta;
}

/** Writes via a synced temporary file renamed into place, creating the directory first. */
function writeFileAtomic(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  atomicWriteFile(path, bytes);
}

// ---------- FlatBuffers ----------

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The MetaGraphDef as schema/meta_graph.fbs bytes (file identifier "TGMG"). */
export function serializeMetaGraph(meta: MetaGraphDef): Uint8Array {
  const graphBytes = meta.graphDef.serialize();
  const b = new flatbuffers.Builder(graphBytes.length + 4096);
  const str = (s: string | undefined) => (s ? b.createString(s) : 0);

  const info = meta.metaInfoDef;
  const tags = fb.MetaInfoDef.createTagsVector(b, (info.tags ?? []).map((t) => b.createString(t)));
  const infoOff = fb.MetaInfoDef.createMetaInfoDef(b, str(info.metaGraphVersion), tags, str(info.tensorflowVersion),
    str(info.tensorflowGitVersion), info.strippedDefaultAttrs ?? false);

  const graphOff = fb.MetaGraphDef.createGraphDefVector(b, graphBytes);

  let saverOff = 0;
  const s = meta.saverDef;
  if (s) {
    saverOff = fb.SaverDef.createSaverDef(b, str(s.filenameTensorName), str(s.saveTensorName), str(s.restoreOpName),
      s.maxToKeep, s.sharded, s.keepCheckpointEveryNHours, s.version as fb.CheckpointFormatVersion);
  }

  // Sorted by name: the bytes do not depend on the order collections were created in.
  const collections = Object.keys(meta.collectionDef).sort().map((name) => writeCollection(b, name, meta.collectionDef[name]));
  const collOff = fb.MetaGraphDef.createCollectionsVector(b, collections);

  fb.MetaGraphDef.startMetaGraphDef(b);
  fb.MetaGraphDef.addMetaInfoDef(b, infoOff);
  fb.MetaGraphDef.addGraphDef(b, graphOff);
  if (saverOff) fb.MetaGraphDef.addSaverDef(b, saverOff);
  fb.MetaGraphDef.addCollections(b, collOff);
  fb.MetaGraphDef.finishMetaGraphDefBuffer(b, fb.MetaGraphDef.endMetaGraphDef(b));
  return b.asUint8Array();
}

function writeCollection(b: flatbuffers.Builder, name: string, def: CollectionDef): number {
  const nameOff = b.createString(name);
  let kind = fb.CollectionKind.NONE;
  let nodes = 0;
  let bytes = 0;
  let ints = 0;
  let floats = 0;
  let vars = 0;
  if ('nodeList' in def) {
    kind = fb.CollectionKind.NODE_LIST;
    nodes = fb.CollectionDef.createNodeListVector(b, def.nodeList.map((n) => b.createString(n)));
  } else if ('bytesList' in def) {
    kind = fb.CollectionKind.BYTES_LIST;
    bytes = fb.CollectionDef.createBytesListVector(b, def.bytesList.map((x) =>
      fb.CollectionBytes.createCollectionBytes(b, fb.CollectionBytes.createDataVector(b, encoder.encode(x)))));
  } else if ('int64List' in def) {
    kind = fb.CollectionKind.INT64_LIST;
    ints = fb.CollectionDef.createInt64ListVector(b, def.int64List.map((x) => BigInt(x)));
  } else if ('floatList' in def) {
    kind = fb.CollectionKind.FLOAT_LIST;
    floats = fb.CollectionDef.createFloatListVector(b, def.floatList);
  } else {
    kind = fb.CollectionKind.VARIABLE_LIST;
    vars = fb.CollectionDef.createVariableListVector(b, def.variableList.map((v) => fb.VariableDef.createVariableDef(b,
      b.createString(v.variableName), v.initialValueName ? b.createString(v.initialValueName) : 0,
      b.createString(v.initializerName), b.createString(v.snapshotName), v.trainable ?? true, v.isResource ?? false)));
  }
  return fb.CollectionDef.createCollectionDef(b, nameOff, kind, nodes, bytes, ints, floats, vars);
}

/**
 * Parses schema/meta_graph.fbs bytes. There is no FlatBuffers verifier in TypeScript, so
 * every vector length is checked against the buffer size (a corrupt length must not make a
 * reader loop for billions of elements) and anything unreadable is DataLoss; the nested
 * GraphDef goes through the native verifier.
 */
export function parseMetaGraph(bytes: Uint8Array, source = 'meta graph'): MetaGraphDef {
  const bb = new flatbuffers.ByteBuffer(bytes);
  if (bytes.length < 8 || !fb.MetaGraphDef.bufferHasIdentifier(bb)) {
    throw new DataLossError(undefined, undefined, `Cannot parse ${source}: not a meta graph (file identifier "TGMG" missing)`);
  }
  try {
    const m = fb.MetaGraphDef.getRootAsMetaGraphDef(bb);
    const count = (n: number) => {
      if (!(n >= 0 && n <= bytes.length)) throw new Error(`vector length ${n} exceeds the buffer`);
      return n;
    };
    const list = <T>(n: number, get: (i: number) => T): T[] => Array.from({ length: count(n) }, (_, i) => get(i));
    const s = (x: string | null) => x ?? '';

    const info = m.metaInfoDef();
    const metaInfoDef: MetaInfoDef = {
      metaGraphVersion: s(info?.metaGraphVersion() ?? null),
      tags: info ? list(info.tagsLength(), (i) => s(info.tags(i))) : [],
      tensorflowVersion: s(info?.tensorflowVersion() ?? null),
      tensorflowGitVersion: s(info?.tensorflowGitVersion() ?? null),
      strippedDefaultAttrs: info?.strippedDefaultAttrs() ?? false,
    };
    const graphBytes = m.graphDefArray();
    if (!graphBytes) throw new Error('it has no graph_def');
    const graphDef = GraphDef.parse(graphBytes);

    const sd = m.saverDef();
    const saverDef: SaverDef | undefined = sd ? {
      filenameTensorName: s(sd.filenameTensorName()),
      saveTensorName: s(sd.saveTensorName()),
      restoreOpName: s(sd.restoreOpName()),
      maxToKeep: sd.maxToKeep(),
      sharded: sd.sharded(),
      keepCheckpointEveryNHours: sd.keepCheckpointEveryNHours(),
      version: sd.version(),
    } : undefined;

    const collectionDef: Record<string, CollectionDef> = {};
    for (let i = 0; i < count(m.collectionsLength()); i++) {
      const c = m.collections(i)!;
      const name = s(c.name());
      switch (c.kind()) {
        case fb.CollectionKind.NODE_LIST:
          collectionDef[name] = { nodeList: list(c.nodeListLength(), (k) => s(c.nodeList(k))) };
          break;
        case fb.CollectionKind.BYTES_LIST:
          collectionDef[name] = { bytesList: list(c.bytesListLength(), (k) => decoder.decode(c.bytesList(k)?.dataArray() ?? new Uint8Array(0))) };
          break;
        case fb.CollectionKind.INT64_LIST:
          collectionDef[name] = { int64List: list(c.int64ListLength(), (k) => Number(c.int64List(k))) };
          break;
        case fb.CollectionKind.FLOAT_LIST:
          collectionDef[name] = { floatList: list(c.floatListLength(), (k) => c.floatList(k)!) };
          break;
        case fb.CollectionKind.VARIABLE_LIST:
          collectionDef[name] = {
            variableList: list(c.variableListLength(), (k) => {
              const v = c.variableList(k)!;
              return {
                variableName: s(v.variableName()),
                initialValueName: v.initialValueName() ?? undefined,
                initializerName: s(v.initializerName()),
                snapshotName: s(v.snapshotName()),
                trainable: v.trainable(),
                isResource: v.isResource(),
              };
            }),
          };
          break;
        default:
          // TF1: "Cannot identify data type for collection %s. Skipping."
          break;
      }
    }
    return { metaInfoDef, graphDef, saverDef, collectionDef };
  } catch (e) {
    if (e instanceof OpError) throw e;
    throw new DataLossError(undefined, undefined, `Cannot parse ${source}: ${(e as Error).message}`);
  }
}

/** Reads a meta graph file (TF1's read_meta_graph_file). */
export function readMetaGraphFile(filename: string): MetaGraphDef {
  if (!existsSync(filename)) throw new NotFoundError(undefined, undefined, `File ${filename} does not exist.`);
  return parseMetaGraph(readFileSync(filename), `file ${filename}`);
}

// ---------- import ----------

/** TF1's prepend_name_scope: "x" -> "scope/x", also inside "^x" and "loc:@x". */
export function prependNameScope(name: string, importScope: string | undefined): string {
  if (!importScope) return name;
  const scope = importScope.endsWith('/') ? importScope.slice(0, -1) : importScope;
  return name.replace(/^([\^]|loc:@|)(.*)$/s, `$1${scope}/$2`);
}

export interface ImportMetaGraphOptions {
  /** Name scope the nodes (and collection items) are imported under; uniquified. */
  importScope?: string;
  /** Drop the nodes' device placements. */
  clearDevices?: boolean;
  /** Which collections to restore (default all). */
  restoreCollectionsPredicate?: (key: string) => boolean;
}

/**
 * Imports a meta graph's nodes and collections into the default graph (TF1's
 * import_scoped_meta_graph). Returns the imported global variables by name (without the scope).
 */
export function importScopedMetaGraph(metaGraph: string | MetaGraphDef, options: ImportMetaGraphOptions = {}): {
  varList: Map<string, Variable>;
  scope: string;
} {
  const meta = typeof metaGraph === 'string' ? readMetaGraphFile(metaGraph) : metaGraph;
  const graph = getDefaultGraph();
  let graphDef = meta.graphDef;
  if (options.clearDevices) graphDef = new GraphDef(graphDef.node.map((n) => ({ ...n, device: '' })), graphDef.versions);
  const scope = graph.uniqueName(options.importScope ?? '', false);
  importGraphDef(graphDef, { name: scope });

  // TRAINABLE_VARIABLES first, then the others by name (TF1's order).
  const keys = Object.keys(meta.collectionDef).sort();
  const order = keys.includes(GraphKeys.TRAINABLE_VARIABLES)
    ? [GraphKeys.TRAINABLE_VARIABLES as string, ...keys.filter((k) => k !== GraphKeys.TRAINABLE_VARIABLES)] : keys;
  const variables = new Map<string, Variable>();
  const restore = options.restoreCollectionsPredicate ?? (() => true);
  for (const key of order) {
    if (!restore(key)) continue;
    const def = meta.collectionDef[key];
    const items: unknown[] = [];
    if ('variableList' in def) {
      for (const v of def.variableList) {
        // One Variable object per variable, whichever collections it is in.
        let variable = variables.get(v.variableName);
        if (!variable) {
          variable = new Variable(undefined, { variableDef: {
            variableName: prependNameScope(v.variableName, scope),
            initializerName: prependNameScope(v.initializerName, scope),
            snapshotName: prependNameScope(v.snapshotName, scope),
            initialValueName: v.initialValueName ? prependNameScope(v.initialValueName, scope) : undefined,
            trainable: v.trainable,
            isResource: v.isResource,
          } });
          variables.set(v.variableName, variable);
        }
        items.push(variable);
      }
    } else if ('nodeList' in def) {
      for (const n of def.nodeList) items.push(graph.asGraphElement(prependNameScope(n, scope)));
    } else if ('bytesList' in def) {
      items.push(...def.bytesList.map((x) => prependNameScope(x, scope)));
    } else if ('int64List' in def) {
      items.push(...def.int64List);
    } else {
      items.push(...def.floatList);
    }
    for (const x of items) graph.addToCollection(key, x);
  }

  const varList = new Map<string, Variable>();
  const prefix = scope ? `${scope}/` : '';
  for (const v of graph.getCollection<Variable>(GraphKeys.GLOBAL_VARIABLES, scope || undefined)) {
    if (v instanceof Variable) varList.set(v.name.startsWith(prefix) ? v.name.slice(prefix.length) : v.name, v);
  }
  return { varList, scope };
}

