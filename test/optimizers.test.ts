// TF1 optimizers: every optimizer runs several steps on loss = sum((theta - target)^2) and is
// compared with the update equations written out here in plain JS; graph node names, slot
// names, the global step, varList, errors, TRAIN_OP and the fused kernels' checks.
import test from 'ava';
import * as tf from 'tensorgraph';
import { ctrl, names } from './helpers.js';

type Dt = 'float32' | 'float64';
const THETA0 = [1.0, -2.0, 0.5];
const TARGET = [0.25, 1.5, -1.0];
const STEPS = 5;
/** Hyper-parameters are float32 constants (Python floats), cast to the variable's dtype. */
const F = Math.fround;

function typed(dtype: Dt, values: number[]): Float32Array | Float64Array {
  return dtype === 'float32' ? new Float32Array(values) : new Float64Array(values);
}

interface Problem {
  g: tf.Graph;
  theta: tf.Variable;
  loss: tf.Tensor;
}

function quadratic(dtype: Dt): Problem {
  const g = new tf.Graph();
  return g.asDefault(() => {
    const theta = new tf.Variable(typed(dtype, THETA0), { name: 'theta' });
    const target = tf.constant(typed(dtype, TARGET), { name: 'target' });
    const loss = tf.reduceSum(tf.square(tf.sub(theta, target)));
    return { g, theta, loss };
  });
}

/** Runs `steps` minimize steps; returns theta after each step. */
function train(dtype: Dt, makeOpt: () => tf.train.Optimizer, steps = STEPS): number[][] {
  const { g, theta, loss } = quadratic(dtype);
  return g.asDefault(() => {
    const opt = makeOpt();
    const op = opt.minimize(loss);
    const init = tf.globalVariablesInitializer();
    using sess = new tf.Session({ graph: g });
    sess.run(init);
    const out: number[][] = [];
    for (let i = 0; i < steps; i++) {
      sess.run(op);
      out.push(Array.from(sess.run(theta).data as Float64Array));
    }
    return out;
  });
}

/** The reference: `step(theta, grad, t)` updates theta in place (t = 1, 2, ...). */
function reference(step: (theta: number[], grad: number[], t: number) => void, steps = STEPS): number[][] {
  const theta = [...THETA0];
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const grad = theta.map((x, i) => 2 * (x - TARGET[i]));
    step(theta, grad, t);
    out.push([...theta]);
  }
  return out;
}

function close(t: import('ava').ExecutionContext, got: number[][], want: number[][], dtype: Dt): void {
  const rtol = dtype === 'float32' ? 2e-5 : 1e-12;
  const atol = dtype === 'float32' ? 2e-6 : 1e-13;
  t.is(got.length, want.length);
  for (let s = 0; s < want.length; s++) {
    for (let i = 0; i < want[s].length; i++) {
      const ok = Math.abs(got[s][i] - want[s][i]) <= atol + rtol * Math.abs(want[s][i]);
      if (!ok) {
        t.fail(`step ${s + 1}, element ${i}: got ${got[s][i]}, want ${want[s][i]}`);
        return;
      }
    }
  }
  t.pass();
}

// ---------- the reference update rules ----------

const zerosN = () => THETA0.map(() => 0);

function sgdRef(lr: number) {
  return reference((th, g) => th.forEach((_, i) => { th[i] -= F(lr) * g[i]; }));
}

function momentumRef(lr: number, momentum: number, nesterov: boolean) {
  const accum = zerosN();
  return reference((th, g) => th.forEach((_, i) => {
    accum[i] = accum[i] * F(momentum) + g[i];
    if (nesterov) th[i] -= g[i] * F(lr) + accum[i] * F(momentum) * F(lr);
    else th[i] -= F(lr) * accum[i];
  }));
}

function adagradRef(lr: number, init: number) {
  const accum = THETA0.map(() => init);
  return reference((th, g) => th.forEach((_, i) => {
    accum[i] += g[i] * g[i];
    th[i] -= F(lr) * g[i] / Math.sqrt(accum[i]);
  }));
}

function adadeltaRef(lr: number, rho: number, eps: number) {
  const accum = zerosN();
  const accumUpdate = zerosN();
  const [r, e] = [F(rho), F(eps)];
  return reference((th, g) => th.forEach((_, i) => {
    accum[i] = r * accum[i] + (1 - r) * g[i] * g[i];
    const update = Math.sqrt(accumUpdate[i] + e) / Math.sqrt(accum[i] + e) * g[i];
    accumUpdate[i] = r * accumUpdate[i] + (1 - r) * update * update;
    th[i] -= F(lr) * update;
  }));
}

function rmspropRef(lr: number, decay: number, momentum: number, eps: number, centered: boolean) {
  const ms = THETA0.map(() => 1);
  const mg = zerosN();
  const mom = zerosN();
  const [d, m, e] = [F(decay), F(momentum), F(eps)];
  return reference((th, g) => th.forEach((_, i) => {
    ms[i] = d * ms[i] + (1 - d) * g[i] * g[i];
    let denom = ms[i] + e;
    if (centered) {
      mg[i] = d * mg[i] + (1 - d) * g[i];
      denom = ms[i] - mg[i] * mg[i] + e;
    }
    mom[i] = m * mom[i] + F(lr) * g[i] / Math.sqrt(denom);
    th[i] -= mom[i];
  }));
}

/** beta^t as the float32 variable beta_power holds it (starts at beta, times beta after each step). */
function powerF32(beta: number, t: number): number {
  let p = F(beta);
  for (let k = 1; k < t; k++) p = F(p * F(beta));
  return p;
}

