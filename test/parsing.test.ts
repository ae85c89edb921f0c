// Parsing and file ops: TF op defs and static shapes at construction; CSV, raw bytes,
// numbers, splitting and tf.train.Example parsing at run time (hand-computed values).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import * as tf from 'tensorgraph';

const inGraph = <T>(fn: () => T): T => new tf.Graph().asDefault(fn);
const f32 = (v: number[]) => tf.constant(v, { dtype: 'float32' });

// ---------- construction ----------

test('decodeCsv: DecodeCSV attrs, one output per default with its dtype and the records shape', (t) => {
  inGraph(() => {
    const records = tf.placeholder('string', { shape: [4] });
    const outs = tf.decodeCsv(records, { recordDefaults: [f32([-1]), [0], [], tf.constant([''])], fieldDelim: ';', naValue: 'NA' });
    t.deepEqual(outs.map((o) => o.dtype), ['float32', 'int32', 'float32', 'string']);
    t.true(outs.every((o) => o.shape.asList().join() === '4'));
    const op = outs[0].op;
    t.is(op.type, 'DecodeCSV');
    t.is(op.name, 'DecodeCSV');
    t.deepEqual(op.getAttr('OUT_TYPE'), ['float32', 'int32', 'float32', 'string']);
    t.deepEqual([op.getAttr('field_delim'), op.getAttr('use_quote_delim'), op.getAttr('na_value'), op.getAttr('select_cols')], [';', true, 'NA', []]);
    // Positional form.
    const pos = tf.decodeCsv(records, [[1], ['x']], { useQuoteDelim: false, selectCols: [0, 2], name: 'csv' });
    t.deepEqual(pos.map((o) => o.dtype), ['int32', 'string']);
    t.is(pos[0].op.name, 'csv');
    t.is(pos[0].op.getAttr('use_quote_delim'), false);
    t.deepEqual(pos[0].op.getAttr('select_cols'), [0, 2]);
  });
});

test('decodeCsv construction errors', (t) => {
  inGraph(() => {
    t.throws(() => tf.decodeCsv(['1,2'], [[1, 2]]), { instanceOf: tf.errors.InvalidArgumentError, message: /length-0 or length-1/ });
    t.throws(() => tf.decodeCsv(['1,2'], [[true]]), { instanceOf: tf.errors.InvalidArgumentError });
    t.throws(() => tf.decodeCsv(['1'], [[1], [2]], { selectCols: [1, 0] }), { message: /not strictly increasing/ });
    t.throws(() => tf.decodeCsv(['1'], [[1]], { selectCols: [0, 1] }), { message: /do not match/ });
    t.throws(() => tf.decodeCsv(['1'], [[1]], { selectCols: [-1] }), { message: /negative/ });
  });
});

test('decodeRaw, stringToNumber, stringSplit: ops, attrs and static shapes', (t) => {
  inGraph(() => {
    const raw = tf.decodeRaw(tf.placeholder('string', { shape: [5] }), 'int32', { littleEndian: false });
    t.deepEqual([raw.op.type, raw.dtype, raw.op.getAttr('little_endian')], ['DecodeRaw', 'int32', false]);
    t.deepEqual(raw.shape.asList(), [5, null]);
    const n = tf.stringToNumber(['1'], { outType: 'int64' });
    t.deepEqual([n.op.type, n.dtype, n.shape.asList()], ['StringToNumber', 'int64', [1]]);
    t.is(tf.stringToNumber(['1']).dtype, 'float32');
    const s = tf.stringSplit(['a b', 'c'], { delimiter: ',' });
    t.is(s.indices.op.type, 'StringSplit');
    t.is(s.indices.op.getAttr('skip_empty'), true);
    t.deepEqual([s.indices.shape.asList(), s.values.shape.asList(), s.denseShape.shape.asList()], [[null, 2], [null], [2]]);
    t.deepEqual([s.indices.dtype, s.values.dtype, s.denseShape.dtype], ['int64', 'string', 'int64']);
  });
});

