// Pad ops: Pad, PadV2, MirrorPad and MirrorPadGrad (TF1's array_ops.cc shape functions;
// tf.pad picks the op as TF1's array_ops.py does).
import { constantInts } from '../framework/constant_value.js';
import { iota } from '../framework/constant_folding.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { applyOp1, type TensorLike } from '../framework/op_builder.js';
import { type ArgDef, registerOp } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import { Tensor } from '../framework/tensor.js';
import { TensorShape, type ShapeLike } from '../framework/tensor_shape.js';
import { addDim, mergeShapes, shapeOf, UNKNOWN, withRank, withValue } from '../framework/common_shapes.js';
import { applyOpPacked, INDEX_TYPES, type NameOption } from './op_args.js';

function err(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

/** Pad/PadV2's shape function (PadShapeFn); MirrorPad's differs only in what it checks. */
function padShape(op: Operation, mirror: boolean): ShapeLike[] {
  const [input, paddingsT] = op.inputs;
  const pShape = withRank(paddingsT.shape, 2);
  let n = pShape.dim(0);
  let s = input.shape;
  if (mirror) {
    if (n === null) return [UNKNOWN];
    s = withRank(s, n);
    mergeShapes(pShape, shapeOf([n, 2]));
  } else {
    withValue(pShape.dim(1), 2);
    if (n !== null) s = withRank(s, n);
    else if (s.rank !== undefined) n = withValue(n, s.rank);
  }
  const paddings = constantInts(paddingsT);
  if (!paddings) return [n === null ? UNKNOWN : TensorShape.unknownOfRank(n)];
  const rows = paddings.length / 2;
  s = withRank(s, rows);
  withValue(n, rows);
  return [iota(rows).map((i) => {
    const [before, after] = [paddings[2 * i], paddings[2 * i + 1]];
    if (before < 0 || after < 0) throw err('Paddings must be non-negative');
    return addDim(s.dim(i), before + after);
  })];
}

const padAttrs = { T: { kind: 'type' as const }, Tpaddings: { kind: 'type' as const, default: 'int32', allowed: INDEX_TYPES } };
const padArgs: ArgDef[] = [{ name: 'input', typeAttr: 'T' }, { name: 'paddings', typeAttr: 'Tpaddings' }];

registerOp({ type: 'Pad', inputs: padArgs, outputs: [{ name: 'output', typeAttr: 'T' }], attrs: padAttrs, shape: (op) => padShape(op, false) });
registerOp({
  type: 'PadV2',
  inputs: [...padArgs, { name: 'constant_values', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: padAttrs,
  shape: (op) => padShape(op, false),
});
registerOp({
  type: 'MirrorPad',
  inputs: padArgs,
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { ...padAttrs, mode: { kind: 'string' } },
  shape: (op) => padShape(op, true),
});

export interface PadOptions extends NameOption {
  /** 'CONSTANT' (default), 'REFLECT' or 'SYMMETRIC', in any case. */
  mode?: string;
  constantValues?: TensorLike;
}

/** tf.pad(tensor, paddings, {mode, constantValues}): Pad, PadV2 (non-zero fill) or MirrorPad. */
export function pad(tensor: TensorLike, paddings: TensorLike | readonly TensorLike[], options: PadOptions = {}): Tensor {
  const mode = (options.mode ?? 'CONSTANT').toUpperCase();
  const cv = options.constantValues ?? 0;
  if (mode === 'CONSTANT') {
    if (cv instanceof Tensor || cv !== 0) return applyOpPacked('PadV2', [tensor, paddings, cv], {}, options.name);
    return applyOpPacked('Pad', [tensor, paddings], {}, options.name);
  }
  if (mode === 'REFLECT' || mode === 'SYMMETRIC') return applyOpPacked('MirrorPad', [tensor, paddings], { mode }, options.name);
  throw err(`pad: Unknown padding mode: ${mode} (Pad)`);
}

registerOp({
  type: 'MirrorPadGrad',
  inputs: [{ name: 'input', typeAttr: 'T' }, { name: 'paddings', typeAttr: 'Tpaddings' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' }, Tpaddings: { kind: 'type', default: 'int32', allowed: INDEX_TYPES }, mode: { kind: 'string' } },
  shape: (op) => {
    const [input, paddingsT] = op.inputs;
    const p = withRank(paddingsT.shape, 2);
    const n = p.dim(0);
    if (n === null) return [TensorShape.unknown()];
    const s = withRank(input.shape, n);
    const cols = p.dim(1);
    if (cols !== null && cols !== 2) throw err(`Dimension 1 in both shapes must be equal, but are ${cols} and 2.`);
    const pads = constantInts(paddingsT);
    if (!pads) return [TensorShape.unknownOfRank(n)];
    return [Array.from({ length: n }, (_, i) => {
      const [a, b] = [pads[2 * i], pads[2 * i + 1]];
      if (a < 0 || b < 0) throw err('Paddings must be non-negative');
      const d = s.dim(i);
      if (d === null) return null;
      if (d < a + b) throw err(`Negative dimension size caused by subtracting ${a + b} from ${d}`);
      return d - a - b;
    })];
  },
});

/** gen_array_ops.mirror_pad_grad: folds the mirrored borders of `input` back onto the interior. */
export function mirrorPadGrad(input: TensorLike, paddings: TensorLike, mode: string, options: { name?: string } = {}): Tensor {
  return applyOp1('MirrorPadGrad', [input, paddings], { mode }, options.name);
}
