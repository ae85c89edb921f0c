// tf.importGraphDef: rebuilds a GraphDef's nodes in the default graph under a name prefix.
import { hostname } from 'node:os';
import { InvalidArgumentError, NotFoundError } from './errors.js';
import { getDefaultGraph } from './graph.js';
import '../native.js'; // installs GraphDef.parse's verifier
import { GraphDef, type NodeDef } from './graph_def.js';
import { completeAttrs, outputDtypesOf } from './op_builder.js';
import { getOpDef, hasOpDef } from './op_registry.js';
import type { Attr, Operation } from './operation.js';
import type { Tensor } from './tensor.js';

export interface ImportGraphDefOptions {
  /** Replaces inputs: keys are tensor names in the GraphDef ("x:0", or "x" for "x:0"). */
  inputMap?: Record<string, Tensor> | Map<string, Tensor>;
  /** Names of tensors ("x:0") or operations ("x") to return. */
  returnElements?: string[];
  /** Name prefix (default "import", uniquified); "" imports the names as they are. */
  name?: string;
}

function parseInput(s: string): { node: string; index: number; control: boolean } {
  if (s.startsWith('^')) return { node: s.slice(1), index: -1, control: true };
  const m = /^(.*):(\d+)$/.exec(s);
  return m ? { node: m[1], index: Number(m[2]), control: false } : { node: s, index: 0, control: false };
}

const isNextIteration = (n: NodeDef | undefined) => n?.op === 'NextIteration' || n?.op === 'RefNextIteration';

/**
 * Nodes in an order where every node comes after its inputs (Kahn's algorithm), except a
 * while loop's back edges (NextIteration -> Merge), which are wired after the import.
 */
function topoOrder(nodes: NodeDef[], external: (name: string) => boolean): NodeDef[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  if (byName.size !== nodes.length) throw new InvalidArgumentError(undefined, undefined, 'GraphDef has duplicate node names');
  const pending = new Map<string, number>();
  const users = new Map<string, NodeDef[]>();
  for (const n of nodes) {
    let count = 0;
    for (const i of n.input) {
      const { node } = parseInput(i);
      if (!byName.has(node)) {
        if (external(i)) continue;
        throw new InvalidArgumentError(undefined, n.name, `Input '${i}' of node '${n.name}' was not found in the graph def`);
      }
      if (isNextIteration(byName.get(node))) continue;
      count++;
      if (!users.has(node)) users.set(node, []);
      users.get(node)!.push(n);
    }
    pending.set(n.name, count);
  }
  const ready = nodes.filter((n) => pending.get(n.name) === 0);
  const out: NodeDef[] = [];
  while (ready.length > 0) {
    const n = ready.shift()!;
    out.push(n);
    for (const u of users.get(n.name) ?? []) {
      const c = pending.get(u.name)! - 1;
      pending.set(u.name, c);
      if (c === 0) ready.push(u);
    }
  }
  if (out.length !== nodes.length) throw new InvalidArgumentError(undefined, undefined, 'GraphDef contains a cycle');
  return out;
}

export function importGraphDef(graphDef: GraphDef | Uint8Array, options: ImportGraphDefOptions = {}): (Tensor | Operation)[] | undefined {
  const def = graphDef instanceof GraphDef ? graphDef : GraphDef.parse(graphDef);
  const graph = getDefaultGraph();
  const inputMap = new Map<string, Tensor>(options.inputMap instanceof Map ? options.inputMap : Object.entries(options.inputMap ?? {}));
  const mapped = (s: string) => inputMap.get(s) ?? (s.includes(':') ? undefined : inputMap.get(`${s}:0`));
  const order = topoOrder(def.node, (s) => mapped(s) !== undefined);

  return graph.nameScope(options.name ?? 'import', (prefix) => {
    const created = new Map<string, Operation>();
    const backEdges: [Operation, number, string, number][] = [];  // (merge, input, NextIteration, output)
    for (const n of order) {
      // TF's words, as the runtime's graph import says them (runtime/op_def.cc).
      if (!hasOpDef(n.op)) {
        throw new NotFoundError(undefined, n.name, `Op type not registered '${n.op}' in binary running on ${hostname()}. ` +
          `Make sure the Op and Kernel are registered in the binary running in this process. (while importing node '${n.name}')`);
      }
      const opDef = getOpDef(n.op);
      const inputs: Tensor[] = [];
      const later: [number, string, number][] = [];  // back edges of this node: (input, NextIteration, output)
      const controls: Operation[] = [];
      for (const s of n.input) {
        const m = mapped(s);
        const { node, index, control } = parseInput(s);
        if (control) {
          controls.push(created.get(node)!);
          continue;
        }
        if (m) {
          inputs.push(m);
          continue;
        }
        const src = created.get(node);
        if (!src) {
          // A loop's back edge: stands in the Merge's first input until the NextIteration exists.
          later.push([inputs.length, node, index]);
          inputs.push(inputs[0]);
          continue;
        }
        const t = src.outputs[index];
        if (!t) throw new InvalidArgumentError(undefined, n.name, `Input '${s}' of node '${n.name}' refers to a missing output`);
        inputs.push(t);
      }
      const plain: Record<string, unknown> = {};
      for (const [k, a] of Object.entries(n.attr)) {
        const expected = opDef.attrs?.[k]?.kind;
        if (expected && expected !== a.kind) {
          throw new InvalidArgumentError(undefined, n.name, `Attr '${k}' of node '${n.name}' (${n.op}) is a ${a.kind}, expected a ${expected}`);
        }
        plain[k] = a.value;
      }
      const complete = completeAttrs(opDef, plain);
      const attrs: Record<string, Attr> = { ...n.attr };
      for (const [k, spec] of Object.entries(opDef.attrs ?? {})) attrs[k] = { kind: spec.kind, value: complete[k] };
      const cls = attrs._class;
      if (cls && prefix) {
        attrs._class = { kind: cls.kind, value: (cls.value as string[]).map((c) => (c.startsWith('loc:@') ? `loc:@${prefix}${c.slice(5)}` : c)) };
      }
      const op = graph.controlDependencies(null, () =>
        graph._createOp(n.op, inputs, { name: `${prefix}${n.name}/`, attrs, outputDtypes: outputDtypesOf(opDef, complete) }));
      for (const c of controls) op._addControlInput(c);
      if (n.device) op._setDevice(n.device);
      created.set(n.name, op);
      for (const [i, node, index] of later) backEdges.push([op, i, node, index]);
    }
    for (const [op, i, node, index] of backEdges) op._updateInput(i, created.get(node)!.outputs[index]);
    if (!options.returnElements) return undefined;
    return options.returnElements.map((name) => {
      const { node, index } = parseInput(name);
      const op = created.get(node);
      if (!op) throw new NotFoundError(undefined, undefined, `Requested return element '${name}' not found in graph_def.`);
      return name.includes(':') ? op.outputs[index] : op;
    });
  });
}
