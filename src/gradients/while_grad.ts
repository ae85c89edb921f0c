// The gradient of a while loop (TF1's GradLoopState, simplified): a second loop runs the
// forward iterations backwards. The forward loop gets a counter; every forward value the
// body's gradient needs is saved per iteration (LoopAccumulatorPush, indexed by the counter)
// and read back by the gradient loop (LoopAccumulatorPop at the same index, counting down).
// Gradients of loop-invariant inputs (a weight read inside the body) are summed over the
// iterations in extra gradient-loop variables.
import { isFloating } from '../framework/dtypes.js';
import { UnimplementedError } from '../framework/errors.js';
import type { ControlFlowContext, Graph } from '../framework/graph.js';
import { applyOp, applyOp1, constant, isRefTensor } from '../framework/op_builder.js';
import type { Operation } from '../framework/operation.js';
import type { Tensor } from '../framework/tensor.js';
import { merge, switchOp } from '../ops/cond.js';
import { loopOf, WhileContext } from '../ops/while_loop.js';
import type { GradientsOptions } from './gradients_impl.js';

/**
 * The gradient traversal of gradients_impl.ts (passed in, so the two modules do not import each
 * other): sums of the gradients of ys (seeded with gradYs) at xs, over one loop body when `loop` is set.
 */
export type GradientsBetween = (graph: Graph, ys: Tensor[], xs: Tensor[], gradYs: Tensor[], options: GradientsOptions,
                                 loop: WhileContext | null) => (Tensor | undefined)[];

/** The gradient loop: forward values used by the body's gradient are popped from accumulators. */
class GradLoopContext extends WhileContext {
  private readonly pops = new Map<Tensor, Tensor>();
  /** The forward iteration this gradient iteration mirrors, after the enclosing loops' ones. */
  popIndex!: Tensor;

  /**
   * forwardIndex: in the forward loop, the iterations of the enclosing loops and then its
   * own (a vector); the saved values are addressed by it.
   */
  constructor(graph: Graph, name: string, frameName: string, outer: ControlFlowContext | null,
              readonly forward: WhileContext, readonly forwardIndex: Tensor, readonly forwardCount: Operation) {
    super(graph, name, frameName, forward.parallelIterations, outer);
  }

  override addValue(t: Tensor): Tensor {
    if (this.values.has(t)) return t;
    const w = loopOfValue(t);
    if (w === this.forward) {
      // A loop-invariant value: enter the outside value instead of saving it every iteration.
      if ((t.op.type === 'Enter' || t.op.type === 'RefEnter') && t.op.getAttr('is_constant')) return super.addValue(t.op.inputs[0]);
      return this.popped(t);
    }
    // Anything else comes from outside: the enclosing gradient loop maps it (popping values
    // of the enclosing forward loop) and it enters this one as a constant.
    return super.addValue(t);
  }

  /** Forward value t at the iteration this gradient iteration mirrors. */
  private popped(t: Tensor): Tensor {
    const known = this.pops.get(t);
    if (known) return known;
    const key = `${this.frameName}/${t.name}`;
    const push = this.forward.inside(() => applyOp('LoopAccumulatorPush', [t, this.forwardIndex], { accumulator: key }, 'LoopAccumulatorPush'));
    // The counter's increment waits for the pushes, so the gradient loop (which waits for
    // the count) never reads a value before it is saved, and the pushes are never pruned.
    this.forwardCount._addControlInput(push);
    const pop = this.inside(() => applyOp1('LoopAccumulatorPop', [this.popIndex], { T: t.dtype, accumulator: key }, 'LoopAccumulatorPop'));
    pop.setShape(t.shape);
    this.pops.set(t, pop);
    return pop;
  }
}

/** The loop a value lives in: an Exit's output is a value of the loop around the exited one. */
function loopOfValue(t: Tensor): WhileContext | null {
  const w = loopOf(t.op._flowContext);
  return w && (t.op.type === 'Exit' || t.op.type === 'RefExit') ? loopOf(w.outer) : w;
}

/** Adds an iteration counter to the forward loop: its value in the body, and the final count. */
function forwardCounter(w: WhileContext): { index: Tensor; count: Tensor; increment: Operation } {
  const graph = w.graph;
  return graph.nameScope(`${w.name}/`, () => {
    const enter = w.outside(() => w.enter(constant(0, { dtype: 'int32', name: 'f_count' }), false, 'f_count'));
    return w.inside(() => {
      const m = merge([enter, enter], { name: 'f_count' })[0];
      const [done, body] = switchOp(m, w.pivot, { name: 'f_count' });
      const add = applyOp1('AddV2', [body, 1], {}, 'f_count');
      w.nextIteration(m, add, 'f_count');
      const count = applyOp1('Exit', [done], {}, 'f_count');
      w.outer?.addName(count);
      return { index: body, count, increment: add.op };
    });
  });
}

