// tf.rawOps: every registered op by its TF name (TF's tf.raw_ops), called with one object of
// its inputs and attrs in camelCase: tf.rawOps.ConcatOffset({ concatDim: 1, shape: [a, b] }).
// Type attrs that inputs determine (T, N, ...) may be left out; the rest default as in the
// op's record. Returns the output for one-output ops, the outputs for several, the op for none.
import { InvalidArgumentError } from '../framework/errors.js';
import { applyOp, type TensorLike } from '../framework/op_builder.js';
import { getOpDef, hasOpDef, registeredOpTypes } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import type { Tensor } from '../framework/tensor.js';

/** A raw op's inputs and attrs by camelCase name (`concat_dim` is `concatDim`), and its node name. */
export type RawOpArgs = { name?: string } & Record<string, unknown>;
export type RawOpResult = Tensor | Tensor[] | Operation;
export type RawOp = (args?: RawOpArgs) => RawOpResult;

/** TF's snake_case argument names as camelCase (`out_type` -> `outType`; `T`, `Tidx` unchanged). */
function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function rawOp(type: string): RawOp {
  return (args = {}) => {
    const def = getOpDef(type);
    const known = new Set(['name']);
    const inputs = def.inputs.map((arg) => {
      const key = camel(arg.name);
      known.add(key);
      if (args[key] === undefined) throw new InvalidArgumentError(undefined, undefined, `tf.rawOps.${type}: missing input '${key}'`);
      return args[key] as TensorLike;
    });
    const attrs: Record<string, unknown> = {};
    for (const name of Object.keys(def.attrs ?? {})) {
      const key = camel(name);
      known.add(key);
      if (args[key] !== undefined) attrs[name] = args[key];
    }
    const unknown = Object.keys(args).filter((k) => !known.has(k));
    if (unknown.length > 0) {
      throw new InvalidArgumentError(undefined, undefined, `tf.rawOps.${type}: unknown argument(s) ${unknown.join(', ')}`);
    }
    const op = applyOp(type, inputs, attrs, args.name);
    if (op.outputs.length === 0) return op;
    return op.outputs.length === 1 && def.outputs.length === 1 && !def.outputs[0].numberAttr && !def.outputs[0].typeListAttr
      ? op.outputs[0] : [...op.outputs];
  };
}

/** Every registered op type, looked up when used (ops registered later are there too). */
export const rawOps: Readonly<Record<string, RawOp>> = new Proxy({} as Record<string, RawOp>, {
  get: (_, type) => (typeof type === 'string' && hasOpDef(type) ? rawOp(type) : undefined),
  has: (_, type) => typeof type === 'string' && hasOpDef(type),
  ownKeys: () => registeredOpTypes(),
  getOwnPropertyDescriptor: (_, type) =>
    typeof type === 'string' && hasOpDef(type) ? { value: rawOp(type), enumerable: true, configurable: true, writable: false } : undefined,
});
