// Operation: a node of the graph.
import type { DType } from './dtypes.js';
import { InvalidArgumentError } from './errors.js';
import type { Graph } from './graph.js';
import type { AttrKind } from './op_registry.js';
import { sessionHooks, type RunHooks } from './session_hooks.js';
import { Tensor } from './tensor.js';
import type { TensorShape } from './tensor_shape.js';

/** An attribute: its kind (how it serialises) and its JS value. */
export interface Attr {
  kind: AttrKind;
  value: unknown;
}

export class Operation {
  readonly graph: Graph;
  readonly name: string;
  readonly type: string;
  /** @internal creation order within the graph (TF's _id). */
  readonly _id: number;
  /** Where the user's code created this op ("file:line:col"). */
  readonly definedAt: string | undefined;
  private readonly _inputs: Tensor[];
  private readonly _controlInputs: Operation[] = [];
  /** @internal ops that take this one as a control input */
  readonly _controlOutputs: Operation[] = [];
  readonly outputs: readonly Tensor[];
  /** @internal */
  readonly _attrs = new Map<string, Attr>();
  private _device = '';
  /** @internal the tf.cond branch or while loop this op was built in (null: top level) */
  _flowContext: import('./graph.js').ControlFlowContext | null = null;

  /** @internal use Graph._createOp */
  constructor(graph: Graph, id: number, name: string, type: string, inputs: Tensor[], outputDtypes: DType[],
              outputShapes: TensorShape[] | undefined, definedAt: string | undefined) {
    this.graph = graph;
    this._id = id;
    this.name = name;
    this.type = type;
    this._inputs = [...inputs];
    this.definedAt = definedAt;
    this.outputs = Object.freeze(outputDtypes.map((dt, i) => new Tensor(this, i, dt, outputShapes?.[i])));
    // Consumers are linked by Graph._createOp once the op is accepted.
  }

  get inputs(): readonly Tensor[] {
    return this._inputs;
  }

  get controlInputs(): readonly Operation[] {
    return this._controlInputs;
  }

  get device(): string {
    return this._device;
  }

  /** @internal */
  _setDevice(device: string): void {
    this._device = device;
  }

  /** @internal */
  _addControlInput(op: Operation): void {
    if (op.graph !== this.graph) throw new InvalidArgumentError(undefined, this, `Control input ${op.name} of ${this.name} is from a different graph`);
    if (!this._controlInputs.includes(op)) {
      this._controlInputs.push(op);
      op._controlOutputs.push(this);
    }
  }

  /** @internal replaces data input i (a while loop's Merge gets its NextIteration input last) */
  _updateInput(i: number, t: Tensor): void {
    const old = this._inputs[i];
    const k = old._consumers.indexOf(this);
    if (k >= 0) old._consumers.splice(k, 1);
    this._inputs[i] = t;
    t._consumers.push(this);
  }

  get inputDtypes(): DType[] {
    return this._inputs.map((t) => t.dtype);
  }

  get outputDtypes(): DType[] {
    return this.outputs.map((t) => t.dtype);
  }

  /** The value of an attr; throws NotFound-like InvalidArgument when absent (TF1's get_attr). */
  getAttr(name: string): unknown {
    const a = this._attrs.get(name);
    if (!a) throw new InvalidArgumentError(undefined, this, `Operation '${this.name}' has no attr named '${name}'.`);
    return a.value;
  }

  hasAttr(name: string): boolean {
    return this._attrs.has(name);
  }

  /** @internal */
  _setAttr(name: string, kind: AttrKind, value: unknown): void {
    this._attrs.set(name, { kind, value });
  }

  get attrNames(): string[] {
    return [...this._attrs.keys()];
  }

  /** Colocation groups (`loc:@name` entries of `_class`, or this op itself). */
  colocationGroups(): string[] {
    const cls = this._attrs.get('_class')?.value as string[] | undefined;
    const groups = cls?.filter((c) => c.startsWith('loc:@'));
    return groups && groups.length > 0 ? groups : [`loc:@${this.name}`];
  }

  /** Runs this operation in the default (or given) session. */
  run(options: RunHooks['options'] = {}): void {
    sessionHooks().runOperation(this, options);
  }

  toString(): string {
    return `<tf.Operation '${this.name}' type=${this.type}>`;
  }
}
