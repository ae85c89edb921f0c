// Training throughput against TF1 (graph mode) and PyTorch, side by side (issue 6).
//   npx tsx bench/train.ts [--threads N] [--seconds S] [--rounds R] [--only mlp-50,cnn-64]
//                          [--peers tf1,torch|none] [--warmup N] [--inter-op N] [--no-install] [--profile]
// Models, identical in the three frameworks (float32, synthetic MNIST-shaped batches):
//   MLP 784-300-100-10 ReLU, sparse softmax cross-entropy mean, SGD 0.01, batches 50/128/1024;
//   LeNet-5-style CNN of examples/mnist_cnn.ts (no dropout), Adam 1e-3, batch 64.
// One step = one training update on one fed batch (here one sess.run of the train op, fed
// from pre-built typed arrays, rotating over a few batches). Each framework runs its warm-up
// steps, then steps for --seconds of wall time, with the same thread count (default: all
// cores) and the same OpenMP settings. The frameworks take turns, --rounds times per config,
// and each one's best round counts (other load on the machine hits every one alike).
// Prints steps/s per framework and ours/peer ratios (>1: tensorgraph is faster).
// The peers (bench/peers/*.py) run in a Python venv made by bench/peers/setup.sh on first
// use; a peer that cannot be installed or imported is skipped with the reason.
// --profile: after timing ours, a few traced runs print where a step's time goes, per op type.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeedDict, Graph, RunMetadata } from 'tensorgraph';

// ---------- options ----------

