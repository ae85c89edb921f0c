// tf.train.replicaDeviceSetter and GreedyLoadBalancingStrategy: the devices TF's
// device_setter_test.py (and tf.contrib.training's device_setter_test.py) expect.
import test from 'ava';
import * as tf from 'tensorgraph';
import { inGraph } from './helpers.js';

const cluster = new tf.train.ClusterSpec({
  ps: ['ps0:2222', 'ps1:2222'],
  worker: ['worker0:2222', 'worker1:2222', 'worker2:2222'],
});

/** TF's assertDeviceEqual: both sides canonical. */
const dev = (s: string) => new tf.DeviceSpec().mergeFrom(tf.DeviceSpec.fromString(s)).toString();
const setter = (o: tf.train.ReplicaDeviceSetterOptions) => {
  const fn = tf.train.replicaDeviceSetter(o);
  if (!fn) throw new Error('expected a device function');
  return fn;
};

test('cpu override: inner /cpu:0 merges into the ps and worker devices (testCPUOverride)', (t) => inGraph(() => {
  tf.device(setter({ cluster }), () => {
    const v = tf.device('/cpu:0', () => new tf.Variable([1, 2]));
    const w = new tf.Variable([2, 1]);
    const a = tf.device('/cpu:0', () => v.add(w));
    t.is(v.device, dev('/job:ps/task:0/cpu:0'));
    t.is(v.initializer.device, dev('/job:ps/task:0/cpu:0'));
    t.is(w.device, dev('/job:ps/task:1'));
    t.is(w.initializer.device, dev('/job:ps/task:1'));
    t.is(a.op.device, dev('/job:worker/cpu:0'));
  });
}));

for (const [what, c] of [
  ['a ClusterSpec', cluster],
  ['a dict', cluster.asDict()],
  ['a ClusterDef', cluster.asClusterDef()],
] as const) {
  test(`round-robin over 2 ps tasks with ${what} (testPS2TasksWithClusterSpec*)`, (t) => inGraph(() => {
    tf.device(setter({ cluster: c }), () => {
      const v = new tf.Variable([1, 2]);
      const w = new tf.Variable([2, 1]);
      const x = new tf.Variable([3, 4]);
      const a = v.add(w);
      t.is(v.device, dev('/job:ps/task:0'));
      t.is(v.initializer.device, dev('/job:ps/task:0'));
      t.is(v.read.op.device, dev('/job:ps/task:0'));
      t.is(w.device, dev('/job:ps/task:1'));
      t.is(w.initializer.device, dev('/job:ps/task:1'));
      t.is(x.device, dev('/job:ps/task:0'));
      t.is(a.op.device, dev('/job:worker'));
    });
  }));
}

test('an inner job pins a variable; an explicit /job:ps still gets a task (testPS2TasksPinVariableToJob)', (t) => inGraph(() => {
  tf.device(setter({ cluster }), () => {
    const v = new tf.Variable([1, 2]);
    let x!: tf.Variable;
    const w = tf.device('/job:moon', () => {
      const w0 = new tf.Variable([2, 1]);
      x = tf.device('/job:ps', () => new tf.Variable([0, 1]));
      return w0;
    });
    const a = v.add(w).add(x);
    t.is(v.device, dev('/job:ps/task:0'));
    t.is(w.device, dev('/job:moon'));
    t.is(w.initializer.device, dev('/job:moon'));
    t.is(x.device, dev('/job:ps/task:1'));
    t.is(x.initializer.device, dev('/job:ps/task:1'));
    t.is(a.op.device, dev('/job:worker'));
  });
}));

