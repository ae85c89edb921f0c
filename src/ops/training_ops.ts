// The optimizers' fused update ops (TF1's gen_training_ops): each takes the variable and its
// slot variables by reference, the hyper-parameters as scalars and the gradient, updates them
// in place and outputs the variable's reference. Kernels: native/kernels/cpu/training_ops.cc.
import { mergeShapes, withRank } from '../framework/common_shapes.js';
import type { DType } from '../framework/dtypes.js';
import { applyOp1, type TensorLike } from '../framework/op_builder.js';
import { registerOp, type ArgDef } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import type { Tensor } from '../framework/tensor.js';

const APPLY_DTYPES: readonly DType[] = ['float32', 'float64'];

type Kind = 'ref' | 'scalar' | 'grad';

/** Registers an Apply op: `args` in input order, each a reference, a scalar or the gradient. */
function registerApply(type: string, args: [string, Kind][], extraAttrs: Record<string, boolean> = {}): void {
  const inputs: ArgDef[] = args.map(([name, kind]) => (kind === 'ref'
    ? { name, typeAttr: 'T', isRef: true }
    : { name, typeAttr: 'T' }));
  const attrs: Record<string, { kind: 'type' | 'bool'; default?: unknown; allowed?: readonly DType[] }> = {
    T: { kind: 'type', allowed: APPLY_DTYPES },
    use_locking: { kind: 'bool', default: false },
  };
  for (const [k, v] of Object.entries(extraAttrs)) attrs[k] = { kind: 'bool', default: v };
  registerOp({
    type,
    inputs,
    outputs: [{ name: 'out', typeAttr: 'T', isRef: true }],
    attrs,
    // The output has the variable's shape; slots and the gradient must be compatible with it,
    // hyper-parameters must be scalars (checked in input order, as TF does).
    shape: (op: Operation) => {
      let s = op.inputs[0].shape;
      args.forEach(([, kind], i) => {
        if (i === 0) return;
        if (kind === 'scalar') withRank(op.inputs[i].shape, 0);
        else s = mergeShapes(s, op.inputs[i].shape);
      });
      return [s];
    },
  });
}

registerApply('ApplyGradientDescent', [['var', 'ref'], ['alpha', 'scalar'], ['delta', 'grad']]);
registerApply('ApplyMomentum', [['var', 'ref'], ['accum', 'ref'], ['lr', 'scalar'], ['grad', 'grad'], ['momentum', 'scalar']],
  { use_nesterov: false });
registerApply('ApplyAdagrad', [['var', 'ref'], ['accum', 'ref'], ['lr', 'scalar'], ['grad', 'grad']], { update_slots: true });
registerApply('ApplyAdadelta', [['var', 'ref'], ['accum', 'ref'], ['accum_update', 'ref'], ['lr', 'scalar'], ['rho', 'scalar'],
  ['epsilon', 'scalar'], ['grad', 'grad']]);
registerApply('ApplyRMSProp', [['var', 'ref'], ['ms', 'ref'], ['mom', 'ref'], ['lr', 'scalar'], ['rho', 'scalar'],
  ['momentum', 'scalar'], ['epsilon', 'scalar'], ['grad', 'grad']]);
registerApply('ApplyCenteredRMSProp', [['var', 'ref'], ['mg', 'ref'], ['ms', 'ref'], ['mom', 'ref'], ['lr', 'scalar'],
  ['rho', 'scalar'], ['momentum', 'scalar'], ['epsilon', 'scalar'], ['grad', 'grad']]);
registerApply('ApplyAdam', [['var', 'ref'], ['m', 'ref'], ['v', 'ref'], ['beta1_power', 'scalar'], ['beta2_power', 'scalar'],
  ['lr', 'scalar'], ['beta1', 'scalar'], ['beta2', 'scalar'], ['epsilon', 'scalar'], ['grad', 'grad']], { use_nesterov: false });
registerApply('ApplyAdaMax', [['var', 'ref'], ['m', 'ref'], ['v', 'ref'], ['beta1_power', 'scalar'], ['lr', 'scalar'],
  ['beta1', 'scalar'], ['beta2', 'scalar'], ['epsilon', 'scalar'], ['grad', 'grad']]);
registerApply('ApplyFtrl', [['var', 'ref'], ['accum', 'ref'], ['linear', 'ref'], ['grad', 'grad'], ['lr', 'scalar'],
  ['l1', 'scalar'], ['l2', 'scalar'], ['lr_power', 'scalar']]);
registerApply('ApplyFtrlV2', [['var', 'ref'], ['accum', 'ref'], ['linear', 'ref'], ['grad', 'grad'], ['lr', 'scalar'],
  ['l1', 'scalar'], ['l2', 'scalar'], ['l2_shrinkage', 'scalar'], ['lr_power', 'scalar']]);

