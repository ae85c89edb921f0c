// tf.Variable: TF1's RefVariable. A VariableV2 op "x" holds the state; "x/Assign" stores the
// initial value ("x/initial_value") and "x/read" is the snapshot ordinary ops read. The
// Variable object is itself the reference tensor x:0, and hands ops its read value unless
// the op takes a reference (Assign, optimizers' Apply* ops).
import { GraphKeys } from '../framework/collections.js';
import type { DType } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { getDefaultGraph, type Graph } from '../framework/graph.js';
import type { NDArray } from '../framework/ndarray.js';
import { applyOp1, constant, convertToTensor, graphOf, type TensorLike } from '../framework/op_builder.js';
import type { Operation } from '../framework/operation.js';
import { sessionHooks, type FeedDict } from '../framework/session_hooks.js';
import { Tensor } from '../framework/tensor.js';
import { TensorShape, type ShapeLike } from '../framework/tensor_shape.js';
import { gather } from './slice_ops.js';
import { squeeze } from './shape_ops.js';
import { stack, where } from './array_ops.js';
import { group, noOp } from './control_flow_ops.js';
import { logicalNot } from './math_ops.js';
import { assign, assignAdd, assignSub, isVariableInitialized } from './state_ops.js';

/** Names of an existing variable's graph elements (TF1's VariableDef). */
export interface VariableDef {
  /** The reference tensor, "x:0". */
  variableName: string;
  /** The initializer op, "x/Assign". */
  initializerName: string;
  /** The read tensor, "x/read:0". */
  snapshotName: string;
  /** The initial value tensor, "x/initial_value:0". */
  initialValueName?: string;
  trainable?: boolean;
  isResource?: boolean;
}

export interface VariableOptions {
  /** Name (and name scope) of the variable; default "Variable", uniquified. */
  name?: string;
  /** Adds the variable to TRAINABLE_VARIABLES too (default true). */
  trainable?: boolean;
  /** Collections to add the variable to (default [GLOBAL_VARIABLES]). */
  collections?: readonly string[];
  /** Dtype of the initial value (JS values convert to it). */
  dtype?: DType;
  /** When false, the variable's shape is unknown and any value may be assigned (default true). */
  validateShape?: boolean;
  /** Device of the "read" snapshot (default: colocated with the variable). */
  cachingDevice?: string;
  /** Rebuild the Variable object of existing graph elements instead of creating any. */
  variableDef?: VariableDef;
}

interface Parts {
  ref: Tensor;
  initializer: Operation;
  snapshot: Tensor;
  initialValue: Tensor | undefined;
}

/** Builds the variable's ops, as TF1's RefVariable._init_from_args. */
function buildVariable(initialValue: TensorLike | (() => TensorLike) | undefined, options: VariableOptions): Parts {
  if (initialValue === undefined || initialValue === null) {
    throw new InvalidArgumentError(undefined, undefined, 'initial_value must be specified.');
  }
  const validateShape = options.validateShape ?? true;
  const fromFn = typeof initialValue === 'function';
  const graph: Graph = fromFn ? getDefaultGraph() : graphOf([initialValue]);
  // TF1 builds variables in an init_scope: enclosing control dependencies do not apply.
  return graph.asDefault(() => graph.controlDependencies(null, () => graph.nameScope(options.name || 'Variable', (scope) => {
    const trueName = scope.slice(0, -1);
    let init: Tensor;
    if (fromFn) {
      // TF1 marks everything built here as colocated with the (not yet existing) variable,
      // with device scopes cleared for the initializer.
      const first = graph.version;
      init = graph.device(null, () => graph.nameScope('Initializer', () =>
        convertToTensor((initialValue as () => TensorLike)(), { name: 'initial_value', dtype: options.dtype })));
      for (const op of graph.getOperations().slice(first)) op._setAttr('_class', 'list(string)', [`loc:@${trueName}`]);
    } else {
      init = convertToTensor(initialValue as TensorLike, { name: 'initial_value', dtype: options.dtype });
    }
    if (validateShape && !init.shape.isFullyDefined()) {
      throw new InvalidArgumentError(undefined, undefined, `initial_value must have a shape specified: ${init.toString()}`);
    }
    const shape = validateShape ? init.shape : TensorShape.unknown();
    const varOp = applyOp1('VariableV2', [], { shape, dtype: init.dtype }, scope).op;
    if (fromFn) varOp._setAttr('_class', 'list(string)', [`loc:@${trueName}`]);
    const ref = varOp.outputs[0];
    const initializer = assign(ref, init, { validateShape }).op;
    const read = () => applyOp1('Identity', [ref], {}, 'read');
    const snapshot = options.cachingDevice ? graph.device(options.cachingDevice, read) : graph.colocateWith(varOp, read);
    return { ref, initializer, snapshot, initialValue: init };
  })));
}

