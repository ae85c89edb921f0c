// Graph: the container of operations, with TF1's naming, scopes and collections.
import { userCallSite } from './call_site.js';
import { DeviceSpec, canonicalDevice } from './device.js';
import type { DType } from './dtypes.js';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from './errors.js';
import { GraphDef, type NodeDef } from './graph_def.js';
import { getOpDef, hasOpDef, type AttrKind } from './op_registry.js';
import { Operation } from './operation.js';
import { Tensor } from './tensor.js';
import { TensorShape } from './tensor_shape.js';
import { graphToDot, type DotOptions } from '../tools/graph_dot.js';

const VALID_OP_NAME = /^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$/;
const VALID_SCOPE_NAME = /^[A-Za-z0-9_.\\/>-]*$/;

/** Something that names an op for control dependencies and colocation. */
export type OpLike = Operation | Tensor | { op: Operation };

/** A device scope: a device string, a function of the op, or null to clear the stack. */
export type DeviceFunction = (op: Operation) => string | null | undefined;
export type DeviceSpecLike = string | DeviceFunction | null;

/** A control-flow construct under construction (tf.cond's branch context). */
export interface ControlFlowContext {
  /** The context this one is nested in (null: the top level). */
  readonly outer: ControlFlowContext | null;
  /** Maps the inputs of an op about to be created (external values get a Switch or an Enter). */
  processInputs(inputs: Tensor[]): Tensor[];
  /** Registers a created op (input-less ops get a control edge from the branch pivot). */
  addOp(op: Operation): void;
  /** The value `t` has inside this context (a Switch or Enter of it when it comes from outside). */
  addValue(t: Tensor): Tensor;
  /** Declares `t` a value of this context (the Exits of a loop nested in it). */
  addName(t: Tensor): void;
  /** Registers the outputs of an op built in a context nested in this one. */
  addInnerOp(op: Operation): void;
}

interface ControlController {
  controlInputs: Operation[];
  seen: Set<Operation>;
}

export function toOperation(x: OpLike): Operation {
  if (x instanceof Operation) return x;
  if (x instanceof Tensor) return x.op;
  if (x && (x as { op?: unknown }).op instanceof Operation) return (x as { op: Operation }).op;
  throw new InvalidArgumentError(undefined, undefined, `Expected an Operation or Tensor, got ${String(x)}`);
}

export interface CreateOpOptions {
  /** Op name; uniquified unless it ends with '/' (then it is used as is, minus the slash). */
  name: string;
  attrs?: Record<string, { kind: AttrKind; value: unknown }>;
  outputDtypes: DType[];
  /** Skip shape inference (used by GraphDef import when a shape function cannot run). */
  skipShapeInference?: boolean;
}

export class Graph {
  private readonly _ops: Operation[] = [];
  private readonly _byName = new Map<string, Operation>();
  private readonly _namesInUse = new Map<string, number>();
  private _nameStack = '';
  private _controlStack: ControlController[] = [];
  private _deviceStack: (DeviceFunction | null)[] = [];
  private _colocationStack: Operation[] = [];
  private _container = '';
  private readonly _collections = new Map<string, unknown[]>();
  private _finalized = false;
  private _nextId = 0;
  /** Graph-level random seed (tf.setRandomSeed). */
  seed: number | undefined = undefined;

  /** Number of operations created so far; grows as the graph does. */
  get version(): number {
    return this._nextId;
  }

  get finalized(): boolean {
    return this._finalized;
  }

  /** Makes the graph read-only: adding an op afterwards throws. */
  finalize(): void {
    this._finalized = true;
  }

  /** @internal */
  _unsafeUnfinalize(): void {
    this._finalized = false;
  }

  /** Runs `fn` with this graph as the default graph. */
  asDefault<T>(fn: (graph: Graph) => T): T {
    graphStack.push(this);
    try {
      return fn(this);
    } finally {
      graphStack.pop();
    }
  }

  // ---------- names ----------

  /** The current name scope ("" at the root, else "a/b"). */
  getNameScope(): string {
    return this._nameStack;
  }

  /** TF1's unique_name: "name", then "name_1", "name_2" ... (case-insensitive). */
  uniqueName(name: string, markAsUsed = true): string {
    if (this._nameStack) name = `${this._nameStack}/${name}`;
    let key = name.toLowerCase();
    let i = this._namesInUse.get(key) ?? 0;
    if (markAsUsed) this._namesInUse.set(key, i + 1);
    if (i > 0) {
      const base = key;
      while (this._namesInUse.has(key)) {
        key = `${base}_${i}`;
        i++;
      }
      if (markAsUsed) this._namesInUse.set(key, 1);
      name = `${name}_${i - 1}`;
    }
    return name;
  }

