// Soak: a native QueueRunner thread enqueues 100,000 int64 counters (CountUpTo, one step per
// element) into a FIFOQueue of capacity 100 while the JS thread takes them with sync
// dequeueMany(100) runs. Every element arrives exactly once and in order; memory stays flat.
import test from 'ava';
import * as tf from 'tensorgraph';

const N = 100_000;
const BATCH = 100;

test('100,000 counters through a capacity-100 FIFOQueue: each once, in order, flat RSS', (t) => {
  const g = new tf.Graph();
  const { q, counter, batch, qr } = g.asDefault(() => {
    const counter = new tf.Variable(0, { name: 'counter', dtype: 'int64' });
    const q = new tf.FIFOQueue(100, 'int64', { shapes: [[]], name: 'soak_q' });
    const enq = q.enqueue(tf.countUpTo(counter, N));  // the old value: 0, 1, ..., N-1
    const qr = new tf.train.QueueRunner(q, [enq]);
    return { q, counter, batch: q.dequeueMany(BATCH) as tf.Tensor, qr };
  });
  t.is(batch.dtype, 'int64');
  const sess = new tf.Session({ graph: g });
  sess.run(counter.initializer);
  const coord = new tf.train.Coordinator();
  const threads = qr.createThreads(sess, { coord, start: true });

  const start = Date.now();
  let next = 0;  // the value expected next
  let wrong = 0;
  let firstWrong = '';
  let rssWarm = 0;
  for (let b = 0; b < N / BATCH; b++) {
    const v = sess.run(batch);
    if (v.shape.length !== 1 || v.shape[0] !== BATCH) {
      t.fail(`batch ${b} has shape [${v.shape}]`);
      break;
    }
    const data = v.data as unknown as ArrayLike<bigint | number>;
    for (let j = 0; j < BATCH; j++, next++) {
      if (Number(data[j]) !== next) {
        if (wrong++ === 0) firstWrong = `element ${next} was ${String(data[j])}`;
      }
    }
    if (next === 10_000) rssWarm = process.memoryUsage().rss;
  }
  const rssEnd = process.memoryUsage().rss;
  const seconds = (Date.now() - start) / 1000;
  t.is(next, N);
  t.is(wrong, 0, firstWrong);
  const growthMiB = (rssEnd - rssWarm) / 2 ** 20;
  t.log(`${seconds.toFixed(1)} s; RSS after 10k ${(rssWarm / 2 ** 20).toFixed(1)} MiB, growth ${growthMiB.toFixed(1)} MiB`);
  t.true(growthMiB < 32, `RSS grew by ${growthMiB.toFixed(1)} MiB`);

  // CountUpTo hit its limit: the runner closed the queue, so the next dequeue is OutOfRange.
  t.throws(() => sess.run(batch), {
    instanceOf: tf.errors.OutOfRangeError,
    message: /FIFOQueue 'soak_q' is closed and has insufficient elements \(requested 100, current size 0\)/,
  });
  t.true(g.asDefault(() => sess.run(q.isClosed())).item() as boolean);
  t.is(Number(sess.run(counter).item()), N);
  threads[0].join(10);
  t.false(threads[0].isAlive());
  t.deepEqual(qr.exceptionsRaised, []);
  coord.requestStop();
  coord.join(threads);
  sess.close();
});
