// tf.layers.batch_normalization and BatchNormalization (TF1's keras-based v1 layer): variables
// gamma, beta, moving_mean, moving_variance; in training the batch statistics normalise and
// moving_* move towards them by (1 - momentum) through update ops in UPDATE_OPS.
import { Tensor } from '../framework/tensor.js';
import { constant, convertToTensor, type TensorLike } from '../framework/op_builder.js';
import { constantValue } from '../framework/constant_value.js';
import { GraphKeys } from '../framework/collections.js';
import { nameScope } from '../framework/scopes.js';
import * as a from '../ops/array_ops.js';
import * as shapeOps from '../ops/shape_ops.js';
import * as m from '../ops/math_ops.js';
import { moments } from '../ops/nn_ops.js';
import { batchNormalization as nnBatchNormalization, fusedBatchNorm } from '../ops/nn_conv_ops.js';
import { assignSub } from '../ops/state_ops.js';
import { Ones, Zeros } from '../ops/init_ops.js';
import type { InitializerLike, Regularizer } from '../ops/variable_scope.js';
import type { Variable } from '../ops/variables.js';
import { Layer, type LayerOptions } from './base.js';
import { smartCond } from './core.js';

export interface BatchNormalizationOptions extends LayerOptions {
  /** The features axis (default -1). */
  axis?: number;
  /** Default 0.99. */
  momentum?: number;
  /** Default 0.001. */
  epsilon?: number;
  /** Add beta (default true). */
  center?: boolean;
  /** Multiply by gamma (default true). */
  scale?: boolean;
  betaInitializer?: InitializerLike;
  gammaInitializer?: InitializerLike;
  movingMeanInitializer?: InitializerLike;
  movingVarianceInitializer?: InitializerLike;
  betaRegularizer?: Regularizer | null;
  gammaRegularizer?: Regularizer | null;
  /** A bool or a bool tensor (default false: the moving statistics). */
  training?: boolean | TensorLike;
  /** Use FusedBatchNormV3 for 4-D NHWC float32 inputs (default: when possible). */
  fused?: boolean;
}

/** The variables one batch normalisation uses. */
export interface BatchNormVariables {
  gamma?: Variable;
  beta?: Variable;
  movingMean: Variable;
  movingVariance: Variable;
}

export interface BatchNormResult {
  output: Tensor;
  /** The moving-average updates (AssignSub tensors), empty when training is false. */
  updates: Tensor[];
}

/**
 * @internal the normalisation shared by tf.layers and tf.contrib.layers: normalises along
 * `axis` with the batch statistics (training), the moving ones (not), or either by `training`'s
 * value; returns the output and the moving-average update ops (decay = 1 - momentum).
 */
export function applyBatchNorm(x: Tensor, axis: number, vars: BatchNormVariables, o: {
  momentum: number; epsilon: number; training: boolean | TensorLike; fused?: boolean;
}): BatchNormResult {
  const rank = x.shape.rank;
  if (rank === null || rank === undefined) throw new TypeError(`Input has undefined rank: ${x.shape.toString()}`);
  const ax = axis < 0 ? axis + rank : axis;
  const fused = (o.fused ?? true) && rank === 4 && ax === 3 && x.dtype === 'float32';
  const reduction = [...Array(rank).keys()].filter((i) => i !== ax);
  // Broadcast [C] parameters against x when the axis is not the last one.
  const bshape = [...Array(rank).keys()].map((i) => (i === ax ? -1 : 1));
  const bc = (t: Tensor | undefined) => (t === undefined || ax === rank - 1 ? t : shapeOps.reshape(t, bshape));
  const channels = x.shape.dims![ax];
  const ones = () => vars.gamma ?? constant(1, { dtype: x.dtype, shape: [channels ?? 0] });
  const zeros = () => vars.beta ?? constant(0, { dtype: x.dtype, shape: [channels ?? 0] });
  const onesOf = () => vars.gamma ?? a.onesLike(vars.movingMean);
  const zerosOf = () => vars.beta ?? a.zerosLike(vars.movingMean);

  const trainBranch = (): [Tensor, Tensor, Tensor] => {
    if (fused) {
      const [y, mean, variance] = fusedBatchNorm(x, channels === null ? onesOf() : ones(), channels === null ? zerosOf() : zeros(),
        { epsilon: o.epsilon, isTraining: true });
      return [y, mean, variance];
    }
    const [mean, variance] = moments(x, reduction);
    const y = nnBatchNormalization(x, bc(mean)!, bc(variance)!, bc(vars.beta), bc(vars.gamma), o.epsilon);
    return [y, mean, variance];
  };
  const inferBranch = (): Tensor => {
    if (fused) {
      return fusedBatchNorm(x, onesOf(), zerosOf(), {
        mean: vars.movingMean, variance: vars.movingVariance, epsilon: o.epsilon, isTraining: false,
      })[0];
    }
    return nnBatchNormalization(x, bc(vars.movingMean)!, bc(vars.movingVariance)!, bc(vars.beta), bc(vars.gamma), o.epsilon);
  };

  let training: boolean | Tensor;
  if (typeof o.training === 'boolean') training = o.training;
  else {
    const t = convertToTensor(o.training, { dtype: 'bool' });
    const v = constantValue(t);
    training = v && v.size === 1 ? Boolean(v.flatGet(0)) : t;
  }
  if (training === false) return { output: inferBranch(), updates: [] };
  const [yTrain, mean, variance] = trainBranch();
  let output = yTrain;
  let decay: number | Tensor = 1 - o.momentum;
  if (training instanceof Tensor) {
    output = smartCond(training, () => a.identity(yTrain), inferBranch);
    // Not training: decay 0 leaves the moving statistics as they are (TF1 uses momentum 1 there).
    decay = m.cast(training, x.dtype).mul(1 - o.momentum);
  }
  const updates = [
    assignMovingAverage(vars.movingMean, mean, decay),
    assignMovingAverage(vars.movingVariance, variance, decay),
  ];
  return { output, updates };
}

