// Building ops from user values: the TF1 `_apply_op_helper` path. Converts inputs to
// tensors (JS values become Const ops named after the input argument), infers and checks
// type attrs, fills attr defaults, then hands the op to Graph._createOp.
import { userCallSite } from './call_site.js';
import { type DType, isDType, tfTypeName } from './dtypes.js';
import { InvalidArgumentError } from './errors.js';
import { type Graph, getDefaultGraph } from './graph.js';
import { NDArray, toNDArray, type ValueLike } from './ndarray.js';
import { type ArgDef, type AttrDef, type AttrKind, getOpDef, hasOpDef, type OpDef, registerOp } from './op_registry.js';
import type { Operation } from './operation.js';
import { Tensor } from './tensor.js';
import { TensorShape } from './tensor_shape.js';

/** Anything accepted where a tensor is expected. */
export type TensorLike = Tensor | ValueLike;

/** Whether `t` is a reference: an output its op declares `isRef` (VariableV2's, Assign's). */
export function isRefTensor(t: Tensor): boolean {
  if (!hasOpDef(t.op.type)) return false;
  let start = 0;
  for (const arg of getOpDef(t.op.type).outputs) {
    const n = arg.numberAttr ? (t.op.getAttr(arg.numberAttr) as number)
      : arg.typeListAttr ? (t.op.getAttr(arg.typeListAttr) as DType[]).length : 1;
    if (t.valueIndex < start + n) return !!arg.isRef;
    start += n;
  }
  return false;
}

function withCallSite(message: string): string {
  const site = userCallSite();
  return site ? `${message} (called at ${site})` : message;
}

export interface ConvertOptions {
  dtype?: DType;
  name?: string;
  /** Dtype to use for JS values when `dtype` is not given (and the value allows it). */
  preferredDtype?: DType;
  /** Keep a variable's reference instead of reading its value. */
  asRef?: boolean;
}

/** TF1's convert_to_tensor: tensors pass through (checked), JS values become constants. */
export function convertToTensor(value: TensorLike, options: ConvertOptions = {}): Tensor {
  if (value instanceof Tensor) {
    const t = value._asInput(options.asRef ?? false);
    if (options.dtype && t.dtype !== options.dtype) {
      throw new InvalidArgumentError(undefined, undefined,
        withCallSite(`Tensor conversion requested dtype ${options.dtype} for Tensor with dtype ${t.dtype}: ${t.toString()}`));
    }
    return t;
  }
  if (value === undefined || value === null) {
    throw new InvalidArgumentError(undefined, undefined, withCallSite(`Cannot convert ${String(value)} to a tensor`));
  }
  let dtype = options.dtype;
  if (!dtype && options.preferredDtype) {
    // Use the preferred dtype only when the value converts to it losslessly.
    try {
      return constant(value, { dtype: options.preferredDtype, name: options.name ?? 'Const' });
    } catch {
      dtype = undefined;
    }
  }
  return constant(value, { dtype, name: options.name ?? 'Const' });
}

/** The graph of the first tensor among `values`, else the default graph. */
export function graphOf(values: readonly unknown[]): Graph {
  for (const v of values) {
    if (v instanceof Tensor) return v.graph;
    if (Array.isArray(v)) for (const w of v) if (w instanceof Tensor) return w.graph;
  }
  return getDefaultGraph();
}

/** Attribute values as users give them (JS values of the attr's kind). */
export type AttrValues = Record<string, unknown>;

function normalizeAttr(op: string, name: string, kind: AttrKind, value: unknown): unknown {
  const bad = () => new InvalidArgumentError(undefined, undefined,
    withCallSite(`Attr '${name}' of '${op}' Op expects a ${kind}, got ${String(value)}`));
  switch (kind) {
    case 'int': if (!Number.isInteger(value)) throw bad(); return value;
    case 'float': if (typeof value !== 'number') throw bad(); return value;
    case 'bool': if (typeof value !== 'boolean') throw bad(); return value;
    case 'string': if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw bad(); return value;
    case 'type': if (!isDType(value)) throw bad(); return value;
    case 'shape': return TensorShape.from(value as TensorShape);
    case 'tensor': return value instanceof NDArray ? value : toNDArray(value as ValueLike);
    case 'func': if (typeof value !== 'string') throw bad(); return value;
    default: {
      if (!Array.isArray(value)) throw bad();
      const elem = kind.slice(5, -1) as AttrKind;
      return value.map((v) => normalizeAttr(op, name, elem, v));
    }
  }
}