function adamRef(lr: number, beta1: number, beta2: number, eps: number, nesterov: boolean, weightDecay = 0) {
  const m = zerosN();
  const v = zerosN();
  const [b1, b2, e] = [F(beta1), F(beta2), F(eps)];
  return reference((th, g, t) => {
    const alpha = F(lr) * Math.sqrt(1 - powerF32(beta2, t)) / (1 - powerF32(beta1, t));
    th.forEach((_, i) => {
      if (weightDecay) th[i] -= F(weightDecay) * th[i];
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const mm = nesterov ? m[i] * b1 + (1 - b1) * g[i] : m[i];
      th[i] -= alpha * mm / (Math.sqrt(v[i]) + e);
    });
  });
}

function adamaxRef(lr: number, beta1: number, beta2: number, eps: number) {
  const m = zerosN();
  const v = zerosN();
  const [b1, b2, e] = [F(beta1), F(beta2), F(eps)];
  return reference((th, g, t) => th.forEach((_, i) => {
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = Math.max(b2 * v[i], Math.abs(g[i]));
    th[i] -= F(lr) / (1 - powerF32(beta1, t)) * m[i] / (v[i] + e);
  }));
}

function ftrlRef(lr: number, o: { power?: number; init?: number; l1?: number; l2?: number; shrink?: number }) {
  const power = F(o.power ?? -0.5);
  const accum = THETA0.map(() => o.init ?? 0.1);
  const linear = zerosN();
  const [a, l1, l2, shrink] = [F(lr), F(o.l1 ?? 0), F(o.l2 ?? 0), F(o.shrink ?? 0)];
  return reference((th, g) => th.forEach((_, i) => {
    const gShr = g[i] + 2 * shrink * th[i];
    const accNew = accum[i] + g[i] * g[i];
    linear[i] += gShr - (accNew ** -power - accum[i] ** -power) / a * th[i];
    const quadratic = accNew ** -power / a + 2 * l2;
    th[i] = Math.abs(linear[i]) > l1 ? (Math.sign(linear[i]) * l1 - linear[i]) / quadratic : 0;
    accum[i] = accNew;
  }));
}

// ---------- every optimizer against its reference, float32 and float64 ----------

interface Case {
  title: string;
  make: () => tf.train.Optimizer;
  want: () => number[][];
}

const cases: Case[] = [
  { title: 'GradientDescent', make: () => new tf.train.GradientDescentOptimizer(0.1), want: () => sgdRef(0.1) },
  { title: 'Momentum', make: () => new tf.train.MomentumOptimizer(0.05, 0.9), want: () => momentumRef(0.05, 0.9, false) },
  {
    title: 'Momentum (Nesterov)', make: () => new tf.train.MomentumOptimizer(0.05, 0.9, { useNesterov: true }),
    want: () => momentumRef(0.05, 0.9, true),
  },
  { title: 'Adagrad', make: () => new tf.train.AdagradOptimizer(0.3), want: () => adagradRef(0.3, 0.1) },
  {
    title: 'Adagrad (initialAccumulatorValue)', make: () => new tf.train.AdagradOptimizer(0.3, { initialAccumulatorValue: 0.5 }),
    want: () => adagradRef(0.3, 0.5),
  },
  {
    title: 'Adadelta', make: () => new tf.train.AdadeltaOptimizer(1.0, { rho: 0.9, epsilon: 1e-6 }),
    want: () => adadeltaRef(1.0, 0.9, 1e-6),
  },
  { title: 'Adadelta (defaults)', make: () => new tf.train.AdadeltaOptimizer(), want: () => adadeltaRef(0.001, 0.95, 1e-8) },
  { title: 'RMSProp', make: () => new tf.train.RMSPropOptimizer(0.01), want: () => rmspropRef(0.01, 0.9, 0, 1e-10, false) },
  {
    title: 'RMSProp (momentum)', make: () => new tf.train.RMSPropOptimizer(0.01, { decay: 0.8, momentum: 0.5, epsilon: 1e-6 }),
    want: () => rmspropRef(0.01, 0.8, 0.5, 1e-6, false),
  },
  {
    title: 'RMSProp (centered, momentum)',
    make: () => new tf.train.RMSPropOptimizer(0.01, { decay: 0.8, momentum: 0.5, epsilon: 1e-6, centered: true }),
    want: () => rmspropRef(0.01, 0.8, 0.5, 1e-6, true),
  },
  { title: 'Adam', make: () => new tf.train.AdamOptimizer(0.1), want: () => adamRef(0.1, 0.9, 0.999, 1e-8, false) },
  {
    title: 'Adam (options)', make: () => new tf.train.AdamOptimizer({ learningRate: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-4 }),
    want: () => adamRef(0.05, 0.8, 0.99, 1e-4, false),
  },
  { title: 'Ftrl', make: () => new tf.train.FtrlOptimizer(0.5), want: () => ftrlRef(0.5, {}) },
  {
    title: 'Ftrl (l1, l2)',
    make: () => new tf.train.FtrlOptimizer(0.5, { l1RegularizationStrength: 0.9, l2RegularizationStrength: 0.3 }),
    want: () => ftrlRef(0.5, { l1: 0.9, l2: 0.3 }),
  },
  {
    title: 'Ftrl (learningRatePower, initialAccumulatorValue)',
    make: () => new tf.train.FtrlOptimizer(0.5, { learningRatePower: -0.7, initialAccumulatorValue: 0.4, l1RegularizationStrength: 0.1 }),
    want: () => ftrlRef(0.5, { power: -0.7, init: 0.4, l1: 0.1 }),
  },
  {
    title: 'Ftrl (l2 shrinkage: ApplyFtrlV2)',
    make: () => new tf.train.FtrlOptimizer(0.5, {
      l1RegularizationStrength: 0.2, l2RegularizationStrength: 0.1, l2ShrinkageRegularizationStrength: 0.3,
    }),
    want: () => ftrlRef(0.5, { l1: 0.2, l2: 0.1, shrink: 0.3 }),
  },
  { title: 'AdaMax', make: () => new tf.train.AdaMaxOptimizer(0.1), want: () => adamaxRef(0.1, 0.9, 0.999, 1e-8) },
  {
    title: 'AdaMax (options)', make: () => new tf.train.AdaMaxOptimizer(0.2, { beta1: 0.7, beta2: 0.9, epsilon: 1e-3 }),
    want: () => adamaxRef(0.2, 0.7, 0.9, 1e-3),
  },
  { title: 'Nadam', make: () => new tf.train.NadamOptimizer(0.1), want: () => adamRef(0.1, 0.9, 0.999, 1e-8, true) },
  {
    title: 'AdamW', make: () => new tf.train.AdamWOptimizer(0.05, 0.1),
    want: () => adamRef(0.1, 0.9, 0.999, 1e-8, false, 0.05),
  },
  {
    title: 'AdamW (options)', make: () => new tf.train.AdamWOptimizer(0.1, { learningRate: 0.05, beta1: 0.5 }),
    want: () => adamRef(0.05, 0.5, 0.999, 1e-8, false, 0.1),
  },
];

