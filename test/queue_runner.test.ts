// tf.train.QueueRunner: native threads that run enqueue ops without the JS thread; the
// last thread closes the queue on OutOfRange, errors go to the coordinator (or
// exceptionsRaised), the close-on-stop thread cancels on a stop, session close ends them,
// and a program that never joins its runners exits.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from 'tensorgraph';

const { FailedPreconditionError, OutOfRangeError } = tf.errors;

// Runner mechanics without queue kernels: a "queue" whose enqueue op is CountUpTo (it
// fails with OutOfRange at its limit, as an enqueue on a closed queue does) and whose close
// and cancel ops bump counters.
function counterPipeline(limit: number, numThreads = 1) {
  const counter = new tf.Variable(0, { name: 'counter' });
  const closes = new tf.Variable(0, { name: 'closes' });
  const cancels = new tf.Variable(0, { name: 'cancels' });
  const enqueue = tf.countUpTo(counter, limit).op;
  const closeOp = tf.assignAdd(closes, 1).op;
  const cancelOp = tf.assignAdd(cancels, 1).op;
  const queue = { name: 'fake_queue', close: (): tf.Operation => { throw new Error('not used'); } };
  const qr = new tf.train.QueueRunner(queue, new Array(numThreads).fill(enqueue), { closeOp, cancelOp });
  return { counter, closes, cancels, enqueue, qr };
}

test('threads are named as TF, run the enqueue op natively until OutOfRange, then close once', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const { counter, closes, cancels, qr } = counterPipeline(20000, 3);
    t.is(qr.name, 'fake_queue');
    const sess = new tf.Session();
    sess.run(tf.globalVariablesInitializer());
    const coord = new tf.train.Coordinator();
    const threads = qr.createThreads(sess, { coord, start: true });
    t.deepEqual(threads.map((th) => th.name), [
      'QueueRunnerThread-fake_queue-CountUpTo', 'QueueRunnerThread-fake_queue-CountUpTo',
      'QueueRunnerThread-fake_queue-CountUpTo', 'QueueRunnerThread-fake_queue-close_on_stop']);
    // Still running in this session: no second set of threads.
    t.deepEqual(qr.createThreads(sess, { coord }), []);
    // The JS thread blocks in join while the native threads count to the limit.
    for (const th of threads.slice(0, 3)) th.join(30);
    t.false(threads[0].isAlive());
    t.is(sess.run(counter).item(), 20000);
    t.is(sess.run(closes).item(), 1, 'only the last enqueue thread runs the close op');
    t.true(threads[3].isAlive(), 'close-on-stop waits for the coordinator');
    t.false(coord.shouldStop(), 'OutOfRange of the enqueue op does not stop the coordinator');
    coord.requestStop();
    coord.join(threads);
    t.is(sess.run(cancels).item(), 1);
    t.deepEqual(qr.exceptionsRaised, []);
    // Ended: a new createThreads makes new threads.
    t.is(qr.createThreads(sess).length, 3);
    sess.close();
  });
});

test('a runner error stops the coordinator; join re-throws it as the same tf.errors class', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const { cancels, qr } = counterPipeline(5);
    const sess = new tf.Session();
    // counter is not initialized: CountUpTo fails with FailedPrecondition.
    sess.run(tf.variablesInitializer([cancels as tf.Variable]));
    const coord = new tf.train.Coordinator();
    const threads = qr.createThreads(sess, { coord, start: true });
    const e = t.throws(() => coord.join(threads), { instanceOf: FailedPreconditionError });
    t.regex(e!.message, /Attempting to use uninitialized value counter/);
    t.true(coord.shouldStop());
    t.is(sess.run(cancels).item(), 1, 'the close-on-stop thread ran the cancel op');
    t.false(threads.some((th) => th.isAlive()));
    sess.close();
  });
});

test('without a coordinator, errors are kept in exceptionsRaised', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const { qr } = counterPipeline(5);
    const sess = new tf.Session();
    const threads = qr.createThreads(sess);
    t.is(threads.length, 1);
    t.false(threads[0].isAlive(), 'not started');
    threads[0].start();
    threads[0].join();
    t.is(qr.exceptionsRaised.length, 1);
    t.true(qr.exceptionsRaised[0] instanceof FailedPreconditionError);
    t.false(qr.exceptionsRaised[0] instanceof OutOfRangeError);
    sess.close();
  });
});

test('startQueueRunners starts every runner of QUEUE_RUNNERS; closing the session ends the threads silently', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const counter = new tf.Variable(0, { name: 'spin' });
    const bump = tf.assignAdd(counter, 1).op;
    const queue = { name: 'spinner', close: () => bump };
    tf.train.addQueueRunner(new tf.train.QueueRunner(queue, [bump, bump]));
    t.is(g.getCollection(tf.GraphKeys.QUEUE_RUNNERS).length, 1);
    const sess = new tf.Session();
    sess.run(tf.globalVariablesInitializer());
    const coord = new tf.train.Coordinator();
    const threads = tf.train.startQueueRunners({ sess, coord });
    t.is(threads.length, 3);
    t.true(threads.every((th) => th.daemon));
    t.true(threads.every((th) => th.isAlive()));
    // A synchronous loop on the JS thread while the runners spin.
    let seen = 0;
    for (let i = 0; i < 50 && seen < 100; i++) seen = Number(sess.run(counter).item());
    sess.close();
    for (const th of threads) th.join(10);
    t.false(threads.some((th) => th.isAlive()));
    t.false(coord.shouldStop(), 'session close is not an error');
    t.notThrows(() => coord.join(threads));
  });
});

test('startQueueRunners without a session and without a default session throws', (t) => {
  t.throws(() => tf.train.startQueueRunners(), { message: /No default session is registered/ });
});

test('a QueueRunner needs a queue and enqueue ops', (t) => {
  t.throws(() => new tf.train.QueueRunner({ name: 'q', close: () => { throw new Error(); } }, []),
    { message: 'Must provide queue and enqueue_ops.' });
});

test('a program that starts runners and never joins them exits with status 0', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-runner-exit-'));
  const script = join(dir, 'main.mjs');
  writeFileSync(script, `
    import * as tf from '${pathToFileURL(join(process.cwd(), 'dist', 'index.js')).href}';
    const counter = new tf.Variable(0, { name: 'spin' });
    const bump = tf.assignAdd(counter, 1).op;
    tf.train.addQueueRunner(new tf.train.QueueRunner({ name: 'q', close: () => bump }, [bump, bump]));
    const sess = new tf.Session();
    sess.run(tf.globalVariablesInitializer());
    const coord = new tf.train.Coordinator();
    const threads = tf.train.startQueueRunners({ sess, coord });
    console.log('started', threads.length, threads.every((t) => t.isAlive()));
  `);
  const start = Date.now();
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20000 });
  t.is(r.error, undefined);
  t.is(r.stderr, '');
  t.is(r.stdout.trim(), 'started 3 true');
  t.is(r.status, 0);
  t.true(Date.now() - start < 10000);
});