/** Looks up an existing variable's elements, as TF1's RefVariable._init_from_proto. */
function partsFromDef(def: VariableDef): Parts {
  const graph = getDefaultGraph();
  return {
    ref: graph.getTensorByName(def.variableName),
    initializer: graph.getOperationByName(def.initializerName),
    snapshot: graph.getTensorByName(def.snapshotName),
    initialValue: def.initialValueName ? graph.getTensorByName(def.initialValueName) : undefined,
  };
}

/**
 * new tf.Variable(initialValue, {name, trainable, collections, dtype, validateShape}).
 * `initialValue` is a tensor, a JS value (JS integers infer int32, as tf.constant) or a
 * function returning one (called in the "<name>/Initializer" scope).
 */
export class Variable extends Tensor {
  /** @internal the reference tensor x:0 (op.outputs[0]) */
  readonly _ref: Tensor;
  /** @internal the x/read snapshot */
  readonly _snapshot: Tensor;
  private readonly _initializerOp: Operation;
  private readonly _initialValue: Tensor | undefined;
  readonly trainable: boolean;

  constructor(initialValue?: TensorLike | (() => TensorLike), options: VariableOptions = {}) {
    const parts = options.variableDef ? partsFromDef(options.variableDef) : buildVariable(initialValue, options);
    super(parts.ref.op, parts.ref.valueIndex, parts.ref.dtype, parts.ref.shape);
    this._ref = parts.ref;
    this._snapshot = parts.snapshot;
    this._initializerOp = parts.initializer;
    this._initialValue = parts.initialValue;
    if (options.variableDef) {
      this.trainable = options.variableDef.trainable ?? true;
      return;
    }
    this.trainable = options.trainable ?? true;
    if (options.collections !== undefined && !Array.isArray(options.collections)) {
      throw new InvalidArgumentError(undefined, undefined,
        `collections argument to Variable constructor must be a list, tuple, or set. Got ${String(options.collections)}`);
    }
    const collections: string[] = [...(options.collections ?? [GraphKeys.GLOBAL_VARIABLES])];
    if (this.trainable && !collections.includes(GraphKeys.TRAINABLE_VARIABLES)) collections.push(GraphKeys.TRAINABLE_VARIABLES);
    this.graph.addToCollections(collections, this);
  }

  /** The Assign op that gives the variable its initial value. */
  get initializer(): Operation {
    return this._initializerOp;
  }

  /** The tensor the variable is initialised from. */
  get initialValue(): Tensor {
    if (!this._initialValue) throw new InvalidArgumentError(undefined, undefined, `Variable ${this.name} has no initial value in this graph`);
    return this._initialValue;
  }

  /** The "x/read" snapshot: what ops reading the variable take. */
  value(): Tensor {
    return this._snapshot;
  }

  get read(): Tensor {
    return this._snapshot;
  }

  /** A new read of the variable: an Identity named "read" in the current name scope (TF1's read_value). */
  readValue(): Tensor {
    return applyOp1('Identity', [this._ref], {}, 'read');
  }

  /** The reference tensor x:0 (TF1's `_ref()`). */
  ref(): Tensor {
    return this._ref;
  }

  // The static shape is the reference's (setShape refines both it and the snapshot).
  override get shape(): TensorShape {
    return this._ref.shape;
  }

  override getShape(): TensorShape {
    return this._ref.shape;
  }

  override setShape(shape: ShapeLike): void {
    this._ref.setShape(shape);
    this._snapshot.setShape(shape);
  }

  override consumers(): Operation[] {
    return this._ref.consumers();
  }

  /** @internal ref inputs take the reference, all others the read snapshot. */
  override _asInput(asRef: boolean): Tensor {
    return asRef ? this._ref : this._snapshot;
  }

  /** Assigns a new value (an Assign op, use_locking false as TF1's Variable.assign). */
  assign(value: TensorLike, options: { useLocking?: boolean; name?: string } = {}): Tensor {
    return assign(this._ref, value, { useLocking: options.useLocking ?? false, name: options.name });
  }

  assignAdd(delta: TensorLike, options: { useLocking?: boolean; name?: string } = {}): Tensor {
    return assignAdd(this._ref, delta, { useLocking: options.useLocking ?? false, name: options.name });
  }