  /**
   * Opens a name scope (TF1's graph.name_scope): `name` is uniquified ("relu" then "relu_1");
   * a name ending in "/" re-enters that exact scope; "" or null resets to the root.
   * The callback receives the scope string with its trailing slash.
   */
  nameScope<T>(name: string | null | undefined, fn: (scope: string) => T): T {
    if (name) {
      const re = this._nameStack ? VALID_SCOPE_NAME : VALID_OP_NAME;
      if (!re.test(name)) throw new InvalidArgumentError(undefined, undefined, `'${name}' is not a valid scope name`);
    }
    const old = this._nameStack;
    let scope: string;
    if (!name) {
      this._nameStack = '';
      scope = '';
    } else if (name.endsWith('/')) {
      this._nameStack = name.slice(0, -1);
      scope = name;
    } else {
      this._nameStack = this.uniqueName(name);
      scope = `${this._nameStack}/`;
    }
    try {
      return fn(scope);
    } finally {
      this._nameStack = old;
    }
  }

  // ---------- scopes that shape new ops ----------

  /**
   * Ops created in `fn` run after `controlInputs` (null clears the enclosing ones).
   * Inputs may be operations or tensors.
   */
  controlDependencies<T>(controlInputs: readonly OpLike[] | null, fn: () => T): T {
    const old = this._controlStack;
    if (controlInputs === null) {
      this._controlStack = [];
    } else {
      const ops: Operation[] = [];
      for (const c of controlInputs) {
        const op = toOperation(c);
        if (op.graph !== this) throw new InvalidArgumentError(undefined, op, `Control input ${op.name} must be from the same graph`);
        if (!ops.includes(op)) ops.push(op);
      }
      this._controlStack = [...old, { controlInputs: ops, seen: new Set() }];
    }
    try {
      return fn();
    } finally {
      this._controlStack = old;
    }
  }

  /** Ops created in `fn` are placed by `spec` (merged with enclosing device scopes as in TF1). */
  device<T>(spec: DeviceSpecLike, fn: () => T): T {
    let entry: DeviceFunction | null;
    if (spec === null || spec === undefined) {
      entry = null;
    } else if (typeof spec === 'function') {
      entry = spec;
    } else {
      const parsed = DeviceSpec.fromString(spec);
      // The op's current device (set by inner scopes) takes precedence over this one.
      entry = (op) => parsed.mergeFrom(DeviceSpec.fromString(op.device)).toString();
    }
    this._deviceStack.push(entry);
    try {
      return fn();
    } finally {
      this._deviceStack.pop();
    }
  }

  /** Ops created in `fn` are colocated with `op` (same device, `_class: loc:@op`). */
  colocateWith<T>(op: OpLike | null, fn: () => T, ignoreExisting = false): T {
    const oldColocation = this._colocationStack;
    const oldDevices = this._deviceStack;
    if (ignoreExisting) this._colocationStack = [];
    if (op !== null) {
      this._colocationStack = [...this._colocationStack, toOperation(op)];
      this._deviceStack = [];
    } else if (!ignoreExisting) {
      throw new InvalidArgumentError(undefined, undefined, 'Trying to reset colocation (op is null) but ignoreExisting is not true');
    }
    try {
      return fn();
    } finally {
      this._colocationStack = oldColocation;
      this._deviceStack = oldDevices;
    }
  }

  /** Stateful ops created in `fn` keep their state in resource container `name`. */
  container<T>(name: string, fn: () => T): T {
    const old = this._container;
    this._container = name;
    try {
      return fn();
    } finally {
      this._container = old;
    }
  }

  // ---------- ops ----------

