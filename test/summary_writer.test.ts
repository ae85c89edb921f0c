// tf.summary.FileWriter and event files, checked with a reader written here: TFRecord framing
// and both masked CRC-32Cs computed by hand (not the addon's), Events decoded by protobufjs
// straight from schema/proto. Also the library's incremental reader (truncated, corrupt).
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import protobuf from 'protobufjs';
import * as tf from 'tensorgraph';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const base = mkdtempSync(join(tmpdir(), 'tg-summary-writer-'));
let dirCount = 0;
const freshDir = () => join(base, `run${dirCount++}`);
const inGraph = <T>(fn: () => T): T => new tf.Graph().asDefault(fn);

// ---------- an independent reader ----------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

function crc32c(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const masked = (b: Uint8Array) => {
  const c = crc32c(b);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
};

/** Every record of an event file; fails on any framing or CRC problem. */
function records(path: string): Buffer[] {
  const f = readFileSync(path);
  const out: Buffer[] = [];
  let off = 0;
  while (off < f.length) {
    if (off + 12 > f.length) throw new Error(`partial header at ${off}`);
    const len = Number(f.readBigUInt64LE(off));
    if (f.readUInt32LE(off + 8) !== masked(f.subarray(off, off + 8))) throw new Error(`bad length crc at ${off}`);
    if (off + 16 + len > f.length) throw new Error(`truncated record at ${off}`);
    const data = f.subarray(off + 12, off + 12 + len);
    if (f.readUInt32LE(off + 12 + len) !== masked(data)) throw new Error(`bad data crc at ${off}`);
    out.push(Buffer.from(data));
    off += 16 + len;
  }
  return out;
}

const pb = protobuf.loadSync(['event', 'graph', 'summary', 'meta_graph', 'step_stats', 'config'].map((f) => join(root, 'schema', 'proto', `${f}.proto`)));
const T = (n: string) => pb.lookupType(`tensorflow.${n}`);
const obj = (type: string, bytes: Uint8Array) =>
  T(type).toObject(T(type).decode(bytes), { longs: Number, enums: String, bytes: Array, defaults: false }) as Record<string, any>;
const events = (path: string) => records(path).map((r) => obj('Event', r));

/** Top-level fields of a message (number -> raw bytes of length-delimited ones), by hand. */
function rawFields(b: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  let i = 0;
  const varint = () => {
    let v = 0;
    let s = 1;
    for (;;) {
      const x = b[i++];
      v += (x & 0x7f) * s;
      s *= 128;
      if (x < 128) return v;
    }
  };
  while (i < b.length) {
    const key = varint();
    const wt = key & 7;
    if (wt === 0) varint();
    else if (wt === 1) i += 8;
    else if (wt === 5) i += 4;
    else if (wt === 2) {
      const n = varint();
      out.set(key >>> 3, b.subarray(i, i + n));
      i += n;
    } else throw new Error(`wire type ${wt}`);
  }
  return out;
}

const eventFiles = (dir: string) => readdirSync(dir).filter((f) => f.includes('tfevents')).sort();
const onlyFile = (dir: string) => {
  const fs = eventFiles(dir);
  if (fs.length !== 1) throw new Error(`expected one event file in ${dir}, got ${fs.join(', ')}`);
  return join(dir, fs[0]);
};
const summaryBytes = (tag: string, v: number) => T('Summary').encode({ value: [{ tag, simpleValue: v }] }).finish();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 3000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) if (cond()) return true;
  return cond();
}

// ---------- files ----------

test('file name, logdir created recursively, first record is the file version', (t) => {
  const dir = join(freshDir(), 'a', 'b');
  const before = Math.floor(Date.now() / 1000);
  const w = new tf.summary.FileWriter(dir);
  const after = Math.ceil(Date.now() / 1000);
  t.is(w.getLogdir(), dir);
  const name = eventFiles(dir)[0];
  const m = /^events\.out\.tfevents\.(\d{10})\.(.+)$/.exec(name);
  t.truthy(m, name);
  t.is(m![2], hostname());
  t.true(Number(m![1]) >= before && Number(m![1]) <= after);
  // The version record is on disk before any flush: the file is valid from the start.
  const evs = events(join(dir, name));
  t.is(evs.length, 1);
  t.is(evs[0].fileVersion, 'brain.Event:2');
  t.true(Math.abs(evs[0].wallTime - Date.now() / 1000) < 60);
  t.is(evs[0].step, undefined);
  w.close();
  const w2 = new tf.summary.FileWriter(dir, null, { filenameSuffix: '.v1' });
  w2.close();
  t.true(eventFiles(dir).some((f) => f.endsWith(`.${hostname()}.v1`)));
});