function argDtypes(def: OpDef, arg: ArgDef, attrs: AttrValues, count: number): DType[] {
  if (arg.typeListAttr) return attrs[arg.typeListAttr] as DType[];
  const dt = arg.type ?? (attrs[arg.typeAttr!] as DType);
  if (!dt) throw new InvalidArgumentError(undefined, undefined, `Op ${def.type}: type attr '${arg.typeAttr}' of '${arg.name}' is not set`);
  return new Array<DType>(count).fill(dt);
}

/** Output dtypes of an op type given its (complete) attrs. */
export function outputDtypesOf(def: OpDef, attrs: AttrValues): DType[] {
  const out: DType[] = [];
  for (const arg of def.outputs) {
    const n = arg.numberAttr ? (attrs[arg.numberAttr] as number) : arg.typeListAttr ? (attrs[arg.typeListAttr] as DType[]).length : 1;
    out.push(...argDtypes(def, arg, attrs, n));
  }
  return out;
}

/** Fills defaults and checks required attrs and allowed types. */
export function completeAttrs(def: OpDef, attrs: AttrValues): AttrValues {
  const out: AttrValues = { ...attrs };
  for (const [name, spec] of Object.entries(def.attrs ?? {})) {
    if (out[name] === undefined) {
      if (spec.default === undefined) {
        throw new InvalidArgumentError(undefined, undefined, withCallSite(`Op ${def.type} is missing required attr '${name}'`));
      }
      out[name] = spec.default;
    }
    out[name] = normalizeAttr(def.type, name, spec.kind, out[name]);
    checkAllowed(def, name, spec, out[name]);
  }
  return out;
}

function checkAllowed(def: OpDef, name: string, spec: AttrDef, value: unknown): void {
  if (!spec.allowed) return;
  const values = Array.isArray(value) ? (value as DType[]) : [value as DType];
  for (const v of values) {
    if (!spec.allowed.includes(v)) {
      throw new InvalidArgumentError(undefined, undefined, withCallSite(
        `Value for attr '${name}' of ${tfTypeName(v)} is not in the list of allowed values: ${spec.allowed.map(tfTypeName).join(', ')} (op ${def.type})`));
    }
  }
}

/** Serialisable attrs ({kind, value}) of an op type from complete attr values. */
export function typedAttrs(def: OpDef, attrs: AttrValues): Record<string, { kind: AttrKind; value: unknown }> {
  const out: Record<string, { kind: AttrKind; value: unknown }> = {};
  for (const [name, spec] of Object.entries(def.attrs ?? {})) out[name] = { kind: spec.kind, value: attrs[name] };
  return out;
}

type InputValue = TensorLike | readonly TensorLike[];

/**
 * Creates an op of a registered type. `inputs` follow the op def's input order (a list
 * argument takes an array). `name` defaults to the op type and is uniquified.
 */
