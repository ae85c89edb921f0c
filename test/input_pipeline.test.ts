// tf.train input pipelines: limitEpochs/CountUpTo, producers (names, epochs, OutOfRange),
// batching, a synchronous consumer fed by native runner threads, and the whole-pipeline
// guarantee (every record exactly numEpochs times) through readers.
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from 'tensorgraph';

const { FailedPreconditionError, InvalidArgumentError, OutOfRangeError } = tf.errors;

function strings(a: tf.NDArray): string[] {
  return a.data as string[];
}

// Dequeues until OutOfRangeError; returns the values seen.
function drain(sess: tf.Session, t: tf.Tensor, max = 10000): number[] | string[] {
  const out: (number | string)[] = [];
  for (let i = 0; i < max; i++) {
    let v: tf.NDArray;
    try {
      v = sess.run(t);
    } catch (e) {
      if (e instanceof OutOfRangeError) return out as number[] | string[];
      throw e;
    }
    out.push(...(v.dtype === 'string' ? strings(v) : Array.from(v.data as ArrayLike<number>, Number)));
  }
  throw new Error('the pipeline did not end');
}

function counts(values: readonly (string | number)[]): Map<string | number, number> {
  const m = new Map<string | number, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

test('limitEpochs: a local int64 counter lets the tensor be read numEpochs times, then OutOfRange', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.train.limitEpochs(tf.constant([1, 2]), 2);
    t.is(x.op.name, 'limit_epochs');
    const local = tf.localVariables();
    t.deepEqual(local.map((v) => v.op.name), ['limit_epochs/epochs']);
    t.is(local[0].dtype, 'int64');
    t.deepEqual(tf.globalVariables(), []);
    t.is(g.getOperationByName('limit_epochs/CountUpTo')?.type, 'CountUpTo');
    const sess = new tf.Session();
    t.throws(() => sess.run(x), { instanceOf: FailedPreconditionError, message: /Attempting to use uninitialized value limit_epochs\/epochs/ });
    sess.run(tf.localVariablesInitializer());
    t.deepEqual(sess.run(x).toArray(), [1, 2]);
    t.deepEqual(sess.run(x).toArray(), [1, 2]);
    t.throws(() => sess.run(x), { instanceOf: OutOfRangeError, message: /Reached limit of 2/ });
    t.is(Number(sess.run(local[0]).item()), 2);
    sess.close();
    t.is(tf.train.limitEpochs(x, null), x);
    t.throws(() => tf.train.limitEpochs(x, 0), { instanceOf: InvalidArgumentError, message: 'num_epochs must be > 0 not 0.' });
  });
});

test('countUpTo returns the old value and increments an int32 variable', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable(3, { name: 'v' });
    const c = tf.countUpTo(v, 5);
    const sess = new tf.Session();
    sess.run(v.initializer);
    t.is(sess.run(c).item(), 3);
    t.is(sess.run(c).item(), 4);
    t.throws(() => sess.run(c), { instanceOf: OutOfRangeError, message: /Reached limit of 5/ });
    t.is(sess.run(v).item(), 5);
    sess.close();
  });
});

test('stringInputProducer of an empty list is a construction error', (t) => {
  new tf.Graph().asDefault(() => {
    t.throws(() => tf.train.stringInputProducer([]), { instanceOf: InvalidArgumentError, message: 'string_input_producer requires a non-null input tensor' });
  });
});

// ---------- the tests below need the queue ops and kernels ----------

test('a runner fills a FIFOQueue that a synchronous sess.run loop on the JS thread drains', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable(0, { name: 'v' });
    const q = new tf.FIFOQueue(2, ['int32'], { shapes: [[]], name: 'q' });
    const enq = q.enqueue([tf.countUpTo(v, 100)]);
    const qr = new tf.train.QueueRunner(q, [enq]);
    const x = q.dequeue() as tf.Tensor;
    const sess = new tf.Session();
    sess.run(tf.globalVariablesInitializer());
    const coord = new tf.train.Coordinator();
    const threads = qr.createThreads(sess, { coord, start: true });
    t.deepEqual(threads.map((th) => th.name), ['QueueRunnerThread-q-q_enqueue', 'QueueRunnerThread-q-close_on_stop']);
    // Capacity 2: the runner blocks while full and the JS thread while empty, 100 times over.
    t.deepEqual(drain(sess, x), Array.from({ length: 100 }, (_, i) => i));
    coord.requestStop();
    coord.join(threads);
    sess.close();
  });
});