test('never clobbers: writers in the same second get their own files; reopen starts a new one', (t) => {
  const dir = freshDir();
  const secs = Math.floor(Date.now() / 1000);
  // Files another writer may own for this second and the next: left as they are.
  const taken = [secs, secs + 1].map((s) => join(dir, `events.out.tfevents.${String(s).padStart(10, '0')}.${hostname()}`));
  const w0 = new tf.summary.FileWriter(join(dir, 'x'));
  w0.close();
  for (const p of taken) writeFileSync(p, 'not mine');
  const ws = [0, 1, 2].map(() => new tf.summary.FileWriter(dir));
  ws.forEach((w, i) => w.addSummary(summaryBytes('w', i), i));
  ws.forEach((w) => w.close());
  for (const p of taken) t.is(readFileSync(p, 'utf8'), 'not mine');
  const mine = eventFiles(dir).filter((f) => !taken.includes(join(dir, f)));
  t.is(mine.length, 3);
  for (const f of mine) t.regex(f, new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${hostname()}\\.${process.pid}\\.\\d+$`));
  t.deepEqual(mine.map((f) => events(join(dir, f))[1].summary.value[0].simpleValue).sort(), [0, 1, 2]);

  const dir2 = freshDir();
  const w = new tf.summary.FileWriter(dir2);
  w.addSummary(summaryBytes('a', 1), 1);
  w.reopen(); // not closed: nothing happens
  t.is(eventFiles(dir2).length, 1);
  w.close();
  const size = statSync(onlyFile(dir2)).size;
  w.addSummary(summaryBytes('a', 2), 2); // ignored after close (TF1)
  w.flush();
  t.is(statSync(onlyFile(dir2)).size, size);
  w.reopen();
  w.addSummary(summaryBytes('a', 3), 3);
  w.close();
  const files = eventFiles(dir2);
  t.is(files.length, 2);
  const [first, second] = files.map((f) => events(join(dir2, f)));
  const steps = (evs: Record<string, any>[]) => evs.filter((e) => e.summary).map((e) => e.step);
  const sets = [steps(first), steps(second)].sort((a, b) => a[0] - b[0]);
  t.deepEqual(sets, [[1], [3]]);
  t.is(second[0].fileVersion, 'brain.Event:2');
});

// ---------- summaries ----------

test('scalar summaries round trip: run results (exact bytes), bytes and objects; any step order', (t) => {
  const dir = freshDir();
  const w = new tf.summary.FileWriter(dir, undefined, { maxQueue: 7 });
  const written: [string, number, number][] = [];
  const given: Uint8Array[] = [];
  for (let step = 0; step < 100; step++) {
    const loss = 1 / (step + 1);
    const acc = step / 100;
    const bytes = T('Summary').encode({ value: [{ tag: 'loss', simpleValue: loss }, { tag: 'train/accuracy', simpleValue: acc }] }).finish();
    given.push(bytes);
    if (step % 3 === 0) w.addSummary(new tf.NDArray('string', [], [bytes]), step);
    else if (step % 3 === 1) w.addSummary(bytes, step);
    else w.addSummary({ value: [{ tag: 'loss', simpleValue: loss }, { tag: 'train/accuracy', simpleValue: acc }] }, step);
    written.push(['loss', step, Math.fround(loss)], ['train/accuracy', step, Math.fround(acc)]);
  }
  w.addSummary(summaryBytes('loss', 5), 3); // an earlier step again: written as given
  w.addSummary(summaryBytes('loss', 7), new tf.NDArray('int64', [], new BigInt64Array([12345678901n])));
  written.push(['loss', 3, 5], ['loss', 12345678901, 7]);
  w.close();

  const recs = records(onlyFile(dir));
  const evs = recs.map((r) => obj('Event', r));
  const got = evs.filter((e) => e.summary).flatMap((e) => e.summary.value.map((v: any) => [v.tag, e.step ?? 0, v.simpleValue]));
  t.deepEqual(got, written);
  // Step 0 is proto3's default: no field 2 at all.
  t.false(rawFields(recs[1]).has(2) && obj('Event', recs[1]).step === 0);
  // The Summary field holds exactly the bytes given.
  for (let step = 0; step < 100; step += 1) t.deepEqual(Buffer.from(rawFields(recs[1 + step]).get(5)!), Buffer.from(given[step]));
  for (const e of evs) t.true(e.wallTime > 1e9);
});

test('histogram and other Summary values are written as given', (t) => {
  const dir = freshDir();
  const w = new tf.summary.FileWriter(dir);
  const histo = { min: -1, max: 2.5, num: 4, sum: 3, sumSquares: 9.5, bucketLimit: [-0.5, 0, 1e20], bucket: [1, 1, 2] };
  w.addSummary({ value: [{ tag: 'w/hist', histo }] }, 10);
  w.addSessionLog({ status: 1 }, 11);
  w.addEvent({ step: 12, logMessage: { level: 20, message: 'hello' } });
  w.close();
  const evs = events(onlyFile(dir));
  t.deepEqual(evs[1].summary.value[0], { tag: 'w/hist', histo });
  t.is(evs[1].step, 10);
  t.deepEqual(evs[2].sessionLog, { status: 'START' });
  t.deepEqual(evs[3].logMessage, { level: 'INFO', message: 'hello' });
  t.is(evs[3].step, 12);
});

test('bad summaries and options are InvalidArgumentErrors', (t) => {
  const dir = freshDir();
  t.throws(() => new tf.summary.FileWriter(dir, null, { maxQueue: 0 }), { instanceOf: tf.errors.InvalidArgumentError, message: /maxQueue/ });
  t.throws(() => new tf.summary.FileWriter(dir, null, { flushSecs: -1 }), { instanceOf: tf.errors.InvalidArgumentError, message: /flushSecs/ });
  const w = new tf.summary.FileWriter(dir);
  t.throws(() => w.addSummary(new tf.NDArray('float32', [], new Float32Array([1]))), { instanceOf: tf.errors.InvalidArgumentError, message: /scalar string/ });
  t.throws(() => w.addSummary(new Uint8Array([0x0a, 0x05, 1])), { instanceOf: tf.errors.InvalidArgumentError, message: /Summary/ });
  t.throws(() => w.addSummary(summaryBytes('a', 1), 1.5), { instanceOf: tf.errors.InvalidArgumentError, message: /integer/ });
  t.throws(() => w.addGraph({} as never), { instanceOf: tf.errors.InvalidArgumentError, message: /tf.Graph/ });
  w.close();
});

// ---------- graphs and run metadata ----------

function buildGraph(): tf.Graph {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [null, 3], name: 'x' });
    const c = tf.constant(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2], name: 'weights' });
    const s = tf.constant(['ab', 'c'], { name: 'words' });
    tf.nameScope('layer', () => {
      const y = tf.device('/cpu:0', () => tf.matmul(x, c, { name: 'mm' }));
      tf.controlDependencies([s], () => tf.identity(y, { name: 'out' }));
    });
  });
  return g;
}

test('graph event: a tensorflow.GraphDef with every node, input, device, attr and constant value', (t) => {
  const dir = freshDir();
  const g = buildGraph();
  const w = new tf.summary.FileWriter(dir, g);
  w.close();
  const evs = events(onlyFile(dir));
  t.is(evs.length, 3);
  t.is(evs[0].fileVersion, 'brain.Event:2');
  const gd = obj('GraphDef', Uint8Array.from(evs[1].graphDef));
  const byName = Object.fromEntries(gd.node.map((n: any) => [n.name, n]));
  t.deepEqual(gd.node.map((n: any) => n.name), g.getOperations().map((o) => o.name));
  t.deepEqual(gd.node.map((n: any) => n.op), g.getOperations().map((o) => o.type));
  t.true(gd.versions.producer >= 1);
  t.deepEqual(byName['layer/mm'].input, ['x', 'weights']);
  t.is(byName['layer/mm'].device, '/device:CPU:0');
  t.deepEqual(byName['layer/out'].input, ['layer/mm', '^words']);
  t.deepEqual(byName.x.attr.dtype, { type: 'DT_FLOAT' });
  t.deepEqual(byName.x.attr.shape, { shape: { dim: [{ size: -1 }, { size: 3 }] } });
  t.deepEqual(byName['layer/mm'].attr.transpose_a, { b: false });
  t.deepEqual(byName['layer/mm'].attr.T, { type: 'DT_FLOAT' });
  // Constants carry their values: packed little-endian content, string_val for strings.
  const wt = byName.weights.attr.value.tensor;
  t.is(wt.dtype, 'DT_FLOAT');
  t.deepEqual(wt.tensorShape, { dim: [{ size: 3 }, { size: 2 }] });
  t.deepEqual([...new Float32Array(Uint8Array.from(wt.tensorContent).buffer)], [1, 2, 3, 4, 5, 6]);
  const st = byName.words.attr.value.tensor;
  t.deepEqual(st.stringVal.map((b: number[]) => Buffer.from(b).toString()), ['ab', 'c']);
  // Static output shapes label TensorBoard's edges (TF1 add_shapes=True).
  t.deepEqual(byName['layer/mm'].attr._output_shapes, { list: { shape: [{ dim: [{ size: -1 }, { size: 2 }] }] } });
  // Then a meta graph holding the same graph.
  const mg = obj('MetaGraphDef', Uint8Array.from(evs[2].metaGraphDef));
  t.deepEqual(mg.graphDef.node.map((n: any) => n.name), gd.node.map((n: any) => n.name));
  t.truthy(mg.metaInfoDef.tensorflowVersion);
});

test('addGraph takes a Graph, our GraphDef or bytes; every attr kind is translated', (t) => {
  const dir = freshDir();
  const g = buildGraph();
  const op = g.getOperationByName('layer/out');
  // One attr of every kind, set directly so each AttrValue field is exercised.
  const arr = new tf.NDArray('int32', [2], new Int32Array([7, -8]));
  const attrs: [string, string, unknown][] = [
    ['a_s', 'string', 'hi'], ['a_i', 'int', -5], ['a_f', 'float', 0.5], ['a_b', 'bool', true], ['a_type', 'type', 'int64'],
    ['a_shape', 'shape', new tf.TensorShape(null)], ['a_tensor', 'tensor', arr], ['a_func', 'func', 'my_fn'],
    ['l_s', 'list(string)', ['x', 'yz']], ['l_i', 'list(int)', [1, 2, 3]], ['l_f', 'list(float)', [0.25]], ['l_b', 'list(bool)', [true, false]],
    ['l_type', 'list(type)', ['float32', 'string']], ['l_shape', 'list(shape)', [new tf.TensorShape([1, null])]], ['l_tensor', 'list(tensor)', [arr]],
  ];
  for (const [k, kind, v] of attrs) (op as any)._setAttr(k, kind, v);
  const w = new tf.summary.FileWriter(dir);
  w.addGraph(g, 5);
  w.addGraph(g.asGraphDef());
  w.addGraph(new Uint8Array([10, 3, 10, 1, 97])); // GraphDef{node{name:"a"}}
  w.close();
  const evs = events(onlyFile(dir)).slice(1);
  t.is(evs[0].step, 5);
  const out = obj('GraphDef', Uint8Array.from(evs[0].graphDef)).node.find((n: any) => n.name === 'layer/out').attr;
  const bytes = (s: string) => [...Buffer.from(s)];
  const tensor = { dtype: 'DT_INT32', tensorShape: { dim: [{ size: 2 }] }, tensorContent: [7, 0, 0, 0, 0xf8, 0xff, 0xff, 0xff] };
  t.deepEqual(out.a_s, { s: bytes('hi') });
  t.deepEqual(out.a_i, { i: -5 });
  t.deepEqual(out.a_f, { f: 0.5 });
  t.deepEqual(out.a_b, { b: true });
  t.deepEqual(out.a_type, { type: 'DT_INT64' });
  t.deepEqual(out.a_shape, { shape: { unknownRank: true } });
  t.deepEqual(out.a_tensor, { tensor });
  t.deepEqual(out.a_func, { func: { name: 'my_fn' } });
  t.deepEqual(out.l_s, { list: { s: [bytes('x'), bytes('yz')] } });
  t.deepEqual(out.l_i, { list: { i: [1, 2, 3] } });
  t.deepEqual(out.l_f, { list: { f: [0.25] } });
  t.deepEqual(out.l_b, { list: { b: [true, false] } });
  t.deepEqual(out.l_type, { list: { type: ['DT_FLOAT', 'DT_STRING'] } });
  t.deepEqual(out.l_shape, { list: { shape: [{ dim: [{ size: 1 }, { size: -1 }] }] } });
  t.deepEqual(out.l_tensor, { list: { tensor: [tensor] } });
  // Our GraphDef has no static shapes, so no _output_shapes; the same nodes otherwise.
  const fromDef = obj('GraphDef', Uint8Array.from(evs[1].graphDef));
  t.deepEqual(fromDef.node.map((n: any) => n.name), g.getOperations().map((o) => o.name));
  t.is(fromDef.node.find((n: any) => n.name === 'layer/mm').attr._output_shapes, undefined);
  t.deepEqual(obj('GraphDef', Uint8Array.from(evs[2].graphDef)), { node: [{ name: 'a' }] });
});

test('addMetaGraph writes a tensorflow.MetaGraphDef from tf.train.exportMetaGraph', (t) => {
  const dir = freshDir();
  const g = new tf.Graph();
  const meta = g.asDefault(() => {
    const v = new tf.Variable(tf.constant(new Float32Array([1, 2])), { name: 'v' });
    const saver = new tf.train.Saver([v]);
    return tf.train.exportMetaGraph(undefined, { saverDef: saver.asSaverDef() });
  });
  const w = new tf.summary.FileWriter(dir);
  w.addMetaGraph(meta, 3);
  w.close();
  const e = events(onlyFile(dir))[1];
  t.is(e.step, 3);
  const mg = obj('MetaGraphDef', Uint8Array.from(e.metaGraphDef));
  t.deepEqual(mg.graphDef.node.map((n: any) => n.name), g.getOperations().map((o) => o.name));
  t.is(mg.saverDef.restoreOpName, meta.saverDef!.restoreOpName);
  t.is(mg.metaInfoDef.tensorflowVersion, meta.metaInfoDef.tensorflowVersion);
});

test('run metadata: the step stats of a traced run, once per tag', (t) => {
  const dir = freshDir();
  const g = buildGraph();
  const md: tf.RunMetadata = {};
  const sess = new tf.Session({ graph: g });
  sess.run('layer/out:0', { 'x:0': [[1, 1, 1]] } as never, { traceLevel: tf.TraceLevel.FULL_TRACE }, md);
  sess.close();
  const w = new tf.summary.FileWriter(dir);
  w.addRunMetadata(md, 'step_7', 7);
  t.throws(() => w.addRunMetadata(md, 'step_7', 8), { instanceOf: tf.errors.InvalidArgumentError, message: /already used/ });
  w.close();
  const evs = events(onlyFile(dir));
  t.is(evs.length, 2);
  t.is(evs[1].step, 7);
  t.is(evs[1].taggedRunMetadata.tag, 'step_7');
  const rm = obj('RunMetadata', Uint8Array.from(evs[1].taggedRunMetadata.runMetadata));
  const ours = md.stepStats!.devStats;
  t.deepEqual(rm.stepStats.devStats.map((d: any) => d.device), ours.map((d) => d.device));
  const nodes = rm.stepStats.devStats.flatMap((d: any) => d.nodeStats);
  const ourNodes = ours.flatMap((d) => d.nodeStats);
  t.deepEqual(nodes.map((n: any) => n.nodeName), ourNodes.map((n) => n.nodeName));
  t.true(nodes.some((n: any) => n.nodeName === 'layer/mm'));
  nodes.forEach((n: any, i: number) => {
    t.is(n.allStartMicros, ourNodes[i].allStartMicros);
    t.is(n.allEndRelMicros ?? 0, ourNodes[i].allEndRelMicros);
  });
});

// ---------- when events reach the file ----------

test('maxQueue: events stay queued until maxQueue of them, then a background write', async (t) => {
  const dir = freshDir();
  const w = new tf.summary.FileWriter(dir, null, { maxQueue: 5, flushSecs: 1000 });
  const path = onlyFile(dir);
  for (let i = 0; i < 4; i++) w.addSummary(summaryBytes('q', i), i);
  await sleep(100);
  t.is(records(path).length, 1);
  w.addSummary(summaryBytes('q', 4), 4);
  t.true(await until(() => records(path).length === 6));
  w.addSummary(summaryBytes('q', 5), 5);
  await sleep(50);
  t.is(records(path).length, 6);
  w.flush(); // synchronous
  t.is(records(path).length, 7);
  w.close();
});

test('flushSecs: the oldest queued event waits at most flushSecs', async (t) => {
  const dir = freshDir();
  const w = new tf.summary.FileWriter(dir, null, { maxQueue: 1000, flushSecs: 0.3 });
  const path = onlyFile(dir);
  const start = Date.now();
  w.addSummary(summaryBytes('f', 1), 1);
  w.addSummary(summaryBytes('f', 2), 2);
  t.is(records(path).length, 1);
  t.true(await until(() => records(path).length === 3));
  t.true(Date.now() - start >= 250);
  w.addSummary(summaryBytes('f', 3), 3);
  t.true(await until(() => records(path).length === 4));
  w.close();
  t.deepEqual(events(path).slice(1).map((e) => e.step), [1, 2, 3]);
});

test('a writer never keeps the process alive; queued events are written at exit', (t) => {
  const dir = freshDir();
  const code = `import * as tf from 'tensorgraph';
    const w = new tf.summary.FileWriter(${JSON.stringify(dir)}, null, { flushSecs: 120 });
    for (let i = 0; i < 3; i++) w.addSummary({ value: [{ tag: 'x', simpleValue: i }] }, i);`;
  const start = Date.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 20000 });
  t.is(r.status, 0, r.stderr);
  t.true(Date.now() - start < 15000);
  t.deepEqual(events(onlyFile(dir)).slice(1).map((e) => e.summary.value[0].simpleValue ?? 0), [0, 1, 2]);
});

// ---------- the library's reader ----------

test('readEvents follows a growing file: a truncated last record waits, the rest comes later', (t) => {
  const dir = freshDir();
  const w = new tf.summary.FileWriter(dir);
  for (let i = 0; i < 3; i++) w.addSummary(summaryBytes('g', i), i);
  w.close();
  const path = onlyFile(dir);
  const full = readFileSync(path);
  const recs = records(path);
  const lastLen = recs[3].length + 16;
  // Cut inside the last record's data, then inside its header.
  for (const cut of [lastLen - 5, lastLen - 6 - recs[3].length]) {
    truncateSync(path, full.length - cut);
    const r = tf.summary.readEvents(path);
    t.true(r.truncated);
    t.is(r.corrupt, undefined);
    t.is(r.events.length, 3);
    t.is(r.nextOffset, full.length - lastLen);
    t.deepEqual(r.events.map((e) => e.step ?? 0), [0, 0, 1]);
    // The writer finishes the record: reading on from nextOffset gives just that event.
    writeFileSync(path, full);
    const more = tf.summary.readEvents(path, r.nextOffset);
    t.false(more.truncated);
    t.is(more.events.length, 1);
    t.is(more.events[0].step, 2);
    t.is(more.events[0].summary!.value![0].tag, 'g');
    t.is(more.nextOffset, full.length);
  }
  // Nothing new: an empty read at the end.
  t.deepEqual(tf.summary.readEvents(path, full.length), { events: [], nextOffset: full.length, truncated: false });
  appendFileSync(path, Buffer.from([1, 2, 3]));
  t.true(tf.summary.readEvents(path, full.length).truncated);
});

test('readEvents reports a corrupt record instead of throwing, and stops there', (t) => {
  const dir = freshDir();
  const w = new tf.summary.FileWriter(dir);
  for (let i = 0; i < 4; i++) w.addSummary(summaryBytes('c', i), i + 1);
  w.close();
  const path = onlyFile(dir);
  const full = readFileSync(path);
  const recs = records(path);
  const third = recs.slice(0, 2).reduce((a, r) => a + r.length + 16, 0);
  const bad = Buffer.from(full);
  bad[third + 14] ^= 0xff; // a data byte of the third record
  writeFileSync(path, bad);
  const r = tf.summary.readEvents(path);
  t.is(r.events.length, 2);
  t.is(r.nextOffset, third);
  t.false(r.truncated);
  t.is(r.corrupt?.offset, third + 12);
  t.regex(r.corrupt!.message, /corrupt.*data CRC/);
  const badLen = Buffer.from(full);
  badLen[third] ^= 0x01; // its length
  writeFileSync(path, badLen);
  t.is(tf.summary.readEvents(path).corrupt?.offset, third);
  t.throws(() => tf.summary.readEvents(join(dir, 'missing')), { instanceOf: tf.errors.NotFoundError });
  t.true(tf.summary.isEventFileName(path));
  t.false(tf.summary.isEventFileName('/x/events.out.tfevents.1.h.profile-empty'));
});

test('background writes and synchronous flushes interleave without losing or reordering records', async (t) => {
  const dir = freshDir();
  const w = new tf.summary.FileWriter(dir, null, { maxQueue: 1, flushSecs: 0 });
  const path = onlyFile(dir);
  let step = 0;
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 7; i++) w.addSummary(summaryBytes('s', step), step++);
    if (round % 3 === 0) w.flush(); // while a background write is in flight
    else await sleep(1);
  }
  w.close();
  const evs = events(path).slice(1);
  t.is(evs.length, step);
  t.deepEqual(evs.map((e) => e.step ?? 0), Array.from({ length: step }, (_, i) => i));
});
