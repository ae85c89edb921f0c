// tf.summary ops run in a Session; their serialized Summary bytes decoded here by protobufjs
// straight from schema/proto/summary.proto (not the library's reader), PNGs checked by a
// reader written here (signature, IHDR, chunk CRC-32s, inflated pixels), histogram buckets
// against hand-computed limits, TF1 tags (scopes, uniquification, family), collections.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import test from 'ava';
import protobuf from 'protobufjs';
import * as tf from 'tensorgraph';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const inGraph = <T>(fn: () => T): T => new tf.Graph().asDefault(fn);
const { InvalidArgumentError } = tf.errors;

// ---------- an independent Summary reader ----------

const pb = protobuf.loadSync(join(root, 'schema', 'proto', 'summary.proto'));
const SummaryType = pb.lookupType('tensorflow.Summary');

interface Value {
  tag: string;
  simpleValue?: number;
  histo?: { min: number; max: number; num: number; sum: number; sumSquares: number; bucketLimit: number[]; bucket: number[] };
  image?: { height: number; width: number; colorspace: number; encodedImageString: Uint8Array };
  audio?: { sampleRate: number; numChannels: number; lengthFrames: number; encodedAudioString: Uint8Array; contentType: string };
  tensor?: { dtype: number; tensorShape?: { dim?: { size: number }[] }; stringVal?: Uint8Array[]; tensorContent?: Uint8Array };
  metadata?: { pluginData?: { pluginName?: string } };
}

/** Runs a summary op and decodes its string scalar as a tensorflow.Summary. */
function runSummary(sess: tf.Session, s: tf.Tensor, feed?: tf.FeedDict): Value[] {
  const out = sess.run(s, feed) as tf.NDArray;
  if (out.dtype !== 'string' || out.shape.length !== 0) throw new Error(`not a string scalar: ${out.dtype} [${out.shape}]`);
  const msg = SummaryType.decode(out.bytes[0]);
  return (SummaryType.toObject(msg, { longs: Number, enums: Number, defaults: false, arrays: true }) as { value: Value[] }).value;
}

function once(s: tf.Tensor, feed?: tf.FeedDict): Value[] {
  const sess = new tf.Session({ graph: s.graph });
  try {
    return runSummary(sess, s, feed);
  } finally {
    sess.close();
  }
}

// ---------- a PNG reader ----------

const CRC32 = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    table[i] = c >>> 0;
  }
  return (b: Uint8Array) => {
    let c = 0xffffffff;
    for (const x of b) c = table[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
})();

function decodePng(png: Uint8Array): { width: number; height: number; colorType: number; pixels: number[] } {
  const b = Buffer.from(png);
  if (!b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('PNG signature');
  let off = 8;
  const chunks: { type: string; data: Buffer }[] = [];
  while (off < b.length) {
    const len = b.readUInt32BE(off);
    const type = b.toString('latin1', off + 4, off + 8);
    if (b.readUInt32BE(off + 8 + len) !== CRC32(b.subarray(off + 4, off + 8 + len))) throw new Error(`bad CRC of ${type}`);
    chunks.push({ type, data: b.subarray(off + 8, off + 8 + len) });
    off += 12 + len;
  }
  if (chunks[0].type !== 'IHDR' || chunks[chunks.length - 1].type !== 'IEND') throw new Error('chunk order');
  const ihdr = chunks[0].data;
  const width = ihdr.readUInt32BE(0), height = ihdr.readUInt32BE(4), colorType = ihdr[9];
  if (ihdr[8] !== 8) throw new Error('bit depth');
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType as 0 | 2 | 4 | 6];
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const row = width * channels;
  if (raw.length !== (row + 1) * height) throw new Error('IDAT size');
  const pixels: number[] = [];
  for (let y = 0; y < height; y++) {
    if (raw[y * (row + 1)] !== 0) throw new Error('filter type');  // the encoder writes filter 0 only
    pixels.push(...raw.subarray(y * (row + 1) + 1, (y + 1) * (row + 1)));
  }
  return { width, height, colorType, pixels };
}

