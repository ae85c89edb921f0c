// The optimizer base class (TF1's training/optimizer.py + slot_creator.py): minimize =
// computeGradients + applyGradients; slots ("theta/Adam", "theta/Adam_1") are non-trainable
// variables colocated with the variable they belong to, non-slot variables (Adam's
// beta1_power) are created once per graph. Subclasses implement _createSlots, _prepare,
// _applyDense and optionally _finish.
import { GraphKeys } from '../framework/collections.js';
import { type DType } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { getDefaultGraph, type Graph } from '../framework/graph.js';
import { convertToTensor, type TensorLike } from '../framework/op_builder.js';
import { Operation } from '../framework/operation.js';
import { Tensor } from '../framework/tensor.js';
import type { TensorShape } from '../framework/tensor_shape.js';
import { gradients } from '../gradients/gradients_impl.js';
import { shape as shapeOf } from '../ops/shape_ops.js';
import { zeros } from '../ops/array_ops.js';
import { group, tuple } from '../ops/control_flow_ops.js';
import { assignAdd } from '../ops/state_ops.js';
import { getVariableScope } from '../ops/variable_scope.js';
import { trainableVariables, Variable } from '../ops/variables.js';

/** Gradient gating: none, per op (default), or the whole graph's gradients at once. */
export const GATE_NONE = 0;
export const GATE_OP = 1;
export const GATE_GRAPH = 2;

/** A hyper-parameter: a number, a tensor, or a function returning one (called in _prepare). */
export type HyperParam = TensorLike | (() => TensorLike);

/** A (gradient, variable) pair; the gradient is undefined where none reaches the variable. */
export type GradAndVar = [Tensor | undefined, Variable];

export interface ComputeGradientsOptions {
  /** Variables to differentiate (default: trainable variables). */
  varList?: readonly Variable[];
  /** GATE_NONE, GATE_OP (default) or GATE_GRAPH. */
  gateGradients?: number;
  /** Accepted for compatibility (gradients are always summed with AddN). */
  aggregationMethod?: unknown;
  colocateGradientsWithOps?: boolean;
  /** Gradient of the loss (default ones). */
  gradLoss?: TensorLike;
}

export interface ApplyGradientsOptions {
  /** A variable incremented by one after the updates. */
  globalStep?: Tensor;
  /** Name of the returned op (and scope of the update ops); default the optimizer's name. */
  name?: string;
}

export type MinimizeOptions = ComputeGradientsOptions & ApplyGradientsOptions;

const VALID_DTYPES: readonly DType[] = ['float16', 'bfloat16', 'float32', 'float64'];

function callIfCallable(x: HyperParam): TensorLike {
  return typeof x === 'function' ? (x as () => TensorLike)() : x;
}

/** A hyper-parameter as a tensor named `name` (JS numbers become float32, as Python floats). */
export function hyperTensor(value: HyperParam, name: string): Tensor {
  return convertToTensor(callIfCallable(value), { name, preferredDtype: 'float32' });
}

function varsString(vars: readonly Tensor[]): string {
  return `[${vars.map((v) => `"${v.toString()}"`).join(', ')}]`;
}

// ---------- slot creation (slot_creator.py) ----------

/**
 * Builds a slot variable of `primary`: at the root name scope (a variable's name ignores name
 * scopes), with control dependencies cleared, every op colocated with `primary`.
 */
function createSlotVar(primary: Tensor, name: string, build: (fullName: string) => Variable): Variable {
  const graph = primary.graph;
  return graph.asDefault(() => {
    // TF1 opens variable_scope(None, "<primary>/<name>"): the slot is named within the current
    // variable scope ("<scope>/theta/Adam"), whatever the name scope.
    const vs = getVariableScope().name;
    const fullName = `${vs ? `${vs}/` : ''}${primary.op.name}/${name}`;
    return graph.controlDependencies(null, () => graph.nameScope(null, () => graph.colocateWith(primary.op, () => {
      const first = graph.version;
      const slot = build(fullName);
      // As TF1's colocate_with(primary) around the variable's creation: all its ops (the
      // initializer included) are in the primary's colocation group.
      const groups = primary.op.colocationGroups();
      for (const op of graph.getOperations().slice(first)) op._setAttr('_class', 'list(string)', [...groups]);
      return slot;
    })));
  });
}

