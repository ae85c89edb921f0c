// Clipping ops of TF1 (python/ops/clip_ops.py), composed from math and array ops with TF1's
// formulas and name scopes: clip_by_value, clip_by_norm, global_norm, clip_by_global_norm,
// clip_by_average_norm.
import { InvalidArgumentError } from '../framework/errors.js';
import { constant, convertToTensor, type TensorLike } from '../framework/op_builder.js';
import { colocateWith, nameScope } from '../framework/scopes.js';
import { Tensor } from '../framework/tensor.js';
import { identity, onesLike, range, stack, where, type NameOption } from './array_ops.js';
import { rank, size } from './shape_ops.js';
import * as m from './math_ops.js';

function valueError(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

/** TF1's `values.shape.merge_with(result.shape)`: clipping must not broadcast `t` to a larger shape. */
function checkNotBroadcast(values: Tensor, result: Tensor): void {
  if (!values.shape.isCompatibleWith(result.shape)) {
    throw valueError(`Shapes ${values.shape.toString()} and ${result.shape.toString()} are not compatible`);
  }
}

/**
 * tf.clip_by_value(t, min, max): Minimum(t, max) then Maximum(·, min) (name scope
 * "clip_by_value"; the result is the Maximum named by the scope). Min/max may be scalars or
 * tensors broadcastable to t, but may not broadcast t to a larger shape.
 */
export function clipByValue(t: TensorLike, clipValueMin: TensorLike, clipValueMax: TensorLike, options: NameOption = {}): Tensor {
  return nameScope(options.name ?? null, { defaultName: 'clip_by_value', values: [t, clipValueMin, clipValueMax] }, (scope) => {
    const values = convertToTensor(t, { name: 't' });
    const tMin = m.minimum(values, clipValueMax);
    checkNotBroadcast(values, tMin);
    const tMax = m.maximum(tMin, clipValueMin, { name: scope });
    checkNotBroadcast(values, tMax);
    return tMax;
  });
}

export interface ClipByNormOptions {
  /** Axes over which the L2 norm is taken (all when undefined): each slice is clipped on its own. */
  axes?: TensorLike;
  name?: string;
}

/**
 * tf.clip_by_norm(t, clipNorm, {axes}): `t * clipNorm / max(l2norm(t), clipNorm)`, the norm
 * over `axes` (kept as size-1 dims) and guarded against a zero norm by the two Selects of
 * TF1 (so its gradient has no NaN). Name scope "clip_by_norm"; the result is an Identity
 * named by the scope.
 */
export function clipByNorm(t: TensorLike, clipNorm: TensorLike, options: ClipByNormOptions = {}): Tensor {
  return nameScope(options.name ?? null, { defaultName: 'clip_by_norm', values: [t, clipNorm] }, (scope) => {
    const values = convertToTensor(t, { name: 't' });
    // Calculate the L2 norm, then clip elements by the ratio of clipNorm to it.
    const l2sum = m.reduceSum(values.mul(values), { axis: options.axes, keepDims: true });
    const pred = l2sum.gt(0);
    // Two-tap Select trick to bypass NaN gradients.
    const l2sumSafe = where(pred, l2sum, onesLike(l2sum));
    const l2norm = where(pred, m.sqrt(l2sumSafe), l2sum);
    const intermediate = values.mul(clipNorm);
    checkNotBroadcast(values, intermediate);
    return identity(intermediate.div(m.maximum(l2norm, clipNorm)), { name: scope });
  });
}

/** Converts the non-missing entries of a tensor list ("t_0", "t_1", ...), keeping undefined/null ones. */
function convertList(tList: readonly (TensorLike | null | undefined)[]): (Tensor | undefined)[] {
  return tList.map((t, i) => (t === undefined || t === null ? undefined : convertToTensor(t, { name: `t_${i}` })));
}

function checkSequence(tList: unknown): void {
  if (!Array.isArray(tList)) throw new TypeError('t_list should be a sequence');
}

/**
 * tf.global_norm(tList): sqrt(sum of the squared L2 norms of all tensors), skipping
 * undefined/null entries (name scope "global_norm"; the result is "global_norm/global_norm").
 * TF1 sums half squared norms from L2Loss and multiplies by 2; this sums the squares with
 * Square and Sum (L2Loss is an nn op not registered here).
 */
export function globalNorm(tList: readonly (TensorLike | null | undefined)[], options: NameOption = {}): Tensor {
  checkSequence(tList);
  const present = tList.filter((t) => t !== undefined && t !== null) as TensorLike[];
  return nameScope(options.name ?? null, { defaultName: 'global_norm', values: present }, () => {
    const values = convertList(tList);
    const squaredNorms: Tensor[] = [];
    for (const v of values) {
      if (v === undefined) continue;
      squaredNorms.push(colocateWith(v.op, () => nameScope('L2Loss', () => m.reduceSum(m.square(v)))));
    }
    if (squaredNorms.length === 0) throw valueError('global_norm needs at least one tensor');
    const squaredNorm = m.reduceSum(stack(squaredNorms));
    return m.sqrt(squaredNorm, { name: 'global_norm' });
  });
}

export interface ClipByGlobalNormOptions {
  /** A precomputed global norm to use (default: globalNorm(tList)). */
  useNorm?: TensorLike;
  name?: string;
}

/**
 * tf.clip_by_global_norm(tList, clipNorm, {useNorm}): every tensor times
 * `clipNorm / max(globalNorm, clipNorm)` (NaN when the norm is not finite), undefined/null
 * entries kept. Returns [clipped list, global norm]. Name scope "clip_by_global_norm"; the
 * clipped tensors are Identities named as TF1 names them, "clip_by_global_norm/clip_by_global_norm/_<i>".
 */
export function clipByGlobalNorm(tList: readonly (TensorLike | null | undefined)[], clipNorm: TensorLike,
                                 options: ClipByGlobalNormOptions = {}): [(Tensor | undefined)[], Tensor] {
  checkSequence(tList);
  const present = tList.filter((t) => t !== undefined && t !== null) as TensorLike[];
  const useNorm = options.useNorm !== undefined && options.useNorm !== null
    ? convertToTensor(options.useNorm)
    : globalNorm(tList, { name: options.name });
  return nameScope(options.name ?? null, { defaultName: 'clip_by_global_norm', values: [...present, clipNorm] }, (scope) => {
    const dtype = useNorm.dtype;
    // Calculate the L2 norm, clip elements by the ratio of clipNorm to it.
    const cn = clipNorm instanceof Tensor ? clipNorm : convertToTensor(clipNorm, { dtype, name: 'clip_norm' });
    const scaleForFinite = cn.mul(m.minimum(constant(1.0, { dtype }).div(useNorm), constant(1.0, { dtype }).div(cn)));
    // NaN when the norm is not finite.
    const scale = where(m.isFinite(useNorm), scaleForFinite, constant(NaN, { dtype }));
    const values = convertList(tList);
    const clipped = values.map((v, i) => {
      if (v === undefined) return undefined;
      // TF1's name "%s_%d" % (name, i) with name the scope "clip_by_global_norm/", relative to
      // that scope: "clip_by_global_norm/clip_by_global_norm/_0".
      return colocateWith(v.op, () => identity(v.mul(scale), { name: `${scope}_${i}` }));
    });
    return [clipped, useNorm] as [(Tensor | undefined)[], Tensor];
  });
}

/**
 * tf.clip_by_average_norm(t, clipNorm): `t * clipNorm / max(l2norm(t) / size(t), clipNorm)`,
 * written as TF1 does with rsqrt (name scope "clip_by_average_norm"; the result is an
 * Identity named by the scope). TF1 casts size(t) to float32, so t must be float32 there;
 * here the size is cast to t's dtype.
 */
export function clipByAverageNorm(t: TensorLike, clipNorm: TensorLike, options: NameOption = {}): Tensor {
  return nameScope(options.name ?? null, { defaultName: 'clip_by_average_norm', values: [t, clipNorm] }, (scope) => {
    const tt = convertToTensor(t, { name: 't' });
    // The L2 norm per element; clip elements by the ratio of clipNorm to it.
    const nElement = m.cast(size(tt), tt.dtype);
    const l2normInv = m.rsqrt(m.reduceSum(tt.mul(tt), { axis: range(rank(tt)) }));
    const cn = clipNorm instanceof Tensor ? clipNorm : convertToTensor(clipNorm, { dtype: tt.dtype });
    const tclip = identity(tt.mul(cn).mul(m.minimum(l2normInv.mul(nElement), constant(1.0, { dtype: tt.dtype }).div(cn))), { name: scope });
    return tclip;
  });
}