for (const c of cases) {
  for (const dtype of ['float32', 'float64'] as const) {
    test(`${c.title} (${dtype}) follows its update rule for ${STEPS} steps`, (t) => {
      close(t, train(dtype, c.make), c.want(), dtype);
    });
  }
}

test('the references are not trivially equal (each optimizer moves theta differently)', (t) => {
  const finals = cases.map((c) => c.want()[STEPS - 1].join(','));
  t.is(new Set(finals).size, finals.length);
});

test('hyper-parameters may be tensors or functions returning them', (t) => {
  const { g, theta, loss } = quadratic('float32');
  const got = g.asDefault(() => {
    const lr = tf.placeholder('float32', { shape: [], name: 'lr' });
    const op = new tf.train.MomentumOptimizer(lr, () => tf.constant(0.9, { dtype: 'float32' })).minimize(loss);
    using sess = new tf.Session({ graph: g });
    sess.run(tf.globalVariablesInitializer());
    const out: number[][] = [];
    for (let i = 0; i < STEPS; i++) {
      sess.run(op, { lr: 0.05 });
      out.push(Array.from(sess.run(theta).data as Float32Array));
    }
    return out;
  });
  close(t, got, momentumRef(0.05, 0.9, false), 'float32');
});

test('gateGradients GATE_NONE / GATE_GRAPH give the same result as GATE_OP', (t) => {
  for (const gate of [tf.train.GATE_NONE, tf.train.GATE_GRAPH, tf.train.Optimizer.GATE_OP]) {
    const { g, theta, loss } = quadratic('float64');
    const got = g.asDefault(() => {
      const op = new tf.train.GradientDescentOptimizer(0.1).minimize(loss, { gateGradients: gate });
      using sess = new tf.Session({ graph: g });
      sess.run(tf.globalVariablesInitializer());
      sess.run(op);
      return [Array.from(sess.run(theta).data as Float64Array)];
    });
    close(t, got, sgdRef(0.1).slice(0, 1), 'float64');
  }
  const { g, loss } = quadratic('float32');
  g.asDefault(() => {
    t.throws(() => new tf.train.GradientDescentOptimizer(0.1).minimize(loss, { gateGradients: 3 }),
      { message: /gate_gradients must be one of/ });
  });
});

test('GATE_OP does not keep alive the gradient of a fed input: a training step never computes dX', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const X = tf.placeholder('float32', { shape: [null, 4], name: 'X' });
    const y = tf.placeholder('int32', { shape: [null], name: 'y' });
    const logits = tf.layers.dense(tf.layers.dense(X, 3, { activation: tf.nn.relu, name: 'h' }), 2, { name: 'o' });
    const loss = tf.reduceMean(tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits }));
    const train = new tf.train.GradientDescentOptimizer(0.1).minimize(loss);
    using sess = new tf.Session();
    sess.run(tf.globalVariablesInitializer());
    const md: tf.RunMetadata = {};
    const feeds = { X: new Float32Array([1, 2, 3, 4, 4, 3, 2, 1]), y: [0, 1] };
    sess.run(train, feeds, { traceLevel: tf.TraceLevel.FULL_TRACE }, md);
    const ran = new Set(md.stepStats!.devStats.flatMap((d) => d.nodeStats.map((n) => n.nodeName)));
    // h's gradient op builds both products; only the one for the kernel is used.
    t.true(g.getOperations().some((o) => o.name === 'gradients/h/MatMul_grad/MatMul'));
    t.false(ran.has('gradients/h/MatMul_grad/MatMul'));
    t.true(ran.has('gradients/h/MatMul_grad/MatMul_1'));
    t.true(ran.has('gradients/o/MatMul_grad/MatMul')); // dh is needed: it flows to h's kernel
  });
});

// ---------- graph structure and names ----------