/** A slot initialised from the tensor `val` (TF1's create_slot). */
export function createSlot(primary: Tensor, val: Tensor, name: string): Variable {
  const validateShape = val.shape.isFullyDefined();
  return createSlotVar(primary, name, (fullName) => new Variable(val, { name: fullName, trainable: false, validateShape }));
}

/** A slot initialised by `initializer(shape, dtype)`, built in "<slot>/Initializer/" (TF1's create_slot_with_initializer). */
export function createSlotWithInitializer(primary: Tensor, initializer: (shape: number[], dtype: DType) => Tensor,
                                          shape: TensorShape, dtype: DType, name: string): Variable {
  const validateShape = shape.isFullyDefined();
  return createSlotVar(primary, name, (fullName) => new Variable(() => initializer(shape.dims as number[], dtype), {
    name: fullName, trainable: false, dtype, validateShape,
  }));
}

/** A zero-filled slot shaped like `primary` ("theta/Adam/Initializer/zeros"). */
export function createZerosSlot(primary: Tensor, name: string, dtype?: DType): Variable {
  const dt = dtype ?? primary.dtype;
  const shape = primary.shape;
  if (shape.isFullyDefined()) {
    return createSlotWithInitializer(primary, (s, d) => zeros(s, d), shape, dt, name);
  }
  const src = primary instanceof Variable ? primary.value() : primary;
  const val = zeros(shapeOf(src), dt);
  return createSlot(primary, val, name);
}

// ---------- the base class ----------

export abstract class Optimizer {
  static readonly GATE_NONE = GATE_NONE;
  static readonly GATE_OP = GATE_OP;
  static readonly GATE_GRAPH = GATE_GRAPH;

  protected readonly _useLocking: boolean;
  protected readonly _name: string;
  /** slot name -> (variable op -> slot variable) */
  private readonly _slots = new Map<string, Map<Operation, Variable>>();
  /** graph -> (name -> non-slot variable) */
  private readonly _nonSlotDict = new Map<Graph, Map<string, Variable>>();

  constructor(useLocking: boolean, name: string) {
    if (!name) throw new InvalidArgumentError(undefined, undefined, 'Must specify the optimizer name');
    this._useLocking = useLocking;
    this._name = name;
  }

  getName(): string {
    return this._name;
  }

  /**
   * Adds ops minimizing `loss` by updating `varList` (default: trainable variables):
   * computeGradients then applyGradients. Returns the training op.
   */
  minimize(loss: Tensor, options: MinimizeOptions = {}): Operation {
    const gradsAndVars = this.computeGradients(loss, options);
    const varsWithGrad = gradsAndVars.filter(([g]) => g !== undefined).map(([, v]) => v);
    if (varsWithGrad.length === 0) {
      throw new InvalidArgumentError(undefined, undefined,
        'No gradients provided for any variable, check your graph for ops that do not support gradients, ' +
        `between variables ${varsString(gradsAndVars.map(([, v]) => v))} and loss ${loss.toString()}.`);
    }
    return this.applyGradients(gradsAndVars, { globalStep: options.globalStep, name: options.name });
  }

