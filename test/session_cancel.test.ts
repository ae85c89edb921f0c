// Session close and deadlines with blocked steps: close rejects pending runAsync dequeues with
// CancelledError, timeouts (per run and per session) give DeadlineExceededError and leave the
// queue usable, parked runs hold no inter-op thread and no libuv pool thread, and a timed-out
// dequeueMany puts back what it had taken (spec pipelines-and-summaries §1).
import test from 'ava';
import { promises as fsp } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from 'tensorgraph';

const { CancelledError, DeadlineExceededError } = tf.errors;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A one-component int32 FIFOQueue of scalars with its ops, in a fresh graph.
function queueGraph(capacity = 20) {
  const g = new tf.Graph();
  return g.asDefault(() => {
    const q = new tf.FIFOQueue(capacity, 'int32', { shapes: [[]], name: 'q' });
    const x = tf.placeholder('int32', { shape: [null], name: 'x' });
    return {
      g,
      q,
      x,
      d: q.dequeue() as tf.Tensor,
      enqMany: q.enqueueMany([x]),
      size: q.size(),
      sum: tf.add(tf.constant(2, { dtype: 'int32' }), tf.constant(3, { dtype: 'int32' })),
      many: (n: number) => q.dequeueMany(n) as tf.Tensor,
    };
  });
}

// Resolves to 'timeout' when p takes longer than ms.
function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

test('close() rejects three pending runAsync dequeues with CancelledError; later runs throw', async (t) => {
  const { g, d, sum } = queueGraph();
  const sess = new tf.Session({ graph: g });
  const pending = [sess.runAsync(d), sess.runAsync(d), sess.runAsync(d)];
  const settled = pending.map((p) => p.then(() => 'resolved', (e: unknown) => e));
  await sleep(50);
  const start = Date.now();
  sess.close();
  t.true(Date.now() - start < 3000, 'close waits only for the cancelled steps to unwind');
  t.true(sess.closed);
  const results = await within(Promise.all(settled), 5000);
  if (results === 'timeout') {
    t.fail('pending runs were never settled');
    return;
  }
  for (const e of results) {
    t.true(e instanceof CancelledError, String(e));
    t.regex((e as Error).message, /Dequeue operation was cancelled/);
  }
  t.throws(() => sess.run(d), { instanceOf: CancelledError, message: 'Attempted to use a closed Session.' });
  t.throws(() => sess.run(sum), { instanceOf: CancelledError, message: 'Attempted to use a closed Session.' });
  await t.throwsAsync(sess.runAsync(sum), { instanceOf: CancelledError, message: 'Attempted to use a closed Session.' });
  sess.close();  // closing twice is fine
});

test('a sync dequeue with timeoutInMs 100 throws DeadlineExceededError; the queue still works', (t) => {
  const { g, d, x, enqMany, size } = queueGraph();
  const sess = new tf.Session({ graph: g });
  const start = Date.now();
  t.throws(() => sess.run(d, undefined, { timeoutInMs: 100 }), {
    instanceOf: DeadlineExceededError, message: /Timed out waiting for notification/,
  });
  const ms = Date.now() - start;
  t.true(ms >= 95 && ms < 3000, `took ${ms} ms`);
  t.is(sess.run(size).item(), 0);
  sess.run(enqMany, { [x.name]: [41, 42] });
  t.is(sess.run(d).item(), 41);
  t.is(sess.run(d, undefined, { timeoutInMs: 100 }).item(), 42);  // a deadline that does not pass
  t.is(sess.run(size).item(), 0);
  sess.close();
});

test('config operationTimeoutInMs gives every run a deadline', async (t) => {
  const { g, d, x, enqMany, sum } = queueGraph();
  const sess = new tf.Session({ graph: g, config: { operationTimeoutInMs: 100 } });
  t.throws(() => sess.run(d), { instanceOf: DeadlineExceededError, message: /Timed out waiting for notification/ });
  await t.throwsAsync(sess.runAsync(d), { instanceOf: DeadlineExceededError });
  t.is(sess.run(sum).item(), 5);
  sess.run(enqMany, { [x.name]: [7] });
  t.is(sess.run(d).item(), 7);
  sess.close();
});