test('Adam builds TF1 node names: slots, beta powers, hyper-parameters, update and train op', (t) => {
  const { g, theta, loss } = quadratic('float32');
  g.asDefault(() => {
    const opt = new tf.train.AdamOptimizer(0.1);
    const before = g.getOperations().length;
    const trainOp = opt.minimize(loss);
    const added = names(g).slice(before).filter((n) => !n.startsWith('gradients/'));
    t.deepEqual(added, [
      'beta1_power/initial_value', 'beta1_power', 'beta1_power/Assign', 'beta1_power/read',
      'beta2_power/initial_value', 'beta2_power', 'beta2_power/Assign', 'beta2_power/read',
      'theta/Adam/Initializer/zeros', 'theta/Adam', 'theta/Adam/Assign', 'theta/Adam/read',
      'theta/Adam_1/Initializer/zeros', 'theta/Adam_1', 'theta/Adam_1/Assign', 'theta/Adam_1/read',
      'Adam/learning_rate', 'Adam/beta1', 'Adam/beta2', 'Adam/epsilon',
      'Adam/update_theta/ApplyAdam',
      'Adam/mul', 'Adam/Assign', 'Adam/mul_1', 'Adam/Assign_1',
      'Adam',
    ]);
    t.is(trainOp.name, 'Adam');
    t.is(trainOp.type, 'NoOp');
    t.deepEqual(ctrl(trainOp), ['Adam/Assign', 'Adam/Assign_1', 'Adam/update_theta/ApplyAdam']);

    const apply = g.getOperationByName('Adam/update_theta/ApplyAdam');
    t.is(apply.type, 'ApplyAdam');
    t.deepEqual(apply.inputs.slice(0, 9).map((i) => i.name), [
      'theta:0', 'theta/Adam:0', 'theta/Adam_1:0', 'beta1_power/read:0', 'beta2_power/read:0',
      'Adam/learning_rate:0', 'Adam/beta1:0', 'Adam/beta2:0', 'Adam/epsilon:0',
    ]);
    t.is(apply.getAttr('T'), 'float32');
    t.is(apply.getAttr('use_locking'), false);
    t.is(apply.getAttr('use_nesterov'), false);
    t.deepEqual(apply.getAttr('_class'), ['loc:@theta']);
    t.deepEqual(apply.outputs[0].shape.dims, [3]);
    t.deepEqual(ctrl(g.getOperationByName('Adam/mul')), ['Adam/update_theta/ApplyAdam']);

    // Slots: non-trainable global variables colocated with theta, zero-initialised.
    const m = opt.getSlot(theta, 'm')!;
    const v = opt.getSlot(theta, 'v')!;
    t.is(m.name, 'theta/Adam:0');
    t.is(v.name, 'theta/Adam_1:0');
    t.false(m.trainable);
    t.is(m.initializer.name, 'theta/Adam/Assign');
    t.is(m.initialValue.name, 'theta/Adam/Initializer/zeros:0');
    for (const n of ['theta/Adam', 'theta/Adam/Initializer/zeros', 'theta/Adam/Assign', 'theta/Adam/read', 'beta1_power']) {
      t.deepEqual(g.getOperationByName(n).getAttr('_class'), ['loc:@theta'], n);
    }
    t.is(opt.getSlot(theta, 'nope'), undefined);
    t.deepEqual(opt.getSlotNames(), ['m', 'v']);
    t.deepEqual(opt.variables().map((x) => x.name), ['beta1_power:0', 'beta2_power:0', 'theta/Adam:0', 'theta/Adam_1:0']);
    t.deepEqual(tf.trainableVariables().map((x) => x.name), ['theta:0']);
    t.deepEqual(tf.globalVariables().map((x) => x.name),
      ['theta:0', 'beta1_power:0', 'beta2_power:0', 'theta/Adam:0', 'theta/Adam_1:0']);
    t.is(g.getOperationByName('beta1_power').getAttr('dtype'), 'float32');
  });
});

test('GradientDescent node names; float64 variables cast the float32 hyper-parameters', (t) => {
  const { g, loss } = quadratic('float64');
  g.asDefault(() => {
    const before = g.getOperations().length;
    const op = new tf.train.GradientDescentOptimizer(0.1).minimize(loss);
    t.deepEqual(names(g).slice(before).filter((n) => !n.startsWith('gradients/')), [
      'GradientDescent/learning_rate', 'GradientDescent/update_theta/Cast',
      'GradientDescent/update_theta/ApplyGradientDescent', 'GradientDescent',
    ]);
    t.is(op.name, 'GradientDescent');
    t.is(g.getOperationByName('GradientDescent/learning_rate').getAttr('dtype'), 'float32');
    t.is(g.getOperationByName('GradientDescent/update_theta/ApplyGradientDescent').getAttr('T'), 'float64');
  });
});

test('slot names and getSlotNames of every optimizer', (t) => {
  const expect: [() => tf.train.Optimizer, Record<string, string>][] = [
    [() => new tf.train.GradientDescentOptimizer(0.1), {}],
    [() => new tf.train.MomentumOptimizer(0.1, 0.9), { momentum: 'theta/Momentum' }],
    [() => new tf.train.AdagradOptimizer(0.1), { accumulator: 'theta/Adagrad' }],
    [() => new tf.train.AdadeltaOptimizer(), { accum: 'theta/Adadelta', accum_update: 'theta/Adadelta_1' }],
    [() => new tf.train.RMSPropOptimizer(0.1), { momentum: 'theta/RMSProp_1', rms: 'theta/RMSProp' }],
    [() => new tf.train.RMSPropOptimizer(0.1, { centered: true }),
      { mg: 'theta/RMSProp_1', momentum: 'theta/RMSProp_2', rms: 'theta/RMSProp' }],
    [() => new tf.train.AdamOptimizer(), { m: 'theta/Adam', v: 'theta/Adam_1' }],
    [() => new tf.train.FtrlOptimizer(0.1), { accum: 'theta/Ftrl', linear: 'theta/Ftrl_1' }],
    [() => new tf.train.FtrlOptimizer(0.1, { accumName: 'A', linearName: 'L' }), { accum: 'theta/A', linear: 'theta/L' }],
    [() => new tf.train.AdaMaxOptimizer(), { m: 'theta/AdaMax', v: 'theta/AdaMax_1' }],
    [() => new tf.train.NadamOptimizer(), { m: 'theta/Adam', v: 'theta/Adam_1' }],
    [() => new tf.train.AdamWOptimizer(0.01), { m: 'theta/AdamW', v: 'theta/AdamW_1' }],
    [() => new tf.train.AdamOptimizer(0.1, { name: 'Opt' }), { m: 'theta/Opt', v: 'theta/Opt_1' }],
  ];
  for (const [make, slots] of expect) {
    const { g, theta, loss } = quadratic('float32');
    g.asDefault(() => {
      const opt = make();
      const trainOp = opt.minimize(loss);
      t.is(trainOp.name, opt.getName());
      t.deepEqual(opt.getSlotNames(), Object.keys(slots).sort());
      for (const [slot, name] of Object.entries(slots)) t.is(opt.getSlot(theta, slot)!.op.name, name);
    });
  }
});