  /** [gradient, variable] pairs of `loss` (gradient undefined for variables it does not depend on). */
  computeGradients(loss: Tensor, options: ComputeGradientsOptions = {}): GradAndVar[] {
    if (typeof loss === 'function') {
      throw new InvalidArgumentError(undefined, undefined, '`loss` passed to Optimizer.computeGradients should be a tensor in graph mode.');
    }
    const gate = options.gateGradients ?? GATE_OP;
    if (gate !== GATE_NONE && gate !== GATE_OP && gate !== GATE_GRAPH) {
      throw new InvalidArgumentError(undefined, undefined,
        `gate_gradients must be one of: Optimizer.GATE_NONE, Optimizer.GATE_OP, Optimizer.GATE_GRAPH.  Not ${String(gate)}`);
    }
    const lossT = convertToTensor(loss);
    this._assertValidDtypes([lossT]);
    let gradLoss: Tensor | undefined;
    if (options.gradLoss !== undefined && options.gradLoss !== null) {
      gradLoss = convertToTensor(options.gradLoss, { dtype: lossT.dtype });
      this._assertValidDtypes([gradLoss]);
    }
    const graph = lossT.graph;
    const varList: Variable[] = options.varList
      ? [...options.varList]
      : graph.asDefault(() => [
        ...trainableVariables(),
        ...graph.getCollection<Variable>(GraphKeys.TRAINABLE_RESOURCE_VARIABLES),
      ]);
    if (varList.length === 0) throw new InvalidArgumentError(undefined, undefined, 'No variables to optimize.');
    let grads: (Tensor | undefined)[] = graph.asDefault(() => gradients(lossT, varList, {
      gradYs: gradLoss ? [gradLoss] : undefined,
      gateGradients: gate === GATE_OP,
      colocateGradientsWithOps: options.colocateGradientsWithOps ?? false,
    }));
    if (gate === GATE_GRAPH) grads = graph.asDefault(() => tuple(grads)) as (Tensor | undefined)[];
    const pairs: GradAndVar[] = varList.map((v, i) => [grads[i], v]);
    this._assertValidDtypes(pairs.filter(([g]) => g !== undefined).map(([, v]) => v));
    return pairs;
  }

  /**
   * Applies the gradients: creates slots, then one update per variable with a gradient
   * ("<name>/update_<var>/Apply..."), grouped into the returned op (named `name`, default the
   * optimizer's name); with `globalStep`, the op is the global step's increment after them.
   */
  applyGradients(gradsAndVars: readonly (readonly [TensorLike | undefined | null, Variable])[],
                 options: ApplyGradientsOptions = {}): Operation {
    const list = [...gradsAndVars];
    if (list.length === 0) throw new InvalidArgumentError(undefined, undefined, 'No variables provided.');
    const converted: [Tensor | undefined, Variable][] = list.map(([g, v]) => {
      if (g === undefined || g === null) return [undefined, v];
      let t: Tensor;
      try {
        t = convertToTensor(g);
      } catch {
        throw new TypeError(`Gradient must be convertible to a Tensor or IndexedSlices, or None: ${String(g)}`);
      }
      return [t, v];
    });
    const varList = converted.filter(([g]) => g !== undefined).map(([, v]) => v);
    if (varList.length === 0) {
      throw new InvalidArgumentError(undefined, undefined,
        `No gradients provided for any variable: ${varsString(converted.map(([, v]) => v))}.`);
    }
    const graph = varList[0].graph;
    return graph.asDefault(() => {
      // TF1's init_scope: slots are created without the enclosing control dependencies.
      graph.controlDependencies(null, () => this._createSlots(varList));
      const updateOps: (Operation | Tensor)[] = [];
      return graph.nameScope(options.name || this._name, (scope) => {
        this._prepare();
        for (const [grad, v] of converted) {
          if (grad === undefined) continue;
          graph.nameScope(`update_${v.op.name}`, () => graph.colocateWith(v.op, () => {
            updateOps.push(this._applyDense(grad, v));
          }));
        }
        let applyUpdates: Operation;
        const globalStep = options.globalStep;
        if (globalStep === undefined || globalStep === null) {
          applyUpdates = this._finish(updateOps, scope);
        } else {
          const finish = this._finish(updateOps, 'update');
          applyUpdates = graph.controlDependencies([finish], () => graph.colocateWith(globalStep.op, () =>
            assignAdd(globalStep, 1, { name: scope }).op));
        }
        const trainOps = graph.getCollectionRef(GraphKeys.TRAIN_OP);
        if (!trainOps.includes(applyUpdates)) trainOps.push(applyUpdates);
        return applyUpdates;
      });
    });
  }

  /** The slot `name` of variable `v` ("m", "v", "momentum", ...), or undefined. */
  getSlot(v: Tensor, name: string): Variable | undefined {
    return this._slots.get(name)?.get(v.op);
  }

  /** Names of the slots this optimizer creates, sorted. */
  getSlotNames(): string[] {
    return [...this._slots.keys()].sort();
  }

