// Queues: TF1's names, conversions and static shapes at construction; FIFO/priority/padding
// order, close semantics, blocking and deadlines at run time (hand-computed values).
import test from 'ava';
import * as tf from 'tensorgraph';

const inGraph = <T>(fn: () => T): T => new tf.Graph().asDefault(fn);

// ---------- construction ----------

test('a queue built in a name scope: name is the full op name, its ops take the last part', (t) => {
  inGraph(() => {
    const q = tf.nameScope('shuffle_batch', () => new tf.RandomShuffleQueue(10, 2, ['int32'], { shapes: [[]] }));
    t.is(q.name, 'shuffle_batch/random_shuffle_queue');
    t.is((q.dequeue() as tf.Tensor).op.name, 'random_shuffle_queue_Dequeue');
    const qr = new tf.train.QueueRunner(q, [q.enqueue(1)]);
    t.is(qr.name, 'shuffle_batch/random_shuffle_queue');
  });
});

test('FIFOQueue: queue op, attrs and the default names of its ops', (t) => {
  inGraph(() => {
    const q = new tf.FIFOQueue(10, ['int32', 'float32'], { shapes: [[1, 2], [3]] });
    t.is(q.name, 'fifo_queue');
    t.is(q.queueRef.op.type, 'FIFOQueueV2');
    t.is(q.queueRef.dtype, 'resource');
    t.deepEqual(q.queueRef.shape.asList(), []);
    t.deepEqual(q.queueRef.op.getAttr('component_types'), ['int32', 'float32']);
    t.deepEqual((q.queueRef.op.getAttr('shapes') as tf.TensorShape[]).map((s) => s.asList()), [[1, 2], [3]]);
    t.is(q.queueRef.op.getAttr('capacity'), 10);
    t.is(q.queueRef.op.getAttr('shared_name'), '');
    t.deepEqual(q.dtypes, ['int32', 'float32']);
    t.deepEqual(q.shapes.map((s) => s.asList()), [[1, 2], [3]]);
    t.is(q.names, undefined);

    const enq = q.enqueue([[[1, 2]], [1, 2, 3]]);
    t.is(enq.name, 'fifo_queue_enqueue');
    t.is(enq.type, 'QueueEnqueueV2');
    t.deepEqual(enq.inputs.map((x) => x.name), ['fifo_queue:0', 'fifo_queue_enqueue/component_0:0', 'fifo_queue_enqueue/component_1:0']);
    // A JS number list beside a float32 component is float32.
    t.is(enq.inputs[2].dtype, 'float32');
    t.deepEqual(enq.getAttr('Tcomponents'), ['int32', 'float32']);
    t.is(enq.getAttr('timeout_ms'), -1);
    t.is(q.enqueueMany([[[[1, 2]]], [[1, 2, 3]]]).name, 'fifo_queue_EnqueueMany');
    const d = q.dequeue() as tf.Tensor[];
    t.is(d[0].op.name, 'fifo_queue_Dequeue');
    t.is(d[0].op.type, 'QueueDequeueV2');
    t.is((q.dequeueMany(4) as tf.Tensor[])[0].op.name, 'fifo_queue_DequeueMany');
    t.is((q.dequeueUpTo(4) as tf.Tensor[])[0].op.name, 'fifo_queue_DequeueUpTo');
    const c1 = q.close();
    const c2 = q.close({ cancelPendingEnqueues: true });
    t.deepEqual([c1.name, c2.name], ['fifo_queue_Close', 'fifo_queue_Close_1']);
    t.deepEqual([c1.getAttr('cancel_pending_enqueues'), c2.getAttr('cancel_pending_enqueues')], [false, true]);
    t.is(q.size().op.name, 'fifo_queue_Size');
    t.is(q.size().dtype, 'int32');
    t.is(q.isClosed().op.name, 'fifo_queue_IsClosed');
    t.is(q.isClosed().dtype, 'bool');

    const named = new tf.FIFOQueue(1, 'float32', { name: 'q', sharedName: 'shared' });
    t.is((named.dequeue() as tf.Tensor).op.name, 'q_Dequeue');
    t.is(named.queueRef.op.getAttr('shared_name'), 'shared');
    const second = new tf.FIFOQueue(1, 'float32');
    t.is(second.name, 'fifo_queue_1');
    t.is(second.enqueue(1).name, 'fifo_queue_1_enqueue');
  });
});