// ---------- scalar: values, tags, collections ----------

test('scalar: a float32 simple_value tagged with its name scope, in SUMMARIES', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const lr = tf.nameScope('train', () => tf.summary.scalar('lr', tf.constant(0.1, { dtype: 'float64' })));
    t.is(lr.op.type, 'ScalarSummary');
    t.is(lr.op.name, 'train/lr');
    t.is(lr.dtype, 'string');
    t.deepEqual(lr.shape.dims, []);
    t.is(lr.op.getAttr('T'), 'float64');
    t.deepEqual(tf.getCollection(tf.GraphKeys.SUMMARIES), [lr]);
    const v = once(lr);
    t.is(v.length, 1);
    t.is(v[0].tag, 'train/lr');
    t.is(v[0].simpleValue, Math.fround(0.1));
    // An int tensor becomes a float too.
    t.is(once(tf.summary.scalar('steps', tf.constant(7)))[0].simpleValue, 7);
  });
});

test('scalar: tags are uniquified case-insensitively; family and clean_tag as TF1', (t) => {
  inGraph(() => {
    const a = tf.summary.scalar('dup', 1);
    const b = tf.summary.scalar('dup', 2);
    tf.constant(3, { name: 'mse' });
    const c = tf.summary.scalar('MSE', 3);
    const f = tf.summary.scalar('x', 4, { family: 'fam' });
    const f2 = tf.summary.scalar('x', 5, { family: 'fam' });
    const bad = tf.summary.scalar('a b:c', 6);
    t.deepEqual([a, b, c, f, f2, bad].map((s) => s.op.name), ['dup', 'dup_1', 'MSE_1', 'fam/x', 'fam/x_1', 'a_b_c']);
    const merged = tf.summary.merge([a, b, c, f, f2, bad]);
    t.deepEqual(once(merged).map((v) => [v.tag, v.simpleValue]),
      [['dup', 1], ['dup_1', 2], ['MSE_1', 3], ['fam/fam/x', 4], ['fam/fam/x_1', 5], ['a_b_c', 6]]);
    // The tags are the ops' inputs: Consts in the summary's scope.
    t.is(a.op.inputs[0].op.name, 'dup/tags');
  });
});

test('scalar: collections option; a non-scalar value fails at run time', (t) => {
  inGraph(() => {
    const s = tf.summary.scalar('mine', 1, { collections: ['custom'] });
    t.deepEqual(tf.getCollection('custom'), [s]);
    t.deepEqual(tf.getCollection(tf.GraphKeys.SUMMARIES), []);
    t.deepEqual(tf.summary.scalar('none', 1, { collections: [] }).graph.getCollection(tf.GraphKeys.SUMMARIES), []);
    const v = tf.summary.scalar('vec', tf.constant([1, 2]));
    t.throws(() => once(v), { instanceOf: InvalidArgumentError, message: /tags and values are not the same shape: \[\] != \[2\] \(tag 'vec'\)/ });
    const p = tf.placeholder('float32');
    const fed = tf.summary.scalar('fed', p);
    t.is(once(fed, [[p, 2.5]])[0].simpleValue, 2.5);
  });
});

// ---------- histogram ----------

/** TF's default bucket limit k: 1e-12 * 1.1^k by repeated multiplication, as TF builds them. */
function limit(k: number): number {
  let v = 1e-12;
  for (let i = 0; i < k; i++) v *= 1.1;
  return v;
}

