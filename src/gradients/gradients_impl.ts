// tf.gradients: reverse-mode autodiff over the graph, built in TypeScript exactly like TF1's
// gradients_impl: ops between xs and ys are visited in reverse, each op's registered
// gradient function builds its part under "gradients/<op>_grad/", and gradients reaching
// a tensor along several paths are summed with AddN.
import { isFloating } from '../framework/dtypes.js';
import { InvalidArgumentError, NotFoundError } from '../framework/errors.js';
import type { Graph } from '../framework/graph.js';
import { applyOp1, convertToTensor, graphOf, type TensorLike } from '../framework/op_builder.js';
import { getGradientFunction } from '../framework/gradient_registry.js';
import { Operation } from '../framework/operation.js';
import { Tensor } from '../framework/tensor.js';
import { tuple } from '../ops/control_flow_ops.js';
import { loopOf, type WhileContext } from '../ops/while_loop.js';
import { buildWhileGrad } from './while_grad.js';

export interface GradientsOptions {
  /** Initial gradients of ys (default: ones shaped like each y). */
  gradYs?: readonly (TensorLike | undefined | null)[];
  /** Name scope of the gradient ops (default "gradients"). */
  name?: string;
  /** Tensors gradients do not flow through (as if each were tf.stopGradient). */
  stopGradients?: readonly Tensor[];
  /** Gate each op's input gradients with a tuple (what optimizers' GATE_OP does). */
  gateGradients?: boolean;
  /** Colocate gradient ops with the ops they differentiate. */
  colocateGradientsWithOps?: boolean;
}

/** Whether gradients flow through values of this tensor (TF's _IsBackpropagatable). */
function isTrainable(t: Tensor): boolean {
  return isFloating(t.dtype);
}

function toList<T>(x: T | readonly T[]): T[] {
  return Array.isArray(x) ? [...(x as T[])] : [x as T];
}

/**
 * Symbolic derivatives of sum(ys) with respect to each x. Returns undefined for an x that
 * no y depends on.
 */
export function gradients(ys: Tensor | readonly Tensor[], xs: Tensor | readonly Tensor[], options: GradientsOptions = {}): (Tensor | undefined)[] {
  const yList = toList(ys).map((y) => convertToTensor(y));
  const xList = toList(xs).map((x) => (x instanceof Tensor ? x._asInput(true) : convertToTensor(x)));
  const graph: Graph = graphOf([...yList, ...xList]);
  const gradYsIn = options.gradYs ? [...options.gradYs] : [];
  if (gradYsIn.length > 0 && gradYsIn.length !== yList.length) {
    throw new InvalidArgumentError(undefined, undefined, `Passed ${gradYsIn.length} grad_ys for ${yList.length} ys`);
  }
  return graph.asDefault(() => graph.nameScope(options.name ?? 'gradients', () => {
    // Default initial gradients: ones shaped like each y.
    const gradYs = yList.map((y, i) => {
      const given = gradYsIn[i];
      return colocateIf(graph, options.colocateGradientsWithOps, y.op, () => {
        if (given !== undefined && given !== null) {
          const g = convertToTensor(given, { dtype: y.dtype, name: `grad_ys_${i}` });
          return g;
        }
        const shape = applyOp1('Shape', [y], { out_type: 'int32' });
        const one = convertToTensor(1, { dtype: y.dtype, name: `grad_ys_${i}` });
        return applyOp1('Fill', [shape, one], {});
      });
    });

    return gradientsBetween(graph, yList, xList, gradYs, options, null);
  }));
}

/** A while loop seen from outside: one node of the traversal, from its Enters' inputs to its Exits. */
class LoopNode {
  readonly inputs: Tensor[];
  readonly outputs: Tensor[];
  readonly name: string;
  constructor(readonly loop: WhileContext) {
    this.inputs = [...loop.loopVars.map((v) => v.enter.op.inputs[0]), ...loop.constantEnters.map((e) => e.op.inputs[0])];
    this.outputs = loop.loopVars.map((v) => v.exit);
    this.name = loop.name;
  }
}
type GradNode = Operation | LoopNode;

/**
 * How the traversal sees the graph at one loop level (null: outside every loop; a loop: its
 * body, when the gradient loop differentiates one iteration). Loops nested at this level are
 * single LoopNodes; the loop's own NextIteration/Exit edges are not followed.
 */
class Level {
  private readonly loopNodes = new Map<WhileContext, LoopNode>();
  constructor(readonly loop: WhileContext | null) {}

