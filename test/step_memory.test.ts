// What a traced run reports about memory (RunMetadata.stepStats: each node's `memory`, TF's
// AllocatorMemoryUsed) and buffer forwarding: an element-wise op writes its result over an
// input that nobody else holds, never over a fed, fetched, variable or still-needed value.
import test from 'ava';
import * as tf from 'tensorgraph';

const N = 1000;
const xs = Float32Array.from({ length: N }, (_, i) => ((i % 13) - 6) / 4);
const traced = { traceLevel: tf.TraceLevel.FULL_TRACE };

function nodeMemory(meta: tf.RunMetadata, name: string) {
  const s = meta.stepStats!.devStats.flatMap((d) => d.nodeStats).find((n) => n.nodeName === name);
  if (!s) throw new Error(`no stats for ${name}`);
  return s.memory[0];
}

test('each node reports the host memory it allocated; the last reader of a value writes over it', (t) => {
  const g = new tf.Graph();
  const { x, a, b, c } = g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [N], name: 'x' });
    const a = tf.neg(x, { name: 'neg' });
    const b = tf.nn.relu(a, { name: 'relu' });
    const c = tf.square(b, { name: 'sq' });
    return { x, a, b, c };
  });
  using sess = new tf.Session({ graph: g });
  const feed = Float32Array.from(xs);
  const want = Array.from(xs, (v) => Math.max(-v, 0) ** 2);

  // neg needs a buffer (x is the caller's); relu and sq write over their input's.
  let meta: tf.RunMetadata = {};
  const out = sess.run(c, [[x, feed]], traced, meta) as tf.NDArray;
  t.deepEqual(Array.from(out.data as Float32Array), want.map(Math.fround));
  t.is(nodeMemory(meta, 'neg').allocatorName, 'cpu');
  t.is(nodeMemory(meta, 'neg').totalBytes, 4 * N);
  t.is(nodeMemory(meta, 'neg').numAllocations, 1);
  t.is(nodeMemory(meta, 'relu').totalBytes, 0);
  t.is(nodeMemory(meta, 'sq').totalBytes, 0);
  t.deepEqual(feed, Float32Array.from(xs));  // the feed is never written

  // neg and relu fetched too: each op gets a buffer of its own and every value is intact.
  meta = {};
  const [ra, rb, rc] = sess.run([a, b, c], [[x, feed]], traced, meta) as tf.NDArray[];
  t.deepEqual(Array.from(ra.data as Float32Array), Array.from(xs, (v) => -v));
  t.deepEqual(Array.from(rb.data as Float32Array), Array.from(xs, (v) => Math.max(-v, 0)));
  t.deepEqual(Array.from(rc.data as Float32Array), want.map(Math.fround));
  for (const n of ['neg', 'relu', 'sq']) t.is(nodeMemory(meta, n).totalBytes, 4 * N, n);
});

test('a variable\'s value is never written over, and a value two ops read reaches both intact', (t) => {
  const g = new tf.Graph();
  const { v, r, s } = g.asDefault(() => {
    const v = new tf.Variable(Float32Array.from(xs), { name: 'v' });
    const r = tf.nn.relu(v.value(), { name: 'relu' });
    const m = tf.neg(r, { name: 'm' });  // read by s (twice) and by the fetched sum
    const s = tf.add(tf.mul(m, m), m, { name: 's' });
    return { v, r, s };
  });
  using sess = new tf.Session({ graph: g });
  sess.run(v.initializer);
  const meta: tf.RunMetadata = {};
  const [rr, rs] = sess.run([r, s], undefined, traced, meta) as tf.NDArray[];
  t.true(nodeMemory(meta, 'relu').totalBytes === 4 * N);
  t.deepEqual(Array.from(rr.data as Float32Array), Array.from(xs, (x) => Math.max(x, 0)));
  t.deepEqual(Array.from(rs.data as Float32Array), Array.from(xs, (x) => Math.fround(Math.fround(Math.max(x, 0) ** 2) - Math.max(x, 0))));
  t.deepEqual(Array.from((sess.run(v.value()) as tf.NDArray).data as Float32Array), Array.from(xs));
});

test('steady-state training steps take no memory from the system allocator', (t) => {
  const g = new tf.Graph();
  const { X, y, train, init } = g.asDefault(() => {
    tf.setRandomSeed(7);
    const X = tf.placeholder('float32', { shape: [null, 20] });
    const y = tf.placeholder('int32', { shape: [null] });
    const h = tf.layers.dense(X, 64, { activation: tf.nn.relu, name: 'hidden' });
    const logits = tf.layers.dense(h, 10, { name: 'logits' });
    const loss = tf.reduceMean(tf.nn.sparseSoftmaxCrossEntropyWithLogits(y, logits));
    const train = new tf.train.GradientDescentOptimizer(0.1).minimize(loss);
    return { X, y, train, init: tf.globalVariablesInitializer() };
  });
  using sess = new tf.Session({ graph: g });
  sess.run(init);
  const feeds: [tf.Tensor, unknown][] = [
    [X, Array.from({ length: 32 }, (_, i) => Array.from({ length: 20 }, (_, j) => Math.sin(i * 20 + j)))],
    [y, Array.from({ length: 32 }, (_, i) => i % 10)],
  ];
  for (let i = 0; i < 100; i++) sess.run(train, feeds);
  const meta: tf.RunMetadata = {};
  sess.run(train, feeds, traced, meta);
  const all = meta.stepStats!.devStats.flatMap((d) => d.nodeStats).map((n) => n.memory[0]);
  t.true(all.reduce((s, m) => s + m.numAllocations!, 0) > 0);  // the step does allocate ...
  t.deepEqual(all.filter((m) => m.numSystemAllocations! > 0), []);  // ... only recycled buffers
});