/** TF1's _assign_moving_average: variable -= (variable - value) * decay, under "AssignMovingAvg". */
function assignMovingAverage(variable: Variable, value: Tensor, decay: number | Tensor): Tensor {
  return nameScope(null, { defaultName: 'AssignMovingAvg', values: [variable, value] }, (scope) => {
    const d = decay instanceof Tensor ? decay : convertToTensor(decay, { dtype: variable.dtype, name: 'decay' });
    const delta = m.sub(variable, value.dtype === variable.dtype ? value : m.cast(value, variable.dtype)).mul(d);
    return assignSub(variable, delta, { name: scope });
  });
}

/** tf.layers.BatchNormalization. */
export class BatchNormalization extends Layer {
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly options: BatchNormalizationOptions;
  gamma: Variable | undefined;
  beta: Variable | undefined;
  movingMean: Variable | undefined;
  movingVariance: Variable | undefined;

  constructor(options: BatchNormalizationOptions = {}) {
    super(options);
    this.axis = options.axis ?? -1;
    this.momentum = options.momentum ?? 0.99;
    this.epsilon = options.epsilon ?? 0.001;
    this.center = options.center ?? true;
    this.scale = options.scale ?? true;
    this.options = options;
  }

  protected get baseName(): string {
    return 'batch_normalization';
  }

  protected build(inputs: Tensor): void {
    const rank = inputs.shape.rank;
    if (rank === null || rank === undefined) throw new TypeError(`Input has undefined rank: ${inputs.shape.toString()}`);
    const ax = this.axis < 0 ? this.axis + rank : this.axis;
    const c = inputs.shape.dims![ax];
    if (ax < 0 || ax >= rank) throw new TypeError(`Invalid axis: ${this.axis}`);
    if (c === null) throw new TypeError(`Input has undefined \`axis\` dimension. Input shape: ${inputs.shape.toString()}`);
    const dtype = inputs.dtype === 'float16' ? 'float32' : inputs.dtype;
    const o = this.options;
    if (this.scale) {
      this.gamma = this.addWeight('gamma', { shape: [c], initializer: o.gammaInitializer ?? new Ones(), regularizer: o.gammaRegularizer, dtype });
    }
    if (this.center) {
      this.beta = this.addWeight('beta', { shape: [c], initializer: o.betaInitializer ?? new Zeros(), regularizer: o.betaRegularizer, dtype });
    }
    this.movingMean = this.addWeight('moving_mean', { shape: [c], initializer: o.movingMeanInitializer ?? new Zeros(), trainable: false, dtype });
    this.movingVariance = this.addWeight('moving_variance', {
      shape: [c], initializer: o.movingVarianceInitializer ?? new Ones(), trainable: false, dtype,
    });
  }

  protected call(inputs: Tensor, training?: unknown): Tensor {
    const { output, updates } = applyBatchNorm(inputs, this.axis, {
      gamma: this.gamma, beta: this.beta, movingMean: this.movingMean!, movingVariance: this.movingVariance!,
    }, {
      momentum: this.momentum, epsilon: this.epsilon, fused: this.options.fused,
      training: (training ?? this.options.training ?? false) as boolean | TensorLike,
    });
    for (const u of updates) {
      this.updates.push(u);
      u.graph.addToCollection(GraphKeys.UPDATE_OPS, u);
    }
    return output;
  }
}

/**
 * tf.layers.batch_normalization(inputs, {axis, momentum, epsilon, center, scale, training,
 * name, ...}): the moving-average updates go to tf.GraphKeys.UPDATE_OPS.
 */
export function batchNormalization(inputs: TensorLike, options: BatchNormalizationOptions = {}): Tensor {
  return new BatchNormalization(options).apply(convertToTensor(inputs), options.training);
}
