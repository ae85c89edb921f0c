// tf.train.SyncReplicasOptimizer in one process: between-graph replicas emulated by one
// optimizer per "worker" in one graph and session (the accumulators, token queue and
// dummy queue are shared by their shared names, as on a ps server), each worker's train op
// run with runAsync. Expected values are TF's sync_replicas_optimizer_test.py
// (GradientDescent 2.0, worker i's gradients 0.1 + 0.2i and 0.9 + 0.2i).
import test from 'ava';
import * as tf from 'tensorgraph';
import { expectClose } from './helpers.js';

interface Cluster {
  g: tf.Graph;
  sess: tf.Session;
  globalStep: tf.Variable;
  v0: tf.Variable;
  v1: tf.Variable;
  workers: { opt: tf.train.SyncReplicasOptimizer; train: tf.Operation }[];
}

/** Builds `numWorkers` replicas; worker 0 is the chief. Runs the init the TF hook runs. */
function cluster(numWorkers: number, replicasToAggregate: number, initTokens: number): Cluster {
  const g = new tf.Graph();
  return g.asDefault(() => {
    const globalStep = new tf.Variable(0, { name: 'global_step', trainable: false });
    const v0 = new tf.Variable(0.0, { name: 'v0', dtype: 'float32' });
    const v1 = new tf.Variable(1.0, { name: 'v1', dtype: 'float32' });
    const workers = Array.from({ length: numWorkers }, (_, id) => {
      const g0 = tf.constant(0.1 + id * 0.2, { dtype: 'float32' });
      const g1 = tf.constant(0.9 + id * 0.2, { dtype: 'float32' });
      const opt = new tf.train.SyncReplicasOptimizer(new tf.train.GradientDescentOptimizer(2.0), {
        replicasToAggregate, totalNumReplicas: numWorkers,
      });
      return { opt, train: opt.applyGradients([[g0, v0], [g1, v1]], { globalStep }) };
    });
    const sess = new tf.Session({ graph: g });
    sess.run(tf.globalVariablesInitializer());
    // _SyncReplicasOptimizerHook.after_create_session: the chief sets the accumulators' step
    // and fills the token queue; every replica copies the global step into its local step.
    workers.forEach((w, id) => sess.run(id === 0 ? w.opt.chiefInitOp! : w.opt.localStepInitOp!));
    sess.run(workers[0].opt.getInitTokensOp(initTokens));
    return { g, sess, globalStep, v0, v1, workers };
  });
}

const value = (c: Cluster, t: tf.Tensor) => c.g.asDefault(() => c.sess.run(t));
const num = (c: Cluster, t: tf.Tensor) => Number(value(c, t).item());

test('the graph: names, local step on the worker, accumulators with their variables, queues with the global step', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const cl = new tf.train.ClusterSpec({ ps: ['ps0:2222', 'ps1:2222'], worker: ['w0:2222', 'w1:2222'] });
    tf.device(tf.train.replicaDeviceSetter({ cluster: cl, workerDevice: '/job:worker/task:1' }), () => {
      const globalStep = tf.train.getOrCreateGlobalStep();  // ps task 0
      const v = new tf.Variable(new Float32Array([1, 2]), { name: 'v' });  // ps task 1
      const loss = tf.reduceSum(tf.square(v));
      const opt = new tf.train.SyncReplicasOptimizer(new tf.train.GradientDescentOptimizer(0.1), { replicasToAggregate: 2 });
      const train = opt.minimize(loss, { globalStep });
      const localStep = g.getOperationByName('sync_rep_local_step');
      t.is(localStep.device, '/job:worker/task:1');
      t.deepEqual(g.getCollection(tf.GraphKeys.LOCAL_VARIABLES).map((x) => (x as tf.Variable).op.name), ['sync_rep_local_step']);
      const accum = g.getOperationByName('sync_replicas/conditional_accumulator');
      t.is(accum.getAttr('shared_name'), 'v:0/grad_accum');
      t.deepEqual((accum.getAttr('shape') as tf.TensorShape).dims, [2]);
      t.is(accum.device, v.device);
      t.is(v.device, '/job:ps/task:1');
      for (const name of ['sync_token_q', 'dummy_queue']) {
        t.is(g.getOperationByName(name).device, globalStep.op.device, name);
        t.is(g.getOperationByName(name).getAttr('shared_name'), name);
      }
      t.is(globalStep.op.device, '/job:ps/task:0');
      // The train op takes a token into the local step after the gradients went in.
      t.is(train.type, 'Assign');
      t.is(train.inputs[0].op.name, 'sync_rep_local_step');
      t.is(opt.getChiefQueueRunner().queue.name, 'dummy_queue');
      t.is(opt.getChiefQueueRunner().enqueueOps[0].type, 'QueueEnqueueManyV2');
      const setStep = g.getOperationByName('sync_replicas/SetGlobalStep');
      t.is(setStep.type, 'AccumulatorSetGlobalStep');
      t.is(setStep.device, accum.device);
      t.is(opt.chiefInitOp!.type, 'NoOp');
      t.deepEqual(opt.getSlotNames(), []);
    });
  });
});

