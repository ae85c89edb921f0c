// Gradients of the tf.nn ops, written as TF 1.15's python/ops/nn_grad.py writes them (the same
// ops under the same names): activations through their fused *Grad ops (and those ops' own
// gradients, for second derivatives), softmax / log-softmax from their outputs, BiasAdd through
// BiasAddGrad, the fused cross-entropies from their backprop output, TopKV2 by scattering the
// gradient back to the selected positions. InTopK(V2) are not differentiable.
import { constantValue } from '../framework/constant_value.js';
import { NotFoundError } from '../framework/errors.js';
import { applyOp1 } from '../framework/op_builder.js';
import { registerGradient } from '../framework/gradient_registry.js';
import { hasOpDef } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import { controlDependencies } from '../framework/scopes.js';
import type { Tensor } from '../framework/tensor.js';
import * as a from '../ops/array_ops.js';
import * as shapeOps from '../ops/shape_ops.js';
import * as sliceOps from '../ops/slice_ops.js';
import * as m from '../ops/math_ops.js';
import * as nn from '../ops/nn_ops.js';
import '../ops/tensor_methods.js';
import { unsortedSegmentSum } from '../ops/math_ops.js';

const zerosOf = (x: Tensor) => a.zeros(shapeOps.shape(x), x.dtype);

// ---------- activations ----------

// y = f(x): the gradient op takes (grad, op.outputs[0]) or (grad, op.inputs[0]) as TF does.
const FIRST_ORDER: [string, 'outputs' | 'inputs'][] = [
  ['Relu', 'outputs'], ['Relu6', 'outputs'], ['Elu', 'outputs'], ['Selu', 'outputs'],
  ['LeakyRelu', 'inputs'], ['Softplus', 'inputs'], ['Softsign', 'inputs'],
];
for (const [type, from] of FIRST_ORDER) {
  registerGradient(type, (op, [grad]) => {
    const attrs = type === 'LeakyRelu' ? { alpha: op.getAttr('alpha') } : {};
    return [applyOp1(`${type}Grad`, [grad!, from === 'outputs' ? op.outputs[0] : op.inputs[0]], attrs)];
  });
}

// Piecewise-linear *Grad ops: d/dgradients is the same op, d/dfeatures is zero.
for (const type of ['ReluGrad', 'Relu6Grad', 'LeakyReluGrad']) {
  registerGradient(type, (op, [grad]) => {
    const x = op.inputs[1];
    const attrs = type === 'LeakyReluGrad' ? { alpha: op.getAttr('alpha') } : {};
    return [applyOp1(type, [grad!, x], attrs), zerosOf(x)];
  });
}

// EluGrad(g, y) = g * (y + 1) where y < 0 (SeluGrad likewise, scaled): d/dy = g there.
for (const type of ['EluGrad', 'SeluGrad']) {
  registerGradient(type, (op, [grad]) => {
    const y = op.inputs[1];
    return [applyOp1(type, [grad!, y]), a.where(y.lt(0), grad!.mul(op.inputs[0]), a.zerosLike(y))];
  });
}

registerGradient('SoftplusGrad', (op, [grad]) => {
  // dx = dy / (1 + exp(-x)); d2x = ddx * dy / (exp(-x) + 2 + exp(x)).
  const [dy, x] = op.inputs;
  return controlDependencies([grad!], () => {
    const ddy = applyOp1('SoftplusGrad', [grad!, x]);
    const d2x = grad!.mul(dy).div(m.exp(m.negative(x)).add(2.0).add(m.exp(x)));
    return [ddy, d2x];
  });
});

// ---------- softmax ----------

registerGradient('Softmax', (op, [gradSoftmax]) => {
  // (grad - sum(grad * softmax, -1)) * softmax
  const softmax = op.outputs[0];
  const sumChannels = m.reduceSum(gradSoftmax!.mul(softmax), { axis: -1, keepDims: true });
  return [gradSoftmax!.sub(sumChannels).mul(softmax)];
});

registerGradient('LogSoftmax', (op, [grad]) => {
  // grad - sum(grad, -1) * softmax
  const softmax = m.exp(op.outputs[0]);
  return [grad!.sub(m.reduceSum(grad!, { axis: -1, keepDims: true }).mul(softmax))];
});

// ---------- bias add ----------

registerGradient('BiasAdd', (op, [grad]) =>
  [grad!, applyOp1('BiasAddGrad', [grad!], { data_format: op.getAttr('data_format') })]);