  private loopNode(w: WhileContext): LoopNode {
    let n = this.loopNodes.get(w);
    if (!n) this.loopNodes.set(w, (n = new LoopNode(w)));
    return n;
  }

  /** The loop an Enter/Exit op belongs to, if that loop sits directly at this level. */
  private innerLoop(op: Operation): WhileContext | null {
    const w = loopOf(op._flowContext);
    return w && loopOf(w.outer) === this.loop ? w : null;
  }

  node(op: Operation): GradNode {
    if (op.type === 'Exit' || op.type === 'RefExit') {
      const w = this.innerLoop(op);
      if (w) return this.loopNode(w);
    }
    return op;
  }

  /** Where tensor t is produced, as (node, output index). */
  producer(t: Tensor): [GradNode, number] {
    const n = this.node(t.op);
    return n instanceof LoopNode ? [n, n.outputs.indexOf(t)] : [n, t.valueIndex];
  }

  consumers(t: Tensor): GradNode[] {
    const out: GradNode[] = [];
    for (const c of t._consumers) {
      if (c.type === 'Enter' || c.type === 'RefEnter') {
        const w = this.innerLoop(c);
        if (w) out.push(this.loopNode(w));
        continue;
      }
      if (loopOf(c._flowContext) !== this.loop) continue;
      if (this.loop && (c.type === 'NextIteration' || c.type === 'RefNextIteration' || c.type === 'Exit' || c.type === 'RefExit')) continue;
      out.push(c);
    }
    return out;
  }
}

/**
 * The gradient traversal: sums of the gradients of ys (seeded with gradYs) at each x. At a
 * loop level, the ops built here live in the gradient loop (the caller sets that context).
 * Also passed to while_grad.ts, which differentiates one iteration of a loop body with it.
 */
export function gradientsBetween(graph: Graph, yList: Tensor[], xList: Tensor[], gradYs: Tensor[], options: GradientsOptions,
                                 loop: WhileContext | null): (Tensor | undefined)[] {
    const level = new Level(loop);
    const toNodes = yList.map((y) => level.producer(y)[0]);
    const fromNodes = xList.map((x) => level.producer(x)[0]);
    const { reachableToOps, pending, betweenOps } = pendingCounts(level, toNodes, fromNodes);
    const grads = new Map<GradNode, (Tensor[] | Tensor | undefined)[]>();
    const setGrad = (t: Tensor, g: Tensor) => {
      const [node, index] = level.producer(t);
      let opGrads = grads.get(node);
      if (!opGrads) {
        opGrads = node.outputs.map(() => undefined);
        grads.set(node, opGrads);
      }
      const cur = opGrads[index];
      if (cur === undefined) opGrads[index] = [g];
      else (cur as Tensor[]).push(g);
    };
    yList.forEach((y, i) => setGrad(y, gradYs[i]));

    const queue: GradNode[] = [];
    const queued = new Set<GradNode>();
    for (const op of toNodes) {
      if ((pending.get(op) ?? 0) === 0 && !queued.has(op) && reachableToOps.has(op)) {
        queued.add(op);
        queue.push(op);
      }
    }
    const stopOps = new Set<GradNode>();
    for (const op of fromNodes) {
      if (op.inputs.every((inp) => (pending.get(level.producer(inp)[0]) ?? 0) <= 0)) stopOps.add(op);
    }
    for (const t of options.stopGradients ?? []) stopOps.add(level.producer(t)[0]);

    while (queue.length > 0) {
      const node = queue.shift()!;
      const outGrads = aggregate(graph, grads, node);
      const hasOutGrads = outGrads.some((g) => g !== undefined);
      let inGrads: (Tensor | undefined | null)[] = node.inputs.map(() => undefined);
      if (node instanceof LoopNode) {
        if (hasOutGrads && !stopOps.has(node)) {
          inGrads = graph.nameScope(`${node.name}_grad`, (scope) => buildWhileGrad(node.loop, outGrads, loop, scope, gradientsBetween, options));
        }
      } else {
        const op = node;
        colocateIf(graph, options.colocateGradientsWithOps, op, () => {
          let gradFn = undefined;
          if (hasOutGrads && !stopOps.has(op)) {
            const fn = getGradientFunction(op.type);
            if (fn === undefined) {
              throw new NotFoundError(undefined, op, `No gradient defined for operation '${op.name}' (op type: ${op.type})`);
            }
            gradFn = fn ?? undefined;
          }
          if (gradFn && hasOutGrads) {
            // Trainable outputs with no incoming gradient get zeros (the function needs one per output).
            const filled = outGrads.map((g, i) =>
              g === undefined && isTrainable(op.outputs[i]) ? applyOp1('ZerosLike', [op.outputs[i]], {}) : g);
            inGrads = graph.nameScope(`${op.name}_grad`, () => {
              let r = gradFn!(op, filled);
              if (r.length !== op.inputs.length) {
                throw new InvalidArgumentError(undefined, op,
                  `Num gradients ${r.length} generated for op ${op.name} do not match num inputs ${op.inputs.length}`);
              }
              // A gradient for an input off every path to xs (the fed images of a first layer)
              // is never used: dropped before gating, so the gate does not keep it alive
              // (TF leaves that to Grappler's pruning).
              r = r.map((g, i) => (g && betweenOps.has(level.producer(op.inputs[i])[0]) ? g : undefined));
              if (options.gateGradients && r.filter((g) => g).length > 1) {
                r = graph.device(null, () => graph.colocateWith(null, () => tuple(r) as (Tensor | undefined)[], true));
              }
              return r;
            });
          }
        });
      }
      node.inputs.forEach((tIn, i) => {
        const g = inGrads[i];
        if (!g) return;
        try {
          g.setShape(tIn.shape);
        } catch {
          throw new InvalidArgumentError(undefined, node instanceof Operation ? node : undefined,
            `Incompatible shapes between op input and calculated input gradient. Forward operation: ${node.name}. ` +
            `Input index: ${i}. Original input shape: ${tIn.shape.toString()}. Calculated input gradient shape: ${g.shape.toString()}`);
        }
        setGrad(tIn, g);
      });
      // Inputs whose consumers within the subgraph are all done become ready.
      for (const inp of node.inputs) {
        const src = level.producer(inp)[0];
        const c = (pending.get(src) ?? 0) - 1;
        pending.set(src, c);
        if (c === 0 && betweenOps.has(src)) queue.push(src);
      }
    }

    return xList.map((x) => {
      const [node, index] = level.producer(x);
      const g = grads.get(node)?.[index];
      if (g === undefined) return undefined;
      if (Array.isArray(g)) return g.length === 1 ? g[0] : applyOp1('AddN', [g], {});
      return g;
    });
}

