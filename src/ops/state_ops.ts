// State ops: the TF1 reference-variable ops (VariableV2, and Variable for older graphs), the
// ops that read or mutate a variable through its reference (Assign, AssignAdd, AssignSub,
// IsVariableInitialized), and Snapshot, the copy of a variable's value.
import { mergeShapes, unchangedShape } from '../framework/common_shapes.js';
import { NUMERIC_DTYPES } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { applyOp1, type TensorLike } from '../framework/op_builder.js';
import { registerOp } from '../framework/op_registry.js';
import { Tensor } from '../framework/tensor.js';
import { TensorShape } from '../framework/tensor_shape.js';

// ---------- op registrations ----------

// VariableV2, and Variable, TF's first variable op (graphs written before VariableV2): one
// record shape, run alike by the runtime.
for (const type of ['VariableV2', 'Variable']) {
  registerOp({
    type,
    inputs: [],
    outputs: [{ name: 'ref', typeAttr: 'dtype', isRef: true }],
    attrs: {
      shape: { kind: 'shape' },
      dtype: { kind: 'type' },
      container: { kind: 'string', default: '' },
      shared_name: { kind: 'string', default: '' },
    },
    stateful: true,
    shape: (op) => [op.getAttr('shape') as TensorShape],
  });
}

// A copy of its input (TF's array_ops Snapshot): what a variable's value is at that point.
registerOp({
  type: 'Snapshot',
  inputs: [{ name: 'input', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' } },
  shape: unchangedShape,
});

registerOp({
  type: 'Assign',
  inputs: [{ name: 'ref', typeAttr: 'T', isRef: true }, { name: 'value', typeAttr: 'T' }],
  outputs: [{ name: 'output_ref', typeAttr: 'T', isRef: true }],
  attrs: {
    T: { kind: 'type' },
    validate_shape: { kind: 'bool', default: true },
    use_locking: { kind: 'bool', default: true },
  },
  // With validate_shape the value must fit the variable; the result has the value's shape.
  shape: (op) => {
    if (op.getAttr('validate_shape')) mergeShapes(op.inputs[0].shape, op.inputs[1].shape);
    return [op.inputs[1].shape];
  },
});

for (const type of ['AssignAdd', 'AssignSub']) {
  registerOp({
    type,
    inputs: [{ name: 'ref', typeAttr: 'T', isRef: true }, { name: 'value', typeAttr: 'T' }],
    outputs: [{ name: 'output_ref', typeAttr: 'T', isRef: true }],
    attrs: { T: { kind: 'type', allowed: NUMERIC_DTYPES }, use_locking: { kind: 'bool', default: false } },
    shape: (op) => [mergeShapes(op.inputs[0].shape, op.inputs[1].shape)],
  });
}

registerOp({
  type: 'IsVariableInitialized',
  inputs: [{ name: 'ref', typeAttr: 'dtype', isRef: true }],
  outputs: [{ name: 'is_initialized', type: 'bool' }],
  attrs: { dtype: { kind: 'type' } },
  shape: () => [TensorShape.scalar()],
});

// ---------- public API ----------

export interface AssignOptions {
  /** Check that the value's shape matches the variable's (default true). */
  validateShape?: boolean;
  /** Lock the variable during the update (default true for assign, false otherwise). */
  useLocking?: boolean;
  name?: string;
}

/** tf.assign(ref, value): stores `value` in the variable; returns the updated reference. */
export function assign(ref: TensorLike, value: TensorLike, options: AssignOptions = {}): Tensor {
  return applyOp1('Assign', [ref, value],
    { validate_shape: options.validateShape, use_locking: options.useLocking }, options.name);
}

/** tf.assignAdd(ref, value): ref += value. */
export function assignAdd(ref: TensorLike, value: TensorLike, options: Omit<AssignOptions, 'validateShape'> = {}): Tensor {
  return applyOp1('AssignAdd', [ref, value], { use_locking: options.useLocking }, options.name);
}

/** tf.assignSub(ref, value): ref -= value. */
export function assignSub(ref: TensorLike, value: TensorLike, options: Omit<AssignOptions, 'validateShape'> = {}): Tensor {
  return applyOp1('AssignSub', [ref, value], { use_locking: options.useLocking }, options.name);
}

/** tf.isVariableInitialized(ref): a bool scalar, true once the variable holds a value. */
export function isVariableInitialized(ref: TensorLike, options: { name?: string } = {}): Tensor {
  return applyOp1('IsVariableInitialized', [ref], {}, options.name);
}

registerOp({
  type: 'CountUpTo',
  inputs: [{ name: 'ref', typeAttr: 'T', isRef: true }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { limit: { kind: 'int' }, T: { kind: 'type', allowed: ['int32', 'int64'] } },
  stateful: true,
  shape: (op) => [op.inputs[0].shape.mergeWith(TensorShape.scalar())],
});

/**
 * tf.countUpTo(ref, limit): increments the int32/int64 scalar variable `ref` and returns
 * its value before the increment; once it reached `limit`, fails with OutOfRangeError
 * "Reached limit of <limit>".
 */
export function countUpTo(ref: Tensor, limit: number, options: { name?: string } = {}): Tensor {
  if (!Number.isInteger(limit)) throw new InvalidArgumentError(undefined, undefined, `countUpTo: limit must be an integer, got ${limit}`);
  return applyOp1('CountUpTo', [ref], { limit }, options.name);
}