test('parseSingleExample / parseExample: TF attrs, sorted keys, dense shapes', (t) => {
  inGraph(() => {
    const features = {
      score: tf.io.FixedLenFeature([], 'float32', 0.5),
      age: tf.io.FixedLenFeature([2], 'int64'),
      name: new (tf.io.FixedLenFeature as unknown as new (...a: unknown[]) => tf.FixedLenFeatureSpec)([], 'string'),
    };
    const one = tf.parseSingleExample(tf.placeholder('string', { shape: [] }), features);
    t.deepEqual(Object.keys(one).sort(), ['age', 'name', 'score']);
    const op = one.age.op;
    t.is(op.type, 'ParseSingleExample');
    t.deepEqual(op.getAttr('dense_keys'), ['age', 'name', 'score']);
    t.deepEqual(op.getAttr('Tdense'), ['int64', 'string', 'float32']);
    t.deepEqual((op.getAttr('dense_shapes') as tf.TensorShape[]).map((s) => s.asList()), [[2], [], []]);
    t.deepEqual([op.getAttr('num_sparse'), op.getAttr('sparse_keys'), op.getAttr('sparse_types')], [0, [], []]);
    t.deepEqual([one.age.shape.asList(), one.score.shape.asList()], [[2], []]);
    t.deepEqual([one.age.dtype, one.name.dtype, one.score.dtype], ['int64', 'string', 'float32']);
    // Required features get an empty default; a default has the feature's shape.
    t.deepEqual(op.inputs.slice(1).map((x) => x.shape.asList()), [[0], [0], []]);

    const batch = tf.parseExample(tf.placeholder('string', { shape: [null] }), features);
    t.is(batch.age.op.type, 'ParseExample');
    t.deepEqual([batch.age.op.getAttr('Nsparse'), batch.age.op.getAttr('Ndense')], [0, 3]);
    t.deepEqual(batch.age.shape.asList(), [null, 2]);
    t.throws(() => tf.io.FixedLenFeature([1], 'int32'), { instanceOf: tf.errors.InvalidArgumentError });
  });
});

test('file ops: ReadFile, WriteFile, MatchingFiles', (t) => {
  inGraph(() => {
    const r = tf.io.readFile('x');
    t.deepEqual([r.op.type, r.dtype, r.shape.asList()], ['ReadFile', 'string', []]);
    t.is(tf.writeFile('x', 'y').type, 'WriteFile');
    const m = tf.matchingFiles('*.txt');
    t.deepEqual([m.op.type, m.shape.asList()], ['MatchingFiles', [null]]);
    t.is(tf.io.decodeCsv, tf.decodeCsv);
    t.is(tf.io.decodeRaw, tf.decodeRaw);
    t.is(tf.io.parseExample, tf.parseExample);
  });
});

// ---------- run time (native parsing kernels) ----------

test('decodeCsv values: defaults for empty fields, quotes, surrounding spaces', (t) => {
  inGraph(() => {
    const records = tf.constant(['1.5,2,x', '-1,,y', ' 3 ,+4,"a,""b"""']);
    const [a, b, c] = tf.decodeCsv(records, { recordDefaults: [f32([0]), [7], ['']] });
    const sess = new tf.Session();
    const [va, vb, vc] = sess.run([a, b, c]);
    t.deepEqual(va.toArray(), [1.5, -1, 3]);
    t.deepEqual(vb.toArray(), [2, 7, 4]);
    t.deepEqual(vc.toArray(), ['x', 'y', 'a,"b"']);
    sess.close();
  });
});

