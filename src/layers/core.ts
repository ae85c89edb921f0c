// tf.layers.dense / dropout / flatten and their classes (TF1's tf.layers core layers).
import { Tensor } from '../framework/tensor.js';
import { convertToTensor, type TensorLike } from '../framework/op_builder.js';
import { constantValue } from '../framework/constant_value.js';
import { GraphKeys } from '../framework/collections.js';
import { nameScope } from '../framework/scopes.js';
import * as a from '../ops/array_ops.js';
import * as shapeOps from '../ops/shape_ops.js';
import * as sliceOps from '../ops/slice_ops.js';
import * as m from '../ops/math_ops.js';
import { biasAdd, dropout as nnDropout } from '../ops/nn_ops.js';
import { cond } from '../ops/cond.js';
import { Zeros } from '../ops/init_ops.js';
import type { InitializerLike, Regularizer } from '../ops/variable_scope.js';
import type { Variable } from '../ops/variables.js';
import { Layer, type LayerOptions } from './base.js';

export type Activation = ((x: Tensor, options?: { name?: string }) => Tensor) | null | undefined;

export interface DenseOptions extends LayerOptions {
  activation?: Activation;
  useBias?: boolean;
  /** Default glorotUniform (getVariable's default for floats). */
  kernelInitializer?: InitializerLike;
  /** Default zeros. */
  biasInitializer?: InitializerLike;
  kernelRegularizer?: Regularizer | null;
  biasRegularizer?: Regularizer | null;
  /** Its result on the output goes to REGULARIZATION_LOSSES. */
  activityRegularizer?: Regularizer | null;
}

/** tf.layers.Dense: outputs = activation(inputs · kernel + bias). */
export class Dense extends Layer {
  readonly units: number;
  readonly options: DenseOptions;
  kernel: Variable | undefined;
  bias: Variable | undefined;

  constructor(units: number, options: DenseOptions = {}) {
    super(options);
    if (!Number.isInteger(units) || units <= 0) throw new TypeError(`units must be a positive integer, got ${units}`);
    this.units = units;
    this.options = options;
  }

  protected get baseName(): string {
    return 'dense';
  }

  protected build(inputs: Tensor): void {
    const last = inputs.shape.dims === null ? null : inputs.shape.dims[inputs.shape.dims.length - 1];
    if (last === null || last === undefined) {
      throw new TypeError('The last dimension of the inputs to `Dense` should be defined. Found `None`.');
    }
    this.kernel = this.addWeight('kernel', {
      shape: [last, this.units], initializer: this.options.kernelInitializer, regularizer: this.options.kernelRegularizer,
      dtype: inputs.dtype,
    });
    if (this.options.useBias ?? true) {
      this.bias = this.addWeight('bias', {
        shape: [this.units], initializer: this.options.biasInitializer ?? new Zeros(), regularizer: this.options.biasRegularizer,
        dtype: inputs.dtype,
      });
    }
  }

  protected call(inputs: Tensor): Tensor {
    const dims = inputs.shape.dims;
    let out: Tensor;
    if (dims !== null && dims.length === 2) {
      out = m.matmul(inputs, this.kernel!);
    } else {
      // Rank > 2: contract the last axis (TF1's tensordot), via a 2-D reshape.
      const inDim = this.kernel!.shape.dims![0] as number;
      const flat = shapeOps.reshape(inputs, [-1, inDim]);
      const prod = m.matmul(flat, this.kernel!);
      const lead = sliceOps.slice(shapeOps.shape(inputs), [0], [shapeOps.rank(inputs).sub(1)]);
      out = shapeOps.reshape(prod, a.concat([lead, convertToTensor([this.units], { dtype: 'int32' })], 0));
      if (dims !== null) out.setShape([...dims.slice(0, -1), this.units]);
    }
    if (this.bias) out = biasAdd(out, this.bias);
    if (this.options.activation) out = this.options.activation(out);
    const ar = this.options.activityRegularizer;
    if (ar) {
      const y = out;
      const loss = nameScope('ActivityRegularizer', () => ar(y));
      if (loss) out.graph.addToCollection(GraphKeys.REGULARIZATION_LOSSES, loss);
    }
    return out;
  }
}

/** tf.layers.dense(inputs, units, {activation, name, ...}): variables <name>/kernel and <name>/bias. */
export function dense(inputs: TensorLike, units: number, options: DenseOptions = {}): Tensor {
  return new Dense(units, options).apply(convertToTensor(inputs));
}

export interface DropoutLayerOptions extends LayerOptions {
  /** Fraction of entries dropped (default 0.5). */
  rate?: number;
  noiseShape?: readonly (number | null)[];
  seed?: number;
  /** A bool or a bool tensor (default false: identity). */
  training?: boolean | TensorLike;
}

/** tf.layers.Dropout: drops `rate` of the entries (scaling the rest by 1/(1-rate)) when training. */
export class Dropout extends Layer {
  readonly rate: number;
  readonly options: DropoutLayerOptions;

  constructor(options: DropoutLayerOptions = {}) {
    super(options);
    this.rate = options.rate ?? 0.5;
    this.options = options;
  }

  protected get baseName(): string {
    return 'dropout';
  }

  protected build(): void {}

  protected call(inputs: Tensor, training?: unknown): Tensor {
    const t = (training ?? this.options.training ?? false) as boolean | TensorLike;
    const dropped = () => nnDropout(inputs, { rate: this.rate, noiseShape: this.options.noiseShape, seed: this.options.seed });
    const kept = () => a.identity(inputs);
    return smartCond(t, dropped, kept);
  }
}

/** tf.layers.dropout(inputs, {rate, training, noiseShape, seed, name}). */
export function dropout(inputs: TensorLike, options: DropoutLayerOptions = {}): Tensor {
  return new Dropout(options).apply(convertToTensor(inputs), options.training);
}

/** tf.layers.Flatten: [batch, ...] -> [batch, prod(...)]. */
export class Flatten extends Layer {
  protected get baseName(): string {
    return 'flatten';
  }

  protected build(): void {}

  protected call(inputs: Tensor): Tensor {
    return flattenTensor(inputs);
  }
}

/** tf.layers.flatten(inputs, {name}). */
export function flatten(inputs: TensorLike, options: LayerOptions = {}): Tensor {
  return new Flatten(options).apply(convertToTensor(inputs));
}

/** Reshape to [batch, rest]; uses the static shape when the non-batch dims are known. */
export function flattenTensor(inputs: Tensor): Tensor {
  const dims = inputs.shape.dims;
  if (dims !== null && dims.slice(1).every((d) => d !== null)) {
    const rest = (dims.slice(1) as number[]).reduce((p, d) => p * d, 1);
    const out = shapeOps.reshape(inputs, [-1, rest]);
    out.setShape([dims[0], rest]);
    return out;
  }
  const batch = sliceOps.slice(shapeOps.shape(inputs), [0], [1]);
  return shapeOps.reshape(inputs, a.concat([batch, convertToTensor([-1], { dtype: 'int32' })], 0));
}

/** TF1's smart_cond: a JS bool or a constant tensor picks a branch now, else tf.cond. */
export function smartCond<T>(pred: boolean | TensorLike, trueFn: () => T, falseFn: () => T): T {
  if (typeof pred === 'boolean') return pred ? trueFn() : falseFn();
  if (pred instanceof Tensor) {
    const v = constantValue(pred);
    if (v && v.size === 1) return v.flatGet(0) ? trueFn() : falseFn();
    return cond(pred, trueFn, falseFn);
  }
  return Boolean(pred) ? trueFn() : falseFn();
}
