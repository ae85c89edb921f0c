// tf.cond and tf.case (TF1's CondContext): each branch is built in a context that routes
// values from outside through a Switch on the predicate, so at run time only the taken
// branch computes; a Merge per output takes the live value. Gradients flow back through
// the taken branch (Switch <-> Merge gradients below).
import { InvalidArgumentError } from '../framework/errors.js';
import { getDefaultGraph, type ControlFlowContext, type Graph } from '../framework/graph.js';
import { applyOp, convertToTensor, isRefTensor, type TensorLike } from '../framework/op_builder.js';
import { registerOp } from '../framework/op_registry.js';
import { Operation } from '../framework/operation.js';
import { flatten, pack } from '../framework/nest.js';
import { Tensor } from '../framework/tensor.js';
import { TensorShape } from '../framework/tensor_shape.js';
import { identity } from './array_ops.js';
import { withDependencies } from './control_flow_ops.js';

registerOp({
  type: 'Switch',
  inputs: [{ name: 'data', typeAttr: 'T' }, { name: 'pred', type: 'bool' }],
  outputs: [{ name: 'output_false', typeAttr: 'T' }, { name: 'output_true', typeAttr: 'T' }],
  attrs: { T: { kind: 'type' } },
  shape: (op) => {
    op.inputs[1].shape.withRank(0);
    return [op.inputs[0].shape, op.inputs[0].shape];
  },
});

// Switch of a variable reference: the taken output is still the reference.
registerOp({
  type: 'RefSwitch',
  inputs: [{ name: 'data', typeAttr: 'T', isRef: true }, { name: 'pred', type: 'bool' }],
  outputs: [{ name: 'output_false', typeAttr: 'T', isRef: true }, { name: 'output_true', typeAttr: 'T', isRef: true }],
  attrs: { T: { kind: 'type' } },
  shape: (op) => [op.inputs[0].shape, op.inputs[0].shape],
});

registerOp({
  type: 'Merge',
  inputs: [{ name: 'inputs', typeAttr: 'T', numberAttr: 'N' }],
  outputs: [{ name: 'output', typeAttr: 'T' }, { name: 'value_index', type: 'int32' }],
  attrs: { T: { kind: 'type' }, N: { kind: 'int' } },
  // Dims where the inputs disagree are unknown; different ranks give an unknown rank.
  shape: (op) => {
    const shapes = op.inputs.map((t) => t.shape);
    let out = shapes[0];
    for (const s of shapes.slice(1)) {
      if (out.dims === null || s.dims === null || out.dims.length !== s.dims.length) {
        out = TensorShape.unknown();
        break;
      }
      out = new TensorShape(out.dims.map((d, i) => (d === s.dims![i] ? d : null)));
    }
    return [out, TensorShape.scalar()];
  },
});

/** The predicate of the cond that created a Merge or Switch (its gradient switches on it). */
const condPredOf = new WeakMap<Operation, { pred: Tensor; branch: number }>();

/** switch(data, pred): [output_false, output_true]. */
export function switchOp(data: TensorLike, pred: TensorLike, options: { name?: string } = {}): [Tensor, Tensor] {
  const ref = data instanceof Tensor && isRefTensor(data._asInput(true));
  const op = applyOp(ref ? 'RefSwitch' : 'Switch', [ref ? (data as Tensor)._asInput(true) : data, pred], {}, options.name);
  return [op.outputs[0], op.outputs[1]];
}

/** merge(inputs): [output, value_index] — the first live input. */
export function merge(inputs: readonly TensorLike[], options: { name?: string } = {}): [Tensor, Tensor] {
  const op = applyOp('Merge', [inputs], {}, options.name);
  return [op.outputs[0], op.outputs[1]];
}

class CondContext implements ControlFlowContext {
  /** Tensors produced in (or made available to) this branch, and what external ones became. */
  private readonly values = new Set<Tensor>();
  private readonly external = new Map<Tensor, Tensor>();

  constructor(readonly graph: Graph, readonly pred: Tensor, readonly pivot: Tensor, readonly branch: number,
              readonly outer: ControlFlowContext | null) {
    this.values.add(pred);
    this.values.add(pivot);
  }

  /** The value `t` has inside this branch: itself if produced here, else switched on pred. */
  addValue(t: Tensor): Tensor {
    if (this.values.has(t)) return t;
    const known = this.external.get(t);
    if (known) return known;
    const outerValue = this.outer ? this.outer.addValue(t) : t;
    const switched = this.outside(() => switchOp(outerValue, this.pred)[this.branch]);
    condPredOf.set(switched.op, { pred: this.pred, branch: this.branch });
    this.values.add(switched);
    this.external.set(t, switched);
    return switched;
  }

  processInputs(inputs: Tensor[]): Tensor[] {
    return inputs.map((t) => this.addValue(t));
  }

