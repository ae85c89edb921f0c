// Checkpoint ops with TF's V2 signatures (kernels in native/kernels/cpu/io_ops.cc, files as
// native/io/checkpoint.h writes them). Internal: the Saver (src/train/saver.ts) builds them.
//   SaveV2(prefix: string scalar, tensor_names: string[N], shape_and_slices: string[N],
//          tensors: dtypes) -> (no outputs)
//   RestoreV2(prefix, tensor_names, shape_and_slices) -> tensors: dtypes
// Only whole tensors: every shape_and_slices entry is "".
import type { DType } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { applyOp, type TensorLike } from '../framework/op_builder.js';
import { registerOp } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import type { Tensor } from '../framework/tensor.js';
import { TensorShape } from '../framework/tensor_shape.js';

function withRank(op: Operation, i: number, rank: number): void {
  const r = op.inputs[i].shape.rank;
  if (r !== undefined && r !== rank) {
    throw new InvalidArgumentError(undefined, op,
      `Shape must be rank ${rank} but is rank ${r} for '${op.name}' (op: '${op.type}') input ${i}`);
  }
}

function withDim0(op: Operation, i: number, n: number): void {
  const d = op.inputs[i].shape.dims?.[0];
  if (d !== undefined && d !== null && d !== n) {
    throw new InvalidArgumentError(undefined, op, `Dimension must be ${n} but is ${d} for '${op.name}' (op: '${op.type}') input ${i}`);
  }
}

registerOp({
  type: 'SaveV2',
  inputs: [
    { name: 'prefix', type: 'string' },
    { name: 'tensor_names', type: 'string' },
    { name: 'shape_and_slices', type: 'string' },
    { name: 'tensors', typeListAttr: 'dtypes' },
  ],
  outputs: [],
  attrs: { dtypes: { kind: 'list(type)' } },
  stateful: true,
  shape: (op) => {
    withRank(op, 0, 0);
    const n = op.inputs.length - 3;
    for (const i of [1, 2]) {
      withRank(op, i, 1);
      withDim0(op, i, n);
    }
    return [];
  },
});

registerOp({
  type: 'RestoreV2',
  inputs: [
    { name: 'prefix', type: 'string' },
    { name: 'tensor_names', type: 'string' },
    { name: 'shape_and_slices', type: 'string' },
  ],
  outputs: [{ name: 'tensors', typeListAttr: 'dtypes' }],
  attrs: { dtypes: { kind: 'list(type)' } },
  stateful: true,
  shape: (op) => {
    withRank(op, 0, 0);
    withRank(op, 1, 1);
    withRank(op, 2, 1);
    const n = (op.getAttr('dtypes') as DType[]).length;
    withDim0(op, 1, n);
    withDim0(op, 2, n);
    // Whole tensors only (slices ""): the shapes are known when the file is read.
    return (op.getAttr('dtypes') as DType[]).map(() => TensorShape.unknown());
  },
});

export interface IoOpOptions {
  name?: string;
}

/**
 * TF's gen_io_ops.save_v2: saves `tensors` under `tensorNames` to the checkpoint `prefix`
 * when run. JS string arrays become Consts under the op's scope ("SaveV2/tensor_names",
 * "SaveV2/shape_and_slices"). Returns the op (it has no outputs).
 */
export function saveV2(
  prefix: TensorLike, tensorNames: TensorLike, shapeAndSlices: TensorLike, tensors: readonly TensorLike[],
  options: IoOpOptions = {},
): Operation {
  return applyOp('SaveV2', [prefix, tensorNames, shapeAndSlices, tensors], {}, options.name);
}

/**
 * TF's gen_io_ops.restore_v2: reads the tensors named `tensorNames` from the checkpoint
 * `prefix`, one output per dtype of `dtypes` (InvalidArgument at run time when a dtype differs
 * from the saved one, NotFound for a missing name or checkpoint).
 */
export function restoreV2(
  prefix: TensorLike, tensorNames: TensorLike, shapeAndSlices: TensorLike, dtypes: readonly DType[],
  options: IoOpOptions = {},
): Tensor[] {
  return [...applyOp('RestoreV2', [prefix, tensorNames, shapeAndSlices], { dtypes: [...dtypes] }, options.name).outputs];
}
