// tf.contrib.layers: fullyConnected, batchNorm, dropout, flatten, l1/l2 regularizers and
// argScope (TF1's contrib/layers/python/layers/layers.py and regularizers.py).
import { Tensor } from './framework/tensor.js';
import { convertToTensor, type TensorLike } from './framework/op_builder.js';
import { GraphKeys } from './framework/collections.js';
import { controlDependencies, nameScope } from './framework/scopes.js';
import * as a from './ops/array_ops.js';
import * as shapeOps from './ops/shape_ops.js';
import * as sliceOps from './ops/slice_ops.js';
import * as m from './ops/math_ops.js';
import { biasAdd, l2Loss, relu, dropout as nnDropout } from './ops/nn_ops.js';
import { Ones, Zeros, xavierInitializer } from './ops/init_ops.js';
import { getVariable, variableScope, type InitializerLike, type Regularizer } from './ops/variable_scope.js';
import type { Variable } from './ops/variables.js';
import { flattenTensor, smartCond } from './layers/core.js';
import { applyBatchNorm } from './layers/normalization.js';

type Fn = (...args: never[]) => unknown;
export type ActivationFn = ((x: Tensor) => Tensor) | null;
export type NormalizerFn = (x: Tensor, params: Record<string, unknown>) => Tensor;

// ---------- argScope ----------

/** The stack of argScope defaults: each entry maps a function to its default options. */
const argStack: Map<Fn, Record<string, unknown>>[] = [new Map()];

/**
 * tf.contrib.framework.arg_scope(listOfFns, kwargs, fn): inside `fn`, calls of the listed
 * functions (fullyConnected, batchNorm, dropout, flatten) take `kwargs` as default options;
 * options given at the call win, inner scopes override outer ones. Returns what `fn` returns.
 */
export function argScope<T>(listOfFns: readonly Fn[], kwargs: Record<string, unknown>, fn: () => T): T {
  const top = new Map(argStack[argStack.length - 1]);
  for (const f of listOfFns) {
    if (typeof f !== 'function') throw new TypeError(`argScope: ${String(f)} is not a function`);
    if (!ARG_SCOPED.has(f)) throw new TypeError(`${f.name} is not decorated with @add_arg_scope`);
    top.set(f, { ...top.get(f), ...kwargs });
  }
  argStack.push(top);
  try {
    return fn();
  } finally {
    argStack.pop();
  }
}

/** The options a call gets: the current argScope defaults for `f`, then the given ones. */
function withDefaults<O extends object>(f: Fn, options: O): O {
  const d = argStack[argStack.length - 1].get(f);
  if (!d) return options;
  const out: Record<string, unknown> = { ...d };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out as O;
}

const modelCollections = (extra?: readonly string[]) => [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES, ...(extra ?? [])];

// ---------- fullyConnected ----------

export interface FullyConnectedOptions {
  /** Default relu; null for none (linear). */
  activationFn?: ActivationFn;
  /** Replaces the biases (e.g. batchNorm), called as normalizerFn(x, normalizerParams). */
  normalizerFn?: NormalizerFn | null;
  normalizerParams?: Record<string, unknown>;
  /** Default xavierInitializer(). */
  weightsInitializer?: InitializerLike;
  weightsRegularizer?: Regularizer | null;
  /** Default zeros; null for no biases. */
  biasesInitializer?: InitializerLike | null;
  biasesRegularizer?: Regularizer | null;
  reuse?: boolean;
  variablesCollections?: readonly string[];
  trainable?: boolean;
  /** Default "fully_connected" (uniquified). */
  scope?: string;
}

/**
 * tf.contrib.layers.fully_connected(inputs, numOutputs, {activationFn, normalizerFn, ...}):
 * variables "<scope>/weights" and "<scope>/biases" (model variables).
 */