export function applyOp(type: string, inputs: readonly InputValue[], attrs: AttrValues = {}, name?: string): Operation {
  const def = getOpDef(type);
  if (inputs.length !== def.inputs.length) {
    throw new InvalidArgumentError(undefined, undefined, `Op ${type} takes ${def.inputs.length} inputs, got ${inputs.length}`);
  }
  const graph = graphOf(inputs as unknown[]);
  return graph.asDefault(() => graph.nameScope(name || type, (scope) => {
    const resolved: AttrValues = { ...attrs };
    // Type attrs shared by several inputs take the dtype of a tensor among them, so JS values
    // beside a tensor adopt its dtype (x.add(2) with float32 x adds a float32 2).
    def.inputs.forEach((arg, i) => {
      if (!arg.typeAttr || resolved[arg.typeAttr] !== undefined) return;
      const vals = arg.numberAttr ? (inputs[i] as TensorLike[]) : [inputs[i] as TensorLike];
      const t = vals.find((v) => v instanceof Tensor) as Tensor | undefined;
      if (t) resolved[arg.typeAttr] = t._asInput(!!arg.isRef).dtype;
    });
    const flat: Tensor[] = [];
    def.inputs.forEach((arg, i) => {
      const isList = !!(arg.numberAttr || arg.typeListAttr);
      if (isList && !Array.isArray(inputs[i])) {
        throw new InvalidArgumentError(undefined, undefined, withCallSite(`Expected list for '${arg.name}' argument to '${type}' Op, not ${String(inputs[i])}.`));
      }
      const vals = isList ? (inputs[i] as TensorLike[]) : [inputs[i] as TensorLike];
      if (arg.numberAttr) resolved[arg.numberAttr] = vals.length;
      const converted = vals.map((v, k) => {
        const expected = arg.type ?? (arg.typeAttr ? (resolved[arg.typeAttr] as DType | undefined) : undefined);
        const wasTensor = v instanceof Tensor;
        // Like TF1's default_type_attr_map: a JS value for an attr with a default type takes it.
        const preferred = arg.typeAttr ? (def.attrs?.[arg.typeAttr]?.default as DType | undefined) : undefined;
        // List elements are named like TF1's convert_n_to_tensor: values_0, values_1, ...
        const constName = isList ? `${arg.name}_${k}` : arg.name;
        const t = convertToTensor(v, { dtype: wasTensor ? undefined : expected, preferredDtype: preferred, name: constName, asRef: arg.isRef });
        if (arg.isRef && !isRefTensor(t)) {
          throw new InvalidArgumentError(undefined, undefined, withCallSite(
            `'${type}' Op requires that input '${arg.name}' be a mutable tensor (e.g.: a tf.Variable), got ${t.toString()}`));
        }
        if (expected && t.dtype !== expected) {
          const other = def.inputs.find((a) => a !== arg && a.typeAttr === arg.typeAttr);
          throw new InvalidArgumentError(undefined, undefined, withCallSite(
            `Input '${arg.name}' of '${type}' Op has type ${t.dtype} that does not match ` +
            (arg.type ? `expected type of ${expected}.` : `type ${expected} of argument '${other?.name ?? arg.typeAttr}'.`)));
        }
        if (arg.typeAttr && resolved[arg.typeAttr] === undefined) resolved[arg.typeAttr] = t.dtype;
        return t;
      });
      if (arg.typeListAttr && resolved[arg.typeListAttr] === undefined) resolved[arg.typeListAttr] = converted.map((t) => t.dtype);
      flat.push(...converted);
    });
    const complete = completeAttrs(def, resolved);
    const create = () => graph._createOp(type, flat, { name: scope, attrs: typedAttrs(def, complete), outputDtypes: outputDtypesOf(def, complete) });
    // Ops updating a variable run where it lives (TF1's must_colocate_inputs).
    const refInput = flat.find((t) => isRefTensor(t) && def.inputs.some((a) => a.isRef));
    return refInput ? graph.colocateWith(refInput, create) : create();
  }));
}

/** Like applyOp, for ops with exactly one output: returns it. */
export function applyOp1(type: string, inputs: readonly InputValue[], attrs: AttrValues = {}, name?: string): Tensor {
  return applyOp(type, inputs, attrs, name).outputs[0];
}

// ---------- Const lives here because every conversion creates one ----------

export interface ConstantOptions {
  dtype?: DType;
  shape?: readonly number[];
  name?: string;
}

/** tf.constant: a value (JS number, nested array, TypedArray or NDArray) as a Const op. */
export function constant(value: ValueLike, options: ConstantOptions = {}): Tensor {
  let arr: NDArray;
  try {
    arr = toNDArray(value, { dtype: options.dtype, shape: options.shape });
  } catch (e) {
    throw new InvalidArgumentError(undefined, undefined, withCallSite(e instanceof Error ? e.message : String(e)));
  }
  return applyOp1('Const', [], { value: arr, dtype: arr.dtype }, options.name ?? 'Const');
}

registerOp({
  type: 'Const',
  inputs: [],
  outputs: [{ name: 'output', typeAttr: 'dtype' }],
  attrs: { value: { kind: 'tensor' }, dtype: { kind: 'type' } },
  shape: (op) => [(op.getAttr('value') as NDArray).shape],
});
