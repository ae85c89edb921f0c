// tf.whileLoop (TF1's WhileContext): a loop is a frame of the dataflow graph. Each loop
// variable enters through Enter, meets its next value in a Merge, goes through a Switch on
// the loop condition (LoopCond) to the body (true) or out through Exit (false), and the body's
// result comes back through NextIteration. Values from outside the loop enter as constant
// Enters. The executor runs iterations as frames (native/runtime/executor.cc); gradients
// build a mirror loop that runs the iterations backwards (src/gradients/while_grad.ts).
import { InvalidArgumentError } from '../framework/errors.js';
import { getDefaultGraph, type ControlFlowContext, type Graph } from '../framework/graph.js';
import { applyOp1, convertToTensor, isRefTensor, type TensorLike } from '../framework/op_builder.js';
import { registerOp } from '../framework/op_registry.js';
import { Operation } from '../framework/operation.js';
import { flatten, pack } from '../framework/nest.js';
import { Tensor } from '../framework/tensor.js';
import { TensorShape, type ShapeLike } from '../framework/tensor_shape.js';
import { merge, switchOp } from './cond.js';
import { unchangedShape } from '../framework/common_shapes.js';

const passThrough = (type: string, ref: boolean, attrs: Parameters<typeof registerOp>[0]['attrs'] = {}) => registerOp({
  type,
  inputs: [{ name: 'data', typeAttr: 'T', isRef: ref }],
  outputs: [{ name: 'output', typeAttr: 'T', isRef: ref }],
  attrs: { T: { kind: 'type' }, ...attrs },
  shape: unchangedShape,
});
const enterAttrs = {
  frame_name: { kind: 'string' as const },
  is_constant: { kind: 'bool' as const, default: false },
  parallel_iterations: { kind: 'int' as const, default: 10 },
};
passThrough('Enter', false, enterAttrs);
passThrough('RefEnter', true, enterAttrs);
passThrough('Exit', false);
passThrough('RefExit', true);
passThrough('NextIteration', false);
passThrough('RefNextIteration', true);

registerOp({
  type: 'LoopCond',
  inputs: [{ name: 'input', type: 'bool' }],
  outputs: [{ name: 'output', type: 'bool' }],
  shape: (op) => [op.inputs[0].shape.withRank(0)],
});