test('slot initial values: Adagrad/Ftrl accumulators, RMSProp ones, initializer node names', (t) => {
  const { g, theta, loss } = quadratic('float64');
  g.asDefault(() => {
    const ada = new tf.train.AdagradOptimizer(0.1, { initialAccumulatorValue: 0.25 });
    const rms = new tf.train.RMSPropOptimizer(0.1, { centered: true });
    const ftrl = new tf.train.FtrlOptimizer(0.1, { initialAccumulatorValue: 0.75 });
    for (const o of [ada, rms, ftrl]) o.minimize(loss);
    t.is(ada.getSlot(theta, 'accumulator')!.initialValue.name, 'theta/Adagrad/Initializer/Const:0');
    t.is(rms.getSlot(theta, 'rms')!.initialValue.name, 'theta/RMSProp/Initializer/ones:0');
    t.is(rms.getSlot(theta, 'mg')!.initialValue.name, 'theta/RMSProp_1/Initializer/zeros:0');
    using sess = new tf.Session({ graph: g });
    sess.run(tf.globalVariablesInitializer());
    const val = (v: tf.Variable) => Array.from(sess.run(v).data as Float64Array);
    t.is(ada.getSlot(theta, 'accumulator')!.dtype, 'float64');
    t.deepEqual(val(ada.getSlot(theta, 'accumulator')!), [0.25, 0.25, 0.25]);
    t.deepEqual(val(rms.getSlot(theta, 'rms')!), [1, 1, 1]);
    t.deepEqual(val(rms.getSlot(theta, 'mg')!), [0, 0, 0]);
    t.deepEqual(val(ftrl.getSlot(theta, 'accum')!), [0.75, 0.75, 0.75]);
    t.deepEqual(val(ftrl.getSlot(theta, 'linear')!), [0, 0, 0]);
  });
});

test('AdamW decays before the Adam update: AssignSub under the ApplyAdam control dependency', (t) => {
  const { g, loss } = quadratic('float32');
  g.asDefault(() => {
    new tf.train.AdamWOptimizer(0.01).minimize(loss);
    const apply = g.getOperationByName('AdamW/update_theta/ApplyAdam');
    t.deepEqual(ctrl(apply), ['AdamW/update_theta/AssignSub']);
    const sub = g.getOperationByName('AdamW/update_theta/AssignSub');
    t.deepEqual(sub.inputs.map((i) => i.name), ['theta:0', 'AdamW/update_theta/mul:0']);
    t.deepEqual(g.getOperationByName('AdamW/update_theta/mul').inputs.map((i) => i.name), ['AdamW/weight_decay:0', 'theta/read:0']);
  });
});

test('AdamW decayVarList: only the listed variables decay', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = new tf.Variable(new Float64Array([2]), { name: 'a' });
    const b = new tf.Variable(new Float64Array([2]), { name: 'b' });
    const loss = tf.add(tf.mul(a, tf.constant(0, { dtype: 'float64' })), tf.mul(b, tf.constant(0, { dtype: 'float64' })));
    const op = new tf.train.AdamWOptimizer(0.5, 0.1).minimize(loss, { decayVarList: [a] });
    t.is(g.getOperationByName('AdamW/update_b/NoOp').type, 'NoOp');
    using sess = new tf.Session({ graph: g });
    sess.run(tf.globalVariablesInitializer());
    sess.run(op);
    // Zero gradient: Adam moves nothing, so only the decay shows.
    t.deepEqual([sess.run(a).item(), sess.run(b).item()], [2 - F(0.5) * 2, 2]);
  });
});

test('Momentum, RMSProp and Nadam update ops carry TF1 attrs', (t) => {
  const { g, loss } = quadratic('float32');
  g.asDefault(() => {
    new tf.train.MomentumOptimizer(0.1, 0.9, { useNesterov: true, useLocking: true }).minimize(loss);
    const m = g.getOperationByName('Momentum/update_theta/ApplyMomentum');
    t.deepEqual(m.inputs.map((i) => i.name.replace(/gradients.*/, 'G')),
      ['theta:0', 'theta/Momentum:0', 'Momentum/learning_rate:0', 'G', 'Momentum/momentum:0']);
    t.is(m.getAttr('use_nesterov'), true);
    t.is(m.getAttr('use_locking'), true);
    new tf.train.RMSPropOptimizer(0.1, { centered: true }).minimize(loss);
    const r = g.getOperationByName('RMSProp/update_theta/ApplyCenteredRMSProp');
    t.deepEqual(r.inputs.slice(0, 8).map((i) => i.name), ['theta:0', 'theta/RMSProp_1:0', 'theta/RMSProp:0', 'theta/RMSProp_2:0',
      'RMSProp/learning_rate:0', 'RMSProp/decay:0', 'RMSProp/momentum:0', 'RMSProp/epsilon:0']);
    new tf.train.NadamOptimizer(0.1, { name: 'Nadam' }).minimize(loss);
    t.is(g.getOperationByName('Nadam/update_theta/ApplyAdam').getAttr('use_nesterov'), true);
    new tf.train.AdaMaxOptimizer(0.1).minimize(loss);
    t.deepEqual(names(g).filter((n) => n.startsWith('AdaMax') && !n.includes('/update_')),
      ['AdaMax/learning_rate', 'AdaMax/beta1', 'AdaMax/beta2', 'AdaMax/epsilon', 'AdaMax/mul', 'AdaMax/Assign', 'AdaMax']);
    new tf.train.FtrlOptimizer(0.1).minimize(loss);
    new tf.train.FtrlOptimizer(0.1, { l2ShrinkageRegularizationStrength: 0.1 }).minimize(loss);
    t.is(g.getOperationByName('Ftrl/update_theta/ApplyFtrl').type, 'ApplyFtrl');
    t.is(g.getOperationByName('Ftrl_1/update_theta/ApplyFtrlV2').type, 'ApplyFtrlV2');
  });
});

// ---------- global step, varList, errors, TRAIN_OP ----------