test('histogram: min, max, num, sum, sum_squares and collapsed buckets, hand-computed', (t) => {
  inGraph(() => {
    const h = tf.nameScope('layer', () => tf.summary.histogram('weights', tf.constant([[1, -1, 0], [2.5, 1, 1]])));
    t.is(h.op.type, 'HistogramSummary');
    t.is(h.op.name, 'layer/weights');
    const [v] = once(h);
    t.is(v.tag, 'layer/weights');
    const histo = v.histo!;
    t.is(histo.min, -1);
    t.is(histo.max, 2.5);
    t.is(histo.num, 6);
    t.is(histo.sum, 4.5);
    t.is(histo.sumSquares, 10.25);
    // 1e-12 * 1.1^k first exceeds 1 at k = 290 and 2.5 at k = 300.
    t.true(limit(289) < 1 && limit(290) > 1 && limit(299) < 2.5 && limit(300) > 2.5);
    t.true(Math.abs(limit(290) - 1.00897) < 1e-5);
    // Bucket i counts limit[i-1] <= v < limit[i]; a run of empty buckets becomes one bucket
    // whose limit is the run's last. 0 falls in [0, 1e-12); -1 in [-limit(290), -limit(289)).
    t.deepEqual(histo.bucketLimit,
      [-limit(290), -limit(289), 0, limit(0), limit(289), limit(290), limit(299), limit(300), Number.MAX_VALUE]);
    t.deepEqual(histo.bucket, [0, 1, 0, 1, 0, 3, 0, 1, 0]);
  });
});

test('histogram: empty input is one bucket; NaN and Inf fail; integer types', (t) => {
  inGraph(() => {
    const p = tf.placeholder('float32', { shape: [null] });
    const h = tf.summary.histogram('acts', p);
    const sess = new tf.Session();
    const [v] = runSummary(sess, h, [[p, new Float32Array(0)]]);
    t.is(v.histo!.num ?? 0, 0);
    t.deepEqual(v.histo!.bucketLimit, [Number.MAX_VALUE]);
    t.deepEqual(v.histo!.bucket ?? [0], [0]);
    t.throws(() => runSummary(sess, h, [[p, [1, NaN]]]), { instanceOf: InvalidArgumentError, message: /Nan in summary histogram for: acts/ });
    t.throws(() => runSummary(sess, h, [[p, [Infinity]]]), { instanceOf: InvalidArgumentError, message: /summary histogram for: acts/ });
    sess.close();
    const hi = tf.summary.histogram('ints', tf.constant([3, 3, -2], { dtype: 'int64' }));
    t.is(hi.op.getAttr('T'), 'int64');
    const histo = once(hi)[0].histo!;
    t.deepEqual([histo.num, histo.sum, histo.sumSquares, histo.min, histo.max], [3, 4, 22, -2, 3]);
    t.is(histo.bucket.reduce((a, b) => a + b, 0), 3);
  });
});

// ---------- image ----------

test('image: PNGs of the first maxOutputs images, tagged name/image/i', (t) => {
  inGraph(() => {
    const data = Array.from({ length: 2 * 2 * 3 * 3 }, (_, i) => (i * 7) % 256);
    const x = tf.constant(data, { dtype: 'uint8', shape: [2, 2, 3, 3] });
    const s = tf.summary.image('pics', x);
    t.is(s.op.getAttr('max_images'), 3);
    const vals = once(s);
    t.deepEqual(vals.map((v) => v.tag), ['pics/image/0', 'pics/image/1']);
    vals.forEach((v, i) => {
      t.deepEqual([v.image!.height, v.image!.width, v.image!.colorspace], [2, 3, 3]);
      const png = decodePng(v.image!.encodedImageString);
      t.deepEqual([png.width, png.height, png.colorType], [3, 2, 2]);
      t.deepEqual(png.pixels, data.slice(i * 18, (i + 1) * 18));
    });
    const one = once(tf.summary.image('first', x, { maxOutputs: 1 }));
    t.deepEqual(one.map((v) => v.tag), ['first/image']);
    t.throws(() => tf.summary.image('bad', x, { maxOutputs: 0 }), { instanceOf: InvalidArgumentError });
  });
});