export function fullyConnected(inputs: TensorLike, numOutputs: number, options: FullyConnectedOptions = {}): Tensor {
  const o = withDefaults(fullyConnected, options);
  if (!Number.isInteger(numOutputs)) throw new TypeError(`num_outputs should be int or long, got ${numOutputs}.`);
  return variableScope(o.scope ?? null, { defaultName: 'fully_connected', values: [inputs], reuse: o.reuse }, () => {
    const x = convertToTensor(inputs);
    const dims = x.shape.dims;
    const inDim = dims === null ? null : dims[dims.length - 1];
    if (inDim === null || inDim === undefined) throw new TypeError('The last dimension of the inputs to `Dense` should be defined. Found `None`.');
    const trainable = o.trainable ?? true;
    const weights = getVariable('weights', {
      shape: [inDim, numOutputs], dtype: x.dtype, initializer: o.weightsInitializer ?? xavierInitializer(),
      regularizer: o.weightsRegularizer ?? undefined, trainable, collections: modelCollections(o.variablesCollections),
    });
    let out: Tensor;
    if (dims!.length === 2) out = m.matmul(x, weights);
    else {
      out = shapeOps.reshape(m.matmul(shapeOps.reshape(x, [-1, inDim]), weights),
        a.concat([sliceOps.slice(shapeOps.shape(x), [0], [shapeOps.rank(x).sub(1)]), convertToTensor([numOutputs], { dtype: 'int32' })], 0));
      out.setShape([...dims!.slice(0, -1), numOutputs]);
    }
    if (o.normalizerFn) {
      out = o.normalizerFn(out, o.normalizerParams ?? {});
    } else if (o.biasesInitializer !== null) {
      const biases: Variable = getVariable('biases', {
        shape: [numOutputs], dtype: x.dtype, initializer: o.biasesInitializer ?? new Zeros(),
        regularizer: o.biasesRegularizer ?? undefined, trainable, collections: modelCollections(o.variablesCollections),
      });
      out = biasAdd(out, biases);
    }
    const act = o.activationFn === undefined ? relu : o.activationFn;
    return act ? act(out) : out;
  });
}

// ---------- batchNorm ----------

export interface BatchNormOptions {
  /** Moving-average decay (default 0.999). */
  decay?: number;
  /** Add beta (default true). */
  center?: boolean;
  /** Multiply by gamma (default false). */
  scale?: boolean;
  epsilon?: number;
  activationFn?: ActivationFn;
  paramInitializers?: { beta?: InitializerLike; gamma?: InitializerLike; movingMean?: InitializerLike; movingVariance?: InitializerLike };
  paramRegularizers?: { beta?: Regularizer; gamma?: Regularizer };
  /** Collections for the update ops (default [UPDATE_OPS]); null: update in place (control dependencies). */
  updatesCollections?: string | readonly string[] | null;
  /** A bool or a bool tensor (default true). */
  isTraining?: boolean | TensorLike;
  reuse?: boolean;
  variablesCollections?: readonly string[];
  trainable?: boolean;
  /** 'NHWC' (default) or 'NCHW'. */
  dataFormat?: 'NHWC' | 'NCHW';
  fused?: boolean;
  /** Default "BatchNorm" (uniquified). */
  scope?: string;
}

/**
 * tf.contrib.layers.batch_norm(inputs, {decay, center, scale, epsilon, isTraining,
 * updatesCollections, scope, ...}): variables BatchNorm/beta, (gamma), moving_mean,
 * moving_variance; update ops go to updatesCollections, or run before the output when null.
 */
