// Synchronous data-parallel training with tf.train.SyncReplicasOptimizer, in one process:
// two replicas (between-graph style: each builds its own loss and its own
// SyncReplicasOptimizer over the shared variables) train y = 3x + 2 on their own data
// shards. Each step, both replicas' train ops run at once (runAsync); the chief's queue
// runner averages their gradients, applies one update and hands both a token for the next
// step. With a cluster the same code runs per worker under tf.train.replicaDeviceSetter
// (docs/distributed.md).
import * as tf from 'tensorgraph';
import { intArg, parseArgs } from './common.js';

const args = parseArgs(process.argv.slice(2));
const steps = intArg(args, 'steps', 200);
const numReplicas = 2;
const batch = 16;

const globalStep = tf.train.getOrCreateGlobalStep();
const w = new tf.Variable(0.0, { name: 'w', dtype: 'float32' });
const b = new tf.Variable(0.0, { name: 'b', dtype: 'float32' });

const replicas = Array.from({ length: numReplicas }, (_, id) => tf.nameScope(`replica_${id}`, () => {
  const x = tf.placeholder('float32', { shape: [batch], name: 'x' });
  const y = tf.placeholder('float32', { shape: [batch], name: 'y' });
  const loss = tf.reduceMean(tf.square(w.mul(x).add(b).sub(y)), { name: 'mse' });
  const opt = new tf.train.SyncReplicasOptimizer(new tf.train.GradientDescentOptimizer(0.1), {
    replicasToAggregate: numReplicas, totalNumReplicas: numReplicas,
  });
  const train = opt.minimize(loss, { globalStep });
  return { id, x, y, loss, opt, train };
}));
const chief = replicas[0];

const sess = new tf.Session();
sess.run(tf.globalVariablesInitializer());
// What the chief's session hook does: set the accumulators' step, start the sync thread.
// Every replica copies the global step into its local step. No initial tokens: each step
// ends only once the chief applied the averaged update.
for (const r of replicas) sess.run(r === chief ? r.opt.chiefInitOp! : r.opt.localStepInitOp!);
sess.run(chief.opt.getInitTokensOp(0));
const coord = new tf.train.Coordinator();
chief.opt.getChiefQueueRunner().createThreads(sess, { coord, start: true });

// Replica r's shard: x in [r, r + 1).
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
function shard(r: number): [Float32Array, Float32Array] {
  const xs = Float32Array.from({ length: batch }, () => r + rand());
  return [xs, xs.map((v) => 3 * v + 2)];
}

for (let step = 1; step <= steps; step++) {
  const feeds = replicas.map((r) => shard(r.id));
  const losses = await Promise.all(replicas.map((r, i) => sess.runAsync([r.loss, r.train], [[r.x, feeds[i][0]], [r.y, feeds[i][1]]])));
  if (step % 50 === 0 || step === 1) {
    console.log(`step ${step}: replica losses ${losses.map((l) => Number((l[0] as tf.NDArray).item()).toFixed(5)).join(' ')}`);
  }
}
const [wv, bv, gs] = sess.run([w, b, globalStep]).map((v) => Number(v.item()));
console.log(`global step = ${gs}`);
console.log(`w = ${wv.toFixed(4)}, b = ${bv.toFixed(4)}`);
sess.close();