test('getOrCreateGlobalStep: int64 scalar "global_step" in GLOBAL_VARIABLES and GLOBAL_STEP', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    t.is(tf.train.getGlobalStep(), undefined);
    const gs = tf.nameScope('somewhere', () => tf.train.getOrCreateGlobalStep());
    t.is(gs.name, 'global_step:0');
    t.is(gs.dtype, 'int64');
    t.deepEqual(gs.shape.dims, []);
    t.deepEqual(names(g), ['global_step/Initializer/zeros', 'global_step', 'global_step/Assign', 'global_step/read']);
    t.false((gs as tf.Variable).trainable);
    t.deepEqual(tf.getCollection(tf.GraphKeys.GLOBAL_STEP), [gs]);
    t.true(tf.globalVariables().includes(gs as tf.Variable));
    t.is(tf.train.getGlobalStep(), gs);
    t.is(tf.train.getOrCreateGlobalStep(), gs);
    t.throws(() => tf.train.createGlobalStep(), { message: /"global_step" already exists/ });
  });
  const g2 = new tf.Graph();
  const gs2 = tf.train.createGlobalStep(g2);
  t.is(gs2.graph, g2);
  t.is(tf.train.getGlobalStep(g2), gs2);
});

test('minimize with globalStep: the train op is its AssignAdd and it counts runs (int64)', (t) => {
  const { g, theta, loss } = quadratic('float32');
  g.asDefault(() => {
    const gs = tf.train.getOrCreateGlobalStep();
    const opt = new tf.train.AdamOptimizer(0.1);
    const op = opt.minimize(loss, { globalStep: gs });
    t.is(op.name, 'Adam');
    t.is(op.type, 'AssignAdd');
    t.deepEqual(op.inputs.map((i) => i.name), ['global_step:0', 'Adam/value:0']);
    t.deepEqual(ctrl(g.getOperationByName('Adam/value')), ['Adam/update']);
    t.deepEqual(ctrl(g.getOperationByName('Adam/update')), ['Adam/Assign', 'Adam/Assign_1', 'Adam/update_theta/ApplyAdam']);
    t.deepEqual(op.getAttr('_class'), ['loc:@global_step']);
    using sess = new tf.Session({ graph: g });
    sess.run(tf.globalVariablesInitializer());
    for (let i = 1; i <= 3; i++) {
      sess.run(op);
      const step = sess.run(gs);
      t.is(step.dtype, 'int64');
      t.is(Number(step.item()), i);
    }
    close(t, [Array.from(sess.run(theta).data as Float32Array)], adamRef(0.1, 0.9, 0.999, 1e-8, false, 0).slice(2, 3), 'float32');
  });
});

test('varList restricts the update; other variables keep their values', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = new tf.Variable(new Float32Array([1, 2]), { name: 'a' });
    const b = new tf.Variable(new Float32Array([3]), { name: 'b' });
    const loss = tf.add(tf.reduceSum(tf.square(a)), tf.reduceSum(tf.square(b)));
    const opt = new tf.train.MomentumOptimizer(0.1, 0.5);
    const gv = opt.computeGradients(loss, { varList: [b] });
    t.is(gv.length, 1);
    t.is(gv[0][1], b);
    const op = opt.minimize(loss, { varList: [b] });
    t.is(opt.getSlot(a, 'momentum'), undefined);
    t.truthy(opt.getSlot(b, 'momentum'));
    t.false(names(g).includes('Momentum/update_a/ApplyMomentum'));
    using sess = new tf.Session({ graph: g });
    sess.run(tf.globalVariablesInitializer());
    sess.run(op);
    t.deepEqual(Array.from(sess.run(a).data as Float32Array), [1, 2]);
    t.is(sess.run(b).item(), F(3 - F(0.1) * 6));
  });
});

test('computeGradients: [grad, var] pairs, undefined where the loss does not depend on a variable', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = new tf.Variable(new Float32Array([1, 2]), { name: 'a' });
    const unused = new tf.Variable(new Float32Array([5]), { name: 'unused' });
    const frozen = new tf.Variable(new Float32Array([5]), { name: 'frozen', trainable: false });
    void frozen;
    const loss = tf.reduceSum(tf.square(a));
    const gv = new tf.train.GradientDescentOptimizer(0.1).computeGradients(loss);
    t.deepEqual(gv.map(([, v]) => v.name), ['a:0', 'unused:0']);
    t.truthy(gv[0][0]);
    t.is(gv[1][0], undefined);
    using sess = new tf.Session({ graph: g });
    sess.run(tf.globalVariablesInitializer());
    t.deepEqual(Array.from(sess.run(gv[0][0]!).data as Float32Array), [2, 4]);
    // The unused variable is skipped by applyGradients.
    const op = new tf.train.GradientDescentOptimizer(0.1).applyGradients(gv);
    t.false(names(g).some((n) => n.includes('update_unused')));
    sess.run(op);
    t.is(sess.run(unused).item(), 5);
  });
});

