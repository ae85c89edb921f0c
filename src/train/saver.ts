// tf.train.Saver (TF1's training/saver.py, V2 checkpoints). The constructor builds, under the
// name scope "save", the ops that write and read the variables:
//   save/filename/input, save/filename, save/Const   the checkpoint prefix, fed at run time
//   save/SaveV2 (+ /tensor_names, /shape_and_slices) writes every variable under its op name
//   save/control_dependency                          the prefix, after SaveV2 ran
//   save/RestoreV2 (on /device:CPU:0)                reads them back
//   save/Assign, save/Assign_1, ...                  one per variable
//   save/restore_all                                 groups the assigns
// save() and restore() run those ops; the Saver also keeps the `checkpoint` state file, the
// list of recent checkpoints (deleting those beyond maxToKeep) and writes P.meta beside P.
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import type { Session } from '../client/session.js';
import { GraphKeys } from '../framework/collections.js';
import type { DType } from '../framework/dtypes.js';
import { InvalidArgumentError, NotFoundError, OpError, errorClassForCode } from '../framework/errors.js';
import { getDefaultGraph, type Graph } from '../framework/graph.js';
import type { NDArray } from '../framework/ndarray.js';
import { applyOp, convertToTensor } from '../framework/op_builder.js';
import { Operation } from '../framework/operation.js';
import { Tensor } from '../framework/tensor.js';
import { TensorShape } from '../framework/tensor_shape.js';
import { placeholderWithDefault } from '../ops/array_ops.js';
import { group, withDependencies } from '../ops/control_flow_ops.js';
import '../ops/io_ops.js';
import { assign } from '../ops/state_ops.js';
import { updateCheckpointState } from './checkpoint_state.js';
import { checkpointExists, listVariables } from './checkpoint_utils.js';
import {
  exportMetaGraph, type ExportMetaGraphOptions, importScopedMetaGraph, type ImportMetaGraphOptions, type MetaGraphDef,
  prependNameScope, readMetaGraphFile, type SaverDef,
} from './meta_graph.js';

// TF's SaverDef.CheckpointFormatVersion: only V2 is written.
const CHECKPOINT_V2 = 2;

// Op types whose output is a variable (TF1's _VARIABLE_OPS).
const VARIABLE_OPS = new Set(['Variable', 'VariableV2', 'AutoReloadVariable', 'VarHandleOp', 'ReadVariableOp']);

/** One tensor a saveable writes: under checkpoint key `name` (TF1's SaveSpec). */
export interface SaveSpec {
  tensor: Tensor;
  name: string;
  /** "" for a whole tensor (slices are not supported). */
  sliceSpec: string;
  dtype: DType;
}

/**
 * Something a Saver can save and restore (TF1's SaveableObject): the tensors it writes and
 * an op restoring it from the tensors read back. Items of the SAVEABLE_OBJECTS collection.
 */
export interface SaveableObject {
  /** What is saved (at most one saveable per op). */
  op: Tensor | Operation | undefined;
  specs: SaveSpec[];
  name: string;
  restore(restoredTensors: Tensor[], restoredShapes: Tensor[] | undefined): Tensor | Operation;
}

function isSaveable(x: unknown): x is SaveableObject {
  const s = x as SaveableObject | null;
  return !!s && typeof s === 'object' && !(s instanceof Tensor) && Array.isArray(s.specs) &&
    typeof s.restore === 'function' && typeof s.name === 'string';
}

/** A reference variable (TF1's ReferenceVariableSaveable): saved as is, restored by an Assign. */
class ReferenceVariableSaveable implements SaveableObject {
  readonly specs: SaveSpec[];

  constructor(readonly op: Tensor, readonly name: string) {
    this.specs = [{ tensor: op, name, sliceSpec: '', dtype: op.dtype }];
  }

  restore(restored: Tensor[]): Tensor {
    return assign(this.op, restored[0], { validateShape: this.op.shape.isFullyDefined() });
  }
}