registerGradient('BiasAddGrad', (op, [grad]) => {
  // Broadcast the [C] gradient back over the input's shape.
  const shape = shapeOps.shape(op.inputs[0]);
  const biasShape = shapeOps.shape(grad!);
  const head = (end: number) => sliceOps.stridedSlice(shape, [0], [end], [1], { beginMask: 1 });
  let expandedShape: Tensor;
  let tileMults: Tensor;
  if (op.getAttr('data_format') === 'NCHW') {
    const tail = sliceOps.stridedSlice(shape, [2], [0], [1], { endMask: 1 });
    expandedShape = a.concat([a.onesLike(head(1)), biasShape, a.onesLike(tail)], 0);
    tileMults = a.concat([head(1), [1], tail], 0);
  } else {
    expandedShape = a.concat([a.onesLike(head(-1)), biasShape], 0);
    tileMults = a.concat([head(-1), [1]], 0);
  }
  return [a.tile(shapeOps.reshape(grad!, expandedShape), tileMults)];
});

// ---------- losses ----------

registerGradient('L2Loss', (op, [grad]) => [op.inputs[0].mul(grad!)]);

/** vec[..., None] * mat. */
const broadcastMul = (vec: Tensor, mat: Tensor) => shapeOps.expandDims(vec, -1).mul(mat);

/** Whether a gradient is known to be all zeros (TF's IsZero introspection). */
function isZero(g: Tensor): boolean {
  if (g.op.type === 'ZerosLike' || g.op.type === 'Zeros') return true;
  const v = constantValue(g);
  if (!v) return false;
  for (let i = 0; i < v.size; i++) if (Number(v.flatGet(i)) !== 0) return false;
  return true;
}

registerGradient('SoftmaxCrossEntropyWithLogits', (op, [gradLoss, gradGrad]) => {
  // d/dlogits = grad_loss * (softmax - labels), the op's second output; the backprop's own
  // gradient adds the softmax Jacobian applied to grad_grad.
  const softmaxGrad = op.outputs[1];
  let grad = broadcastMul(gradLoss!, softmaxGrad);
  const logits = op.inputs[0];
  if (gradGrad && !isZero(gradGrad)) {
    const softmax = nn.softmax(logits);
    grad = grad.add(gradGrad.sub(shapeOps.squeeze(m.matmul(shapeOps.expandDims(gradGrad, 1), shapeOps.expandDims(softmax, 2)), 1)).mul(softmax));
  }
  return [grad, broadcastMul(gradLoss!, m.negative(nn.logSoftmax(logits)))];
});

registerGradient('SparseSoftmaxCrossEntropyWithLogits', (op, [grad0]) => {
  const backprop = applyOp1('PreventGradient', [op.outputs[1]], {
    message: 'Currently there is no way to take the second derivative of sparse_softmax_cross_entropy_with_logits ' +
      "due to the fused implementation's interaction with tf.gradients()",
  });
  return [broadcastMul(grad0!, backprop), null];
});

registerGradient('PreventGradient', (op) => {
  throw new NotFoundError(undefined, undefined, `Gradient explicitly disabled. Reason: ${String(op.getAttr('message'))}`);
});

// ---------- top-k ----------

registerGradient('TopKV2', (op: Operation, [grad]) => {
  // Scatter grad into zeros at the flattened positions of the selected indices.
  const inShape = shapeOps.shape(op.inputs[0]);
  const indShape = shapeOps.shape(op.outputs[1]);
  const indLastdim = sliceOps.gather(m.cast(indShape, 'int64'), m.subtract(shapeOps.size(indShape), 1));
  const ind2d = shapeOps.reshape(op.outputs[1], a.stack([-1, indLastdim]));
  const inLastdim = sliceOps.gather(m.cast(inShape, 'int64'), m.subtract(shapeOps.size(inShape), 1));
  const outerdim = sliceOps.gather(shapeOps.shape(ind2d), 0);
  const offsets = m.cast(shapeOps.expandDims(a.range(0, m.cast(outerdim, 'int64').mul(inLastdim), inLastdim), -1), 'int32');
  const ind = shapeOps.reshape(ind2d.add(offsets), [-1]);
  const total = m.reduceProd(inShape);
  const flat = shapeOps.reshape(grad!, [-1]);
  const scattered = hasOpDef('ScatterNd')
    ? applyOp1('ScatterNd', [shapeOps.expandDims(ind, -1), flat, shapeOps.reshape(total, [1])])
    : unsortedSegmentSum(flat, ind, total);
  return [shapeOps.reshape(scattered, inShape), a.zeros([], 'int32')];
});

registerGradient('InTopK', null);
registerGradient('InTopKV2', null);
