// Simple control ops: NoOp, group, tuple, with_dependencies, Print and the Assert family.
// (tf.cond is in cond.ts, tf.whileLoop in while_loop.ts.)
import { unchangedShape } from '../framework/common_shapes.js';
import { constantValue } from '../framework/constant_value.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { getDefaultGraph, toOperation, type Graph, type OpLike } from '../framework/graph.js';
import type { NDArray } from '../framework/ndarray.js';
import { applyOp, applyOp1, convertToTensor, isRefTensor, type TensorLike } from '../framework/op_builder.js';
import { registerOp } from '../framework/op_registry.js';
import { Operation } from '../framework/operation.js';
import { Tensor } from '../framework/tensor.js';
import { reduceAll } from './math_ops.js';

// ---------- op registrations ----------

registerOp({ type: 'NoOp', inputs: [], outputs: [], shape: () => [] });

registerOp({
  type: 'Print',
  inputs: [{ name: 'input', typeAttr: 'T' }, { name: 'data', typeListAttr: 'U' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: {
    T: { kind: 'type' },
    U: { kind: 'list(type)' },
    message: { kind: 'string', default: '' },
    first_n: { kind: 'int', default: -1 },
    summarize: { kind: 'int', default: 3 },
  },
  stateful: true,
  shape: unchangedShape,
});

registerOp({
  type: 'Assert',
  inputs: [{ name: 'condition', type: 'bool' }, { name: 'data', typeListAttr: 'T' }],
  outputs: [],
  attrs: { T: { kind: 'list(type)' }, summarize: { kind: 'int', default: 3 } },
  stateful: true,
  shape: () => [],
});

// ---------- helpers ----------

/** The graph of the first tensor or operation among `values` (else the default graph). */
function graphOfAny(values: readonly unknown[]): Graph {
  for (const v of values) {
    if (v instanceof Tensor || v instanceof Operation) return v.graph;
  }
  return getDefaultGraph();
}

/** TF1's name_scope(name, defaultName, values): opens the scope in the values' graph. */
function withScope<T>(name: string | undefined, defaultName: string, values: readonly unknown[],
                      fn: (scope: string, graph: Graph) => T): T {
  const graph = graphOfAny(values);
  return graph.asDefault(() => graph.nameScope(name || defaultName, (scope) => fn(scope, graph)));
}

/** Converts a list argument as TF1's convert_n_to_tensor: JS values become `${name}_${i}`. */
function convertList(values: readonly TensorLike[], name: string): Tensor[] {
  return values.map((v, i) => convertToTensor(v, { name: `${name}_${i}` }));
}


type Groupable = OpLike | readonly Groupable[];

function flattenGroupable(inputs: Groupable, out: unknown[] = []): unknown[] {
  if (Array.isArray(inputs)) for (const x of inputs) flattenGroupable(x as Groupable, out);
  else out.push(inputs);
  return out;
}

// ---------- public API ----------

/** tf.noOp({name}): an op that does nothing (useful as a control-dependency anchor). */
export function noOp(options: { name?: string } = {}): Operation {
  return applyOp('NoOp', [], {}, options.name);
}

function groupControlDeps(graph: Graph, device: string, deps: Operation[], name?: string): Operation {
  return graph.controlDependencies(deps, () => graph.device(device, () => noOp({ name })));
}

/**
 * tf.group(inputs, {name}): a NoOp ("group_deps") that runs after all `inputs` (tensors or
 * operations, possibly nested). As TF1, inputs on several devices get one NoOp per device
 * ("group_deps/NoOp", ...) under the root.
 */
export function group(inputs: Groupable, options: { name?: string } = {}): Operation {
  const flat = flattenGroupable(inputs);
  return withScope(options.name, 'group_deps', flat, (scope, graph) => {
    if (flat.length === 0) return noOp({ name: scope });
    const byDevice = new Map<string, Operation[]>();
    for (const x of flat) {
      if (!(x instanceof Tensor || x instanceof Operation)) {
        throw new InvalidArgumentError(undefined, undefined, `Expected tf.group() expected Tensor arguments not '${String(x)}'`);
      }
      const op = toOperation(x);
      const list = byDevice.get(op.device) ?? [];
      list.push(op);
      byDevice.set(op.device, list);
    }
    if (byDevice.size === 1) {
      const [[device, deps]] = [...byDevice];
      return groupControlDeps(graph, device, deps, scope);
    }
    const perDevice = [...byDevice.keys()].sort().map((d) => groupControlDeps(graph, d, byDevice.get(d)!));
    return graph.controlDependencies(perDevice, () => noOp({ name: scope }));
  });
}

/**
 * TF1's control_flow_ops.with_dependencies: `outputTensor` passed through an Identity
 * ("control_dependency") that runs after `dependencies`, colocated with the tensor.
 */
export function withDependencies(dependencies: readonly OpLike[], outputTensor: TensorLike,
                                 options: { name?: string } = {}): Tensor {
  return withScope(options.name, 'control_dependency', [...dependencies, outputTensor], (scope, graph) => {
    const colocate = outputTensor instanceof Tensor ? outputTensor : null;
    const build = () => graph.controlDependencies(dependencies, () => {
      const t = convertToTensor(outputTensor);
      if (isRefTensor(t)) return applyOp1('RefIdentity', [t], {}, scope);
      return applyOp1('Identity', [t], {}, scope);
    });
    return colocate ? graph.colocateWith(colocate, build) : build();
  });
}

/**
 * tf.tuple(tensors, {controlInputs, name}): each tensor passed through an Identity that runs
 * only after all of them (and `controlInputs`) are computed; operations become groups.
 */
export function tuple(tensors: readonly (TensorLike | Operation | null | undefined)[],
                      options: { controlInputs?: readonly OpLike[]; name?: string } = {}): (Tensor | Operation | undefined)[] {
  return withScope(options.name, 'tuple', tensors, (_scope, graph) => {
    const items = tensors.map((t) => (t instanceof Operation || t instanceof Tensor || t == null ? t : convertToTensor(t)));
    const gating = new Set<Operation>();
    for (const t of items) if (t != null) gating.add(t instanceof Operation ? t : t.op);
    for (const c of options.controlInputs ?? []) {
      if (!(c instanceof Operation || c instanceof Tensor)) {
        throw new InvalidArgumentError(undefined, undefined, `Control input must be Operation or Tensor: ${String(c)}`);
      }
      gating.add(toOperation(c));
    }
    if (gating.size === 0) throw new InvalidArgumentError(undefined, undefined, 'Must have at least one Tensor in tf.tuple()');
    // Sorted by creation, as TF1 does for a deterministic graph.
    const gate = group([...gating].sort((a, b) => a._id - b._id));
    return items.map((t) => {
      if (t instanceof Tensor) return withDependencies([gate], t);
      if (t instanceof Operation) return graph.controlDependencies([gate], () => group([t]));
      return undefined;
    });
  });
}

export interface PrintOptions {
  /** Printed before the data (default ''). */
  message?: string;
  /** Print only the first n times (default -1: always). */
  firstN?: number;
  /** Elements printed per tensor (default 3). */
  summarize?: number;
  name?: string;
}

/**
 * tf.Print (TF1): returns `input` unchanged and, when that output is computed, prints
 * `message` and the values of `data` to stderr.
 */
export function printOp(input: TensorLike, data: readonly TensorLike[], options: PrintOptions = {}): Tensor {
  return withScope(options.name, 'Print', [input, ...data], (scope) => {
    const inputT = convertToTensor(input, { name: 'input' });
    const dataT = convertList(data, 'data');
    return applyOp1('Print', [inputT, dataT],
      { message: options.message, first_n: options.firstN, summarize: options.summarize }, scope);
  });
}

/** Alias of printOp (the identity-like TF1 Print op). */
export const print = printOp;
/** TF1's spelling, tf.Print. */
export const Print = printOp;

/**
 * tf.assert / tf.Assert(condition, data, {summarize, name}): an op that fails with `data` in
 * its message when `condition` (a bool scalar) is false. Returns the Assert operation
 * ("Assert/Assert"). TF1 guards asserts whose data is not all int32/string with a cond;
 * until cond exists the op is always unguarded.
 */
export function assert(condition: TensorLike, data: readonly TensorLike[],
                       options: { summarize?: number; name?: string } = {}): Operation {
  return withScope(options.name, 'Assert', [condition, ...data], (_scope, graph) => {
    // TF1 converts the data once for its host-memory check and hands the original values to
    // the op, so JS values give both "Assert/Const" and "Assert/Assert/data_i" nodes.
    for (const d of data) convertToTensor(d);
    return graph.nameScope('Assert', (opScope) => {
      // A tensor of the wrong dtype is left for applyOp to reject with TF1's message.
      const cond = condition instanceof Tensor ? condition : convertToTensor(condition, { dtype: 'bool', name: 'condition' });
      return applyOp('Assert', [cond, convertList(data, 'data')], { summarize: options.summarize }, opScope);
    });
  });
}

/** TF1's spelling, tf.Assert. */
export const Assert = assert;

// ---------- the assert family (TF1's check_ops) ----------

export interface AssertOptions {
  /** Tensors printed on failure (default: a message, x and y). */
  data?: readonly TensorLike[];
  summarize?: number;
  /** Prefix of the default data. */
  message?: string;
  name?: string;
}

/** Every element of a equals the broadcast element of b (undefined if shapes don't broadcast). */
function allEqualStatic(a: NDArray, b: NDArray): boolean | undefined {
  const n = Math.max(a.rank, b.rank);
  const pad = (s: readonly number[]) => [...new Array<number>(n - s.length).fill(1), ...s];
  const sa = pad(a.shape), sb = pad(b.shape);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (sa[i] !== sb[i] && sa[i] !== 1 && sb[i] !== 1) return undefined;
    out.push(sa[i] === 1 ? sb[i] : sa[i]);
  }
  const total = out.reduce((x, y) => x * y, 1);
  const flatIndex = (shape: number[], idx: number[]) => idx.reduce((f, k, i) => f * shape[i] + (shape[i] === 1 ? 0 : k), 0);
  for (let f = 0; f < total; f++) {
    const idx: number[] = [];
    let rest = f;
    for (let i = n - 1; i >= 0; i--) {
      idx[i] = rest % out[i];
      rest = Math.floor(rest / out[i]);
    }
    if (a.flatGet(flatIndex(sa, idx)) !== b.flatGet(flatIndex(sb, idx))) return false;
  }
  return true;
}

const BINARY_ASSERTS = {
  equal: { op: 'Equal', scope: 'assert_equal', condition: 'Condition x == y did not hold element-wise:' },
  noneEqual: { op: 'NotEqual', scope: 'assert_none_equal', condition: 'Condition x != y did not hold for every single element:' },
  less: { op: 'Less', scope: 'assert_less', condition: 'Condition x < y did not hold element-wise:' },
  lessEqual: { op: 'LessEqual', scope: 'assert_less_equal', condition: 'Condition x <= y did not hold element-wise:' },
  greater: { op: 'Greater', scope: 'assert_greater', condition: 'Condition x > y did not hold element-wise:' },
  greaterEqual: { op: 'GreaterEqual', scope: 'assert_greater_equal', condition: 'Condition x >= y did not hold element-wise:' },
} as const;

/** TF1's assert_<cmp>(x, y): Assert(reduce_all(<cmp>(x, y)), data) in scope "assert_<cmp>". */
function binaryAssert(kind: keyof typeof BINARY_ASSERTS, x: TensorLike, y: TensorLike, options: AssertOptions): Operation {
  const spec = BINARY_ASSERTS[kind];
  return withScope(options.name, spec.scope, [x, y, ...(options.data ?? [])], () => {
    const xt = convertToTensor(x, { name: 'x' });
    const yt = convertToTensor(y, { name: 'y' });
    const data = options.data ?? [options.message ?? '', spec.condition, `x (${xt.name}) = `, xt, `y (${yt.name}) = `, yt];
    const condition = reduceAll(applyOp1(spec.op, [xt, yt], {}));
    if (kind === 'equal') {
      // Statically known values are checked now, as TF1 does for assert_equal.
      const xs = constantValue(xt), ys = constantValue(yt);
      if (xs && ys && allEqualStatic(xs, ys) === false) {
        const text = data.map((d) => {
          if (!(d instanceof Tensor)) return String(d);
          return constantValue(d)?.toString() ?? d.toString();
        });
        throw new InvalidArgumentError(undefined, undefined, text.join('\n'));
      }
    }
    return assert(condition, data, { summarize: options.summarize });
  });
}

export function assertEqual(x: TensorLike, y: TensorLike, options: AssertOptions = {}): Operation {
  return binaryAssert('equal', x, y, options);
}
export function assertNoneEqual(x: TensorLike, y: TensorLike, options: AssertOptions = {}): Operation {
  return binaryAssert('noneEqual', x, y, options);
}
export function assertLess(x: TensorLike, y: TensorLike, options: AssertOptions = {}): Operation {
  return binaryAssert('less', x, y, options);
}
export function assertLessEqual(x: TensorLike, y: TensorLike, options: AssertOptions = {}): Operation {
  return binaryAssert('lessEqual', x, y, options);
}
export function assertGreater(x: TensorLike, y: TensorLike, options: AssertOptions = {}): Operation {
  return binaryAssert('greater', x, y, options);
}
export function assertGreaterEqual(x: TensorLike, y: TensorLike, options: AssertOptions = {}): Operation {
  return binaryAssert('greaterEqual', x, y, options);
}

/** TF1's assert_positive & co.: compare x with a zero of its dtype through assert_less(_equal). */
function signAssert(scope: string, condition: string, kind: 'less' | 'lessEqual', zeroFirst: boolean,
                    x: TensorLike, options: AssertOptions): Operation {
  return withScope(options.name, scope, [x, ...(options.data ?? [])], () => {
    const xt = convertToTensor(x, { name: 'x' });
    const data = options.data ?? [options.message ?? '', condition, `x (${xt.name}) = `, xt];
    const zero = convertToTensor(0, { dtype: xt.dtype });
    const [a, b] = zeroFirst ? [zero, xt] : [xt, zero];
    return binaryAssert(kind, a, b, { data, summarize: options.summarize });
  });
}

export function assertPositive(x: TensorLike, options: AssertOptions = {}): Operation {
  return signAssert('assert_positive', 'Condition x > 0 did not hold element-wise:', 'less', true, x, options);
}
export function assertNegative(x: TensorLike, options: AssertOptions = {}): Operation {
  return signAssert('assert_negative', 'Condition x < 0 did not hold element-wise:', 'less', false, x, options);
}
export function assertNonNegative(x: TensorLike, options: AssertOptions = {}): Operation {
  return signAssert('assert_non_negative', 'Condition x >= 0 did not hold element-wise:', 'lessEqual', true, x, options);
}
export function assertNonPositive(x: TensorLike, options: AssertOptions = {}): Operation {
  return signAssert('assert_non_positive', 'Condition x <= 0 did not hold element-wise:', 'lessEqual', false, x, options);
}
