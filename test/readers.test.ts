// Readers and TFRecord files: reader ops and attrs at construction; TFRecord framing and
// corruption in TS; records, keys and counters of every reader at run time.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import * as tf from 'tensorgraph';

const inGraph = <T>(fn: () => T): T => new tf.Graph().asDefault(fn);
const dir = mkdtempSync(join(tmpdir(), 'tg-readers-'));
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

// ---------- construction ----------

test('reader classes build one V2 reader op with TF attrs', (t) => {
  inGraph(() => {
    const tl = new tf.TextLineReader({ skipHeaderLines: 1 });
    t.is(tl.readerRef.op.type, 'TextLineReaderV2');
    t.is(tl.readerRef.op.name, 'TextLineReaderV2');
    t.is(tl.readerRef.dtype, 'resource');
    t.is(tl.readerRef.op.getAttr('skip_header_lines'), 1);
    t.deepEqual([tl.readerRef.op.getAttr('container'), tl.readerRef.op.getAttr('shared_name')], ['', '']);
    const fl = new tf.FixedLengthRecordReader(4, { headerBytes: 2, footerBytes: 1 });
    const fl2 = new tf.FixedLengthRecordReader({ recordBytes: 8, hopBytes: 3, name: 'fixed' });
    t.deepEqual(['record_bytes', 'header_bytes', 'footer_bytes', 'hop_bytes', 'encoding'].map((a) => fl.readerRef.op.getAttr(a)), [4, 2, 1, 0, '']);
    t.deepEqual([fl2.readerRef.op.getAttr('record_bytes'), fl2.readerRef.op.getAttr('hop_bytes'), fl2.readerRef.op.name], [8, 3, 'fixed']);
    t.throws(() => new tf.FixedLengthRecordReader({}), { instanceOf: tf.errors.InvalidArgumentError });
    t.is(new tf.TFRecordReader({ compressionType: 'GZIP' }).readerRef.op.getAttr('compression_type'), 'GZIP');
    t.is(new tf.WholeFileReader().readerRef.op.type, 'WholeFileReaderV2');
    t.is(new tf.IdentityReader().readerRef.op.type, 'IdentityReaderV2');
    t.true(new tf.WholeFileReader().supportsSerialize);
    t.false(tl.supportsSerialize);
  });
});

test('read / readUpTo / counters / reset ops, with a queue or its handle', (t) => {
  inGraph(() => {
    const q = new tf.FIFOQueue(5, 'string');
    const r = new tf.TextLineReader();
    const [key, value] = r.read(q);
    t.is(key.op.type, 'ReaderReadV2');
    t.deepEqual(key.op.inputs.map((x) => x.name), ['TextLineReaderV2:0', 'fifo_queue:0']);
    t.deepEqual([key.dtype, value.dtype, key.shape.asList(), value.shape.asList()], ['string', 'string', [], []]);
    const [keys, values] = r.readUpTo(q.queueRef, 3);
    t.is(keys.op.type, 'ReaderReadUpToV2');
    t.is(keys.op.inputs[2].dtype, 'int64');
    t.deepEqual([keys.shape.asList(), values.shape.asList()], [[null], [null]]);
    const n = r.numRecordsProduced();
    t.deepEqual([n.op.type, n.dtype], ['ReaderNumRecordsProducedV2', 'int64']);
    t.is(r.numWorkUnitsCompleted().op.type, 'ReaderNumWorkUnitsCompletedV2');
    t.is(r.reset().type, 'ReaderResetV2');
    t.is(r.read(q, { name: 'my_read' })[0].op.name, 'my_read');
  });
});

// ---------- TFRecord files in TS ----------

test('TFRecordWriter frames records; tfRecordIterator reads them back', (t) => {
  const path = join(dir, 'three.tfrecord');
  const w = new tf.io.TFRecordWriter(path);
  w.write('hello');
  w.write('');
  w.write(new Uint8Array([0xff, 0x00, 0x80]));
  w.close();
  const bytes = readFileSync(path);
  t.is(bytes.length, (16 + 5) + 16 + (16 + 3));
  t.is(bytes.readBigUInt64LE(0), 5n);
  t.is(bytes.readBigUInt64LE(21), 0n);
  t.deepEqual([...tf.io.tfRecordIterator(path)].map((b) => [...b]), [[104, 101, 108, 108, 111], [], [0xff, 0x00, 0x80]]);
});