test('with one inter-op thread, 8 parked runAsync dequeues do not block a 9th run; enqueueMany releases them', async (t) => {
  const { g, d, x, enqMany, sum, size } = queueGraph();
  const sess = new tf.Session({ graph: g, config: { interOpParallelismThreads: 1 } });
  const pending = Array.from({ length: 8 }, () => sess.runAsync(d));
  await sleep(50);
  const ninth = await within(sess.runAsync(sum), 5000);
  t.not(ninth, 'timeout', 'the unrelated run was starved by parked dequeues');
  if (ninth !== 'timeout') t.is(ninth.item(), 5);
  sess.run(enqMany, { [x.name]: [1, 2, 3, 4, 5, 6, 7, 8] });
  const got = await within(Promise.all(pending), 5000);
  if (got === 'timeout') {
    t.fail('the enqueue did not release the parked dequeues');
    sess.close();
    return;
  }
  t.deepEqual(got.map((v) => v.item() as number).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
  t.is(sess.run(size).item(), 0);
  sess.close();
});

test('six blocked runAsync dequeues do not hold the libuv thread pool', async (t) => {
  const { g, d, x, enqMany } = queueGraph();
  const sess = new tf.Session({ graph: g });
  const pending = Array.from({ length: 6 }, () => sess.runAsync(d));
  await sleep(30);
  // fs work runs on libuv's pool (4 threads by default): it must still be served.
  const self = fileURLToPath(import.meta.url);
  const text = await within(fsp.readFile(self, 'utf8'), 5000);
  t.not(text, 'timeout', 'fs.promises.readFile never resolved: runAsync holds the libuv pool');
  if (text !== 'timeout') t.true(text.includes('six blocked runAsync dequeues'));
  const digest = await within(import('node:crypto').then((c) => new Promise<string>((res, rej) => {
    c.pbkdf2('pw', 'salt', 1, 8, 'sha256', (err, key) => (err ? rej(err) : res(key.toString('hex'))));
  })), 5000);
  t.not(digest, 'timeout');
  sess.run(enqMany, { [x.name]: [10, 20, 30, 40, 50, 60] });
  const got = await within(Promise.all(pending), 5000);
  if (got === 'timeout') {
    t.fail('the enqueue did not release the parked dequeues');
  } else {
    t.deepEqual(got.map((v) => v.item() as number).sort((a, b) => a - b), [10, 20, 30, 40, 50, 60]);
  }
  sess.close();
});

test('a dequeueMany(4) that took 2 elements and then timed out puts them back in order', async (t) => {
  const { g, x, enqMany, size, many } = queueGraph();
  const d4 = g.asDefault(() => many(4));
  const d2 = g.asDefault(() => many(2));
  const d3 = g.asDefault(() => many(3));
  const sess = new tf.Session({ graph: g });
  // Parked first, so that the enqueued elements go to it as they arrive.
  const blocked = sess.runAsync(d4, undefined, { timeoutInMs: 300 });
  const settled = blocked.then(() => 'resolved', (e: unknown) => e);
  await sleep(50);
  sess.run(enqMany, { [x.name]: [11] });
  sess.run(enqMany, { [x.name]: [12] });
  const e = await within(settled, 5000);
  t.true(e instanceof DeadlineExceededError, String(e));
  t.is(sess.run(size).item(), 2, 'the two taken elements are back');
  t.deepEqual(Array.from(sess.run(d2).data as Int32Array), [11, 12]);
  t.is(sess.run(size).item(), 0);

  // Sync, with elements already there: the same.
  sess.run(enqMany, { [x.name]: [21, 22] });
  t.throws(() => sess.run(d4, undefined, { timeoutInMs: 100 }), { instanceOf: DeadlineExceededError });
  sess.run(enqMany, { [x.name]: [23] });
  t.deepEqual(Array.from(sess.run(d3).data as Int32Array), [21, 22, 23]);
  sess.close();
});