  addName(t: Tensor): void {
    this.values.add(t);
  }

  addOp(op: Operation): void {
    // An op with no inputs would run whatever the predicate: make it wait for the pivot.
    if (op.inputs.length === 0 && !op.controlInputs.some((c) => c.outputs.some((o) => this.values.has(o)) || c === this.pivot.op)) {
      op._addControlInput(this.pivot.op);
    }
    this.addInnerOp(op);
  }

  addInnerOp(op: Operation): void {
    for (const o of op.outputs) this.values.add(o);
    this.outer?.addInnerOp(op);
  }

  /** Runs fn with the enclosing context current (Switch ops belong outside the branch). */
  outside<T>(fn: () => T): T {
    return this.graph._inFlowContext(this.outer, fn);
  }

  /** Builds a branch and returns its flat results as tensors inside the branch. */
  build(fn: () => unknown): { structure: unknown; flat: Tensor[] } {
    const saved = this.graph._controlFlowContext;
    this.graph._controlFlowContext = this;
    try {
      const structure = fn();
      if (structure === undefined || structure === null) {
        throw new InvalidArgumentError(undefined, undefined, `${this.branch ? 'trueFn' : 'falseFn'} must have a return value.`);
      }
      const flat = flatten(structure).map((v) => {
        if (v instanceof Operation) return withDependencies([v], this.pivot);
        const t = convertToTensor(v as TensorLike);
        return this.values.has(t) ? t : this.addValue(t);
      });
      return { structure, flat };
    } finally {
      this.graph._controlFlowContext = saved;
    }
  }
}

/**
 * tf.cond(pred, trueFn, falseFn): runs only the branch `pred` selects. Both functions must
 * return the same structure of tensors; the result has that structure.
 */
export function cond<T>(pred: TensorLike, trueFn: () => T, falseFn: () => T, options: { name?: string } = {}): T {
  if (typeof pred === 'boolean') throw new InvalidArgumentError(undefined, undefined, 'pred must not be a JS boolean');
  const graph = pred instanceof Tensor ? pred.graph : getDefaultGraph();
  return graph.asDefault(() => graph.nameScope(options.name ?? 'cond', () => {
    const p = convertToTensor(pred, { dtype: 'bool' });
    const [p2, p1] = switchOp(p, p);
    const pivotT = identity(p1, { name: 'switch_t' });
    const pivotF = identity(p2, { name: 'switch_f' });
    const predId = identity(p, { name: 'pred_id' });
    const outer = graph._controlFlowContext;
    const t = new CondContext(graph, predId, pivotT, 1, outer).build(trueFn);
    const f = new CondContext(graph, predId, pivotF, 0, outer).build(falseFn);
    if (t.flat.length !== f.flat.length) {
      throw new InvalidArgumentError(undefined, undefined,
        `Outputs of trueFn and falseFn must have the same structure: ${t.flat.length} vs ${f.flat.length} tensors`);
    }
    if (t.flat.length === 0) throw new InvalidArgumentError(undefined, undefined, 'trueFn and falseFn must return at least one result.');
    const merges = t.flat.map((tt, i) => {
      const ff = f.flat[i];
      if (tt.dtype !== ff.dtype) {
        throw new InvalidArgumentError(undefined, undefined, `Outputs of trueFn and falseFn must have the same type: ${tt.dtype}, ${ff.dtype}`);
      }
      const [m] = merge([ff, tt]);
      condPredOf.set(m.op, { pred: predId, branch: -1 });
      return m;
    });
    return pack(t.structure, merges) as T;
  }));
}

/**
 * tf.case(pairs, {default, exclusive}): the function of the first true predicate (or the
 * default), built as nested conds.
 */
export function caseOp<T>(predFnPairs: readonly [TensorLike, () => T][], options: { default?: () => T; exclusive?: boolean; name?: string } = {}): T {
  if (predFnPairs.length === 0 && !options.default) throw new InvalidArgumentError(undefined, undefined, 'tf.case needs at least one predicate or a default');
  return getDefaultGraph().nameScope(options.name ?? 'case', () => {
    const fallback = options.default ?? predFnPairs[predFnPairs.length - 1][1];
    const pairs = options.default ? predFnPairs : predFnPairs.slice(0, -1);
    let build: () => T = fallback;
    for (let i = pairs.length - 1; i >= 0; i--) {
      const [p, fn] = pairs[i];
      const rest = build;
      build = () => cond(p, fn, rest);
    }
    return build();
  });
}
export { caseOp as case };

/** The predicate of the cond whose Merge (or branch Switch) this is (control_flow_grad.ts switches on it). */
export function condPredicate(op: Operation): Tensor | undefined {
  return condPredOf.get(op)?.pred;
}