test('record CRCs are masked CRC-32C (crc32c("123456789") = 0xE3069283)', (t) => {
  const path = join(dir, 'crc.tfrecord');
  const w = new tf.io.TFRecordWriter(path);
  w.write('123456789');
  w.close();
  const c = 0xe3069283;
  const masked = ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
  t.is(readFileSync(path).readUInt32LE(12 + 9), masked);
});

test('corrupted and truncated TFRecord files raise DataLossError', (t) => {
  const path = join(dir, 'good.tfrecord');
  const w = new tf.io.TFRecordWriter(path);
  w.write('abc');
  w.write('defg');
  w.close();
  const good = readFileSync(path);
  const badData = Buffer.from(good);
  badData[19 + 12] ^= 1; // first data byte of record 2 (at offset 19)
  writeFileSync(join(dir, 'bad_data'), badData);
  t.throws(() => [...tf.io.tfRecordIterator(join(dir, 'bad_data'))], {
    instanceOf: tf.errors.DataLossError, message: `corrupted record at 31 in file ${join(dir, 'bad_data')}`,
  });
  const badLen = Buffer.from(good);
  badLen[0] ^= 1;
  writeFileSync(join(dir, 'bad_len'), badLen);
  t.throws(() => [...tf.io.tfRecordIterator(join(dir, 'bad_len'))], {
    instanceOf: tf.errors.DataLossError, message: /corrupted record at 0 \(Is this even a TFRecord file\?\)/,
  });
  writeFileSync(join(dir, 'trunc'), good.subarray(0, good.length - 2));
  t.throws(() => [...tf.io.tfRecordIterator(join(dir, 'trunc'))], {
    instanceOf: tf.errors.DataLossError, message: `truncated record at 19 in file ${join(dir, 'trunc')}`,
  });
  // A partial header at the end is the end of the file.
  writeFileSync(join(dir, 'partial_header'), Buffer.concat([good, Buffer.from([1, 2, 3])]));
  t.deepEqual([...tf.io.tfRecordIterator(join(dir, 'partial_header'))].map(text), ['abc', 'defg']);
});

test('GZIP and ZLIB TFRecord files round-trip', (t) => {
  for (const compressionType of ['GZIP', 'ZLIB'] as const) {
    const path = join(dir, `c.${compressionType}`);
    const w = new tf.io.TFRecordWriter(path, { compressionType });
    w.write('x');
    w.write('yz');
    w.close();
    t.deepEqual([...tf.io.tfRecordIterator(path, { compressionType })].map(text), ['x', 'yz']);
  }
});

// ---------- run time (native reader kernels) ----------

function filenameQueue(files: string[]): { q: tf.FIFOQueue; fill: tf.Operation; close: tf.Operation } {
  const q = new tf.FIFOQueue(10, 'string', { shapes: [[]] });
  return { q, fill: q.enqueueMany([files]), close: q.close() };
}

test('TextLineReader: keys "<file>:<line>", header lines skipped, CRLF stripped, then OutOfRange', (t) => {
  const path = join(dir, 'lines.csv');
  writeFileSync(path, 'header\nl1\r\n\nl3');
  inGraph(() => {
    const { q, fill, close } = filenameQueue([path]);
    const r = new tf.TextLineReader({ skipHeaderLines: 1 });
    const [k, v] = r.read(q);
    const sess = new tf.Session();
    sess.run(fill);
    sess.run(close);  // after the fill: in one run the two would race
    const got = [0, 1, 2].map(() => sess.run([k, v]).map((a) => a.item()));
    t.deepEqual(got, [[`${path}:2`, 'l1'], [`${path}:3`, ''], [`${path}:4`, 'l3']]);
    t.throws(() => sess.run([k, v]), { instanceOf: tf.errors.OutOfRangeError });
    t.is(sess.run(r.numRecordsProduced()).item(), 3);
    t.is(sess.run(r.numWorkUnitsCompleted()).item(), 1);
    sess.close();
  });
});

