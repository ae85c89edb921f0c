// Input pipeline throughput against TF1 (graph mode), side by side (issue 10).
//   npx tsx bench/pipeline.ts [--threads N] [--inter-op N] [--seconds S] [--rounds R]
//                             [--files K] [--records N] [--warmup N] [--peers tf1|none]
//                             [--no-install] [--profile]
// K TFRecord files (default 4) of N records each (default 10,000), every record a serialized
// tf.train.Example {image: 784 floats, label: int64}, are written once by tensorgraph's
// tf.io.TFRecordWriter into a temp dir that both frameworks read. The pipeline, the same in
// both: stringInputProducer(files) (no epoch limit) -> TFRecordReader.read ->
// parseSingleExample -> cast label to int32 -> shuffleBatch(batch 128, capacity 2000,
// minAfterDequeue 1000, numThreads 2), run by QueueRunners under a Coordinator. Measured per
// round, in a fresh session, in this order:
//   records/s  the consumer fetches (images, labels) batches for --seconds after --warmup
//              batches; records/s = batches * 128 / time;
//   queue-fed  steps/s of the 784-300-100-10 MLP of bench/train.ts trained from the batches
//              (its inputs are placeholderWithDefault(batch));
//   feed-fed   steps/s of the same train op with X and y fed from pre-built batches (the
//              dequeue is pruned; the queue is full and its threads wait).
// The frameworks take turns, --rounds times, and each one's best round counts. Threads as in
// bench/train.ts. Prints ours and TF1 side by side with ours/TF1 and queue-fed/feed-fed ratios.
// --profile: afterwards, for tensorgraph, where a consumer step and a queue-fed training step
// spend their time (step stats), and, for both frameworks, the reader alone without the
// shuffle queue (readUpTo 128 per run, then readUpTo + parseExample, then one read +
// parseSingleExample per run).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeedDict, Operation, Session, train } from 'tensorgraph';
import {
  type Peer, fmt, parseOptions, preparePeers, printTable, profileOps, ratio, rng, runPeerScript, selectPeers,
  setThreadEnv, timeSteps,
} from './common.js';

// ---------- options ----------

const o = parseOptions('bench/pipeline.ts', process.argv.slice(2), ['no-install', 'profile']);
const { flags, posInt, threads, interOp, rounds, seconds } = o;
const nFiles = posInt('files', 4);
const nRecords = posInt('records', 10000);
const warmup = posInt('warmup', 20);
const BATCH = 128;
const N_PIXELS = 784;

setThreadEnv(threads);
const tf = await import('tensorgraph');

// ---------- the records ----------

// A tf.train.Example in protobuf wire format: Example{features(1): Features{feature(1):
// map entry{key(1), value(2): Feature{float_list(2) | int64_list(3): {value(1), packed}}}}}.
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
/** A length-delimited field: tag, length, body. */
const field = (num: number, ...body: Uint8Array[]): Uint8Array => {
  const len = body.reduce((s, b) => s + b.length, 0);
  return Buffer.concat([Uint8Array.from([...varint((num << 3) | 2), ...varint(len)]), ...body]);
};
const entry = (key: string, feature: Uint8Array) => field(1, field(1, Buffer.from(key, 'utf8')), field(2, feature));
function example(image: Float32Array, label: number): Uint8Array {
  const floats = field(2, field(1, new Uint8Array(image.buffer, image.byteOffset, image.byteLength)));
  const ints = field(3, field(1, Uint8Array.from(varint(label))));
  return field(1, entry('image', floats), entry('label', ints));
}

/** Writes the K files; what file 0's first record holds, to check the peer reads it alike. */
function writeRecords(dir: string): { files: string[]; label0: number; sum0: number } {
  const r = rng(1234);
  const files = Array.from({ length: nFiles }, (_, k) => join(dir, `pipeline-${k}-of-${nFiles}.tfrecord`));
  let label0 = -1;
  let sum0 = 0;
  const image = new Float32Array(N_PIXELS);
  for (const [k, f] of files.entries()) {
    const w = new tf.io.TFRecordWriter(f);
    for (let i = 0; i < nRecords; i++) {
      for (let p = 0; p < N_PIXELS; p++) image[p] = r();
      const label = Math.floor(r() * 10);
      if (k === 0 && i === 0) {
        label0 = label;
        sum0 = image.reduce((s, v) => s + v, 0);
      }
      w.write(example(image, label));
    }
    w.close();
  }
  return { files, label0, sum0 };
}