test('psTasks without a cluster and a ps device without a job (testPS2TasksUseCpuForPS)', (t) => inGraph(() => {
  tf.device(setter({ psTasks: 1, psDevice: '/cpu:0' }), () => {
    const v = new tf.Variable([1, 2]);
    const w = tf.device('/job:moon', () => new tf.Variable([2, 1]));
    const a = v.add(w);
    t.is(v.device, dev('/cpu:0'));
    t.is(v.initializer.device, dev('/cpu:0'));
    t.is(w.device, dev('/job:moon/cpu:0'));
    t.is(w.initializer.device, dev('/job:moon/cpu:0'));
    t.is(a.op.device, dev('/job:worker'));
  });
}));

test('mergeDevices false keeps any device an inner scope set (testPS2TasksNoMerging)', (t) => inGraph(() => {
  tf.device(setter({ cluster, mergeDevices: false }), () => {
    const v = new tf.Variable([1, 2]);
    const w = tf.device('/job:ps', () => new tf.Variable([2, 1]));
    const a = v.add(w);
    t.is(v.device, dev('/job:ps/task:0'));
    t.is(w.device, dev('/job:ps'));
    t.is(w.initializer.device, dev('/job:ps'));
    t.is(a.op.device, dev('/job:worker'));
  });
}));

test('custom ps and worker jobs, with a CPU constraint (testPS2TasksWithDevice, WithCPUConstraint)', (t) => {
  const sunMoon = new tf.train.ClusterSpec({ sun: ['sun0:2222', 'sun1:2222', 'sun2:2222'], moon: ['moon0:2222', 'moon1:2222'] });
  inGraph(() => {
    tf.device(setter({ psDevice: '/job:moon', workerDevice: '/job:sun', cluster: sunMoon.asClusterDef() }), () => {
      const v = new tf.Variable([1, 2]);
      const w = new tf.Variable([2, 1]);
      const a = v.add(w);
      t.is(v.device, dev('/job:moon/task:0'));
      t.is(w.device, dev('/job:moon/task:1'));
      t.is(w.initializer.device, dev('/job:moon/task:1'));
      t.is(a.op.device, dev('/job:sun'));
    });
  });
  inGraph(() => {
    tf.device(setter({ psDevice: '/job:moon/cpu:0', workerDevice: '/job:sun', cluster: sunMoon.asClusterDef() }), () => {
      const v = new tf.Variable([1, 2]);
      const w = new tf.Variable([2, 1]);
      const a = v.add(w);
      t.is(v.device, dev('/job:moon/task:0/cpu:0'));
      t.is(v.initializer.device, dev('/job:moon/task:0/cpu:0'));
      t.is(w.device, dev('/job:moon/task:1/cpu:0'));
      t.is(a.op.device, dev('/job:sun'));
    });
  });
});

test('worker device with a task, and an outer string scope under the setter', (t) => inGraph(() => {
  // The book's between-graph pattern: worker_device names this worker's task.
  const fn = setter({ cluster, workerDevice: '/job:worker/task:1' });
  tf.device('/device:CPU:0', () => tf.device(fn, () => {
    const v = new tf.Variable(1.5);
    const y = v.mul(2);
    t.is(v.device, dev('/job:ps/task:0/device:CPU:0'));
    t.is(y.op.device, dev('/job:worker/task:1/device:CPU:0'));
  }));
}));

test('psOps chooses which op types go to the ps; a psStrategy function picks the task', (t) => inGraph(() => {
  const seen: string[] = [];
  const fn = setter({ psTasks: 3, psOps: ['VariableV2', 'Const'], psStrategy: (op) => (seen.push(op.name), 2) });
  tf.device(fn, () => {
    const c = tf.constant(1, { name: 'c' });
    const v = new tf.Variable(c, { name: 'v' });
    t.is(c.op.device, dev('/job:ps/task:2'));
    t.is(v.device, dev('/job:ps/task:2'));
    t.deepEqual(seen, ['c', 'v']);
  });
}));