test('stringInputProducer: TF names, each file name exactly numEpochs times, then OutOfRangeError', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const files = ['a.csv', 'b.csv', 'c.csv'];
    const q = tf.train.stringInputProducer(files, { numEpochs: 3, seed: 7 });
    t.is(q.name, 'input_producer');
    t.deepEqual(tf.localVariables().map((v) => v.op.name), ['input_producer/limit_epochs/epochs']);
    const runners = g.getCollection<tf.train.QueueRunner>(tf.GraphKeys.QUEUE_RUNNERS);
    t.is(runners.length, 1);
    t.is(runners[0].name, 'input_producer');
    const name = q.dequeue() as tf.Tensor;
    const sess = new tf.Session();
    sess.run([tf.globalVariablesInitializer(), tf.localVariablesInitializer()]);
    const coord = new tf.train.Coordinator();
    const threads = tf.train.startQueueRunners({ sess, coord });
    t.deepEqual(threads.map((th) => th.name), [
      'QueueRunnerThread-input_producer-input_producer/input_producer_EnqueueMany',
      'QueueRunnerThread-input_producer-close_on_stop']);
    const seen = drain(sess, name) as string[];
    t.is(seen.length, 9);
    t.deepEqual([...counts(seen)].sort(), [['a.csv', 3], ['b.csv', 3], ['c.csv', 3]]);
    // Each epoch is a permutation of the list.
    for (let e = 0; e < 3; e++) t.deepEqual([...seen.slice(3 * e, 3 * e + 3)].sort(), files);
    coord.requestStop();
    coord.join(threads);
    sess.close();
  });
});

test('stringInputProducer without shuffle keeps the order; without localVariablesInitializer join throws FailedPrecondition', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const q = tf.train.stringInputProducer(['x', 'y'], { numEpochs: 2, shuffle: false });
    const name = q.dequeue() as tf.Tensor;
    const sess = new tf.Session();
    const coord = new tf.train.Coordinator();
    let threads = tf.train.startQueueRunners({ sess, coord });
    // The runner fails; the close-on-stop thread closes the queue, so the consumer ends too.
    t.throws(() => sess.run(name), { instanceOf: OutOfRangeError });
    t.throws(() => coord.join(threads), {
      instanceOf: FailedPreconditionError, message: /Attempting to use uninitialized value input_producer\/limit_epochs\/epochs/ });
    sess.close();

    const s2 = new tf.Session();
    s2.run(tf.localVariablesInitializer());
    const c2 = new tf.train.Coordinator();
    threads = tf.train.startQueueRunners({ sess: s2, coord: c2 });
    t.deepEqual(drain(s2, name), ['x', 'y', 'x', 'y']);
    c2.requestStop();
    c2.join(threads);
    s2.close();
  });
});

test('sliceInputProducer + batch with allowSmallerFinalBatch: batches in order, the short last one, then OutOfRange', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const xs = tf.constant(Array.from({ length: 10 }, (_, i) => i));
    const ys = tf.constant(Array.from({ length: 10 }, (_, i) => 10 * i));
    const [x, y] = tf.train.sliceInputProducer([xs, ys], { numEpochs: 1, shuffle: false });
    const [bx, by] = tf.train.batch([x, y], { batchSize: 4, allowSmallerFinalBatch: true });
    t.is(bx.name, 'batch:0');
    t.deepEqual(bx.shape.dims, [null]);
    t.is(g.getOperationByName('batch/fifo_queue')?.type, 'FIFOQueueV2');
    const sess = new tf.Session();
    sess.run(tf.localVariablesInitializer());
    const coord = new tf.train.Coordinator();
    const threads = tf.train.startQueueRunners({ sess, coord });
    const got: number[][] = [];
    for (;;) {
      try {
        const [a, b] = sess.run([bx, by]);
        got.push(a.toArray() as number[]);
        t.deepEqual(b.toArray(), (a.toArray() as number[]).map((v) => 10 * v));
      } catch (e) {
        t.true(e instanceof OutOfRangeError);
        break;
      }
    }
    t.deepEqual(got, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    coord.requestStop();
    coord.join(threads);
    sess.close();
  });
});

