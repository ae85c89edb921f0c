// The arguments of the array ops as TF1's array_ops.py takes them: JS lists holding tensors
// are packed (TF1's _autopacking_helper), TensorShapes convert to lists, a trailing options
// object may stand in for an optional argument.
import type { DType } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { type Graph, getDefaultGraph } from '../framework/graph.js';
import { NDArray, toNDArray, type ValueLike } from '../framework/ndarray.js';
import { applyOp1, constant, convertToTensor, type TensorLike } from '../framework/op_builder.js';
import { type ArgDef, getOpDef } from '../framework/op_registry.js';
import { Tensor } from '../framework/tensor.js';
import { TensorShape } from '../framework/tensor_shape.js';

export interface NameOption {
  name?: string;
}

/** The dtypes of index-like inputs (TF's {int32, int64}). */
export const INDEX_TYPES: DType[] = ['int32', 'int64'];

function err(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

export function firstTensor(v: unknown): Tensor | undefined {
  if (v instanceof Tensor) return v;
  if (Array.isArray(v)) {
    for (const e of v) {
      const t = firstTensor(e);
      if (t) return t;
    }
  }
  return undefined;
}

export function graphOfValues(values: readonly unknown[]): Graph {
  return firstTensor(values)?.graph ?? getDefaultGraph();
}

/**
 * TF1's _autopacking_helper: a (nested) JS list holding tensors becomes a Pack op named
 * `name` (inside the current scope), its plain elements Consts named by their index.
 */
function autoPack(list: readonly unknown[], dtype: DType | undefined, name: string): Tensor | unknown[] {
  const graph = getDefaultGraph();
  return graph.nameScope(name, (scope) => {
    let mustPack = false;
    const elems = list.map((e, i) => {
      if (e instanceof Tensor) {
        const t = e._asInput(false);
        if (dtype && t.dtype !== dtype) {
          throw err(`Cannot convert a list containing a tensor of dtype ${t.dtype} to ${dtype} (Tensor is: ${t.toString()})`);
        }
        mustPack = true;
        return t;
      }
      if (Array.isArray(e)) {
        const packed = autoPack(e, dtype, String(i));
        if (packed instanceof Tensor) mustPack = true;
        return packed;
      }
      return e;
    });
    if (!mustPack) return elems;
    const tensors = elems.map((e, i) => (e instanceof Tensor ? e : constant(e as ValueLike, { dtype, name: String(i) })));
    return applyOp1('Pack', [tensors], { axis: 0 }, scope);
  });
}

/** JS lists holding tensors convert to a packed tensor (TF1's convert_to_tensor on such lists). */
export function toTensor(value: unknown, options: { dtype?: DType; name?: string } = {}): Tensor {
  if (Array.isArray(value) && firstTensor(value)) {
    const dtype = options.dtype ?? firstTensor(value)!.dtype;
    return autoPack(value, dtype, options.name ?? 'packed') as Tensor;
  }
  return convertToTensor(value as TensorLike, options);
}

/** A JS value (or list with tensors) where a tensor input goes. */
export type Input = TensorLike | readonly TensorLike[] | readonly Tensor[];

/** applyOp1, autopacking single-tensor inputs given as JS lists that hold tensors. */
export function applyOpPacked(type: string, inputs: readonly Input[], attrs: Record<string, unknown> = {}, name?: string): Tensor {
  const def = getOpDef(type);
  const isList = (arg: ArgDef) => !!(arg.numberAttr || arg.typeListAttr);
  const pack = def.inputs.map((arg, i) => !isList(arg) && Array.isArray(inputs[i]) && !!firstTensor(inputs[i]));
  if (!pack.includes(true)) return applyOp1(type, inputs as TensorLike[], attrs, name);
  const graph = graphOfValues(inputs);
  return graph.asDefault(() => graph.nameScope(name || type, (scope) => {
    const converted = inputs.map((v, i) => {
      if (!pack[i]) return v;
      const arg = def.inputs[i];
      const dtype = arg.type ?? (arg.typeAttr ? (attrs[arg.typeAttr] as DType | undefined) : undefined);
      return toTensor(v, { dtype, name: arg.name });
    });
    return applyOp1(type, converted as TensorLike[], attrs, scope);
  }));
}

/** A TensorShape argument as the JS list it converts to (TF1 converts fully-defined shapes). */
export function shapeValue<T>(v: T | TensorShape): T | number[] {
  if (!(v instanceof TensorShape)) return v;
  if (!v.isFullyDefined()) throw err(`Cannot convert a partially known TensorShape to a Tensor: ${v.toString()}`);
  return v.dims as number[];
}

/** Whether a trailing argument is an options object rather than a tensor-like value. */
export function isOptions(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Tensor) &&
    !(x instanceof NDArray) && !(x instanceof TensorShape) && !ArrayBuffer.isView(x);
}

/** The dtype a JS value converts to when it can convert to `dtype` (TF1's preferred dtype). */
export function preferredDtype(value: unknown, dtype: DType): DType | undefined {
  if (value instanceof Tensor) return undefined;
  try {
    toNDArray(value as ValueLike, { dtype });
    return dtype;
  } catch {
    return undefined;
  }
}