test('TextLineReader: a missing file is NotFound naming it', (t) => {
  inGraph(() => {
    const missing = join(dir, 'nope.txt');
    const { q, fill } = filenameQueue([missing]);
    const [k] = new tf.TextLineReader().read(q);
    const sess = new tf.Session();
    sess.run(fill);
    t.throws(() => sess.run(k), { instanceOf: tf.errors.NotFoundError, message: new RegExp(missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')) });
    sess.close();
  });
});

test('readUpTo never crosses into the next file once it produced a record', (t) => {
  const a = join(dir, 'a.txt');
  const b = join(dir, 'b.txt');
  writeFileSync(a, '1\n2\n3\n');
  writeFileSync(b, '4\n');
  inGraph(() => {
    const { q, fill, close } = filenameQueue([a, b]);
    const [, values] = new tf.TextLineReader().readUpTo(q, 2);
    const sess = new tf.Session();
    sess.run(fill);
    sess.run(close);  // after the fill: in one run the two would race
    t.deepEqual(sess.run(values).toArray(), ['1', '2']);
    t.deepEqual(sess.run(values).toArray(), ['3']);
    t.deepEqual(sess.run(values).toArray(), ['4']);
    t.throws(() => sess.run(values), { instanceOf: tf.errors.OutOfRangeError });
    sess.close();
  });
});

test('FixedLengthRecordReader: header, records until fewer than record + footer bytes remain', (t) => {
  const path = join(dir, 'fixed.bin');
  writeFileSync(path, Uint8Array.from({ length: 12 }, (_, i) => i));
  inGraph(() => {
    const { q, fill, close } = filenameQueue([path]);
    const [k, v] = new tf.FixedLengthRecordReader(3, { headerBytes: 2, footerBytes: 1 }).read(q);
    const sess = new tf.Session();
    sess.run(fill);
    sess.run(close);  // after the fill: in one run the two would race
    const got = [0, 1, 2].map(() => {
      const [key, value] = sess.run([k, v]);
      return [key.item(), [...value.bytes[0]]];
    });
    t.deepEqual(got, [[`${path}:0`, [2, 3, 4]], [`${path}:1`, [5, 6, 7]], [`${path}:2`, [8, 9, 10]]]);
    t.throws(() => sess.run(v), { instanceOf: tf.errors.OutOfRangeError });
    sess.close();
  });
});

test('TFRecordReader reads what TFRecordWriter wrote, keyed by byte offset', (t) => {
  const path = join(dir, 'rt.tfrecord');
  const w = new tf.io.TFRecordWriter(path);
  for (const r of ['hello', '', 'world!!']) w.write(r);
  w.close();
  inGraph(() => {
    const { q, fill, close } = filenameQueue([path]);
    const [k, v] = new tf.TFRecordReader().read(q);
    const sess = new tf.Session();
    sess.run(fill);
    sess.run(close);  // after the fill: in one run the two would race
    const got = [0, 1, 2].map(() => sess.run([k, v]).map((a) => a.item()));
    t.deepEqual(got, [[`${path}:0`, 'hello'], [`${path}:21`, ''], [`${path}:37`, 'world!!']]);
    t.throws(() => sess.run(v), { instanceOf: tf.errors.OutOfRangeError });
    sess.close();
  });
});

test('TFRecordReader: a corrupted record is DataLoss', (t) => {
  const path = join(dir, 'rt_bad.tfrecord');
  const w = new tf.io.TFRecordWriter(path);
  w.write('abc');
  w.close();
  const bytes = readFileSync(path);
  bytes[12] ^= 1;
  writeFileSync(path, bytes);
  inGraph(() => {
    const { q, fill } = filenameQueue([path]);
    const [, v] = new tf.TFRecordReader().read(q);
    const sess = new tf.Session();
    sess.run(fill);
    t.throws(() => sess.run(v), { instanceOf: tf.errors.DataLossError, message: `corrupted record at 12 in file ${path}` });
    sess.close();
  });
});

test('WholeFileReader returns the exact bytes; IdentityReader returns the work', (t) => {
  const path = join(dir, 'blob.bin');
  const blob = new Uint8Array([0, 0xff, 0xfe, 10, 0x80]);
  writeFileSync(path, blob);
  inGraph(() => {
    const { q, fill } = filenameQueue([path]);
    const [k, v] = new tf.WholeFileReader().read(q);
    const work = new tf.FIFOQueue(5, 'string', { shapes: [[]] });
    const [ik, iv] = new tf.IdentityReader().read(work);
    const sess = new tf.Session();
    sess.run([fill, work.enqueueMany([['a', 'b']])]);
    const [key, value] = sess.run([k, v]);
    t.is(key.item(), path);
    t.deepEqual([...value.bytes[0]], [...blob]);
    t.deepEqual(sess.run([ik, iv]).map((a) => a.item()), ['a', 'a']);
    t.deepEqual(sess.run([ik, iv]).map((a) => a.item()), ['b', 'b']);
    sess.close();
  });
});