test('image: float images are scaled to 0..255 as TF does; gray and RGBA', (t) => {
  inGraph(() => {
    // Non-negative: 255 / max, truncated. [1, 2, 2, 1] gray.
    const g = once(tf.summary.image('gray', tf.constant([0, 0.5, 1, 2], { shape: [1, 2, 2, 1] })))[0];
    const png = decodePng(g.image!.encodedImageString);
    t.is(png.colorType, 0);
    t.deepEqual(png.pixels, [0, 63, 127, 255]);
    // Some negative: 127 / max|v| around 128. [1, 1, 2, 4] RGBA.
    const c = once(tf.summary.image('rgba', tf.constant([-2, 0, 1, 2, -1, 0.5, 0, 0], { shape: [1, 1, 2, 4] })))[0];
    const rgba = decodePng(c.image!.encodedImageString);
    t.is(rgba.colorType, 6);
    t.deepEqual(rgba.pixels, [1, 128, 191, 255, 64, 159, 128, 128]);
    const bad = tf.summary.image('bad', tf.zeros([1, 2, 2, 2]));
    t.throws(() => once(bad), { instanceOf: InvalidArgumentError, message: /Tensor must be 4-D with last dim 1, 3, or 4, not \[1,2,2,2\]/ });
  });
});

// ---------- audio ----------

test('audio: 16-bit WAV clips tagged name/audio/i', (t) => {
  inGraph(() => {
    const clip = tf.constant([[0, 0.5, -0.25, 1], [0, 0, 0, 0]]);
    const s = tf.summary.audio('voice', clip, 16000, { maxOutputs: 5 });
    t.is(s.op.type, 'AudioSummaryV2');
    t.is(s.op.getAttr('max_outputs'), 5);
    const vals = once(s);
    t.deepEqual(vals.map((v) => v.tag), ['voice/audio/0', 'voice/audio/1']);
    const a = vals[0].audio!;
    t.deepEqual([a.sampleRate, a.numChannels, a.lengthFrames, a.contentType], [16000, 1, 4, 'audio/wav']);
    const wav = Buffer.from(a.encodedAudioString);
    t.is(wav.toString('latin1', 0, 4), 'RIFF');
    t.is(wav.toString('latin1', 8, 16), 'WAVEfmt ');
    t.is(wav.readUInt32LE(24), 16000);
    t.is(wav.readUInt16LE(34), 16);
    t.is(wav.readUInt32LE(40), 8);
    t.deepEqual([0, 1, 2, 3].map((i) => wav.readInt16LE(44 + 2 * i)), [0, 16384, -8192, 32767]);
  });
});

// ---------- text ----------

test('text: a tensor summary with plugin_name text', (t) => {
  inGraph(() => {
    const s = tf.summary.text('notes', tf.constant(['# hello', '*world*']));
    t.is(s.op.type, 'TensorSummaryV2');
    t.is(s.op.name, 'notes');
    t.deepEqual(tf.getCollection(tf.GraphKeys.SUMMARIES), [s]);
    const [v] = once(s);
    t.is(v.tag, 'notes');
    t.is(v.metadata?.pluginData?.pluginName, 'text');
    t.is(v.tensor!.dtype, 7);  // DT_STRING
    t.deepEqual(v.tensor!.tensorShape!.dim!.map((d) => d.size), [2]);
    t.deepEqual(v.tensor!.stringVal!.map((b) => Buffer.from(b).toString()), ['# hello', '*world*']);
    // A JS string is a string scalar; numbers are no text.
    const [w] = once(tf.summary.text('one', 'just this'));
    t.deepEqual(w.tensor!.stringVal!.map((b) => Buffer.from(b).toString()), ['just this']);
    t.throws(() => tf.summary.text('num', tf.constant(1)), { instanceOf: InvalidArgumentError, message: /dtype string/ });
  });
});

// ---------- merge / mergeAll ----------