test('errors: no gradient for any variable, no variables, invalid dtypes, bad options', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const opt = new tf.train.AdamOptimizer();
    t.throws(() => opt.minimize(tf.constant(1, { dtype: 'float32' })), { message: 'No variables to optimize.' });
    const a = new tf.Variable(new Float32Array([1, 2]), { name: 'a' });
    const loss = tf.reduceSum(tf.constant(new Float32Array([3])));
    t.throws(() => opt.minimize(loss), {
      instanceOf: tf.errors.InvalidArgumentError,
      message: /^No gradients provided for any variable, check your graph for ops that do not support gradients, between variables \["<tf.Variable 'a:0' shape=\(2,\) dtype=float32_ref>"\] and loss Tensor\("Sum:0"/,
    });
    t.throws(() => opt.applyGradients([[undefined, a]]), { message: /^No gradients provided for any variable: \["<tf.Variable 'a:0'/ });
    t.throws(() => opt.applyGradients([]), { message: 'No variables provided.' });
    t.throws(() => opt.minimize(tf.constant(1)), { message: /^Invalid type int32 for Const_\d+:0, expected: \[float16, bfloat16, float32, float64\]\.$/ });
    t.throws(() => new tf.train.AdagradOptimizer(0.1, { initialAccumulatorValue: 0 }), { message: /must be positive/ });
    t.throws(() => new tf.train.FtrlOptimizer(0.1, { learningRatePower: 0.5 }), { message: /needs to be negative or zero/ });
    t.throws(() => new tf.train.FtrlOptimizer(0.1, { l1RegularizationStrength: -1 }), { message: /needs to be positive or zero/ });
    t.throws(() => new tf.train.AdamOptimizer(0.1, { name: '' }), { message: 'Must specify the optimizer name' });
    // Nothing was added to the graph by the failed calls' update scopes.
    t.false(names(g).some((n) => n.startsWith('Adam')));
  });
});

test('TRAIN_OP collection holds each training op once', (t) => {
  const { g, loss } = quadratic('float32');
  g.asDefault(() => {
    const opt = new tf.train.GradientDescentOptimizer(0.1);
    const op1 = opt.minimize(loss);
    const op2 = opt.minimize(loss, { name: 'train' });
    t.is(op2.name, 'train');
    const op3 = opt.minimize(loss);
    t.is(op3.name, 'GradientDescent_1');
    t.deepEqual(tf.getCollection(tf.GraphKeys.TRAIN_OP), [op1, op2, op3]);
  });
});

test('minimize twice with one optimizer reuses its slots and beta powers', (t) => {
  const { g, theta, loss } = quadratic('float32');
  g.asDefault(() => {
    const opt = new tf.train.AdamOptimizer(0.1);
    const op1 = opt.minimize(loss);
    const m = opt.getSlot(theta, 'm');
    const op2 = opt.minimize(loss);
    t.is(op2.name, 'Adam_1');
    t.is(opt.getSlot(theta, 'm'), m);
    t.false(names(g).includes('theta/Adam_2'));
    t.false(names(g).includes('beta1_power_1'));
    t.deepEqual(g.getOperationByName('Adam_1/update_theta/ApplyAdam').inputs[1].name, 'theta/Adam:0');
    // Running both ops is two Adam steps sharing one state.
    using sess = new tf.Session({ graph: g });
    sess.run(tf.globalVariablesInitializer());
    sess.run(op1);
    sess.run(op2);
    close(t, [Array.from(sess.run(theta).data as Float32Array)], adamRef(0.1, 0.9, 0.999, 1e-8, false).slice(1, 2), 'float32');
  });
});

test('two variables: beta powers colocate with the first by name; both update', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const w = new tf.Variable(new Float64Array([1, 2]), { name: 'w' });
    const b = new tf.Variable(new Float64Array([0.5]), { name: 'b' });
    const loss = tf.add(tf.reduceSum(tf.square(w)), tf.reduceSum(tf.square(b)));
    const op = new tf.train.AdamOptimizer(0.1).minimize(loss);
    t.deepEqual(g.getOperationByName('beta1_power').getAttr('_class'), ['loc:@b']);
    t.deepEqual(ctrl(op), ['Adam/Assign', 'Adam/Assign_1', 'Adam/update_b/ApplyAdam', 'Adam/update_w/ApplyAdam']);
    using sess = new tf.Session({ graph: g });
    sess.run(tf.globalVariablesInitializer());
    sess.run(op);
    // First Adam step: each element moves by lr * sign(grad) (up to epsilon).
    const lr = F(0.1);
    const got = [...Array.from(sess.run(w).data as Float64Array), sess.run(b).item() as number];
    [1 - lr, 2 - lr, 0.5 - lr].forEach((x, i) => t.true(Math.abs(got[i] - x) < 1e-7));
  });
});

// ---------- the fused kernels ----------

test('ApplyX with explicit gradients (applyGradients) and ops colocated with the variable', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable(new Float32Array([1, 2, 3]), { name: 'v' });
    const grad = tf.constant(new Float32Array([1, -1, 0.5]));
    const op = new tf.train.GradientDescentOptimizer(0.5).applyGradients([[grad, v]]);
    using sess = new tf.Session({ graph: g });
    sess.run(v.initializer);
    sess.run(op);
    t.deepEqual(Array.from(sess.run(v).data as Float32Array), [0.5, 2.5, 2.75]);
    sess.run(op);
    t.deepEqual(Array.from(sess.run(v).data as Float32Array), [0, 3, 2.5]);
  });
});

test('a value read before the update keeps the old value (copy-on-write)', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable(new Float32Array([1, 2, 3]), { name: 'v' });
    const before = tf.identity(v.value(), { name: 'before' });
    const grad = tf.constant(new Float32Array([1, 1, 1]));
    const op = tf.controlDependencies([before], () => new tf.train.GradientDescentOptimizer(1).applyGradients([[grad, v]]));
    using sess = new tf.Session({ graph: g });
    sess.run(v.initializer);
    const [old] = sess.run([before, op]);
    t.deepEqual(Array.from(old!.data as Float32Array), [1, 2, 3]);
    t.deepEqual(Array.from(sess.run(v).data as Float32Array), [0, 1, 2]);
  });
});

test('uninitialized slot: FailedPrecondition naming the slot variable', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable(new Float32Array([1, 2, 3]), { name: 'theta' });
    const grad = tf.constant(new Float32Array([1, 1, 1]));
    const op = new tf.train.MomentumOptimizer(0.1, 0.9).applyGradients([[grad, v]]);
    using sess = new tf.Session({ graph: g });
    sess.run(v.initializer);
    const err = t.throws(() => sess.run(op), { instanceOf: tf.errors.FailedPreconditionError });
    t.regex(err!.message, /Attempting to use uninitialized value theta\/Momentum/);
  });
});