const argv = process.argv.slice(2);
const flags = new Set<string>();
const opts: Record<string, string> = {};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === '--no-install' || a === '--profile') flags.add(a.slice(2));
  else if (a.startsWith('--') && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) opts[a.slice(2)] = argv[++i]!;
  else throw new Error(`bench/train.ts: unexpected argument ${a} (see the header of bench/train.ts)`);
}
function posInt(name: string, dflt: number): number {
  if (opts[name] === undefined) return dflt;
  const v = Number(opts[name]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer, got ${opts[name]}`);
  return v;
}
const threads = posInt('threads', availableParallelism());
const interOp = posInt('inter-op', threads);
const rounds = posInt('rounds', 3);
const seconds = Number(opts.seconds ?? 5);
if (!(seconds > 0)) throw new Error(`--seconds must be positive, got ${opts.seconds}`);

interface Config {
  name: string;
  model: 'mlp' | 'cnn';
  batch: number;
}
const allConfigs: Config[] = [
  { name: 'mlp-50', model: 'mlp', batch: 50 },
  { name: 'mlp-128', model: 'mlp', batch: 128 },
  { name: 'mlp-1024', model: 'mlp', batch: 1024 },
  { name: 'cnn-64', model: 'cnn', batch: 64 },
];
const only = opts.only?.split(',');
const configs = only ? allConfigs.filter((c) => only.includes(c.name)) : allConfigs;
if (configs.length === 0) throw new Error(`--only matched no config (${allConfigs.map((c) => c.name).join(', ')})`);
const warmupOf = (c: Config) => posInt('warmup', c.model === 'mlp' ? 20 : 10);

// oneDNN (ours), MKL and oneDNN (PyTorch) run on OpenMP: every process gets the same thread
// count and the same wait policy. tensorgraph makes idle OpenMP workers sleep (PASSIVE,
// src/native.ts) unless OMP_WAIT_POLICY is set, so the peers get that too; spinning workers
// collapse when anything else wants the cores. libgomp reads both when the addon loads, so
// they are set before tensorgraph is imported (dynamically, below).
process.env.OMP_NUM_THREADS = String(threads);
process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
const tf = await import('tensorgraph');

// ---------- synthetic batches ----------

const N_BATCHES = 4; // pre-generated batches rotated over, as the peers do

/** mulberry32: a small seeded PRNG, so every run trains on the same numbers. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pixels uniform in [0, 1), labels uniform in 0..9 (the values do not change the work done). */
function makeBatches(batch: number): { xs: Float32Array[]; ys: Int32Array[] } {
  const r = rng(42);
  const xs: Float32Array[] = [];
  const ys: Int32Array[] = [];
  for (let b = 0; b < N_BATCHES; b++) {
    xs.push(Float32Array.from({ length: batch * 784 }, r));
    ys.push(Int32Array.from({ length: batch }, () => Math.floor(r() * 10)));
  }
  return { xs, ys };
}

/** Runs step(i) `warmup` times, then until `seconds` have passed; steps per second. */
function timeSteps(step: (i: number) => void, warmup: number): number {
  for (let i = 0; i < warmup; i++) step(i);
  let n = 0;
  const start = performance.now();
  for (;;) {
    step(n++);
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= seconds) return n / elapsed;
  }
}

// ---------- tensorgraph ----------

/** The model of `c` in a graph of its own; the same layers as examples/mnist_{mlp,cnn}.ts. */
function buildModel(c: Config) {
  const graph = new tf.Graph();
  return graph.asDefault(() => {
    const X = tf.placeholder('float32', { shape: [null, 784], name: 'X' });
    const y = tf.placeholder('int32', { shape: [null], name: 'y' });
    let logits;
    if (c.model === 'mlp') {
      const h1 = tf.layers.dense(X, 300, { activation: tf.nn.relu, name: 'hidden1' });
      const h2 = tf.layers.dense(h1, 100, { activation: tf.nn.relu, name: 'hidden2' });
      logits = tf.layers.dense(h2, 10, { name: 'outputs' });
    } else {
      const images = tf.reshape(X, [-1, 28, 28, 1]);
      const conv1 = tf.layers.conv2d(images, 32, 5, { padding: 'same', activation: tf.nn.relu, name: 'conv1' });
      const pool1 = tf.layers.maxPooling2d(conv1, 2, 2, { name: 'pool1' });
      const conv2 = tf.layers.conv2d(pool1, 64, 5, { padding: 'same', activation: tf.nn.relu, name: 'conv2' });
      const pool2 = tf.layers.maxPooling2d(conv2, 2, 2, { name: 'pool2' });
      const flat = tf.layers.flatten(pool2, { name: 'flatten' });
      const fc1 = tf.layers.dense(flat, 256, { activation: tf.nn.relu, name: 'fc1' });
      logits = tf.layers.dense(fc1, 10, { name: 'outputs' });
    }
    const loss = tf.reduceMean(tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits }));
    const optimizer = c.model === 'mlp' ? new tf.train.GradientDescentOptimizer(0.01) : new tf.train.AdamOptimizer(1e-3);
    return { graph, X, y, trainOp: optimizer.minimize(loss), init: tf.globalVariablesInitializer() };
  });
}

/** A session training `c`: each call times one round (warm-up, then --seconds) in steps/s. */
function oursRunner(c: Config): { round: () => number; close: () => void } {
  const { graph, X, y, trainOp, init } = buildModel(c);
  const config = new tf.ConfigProto({ intraOpParallelismThreads: threads, interOpParallelismThreads: interOp });
  const sess = new tf.Session({ graph, config });
  sess.run(init);
  const { xs, ys } = makeBatches(c.batch);
  const feeds = (i: number): FeedDict => [[X, xs[i % N_BATCHES]!], [y, ys[i % N_BATCHES]!]];
  let best = 0;
  return {
    round: () => {
      const rate = timeSteps((i) => sess.run(trainOp, feeds(i)), warmupOf(c));
      best = Math.max(best, rate);
      return rate;
    },
    close: () => {
      if (flags.has('profile')) {
        profile(c, graph, (i, md) => sess.run(trainOp, feeds(i), { traceLevel: tf.TraceLevel.FULL_TRACE }, md), best);
      }
      sess.close();
    },
  };
}

/** Mean time per step of each op type over traced runs, biggest first. */
function profile(c: Config, graph: Graph, traced: (i: number, md: RunMetadata) => void, rate: number): void {
  const runs = 30;
  const byType = new Map<string, { us: number; count: number }>();
  for (let i = 0; i < runs; i++) {
    const md: RunMetadata = {};
    traced(i, md);
    for (const dev of md.stepStats?.devStats ?? []) {
      for (const n of dev.nodeStats) {
        let type = n.nodeName;
        try {
          type = graph.getOperationByName(n.nodeName).type;
        } catch { /* a node the runtime added: keep its name */ }
        const e = byType.get(type) ?? { us: 0, count: 0 };
        e.us += n.allEndRelMicros;
        e.count++;
        byType.set(type, e);
      }
    }
  }
  const rows = [...byType].sort((a, b) => b[1].us - a[1].us);
  const total = rows.reduce((s, [, e]) => s + e.us, 0) / runs;
  console.log(`profile ${c.name}: ${(1e6 / rate).toFixed(0)} µs per untraced step; ` +
    `op time summed over nodes ${total.toFixed(0)} µs per traced step`);
  for (const [type, e] of rows.slice(0, 15)) {
    console.log(`  ${type.padEnd(34)} ${(e.us / runs).toFixed(0).padStart(7)} µs  ${(e.count / runs).toFixed(0).padStart(3)} nodes  ${((100 * e.us) / runs / total).toFixed(1).padStart(5)}%`);
  }
}

// ---------- peers ----------

const peersDir = join(dirname(fileURLToPath(import.meta.url)), 'peers');
const venvPython = join(peersDir, '.venv', 'bin', 'python');

interface Peer {
  key: 'tf1' | 'torch';
  label: string;
  module: string;
  script: string;
  /** Why it is skipped, or undefined when it runs. */
  skip?: string;
  version?: string;
}
const peerList: Peer[] = [
  { key: 'tf1', label: 'TF1', module: 'tensorflow', script: 'tf1_train.py' },
  { key: 'torch', label: 'PyTorch', module: 'torch', script: 'torch_train.py' },
];
const wanted = (opts.peers ?? 'tf1,torch').split(',');
for (const p of peerList) if (!wanted.includes(p.key)) p.skip = 'not asked for (--peers)';

const peerEnv = {
  ...process.env,
  OMP_NUM_THREADS: String(threads),
  MKL_NUM_THREADS: String(threads),
  TF_CPP_MIN_LOG_LEVEL: '2',
  PYTHONUNBUFFERED: '1',
  PYTHONDONTWRITEBYTECODE: '1', // no __pycache__ in bench/peers
};

/** Makes the venv when it is missing (unless --no-install), then checks each peer imports. */
function preparePeers(): void {
  const active = peerList.filter((p) => !p.skip);
  if (active.length === 0) return;
  if (!existsSync(venvPython)) {
    if (flags.has('no-install')) {
      for (const p of active) p.skip = 'no venv at bench/peers/.venv and --no-install given (run bash bench/peers/setup.sh)';
      return;
    }
    console.error('bench/peers/.venv is missing: running bench/peers/setup.sh (several minutes, once)');
    spawnSync('bash', [join(peersDir, 'setup.sh')], { stdio: ['ignore', process.stderr, process.stderr] });
  }
  for (const p of active) {
    if (!existsSync(venvPython)) {
      p.skip = 'the venv could not be created (see bench/peers/setup.sh output)';
      continue;
    }
    const r = spawnSync(venvPython, ['-c', `import ${p.module}; print(${p.module}.__version__)`], { env: peerEnv, encoding: 'utf8' });
    if (r.status === 0) p.version = r.stdout.trim();
    else p.skip = `cannot import ${p.module}: ${lastLine(r.stderr) || r.error?.message || 'unknown error'} (run bash bench/peers/setup.sh)`;
  }
}

function lastLine(s: string | null | undefined): string {
  return (s ?? '').trim().split('\n').pop() ?? '';
}

/** Steps/s of one peer on one config; a failure reports and gives undefined. */
function runPeer(p: Peer, c: Config): number | undefined {
  const args = [p.script, '--model', c.model, '--batch', String(c.batch), '--threads', String(threads),
    '--inter-op', String(interOp), '--seconds', String(seconds), '--warmup', String(warmupOf(c))];
  const r = spawnSync(venvPython, args, { cwd: peersDir, env: peerEnv, encoding: 'utf8', timeout: (seconds + 300) * 1000 });
  const json = r.stdout?.split('\n').reverse().find((l) => l.startsWith('{'));
  if (r.status !== 0 || !json) {
    console.error(`  ${p.label} failed on ${c.name}: ${lastLine(r.stderr) || r.error?.message || `exit ${r.status}`}`);
    return undefined;
  }
  return (JSON.parse(json) as { steps_per_s: number }).steps_per_s;
}

// ---------- main ----------

preparePeers();
console.log(`training steps/s, ${threads} threads (inter-op ${interOp}), OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY}, ` +
  `best of ${rounds} rounds of ${seconds} s after warm-up`);
console.log(`  tensorgraph (addon ${process.env.TENSORGRAPH_NATIVE ?? 'build/Release'})`);
for (const p of peerList) console.log(`  ${p.label}: ${p.skip ? `SKIPPED: ${p.skip}` : p.version}`);

const results: { c: Config; ours: number; peers: Map<Peer['key'], number | undefined> }[] = [];
for (const c of configs) {
  const ours = oursRunner(c);
  const best = { ours: 0, peers: new Map<Peer['key'], number | undefined>() };
  for (let r = 1; r <= rounds; r++) {
    const got: string[] = [];
    best.ours = Math.max(best.ours, ours.round());
    got.push(`ours ${best.ours.toFixed(1)}`);
    for (const p of peerList) {
      if (p.skip) continue;
      const rate = runPeer(p, c);
      if (rate !== undefined) best.peers.set(p.key, Math.max(best.peers.get(p.key) ?? 0, rate));
      else if (!best.peers.has(p.key)) best.peers.set(p.key, undefined);
      got.push(`${p.label} ${best.peers.get(p.key)?.toFixed(1) ?? '-'}`);
    }
    console.error(`${c.name} round ${r}/${rounds}: best so far ${got.join(', ')}`);
  }
  ours.close();
  results.push({ c, ...best });
}

const fmt = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(1));
const ratio = (ours: number, v: number | undefined) => (v === undefined ? '-' : (ours / v).toFixed(2));
const header = ['config', 'ours', 'TF1', 'PyTorch', 'ours/TF1', 'ours/PyTorch'];
const rows = results.map(({ c, ours, peers }) => [
  `${c.model.toUpperCase()} b${c.batch}`, fmt(ours), fmt(peers.get('tf1')), fmt(peers.get('torch')),
  ratio(ours, peers.get('tf1')), ratio(ours, peers.get('torch')),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((s, i) => (i === 0 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join('  ');
console.log('');
console.log(line(header));
for (const r of rows) console.log(line(r));
console.log('(training steps/s, best round; ratio > 1: tensorgraph is faster; -: skipped or failed)');