test('2 workers, 2 to aggregate: one averaged update per pair of gradients; the first stale round is dropped (test2Workers)', async (t) => {
  const c = cluster(2, 2, 2);
  const { workers } = c;
  const syncOp = workers[0].opt.getChiefQueueRunner().enqueueOps[0];
  // The chief's sync op waits in the accumulators' takeGrad; the workers apply and take
  // one of the 2 initial tokens (0).
  let sync = c.sess.runAsync(syncOp);
  await Promise.all(workers.map((w) => c.sess.runAsync(w.train)));
  await sync;
  t.is(num(c, c.globalStep), 1);
  expectClose(t, value(c, c.v0), 0 - ((0.1 + 0.3) / 2) * 2.0);
  expectClose(t, value(c, c.v1), 1 - ((0.9 + 1.1) / 2) * 2.0);
  t.deepEqual(workers.map((w) => num(c, w.train.inputs[0])), [0, 0]);

  // The local steps are 0 while the accumulators are at 1: these gradients are dropped,
  // and each worker takes a token of the update (1).
  for (const w of workers) await c.sess.runAsync(w.train);
  t.is(num(c, c.globalStep), 1);
  t.deepEqual(workers.map((w) => num(c, w.train.inputs[0])), [1, 1]);
  const accums = c.g.getOperations().filter((op) => op.type === 'ConditionalAccumulator');
  t.is(accums.length, 4);  // two per worker's optimizer, shared by name
  for (const a of accums.slice(0, 2)) {
    t.is(c.g.asDefault(() => num(c, new tf.ConditionalAccumulator('float32', { shape: [], sharedName: a.getAttr('shared_name') as string }).numAccumulated())), 0);
  }
  expectClose(t, value(c, c.v0), -0.4);

  // Now both workers must run together: each waits for a token until the chief updated.
  sync = c.sess.runAsync(syncOp);
  await Promise.all(workers.map((w) => c.sess.runAsync(w.train)));
  await sync;
  t.is(num(c, c.globalStep), 2);
  expectClose(t, value(c, c.v0), 0 - (2 * (0.1 + 0.3) / 2) * 2.0);
  expectClose(t, value(c, c.v1), 1 - (2 * (0.9 + 1.1) / 2) * 2.0);
  t.deepEqual(workers.map((w) => num(c, w.train.inputs[0])), [2, 2]);
  c.sess.close();
});