  /**
   * Adds an operation. This is the single place ops enter a graph: it applies naming,
   * control dependencies, device functions, colocation and container, then runs the
   * registered shape function (an error there leaves the graph unchanged).
   */
  _createOp(type: string, inputs: Tensor[], options: CreateOpOptions): Operation {
    if (this._finalized) throw new FailedPreconditionError(undefined, undefined, 'Graph is finalized and cannot be modified.');
    for (const t of inputs) {
      if (t.graph !== this) {
        throw new InvalidArgumentError(undefined, undefined, `Tensor ${t.name} must be from the same graph as the op being created (${type}).`);
      }
    }
    let name = options.name;
    if (name.endsWith('/')) {
      // An exact name (from a name scope or an import): make sure later names avoid it.
      name = name.slice(0, -1);
      const key = name.toLowerCase();
      if (!this._namesInUse.has(key)) this._namesInUse.set(key, 1);
    } else {
      name = this.uniqueName(name);
    }
    if (!VALID_OP_NAME.test(name)) throw new InvalidArgumentError(undefined, undefined, `'${name}' is not a valid node name`);
    if (this._byName.has(name)) throw new InvalidArgumentError(undefined, name, `Duplicate node name in graph: '${name}'`);

    // Inside a tf.cond branch, inputs from outside the branch go through a Switch.
    const flowContext = this._controlFlowContext;
    if (flowContext) inputs = flowContext.processInputs(inputs);

    const op = new Operation(this, this._nextId, name, type, inputs, options.outputDtypes, undefined, userCallSite());
    for (const [k, a] of Object.entries(options.attrs ?? {})) op._setAttr(k, a.kind, a.value);

    // Control dependencies not already implied by a data input (TF1's rule).
    const inputOps = inputs.map((t) => t.op);
    for (const c of this._controlStack) {
      if (inputOps.some((o) => c.seen.has(o))) continue;
      for (const ci of c.controlInputs) if (!inputOps.includes(ci)) op._addControlInput(ci);
    }
    this._applyDevice(op);
    if (this._colocationStack.length > 0) {
      const groups = new Set<string>();
      let deviceSet = false;
      for (const c of [...this._colocationStack].reverse()) {
        for (const g of c.colocationGroups()) groups.add(g);
        if (c.device && !deviceSet) {
          op._setDevice(c.device);
          deviceSet = true;
        }
      }
      op._setAttr('_class', 'list(string)', [...groups].sort());
    }
    const def = hasOpDef(type) ? getOpDef(type) : undefined;
    if (this._container && def?.stateful && op.hasAttr('container') && !op.getAttr('container')) {
      op._setAttr('container', 'string', this._container);
    }

    if (def?.shape && !options.skipShapeInference) {
      let shapes;
      try {
        shapes = def.shape(op);
      } catch (e) {
        // The op never becomes part of the graph; undo its control edges.
        for (const ci of op.controlInputs) ci._controlOutputs.splice(ci._controlOutputs.indexOf(op), 1);
        throw shapeError(op, e);
      }
      shapes.forEach((s, i) => op.outputs[i].setShape(TensorShape.from(s)));
    }

    op._flowContext = flowContext;
    this._nextId++;
    this._ops.push(op);
    this._byName.set(name, op);
    for (const t of inputs) t._consumers.push(op);
    for (const c of this._controlStack) c.seen.add(op);
    flowContext?.addOp(op);
    return op;
  }

  /** @internal the tf.cond branch being built, if any */
  _controlFlowContext: ControlFlowContext | null = null;

  /** @internal runs fn building into control-flow context `ctx`, free of outside control dependencies */
  _inFlowContext<T>(ctx: ControlFlowContext | null, fn: () => T): T {
    const saved = this._controlFlowContext;
    this._controlFlowContext = ctx;
    try {
      return this.controlDependencies(null, fn);
    } finally {
      this._controlFlowContext = saved;
    }
  }

  private _applyDevice(op: Operation): void {
    // Innermost scope first; each outer string scope only fills what inner ones left unset.
    for (let i = this._deviceStack.length - 1; i >= 0; i--) {
      const fn = this._deviceStack[i];
      if (fn === null) break;
      const d = fn(op);
      op._setDevice(d ? canonicalDevice(d) : '');
    }
  }

  getOperations(): Operation[] {
    return [...this._ops];
  }

  getOperationByName(name: string): Operation {
    if (name.includes(':')) {
      throw new InvalidArgumentError(undefined, undefined,
        `The name '${name}' appears to refer to a Tensor, not a Operation.`);
    }
    const op = this._byName.get(name);
    if (!op) throw new NotFoundError(undefined, undefined, `The name '${name}' refers to an Operation not in the graph.`);
    return op;
  }

  /** @internal lookup without throwing */
  _opByName(name: string): Operation | undefined {
    return this._byName.get(name);
  }

