// Graph -> Graphviz DOT: one cluster per name scope (nested like the scopes), nodes labelled
// with their short name and op type, data edges labelled with dtype and shape, control edges
// dashed, a style per kind of op, the device in the tooltip. Works on plain node records so
// a Graph, our GraphDef and a TF protobuf GraphDef all draw the same way. Only framework
// *types* are imported: graph.ts imports this module, so a value import would be a cycle.
import type { Graph } from '../framework/graph.js';

/** What is known about one output of a node (both parts optional: files may not say). */
export interface DotOutput {
  dtype?: string;
  /** Dims (null: unknown size); null or undefined: unknown rank. */
  shape?: readonly (number | null)[] | null;
}

/** A node as drawn: inputs in NodeDef syntax ("x", "x:1", "^ctrl"). */
export interface DotNode {
  name: string;
  op: string;
  inputs: readonly string[];
  device?: string;
  outputs?: readonly DotOutput[];
}

export interface DotOptions {
  /** Layout direction (default 'TB', inputs above their consumers). */
  rankdir?: 'TB' | 'LR' | 'BT' | 'RL';
  /** Label data edges with dtype and shape where known (default true). */
  edgeLabels?: boolean;
  /** A title drawn above the graph. */
  title?: string;
}

// ---------- escaping ----------

/**
 * A DOT double-quoted string. Backslashes are doubled so that Graphviz's escString codes
 * (\N, \G, \l...) never fire on a name; control characters (never in TF names, but a
 * protobuf file may hold anything) become visible \u escapes; other Unicode passes as UTF-8.
 */