test('no ps job or no ps tasks: null, and tf.device(null) clears outer scopes as TF\'s None', (t) => {
  t.is(tf.train.replicaDeviceSetter(), null);
  t.is(tf.train.replicaDeviceSetter({ psTasks: 0 }), null);
  t.is(tf.train.replicaDeviceSetter({ cluster: { worker: ['w:1'] } }), null);
  inGraph(() => {
    const c = tf.device('/job:worker', () => tf.device(tf.train.replicaDeviceSetter({ psTasks: 0 }), () => tf.constant(1)));
    t.is(c.op.device, '');
  });
});

test('bad options are typed errors', (t) => {
  t.throws(() => tf.train.replicaDeviceSetter({ psTasks: -1 }), { instanceOf: tf.errors.InvalidArgumentError });
  t.throws(() => tf.train.replicaDeviceSetter({ psTasks: 2, psStrategy: 3 as unknown as tf.train.PsStrategy }), { instanceOf: TypeError, message: /psStrategy must be callable/ });
  t.throws(() => tf.train.replicaDeviceSetter({ psTasks: 2, workerDevice: '/job:worker/gpu:x' }), { instanceOf: tf.errors.InvalidArgumentError });
});

// tf.contrib.training device_setter_test.py: GreedyLoadBalancingStrategyTest.
test('greedy load balancing: uniform load is round-robin; byteSizeLoadFn balances bytes', (t) => {
  const build = (strategy: tf.train.GreedyLoadBalancingStrategy) => inGraph(() => tf.device(setter({ cluster, psStrategy: strategy }), () => {
    const u = new tf.Variable(tf.zeros([2, 2]));
    const v = new tf.Variable(tf.zeros([2, 1]));
    const w = new tf.Variable(tf.zeros([2, 2]));
    const x = new tf.Variable(tf.zeros([1, 3]));
    const a = v.add(w);
    t.is(a.op.device, dev('/job:worker'));
    return [u, v, w, x].map((y) => [y.device, y.initializer.device]);
  }));
  const on = (tasks: number[]) => tasks.map((i) => [dev(`/job:ps/task:${i}`), dev(`/job:ps/task:${i}`)]);
  const uniform = new tf.train.GreedyLoadBalancingStrategy(2, () => 1);
  t.deepEqual(build(uniform), on([0, 1, 0, 1]));
  t.deepEqual(uniform.psLoads, [2, 2]);
  // Bytes 16, 8, 16, 12: u->0 (loads 0,0); v->1 (16,0); w->1 (16,8); x->0 (16,24).
  const bytes = new tf.train.GreedyLoadBalancingStrategy(2, tf.train.byteSizeLoadFn);
  t.deepEqual(build(bytes), on([0, 1, 1, 0]));
  t.deepEqual(bytes.psLoads, [28, 24]);
  t.throws(() => new tf.train.GreedyLoadBalancingStrategy(0, () => 1), { instanceOf: tf.errors.InvalidArgumentError });
  // TF1's home for them.
  t.is(tf.contrib.training.GreedyLoadBalancingStrategy, tf.train.GreedyLoadBalancingStrategy);
  t.is(tf.contrib.training.byteSizeLoadFn, tf.train.byteSizeLoadFn);
});

test('byteSizeLoadFn reads a variable\'s shape attr (its output shape is unset when placed)', (t) => inGraph(() => {
  const sizes: number[] = [];
  tf.device(setter({ psTasks: 1, psStrategy: (op) => (sizes.push(tf.train.byteSizeLoadFn(op)), 0) }), () => {
    new tf.Variable(new Float64Array(6), { dtype: 'float64' });
    new tf.Variable(new Float32Array(6).fill(1).subarray(0, 6), { dtype: 'float32' });
    new tf.Variable(7, { dtype: 'int32' });
  });
  t.deepEqual(sizes, [48, 24, 4]);
  const two = tf.unstack(tf.constant([1, 2])).at(0)!.op;
  t.throws(() => tf.train.byteSizeLoadFn(two), { instanceOf: tf.errors.InvalidArgumentError, message: /single output/ });
}));