test('dequeue: a Tensor for one component, a list for several, an object with names; static shapes', (t) => {
  inGraph(() => {
    const one = new tf.FIFOQueue(5, 'float32', { shapes: [[2]] });
    const d = one.dequeue() as tf.Tensor;
    t.true(d instanceof tf.Tensor);
    t.deepEqual(d.shape.asList(), [2]);
    t.deepEqual((one.dequeueMany(3) as tf.Tensor).shape.asList(), [3, 2]);
    t.deepEqual((one.dequeueUpTo(3) as tf.Tensor).shape.asList(), [null, 2]);
    // A one-dim list is one shape; `[]` is the scalar shape.
    t.deepEqual(new tf.FIFOQueue(1, 'int32', { shapes: [] }).shapes.map((s) => s.asList()), [[]]);

    const unknown = new tf.FIFOQueue(5, ['int32', 'string']);
    const [a, b] = unknown.dequeue() as tf.Tensor[];
    t.is(a.shape.rank, undefined);
    t.is(b.dtype, 'string');

    const named = new tf.FIFOQueue(5, ['int32', 'float32'], { names: ['label', 'x'], shapes: [[], [2]] });
    const o = named.dequeue() as Record<string, tf.Tensor>;
    t.deepEqual(Object.keys(o), ['label', 'x']);
    t.deepEqual(o.x.shape.asList(), [2]);
    t.is(o.label.dtype, 'int32');
    const enq = named.enqueue({ x: [1, 2], label: 3 });
    t.deepEqual(enq.inputs.slice(1).map((x) => x.dtype), ['int32', 'float32']);
    t.throws(() => named.enqueue([3, [1, 2]]), { instanceOf: tf.errors.InvalidArgumentError, message: /must enqueue a dictionary/ });
    t.throws(() => named.enqueue({ x: [1, 2], y: 3 }), { instanceOf: tf.errors.InvalidArgumentError, message: /do not match names of Queue/ });
    t.throws(() => one.enqueue({ x: 1 } as never), { instanceOf: tf.errors.InvalidArgumentError, message: /must have names/ });
  });
});

test('enqueue checks: component count, dtype and shape compatibility', (t) => {
  inGraph(() => {
    const q = new tf.FIFOQueue(5, ['float32', 'int32'], { shapes: [[2], []] });
    t.throws(() => q.enqueue([[1, 2]]), { instanceOf: tf.errors.InvalidArgumentError, message: /2 components/ });
    t.throws(() => q.enqueue([tf.constant([1, 2]), 1]), { instanceOf: tf.errors.InvalidArgumentError, message: /requested dtype float32 for Tensor with dtype int32/ });
    t.throws(() => q.enqueue([[1, 2, 3], 1]), { instanceOf: tf.errors.InvalidArgumentError, message: /Shapes \(3,\) and \(2,\) are incompatible/ });
    t.notThrows(() => q.enqueue([tf.placeholder('float32'), 1]));
    t.notThrows(() => q.enqueueMany([[[1, 2], [3, 4]], [5, 6]]));
    t.throws(() => q.enqueueMany([[[1, 2, 3]], [5]]), { instanceOf: tf.errors.InvalidArgumentError, message: /incompatible/ });
    t.throws(() => q.enqueueMany([[[1, 2], [3, 4]], [5]]), { instanceOf: tf.errors.InvalidArgumentError, message: /not compatible/ });
    t.throws(() => q.enqueueMany([[[1, 2]], 5]), { instanceOf: tf.errors.InvalidArgumentError, message: /rank at least 1/ });
    // One-component queue: an array is the list of components (TF1), anything else the value.
    const s = new tf.FIFOQueue(5, 'float32', { shapes: [[]] });
    t.is(s.enqueue(3).inputs[1].dtype, 'float32');
    t.is(s.enqueue([3]).inputs[1].shape.rank, 0);
    t.throws(() => s.enqueue([1, 2]), { instanceOf: tf.errors.InvalidArgumentError, message: /1 components/ });
  });
});