export function batchNorm(inputs: TensorLike, options: BatchNormOptions = {}): Tensor {
  const o = withDefaults(batchNorm, options);
  return variableScope(o.scope ?? null, { defaultName: 'BatchNorm', values: [inputs], reuse: o.reuse }, () => {
    const x = convertToTensor(inputs);
    const rank = x.shape.rank;
    if (rank === null || rank === undefined) throw new TypeError(`Inputs ${x.name} has undefined rank.`);
    const axis = o.dataFormat === 'NCHW' ? 1 : rank - 1;
    const c = x.shape.dims![axis];
    if (c === null) throw new TypeError(`Inputs ${x.name} has undefined channels dimension ${x.shape.toString()}.`);
    const dtype = x.dtype === 'float16' ? 'float32' : x.dtype;
    const trainable = o.trainable ?? true;
    const collections = modelCollections(o.variablesCollections);
    const init = o.paramInitializers ?? {};
    const reg = o.paramRegularizers ?? {};
    const beta = (o.center ?? true)
      ? getVariable('beta', { shape: [c], dtype, initializer: init.beta ?? new Zeros(), regularizer: reg.beta, trainable, collections })
      : undefined;
    const gamma = o.scale
      ? getVariable('gamma', { shape: [c], dtype, initializer: init.gamma ?? new Ones(), regularizer: reg.gamma, trainable, collections })
      : undefined;
    const movingMean = getVariable('moving_mean', { shape: [c], dtype, initializer: init.movingMean ?? new Zeros(), trainable: false, collections });
    const movingVariance = getVariable('moving_variance', {
      shape: [c], dtype, initializer: init.movingVariance ?? new Ones(), trainable: false, collections,
    });
    let { output, updates } = applyBatchNorm(x, axis, { gamma, beta, movingMean, movingVariance }, {
      momentum: o.decay ?? 0.999, epsilon: o.epsilon ?? 0.001, training: o.isTraining ?? true, fused: o.fused,
    });
    if (updates.length) {
      if (o.updatesCollections === null) {
        const y = output;
        output = controlDependencies(updates, () => a.identity(y));
      } else {
        const keys = o.updatesCollections === undefined ? [GraphKeys.UPDATE_OPS]
          : typeof o.updatesCollections === 'string' ? [o.updatesCollections] : o.updatesCollections;
        for (const u of updates) for (const k of keys) u.graph.addToCollection(k, u);
      }
    }
    return o.activationFn ? o.activationFn(output) : output;
  });
}

// ---------- dropout, flatten ----------

export interface ContribDropoutOptions {
  /** Probability of keeping each entry (default 0.5). */
  keepProb?: number;
  noiseShape?: readonly (number | null)[];
  /** A bool or a bool tensor (default true). */
  isTraining?: boolean | TensorLike;
  seed?: number;
  /** Default "Dropout". */
  scope?: string;
}

/** tf.contrib.layers.dropout(inputs, {keepProb, isTraining, noiseShape, scope}): identity when not training. */
export function dropout(inputs: TensorLike, options: ContribDropoutOptions = {}): Tensor {
  const o = withDefaults(dropout, options);
  return variableScope(o.scope ?? null, { defaultName: 'Dropout', values: [inputs] }, () => {
    const x = convertToTensor(inputs);
    const rate = 1 - (o.keepProb ?? 0.5);
    return smartCond(o.isTraining ?? true,
      () => nnDropout(x, { rate, noiseShape: o.noiseShape, seed: o.seed }),
      () => a.identity(x));
  });
}

/** tf.contrib.layers.flatten(inputs, {scope}): [batch, ...] -> [batch, k] under "Flatten/". */
export function flatten(inputs: TensorLike, options: { scope?: string } = {}): Tensor {
  const o = withDefaults(flatten, options);
  return nameScope(o.scope ?? null, { defaultName: 'Flatten', values: [inputs] }, () =>
    nameScope('flatten', () => flattenTensor(convertToTensor(inputs))));
}

const ARG_SCOPED = new Set<Fn>([fullyConnected, batchNorm, dropout, flatten]);

// ---------- regularizers ----------

function checkScale(scale: number): void {
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new TypeError(`scale cannot be an integer: ${String(scale)}`);
  if (scale < 0) throw new RangeError(`Setting a scale less than 0 on a regularizer: ${scale}`);
}

/** tf.contrib.layers.l1_regularizer(scale): w -> scale * sum(|w|) ("l1_regularizer"); scale 0: none. */
export function l1Regularizer(scale: number, scope?: string): Regularizer {
  checkScale(scale);
  if (scale === 0) return () => null;
  return (weights) => nameScope(scope ?? null, { defaultName: 'l1_regularizer', values: [weights] }, (name) => {
    const s = convertToTensor(scale, { dtype: weights.dtype, name: 'scale' });
    return m.mul(s, m.reduceSum(m.abs(weights)), { name });
  });
}

/** tf.contrib.layers.l2_regularizer(scale): w -> scale * sum(w^2) / 2 ("l2_regularizer"); scale 0: none. */
export function l2Regularizer(scale: number, scope?: string): Regularizer {
  checkScale(scale);
  if (scale === 0) return () => null;
  return (weights) => nameScope(scope ?? null, { defaultName: 'l2_regularizer', values: [weights] }, (name) => {
    const s = convertToTensor(scale, { dtype: weights.dtype, name: 'scale' });
    return m.mul(s, l2Loss(weights), { name });
  });
}