// ---------- op functions (gen_training_ops) ----------

export interface ApplyOptions {
  /** Hold the variables' locks during the update (default false). */
  useLocking?: boolean;
  name?: string;
}

export interface ApplyNesterovOptions extends ApplyOptions {
  useNesterov?: boolean;
}

/** var -= alpha * delta. */
export function applyGradientDescent(v: Tensor, alpha: TensorLike, delta: TensorLike, options: ApplyOptions = {}): Tensor {
  return applyOp1('ApplyGradientDescent', [v, alpha, delta], { use_locking: options.useLocking }, options.name);
}

/** accum = accum * momentum + grad; var -= lr * accum (Nesterov: var -= grad * lr + accum * momentum * lr). */
export function applyMomentum(v: Tensor, accum: Tensor, lr: TensorLike, grad: TensorLike, momentum: TensorLike,
                              options: ApplyNesterovOptions = {}): Tensor {
  return applyOp1('ApplyMomentum', [v, accum, lr, grad, momentum],
    { use_locking: options.useLocking, use_nesterov: options.useNesterov }, options.name);
}

/** accum += grad^2; var -= lr * grad / sqrt(accum). */
export function applyAdagrad(v: Tensor, accum: Tensor, lr: TensorLike, grad: TensorLike,
                             options: ApplyOptions & { updateSlots?: boolean } = {}): Tensor {
  return applyOp1('ApplyAdagrad', [v, accum, lr, grad],
    { use_locking: options.useLocking, update_slots: options.updateSlots }, options.name);
}

export function applyAdadelta(v: Tensor, accum: Tensor, accumUpdate: Tensor, lr: TensorLike, rho: TensorLike,
                              epsilon: TensorLike, grad: TensorLike, options: ApplyOptions = {}): Tensor {
  return applyOp1('ApplyAdadelta', [v, accum, accumUpdate, lr, rho, epsilon, grad], { use_locking: options.useLocking }, options.name);
}

export function applyRMSProp(v: Tensor, ms: Tensor, mom: Tensor, lr: TensorLike, rho: TensorLike, momentum: TensorLike,
                             epsilon: TensorLike, grad: TensorLike, options: ApplyOptions = {}): Tensor {
  return applyOp1('ApplyRMSProp', [v, ms, mom, lr, rho, momentum, epsilon, grad], { use_locking: options.useLocking }, options.name);
}

export function applyCenteredRMSProp(v: Tensor, mg: Tensor, ms: Tensor, mom: Tensor, lr: TensorLike, rho: TensorLike,
                                     momentum: TensorLike, epsilon: TensorLike, grad: TensorLike, options: ApplyOptions = {}): Tensor {
  return applyOp1('ApplyCenteredRMSProp', [v, mg, ms, mom, lr, rho, momentum, epsilon, grad],
    { use_locking: options.useLocking }, options.name);
}

export function applyAdam(v: Tensor, m: Tensor, vv: Tensor, beta1Power: TensorLike, beta2Power: TensorLike, lr: TensorLike,
                          beta1: TensorLike, beta2: TensorLike, epsilon: TensorLike, grad: TensorLike,
                          options: ApplyNesterovOptions = {}): Tensor {
  return applyOp1('ApplyAdam', [v, m, vv, beta1Power, beta2Power, lr, beta1, beta2, epsilon, grad],
    { use_locking: options.useLocking, use_nesterov: options.useNesterov }, options.name);
}

export function applyAdaMax(v: Tensor, m: Tensor, vv: Tensor, beta1Power: TensorLike, lr: TensorLike, beta1: TensorLike,
                            beta2: TensorLike, epsilon: TensorLike, grad: TensorLike, options: ApplyOptions = {}): Tensor {
  return applyOp1('ApplyAdaMax', [v, m, vv, beta1Power, lr, beta1, beta2, epsilon, grad], { use_locking: options.useLocking }, options.name);
}

export function applyFtrl(v: Tensor, accum: Tensor, linear: Tensor, grad: TensorLike, lr: TensorLike, l1: TensorLike,
                          l2: TensorLike, lrPower: TensorLike, options: ApplyOptions = {}): Tensor {
  return applyOp1('ApplyFtrl', [v, accum, linear, grad, lr, l1, l2, lrPower], { use_locking: options.useLocking }, options.name);
}

export function applyFtrlV2(v: Tensor, accum: Tensor, linear: Tensor, grad: TensorLike, lr: TensorLike, l1: TensorLike,
                            l2: TensorLike, l2Shrinkage: TensorLike, lrPower: TensorLike, options: ApplyOptions = {}): Tensor {
  return applyOp1('ApplyFtrlV2', [v, accum, linear, grad, lr, l1, l2, l2Shrinkage, lrPower],
    { use_locking: options.useLocking }, options.name);
}