  getTensorByName(name: string): Tensor {
    const m = /^(.*):(\d+)$/.exec(name);
    if (!m) {
      throw new InvalidArgumentError(undefined, undefined,
        `The name '${name}' refers to an Operation, not a Tensor. Tensor names must be of the form "<op_name>:<output_index>".`);
    }
    const op = this._byName.get(m[1]);
    if (!op) throw new NotFoundError(undefined, undefined, `The name '${name}' refers to a Tensor which does not exist. The operation, '${m[1]}', does not exist in the graph.`);
    const t = op.outputs[Number(m[2])];
    if (!t) {
      throw new NotFoundError(undefined, op, `The name '${name}' refers to a Tensor which does not exist. The operation, '${m[1]}', exists but only has ${op.outputs.length} outputs.`);
    }
    return t;
  }

  /** Tensor or Operation by name ("x:0" or "x"), TF1's as_graph_element. */
  asGraphElement(name: string): Tensor | Operation {
    return name.includes(':') ? this.getTensorByName(name) : this.getOperationByName(name);
  }

  /**
   * The graph as a GraphDef. With `fromVersion`, only ops created since that version
   * (sessions use it to extend their copy of the graph incrementally).
   */
  asGraphDef(options: { fromVersion?: number } = {}): GraphDef {
    const from = options.fromVersion ?? 0;
    const nodes: NodeDef[] = [];
    for (const op of this._ops) {
      if (op._id < from) continue;
      nodes.push({
        name: op.name,
        op: op.type,
        // Control inputs sorted by name, as TF serialises them.
        input: [...op.inputs.map((t) => (t.valueIndex === 0 ? t.op.name : t.name)),
          ...op.controlInputs.map((c) => `^${c.name}`).sort()],
        device: op.device,
        attr: Object.fromEntries(op._attrs),
      });
    }
    return new GraphDef(nodes);
  }

  /**
   * The graph as Graphviz DOT text: one cluster per name scope, data edges labelled with
   * dtype and shape, control edges dashed (src/tools/graph_dot.ts; docs/graph-export.md).
   */
  toDot(options: DotOptions = {}): string {
    return graphToDot(this, options);
  }

  // ---------- collections ----------

  addToCollection(name: string, value: unknown): void {
    this.getCollectionRef(name).push(value);
  }

  addToCollections(names: string | Iterable<string>, value: unknown): void {
    const list = typeof names === 'string' ? [names] : [...new Set(names)];
    for (const n of list) this.addToCollection(n, value);
  }

  /** The live list of a collection (created empty if missing). */
  getCollectionRef(name: string): unknown[] {
    let c = this._collections.get(name);
    if (!c) {
      c = [];
      this._collections.set(name, c);
    }
    return c;
  }

  /**
   * A copy of a collection. With `scope`, only items whose `name` matches the regular
   * expression `scope` at its start (TF1's re.match filter); items without a name are dropped.
   */
  getCollection<T = unknown>(name: string, scope?: string | null): T[] {
    const c = this._collections.get(name) ?? [];
    if (scope == null) return [...c] as T[];
    const re = new RegExp(scope, 'y');
    return c.filter((item) => {
      const n = (item as { name?: unknown } | null)?.name;
      if (typeof n !== 'string') return false;
      re.lastIndex = 0;
      return re.test(n);
    }) as T[];
  }

  getAllCollectionKeys(): string[] {
    return [...this._collections.keys()];
  }

  clearCollection(name: string): void {
    this._collections.delete(name);
  }
}

function shapeError(op: Operation, e: unknown): Error {
  const shapes = op.inputs.map((t) => t.shape.toShortString()).join(', ');
  const why = e instanceof Error ? e.message : String(e);
  const at = op.definedAt ? ` (defined at ${op.definedAt})` : '';
  return new InvalidArgumentError(undefined, op.name,
    `${why} for '${op.name}' (op: '${op.type}') with input shapes: ${shapes}.${at}`);
}

// ---------- the default graph stack ----------

const graphStack: Graph[] = [];
let globalDefaultGraph = new Graph();

export function getDefaultGraph(): Graph {
  return graphStack.length > 0 ? graphStack[graphStack.length - 1] : globalDefaultGraph;
}

/** Replaces the global default graph with a new, empty one. */
export function resetDefaultGraph(): void {
  if (graphStack.length > 0) {
    throw new FailedPreconditionError(undefined, undefined,
      'Do not use tf.resetDefaultGraph() to clear nested graphs. If you need a cleared graph, exit the nesting and create a new graph.');
  }
  globalDefaultGraph = new Graph();
}