  /** The optimizer's variables (slots and non-slot variables) in the default graph, by name. */
  variables(): Variable[] {
    const g = getDefaultGraph();
    const out: Variable[] = [...(this._nonSlotDict.get(g)?.values() ?? [])];
    for (const slots of this._slots.values()) for (const s of slots.values()) if (s.graph === g) out.push(s);
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ---------- for subclasses ----------

  /** Creates the slots of `varList` (called before the update scope opens). */
  protected _createSlots(_varList: Variable[]): void {}

  /** Converts hyper-parameters to tensors (called inside the update scope). */
  protected _prepare(): void {}

  /** The update of `v` by the dense gradient `grad`. */
  protected abstract _applyDense(grad: Tensor, v: Variable): Operation | Tensor;

  /** Groups the updates into the op named `nameScope`. */
  protected _finish(updateOps: (Operation | Tensor)[], nameScope: string): Operation {
    return group(updateOps, { name: nameScope });
  }

  protected _callIfCallable(x: HyperParam): TensorLike {
    return callIfCallable(x);
  }

  protected _assertValidDtypes(tensors: readonly Tensor[]): void {
    for (const t of tensors) {
      if (!VALID_DTYPES.includes(t.dtype)) {
        throw new InvalidArgumentError(undefined, undefined,
          `Invalid type ${t.dtype} for ${t.name}, expected: [${VALID_DTYPES.join(', ')}].`);
      }
    }
  }

  private _slotDict(slotName: string): Map<Operation, Variable> {
    let d = this._slots.get(slotName);
    if (!d) {
      d = new Map();
      this._slots.set(slotName, d);
    }
    return d;
  }

  /** The zero-initialised slot `slotName` of `v`, created as "<v>/<opName>" the first time. */
  protected _zerosSlot(v: Variable, slotName: string, opName: string): Variable {
    const named = this._slotDict(slotName);
    let s = named.get(v.op);
    if (!s) {
      s = createZerosSlot(v, opName);
      named.set(v.op, s);
    }
    return s;
  }

  /** The slot `slotName` of `v`, initialised from `val` the first time. */
  protected _getOrMakeSlot(v: Variable, val: Tensor, slotName: string, opName: string): Variable {
    const named = this._slotDict(slotName);
    let s = named.get(v.op);
    if (!s) {
      s = createSlot(v, val, opName);
      named.set(v.op, s);
    }
    return s;
  }

  /** The slot `slotName` of `v`, initialised by `initializer(shape, dtype)` the first time. */
  protected _getOrMakeSlotWithInitializer(v: Variable, initializer: (shape: number[], dtype: DType) => Tensor,
                                          shape: TensorShape, dtype: DType, slotName: string, opName: string): Variable {
    const named = this._slotDict(slotName);
    let s = named.get(v.op);
    if (!s) {
      s = createSlotWithInitializer(v, initializer, shape, dtype, opName);
      named.set(v.op, s);
    }
    return s;
  }

  /**
   * A variable not tied to one slot (Adam's "beta1_power"): created once per graph, non-trainable,
   * colocated with `colocateWith`, in the current name scope.
   */
  protected _createNonSlotVariable(initialValue: HyperParam, name: string, colocateWith: Variable): Variable {
    const graph = colocateWith.graph;
    let d = this._nonSlotDict.get(graph);
    if (!d) {
      d = new Map();
      this._nonSlotDict.set(graph, d);
    }
    let v = d.get(name);
    if (!v) {
      v = graph.asDefault(() => graph.colocateWith(colocateWith.op, () => {
        const first = graph.version;
        const nv = new Variable(initialValue as TensorLike | (() => TensorLike), {
          name, trainable: false, dtype: typeof initialValue === 'number' ? 'float32' : undefined,
        });
        const groups = colocateWith.op.colocationGroups();
        for (const op of graph.getOperations().slice(first)) op._setAttr('_class', 'list(string)', [...groups]);
        return nv;
      }));
      d.set(name, v);
    }
    return v;
  }

  protected _getNonSlotVariable(name: string, graph?: Graph): Variable | undefined {
    return this._nonSlotDict.get(graph ?? getDefaultGraph())?.get(name);
  }

  /** All non-slot variables, of every graph. */
  protected _nonSlotVariables(): Variable[] {
    const out: Variable[] = [];
    for (const d of this._nonSlotDict.values()) out.push(...d.values());
    return out;
  }
}