test('shapes must be fully defined (FIFO, RandomShuffle, Priority) and required for Padding and Priority queues', (t) => {
  inGraph(() => {
    t.throws(() => new tf.FIFOQueue(5, 'float32', { shapes: [[null, 2]] }), { instanceOf: tf.errors.InvalidArgumentError, message: /All shapes must be fully defined/ });
    t.throws(() => new tf.RandomShuffleQueue(5, 1, 'float32', { shapes: [[null]] }), { message: /All shapes must be fully defined/ });
    t.throws(() => new tf.FIFOQueue(5, ['float32', 'int32'], { shapes: [[1]] }), { message: /same length as dtypes/ });
    t.throws(() => new tf.FIFOQueue(5, ['float32', 'int32'], { names: ['a'] }), { message: /same length/ });
    t.throws(() => new tf.PaddingFIFOQueue(5, 'float32'), { instanceOf: tf.errors.InvalidArgumentError });
    t.throws(() => new tf.PaddingFIFOQueue(5, ['float32', 'int32'], { shapes: [[null]] }), { message: /Shapes must be provided for all components, but received 2 dtypes and 1 shapes/ });
    t.throws(() => new tf.PaddingFIFOQueue(5, 'float32', { shapes: [null] }), { message: /a list of shapes must be provided/ });
    t.throws(() => new tf.PriorityQueue(5, 'string'), { instanceOf: tf.errors.InvalidArgumentError });
  });
});

test('PaddingFIFOQueue: unknown dims in shapes, dequeueMany keeps them unknown', (t) => {
  inGraph(() => {
    const q = new tf.PaddingFIFOQueue(5, 'int32', { shapes: [[null, null]] });
    t.is(q.name, 'padding_fifo_queue');
    t.is(q.queueRef.op.type, 'PaddingFIFOQueueV2');
    t.deepEqual((q.dequeueMany(3) as tf.Tensor).shape.asList(), [3, null, null]);
    t.deepEqual((q.dequeue() as tf.Tensor).shape.asList(), [null, null]);
    t.deepEqual((q.queueRef.op.getAttr('shapes') as tf.TensorShape[])[0].asList(), [null, null]);
  });
});

test('PriorityQueue: an implicit int64 priority component', (t) => {
  inGraph(() => {
    const q = new tf.PriorityQueue(5, ['string'], { shapes: [[]] });
    t.is(q.name, 'priority_queue');
    t.is(q.queueRef.op.type, 'PriorityQueueV2');
    t.deepEqual(q.queueRef.op.getAttr('component_types'), ['string']);
    t.deepEqual(q.dtypes, ['int64', 'string']);
    t.deepEqual(q.shapes.map((s) => s.asList()), [[], []]);
    const enq = q.enqueue([3, 'c']);
    t.deepEqual(enq.inputs.slice(1).map((x) => x.dtype), ['int64', 'string']);
    const [p, v] = q.dequeue() as tf.Tensor[];
    t.is(p.dtype, 'int64');
    t.is(v.dtype, 'string');
  });
});

test('RandomShuffleQueue: name, min_after_dequeue and seeds from graph seed + op seed', (t) => {
  inGraph(() => {
    const q = new tf.RandomShuffleQueue(10, 2, 'float32');
    t.is(q.name, 'random_shuffle_queue');
    t.is(q.queueRef.op.type, 'RandomShuffleQueueV2');
    t.is(q.queueRef.op.getAttr('min_after_dequeue'), 2);
    t.deepEqual([q.queueRef.op.getAttr('seed'), q.queueRef.op.getAttr('seed2')], [0, 0]);
    const withOpSeed = new tf.RandomShuffleQueue(10, 2, 'float32', { seed: 5 });
    t.deepEqual([withOpSeed.queueRef.op.getAttr('seed'), withOpSeed.queueRef.op.getAttr('seed2')], [87654321, 5]);
    tf.setRandomSeed(1);
    const both = new tf.RandomShuffleQueue(10, 2, 'float32', { seed: 7 });
    t.deepEqual([both.queueRef.op.getAttr('seed'), both.queueRef.op.getAttr('seed2')], [1, 7]);
    // minAfterDequeue >= capacity is accepted (TF does not check).
    t.notThrows(() => new tf.RandomShuffleQueue(2, 5, 'float32'));
  });
});