test('uninitialized variable: FailedPrecondition from the Apply kernel', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable(new Float64Array([1, 2, 3]), { name: 'theta' });
    const op = new tf.train.GradientDescentOptimizer(0.1).applyGradients([[tf.constant(new Float64Array([1, 1, 1])), v]]);
    using sess = new tf.Session({ graph: g });
    const err = t.throws(() => sess.run(op), { instanceOf: tf.errors.FailedPreconditionError });
    t.regex(err!.message, /Attempting to use uninitialized value theta\b/);
  });
});

test('concurrent runs of one update op never lose an update', async (t) => {
  const g = new tf.Graph();
  const n = 50000;
  await g.asDefault(async () => {
    const v = new tf.Variable(new Float32Array(n), { name: 'v' });
    const op = new tf.train.MomentumOptimizer(1, 0).applyGradients([[tf.constant(new Float32Array(n).fill(1)), v]]);
    using sess = new tf.Session({ graph: g, config: { interOpParallelismThreads: 4 } });
    sess.run(tf.globalVariablesInitializer());
    await Promise.all(Array.from({ length: 16 }, () => sess.runAsync(op)));
    const got = sess.run(v).data as Float32Array;
    t.true(got.every((x) => x === -16));
  });
});

test('shape checks: static mismatches at construction, dynamic ones in the kernel', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable(new Float32Array([1, 2, 3]), { name: 'v' });
    const opt = new tf.train.GradientDescentOptimizer(0.1);
    t.throws(() => opt.applyGradients([[tf.constant(new Float32Array([1, 2])), v]]), {
      instanceOf: tf.errors.InvalidArgumentError, message: /Dimension 0 in both shapes must be equal, but are 3 and 2/,
    });
    t.throws(() => new tf.train.GradientDescentOptimizer(tf.constant(new Float32Array([0.1, 0.2]))).applyGradients(
      [[tf.constant(new Float32Array([1, 2, 3])), v]]), { instanceOf: tf.errors.InvalidArgumentError, message: /Shape must be rank 0 but is rank 1/ });
    t.throws(() => opt.applyGradients([[tf.constant(new Float64Array([1, 2, 3])), v]]), { instanceOf: tf.errors.InvalidArgumentError });

    const gp = tf.placeholder('float32', { shape: [null], name: 'gp' });
    const op = opt.applyGradients([[gp, v]]);
    using sess = new tf.Session({ graph: g });
    sess.run(v.initializer);
    const err = t.throws(() => sess.run(op, { gp: new Float32Array([1, 2]) }), { instanceOf: tf.errors.InvalidArgumentError });
    t.regex(err!.message, /var and grad do not have the same shape\[3\] \[2\]/);
    sess.run(op, { gp: new Float32Array([10, 10, 10]) });
    t.deepEqual(Array.from(sess.run(v).data as Float32Array), [0, 1, 2]);
  });
});

test('Apply ops accept only float32 / float64 and are not differentiable', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable(new Int32Array([1, 2, 3]), { name: 'iv' });
    t.throws(() => new tf.train.GradientDescentOptimizer(0.1).applyGradients([[tf.constant(new Int32Array([1, 1, 1])), v]]),
      { instanceOf: tf.errors.InvalidArgumentError });
    t.is(tf.getGradientFunction('ApplyAdam'), null);
    t.deepEqual(tf.getOpDef('ApplyAdam').inputs.filter((a) => a.isRef).map((a) => a.name), ['var', 'm', 'v']);
    t.true(tf.getOpDef('ApplyFtrlV2').outputs[0].isRef);
  });
});

test('a larger variable (parallel update path) matches the reference', (t) => {
  const n = 100000;
  const g = new tf.Graph();
  g.asDefault(() => {
    const init = new Float32Array(n).map((_, i) => Math.sin(i));
    const gradV = new Float32Array(n).map((_, i) => Math.cos(i));
    const v = new tf.Variable(init, { name: 'big' });
    const op = new tf.train.AdamOptimizer(0.01).applyGradients([[tf.constant(gradV), v]]);
    using sess = new tf.Session({ graph: g });
    sess.run(tf.globalVariablesInitializer());
    sess.run(op);
    const got = sess.run(v).data as Float32Array;
    const alpha = F(0.01) * Math.sqrt(1 - F(0.999)) / (1 - F(0.9));
    let maxErr = 0;
    for (let i = 0; i < n; i++) {
      const m = (1 - F(0.9)) * gradV[i];
      const vv = (1 - F(0.999)) * gradV[i] * gradV[i];
      const want = init[i] - alpha * m / (Math.sqrt(vv) + F(1e-8));
      maxErr = Math.max(maxErr, Math.abs(got[i] - want));
    }
    t.true(maxErr < 1e-5, `max error ${maxErr}`);
  });
});

test('inside a variable scope: slots are named in it, other ops follow the name scope', (t) => {
  const { g, theta, loss } = quadratic('float32');
  g.asDefault(() => {
    const opt = new tf.train.AdamOptimizer(0.1);
    const op = tf.variableScope('train', () => opt.minimize(loss));
    t.is(opt.getSlot(theta, 'm')!.op.name, 'train/theta/Adam');
    t.is(opt.getSlot(theta, 'v')!.op.name, 'train/theta/Adam_1');
    t.is(opt.variables()[0].op.name, 'train/beta1_power');
    t.is(op.name, 'train/Adam');
    t.true(names(g).includes('train/Adam/update_theta/ApplyAdam'));
  });
});

test('inside a name scope: slots keep root names, the update ops and beta powers follow the scope', (t) => {
  const { g, theta, loss } = quadratic('float32');
  g.asDefault(() => {
    const opt = new tf.train.AdamOptimizer(0.1);
    const op = tf.nameScope('outer', () => opt.minimize(loss));
    t.is(opt.getSlot(theta, 'm')!.op.name, 'theta/Adam');
    t.is(opt.variables()[0].op.name, 'outer/beta1_power');
    t.is(op.name, 'outer/Adam');
  });
});