// ---------- tensorgraph ----------

/** The pipeline and the MLP of bench/train.ts on top of it, in a graph of their own. */
function buildGraph(files: string[]) {
  const graph = new tf.Graph();
  return graph.asDefault(() => {
    const features = { image: tf.io.FixedLenFeature([N_PIXELS], 'float32'), label: tf.io.FixedLenFeature([], 'int64') };
    const [images, labels] = tf.nameScope('input', () => {
      const fileQueue = tf.train.stringInputProducer(files, { seed: 42 });
      const [, serialized] = new tf.TFRecordReader().read(fileQueue);
      const ex = tf.parseSingleExample(serialized, features);
      return tf.train.shuffleBatch([ex.image, tf.cast(ex.label, 'int32')], {
        batchSize: BATCH, capacity: 2000, minAfterDequeue: 1000, numThreads: 2, seed: 7,
      });
    });
    const X = tf.placeholderWithDefault(images, [null, N_PIXELS], { name: 'X' });
    const y = tf.placeholderWithDefault(labels, [null], { name: 'y' });
    const h1 = tf.layers.dense(X, 300, { activation: tf.nn.relu, name: 'hidden1' });
    const h2 = tf.layers.dense(h1, 100, { activation: tf.nn.relu, name: 'hidden2' });
    const logits = tf.layers.dense(h2, 10, { name: 'outputs' });
    const loss = tf.reduceMean(tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits }));
    const trainOp = new tf.train.GradientDescentOptimizer(0.01).minimize(loss);
    const init = [tf.globalVariablesInitializer(), tf.localVariablesInitializer()];
    return { graph, images, labels, X, y, trainOp, init, features };
  });
}
type Built = ReturnType<typeof buildGraph>;

interface Rates {
  records_per_s: number;
  /** Cores busy (process CPU time / wall time) while records/s was measured, warm-up included. */
  records_cores?: number;
  queue_steps_per_s: number;
  feed_steps_per_s: number;
}

const config = () => new tf.ConfigProto({ intraOpParallelismThreads: threads, interOpParallelismThreads: interOp });

/** Random-but-fixed feed batches, as bench/train.ts's (4 rotated over). */
function feedBatches(): { xs: Float32Array[]; ys: Int32Array[] } {
  const r = rng(42);
  const xs = Array.from({ length: 4 }, () => Float32Array.from({ length: BATCH * N_PIXELS }, r));
  const ys = Array.from({ length: 4 }, () => Int32Array.from({ length: BATCH }, () => Math.floor(r() * 10)));
  return { xs, ys };
}

/** A session with the runners started; `fn` runs with it, then the runners stop and join. */
function withPipeline<T>(b: Built, fn: (sess: Session) => T): T {
  const sess = new tf.Session({ graph: b.graph, config: config() });
  try {
    sess.run(b.init);
    const coord = new tf.train.Coordinator();
    const runners = b.graph.asDefault(() => tf.train.startQueueRunners({ sess, coord }));
    try {
      return fn(sess);
    } finally {
      coord.requestStop();
      coord.join(runners);
    }
  } finally {
    sess.close();
  }
}

/** One round of the three measurements, in a fresh session. */
function oursRound(b: Built, feeds: { xs: Float32Array[]; ys: Int32Array[] }, check: boolean): Rates {
  return withPipeline(b, (sess) => {
    if (check) {
      // The parsed batch holds what was written: pixels in [0, 1), labels 0..9.
      const [im, lb] = sess.run([b.images, b.labels]);
      const px = Array.from(im.data as Float32Array);
      const ls = Array.from(lb.data as Int32Array);
      if (px.length !== BATCH * N_PIXELS || px.some((v) => !(v >= 0 && v < 1)) || ls.some((v) => !(v >= 0 && v <= 9))) {
        throw new Error('tensorgraph parsed records that do not hold what was written');
      }
    }
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const records = BATCH * timeSteps(() => sess.run([b.images, b.labels]), warmup, seconds);
    const used = process.cpuUsage(cpu0);
    const records_cores = (used.user + used.system) / 1000 / (performance.now() - t0);
    const queue = timeSteps(() => sess.run(b.trainOp), warmup, seconds);
    const feed: FeedDict[] = feeds.xs.map((x, i) => [[b.X, x], [b.y, feeds.ys[i]!]]);
    const fed = timeSteps((i) => sess.run(b.trainOp, feed[i % feed.length]!), warmup, seconds);
    return { records_per_s: records, records_cores, queue_steps_per_s: queue, feed_steps_per_s: fed };
  });
}

