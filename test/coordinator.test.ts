// tf.train.Coordinator: stop flag, recorded errors (first wins, clean stops are not errors),
// join with grace period and stragglers, joinAsync over Promises, stopOnException.
import test from 'ava';
import * as tf from 'tensorgraph';

const { InvalidArgumentError, OutOfRangeError, FailedPreconditionError } = tf.errors;

test('requestStop sets the flag, waitForStop sees it, clearStop resets it', (t) => {
  const coord = new tf.train.Coordinator();
  t.false(coord.shouldStop());
  const start = Date.now();
  t.false(coord.waitForStop(0.05));
  t.true(Date.now() - start >= 40);
  coord.requestStop();
  t.true(coord.shouldStop());
  t.true(coord.waitForStop());
  t.true(coord.waitForStop(0));
  coord.clearStop();
  t.false(coord.shouldStop());
});

test('join re-throws the first error of the first stop request, as the same object and class', (t) => {
  const coord = new tf.train.Coordinator();
  const first = new InvalidArgumentError(undefined, 'node', 'bad input');
  coord.requestStop(first);
  coord.requestStop(new FailedPreconditionError(undefined, undefined, 'later'));
  t.true(coord.shouldStop());
  const e = t.throws(() => coord.join());
  t.is(e, first);
  // After join an error is raised where it is requested (nobody would see it otherwise).
  const late = new Error('after join');
  t.is(t.throws(() => coord.requestStop(late)), late);
  // A plain requestStop after join is fine.
  coord.requestStop();
});

test('an error after a clean stop request is dropped; OutOfRangeError is a clean stop', (t) => {
  const coord = new tf.train.Coordinator();
  coord.requestStop(new OutOfRangeError(undefined, undefined, 'done'));
  t.true(coord.shouldStop());
  coord.requestStop(new InvalidArgumentError(undefined, undefined, 'too late'));
  t.notThrows(() => coord.join());
  t.notThrows(() => coord.raiseRequestedException());
});

test('cleanStopExceptionTypes: [] records OutOfRangeError; raiseRequestedException throws it', (t) => {
  const coord = new tf.train.Coordinator({ cleanStopExceptionTypes: [] });
  const e = new OutOfRangeError(undefined, undefined, 'end');
  coord.requestStop(e);
  t.is(t.throws(() => coord.raiseRequestedException()), e);
  coord.clearStop();
  t.notThrows(() => coord.raiseRequestedException());
  t.notThrows(() => coord.join());
});

test('non-tf errors are recorded too and re-thrown unchanged', (t) => {
  const coord = new tf.train.Coordinator();
  const e = new TypeError('not a tensor');
  coord.requestStop(e);
  t.is(t.throws(() => coord.join()), e);
});

test('stopOnException passes a throw or a rejection to requestStop', async (t) => {
  const coord = new tf.train.Coordinator();
  t.is(coord.stopOnException(() => 7), 7);
  t.false(coord.shouldStop());
  const e = new InvalidArgumentError(undefined, undefined, 'boom');
  t.is(coord.stopOnException(() => {
    throw e;
  }), undefined);
  t.true(coord.shouldStop());
  t.is(t.throws(() => coord.join()), e);

  const c2 = new tf.train.Coordinator();
  const r = new Error('async boom');
  await c2.stopOnException(() => Promise.reject(r));
  t.true(c2.shouldStop());
  t.is(t.throws(() => c2.raiseRequestedException()), r);
});

test('join gives live threads the grace period, then names the stragglers', (t) => {
  const coord = new tf.train.Coordinator();
  const stuck = { name: 'stuck-thread', isAlive: () => true };
  coord.registerThread(stuck);
  coord.requestStop();
  const e = t.throws(() => coord.join(undefined, { stopGracePeriodSecs: 0.05 }));
  t.is(e?.message, 'Coordinator stopped with threads still running: stuck-thread');
  // join forgets the registered threads; ignoreLiveThreads accepts stragglers.
  coord.clearStop();
  coord.requestStop();
  t.notThrows(() => coord.join([stuck], { stopGracePeriodSecs: 0, ignoreLiveThreads: true }));
});

test('join of ended threads returns without a stop request', (t) => {
  const coord = new tf.train.Coordinator();
  t.notThrows(() => coord.join([{ name: 'done', isAlive: () => false }]));
  t.false(coord.shouldStop());
});

test('joinAsync waits for Promises; a rejection stops the coordinator and is re-thrown', async (t) => {
  const coord = new tf.train.Coordinator();
  let finished = false;
  const work = new Promise<void>((resolve) => setTimeout(() => {
    finished = true;
    resolve();
  }, 30));
  await coord.joinAsync([work]);
  t.true(finished);

  const c2 = new tf.train.Coordinator();
  const e = new FailedPreconditionError(undefined, 'x', 'uninitialized');
  const bad = new Promise((_, reject) => setTimeout(() => reject(e), 10));
  const slow = new Promise<void>((resolve) => setTimeout(resolve, 50));
  await t.throwsAsync(c2.joinAsync([bad, slow]), { is: e });
  t.true(c2.shouldStop());
});

test('join refuses Promises (joinAsync takes them)', (t) => {
  const coord = new tf.train.Coordinator();
  t.throws(() => coord.join([Promise.resolve() as never]), { instanceOf: InvalidArgumentError });
});