test('decodeCsv run-time errors name the DecodeCSV node', (t) => {
  inGraph(() => {
    const rec = tf.placeholder('string', { shape: [null] });
    const [x] = tf.decodeCsv(rec, [f32([]), [0]]);
    const [, i] = tf.decodeCsv(rec, [f32([]), [0]], { name: 'ints' });
    const sess = new tf.Session();
    t.throws(() => sess.run(x, { [rec.name]: [',1'] }), { instanceOf: tf.errors.InvalidArgumentError, message: /Field 0 is required but missing in record 0!/ });
    t.throws(() => sess.run(x, { [rec.name]: ['1,2', '1'] }), { instanceOf: tf.errors.InvalidArgumentError, message: /Expect 2 fields but have 1 in record 1/ });
    t.throws(() => sess.run(x, { [rec.name]: ['x,1'] }), { instanceOf: tf.errors.InvalidArgumentError, message: /Field 0 in record 0 is not a valid float: x/ });
    t.throws(() => sess.run(i, { [rec.name]: ['1,0x10'] }), { instanceOf: tf.errors.InvalidArgumentError, message: /Field 1 in record 0 is not a valid int32: 0x10/ });
    t.throws(() => sess.run(x, { [rec.name]: ['1, ,'] }), { instanceOf: tf.errors.InvalidArgumentError });
    t.throws(() => sess.run(x, { [rec.name]: ['1,2"3'] }), { instanceOf: tf.errors.InvalidArgumentError, message: /Unquoted fields cannot have quotes\/CRLFs inside/ });
    sess.close();
  });
});

test('decodeRaw: little and big endian; a length not a multiple of the size fails', (t) => {
  inGraph(() => {
    const bytes = tf.constant([new Uint8Array([1, 0, 0, 0, 2, 1, 0, 0])], { dtype: 'string' });
    const le = tf.decodeRaw(bytes, 'int32');
    const be = tf.decodeRaw(bytes, 'int32', { littleEndian: false });
    const u8 = tf.decodeRaw(bytes, 'uint8');
    const bad = tf.decodeRaw(tf.constant('abc'), 'int32');
    const sess = new tf.Session();
    t.deepEqual(sess.run(le).toArray(), [[1, 258]]);
    t.deepEqual(sess.run(be).toArray(), [[16777216, 33619968]]);
    t.deepEqual(sess.run(u8).toArray(), [[1, 0, 0, 0, 2, 1, 0, 0]]);
    t.throws(() => sess.run(bad), {
      instanceOf: tf.errors.InvalidArgumentError, message: /Input to DecodeRaw has length 3 that is not a multiple of 4, the size of int32/,
    });
    sess.close();
  });
});

test('stringToNumber and stringSplit values', (t) => {
  inGraph(() => {
    const n = tf.stringToNumber(['1.5', '-2']);
    const i = tf.stringToNumber(['1.5'], { outType: 'int32' });
    const s = tf.stringSplit(['a b', 'c']);
    const sess = new tf.Session();
    t.deepEqual(sess.run(n).toArray(), [1.5, -2]);
    t.throws(() => sess.run(i), { instanceOf: tf.errors.InvalidArgumentError });
    const [indices, values, shape] = sess.run([s.indices, s.values, s.denseShape]);
    t.deepEqual(indices.toArray(), [[0, 0], [0, 1], [1, 0]]);
    t.deepEqual(values.toArray(), ['a', 'b', 'c']);
    t.deepEqual(shape.toArray(), [2, 2]);
    sess.close();
  });
});

// A tf.train.Example built by hand (protobuf wire format).
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const field = (num: number, body: number[]) => [...varint((num << 3) | 2), ...varint(body.length), ...body];
const utf8 = (s: string) => [...Buffer.from(s, 'utf8')];
function example(feats: Record<string, number[]>): Uint8Array {
  // Features.feature map entry: key=1, value=2 (Feature).
  const entries = Object.entries(feats).flatMap(([k, feature]) => field(1, [...field(1, utf8(k)), ...field(2, feature)]));
  return Uint8Array.from(field(1, entries)); // Example.features = 1
}
const int64List = (vs: number[]) => field(3, field(1, vs.flatMap(varint))); // Int64List.value packed
const floatList = (vs: number[]) => field(2, field(1, vs.flatMap((v) => [...Buffer.from(Float32Array.of(v).buffer)])));
const bytesList = (vs: string[]) => field(1, vs.flatMap((v) => field(1, utf8(v))));