test('merge and mergeAll: values in order; duplicate tags fail; undefined when empty', (t) => {
  inGraph(() => {
    t.is(tf.summary.mergeAll(), undefined);
    const a = tf.summary.scalar('a', 1);
    const h = tf.summary.histogram('h', [1, 2]);
    const other = tf.summary.scalar('other', 3, { collections: ['extra'] });
    const m = tf.summary.merge([a, h]);
    t.is(m.op.name, 'Merge/MergeSummary');
    t.is(m.op.getAttr('N'), 2);
    t.deepEqual(tf.getCollection(tf.GraphKeys.SUMMARIES), [a, h]);  // merge adds itself to none
    t.deepEqual(once(m).map((v) => v.tag), ['a', 'h']);
    const all = tf.summary.mergeAll()!;
    t.is(all.op.type, 'MergeSummary');
    t.is(all.op.name, 'Merge_1/MergeSummary');
    t.deepEqual(once(all).map((v) => v.tag), ['a', 'h']);
    t.deepEqual(once(tf.summary.mergeAll({ key: 'extra', name: 'ex' })!).map((v) => v.tag), ['other']);
    t.is(tf.summary.mergeAll({ key: 'nothing' }), undefined);
    const named = tf.summary.merge([other], { name: 'mine', collections: ['merged'] });
    t.is(named.op.name, 'mine/mine');
    t.deepEqual(tf.getCollection('merged'), [named]);
    const dup = tf.summary.merge([a, a]);
    t.throws(() => once(dup), { instanceOf: InvalidArgumentError, message: /Duplicate tag a found in summary inputs/ });
    t.throws(() => tf.summary.merge([]), { instanceOf: InvalidArgumentError });
  });
});

test('merge: malformed inputs are InvalidArgument, never a crash', (t) => {
  inGraph(() => {
    const p = tf.placeholder('string');
    const m = tf.summary.merge([p]);
    const sess = new tf.Session();
    for (const bad of [[0x0a, 0xff], [0x0f], [0x0a, 0x05, 0x0a], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]]) {
      t.throws(() => sess.run(m, [[p, new tf.NDArray('string', [], [new Uint8Array(bad)])]]),
        { instanceOf: InvalidArgumentError, message: /Could not parse one of the summary inputs/ });
    }
    t.deepEqual(runSummary(sess, m, [[p, '']]), []);
    sess.close();
  });
});

// ---------- the input pipelines' summaries ----------

test('input producers and batching add their fullness summaries', (t) => {
  inGraph(() => {
    tf.train.stringInputProducer(['a', 'b', 'c'], { shuffle: false });
    tf.train.batch([tf.constant(1)], { batchSize: 2 });
    tf.train.shuffleBatch([tf.constant(2)], { batchSize: 2, capacity: 10, minAfterDequeue: 4 });
    const sums = tf.getCollection<tf.Tensor>(tf.GraphKeys.SUMMARIES);
    t.deepEqual(sums.map((s) => s.op.name),
      ['input_producer/fraction_of_32_full', 'batch/fraction_of_32_full', 'shuffle_batch/fraction_over_4_of_6_full']);
    // Fill the queues by running their enqueue ops by hand: 3 file names, 4 and 6 examples.
    const runners = tf.getCollection<tf.train.QueueRunner>(tf.GraphKeys.QUEUE_RUNNERS);
    const sess = new tf.Session();
    sess.run(runners[0].enqueueOps[0]);
    for (let i = 0; i < 4; i++) sess.run(runners[1].enqueueOps[0]);
    for (let i = 0; i < 6; i++) sess.run(runners[2].enqueueOps[0]);
    const merged = runSummary(sess, tf.summary.mergeAll()!);
    t.deepEqual(merged.map((v) => v.tag), sums.map((s) => s.op.name));
    t.deepEqual(merged.map((v) => v.simpleValue ?? 0), [Math.fround(3 / 32), Math.fround(4 / 32), Math.fround(2 / 6)]);
    sess.close();
  });
});

// FileWriter accepts what the ops produce (its own tests cover the file format).
test('summary op output goes to FileWriter.addSummary as is', (t) => {
  inGraph(() => {
    const s = tf.summary.scalar('loss', 0.5);
    const sess = new tf.Session();
    const w = new tf.summary.FileWriter(mkdtempSync(join(tmpdir(), 'tg-summary-ops-')));
    w.addSummary(sess.run(s) as tf.NDArray, 1);
    w.close();
    sess.close();
    t.pass();
  });
});