test('3 workers, 1 backup, with the chief queue runner: the late worker\'s gradients are stale and dropped (test3Workers1Backup)', async (t) => {
  // No initial tokens: every worker waits for the chief's update before its step ends.
  const c = cluster(3, 2, 0);
  const { workers } = c;
  const coord = new tf.train.Coordinator();
  const threads = workers[0].opt.getChiefQueueRunner().createThreads(c.sess, { coord, start: true });

  // Workers 0 and 2 finish first: their average is applied, and 3 tokens (1) enqueued.
  await Promise.all([c.sess.runAsync(workers[0].train), c.sess.runAsync(workers[2].train)]);
  t.is(num(c, c.globalStep), 1);
  expectClose(t, value(c, c.v0), 0 - ((0.1 + 0.5) / 2) * 2.0);
  expectClose(t, value(c, c.v1), 1 - ((0.9 + 1.3) / 2) * 2.0);

  // Worker 1 was computing at step 0: its gradients are dropped; it takes the spare token.
  await c.sess.runAsync(workers[1].train);
  t.is(num(c, c.globalStep), 1);
  t.is(num(c, workers[1].train.inputs[0]), 1);
  expectClose(t, value(c, c.v0), -0.6);

  // Workers 0 and 1 at step 1: the next update averages their gradients.
  await Promise.all([c.sess.runAsync(workers[0].train), c.sess.runAsync(workers[1].train)]);
  t.is(num(c, c.globalStep), 2);
  expectClose(t, value(c, c.v0), -0.6 - ((0.1 + 0.3) / 2) * 2.0);
  expectClose(t, value(c, c.v1), -1.2 - ((0.9 + 1.1) / 2) * 2.0);

  // The chief thread waits in takeGrad; closing the session ends it without an error.
  c.sess.close();
  for (const th of threads) th.join(10);
  t.false(threads.some((th) => th.isAlive()));
  t.false(coord.shouldStop());
});

test('errors: no global step, no gradients, chief runner and tokens before applyGradients, too few tokens', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable(new Float32Array([0]), { name: 'v' });
    const opt = new tf.train.SyncReplicasOptimizer(new tf.train.GradientDescentOptimizer(1), { replicasToAggregate: 3, totalNumReplicas: 1 });
    t.throws(() => opt.getChiefQueueRunner(), { instanceOf: tf.errors.InvalidArgumentError, message: /after apply_gradients/ });
    t.throws(() => opt.getInitTokensOp(), { instanceOf: tf.errors.InvalidArgumentError });
    t.throws(() => opt.applyGradients([[tf.constant(new Float32Array([1])), v]]), { instanceOf: tf.errors.InvalidArgumentError, message: /Global step is required/ });
    t.throws(() => opt.applyGradients([], { globalStep: tf.train.getOrCreateGlobalStep() }), { instanceOf: tf.errors.InvalidArgumentError, message: /at least one variable/ });
    opt.minimize(tf.reduceSum(v.mul(v)), { globalStep: tf.train.getGlobalStep()! });
    // replicasToAggregate 3 with 1 replica: that replica computes 3 batches per update.
    t.throws(() => opt.getInitTokensOp(1), { instanceOf: tf.errors.InvalidArgumentError, message: /Too few tokens to finish the first step: 1 \(given\) vs 2 \(needed\)/ });
    t.is(opt.getInitTokensOp().type, 'QueueEnqueueManyV2');
    t.throws(() => new tf.train.SyncReplicasOptimizer(new tf.train.GradientDescentOptimizer(1), { replicasToAggregate: 0 }), { instanceOf: tf.errors.InvalidArgumentError });
    // Gradients are anything convertible to a tensor (a JS value becomes a Const).
    const other = new tf.train.SyncReplicasOptimizer(new tf.train.GradientDescentOptimizer(1), { replicasToAggregate: 1 });
    other.applyGradients([[new Float32Array([0.5]), v]], { globalStep: tf.train.getGlobalStep()! });
    t.is(g.getOperations().filter((op) => op.type === 'ConditionalAccumulator').at(-1)!.getAttr('dtype'), 'float32');
  });
});

test('variables() and getSlot delegate to the wrapped optimizer (testFetchVariableList)', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable(new Float32Array([0]), { name: 'fetch_variable_test' });
    const globalStep = new tf.Variable(0, { name: 'global_step', trainable: false });
    const adam = new tf.train.AdamOptimizer(0.01);
    const opt = new tf.train.SyncReplicasOptimizer(adam, { replicasToAggregate: 1, totalNumReplicas: 1 });
    opt.minimize(tf.reduceSum(v), { globalStep });
    const names = opt.variables().map((x) => x.op.name);
    t.true(names.includes('beta1_power'));
    t.true(names.includes('beta2_power'));
    t.false(names.includes('sync_rep_local_step'));
    t.is(opt.getSlot(v, 'm'), adam.getSlot(v, 'm'));
    t.deepEqual(opt.getSlotNames(), ['m', 'v']);
  });
});