export function dotString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) out += `\\\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

// ---------- op kinds ----------

interface Style {
  shape: string;
  fill: string;
  style?: string;
}

const VARIABLE_OPS = new Set(['Variable', 'VariableV2', 'VarHandleOp', 'TemporaryVariable']);
const PLACEHOLDER_OPS = new Set(['Placeholder', 'PlaceholderV2', 'PlaceholderWithDefault']);
const CONTROL_FLOW_OPS = new Set(['Switch', 'RefSwitch', 'Merge', 'RefMerge', 'Enter', 'RefEnter', 'Exit', 'RefExit',
  'NextIteration', 'RefNextIteration', 'LoopCond']);
const SAVE_OPS = new Set(['SaveV2', 'RestoreV2', 'Save', 'Restore', 'RestoreSlice', 'SaveSlices', 'MergeV2Checkpoints', 'ShardedFilename']);

/** The kind of an op, for its style (also exported for the docs' legend and tests). */
export function opKind(node: Pick<DotNode, 'name' | 'op'>): string {
  const { op } = node;
  if (VARIABLE_OPS.has(op)) return 'variable';
  if (PLACEHOLDER_OPS.has(op)) return 'placeholder';
  if (op === 'Const' || op === 'HostConst') return 'const';
  // TF puts every gradient op under a "gradients" scope (tf.gradients' default name).
  if (/(^|\/)gradients(_\d+)?\//.test(node.name) || op.endsWith('Grad')) return 'gradient';
  if (op.startsWith('Assign') || op.startsWith('Apply') || op.startsWith('ResourceApply') || op === 'ScatterUpdate'
    || op.startsWith('ScatterAdd') || op.startsWith('ScatterSub') || op === 'CountUpTo') return 'update';
  if (CONTROL_FLOW_OPS.has(op)) return 'control-flow';
  if (op === 'NoOp') return 'noop';
  if (op.endsWith('Summary') || op === 'MergeSummary') return 'summary';
  if (SAVE_OPS.has(op)) return 'checkpoint';
  if (op.includes('Queue') || op.includes('Reader') || op.startsWith('ReaderRead')) return 'input';
  return 'op';
}

const STYLES: Record<string, Style> = {
  variable: { shape: 'cylinder', fill: '#cfe2f3' },
  placeholder: { shape: 'invhouse', fill: '#fce5cd' },
  const: { shape: 'box', fill: '#eeeeee', style: 'rounded,filled' },
  gradient: { shape: 'ellipse', fill: '#f4cccc' },
  update: { shape: 'box', fill: '#fff2cc' },
  'control-flow': { shape: 'diamond', fill: '#d9d2e9' },
  noop: { shape: 'ellipse', fill: '#ffffff', style: 'dashed' },
  summary: { shape: 'note', fill: '#d9ead3' },
  checkpoint: { shape: 'tab', fill: '#e6e6e6' },
  input: { shape: 'folder', fill: '#d0e0e3' },
  op: { shape: 'ellipse', fill: '#ffffff' },
};

// ---------- labels ----------

function shapeText(shape: DotOutput['shape']): string {
  if (!shape) return '';
  return `[${shape.map((d) => (d === null || d < 0 ? '?' : String(d))).join(',')}]`;
}

/** "float32 [?,3]", "int32 []" (a scalar), "float32" (shape unknown), "" (nothing known). */
export function outputText(o: DotOutput | undefined): string {
  if (!o) return '';
  return [o.dtype ?? '', shapeText(o.shape)].filter((s) => s).join(' ');
}

function parseInput(s: string): { node: string; index: number; control: boolean } {
  if (s.startsWith('^')) return { node: s.slice(1), index: -1, control: true };
  const m = /^(.*):(\d+)$/.exec(s);
  return m ? { node: m[1], index: Number(m[2]), control: false } : { node: s, index: 0, control: false };
}

const scopeOf = (name: string) => name.slice(0, Math.max(0, name.lastIndexOf('/')));
const baseName = (name: string) => name.slice(name.lastIndexOf('/') + 1);

// ---------- the scope tree ----------

interface Scope {
  path: string;
  children: Map<string, Scope>;
  nodes: DotNode[];
}

function buildScopes(nodes: readonly DotNode[]): Scope {
  const root: Scope = { path: '', children: new Map(), nodes: [] };
  const scopeAt = (path: string): Scope => {
    if (!path) return root;
    let s = root;
    let prefix = '';
    for (const part of path.split('/')) {
      prefix = prefix ? `${prefix}/${part}` : part;
      let c = s.children.get(part);
      if (!c) {
        c = { path: prefix, children: new Map(), nodes: [] };
        s.children.set(part, c);
      }
      s = c;
    }
    return s;
  };
  for (const n of nodes) scopeAt(scopeOf(n.name));
  const isScope = (name: string) => {
    let s: Scope | undefined = root;
    for (const part of name.split('/')) s = s?.children.get(part);
    return s !== undefined;
  };
  for (const n of nodes) {
    // A node named like a scope ("w" beside "w/Assign", "w/read") goes inside it, as
    // TensorBoard draws it.
    scopeAt(isScope(n.name) ? n.name : scopeOf(n.name)).nodes.push(n);
  }
  return root;
}

// ---------- DOT ----------

/** The DOT text of a graph given as node records. */
export function nodesToDot(nodes: readonly DotNode[], options: DotOptions = {}): string {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const lines: string[] = [];
  lines.push('digraph tensorgraph {');
  lines.push(`  graph [compound=true, newrank=true, rankdir=${options.rankdir ?? 'TB'}, fontname="Helvetica", fontsize=11`
    + `${options.title ? `, label=${dotString(options.title)}, labelloc=t, fontsize=14` : ''}];`);
  lines.push('  node [fontname="Helvetica", fontsize=10, style=filled, penwidth=1];');
  lines.push('  edge [fontname="Helvetica", fontsize=8, color="#555555", arrowsize=0.6];');

  const nodeLine = (n: DotNode, indent: string) => {
    const kind = opKind(n);
    const st = STYLES[kind];
    const outs = (n.outputs ?? []).map((o, i) => `${i}: ${outputText(o) || '?'}`);
    const tooltip = [n.name, `op: ${n.op}`, `device: ${n.device || '(unplaced)'}`, ...(outs.length ? ['outputs:', ...outs] : [])].join('\n');
    const label = `${baseName(n.name)}\n${n.op}`;
    const attrs = [`label=${dotString(label)}`, `shape=${st.shape}`, `fillcolor="${st.fill}"`,
      ...(st.style ? [`style="${st.style}"`] : []), `tooltip=${dotString(tooltip)}`, `class=${dotString(kind)}`];
    lines.push(`${indent}${dotString(n.name)} [${attrs.join(', ')}];`);
  };

  const depthFill = ['#f7f7f7', '#ececec', '#e0e0e0'];
  const emitScope = (s: Scope, depth: number) => {
    const indent = '  '.repeat(depth + 1);
    for (const n of s.nodes) nodeLine(n, indent);
    for (const c of s.children.values()) {
      lines.push(`${indent}subgraph ${dotString(`cluster_${c.path}`)} {`);
      const inner = `${indent}  `;
      lines.push(`${inner}label=${dotString(baseName(c.path))}; tooltip=${dotString(c.path)};`);
      lines.push(`${inner}style="rounded,filled"; color="#999999"; fillcolor="${depthFill[depth % depthFill.length]}";`);
      emitScope(c, depth + 1);
      lines.push(`${indent}}`);
    }
  };
  emitScope(buildScopes(nodes), 0);

  // Inputs that name no node (a pruned or partial GraphDef) are drawn as missing nodes.
  const missing = new Set<string>();
  const edgeLabels = options.edgeLabels ?? true;
  for (const n of nodes) {
    for (const input of n.inputs) {
      const { node, index, control } = parseInput(input);
      const src = byName.get(node);
      if (!src) missing.add(node);
      const attrs: string[] = [];
      if (control) {
        attrs.push('style=dashed', 'color="#999999"', 'arrowhead=odot');
      } else {
        const text = outputText(src?.outputs?.[index]);
        const label = index > 0 ? `:${index}${text ? ` ${text}` : ''}` : text;
        if (edgeLabels && label) attrs.push(`label=${dotString(label)}`);
        attrs.push(`tooltip=${dotString(`${input} -> ${n.name}${text ? ` (${text})` : ''}`)}`);
      }
      lines.push(`  ${dotString(node)} -> ${dotString(n.name)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
    }
  }
  for (const m of missing) {
    lines.push(`  ${dotString(m)} [label=${dotString(`${m}\n(not in graph)`)}, shape=ellipse, style=dashed, fillcolor="#ffffff"];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** The node records of a Graph: exact dtypes and static shapes from its tensors. */
export function graphNodes(graph: Graph): DotNode[] {
  return graph.getOperations().map((op) => ({
    name: op.name,
    op: op.type,
    device: op.device,
    inputs: [...op.inputs.map((t) => (t.valueIndex === 0 ? t.op.name : t.name)), ...op.controlInputs.map((c) => `^${c.name}`)],
    outputs: op.outputs.map((t) => ({ dtype: t.dtype, shape: t.shape.dims })),
  }));
}

/** graph.toDot(): the graph as Graphviz DOT text. */
export function graphToDot(graph: Graph, options: DotOptions = {}): string {
  return nodesToDot(graphNodes(graph), options);
}