// ---------- run time (native queue kernels) ----------

test('FIFO order, size and dequeueMany', (t) => {
  inGraph(() => {
    const q = new tf.FIFOQueue(10, 'int32', { shapes: [[2]] });
    const sess = new tf.Session();
    sess.run(q.enqueue([[1, 2]]));
    sess.run(q.enqueueMany([[[3, 4], [5, 6]]]));
    t.is(sess.run(q.size()).item(), 3);
    t.deepEqual(sess.run(q.dequeueMany(2) as tf.Tensor).toArray(), [[1, 2], [3, 4]]);
    t.deepEqual(sess.run(q.dequeue() as tf.Tensor).toArray(), [5, 6]);
    t.is(sess.run(q.size()).item(), 0);
    // enqueueMany of 0 rows is a no-op.
    sess.run(q.enqueueMany([tf.zeros([0, 2], { dtype: 'int32' })]));
    t.is(sess.run(q.size()).item(), 0);
    sess.close();
  });
});

test('PaddingFIFOQueue pads 3x2, 1x1 and 2x4 to [3, 3, 4] with zeros', (t) => {
  inGraph(() => {
    const q = new tf.PaddingFIFOQueue(5, 'int32', { shapes: [[null, null]] });
    const x = tf.placeholder('int32', { shape: [null, null] });
    const enq = q.enqueue([x]);
    const batch = q.dequeueMany(3) as tf.Tensor;
    const sess = new tf.Session();
    sess.run(enq, { [x.name]: [[1, 2], [3, 4], [5, 6]] });
    sess.run(enq, { [x.name]: [[7]] });
    sess.run(enq, { [x.name]: [[8, 9, 10, 11], [12, 13, 14, 15]] });
    const v = sess.run(batch);
    t.deepEqual(v.shape, [3, 3, 4]);
    t.deepEqual(v.toArray(), [
      [[1, 2, 0, 0], [3, 4, 0, 0], [5, 6, 0, 0]],
      [[7, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
      [[8, 9, 10, 11], [12, 13, 14, 15], [0, 0, 0, 0]],
    ]);
    sess.close();
  });
});

test('PriorityQueue dequeues the smallest priority first', (t) => {
  inGraph(() => {
    const q = new tf.PriorityQueue(5, ['string'], { shapes: [[]] });
    const sess = new tf.Session();
    sess.run(q.enqueue([3, 'c']));
    sess.run(q.enqueue([1, 'a']));
    sess.run(q.enqueue([2, 'b']));
    const d = q.dequeue() as tf.Tensor[];
    const got = [0, 1, 2].map(() => sess.run(d).map((a) => a.item()));
    t.deepEqual(got, [[1, 'a'], [2, 'b'], [3, 'c']]);
    sess.close();
  });
});

test('close: enqueue fails, dequeues drain, then OutOfRange; closing twice fails', (t) => {
  inGraph(() => {
    const q = new tf.FIFOQueue(5, 'float32', { shapes: [[]], name: 'q' });
    const sess = new tf.Session();
    sess.run(q.enqueueMany([[1, 2, 3]]));
    sess.run(q.close());
    t.true(sess.run(q.isClosed()).item() as boolean);
    t.throws(() => sess.run(q.enqueue(4)), { instanceOf: tf.errors.CancelledError, message: /FIFOQueue '[^']*q' is closed\./ });
    t.throws(() => sess.run(q.close()), { instanceOf: tf.errors.CancelledError, message: /Queue '[^']*q' is already closed\./ });
    t.notThrows(() => sess.run(q.close({ cancelPendingEnqueues: true })));
    // A failed dequeueMany leaves the elements in the queue.
    t.throws(() => sess.run(q.dequeueMany(4) as tf.Tensor), {
      instanceOf: tf.errors.OutOfRangeError, message: /is closed and has insufficient elements \(requested 4, current size 3\)/,
    });
    t.is(sess.run(q.size()).item(), 3);
    t.is(sess.run(q.dequeue() as tf.Tensor).item(), 1);
    // dequeueUpTo returns the remainder, then fails once nothing is left.
    t.deepEqual(sess.run(q.dequeueUpTo(5) as tf.Tensor).toArray(), [2, 3]);
    t.throws(() => sess.run(q.dequeueUpTo(5) as tf.Tensor), { instanceOf: tf.errors.OutOfRangeError });
    t.throws(() => sess.run(q.dequeue() as tf.Tensor), {
      instanceOf: tf.errors.OutOfRangeError, message: /FIFOQueue '[^']*q' is closed and has insufficient elements \(requested 1, current size 0\)/,
    });
    sess.close();
  });
});

test('run-time shape check and dequeueMany on a queue without shapes', (t) => {
  inGraph(() => {
    const q = new tf.FIFOQueue(5, 'float32', { shapes: [[2]] });
    const x = tf.placeholder('float32');
    const sess = new tf.Session();
    t.throws(() => sess.run(q.enqueue(x), { [x.name]: [1, 2, 3] }), {
      instanceOf: tf.errors.InvalidArgumentError, message: /Shape mismatch in tuple component 0\. Expected \[2\], got \[3\]/,
    });
    const free = new tf.FIFOQueue(5, 'float32');
    sess.run(free.enqueue(1));
    t.throws(() => sess.run(free.dequeueMany(1) as tf.Tensor), {
      instanceOf: tf.errors.InvalidArgumentError, message: /require the components to have specified shapes/,
    });
    sess.close();
  });
});

test('six blocked runAsync dequeues on 2 inter-op threads are released by later enqueues', async (t) => {
  const g = new tf.Graph();
  const { q, d } = g.asDefault(() => {
    const queue = new tf.FIFOQueue(10, 'int32', { shapes: [[]] });
    return { q: queue, d: queue.dequeue() as tf.Tensor };
  });
  const sess = new tf.Session({ graph: g, config: { interOpParallelismThreads: 2 } });
  const pending = Array.from({ length: 6 }, () => sess.runAsync(d));
  await new Promise((r) => setTimeout(r, 50));
  g.asDefault(() => sess.run(q.enqueueMany([[1, 2, 3, 4, 5, 6]])));
  const got = (await Promise.all(pending)).map((v) => v.item() as number).sort((a, b) => a - b);
  t.deepEqual(got, [1, 2, 3, 4, 5, 6]);
  sess.close();
});

test('a blocked dequeue times out with DeadlineExceeded; the queue stays usable', async (t) => {
  const g = new tf.Graph();
  const { q, d } = g.asDefault(() => {
    const queue = new tf.FIFOQueue(10, 'float32', { shapes: [[]] });
    return { q: queue, d: queue.dequeue() as tf.Tensor };
  });
  const sess = new tf.Session({ graph: g });
  t.throws(() => sess.run(d, undefined, { timeoutInMs: 100 }), { instanceOf: tf.errors.DeadlineExceededError });
  await t.throwsAsync(sess.runAsync(d, undefined, { timeoutInMs: 100 }), { instanceOf: tf.errors.DeadlineExceededError });
  g.asDefault(() => sess.run(q.enqueue(7)));
  t.is(sess.run(d).item(), 7);
  sess.close();
});

test('a dequeue blocked when the queue closes fails with OutOfRange', async (t) => {
  const g = new tf.Graph();
  const { q, d } = g.asDefault(() => {
    const queue = new tf.FIFOQueue(10, 'float32', { shapes: [[]] });
    return { q: queue, d: queue.dequeue() as tf.Tensor };
  });
  const sess = new tf.Session({ graph: g });
  const blocked = sess.runAsync(d);
  await new Promise((r) => setTimeout(r, 50));
  g.asDefault(() => sess.run(q.close({ cancelPendingEnqueues: true })));
  await t.throwsAsync(blocked, { instanceOf: tf.errors.OutOfRangeError });
  sess.close();
});