/** --profile: step stats of the consumer and of a queue-fed step, then the reader stages. */
function oursProfile(b: Built, files: string[], best: Rates): void {
  const trace = { traceLevel: tf.TraceLevel.FULL_TRACE };
  withPipeline(b, (sess) => {
    for (let i = 0; i < warmup; i++) sess.run([b.images, b.labels]);
    profileOps('consumer dequeue (tensorgraph)', b.graph, (_i, md) => sess.run([b.images, b.labels], undefined, trace, md), best.records_per_s / BATCH);
    // A producer step run from JS while the runners go on (the queue holds ~minAfterDequeue then).
    const qr = b.graph.getCollection<train.QueueRunner>(tf.GraphKeys.QUEUE_RUNNERS).find((q) => q.enqueueOps[0]!.name.includes('shuffle_batch'))!;
    profileOps('producer step: read, parse, cast, enqueue (tensorgraph; per thread rate)', b.graph,
      (_i, md) => sess.run(qr.enqueueOps[0]!, undefined, trace, md), best.records_per_s / 2);
    profileOps('queue-fed training step (tensorgraph)', b.graph, (_i, md) => sess.run(b.trainOp, undefined, trace, md), best.queue_steps_per_s);
  });
  console.log('reader stages (tensorgraph), no shuffle queue, records/s:');
  for (const [name, rate] of Object.entries(oursStages(files, b.features))) console.log(`  ${name.padEnd(40)} ${rate.toFixed(0).padStart(8)}`);
}

/** Records/s of the reader alone: readUpTo(128), readUpTo + parseExample, read + parseSingleExample. */
function oursStages(files: string[], features: Built['features']): Record<string, number> {
  const graph = new tf.Graph();
  const t = graph.asDefault(() => {
    const q = tf.train.stringInputProducer(files, { seed: 42 });
    const [, many] = new tf.TFRecordReader().readUpTo(q, BATCH);
    const parsedMany = tf.parseExample(many, features);
    const [, one] = new tf.TFRecordReader().read(q);
    const parsedOne = tf.parseSingleExample(one, features);
    return { many, parsedMany: parsedMany.image!, parsedOne: parsedOne.image! };
  });
  const sess = new tf.Session({ graph, config: config() });
  graph.asDefault(() => sess.run(tf.localVariablesInitializer()));
  const coord = new tf.train.Coordinator();
  const runners = graph.asDefault(() => tf.train.startQueueRunners({ sess, coord }));
  // The ops run as targets: nothing is fetched into JS.
  const rate = (targets: Operation[], perRun: number) => perRun * timeSteps(() => sess.run(targets), warmup, Math.min(seconds, 3));
  const out = {
    'readUpTo(128) per run': rate([t.many.op], BATCH),
    'readUpTo(128) + parseExample per run': rate([t.parsedMany.op], BATCH),
    'read + parseSingleExample per run': rate([t.parsedOne.op], 1),
  };
  coord.requestStop();
  coord.join(runners);
  sess.close();
  return out;
}

// ---------- TF1 ----------

const peerList: Peer<'tf1'>[] = [{ key: 'tf1', label: 'TF1', module: 'tensorflow', script: 'tf1_pipeline.py' }];
selectPeers(peerList, o);

interface PeerResult extends Rates {
  check?: { count0: number; label0: number; sum0: number };
  stages?: Record<string, number>;
}

function runTf1(p: Peer, files: string[], extra: string[]): PeerResult | undefined {
  const args = ['--files', ...files, '--batch', String(BATCH), '--threads', String(threads), '--inter-op', String(interOp),
    '--seconds', String(seconds), '--warmup', String(warmup), ...extra];
  return runPeerScript<PeerResult>(p, args, o, 'the pipeline', 3 * seconds + 300);
}

// ---------- main ----------

