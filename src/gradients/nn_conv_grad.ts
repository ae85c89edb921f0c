// Gradients of the convolution, pooling, LRN and fused batch-norm ops, as TF 1.15's
// python/ops/nn_grad.py builds them (same ops, same order, so node names under
// "gradients/<op>_grad/" match: Conv2D's uses ShapeN, Conv2DBackpropInput and
// Conv2DBackpropFilter; MaxPool's a MaxPoolGrad; ...).
import { applyOp, applyOp1 } from '../framework/op_builder.js';
import { registerGradient } from '../framework/gradient_registry.js';
import type { Operation } from '../framework/operation.js';
import type { Tensor } from '../framework/tensor.js';
import { shape } from '../ops/shape_ops.js';
import { stopGradient, transpose, zeros } from '../ops/array_ops.js';
import '../ops/nn_conv_ops.js';
import { shapeN } from '../ops/shape_ops.js';

type Grad = Tensor | undefined | null;

/** The attrs a convolution's gradient ops copy from it. */
function convAttrs(op: Operation): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of ['strides', 'padding', 'explicit_paddings', 'use_cudnn_on_gpu', 'data_format', 'dilations']) {
    out[name] = op.getAttr(name);
  }
  return out;
}

function depthwiseAttrs(op: Operation): Record<string, unknown> {
  return {
    strides: op.getAttr('strides'), padding: op.getAttr('padding'),
    data_format: op.getAttr('data_format'), dilations: op.getAttr('dilations'),
  };
}

function poolAttrs(op: Operation): Record<string, unknown> {
  return { ksize: op.getAttr('ksize'), strides: op.getAttr('strides'), padding: op.getAttr('padding'), data_format: op.getAttr('data_format') };
}

// ---------- convolutions ----------

registerGradient('Conv2D', (op, [g]) => {
  const attrs = convAttrs(op);
  const [s0, s1] = shapeN([op.inputs[0], op.inputs[1]]);
  return [
    applyOp1('Conv2DBackpropInput', [s0, op.inputs[1], g!], attrs),
    applyOp1('Conv2DBackpropFilter', [op.inputs[0], s1, g!], attrs),
  ];
});

registerGradient('Conv2DBackpropInput', (op, [g]) => {
  const attrs = convAttrs(op);
  return [
    null,
    applyOp1('Conv2DBackpropFilter', [g!, shape(op.inputs[1]), op.inputs[2]], attrs),
    applyOp1('Conv2D', [g!, op.inputs[1]], attrs),
  ];
});

registerGradient('Conv2DBackpropFilter', (op, [g]) => {
  const attrs = convAttrs(op);
  return [
    applyOp1('Conv2DBackpropInput', [shape(op.inputs[0]), g!, op.inputs[2]], attrs),
    null,
    applyOp1('Conv2D', [op.inputs[0], g!], attrs),
  ];
});

registerGradient('DepthwiseConv2dNative', (op, [g]) => {
  const attrs = depthwiseAttrs(op);
  return [
    applyOp1('DepthwiseConv2dNativeBackpropInput', [shape(op.inputs[0]), op.inputs[1], g!], attrs),
    applyOp1('DepthwiseConv2dNativeBackpropFilter', [op.inputs[0], shape(op.inputs[1]), g!], attrs),
  ];
});

// ---------- pooling ----------

registerGradient('MaxPool', (op, [g]) => [applyOp1('MaxPoolGrad', [op.inputs[0], op.outputs[0], g!], poolAttrs(op))]);

registerGradient('MaxPoolGrad', (op, [g]) => [
  zeros(shape(op.inputs[0]), { dtype: op.inputs[0].dtype }),
  zeros(shape(op.inputs[1]), { dtype: op.inputs[1].dtype }),
  applyOp1('MaxPoolGradGrad', [op.inputs[0], op.inputs[1], g!], poolAttrs(op)),
]);

registerGradient('MaxPoolGradGrad', (op, [g]) => [
  zeros(shape(op.inputs[0]), { dtype: op.inputs[0].dtype }),
  zeros(shape(op.inputs[1]), { dtype: op.inputs[1].dtype }),
  applyOp1('MaxPoolGrad', [op.inputs[0], op.inputs[1], g!], poolAttrs(op)),
]);

registerGradient('AvgPool', (op, [g]) => [applyOp1('AvgPoolGrad', [shape(op.inputs[0]), g!], poolAttrs(op))]);

registerGradient('AvgPoolGrad', (op, [g]) => [stopGradient(op.inputs[0]), applyOp1('AvgPool', [g!], poolAttrs(op))]);

// ---------- LRN ----------

registerGradient('LRN', (op, [g]) => [
  applyOp1('LRNGrad', [g!, op.inputs[0], op.outputs[0]], {
    depth_radius: op.getAttr('depth_radius'), bias: op.getAttr('bias'), alpha: op.getAttr('alpha'), beta: op.getAttr('beta'),
  }),
]);

// ---------- fused batch norm ----------

/** TF's _BaseFusedBatchNormGrad: the grad op of the same version; inference mode runs it in NHWC. */
function fusedBatchNormGrad(version: 0 | 1 | 2) {
  const type = ['FusedBatchNormGrad', 'FusedBatchNormGradV2', 'FusedBatchNormGradV3'][version];
  return (op: Operation, grads: (Tensor | undefined)[]): Grad[] => {
    let x = op.inputs[0];
    let dy = grads[0]!;
    const scale = op.inputs[1];
    const epsilon = op.getAttr('epsilon');
    const dataFormat = op.getAttr('data_format') as string;
    const isTraining = op.getAttr('is_training') as boolean;
    if (isTraining) {
      const inputs = [dy, x, scale, op.outputs[3], op.outputs[4], ...(version === 2 ? [op.outputs[5]] : [])];
      const [dx, dscale, doffset] = applyOp(type, inputs, { epsilon, data_format: dataFormat, is_training: true }).outputs;
      return [dx, dscale, doffset, null, null];
    }
    if (dataFormat === 'NCHW') {
      x = transpose(x, [0, 2, 3, 1]);
      dy = transpose(dy, [0, 2, 3, 1]);
    }
    const inputs = [dy, x, scale, op.inputs[3], op.inputs[4], ...(version === 2 ? [op.outputs[5]] : [])];
    const outs = applyOp(type, inputs, { epsilon, data_format: 'NHWC', is_training: false }).outputs;
    let dx = outs[0];
    if (dataFormat === 'NCHW') dx = transpose(dx, [0, 3, 1, 2]);
    return [dx, outs[1], outs[2], null, null];
  };
}

registerGradient('FusedBatchNorm', fusedBatchNormGrad(0));
registerGradient('FusedBatchNormV2', fusedBatchNormGrad(1));
registerGradient('FusedBatchNormV3', fusedBatchNormGrad(2));
