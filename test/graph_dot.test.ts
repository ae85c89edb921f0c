// Graphviz export: graph.toDot() (clusters nested like the name scopes, labels, control edges,
// escaping), Graphviz accepting the output, and the tensorgraph-dot command on every input
// format (meta graph, our GraphDef, a hand-built TF protobuf GraphDef, an events file, a log
// directory) with its exit statuses and messages.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import protobuf from 'protobufjs';
import * as tf from 'tensorgraph';

const dir = mkdtempSync(join(tmpdir(), 'tg-dot-'));
const cli = join(process.cwd(), 'tools', 'tensorgraph-dot.mjs');

function runCli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** dot's output format for `text`, or a failure naming what is missing. */
function renderSvg(text: string): string {
  const r = spawnSync('dot', ['-Tsvg'], { input: text, encoding: 'utf8' });
  if (r.error) throw new Error(`Graphviz 'dot' is needed (bash tools/install-deps.sh): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`dot -Tsvg failed: ${r.stderr}`);
  return r.stdout;
}

/** A small reader of our DOT: where each node is declared (its cluster path) and every edge. */
function readDot(text: string) {
  const stack: string[] = [];
  const nodes = new Map<string, { clusters: string[]; attrs: string }>();
  const edges: { from: string; to: string; attrs: string }[] = [];
  const unquote = (q: string) => q.slice(1, -1).replace(/\\(["\\])/g, '$1');
  const qs = '"(?:[^"\\\\]|\\\\.)*"';
  for (const line of text.split('\n').map((l) => l.trim())) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^subgraph (${qs}) \\{$`).exec(line))) stack.push(unquote(m[1]));
    else if (line === '}') stack.pop();
    else if ((m = new RegExp(`^(${qs}) -> (${qs})(?: \\[(.*)\\])?;$`).exec(line))) edges.push({ from: unquote(m[1]), to: unquote(m[2]), attrs: m[3] ?? '' });
    else if ((m = new RegExp(`^(${qs}) \\[(.*)\\];$`).exec(line))) nodes.set(unquote(m[1]), { clusters: [...stack], attrs: m[2] });
  }
  return { nodes, edges, balanced: stack.length === 0 };
}

/** A graph with nested scopes, a variable, a control dependency and an odd (valid) name. */
function buildGraph(): tf.Graph {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [null, 3], name: 'x' });
    const h = tf.nameScope('layer1', () => {
      const w = new tf.Variable(tf.zeros([3, 2]), { name: 'w' });
      return tf.nameScope('inner', () => tf.matmul(x, w, { name: 'mm' }));
    });
    const c = tf.constant(1, { dtype: 'float32', name: 'back\\slash>c' });
    const init = tf.noOp({ name: 'init' });
    g.controlDependencies([init], () => tf.add(h, c, { name: 'out' }));
  });
  return g;
}

// ---------- toDot ----------