preparePeers(peerList, o);
const tf1 = peerList[0]!;
console.log(`input pipeline, ${nFiles} x ${nRecords} records, batch ${BATCH}, ${threads} threads (inter-op ${interOp}), ` +
  `OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY} GOMP_SPINCOUNT=${process.env.GOMP_SPINCOUNT}, best of ${rounds} rounds of ${seconds} s after ${warmup} warm-up batches`);
console.log(`  tensorgraph (addon ${process.env.TENSORGRAPH_NATIVE ?? 'build/Release'})`);
console.log(`  TF1: ${tf1.skip ? `SKIPPED: ${tf1.skip}` : tf1.version}`);

const dir = mkdtempSync(join(tmpdir(), 'tg-bench-pipeline-'));
try {
  const t0 = performance.now();
  const written = writeRecords(dir);
  console.log(`  wrote ${nFiles * nRecords} records in ${((performance.now() - t0) / 1000).toFixed(1)} s to ${dir}`);

  const built = buildGraph(written.files);
  const feeds = feedBatches();
  const keys = ['records_per_s', 'queue_steps_per_s', 'feed_steps_per_s'] as const;
  const best = { ours: { records_per_s: 0, queue_steps_per_s: 0, feed_steps_per_s: 0 } as Rates, tf1: undefined as Rates | undefined };
  const keepBest = (into: Rates, got: Rates) => { for (const k of keys) into[k] = Math.max(into[k], got[k]); };
  const show = (r: Rates | undefined) => (r ? `${fmt(r.records_per_s, 0)} rec/s (${fmt(r.records_cores, 2)} cores busy), ${fmt(r.queue_steps_per_s)} / ${fmt(r.feed_steps_per_s)} steps/s` : '-');
  for (let r = 1; r <= rounds; r++) {
    const ours = oursRound(built, feeds, r === 1);
    keepBest(best.ours, ours);
    let got: PeerResult | undefined;
    if (!tf1.skip) {
      got = runTf1(tf1, written.files, r === 1 ? ['--check'] : []);
      const c = got?.check;
      if (c && (c.count0 !== nRecords || c.label0 !== written.label0 || Math.abs(c.sum0 - written.sum0) > 1e-3 * N_PIXELS)) {
        console.error(`  TF1 read file 0 differently: ${JSON.stringify(c)}, wrote count ${nRecords}, label ${written.label0}, sum ${written.sum0}`);
        tf1.skip = 'it does not read the records as written';
        got = undefined;
      } else if (c) {
        console.error(`  TF1 reads the records as written (file 0: ${c.count0} records, first label ${c.label0}, pixel sum ${c.sum0.toFixed(3)})`);
      }
      if (got) keepBest((best.tf1 ??= { records_per_s: 0, queue_steps_per_s: 0, feed_steps_per_s: 0 }), got);
    }
    console.error(`round ${r}/${rounds}: ours ${show(ours)}; TF1 ${show(got)}`);
  }

  if (flags.has('profile')) {
    oursProfile(built, written.files, best.ours);
    if (!tf1.skip) {
      const st = runTf1(tf1, written.files, ['--stages'])?.stages;
      if (st) {
        console.log('reader stages (TF1), no shuffle queue, records/s:');
        for (const [name, rate] of Object.entries(st)) console.log(`  ${name.padEnd(40)} ${rate.toFixed(0).padStart(8)}`);
      }
    }
  }

  const t = best.tf1;
  console.log('');
  printTable(['measure', 'ours', 'TF1', 'ours/TF1'], [
    ['pipeline records/s', fmt(best.ours.records_per_s, 0), fmt(t?.records_per_s, 0), ratio(best.ours.records_per_s, t?.records_per_s)],
    ['MLP b128 queue-fed steps/s', fmt(best.ours.queue_steps_per_s), fmt(t?.queue_steps_per_s), ratio(best.ours.queue_steps_per_s, t?.queue_steps_per_s)],
    ['MLP b128 feed-fed steps/s', fmt(best.ours.feed_steps_per_s), fmt(t?.feed_steps_per_s), ratio(best.ours.feed_steps_per_s, t?.feed_steps_per_s)],
    ['queue-fed/feed-fed', ratio(best.ours.queue_steps_per_s, best.ours.feed_steps_per_s), ratio(t?.queue_steps_per_s, t?.feed_steps_per_s), '-'],
  ]);
  console.log('(best round of each; ours/TF1 > 1: tensorgraph is faster; queue-fed/feed-fed >= 1: the pipeline keeps up; -: skipped or failed)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
