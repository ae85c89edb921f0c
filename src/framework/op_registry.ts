// The one op registry: every op type declares its inputs, outputs, attrs and shape function
// (gradients live in gradient_registry.ts). Graph construction and GraphDef import
// read it; the native runtime's kernel registry is keyed by the same names.
import type { DType } from './dtypes.js';
import { NotFoundError } from './errors.js';
import type { Operation } from './operation.js';
import type { ShapeLike } from './tensor_shape.js';

export type AttrKind =
  | 'string' | 'int' | 'float' | 'bool' | 'type' | 'shape' | 'tensor' | 'func'
  | 'list(string)' | 'list(int)' | 'list(float)' | 'list(bool)' | 'list(type)' | 'list(shape)' | 'list(tensor)';

/** An input or output argument (TF's OpDef.ArgDef). Exactly one of type/typeAttr/typeListAttr. */
export interface ArgDef {
  name: string;
  /** A fixed dtype. */
  type?: DType;
  /** The dtype is the value of this `type` attr. */
  typeAttr?: string;
  /** The argument is a list of `numberAttr` tensors (of typeAttr or type). */
  numberAttr?: string;
  /** The argument is a list of tensors whose dtypes are this `list(type)` attr. */
  typeListAttr?: string;
  /** Takes the variable itself (a reference), not its value. */
  isRef?: boolean;
}

export interface AttrDef {
  kind: AttrKind;
  /** Default value; an attr without one must be given. */
  default?: unknown;
  /** For `type` attrs: the dtypes allowed. */
  allowed?: readonly DType[];
}

/** Output shapes of an op from its inputs' static shapes, attrs and constant inputs. */
export type ShapeFn = (op: Operation) => ShapeLike[];

export interface OpDef {
  type: string;
  inputs: ArgDef[];
  outputs: ArgDef[];
  attrs?: Record<string, AttrDef>;
  /** Has side effects or state: never constant-folded, gets the container attr. */
  stateful?: boolean;
  /** Static shape inference; by default every output's shape is unknown. */
  shape?: ShapeFn;
}

const registry = new Map<string, OpDef>();

export function registerOp(def: OpDef): OpDef {
  if (registry.has(def.type)) throw new Error(`Op type '${def.type}' is already registered`);
  registry.set(def.type, def);
  return def;
}

export function getOpDef(type: string): OpDef {
  const def = registry.get(type);
  if (!def) throw new NotFoundError(undefined, undefined, `Op type not registered '${type}'`);
  return def;
}

export function hasOpDef(type: string): boolean {
  return registry.has(type);
}

export function registeredOpTypes(): string[] {
  return [...registry.keys()].sort();
}
