// Tensor: a symbolic handle to one output of an Operation.
import type { DType } from './dtypes.js';
import type { Graph } from './graph.js';
import type { FeedDict, RunHooks } from './session_hooks.js';
import { sessionHooks } from './session_hooks.js';
import type { NDArray } from './ndarray.js';
import type { Operation } from './operation.js';
import { TensorShape, type ShapeLike } from './tensor_shape.js';

export class Tensor {
  readonly op: Operation;
  readonly valueIndex: number;
  readonly dtype: DType;
  private _shape: TensorShape;
  /** @internal consumers in creation order */
  readonly _consumers: Operation[] = [];

  constructor(op: Operation, valueIndex: number, dtype: DType, shape: TensorShape = TensorShape.unknown()) {
    this.op = op;
    this.valueIndex = valueIndex;
    this.dtype = dtype;
    this._shape = shape;
  }

  /** "op_name:index". */
  get name(): string {
    return `${this.op.name}:${this.valueIndex}`;
  }

  get graph(): Graph {
    return this.op.graph;
  }

  get device(): string {
    return this.op.device;
  }

  /** The static shape (TF1's `tensor.shape`). */
  get shape(): TensorShape {
    return this._shape;
  }

  getShape(): TensorShape {
    return this._shape;
  }

  /** Refines the static shape; throws if incompatible with what is known. */
  /** @internal sets the static shape outright, even to a less specific one (loop shape invariants) */
  _resetShape(shape: TensorShape): void {
    this._shape = shape;
  }

  setShape(shape: ShapeLike): void {
    this._shape = this._shape.mergeWith(shape);
  }

  consumers(): Operation[] {
    return [...this._consumers];
  }

  /** Runs the tensor in the default (or given) session and returns its value. */
  eval(options: { feedDict?: FeedDict; session?: unknown } = {}): NDArray {
    return sessionHooks().evalTensor(this, options as RunHooks['options']);
  }

  /**
   * The tensor an op input takes when this value is passed: itself for plain tensors;
   * Variables override it (their read value, or the reference for ref inputs).
   * @internal
   */
  _asInput(_asRef: boolean): Tensor {
    return this;
  }

  toString(): string {
    return `Tensor("${this.name}", shape=${this._shape.toString()}, dtype=${this.dtype})`;
  }
}
