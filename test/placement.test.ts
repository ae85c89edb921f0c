// Placement with several CPU devices: pinning, colocation, logging, soft placement.
import test from 'ava';
import * as tf from 'tensorgraph';
import { captureLog } from './helpers.js';

const CPU = (i: number) => `/job:localhost/replica:0/task:0/device:CPU:${i}`;

test.serial('pinned ops land where pinned; logDevicePlacement prints one exact line per node', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = tf.device('/cpu:1', () => tf.constant(2, { name: 'a' }));
    const b = tf.device('/device:CPU:0', () => tf.constant(3, { name: 'b' }));
    const c = tf.device('/cpu:1', () => tf.multiply(a, b, { name: 'c' }));
    const d = c.add(1);
    using sess = new tf.Session({ config: { deviceCount: { CPU: 2 }, logDevicePlacement: true } });
    t.deepEqual(sess.listDevices().map((x) => x.name), [CPU(0), CPU(1)]);
    let value = 0;
    const lines = captureLog(() => { value = sess.run(d).item() as number; });
    t.is(value, 7);
    t.deepEqual(lines, [`a: ${CPU(1)}`, `b: ${CPU(0)}`, `c: ${CPU(1)}`, `add/y: ${CPU(0)}`, `add: ${CPU(0)}`]);
    // Placement is decided once: a second run logs nothing new.
    t.deepEqual(captureLog(() => sess.run(d)), []);
  });
});

test.serial('a variable, its Assign and read are colocated', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = tf.device('/cpu:1', () => new tf.Variable(1, { name: 'v' }));
    const y = v.add(1);
    using sess = new tf.Session({ config: { deviceCount: { CPU: 2 }, logDevicePlacement: true } });
    const lines = captureLog(() => {
      sess.run(v.initializer);
      sess.run(y);
    });
    t.true(lines.includes(`v: ${CPU(1)}`));
    t.true(lines.includes(`v/Assign: ${CPU(1)}`));
    t.true(lines.includes(`v/read: ${CPU(1)}`));
    t.true(lines.includes(`add: ${CPU(0)}`));
  });
});

test.serial('a missing device fails without soft placement and falls back with it', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = tf.device('/cpu:3', () => tf.constant(1, { name: 'far' }));
    const gpu = tf.device('/gpu:0', () => tf.constant(2, { name: 'on_gpu' }));
    using strict = new tf.Session({ config: { deviceCount: { CPU: 2 } } });
    const e = t.throws(() => strict.run(a), { instanceOf: tf.errors.InvalidArgumentError });
    t.regex(e!.message, /Cannot assign a device for operation far: Operation was explicitly assigned to \/device:CPU:3 but available devices are \[ \/job:localhost\/replica:0\/task:0\/device:CPU:0, \/job:localhost\/replica:0\/task:0\/device:CPU:1 \]/);
    t.is(e!.op, 'far');
    t.throws(() => strict.run(gpu), { instanceOf: tf.errors.InvalidArgumentError, message: /explicitly assigned to \/device:GPU:0/ });
    using soft = new tf.Session({ config: { deviceCount: { CPU: 2 }, allowSoftPlacement: true, logDevicePlacement: true } });
    let r: number[] = [];
    const lines = captureLog(() => { r = soft.run([a, gpu]).map((x) => x.item() as number); });
    t.deepEqual(r, [1, 2]);
    t.deepEqual(lines.sort(), [`far: ${CPU(0)}`, `on_gpu: ${CPU(0)}`]);
  });
});

test.serial('independent branches on two devices run concurrently (traced node intervals overlap)', (t) => {
  const g = new tf.Graph();
  const n = 384;
  const { a, b } = g.asDefault(() => {
    const chain = (dev: string, name: string) => tf.device(dev, () => tf.nameScope(name, () => {
      const m = tf.constant(tf.NDArray.from(new Float32Array(n * n).fill(1 / n), 'float32', [n, n]));
      let y = m;
      for (let i = 0; i < 12; i++) y = tf.matmul(y, m);
      return y;
    }));
    return { a: chain('/cpu:0', 'left'), b: chain('/cpu:1', 'right') };
  });
  using sess = new tf.Session({ graph: g, config: { deviceCount: { CPU: 2 }, interOpParallelismThreads: 2 } });
  sess.run([a, b]);
  const meta: tf.RunMetadata = {};
  const [ra, rb] = sess.run([a, b], undefined, { traceLevel: tf.TraceLevel.FULL_TRACE }, meta);
  t.true(Math.abs((ra.get(0, 0) as number) - 1 / n) < 1e-6);
  t.true(Math.abs((rb.get(0, 0) as number) - 1 / n) < 1e-6);
  const devs = meta.stepStats!.devStats;
  t.deepEqual(devs.map((d) => d.device).sort(), [CPU(0), CPU(1)]);
  const spans = (prefix: string) => devs.flatMap((d) => d.nodeStats)
    .filter((s) => s.nodeName.startsWith(prefix) && s.nodeName.includes('MatMul'))
    .map((s) => [s.allStartMicros, s.allStartMicros + s.allEndRelMicros]);
  const left = spans('left/');
  const right = spans('right/');
  t.is(left.length, 12);
  t.is(right.length, 12);
  const overlaps = left.some(([s1, e1]) => right.some(([s2, e2]) => s1 < e2 && s2 < e1));
  t.true(overlaps, 'some MatMul of one branch ran while one of the other branch was running');
});

test.serial('listDevices reports TF1 device attributes; GPUs only where the CUDA backend finds one', (t) => {
  using sess = new tf.Session({ config: { deviceCount: { CPU: 2, GPU: 0 } } });
  t.deepEqual(sess.listDevices().map((d) => [d.name, d.deviceType, d.memoryLimitBytes]),
    [[CPU(0), 'CPU', 268435456], [CPU(1), 'CPU', 268435456]]);
  // All GPUs (the default): on a machine without one this is just the CPU, and an op pinned
  // to /gpu:0 then needs soft placement.
  using all = new tf.Session({ config: { gpuOptions: { allowGrowth: true } } });
  const gpus = all.listDevices().filter((d) => d.deviceType === 'GPU');
  for (const [i, d] of gpus.entries()) {
    t.is(d.name, `/job:localhost/replica:0/task:0/device:GPU:${i}`);
    t.regex(d.physicalDeviceDesc, /compute capability: \d+\.\d+/);
    t.true(d.memoryLimitBytes > 0);
  }
  t.is(all.listDevices().length, 1 + gpus.length);
});

test.serial('gpuOptions are checked: a negative memory fraction is an InvalidArgumentError', (t) => {
  t.throws(() => new tf.Session({ config: { gpuOptions: { perProcessGpuMemoryFraction: -0.5 } } }),
    { instanceOf: tf.errors.InvalidArgumentError, message: /perProcessGpuMemoryFraction must be >= 0/ });
});

test.serial('gpuOptions the runtime does not act on are rejected by name, not ignored', (t) => {
  const config = { gpuOptions: { forceGpuCompatible: true } } as unknown as tf.ConfigProto;
  t.throws(() => new tf.Session({ config }), {
    instanceOf: tf.errors.InvalidArgumentError,
    message: /ConfigProto\.gpuOptions\.forceGpuCompatible is not supported; the GPU options are perProcessGpuMemoryFraction, allowGrowth, visibleDeviceList/,
  });
});