test('shuffleBatch: TF names and shapes, every example once per epoch; construction errors', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const i = tf.train.rangeInputProducer(12, { numEpochs: 2, shuffle: false }).dequeue() as tf.Tensor;
    const b = tf.train.shuffleBatch([i], 3, 10, 4, { seed: 1 }) as tf.Tensor;
    t.is(b.name, 'shuffle_batch:0');
    t.deepEqual(b.shape.dims, [3]);
    t.is(g.getOperationByName('shuffle_batch/random_shuffle_queue')?.type, 'RandomShuffleQueueV2');
    // (In a graph of its own: its runner would take elements from the same producer.)
    new tf.Graph().asDefault(() => {
      const j = tf.constant(1);
      const obj = tf.train.shuffleBatch({ a: j, b: j.mul(2) }, { batchSize: 2, capacity: 8, minAfterDequeue: 2 });
      t.deepEqual(Object.keys(obj).sort(), ['a', 'b']);
    });

    t.throws(() => tf.train.shuffleBatch([i], 2, 5, 5), { message: 'capacity 5 must be bigger than min_after_dequeue 5.' });
    const unknown = tf.placeholder('float32', { shape: [null] });
    t.throws(() => tf.train.batch([unknown], 2), { message: /All shapes must be fully defined/ });
    const noRank = tf.placeholder('float32');
    t.throws(() => tf.train.batch([noRank], 2), { message: /Cannot infer Tensor's rank/ });

    const sess = new tf.Session();
    sess.run(tf.localVariablesInitializer());
    const coord = new tf.train.Coordinator();
    const threads = tf.train.startQueueRunners({ sess, coord });
    // 24 examples in batches of 3: 8 full batches, then the queue (below minAfterDequeue
    // only once closed) runs dry.
    const seen = drain(sess, b) as number[];
    t.is(seen.length, 24);
    t.deepEqual([...counts(seen).values()], new Array(12).fill(2));
    coord.requestStop();
    coord.join(threads, { stopGracePeriodSecs: 5 });
    sess.close();
  });
});

test('N files x numEpochs through two reader threads (batchJoin): every line exactly numEpochs times', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-pipeline-'));
  const files: string[] = [];
  const lines: string[] = [];
  for (let f = 0; f < 4; f++) {
    const path = join(dir, `part-${f}.txt`);
    const mine = Array.from({ length: 5 }, (_, i) => `f${f}-l${i}`);
    writeFileSync(path, mine.join('\n') + '\n');
    files.push(path);
    lines.push(...mine);
  }
  const g = new tf.Graph();
  g.asDefault(() => {
    const q = tf.train.stringInputProducer(files, { numEpochs: 3 });
    const examples = [0, 1].map(() => {
      const [, value] = new tf.TextLineReader().read(q);
      return [value];
    });
    const b = tf.train.batchJoin(examples, { batchSize: 7, allowSmallerFinalBatch: true }) as tf.Tensor;
    const sess = new tf.Session();
    sess.run(tf.localVariablesInitializer());
    const coord = new tf.train.Coordinator();
    const threads = tf.train.startQueueRunners({ sess, coord });
    const seen = drain(sess, b) as string[];
    t.is(seen.length, 60);
    const c = counts(seen);
    t.is(c.size, 20);
    for (const l of lines) t.is(c.get(l), 3, l);
    coord.requestStop();
    coord.join(threads);
    sess.close();
  });
});