/**
 * The nodes between xs and ys: reachable forward from xs through trainable tensors and
 * backward from ys; pending counts how many of a node's consumers in that set are not done.
 */
function pendingCounts(level: Level, toOps: GradNode[], fromOps: GradNode[]) {
  const reached = new Set<GradNode>();
  const fwd = [...fromOps];
  while (fwd.length > 0) {
    const op = fwd.shift()!;
    if (reached.has(op)) continue;
    reached.add(op);
    for (const out of op.outputs) if (isTrainable(out) || out.dtype === 'bfloat16') fwd.push(...level.consumers(out));
  }
  const reachableToOps = new Set(toOps.filter((op) => reached.has(op)));
  const betweenOps = new Set<GradNode>();
  const betweenList: GradNode[] = [];
  const back = [...toOps];
  while (back.length > 0) {
    const op = back.shift()!;
    if (!reached.has(op)) continue;
    betweenOps.add(op);
    betweenList.push(op);
    reached.delete(op);
    for (const inp of op.inputs) back.push(level.producer(inp)[0]);
  }
  const pending = new Map<GradNode, number>();
  for (const op of betweenList) {
    for (const inp of op.inputs) {
      const src = level.producer(inp)[0];
      if (betweenOps.has(src)) pending.set(src, (pending.get(src) ?? 0) + 1);
    }
  }
  return { reachableToOps, pending, betweenOps };
}

/** Sums the gradients collected for each output of a node (AddN when several). */
function aggregate(graph: Graph, grads: Map<GradNode, (Tensor[] | Tensor | undefined)[]>, op: GradNode): (Tensor | undefined)[] {
  const opGrads = grads.get(op);
  if (!opGrads) return op.outputs.map(() => undefined);
  opGrads.forEach((g, i) => {
    if (!Array.isArray(g)) return;
    opGrads[i] = g.length === 1 ? g[0] : applyOp1('AddN', [g], {});
  });
  return opGrads as (Tensor | undefined)[];
}

function colocateIf<T>(graph: Graph, colocate: boolean | undefined, op: Operation, fn: () => T): T {
  return colocate ? graph.colocateWith(op, fn) : fn();
}