test('toDot: clusters nest like the name scopes, nodes carry short name and op type', (t) => {
  const dot = buildGraph().toDot();
  const { nodes, balanced } = readDot(dot);
  t.true(balanced);
  t.true(dot.startsWith('digraph tensorgraph {'));
  t.deepEqual(nodes.get('x')?.clusters, []);
  t.deepEqual(nodes.get('out')?.clusters, []);
  t.deepEqual(nodes.get('layer1/inner/mm')?.clusters, ['cluster_layer1', 'cluster_layer1/inner']);
  t.deepEqual(nodes.get('layer1/zeros')?.clusters, ['cluster_layer1']);
  // The variable sits in the cluster its Assign and read ops make (TensorBoard draws it so).
  t.deepEqual(nodes.get('layer1/w')?.clusters, ['cluster_layer1', 'cluster_layer1/w']);
  t.deepEqual(nodes.get('layer1/w/read')?.clusters, ['cluster_layer1', 'cluster_layer1/w']);
  t.regex(nodes.get('layer1/inner/mm')!.attrs, /label="mm\\n(MatMul|BatchMatMulV2)"/);
  t.regex(dot, /subgraph "cluster_layer1\/inner" \{\n\s*label="inner"; tooltip="layer1\/inner";/);
  // Styles by op kind.
  t.regex(nodes.get('layer1/w')!.attrs, /shape=cylinder.*class="variable"/);
  t.regex(nodes.get('x')!.attrs, /shape=invhouse.*class="placeholder"/);
  t.regex(nodes.get('layer1/zeros')!.attrs, /class="const"/);
  t.regex(nodes.get('layer1/w/Assign')!.attrs, /class="update"/);
});

test('toDot: data edges labelled with dtype and shape, control edges dashed', (t) => {
  const { edges } = readDot(buildGraph().toDot());
  const edge = (from: string, to: string) => edges.find((e) => e.from === from && e.to === to);
  t.regex(edge('layer1/w/read', 'layer1/inner/mm')!.attrs, /label="float32 \[3,2\]"/);
  t.regex(edge('x', 'layer1/inner/mm')!.attrs, /label="float32 \[\?,3\]"/);
  t.regex(edge('back\\slash>c', 'out')!.attrs, /label="float32 \[\]"/);
  const ctrl = edge('init', 'out')!;
  t.regex(ctrl.attrs, /style=dashed/);
  t.notRegex(ctrl.attrs, /label=/);
  t.notRegex(edge('x', 'layer1/inner/mm')!.attrs, /dashed/);
  t.is(edges.filter((e) => /dashed/.test(e.attrs)).length, 1);
  const bare = readDot(buildGraph().toDot({ edgeLabels: false, rankdir: 'LR' }));
  t.false(bare.edges.some((e) => /label=/.test(e.attrs)));
});

test('toDot: names are escaped, device and outputs are in the tooltip', (t) => {
  const g = buildGraph();
  g.asDefault(() => g.device('/cpu:0', () => tf.identity(tf.constant(2), { name: 'placed' })));
  const dot = g.toDot({ title: 'say "hi"' });
  // Backslashes doubled (no \N or \l escapes fire), quotes escaped.
  t.true(dot.includes('"back\\\\slash>c" [label="back\\\\slash>c\\nConst"'));
  t.true(dot.includes('label="say \\"hi\\""'));
  const { nodes } = readDot(dot);
  t.regex(nodes.get('placed')!.attrs, /tooltip="placed\\nop: Identity\\ndevice: \/device:CPU:0\\noutputs:\\n0: int32 \[\]"/);
  t.regex(nodes.get('x')!.attrs, /device: \(unplaced\)/);
});

test('dot -Tsvg renders toDot output with the cluster titles and labels', (t) => {
  const svg = renderSvg(buildGraph().toDot());
  for (const c of ['cluster_layer1', 'cluster_layer1/inner', 'cluster_layer1/w']) t.true(svg.includes(`<title>${c}</title>`), c);
  t.true(svg.includes('>inner</text>'));
  // The label's backslash is a single one once Graphviz has read it.
  t.true(svg.includes('>back\\slash&gt;c</text>'));
  t.regex(svg, /class="edge"[\s\S]*stroke-dasharray/);
});

// ---------- input formats through the command ----------

const protoDir = join(process.cwd(), 'schema', 'proto');
const root = new protobuf.Root();
root.resolvePath = (_o, target) => join(protoDir, target.replace(/^.*\//, ''));
root.loadSync(['graph.proto', 'event.proto'], { keepCase: true });
const GraphDefProto = root.lookupType('tensorflow.GraphDef');
const EventProto = root.lookupType('tensorflow.Event');

/** A TF GraphDef as real TF writes it: scopes, _output_shapes, a device, odd names. */
function tfGraphDefBytes(suffix = ''): Uint8Array {
  const shapes = (...s: number[][]) => ({ list: { shape: s.map((d) => ({ dim: d.map((size) => ({ size })) })) } });
  return GraphDefProto.encode(GraphDefProto.fromObject({
    node: [
      { name: 'input', op: 'Placeholder', attr: { dtype: { type: 1 }, _output_shapes: shapes([-1, 4]) } },
      { name: 'dense/kernel', op: 'VariableV2', device: '/job:localhost/replica:0/task:0/device:CPU:0', attr: { dtype: { type: 1 }, _output_shapes: shapes([4, 2]) } },
      { name: 'dense/MatMul', op: 'MatMul', input: ['input', 'dense/kernel'], attr: { T: { type: 1 }, _output_shapes: shapes([-1, 2]) } },
      { name: 'naïve "q"\\x', op: 'Identity', input: ['dense/MatMul', '^input'], attr: { T: { type: 1 } } },
      { name: `dense/ünï/out${suffix}`, op: 'Identity', input: ['naïve "q"\\x', 'pruned:1'] },
      // A trailing backslash would escape the closing quote if it were not doubled.
      { name: 'ends\\', op: 'NoOp', input: ['^input'] },
    ],
    versions: { producer: 27 },
  })).finish();
}

function eventBytes(fields: Record<string, unknown>): Uint8Array {
  return EventProto.encode(EventProto.fromObject({ wall_time: 1.5e9, ...fields })).finish();
}

test('tensorgraph-dot: a meta graph and our GraphDef give the same DOT as toDot', (t) => {
  const g = buildGraph();
  const meta = join(dir, 'model.meta');
  tf.train.exportMetaGraph(meta, { graph: g });
  const gd = join(dir, 'graph.bin');  // no telling extension: the content decides
  writeFileSync(gd, g.asGraphDef().serialize());
  for (const file of [meta, gd]) {
    const r = runCli([file]);
    t.is(r.status, 0, r.stderr);
    t.is(r.stdout, g.toDot());
  }
});

test('tensorgraph-dot: a TF protobuf GraphDef, with shapes, devices and escaped Unicode names', (t) => {
  const pb = join(dir, 'frozen.pb');
  writeFileSync(pb, tfGraphDefBytes());
  const r = runCli([pb]);
  t.is(r.status, 0, r.stderr);
  const { nodes, edges, balanced } = readDot(r.stdout);
  t.true(balanced);
  t.deepEqual(nodes.get('dense/MatMul')?.clusters, ['cluster_dense']);
  t.deepEqual(nodes.get('dense/ünï/out')?.clusters, ['cluster_dense', 'cluster_dense/ünï']);
  t.true(r.stdout.includes('subgraph "cluster_dense/ünï" {'));
  t.true(r.stdout.includes('"naïve \\"q\\"\\\\x" [label="naïve \\"q\\"\\\\x\\nIdentity"'));
  t.regex(nodes.get('dense/kernel')!.attrs, /device: \/job:localhost\/replica:0\/task:0\/device:CPU:0/);
  const edge = (from: string, to: string) => edges.find((e) => e.from === from && e.to === to)!;
  t.regex(edge('input', 'dense/MatMul').attrs, /label="float32 \[\?,4\]"/);
  t.regex(edge('dense/kernel', 'dense/MatMul').attrs, /label="float32 \[4,2\]"/);
  // MatMul's dtype is its input type T: only the recorded shape is shown.
  t.regex(edge('dense/MatMul', 'naïve "q"\\x').attrs, /label="\[\?,2\]"/);
  t.regex(edge('input', 'naïve "q"\\x').attrs, /style=dashed/);
  // An input naming no node is drawn, marked as missing.
  t.regex(nodes.get('pruned')!.attrs, /not in graph/);
  t.regex(edge('pruned', 'dense/ünï/out').attrs, /label=":1"/);
  const svg = renderSvg(r.stdout);
  t.true(svg.includes('<title>cluster_dense/ünï</title>'));
  t.true(svg.includes('>naïve &quot;q&quot;\\x</text>'));
  t.true(svg.includes('>ends\\</text>'));
  t.regex(edge('input', 'ends\\').attrs, /style=dashed/);
});

test('tensorgraph-dot: an events file gives its newest graph; a truncated tail is a warning', (t) => {
  const logdir = join(dir, 'run1');
  mkdirSync(logdir);
  const file = join(logdir, 'events.out.tfevents.1700000000.host');
  const w = new tf.io.TFRecordWriter(file);
  w.write(eventBytes({ file_version: 'brain.Event:2' }));
  w.write(eventBytes({ graph_def: tfGraphDefBytes('_old') }));
  w.write(eventBytes({ step: 1, summary: { value: [{ tag: 'loss', simple_value: 0.5 }] } }));
  w.write(eventBytes({ graph_def: tfGraphDefBytes('_new') }));
  w.close();
  let r = runCli([file]);
  t.is(r.status, 0, r.stderr);
  t.true(r.stdout.includes('"dense/ünï/out_new"'));
  t.false(r.stdout.includes('out_old'));
  t.is(r.stderr, '');
  // A log directory: its (newest) events file.
  r = runCli([logdir, '-o', join(dir, 'run1.svg')]);
  t.is(r.status, 0, r.stderr);
  t.true(readFileSync(join(dir, 'run1.svg'), 'utf8').includes('<title>cluster_dense</title>'));
  // A writer that died mid-record: what was written before still draws.
  appendFileSync(file, Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  r = runCli([file]);
  t.is(r.status, 0, r.stderr);
  t.true(r.stdout.includes('"dense/ünï/out_new"'));
  t.regex(r.stderr, /warning: .*corrupted record at \d+/);
});

test('tensorgraph-dot: an events file with only a meta_graph_def draws its graph_def', (t) => {
  // TF's MetaGraphDef: graph_def is field 2 (the other fields are left out here).
  const Meta = new protobuf.Type('MetaGraphDef').add(new protobuf.Field('graph_def', 2, 'bytes'));
  new protobuf.Root().add(Meta);
  const bytes = Meta.encode(Meta.create({ graph_def: tfGraphDefBytes('_meta') })).finish();
  const file = join(dir, 'events.out.tfevents.1700000001.meta');
  const w = new tf.io.TFRecordWriter(file);
  w.write(eventBytes({ file_version: 'brain.Event:2' }));
  w.write(eventBytes({ meta_graph_def: bytes }));
  w.close();
  const r = runCli([file]);
  t.is(r.status, 0, r.stderr);
  t.true(r.stdout.includes('"dense/ünï/out_meta"'));
});

test('tensorgraph-dot: svg and png outputs go through Graphviz', (t) => {
  const meta = join(dir, 'render.meta');
  tf.train.exportMetaGraph(meta, { graph: buildGraph() });
  let r = runCli([meta, '-o', join(dir, 'g.svg')]);
  t.is(r.status, 0, r.stderr);
  t.true(readFileSync(join(dir, 'g.svg'), 'utf8').includes('<title>cluster_layer1/inner</title>'));
  r = runCli([meta, '-o', join(dir, 'g.png')]);
  t.is(r.status, 0, r.stderr);
  t.deepEqual([...readFileSync(join(dir, 'g.png')).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  r = runCli([meta, '-o', join(dir, 'g.dot')]);
  t.is(r.status, 0, r.stderr);
  t.is(readFileSync(join(dir, 'g.dot'), 'utf8'), buildGraph().toDot());
});

test('tensorgraph-dot: exit statuses and messages for bad input', (t) => {
  let r = runCli([join(dir, 'nope.meta')]);
  t.is(r.status, 1);
  t.is(r.stderr, `tensorgraph-dot: NotFoundError: File ${join(dir, 'nope.meta')} does not exist.\n`);

  const text = join(dir, 'notes.pb');
  writeFileSync(text, 'this is not a graph\n');
  r = runCli([text]);
  t.is(r.status, 1);
  t.regex(r.stderr, /^tensorgraph-dot: InvalidArgumentError: .*notes\.pb is not a graph: expected a meta graph .*events file/);
  t.is(r.stdout, '');

  const empty = join(dir, 'empty.pb');
  writeFileSync(empty, '');
  t.is(runCli([empty]).status, 1);

  const noGraph = join(dir, 'events.out.tfevents.1.nograph');
  const w = new tf.io.TFRecordWriter(noGraph);
  w.write(eventBytes({ file_version: 'brain.Event:2' }));
  w.close();
  r = runCli([noGraph]);
  t.is(r.status, 1);
  t.regex(r.stderr, /InvalidArgumentError: .* without a graph \(no Event\.graph_def or meta_graph_def\)/);

  const emptyDir = join(dir, 'emptydir');
  mkdirSync(emptyDir);
  r = runCli([emptyDir]);
  t.is(r.status, 1);
  t.regex(r.stderr, /NotFoundError: No events files/);

  // Usage errors: 2, with the usage text.
  r = runCli([]);
  t.is(r.status, 2);
  t.regex(r.stderr, /missing FILE\nusage: tensorgraph-dot/);
  t.is(runCli([text, '-o', join(dir, 'out.jpg')]).status, 2);
  t.is(runCli([text, '--bogus']).status, 2);
  r = runCli(['--help']);
  t.is(r.status, 0);
  t.regex(r.stdout, /^usage: tensorgraph-dot/);

  // Graphviz missing: DOT output still works, rendering says what to install.
  const meta = join(dir, 'nodot.meta');
  tf.train.exportMetaGraph(meta, { graph: buildGraph() });
  const noPath = { ...process.env, PATH: join(dir, 'emptydir') };
  r = runCli([meta, '-o', join(dir, 'nodot.svg')], noPath);
  t.is(r.status, 1);
  t.regex(r.stderr, /Graphviz 'dot' was not found on PATH; install Graphviz/);
  t.is(runCli([meta], noPath).status, 0);
});
