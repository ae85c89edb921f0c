// Helpers shared by the tests: placeholders, building in a fresh graph, running fetches in a
// one-off session, and assertions on results (exact, approximate, failing runs).
import type { ExecutionContext } from 'ava';
import * as tf from 'tensorgraph';

export type Scalar = number | boolean | string;
/** A placeholder's shape: dims (null where unknown), or null for an unknown rank. */
export type Dims = (number | null)[] | null;
export type Feeds = [tf.Tensor, unknown][];
export type Nested = number | boolean | string | Nested[];

// ---------------------------------------------------------------------------- building

/** A placeholder, of unknown shape unless `shape` is given. */
export const ph = (dtype: tf.DType, shape: Dims = null, name?: string) => tf.placeholder(dtype, { shape, name });
/** Placeholders of one dtype, scalars unless `shape` is given. */
export const f32 = (shape: Dims = [], name?: string) => tf.placeholder('float32', { shape, name });
export const i32 = (shape: Dims = [], name?: string) => tf.placeholder('int32', { shape, name });
export const bool = (shape: Dims = [], name?: string) => tf.placeholder('bool', { shape, name });

/** Runs `fn` with a fresh graph as the default. */
export function inGraph<T>(fn: (g: tf.Graph) => T): T {
  const g = new tf.Graph();
  return g.asDefault(() => fn(g));
}

/** "name:Type" of every op created by `fn`, in creation order. */
export function newOps(g: tf.Graph, fn: () => unknown): string[] {
  const before = g.getOperations().length;
  fn();
  return g.getOperations().slice(before).map((o) => `${o.name}:${o.type}`);
}

/** The names of a graph's ops, in creation order, from the `from`-th on. */
export const names = (g: tf.Graph, from = 0) => g.getOperations().slice(from).map((op) => op.name);
/** The names of an op's control inputs, sorted. */
export const ctrl = (op: tf.Operation) => op.controlInputs.map((c) => c.name).sort();

// ---------------------------------------------------------------------------- running

/** Runs `fetch` once in a fresh session on its graph. */
export function run(fetch: tf.Tensor, feeds?: Feeds): tf.NDArray;
export function run(fetch: tf.Tensor[], feeds?: Feeds): tf.NDArray[];
export function run(fetch: tf.Tensor | tf.Tensor[], feeds: Feeds = []): tf.NDArray | tf.NDArray[] {
  const graph = Array.isArray(fetch) ? fetch[0].graph : fetch.graph;
  const sess = new tf.Session({ graph });
  try {
    return sess.run(fetch as tf.Tensor, feeds) as tf.NDArray | tf.NDArray[];
  } finally {
    sess.close();
  }
}

export const nd = (value: tf.ValueLike, dtype: tf.DType, shape?: number[]) => tf.NDArray.from(value, dtype, shape);

/** 0, 1, ..., n-1 as an NDArray of `shape`. */
export const iota = (shape: number[], dtype: tf.DType = 'int32') =>
  nd(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i), dtype, shape);

/** Runs fn, returning what it printed with console.log. */
export function captureLog(fn: () => void): string[] {
  const lines: string[] = [];
  const saved = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    fn();
  } finally {
    console.log = saved;
  }
  return lines;
}

// ---------------------------------------------------------------------------- assertions

/** `{ instanceOf: InvalidArgumentError }`, for t.throws. */
export const invalid = { instanceOf: tf.errors.InvalidArgumentError };

/** Asserts value, dtype and shape of a result. */
export function same(t: ExecutionContext, got: tf.NDArray, expected: tf.NestedArray, dtype: tf.DType, shape: number[]): void {
  t.is(got.dtype, dtype);
  t.deepEqual(got.shape, shape);
  t.deepEqual(got.toArray(), expected);
}

/** Asserts that running `fetch` fails with InvalidArgumentError whose message holds `fragment`. */
export function runFails(t: ExecutionContext, fetch: tf.Tensor | tf.Tensor[], feeds: Feeds, fragment: string): void {
  const e = t.throws(() => run(fetch as tf.Tensor, feeds), invalid);
  t.true(e?.message.includes(fragment), `expected '${fragment}' in: ${e?.message}`);
}

export function flat(v: Nested): (number | boolean | string)[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v];
}

/**
 * Asserts the shape (when given) and the elements of a result: numbers within `tol` relative
 * to max(1, |want|), NaN and infinities exactly, booleans and strings equal.
 */
export function expectClose(t: ExecutionContext, got: tf.NDArray, want: Nested, shape?: number[], tol = 1e-5): void {
  const w = flat(want);
  if (shape) t.deepEqual([...got.shape], shape);
  t.is(got.size, w.length);
  for (let i = 0; i < w.length; i++) {
    const a = got.flatGet(i);
    const b = w[i];
    if (typeof b === 'number' && typeof a === 'number') {
      if (Number.isNaN(b)) t.true(Number.isNaN(a), `element ${i}: ${a} is not NaN`);
      else if (!Number.isFinite(b)) t.is(a, b, `element ${i}`);
      else t.true(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `element ${i}: got ${a}, want ${b}`);
    } else {
      t.is(a, b, `element ${i}`);
    }
  }
}

export const varNames = (vars: tf.Variable[]) => vars.map((v) => v.op.name);

/** Runs `fn(sess)` in a session on `g` after initialising the global variables. */
export function withSession<T>(g: tf.Graph, fn: (sess: tf.Session) => T): T {
  const sess = new tf.Session({ graph: g });
  try {
    g.asDefault(() => sess.run(tf.globalVariablesInitializer()));
    return fn(sess);
  } finally {
    sess.close();
  }
}