/** What a Saver saves: variables (or their reference tensors) and saveable objects. */
export type Saveable = Tensor | SaveableObject;
export type VarList = readonly Saveable[] | Readonly<Record<string, Saveable>> | ReadonlyMap<string, Saveable>;

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The variable reference behind `v`, or a TypeError (TF1's _tensor_comes_from_variable check). */
function variableRef(v: unknown, what: string): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${what}: ${String(v)}`);
  const t = convertToTensor(v, { asRef: true });
  if (!VARIABLE_OPS.has(t.op.type)) throw new TypeError(`${what}: ${t.toString()}`);
  return t;
}

/** A list of variables as {checkpoint key: variable}, keys being op names (TF1's op_list_to_dict). */
function opListToDict(list: readonly Saveable[]): Map<string, Saveable> {
  if (!Array.isArray(list)) throw new TypeError(`Variables to save should be passed in a dict or a list: ${String(list)}`);
  // Sorting by name makes the graph built from it deterministic.
  const sorted = [...list].sort((a, b) => byString(String(a?.name), String(b?.name)));
  const out = new Map<string, Saveable>();
  for (const v of sorted) {
    if (isSaveable(v)) {
      out.set(v.name, v);
      continue;
    }
    const ref = variableRef(v, 'Variable to save is not a Variable');
    const name = ref.op.type === 'ReadVariableOp' ? ref.op.inputs[0].op.name : ref.op.name;
    if (out.has(name)) throw new InvalidArgumentError(undefined, undefined, `At least two variables have the same name: ${name}`);
    out.set(name, ref);
  }
  return out;
}

/** Saveable objects in key order, each op at most once (TF1's _ValidateAndSliceInputs). */
function validateAndSliceInputs(varList: VarList): SaveableObject[] {
  const dict = Array.isArray(varList) ? opListToDict(varList as readonly Saveable[])
    : varList instanceof Map ? new Map(varList) : new Map(Object.entries(varList as Record<string, Saveable>));
  const saveables: SaveableObject[] = [];
  const seen = new Set<unknown>();
  for (const [name, op] of [...dict].sort(([a], [b]) => byString(a, b))) {
    let saveable: SaveableObject;
    if (isSaveable(op)) {
      saveable = op;
    } else {
      const ref = variableRef(op, 'names_to_saveables must be a dict mapping string names to Tensors/Variables. Not a variable');
      if (ref.op.type === 'VarHandleOp' || ref.op.type === 'ReadVariableOp') {
        throw new TypeError(`Saving resource variables is not supported: ${ref.toString()}`);
      }
      saveable = new ReferenceVariableSaveable(ref, name);
    }
    const key = saveable.op instanceof Tensor ? saveable.op.op : saveable.op;
    if (key !== undefined) {
      if (seen.has(key)) throw new InvalidArgumentError(undefined, undefined, `The same saveable will be restored with two names: ${saveable.name}`);
      seen.add(key);
    }
    saveables.push(saveable);
  }
  return saveables;
}

/** Global variables and SAVEABLE_OBJECTS of the default graph (TF1's _all_saveable_objects). */
function allSaveableObjects(scope?: string): Saveable[] {
  const g = getDefaultGraph();
  return [...g.getCollection<Saveable>(GraphKeys.GLOBAL_VARIABLES, scope), ...g.getCollection<Saveable>(GraphKeys.SAVEABLE_OBJECTS, scope)];
}

/** "P.meta" for checkpoint prefix P (a sharded prefix "P-00000-of-00002" loses its shard part). */
export function metaGraphFilename(checkpointFilename: string, metaGraphSuffix = 'meta'): string {
  return `${checkpointFilename.replace(/-[\d?]+-of-\d+$/, '')}.${metaGraphSuffix}`;
}

function unlinkIfExists(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Deletes a checkpoint's files: P.index, P.data-?????-of-?????, P.meta (TF1's remove_checkpoint). */
function removeCheckpoint(prefix: string, metaGraphSuffix = 'meta'): void {
  unlinkIfExists(metaGraphFilename(prefix, metaGraphSuffix));
  unlinkIfExists(`${prefix}.index`);
  const dir = dirname(prefix);
  const base = basename(prefix);
  const dataFile = /^\.data-\d{5}-of-\d{5}$/;
  for (const f of readdirSync(dir)) {
    if (f.startsWith(base) && dataFile.test(f.slice(base.length))) unlinkIfExists(join(dir, f));
  }
}

export interface SaverOptions {
  /** Checkpoints to keep (default 5); 0 or null keeps all, recording only the latest. */
  maxToKeep?: number | null;
  /** Also keep one checkpoint every N hours of training (default 10000). */
  keepCheckpointEveryNHours?: number;
  /** Name scope of the saver's ops (default "save"); for a saverDef, the scope it was imported into. */
  name?: string;
  /** Rebuild a saver over existing ops (from a meta graph) instead of building new ones. */
  saverDef?: SaverDef;
  /** Build the ops later, with build() (TF1's defer_build). */
  deferBuild?: boolean;
  /** With no variables, build nothing and make save/restore no-ops instead of throwing. */
  allowEmpty?: boolean;
  /** Record checkpoint paths relative to the directory in the `checkpoint` file. */
  saveRelativePaths?: boolean;
  /** Zero-pad the global step of checkpoint names to 8 digits ("model-00000100"). */
  padStepNumber?: boolean;
  /** Default checkpoint prefix of the filename tensor (default "model"). */
  filename?: string;
}

export interface SaveOptions {
  /** Appended to the prefix: "path-STEP". A number, or a tensor (the global step) whose value is read. */
  globalStep?: number | Tensor;
  /** State file name in the checkpoint directory (default "checkpoint"). */
  latestFilename?: string;
  metaGraphSuffix?: string;
  /** Write P.meta (default true). */
  writeMetaGraph?: boolean;
  /** Update the state file and delete old checkpoints (default true). */
  writeState?: boolean;
}

type Kept = [path: string, time: number];

/**
 * new tf.train.Saver(varList?, {maxToKeep, keepCheckpointEveryNHours, saveRelativePaths, ...}).
 * `varList`: an array of variables (checkpoint keys are their op names) or {key: variable};
 * by default all global variables and SAVEABLE_OBJECTS.
 */
export class Saver {
  saverDef: SaverDef | undefined;
  private readonly _varList: VarList | undefined;
  private readonly _maxToKeep: number;
  private readonly _keepEveryNHours: number;
  private readonly _name: string | undefined;
  private readonly _allowEmpty: boolean;
  private readonly _padStepNumber: boolean;
  private readonly _filename: string | undefined;
  private readonly _saveRelativePaths: boolean;
  private _isBuilt = false;
  private _isEmpty = false;
  private _lastCheckpoints: Kept[] = [];
  private _toBeDeleted: Kept[] = [];
  private _nextCheckpointTime = 0;

  constructor(varList?: VarList | null, options: SaverOptions = {}) {
    this._varList = varList ?? undefined;
    this._maxToKeep = options.maxToKeep === undefined ? 5 : options.maxToKeep ?? 0;
    this._keepEveryNHours = options.keepCheckpointEveryNHours ?? 10000;
    this._name = options.name;
    this._allowEmpty = options.allowEmpty ?? false;
    this._padStepNumber = options.padStepNumber ?? false;
    this._filename = options.filename;
    this._saveRelativePaths = options.saveRelativePaths ?? false;
    this.saverDef = options.saverDef ? { ...options.saverDef } : undefined;
    if (!options.deferBuild) this.build();
    if (this.saverDef) checkSaverDef(this.saverDef);
  }

  /** Builds the save and restore ops (once); needed before save() with deferBuild. */
  build(): void {
    if (this._isBuilt) return;
    this._isBuilt = true;
    if (!this.saverDef) {
      const varList = this._varList ?? allSaveableObjects();
      const empty = Array.isArray(varList) ? varList.length === 0
        : varList instanceof Map ? varList.size === 0 : Object.keys(varList).length === 0;
      if (empty) {
        if (this._allowEmpty) {
          this._isEmpty = true;
          return;
        }
        throw new InvalidArgumentError(undefined, undefined, 'No variables to save');
      }
      this.saverDef = this._buildInternal(validateAndSliceInputs(varList));
    } else if (this._name) {
      // A saver from a meta graph imported under a scope: its names live there.
      const d = this.saverDef;
      d.filenameTensorName = prependNameScope(d.filenameTensorName, this._name);
      d.saveTensorName = prependNameScope(d.saveTensorName, this._name);
      d.restoreOpName = prependNameScope(d.restoreOpName, this._name);
    }
    checkSaverDef(this.saverDef);
    this._nextCheckpointTime = Date.now() / 1000 + this.saverDef.keepCheckpointEveryNHours * 3600;
  }

  /** The ops of TF1's BaseSaverBuilder._build_internal (V2, not sharded). */
  private _buildInternal(saveables: SaveableObject[]): SaverDef {
    const tensors = saveables.flatMap((s) => s.specs.map((spec) => spec.tensor));
    const graph = tensors[0]?.graph ?? getDefaultGraph();
    return graph.asDefault(() => graph.nameScope(this._name || 'save', () => {
      const specs = saveables.flatMap((s) => s.specs);
      const names = specs.map((s) => s.name);
      const slices = specs.map((s) => s.sliceSpec);
      // "Const" is kept as the fed tensor's name for compatibility, as TF1 does.
      const filename = placeholderWithDefault(this._filename ?? 'model', [], { name: 'filename' });
      const filenameTensor = placeholderWithDefault(filename, [], { name: 'Const' });
      const save = applyOp('SaveV2', [filenameTensor, names, slices, specs.map((s) => s.tensor)], {}, 'SaveV2');
      const saveTensor = withDependencies([save], filenameTensor);
      // TF1 reads all tensors on the CPU.
      const restored = graph.device('/cpu:0', () =>
        applyOp('RestoreV2', [filenameTensor, names, slices], { dtypes: specs.map((s) => s.dtype) }, 'RestoreV2').outputs);
      const assigns: (Tensor | Operation)[] = [];
      let i = 0;
      for (const s of saveables) {
        assigns.push(s.restore(restored.slice(i, i + s.specs.length), undefined));
        i += s.specs.length;
      }
      const restoreOp = group(assigns, { name: 'restore_all' });
      return {
        filenameTensorName: filenameTensor.name,
        saveTensorName: saveTensor.name,
        restoreOpName: restoreOp.name,
        maxToKeep: this._maxToKeep,
        sharded: false,
        keepCheckpointEveryNHours: this._keepEveryNHours,
        version: CHECKPOINT_V2,
      };
    }));
  }

  /** TF1's as_saver_def / to_proto: the names of the saver's ops and its settings. */
  asSaverDef(): SaverDef {
    if (!this.saverDef) throw new InvalidArgumentError(undefined, undefined, 'The Saver has not been built (or has nothing to save).');
    return { ...this.saverDef };
  }

  toProto(): SaverDef {
    return this.asSaverDef();
  }

  static fromProto(saverDef: SaverDef, importScope?: string): Saver {
    return new Saver(undefined, { saverDef, name: importScope });
  }

  /** The recent checkpoints, oldest first (those the next saves may delete). */
  get lastCheckpoints(): string[] {
    return this._lastCheckpoints.map(([p]) => p);
  }

  /**
   * Replaces the list of recent checkpoints. As in TF1 they get an infinite time, so they
   * leave the list as new ones come but their files are never deleted.
   */
  setLastCheckpoints(lastCheckpoints: readonly string[]): void {
    if (!Array.isArray(lastCheckpoints)) throw new TypeError('lastCheckpoints must be an array of paths');
    this._lastCheckpoints = lastCheckpoints.map((p) => [p, Infinity] as Kept);
  }

  /** Like setLastCheckpoints, with each checkpoint's time (seconds since the epoch): these are deleted. */
  setLastCheckpointsWithTime(lastCheckpointsWithTime: readonly (readonly [string, number])[]): void {
    this._lastCheckpoints = lastCheckpointsWithTime.map(([p, t]) => [p, t] as Kept);
  }

  /** Adopts existing checkpoints (e.g. getCheckpointState(dir).allModelCheckpointPaths), dated by their files. */
  recoverLastCheckpoints(checkpointPaths: readonly string[]): void {
    const withTime: Kept[] = [];
    for (const p of checkpointPaths) {
      try {
        withTime.push([p, statSync(`${p}.index`).mtimeMs / 1000]);
      } catch {
        // A checkpoint that is gone is not kept track of.
      }
    }
    this.setLastCheckpointsWithTime(withTime);
  }

  /**
   * Saves the variables to checkpoint prefix `savePath` (`savePath-STEP` with a globalStep),
   * records it in the `checkpoint` file beside it, deletes checkpoints beyond maxToKeep and
   * writes the meta graph. Returns the prefix written (undefined for an empty saver).
   */
  save(sess: Session, savePath: string, options: SaveOptions = {}): string | undefined {
    if (!this._isBuilt) throw new InvalidArgumentError(undefined, undefined, '`build()` should be called before save if deferBuild is true');
    const latestFilename = options.latestFilename ?? 'checkpoint';
    const suffix = options.metaGraphSuffix ?? 'meta';
    if (latestFilename.includes('/')) {
      throw new InvalidArgumentError(undefined, undefined, "'latestFilename' must not contain path components");
    }
    if (!sess || typeof (sess as { run?: unknown }).run !== 'function') throw new TypeError(`'sess' must be a Session; ${String(sess)}`);
    let checkpointFile = savePath;
    if (options.globalStep !== undefined && options.globalStep !== null) {
      const step = typeof options.globalStep === 'number' ? options.globalStep : Number(sess.run(options.globalStep).item());
      checkpointFile = this._padStepNumber ? `${savePath}-${String(step).padStart(8, '0')}` : `${savePath}-${step}`;
    } else if (basename(savePath) === latestFilename) {
      throw new InvalidArgumentError(undefined, undefined, `'latestFilename' collides with 'savePath': '${latestFilename}' and '${savePath}'`);
    }
    const saveDir = dirname(savePath);
    let modelCheckpointPath: string | undefined;
    if (!this._isEmpty) {
      const d = this.saverDef!;
      // SaveV2 creates missing directories (as TF's BundleWriter); its errors pass through.
      modelCheckpointPath = String(sess.run(d.saveTensorName, { [d.filenameTensorName]: checkpointFile })!.item());
      if (options.writeState ?? true) {
        this._recordLastCheckpoint(modelCheckpointPath);
        this._updateCheckpointState(saveDir, modelCheckpointPath, latestFilename);
        this._maybeDeleteOldCheckpoints(suffix);
      }
    }
    if (options.writeMetaGraph ?? true) {
      sess.graph.asDefault(() => this.exportMetaGraph(metaGraphFilename(checkpointFile, suffix)));
    }
    return modelCheckpointPath;
  }

  /**
   * Restores the variables from checkpoint prefix `savePath`. A missing checkpoint is a
   * NotFoundError; a variable missing from it or of another shape or dtype fails naming it.
   */
  restore(sess: Session, savePath: string): void {
    if (this._isEmpty) return;
    if (savePath === undefined || savePath === null) throw new InvalidArgumentError(undefined, undefined, "Can't load save_path when it is None.");
    if (!checkpointExists(savePath)) {
      throw new NotFoundError(undefined, undefined, `The passed save_path is not a valid checkpoint: ${savePath}`);
    }
    const d = this.saverDef!;
    this._checkAgainstCheckpoint(sess.graph, savePath);
    try {
      sess.run(d.restoreOpName, { [d.filenameTensorName]: savePath });
    } catch (e) {
      if (e instanceof NotFoundError) throw wrapRestoreError(e, 'a Variable name or other graph key that is missing');
      if (e instanceof InvalidArgumentError) throw wrapRestoreError(e, 'a mismatch between the current graph and the graph');
      throw e;
    }
  }

  /**
   * Checks every restored variable against the checkpoint's entries before running the
   * restore ops, so that a missing key or another shape fails naming the variable (the
   * Assign kernel cannot see the declared shape of a variable that is not initialized).
   */
  private _checkAgainstCheckpoint(graph: Graph, savePath: string): void {
    const entries = new Map(listVariables(savePath).map(([name, shape]) => [name, shape] as const));
    for (const { key, variable, assignOp } of restorePlan(graph, this.saverDef!.restoreOpName)) {
      const shape = entries.get(key);
      if (shape === undefined) {
        throw wrapRestoreError(new NotFoundError(undefined, assignOp.name,
          `Key ${key} not found in checkpoint ${savePath} (restoring variable ${variable.op.name} with ${assignOp.name})`),
        'a Variable name or other graph key that is missing');
      }
      const validate = assignOp.hasAttr('validate_shape') ? assignOp.getAttr('validate_shape') : true;
      if (validate && !variable.shape.isCompatibleWith(shape)) {
        throw wrapRestoreError(new InvalidArgumentError(undefined, assignOp.name,
          `Assign requires shapes of both tensors to match. lhs shape= ${shapeString(variable.shape)} rhs shape= ${shapeString(new TensorShape(shape))}` +
          ` (variable ${variable.op.name}, checkpoint key ${key} in ${savePath}, node ${assignOp.name})`),
        'a mismatch between the current graph and the graph');
      }
    }
  }

  /** Writes the meta graph of the default graph with this saver's SaverDef (TF1's Saver.export_meta_graph). */
  exportMetaGraph(filename?: string, options: Omit<ExportMetaGraphOptions, 'saverDef'> = {}): MetaGraphDef {
    const graph = options.graph ?? getDefaultGraph();
    return exportMetaGraph(filename, { ...options, graph, saverDef: this.saverDef });
  }

  // ---------- checkpoint bookkeeping (TF1's _RecordLastCheckpoint, _MaybeDeleteOldCheckpoints) ----------

  private _recordLastCheckpoint(path: string): void {
    if (!this.saverDef!.maxToKeep) return;
    this._lastCheckpoints = this._lastCheckpoints.filter(([p]) => p !== path);
    this._lastCheckpoints.push([path, Date.now() / 1000]);
    if (this._lastCheckpoints.length > this.saverDef!.maxToKeep) this._toBeDeleted.push(this._lastCheckpoints.shift()!);
  }

  private _maybeDeleteOldCheckpoints(metaGraphSuffix: string): void {
    const p = this._toBeDeleted.shift();
    if (!p) return;
    // One checkpoint every keepCheckpointEveryNHours hours survives.
    if (p[1] > this._nextCheckpointTime) {
      this._nextCheckpointTime += this.saverDef!.keepCheckpointEveryNHours * 3600;
      return;
    }
    try {
      removeCheckpoint(p[0], metaGraphSuffix);
    } catch (e) {
      console.warn(`Ignoring: ${(e as Error).message}`);
    }
  }

  private _updateCheckpointState(saveDir: string, modelPath: string, latestFilename: string): void {
    updateCheckpointState(saveDir, modelPath, this.lastCheckpoints, { latestFilename, saveRelativePaths: this._saveRelativePaths });
  }
}

/** A shape as TF's TensorShape::DebugString writes it: "[2,3]", "[?,3]", "<unknown>". */
function shapeString(s: TensorShape): string {
  return s.dims === null ? '<unknown>' : `[${s.dims.map((d) => (d === null ? '?' : d)).join(',')}]`;
}

function checkSaverDef(d: SaverDef): void {
  if (!d.saveTensorName) throw new InvalidArgumentError(undefined, undefined, `saver_def must specify the save_tensor_name: ${JSON.stringify(d)}`);
  if (!d.restoreOpName) throw new InvalidArgumentError(undefined, undefined, `saver_def must specify the restore_op_name: ${JSON.stringify(d)}`);
}

/** TF1's _wrap_restore_error_with_msg: same error class, op and code, with advice in front. */
function wrapRestoreError(err: OpError, extra: string): OpError {
  const Cls = errorClassForCode(err.code);
  return new Cls(undefined, err.op,
    `Restoring from checkpoint failed. This is most likely due to ${extra} from the checkpoint. ` +
    `Please ensure that you have not altered the graph expected based on the checkpoint. Original error:\n\n${err.message}`);
}

interface RestoreItem {
  key: string;
  variable: Tensor;
  assignOp: Operation;
}

/**
 * The variables a restore op assigns and their checkpoint keys, read from the graph:
 * restore_all's (possibly grouped) control inputs are Assigns of RestoreV2 outputs, whose
 * tensor_names input is a Const. Works for savers built here and imported from meta graphs.
 */
function restorePlan(graph: Graph, restoreOpName: string): RestoreItem[] {
  const items: RestoreItem[] = [];
  const seen = new Set<Operation>();
  const visit = (op: Operation) => {
    if (seen.has(op)) return;
    seen.add(op);
    if (op.type === 'NoOp') {
      op.controlInputs.forEach(visit);
      return;
    }
    if (op.type !== 'Assign' || op.inputs[1].op.type !== 'RestoreV2') return;
    const restore = op.inputs[1];
    const namesOp = restore.op.inputs[1].op;
    if (namesOp.type !== 'Const') return;
    const names = (namesOp.getAttr('value') as NDArray).data as string[];
    items.push({ key: names[restore.valueIndex], variable: op.inputs[0], assignOp: op });
  };
  visit(graph.getOperationByName(restoreOpName));
  return items;
}

/**
 * tf.train.importMetaGraph(metaGraphOrFile, {importScope, clearDevices}): imports the graph and
 * its collections into the default graph and returns a Saver over the imported save/restore
 * ops (from its SaverDef), a new Saver of all variables when it has none, or undefined when
 * there is nothing to save.
 */
export function importMetaGraph(metaGraph: string | MetaGraphDef, options: ImportMetaGraphOptions = {}): Saver | undefined {
  const meta = typeof metaGraph === 'string' ? readMetaGraphFile(metaGraph) : metaGraph;
  const { varList, scope } = importScopedMetaGraph(meta, options);
  if (meta.saverDef) {
    // The scope the variables landed in (TF1 infers it from a sample variable).
    let name: string | undefined = scope || undefined;
    const first = varList.entries().next();
    if (!first.done) {
      const [key, v] = first.value;
      name = v.name.slice(0, v.name.length - key.length) || undefined;
    }
    return new Saver(undefined, { saverDef: meta.saverDef, name });
  }
  const g = getDefaultGraph();
  const scopeFilter = options.importScope || undefined;
  const saveable = [...g.getCollection(GraphKeys.GLOBAL_VARIABLES, scopeFilter), ...g.getCollection(GraphKeys.SAVEABLE_OBJECTS, scopeFilter)];
  return saveable.length > 0 ? new Saver() : undefined;
}