// A forward loop saves a value per iteration for its gradient loop (keyed by `accumulator`,
// addressed by the forward iteration index); the values live for one Session.run.
registerOp({
  type: 'LoopAccumulatorPush',
  inputs: [{ name: 'value', typeAttr: 'T' }, { name: 'index', type: 'int32' }],
  outputs: [],
  attrs: { T: { kind: 'type' }, accumulator: { kind: 'string' } },
  stateful: true,
  shape: () => [],
});
registerOp({
  type: 'LoopAccumulatorPop',
  inputs: [{ name: 'index', type: 'int32' }],
  outputs: [{ name: 'value', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' }, accumulator: { kind: 'string' } },
  stateful: true,
  shape: () => [TensorShape.unknown()],
});

/** One loop variable's nodes. */
export interface LoopVar {
  enter: Tensor;
  merge: Tensor;
  exit: Tensor;
  bodyInput: Tensor; // Identity of the Switch's true output
  next: Tensor;      // the NextIteration
  bodyOutput: Tensor;
}

export class WhileContext implements ControlFlowContext {
  readonly values = new Set<Tensor>();
  private readonly external = new Map<Tensor, Tensor>();
  /** Constant Enters of outside values, in creation order. */
  readonly constantEnters: Tensor[] = [];
  readonly loopVars: LoopVar[] = [];
  /** The LoopCond output: the Switches of this loop switch on it. */
  pivot!: Tensor;
  /** Input-less ops in the condition wait on this (the first Merge), those in the body on pivotForBody. */
  pivotForPred: Operation | null = null;
  pivotForBody: Operation | null = null;
  /** Whether gradients flow through this loop (whileLoop's backProp option). */
  backProp = true;

  constructor(readonly graph: Graph, readonly name: string, readonly frameName: string,
              readonly parallelIterations: number, readonly outer: ControlFlowContext | null) {}

  /** Runs fn with this context current and no outside control dependencies. */
  inside<T>(fn: () => T): T {
    return this.graph._inFlowContext(this, fn);
  }

  /** Runs fn in the enclosing context (where the Enter ops' inputs live). */
  outside<T>(fn: () => T): T {
    return this.graph._inFlowContext(this.outer, fn);
  }

  /** An Enter of `t` into this frame (its op belongs to this loop). */
  enter(t: Tensor, isConstant: boolean, name = 'Enter'): Tensor {
    const ref = isRefTensor(t);
    const e = applyOp1(ref ? 'RefEnter' : 'Enter', [t], {
      frame_name: this.frameName, is_constant: isConstant, parallel_iterations: this.parallelIterations,
    }, name);
    e.op._flowContext = this;
    this.values.add(e);
    return e;
  }

  /** The value `t` has inside the loop: itself if made here, else a constant Enter of it. */
  addValue(t: Tensor): Tensor {
    if (this.values.has(t)) return t;
    const known = this.external.get(t);
    if (known) return known;
    const entered = this.outside(() => {
      const outerValue = this.outer ? this.outer.addValue(t) : t;
      return this.enter(outerValue, true);
    });
    this.external.set(t, entered);
    this.constantEnters.push(entered);
    return entered;
  }

  addName(t: Tensor): void {
    this.values.add(t);
  }

  processInputs(inputs: Tensor[]): Tensor[] {
    return inputs.map((t) => this.addValue(t));
  }

  addOp(op: Operation): void {
    // An op with no inputs must still run once per iteration, in this frame: it waits on the pivot.
    const pivot = this.pivotForBody ?? this.pivotForPred;
    if (op.inputs.length === 0 && pivot && !op.controlInputs.some((c) => c.outputs.some((o) => this.values.has(o)) || c === pivot)) {
      op._addControlInput(pivot);
    }
    this.addInnerOp(op);
  }

  addInnerOp(op: Operation): void {
    for (const o of op.outputs) this.values.add(o);
    this.outer?.addInnerOp(op);
  }

  /**
   * A Merge's value switched on the loop condition: it leaves through an Exit when the
   * condition fails and enters the body through an Identity when it holds.
   */
  switchValue(m: Tensor): { exit: Tensor; body: Tensor } {
    const [f, t] = switchOp(m, this.pivot, { name: 'Switch' });
    return { exit: applyOp1(isRefTensor(f) ? 'RefExit' : 'Exit', [f], {}, 'Exit'), body: applyOp1('Identity', [t], {}, 'Identity') };
  }

  /** Closes a loop variable: `next` goes through NextIteration back into its Merge `m`. */
  nextIteration(m: Tensor, next: Tensor, name = 'NextIteration'): Tensor {
    const n = applyOp1(isRefTensor(next) ? 'RefNextIteration' : 'NextIteration', [next], {}, name);
    m.op._updateInput(1, n);
    return n;
  }

  /** Builds the loop; returns the Exit of each loop variable. */
  build(cond: (...v: unknown[]) => unknown, body: (...v: unknown[]) => unknown, structure: unknown[], flat: Tensor[],
        shapeInvariants: (TensorShape | undefined)[]): Tensor[] {
    const enters = flat.map((v) => this.enter(v, false));
    return this.inside(() => {
      const merges = enters.map((e, i) => {
        const m = merge([e, e], { name: 'Merge' })[0];
        if (shapeInvariants[i]) {
          if (!shapeInvariants[i]!.isCompatibleWith(e.shape)) {
            throw new InvalidArgumentError(undefined, undefined,
              `The shape invariant specified for ${flat[i].name} is not compatible with the initial shape of the loop variable. ` +
              `It enters the loop with shape ${e.shape.toString()}, but the specified shape invariant is ${shapeInvariants[i]!.toString()}.`);
          }
          m._resetShape(shapeInvariants[i]!);
        }
        return m;
      });
      this.pivotForPred = merges[0].op;
      const c = convertToTensor(cond(...(pack(structure, merges) as unknown[])) as TensorLike, { dtype: 'bool' });
      if (c.dtype !== 'bool') throw new InvalidArgumentError(undefined, undefined, `The loop condition must return a bool tensor, got ${c.dtype}`);
      this.pivot = applyOp1('LoopCond', [c], {}, 'LoopCond');
      const switched = merges.map((m) => this.switchValue(m));
      const exits = switched.map((x) => x.exit);
      const bodyInputs = switched.map((x) => x.body);
      this.pivotForBody = bodyInputs[0].op;
      const result = body(...(pack(structure, bodyInputs) as unknown[]));
      const outs = flatten(Array.isArray(result) ? result : [result]).map((r) => this.addValue(convertToTensor(r as TensorLike)));
      if (outs.length !== flat.length) {
        throw new InvalidArgumentError(undefined, undefined,
          `The body of the while loop must return as many values as there are loop variables: ${outs.length} vs ${flat.length}`);
      }
      outs.forEach((o, i) => {
        const m = merges[i];
        if (o.dtype !== m.dtype) {
          throw new InvalidArgumentError(undefined, undefined,
            `The loop variable ${flat[i].name} enters the loop as ${m.dtype} but the body returns ${o.dtype}`);
        }
        if (!shapeLessOrEqual(o.shape, m.shape)) {
          throw new InvalidArgumentError(undefined, undefined,
            `Input tensor '${flat[i].name}' enters the loop with shape ${m.shape.toString()}, but has shape ` +
            `${o.shape.toString()} after one iteration. To allow the shape to vary across iterations, use the ` +
            '`shapeInvariants` option of tf.whileLoop to specify a less-specific shape.');
        }
      });
      const nexts = outs.map((o, i) => this.nextIteration(merges[i], o));
      flat.forEach((_, i) => this.loopVars.push({
        enter: enters[i], merge: merges[i], exit: exits[i], bodyInput: bodyInputs[i], next: nexts[i], bodyOutput: outs[i],
      }));
      // The Exits are values of the enclosing context.
      for (const e of exits) this.outer?.addName(e);
      return exits;
    });
  }
}

/** Whether every dim of `a` is at least as specific as the matching dim of `b`. */
function shapeLessOrEqual(a: TensorShape, b: TensorShape): boolean {
  if (b.dims === null) return true;
  if (a.dims === null || a.dims.length !== b.dims.length) return false;
  return a.dims.every((d, i) => b.dims![i] === null || d === b.dims![i]);
}

/** The innermost while loop an op was built in (through tf.cond branches), or null. */
export function loopOf(ctx: ControlFlowContext | null): WhileContext | null {
  for (let c = ctx; c; c = c.outer) if (c instanceof WhileContext) return c;
  return null;
}

/** Shape invariants laid out like the loop variables: one shape (an array itself) per tensor. */
function flattenShapes(structure: unknown, shapes: unknown): (TensorShape | undefined)[] {
  const bad = () => new InvalidArgumentError(undefined, undefined, 'shapeInvariants must have the structure of loopVars');
  if (Array.isArray(structure)) {
    if (!Array.isArray(shapes) || shapes.length !== structure.length) throw bad();
    return structure.flatMap((s, i) => flattenShapes(s, shapes[i]));
  }
  if (structure && typeof structure === 'object' && !(structure instanceof Tensor)) {
    if (!shapes || typeof shapes !== 'object') throw bad();
    return Object.entries(structure).flatMap(([k, s]) => flattenShapes(s, (shapes as Record<string, unknown>)[k]));
  }
  return [shapes === undefined ? undefined : TensorShape.from(shapes as ShapeLike)];
}

/** A loop variable's shape invariant, nested like the loop variables (undefined: none). */
export type ShapeInvariant = ShapeLike | TensorShape | undefined | readonly ShapeInvariant[] | { readonly [key: string]: ShapeInvariant };

export interface WhileLoopOptions {
  /** Per loop variable (same structure), a shape it keeps across iterations (null dims vary). */
  shapeInvariants?: readonly ShapeInvariant[];
  /** Iterations allowed to run in parallel (recorded on the Enter ops; iterations run in order here). */
  parallelIterations?: number;
  /** Whether gradients may flow through the loop (default true). */
  backProp?: boolean;
  /** Accepted for compatibility: tensors are never swapped out here. */
  swapMemory?: boolean;
  /** Stop after this many iterations even if the condition still holds. */
  maximumIterations?: TensorLike;
  name?: string;
}

/** What a loop variable becomes inside the loop and in the result: tensors, keeping nesting. */
export type LoopValue<X> = X extends Tensor | number | boolean | string | ArrayLike<number> ? Tensor
  : X extends readonly unknown[] ? { -readonly [K in keyof X]: LoopValue<X[K]> }
  : X extends object ? { -readonly [K in keyof X]: LoopValue<X[K]> } : Tensor;
type LoopValues<V extends readonly unknown[]> = { -readonly [K in keyof V]: LoopValue<V[K]> };

/**
 * tf.whileLoop(cond, body, loopVars): repeats `body` while `cond` holds. `cond(...vars)` returns
 * a scalar bool tensor and `body(...vars)` the next values (same structure and dtypes).
 * Returns the final values: a single tensor when loopVars has one element, else an array.
 */
export function whileLoop<const V extends readonly unknown[]>(
  cond: (...vars: LoopValues<V>) => TensorLike, body: (...vars: LoopValues<V>) => unknown, loopVars: V,
  options: WhileLoopOptions = {}): V extends readonly [unknown] ? LoopValue<V[0]> : LoopValues<V> {
  if (typeof cond !== 'function') throw new InvalidArgumentError(undefined, undefined, 'cond must be callable.');
  if (typeof body !== 'function') throw new InvalidArgumentError(undefined, undefined, 'body must be callable.');
  if (!Array.isArray(loopVars) || loopVars.length === 0) {
    throw new InvalidArgumentError(undefined, undefined, 'No loop variables provided');
  }
  const parallelIterations = options.parallelIterations ?? 10;
  if (!Number.isInteger(parallelIterations) || parallelIterations < 1) {
    throw new InvalidArgumentError(undefined, undefined, '`parallelIterations` must be a positive integer.');
  }
  const firstTensor = flatten(loopVars).find((v) => v instanceof Tensor) as Tensor | undefined;
  const graph = firstTensor?.graph ?? getDefaultGraph();
  return graph.asDefault(() => graph.nameScope(options.name ?? 'while', (scope) => {
    let structure: unknown[] = [...loopVars];
    // The user's functions are called with the values as spread arguments.
    let c = cond as (...v: unknown[]) => TensorLike;
    let b = body as (...v: unknown[]) => unknown;
    const invariants: unknown[] | undefined = options.shapeInvariants ? [...options.shapeInvariants] : undefined;
    if (options.maximumIterations !== undefined) {
      // An extra counter variable stops the loop after maximumIterations.
      const max = convertToTensor(options.maximumIterations, { dtype: 'int32', name: 'maximum_iterations' });
      structure = [convertToTensor(0, { dtype: 'int32', name: 'iteration_counter' }), ...loopVars];
      const userCond = c, userBody = b;
      c = (i, ...v) => applyOp1('LogicalAnd', [applyOp1('Less', [i as Tensor, max], {}), convertToTensor(userCond(...v), { dtype: 'bool' })], {});
      b = (i, ...v) => {
        const r = userBody(...v);
        return [applyOp1('AddV2', [i as Tensor, 1], {}), ...(loopVars.length === 1 && !Array.isArray(r) ? [r] : (r as unknown[]))];
      };
      invariants?.unshift(undefined);
    }
    const flat = flatten(structure).map((v) => (v instanceof Tensor ? v._asInput(true) : convertToTensor(v as TensorLike)));
    const flatInvariants = invariants ? flattenShapes(structure, invariants) : [];
    const ctx = new WhileContext(graph, scope.slice(0, -1), `${scope}while_context`,
      parallelIterations, graph._controlFlowContext);
    const exits = ctx.build(c, b, structure, flat, flatInvariants);
    ctx.backProp = options.backProp !== false;
    let result = pack(structure, exits) as unknown[];
    if (options.maximumIterations !== undefined) result = result.slice(1);
    return (loopVars.length === 1 ? result[0] : result) as V extends readonly [unknown] ? LoopValue<V[0]> : LoopValues<V>;
  }));
}
