// Nested structures of values (arrays and plain objects, as tf.cond branches and while-loop
// variables may be): flattening to a list of leaves and packing a list back.
import { Operation } from './operation.js';
import { Tensor } from './tensor.js';

const isStructure = (x: unknown): x is object =>
  Array.isArray(x) || (!!x && typeof x === 'object' && !(x instanceof Tensor) && !(x instanceof Operation));

/** The leaves of a structure, depth first (object values in key order). */
export function flatten(x: unknown): unknown[] {
  if (Array.isArray(x)) return x.flatMap(flatten);
  if (isStructure(x)) return Object.values(x).flatMap(flatten);
  return [x];
}

/** `structure` with its leaves replaced, in order, by `flat`. */
export function pack(structure: unknown, flat: readonly unknown[]): unknown {
  let i = 0;
  const rebuild = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(rebuild);
    if (isStructure(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, rebuild(v)]));
    return flat[i++];
  };
  return rebuild(structure);
}