/** [...outer, index]: the iterations of the enclosing loops (a vector, or null) and this one's. */
function indexVector(outer: Tensor | null, index: Tensor): Tensor {
  const own = applyOp1('ExpandDims', [index, 0], {});
  return outer ? applyOp1('ConcatV2', [[outer, own], 0], {}) : own;
}

/**
 * Gradients for a loop's inputs (its loop variables' initial values, then the outside values
 * its body reads), given the gradients of its Exits. `level`: the loop whose body holds this
 * one (null at the top level); then the current context is that loop's gradient loop.
 */
export function buildWhileGrad(w: WhileContext, outGrads: (Tensor | undefined)[], level: WhileContext | null,
                               scope: string, gradientsBetween: GradientsBetween,
                               options: GradientsOptions = {}): (Tensor | undefined)[] {
  const none = () => [...w.loopVars.map(() => undefined), ...w.constantEnters.map(() => undefined)];
  if (!w.backProp) return none();
  // A loop nested in another's body is differentiated inside that loop's gradient loop.
  const outerGrad = loopOf(w.graph._controlFlowContext);
  const enclosing = outerGrad instanceof GradLoopContext ? outerGrad : null;
  if (loopOf(w.outer) !== level || (level !== null && enclosing?.forward !== level)) {
    throw new UnimplementedError(undefined, undefined, `Cannot differentiate while loop ${w.name} from outside the loop that contains it`);
  }
  const graph = w.graph;
  const vars = w.loopVars.map((v, i) => ({ v, i })).filter(({ v }) => isFloating(v.enter.dtype) && !isRefTensor(v.enter));
  const consts = w.constantEnters.filter((e) => isFloating(e.dtype) && !isRefTensor(e));
  if (!vars.some(({ i }) => outGrads[i])) return none();

  const { index, count, increment } = forwardCounter(w);
  const forwardIndex = w.inside(() => indexVector(enclosing && w.addValue(enclosing.forwardIndex), index));
  const g = new GradLoopContext(graph, scope.slice(0, -1), `${scope}while_context`, graph._controlFlowContext, w, forwardIndex, increment);
  // Seeds, outside the gradient loop: each Exit's gradient (zeros when none), zero sums.
  const seeds = vars.map(({ v, i }) => outGrads[i] ?? applyOp1('ZerosLike', [v.exit], {}));
  const sums = consts.map((e) => applyOp1('ZerosLike', [e.op.inputs[0]], {}));
  const nEnter = g.enter(count, false);
  const enters = [...seeds, ...sums].map((s) => g.enter(s, false));

  const exits = g.inside(() => {
    // Count down from the number of forward iterations; iteration j mirrors forward j - 1.
    const nMerge = merge([nEnter, nEnter], { name: 'Merge' })[0];
    g.pivotForPred = nMerge.op;
    g.pivot = applyOp1('LoopCond', [applyOp1('Greater', [nMerge, 0], {})], {}, 'LoopCond');
    const [, nBody] = switchOp(nMerge, g.pivot, { name: 'Switch' });
    const bodyPivot = applyOp1('Identity', [nBody], {}, 'Identity');
    g.pivotForBody = bodyPivot.op;
    const popIndex = applyOp1('Sub', [bodyPivot, 1], {});
    g.nextIteration(nMerge, popIndex);
    g.popIndex = indexVector(enclosing && g.addValue(enclosing.popIndex), popIndex);

    const loopVars = enters.map((e, k) => {
      const m = merge([e, e], { name: 'Merge' })[0];
      if (k < vars.length) m._resetShape(vars[k].v.merge.shape);
      return { m, ...g.switchValue(m) };
    });
    // One forward iteration's gradient: from the body's results back to its inputs.
    const grads = gradientsBetween(graph, vars.map(({ v }) => v.bodyOutput), [...vars.map(({ v }) => v.bodyInput), ...consts],
      // As TF: the body's gradient ops are colocated with the ops they differentiate when the
      // caller asked (a body op pinned to another device takes its gradient there too).
      loopVars.slice(0, vars.length).map((x) => x.body), { colocateGradientsWithOps: options.colocateGradientsWithOps }, w);
    loopVars.forEach((x, k) => {
      const gk = grads[k];
      const value = k < vars.length
        ? gk ?? applyOp1('ZerosLike', [x.body], {})
        : gk ? applyOp1('AddV2', [x.body, gk], {}) : x.body;
      g.nextIteration(x.m, value);
    });
    for (const x of loopVars) g.outer?.addName(x.exit);
    return loopVars.map((x) => x.exit);
  });

  const varGrads = new Map(vars.map(({ i }, k) => [i, exits[k]]));
  const constGrads = new Map(consts.map((e, k) => [e, exits[vars.length + k]]));
  return [...w.loopVars.map((_, i) => varGrads.get(i)), ...w.constantEnters.map((e) => constGrads.get(e))];
}