  assignSub(delta: TensorLike, options: { useLocking?: boolean; name?: string } = {}): Tensor {
    return assignSub(this._ref, delta, { useLocking: options.useLocking ?? false, name: options.name });
  }

  /** The variable's value in the default (or given) session. */
  override eval(options: { feedDict?: FeedDict; session?: unknown } = {}): NDArray {
    return this._ref.eval(options);
  }

  /** Writes `value` into the variable by running its initializer with the initial value fed. */
  load(value: unknown, session?: unknown): void {
    const feed = new Map<Tensor | string, unknown>([[this._initializerOp.inputs[1], value]]);
    sessionHooks().runOperation(this._initializerOp, { feedDict: feed, session });
  }

  /** TF1's VariableDef (names of the variable's graph elements). */
  toProto(): VariableDef {
    return {
      variableName: this._ref.name,
      initializerName: this._initializerOp.name,
      snapshotName: this._snapshot.name,
      initialValueName: this._initialValue?.name,
      trainable: this.trainable,
      isResource: false,
    };
  }

  override toString(): string {
    return `<tf.Variable '${this.name}' shape=${this.shape.toString()} dtype=${this.dtype}_ref>`;
  }
}

// ---------- collections ----------

/** Variables in GLOBAL_VARIABLES (those whose name matches `scope` at its start, if given). */
export function globalVariables(scope?: string): Variable[] {
  return getDefaultGraph().getCollection<Variable>(GraphKeys.GLOBAL_VARIABLES, scope);
}

export function localVariables(scope?: string): Variable[] {
  return getDefaultGraph().getCollection<Variable>(GraphKeys.LOCAL_VARIABLES, scope);
}

export function trainableVariables(scope?: string): Variable[] {
  return getDefaultGraph().getCollection<Variable>(GraphKeys.TRAINABLE_VARIABLES, scope);
}

export function modelVariables(scope?: string): Variable[] {
  return getDefaultGraph().getCollection<Variable>(GraphKeys.MODEL_VARIABLES, scope);
}

export function movingAverageVariables(scope?: string): Variable[] {
  return getDefaultGraph().getCollection<Variable>(GraphKeys.MOVING_AVERAGE_VARIABLES, scope);
}

// ---------- initializers ----------

/** An op ("init") that runs the initializers of `varList` (a NoOp when the list is empty). */
export function variablesInitializer(varList: readonly Variable[], options: { name?: string } = {}): Operation {
  const name = options.name ?? 'init';
  if (varList.length > 0) return group(varList.map((v) => v.initializer), { name });
  return noOp({ name });
}

/** variablesInitializer(globalVariables()), named "init". */
export function globalVariablesInitializer(): Operation {
  return variablesInitializer(globalVariables());
}

/** variablesInitializer(localVariables()), named "init" (as TF1). */
export function localVariablesInitializer(): Operation {
  return variablesInitializer(localVariables());
}

/** Deprecated TF1 spellings. */
export const initializeAllVariables = globalVariablesInitializer;
export const initializeLocalVariables = localVariablesInitializer;
export const initializeVariables = variablesInitializer;

/** 1-D boolean_mask: the elements of `tensor` where `mask` is true (scope "boolean_mask"). */
function booleanMask1d(tensor: Tensor, mask: Tensor): Tensor {
  return getDefaultGraph().nameScope('boolean_mask', () => {
    const indices = squeeze(where(mask), [1]);
    return gather(tensor, indices);
  });
}

/**
 * A 1-D string tensor of the names of the variables in `varList` (default: global and local
 * variables) that are not initialized yet; empty when all are.
 */
export function reportUninitializedVariables(varList?: readonly Tensor[], options: { name?: string } = {}): Tensor {
  let vars: readonly Tensor[] = varList ?? [...globalVariables(), ...localVariables()];
  const graph = varList && varList.length > 0 ? varList[0].graph : getDefaultGraph();
  if (varList === undefined && vars.length === 0) {
    // Backwards compatibility (TF1): bare VariableV2 ops count too.
    vars = graph.getOperations().filter((op) => op.type === 'VariableV2').map((op) => op.outputs[0]);
  }
  return graph.asDefault(() => graph.nameScope(options.name || 'report_uninitialized_variables', () => {
    const initVars = vars.map((v) => isVariableInitialized(v));
    // TF1 runs the reporting ops on the CPU.
    return graph.device('/cpu:0', () => {
      if (vars.length === 0) return constant([], { dtype: 'string' });
      const mask = logicalNot(stack(initVars));
      const names = constant(vars.map((v) => v.op.name));
      return booleanMask1d(names, mask);
    });
  }));
}