test('parseSingleExample and parseExample on hand-built Examples', (t) => {
  const ex1 = example({ age: int64List([7, 300]), score: floatList([0.25]), name: bytesList(['bob']) });
  const ex2 = example({ age: int64List([1, 2]), name: bytesList(['al']) });
  inGraph(() => {
    const features = {
      age: tf.io.FixedLenFeature([2], 'int64'),
      score: tf.io.FixedLenFeature([], 'float32', 0.5),
      name: tf.io.FixedLenFeature([], 'string'),
    };
    const one = tf.parseSingleExample(tf.constant(ex1, { dtype: 'string' }), features);
    const batch = tf.parseExample(tf.constant([ex1, ex2], { dtype: 'string' }), features);
    const missing = tf.parseSingleExample(tf.constant(ex2, { dtype: 'string' }), { height: tf.io.FixedLenFeature([], 'float32') });
    const sess = new tf.Session();
    const v = sess.run(one);
    t.deepEqual(v.age.toArray(), [7, 300]);
    t.is(v.score.item(), 0.25);
    t.is(v.name.item(), 'bob');
    const b = sess.run(batch);
    t.deepEqual(b.age.toArray(), [[7, 300], [1, 2]]);
    t.deepEqual(b.score.toArray(), [0.25, 0.5]);
    t.deepEqual(b.name.toArray(), ['bob', 'al']);
    t.throws(() => sess.run(missing.height), { instanceOf: tf.errors.InvalidArgumentError });
    sess.close();
  });
});

test('readFile, writeFile and matchingFiles', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-files-'));
  writeFileSync(join(dir, 'b.txt'), 'B');
  writeFileSync(join(dir, 'a.txt'), 'A');
  writeFileSync(join(dir, 'c.dat'), 'C');
  inGraph(() => {
    const out = join(dir, 'out.bin');
    const w = tf.writeFile(out, tf.constant(new Uint8Array([0, 0xff, 7]), { dtype: 'string' }));
    const r = tf.readFile(out);
    const m = tf.matchingFiles(join(dir, '*.txt'));
    const sess = new tf.Session();
    sess.run(w);
    t.deepEqual([...sess.run(r).bytes[0]], [0, 0xff, 7]);
    t.deepEqual(sess.run(m).toArray(), [join(dir, 'a.txt'), join(dir, 'b.txt')]);
    t.throws(() => sess.run(tf.readFile(join(dir, 'nope'))), { instanceOf: tf.errors.NotFoundError });
    sess.close();
  });
});

test('a bad CSV field read by a reader names the file and line: in sess.run and re-raised by coord.join', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-csv-bad-'));
  const path = join(dir, 'bad.csv');
  writeFileSync(path, 'x,y\n1.5,2\n3,oops\n');
  inGraph(() => {
    const files = new tf.FIFOQueue(2, 'string', { shapes: [[]] });
    const fill = files.enqueue(path);
    const [, line] = new tf.TextLineReader({ skipHeaderLines: 1 }).read(files);
    const [x, y] = tf.decodeCsv(line, { recordDefaults: [f32([0]), f32([0])] });
    using sess = new tf.Session();
    sess.run(fill);
    t.deepEqual([...sess.run([x, y]).map((a) => a.item())], [1.5, 2]);
    const e = t.throws(() => sess.run([x, y]), { instanceOf: tf.errors.InvalidArgumentError });
    t.is(e?.message, `Field 1 in record 0 is not a valid float: oops (record ${path}:3)`);

    // The same record through a QueueRunner: the coordinator re-raises it, file and line included.
    const out = new tf.FIFOQueue(4, ['float32', 'float32'], { shapes: [[], []] });
    const qr = new tf.train.QueueRunner(out, [out.enqueue([x, y])]);
    sess.run(files.enqueue(path));
    const coord = new tf.train.Coordinator();
    const threads = qr.createThreads(sess, { coord, start: true });
    const err = t.throws(() => coord.join(threads, { stopGracePeriodSecs: 5 }), { instanceOf: tf.errors.InvalidArgumentError });
    t.is(err?.message, `Field 1 in record 0 is not a valid float: oops (record ${path}:3)`);
  });
});
