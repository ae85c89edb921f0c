// Training throughput against TF1 (graph mode) and PyTorch, side by side (issue 6).
//   npx tsx bench/train.ts [--threads N] [--seconds S] [--rounds R] [--only mlp-50,cnn-64]
//                          [--peers tf1,torch|none] [--warmup N] [--inter-op N] [--load N] [--no-install] [--profile]
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
// --load N: N busy-loop child processes compete for the cores during every framework's rounds.
// --profile: after timing ours, a few traced runs print where a step's time goes, per op type.
import type { FeedDict } from 'tensorgraph';
import {
  type Peer, fmt, parseOptions, preparePeers, printTable, profileOps, ratio, rng, runPeerScript, selectPeers,
  setThreadEnv, startLoad, timeSteps,
} from './common.js';
import { allConfigs, buildModel, type Config } from './models.js';

// ---------- options ----------

const o = parseOptions('bench/train.ts', process.argv.slice(2), ['no-install', 'profile']);
const { flags, opts, posInt, threads, interOp, rounds, seconds } = o;

const only = opts.only?.split(',');
const configs = only ? allConfigs.filter((c) => only.includes(c.name)) : allConfigs;
if (configs.length === 0) throw new Error(`--only matched no config (${allConfigs.map((c) => c.name).join(', ')})`);
const warmupOf = (c: Config) => posInt('warmup', c.model === 'mlp' ? 20 : 10);
const load = opts.load === undefined ? 0 : Number(opts.load);
if (!Number.isInteger(load) || load < 0) throw new Error(`--load must be a non-negative integer, got ${opts.load}`);

// The OpenMP settings go into the environment before the addon loads (bench/common.ts).
setThreadEnv(threads);
const tf = await import('tensorgraph');

// ---------- synthetic batches ----------

const N_BATCHES = 4; // pre-generated batches rotated over, as the peers do

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

// ---------- tensorgraph ----------

/** A session training `c`: each call times one round (warm-up, then --seconds) in steps/s. */
function oursRunner(c: Config): { round: () => number; close: () => void } {
  const { graph, X, y, trainOp, init } = buildModel(tf, c);
  const config = new tf.ConfigProto({ intraOpParallelismThreads: threads, interOpParallelismThreads: interOp });
  const sess = new tf.Session({ graph, config });
  sess.run(init);
  const { xs, ys } = makeBatches(c.batch);
  const feeds = (i: number): FeedDict => [[X, xs[i % N_BATCHES]!], [y, ys[i % N_BATCHES]!]];
  let best = 0;
  return {
    round: () => {
      const rate = timeSteps((i) => sess.run(trainOp, feeds(i)), warmupOf(c), seconds);
      best = Math.max(best, rate);
      return rate;
    },
    close: () => {
      if (flags.has('profile')) {
        profileOps(c.name, graph, (i, md) => sess.run(trainOp, feeds(i), { traceLevel: tf.TraceLevel.FULL_TRACE }, md), best);
      }
      sess.close();
    },
  };
}

// ---------- peers ----------

const peerList: Peer[] = [
  { key: 'tf1', label: 'TF1', module: 'tensorflow', script: 'tf1_train.py' },
  { key: 'torch', label: 'PyTorch', module: 'torch', script: 'torch_train.py' },
];
selectPeers(peerList, o);

/** Steps/s of one peer on one config; a failure reports and gives undefined. */
function runPeer(p: Peer, c: Config): number | undefined {
  const args = ['--model', c.model, '--batch', String(c.batch), '--threads', String(threads),
    '--inter-op', String(interOp), '--seconds', String(seconds), '--warmup', String(warmupOf(c))];
  return runPeerScript<{ steps_per_s: number }>(p, args, o, c.name, seconds + 300)?.steps_per_s;
}

// ---------- main ----------

preparePeers(peerList, o);
startLoad(load); // after the peers' install, before anyone's rounds
console.log(`training steps/s, ${threads} threads (inter-op ${interOp}), OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY} GOMP_SPINCOUNT=${process.env.GOMP_SPINCOUNT}, ` +
  `best of ${rounds} rounds of ${seconds} s after warm-up${load ? `, ${load} busy-loop processes beside (--load)` : ''}`);
console.log(`  tensorgraph (addon ${process.env.TENSORGRAPH_NATIVE ?? 'build/Release'})`);
for (const p of peerList) console.log(`  ${p.label}: ${p.skip ? `SKIPPED: ${p.skip}` : p.version}`);

const results: { c: Config; ours: number; peers: Map<string, number | undefined> }[] = [];
for (const c of configs) {
  const ours = oursRunner(c);
  const best = { ours: 0, peers: new Map<string, number | undefined>() };
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

const header = ['config', 'ours', 'TF1', 'PyTorch', 'ours/TF1', 'ours/PyTorch'];
const rows = results.map(({ c, ours, peers }) => [
  `${c.model.toUpperCase()} b${c.batch}`, fmt(ours), fmt(peers.get('tf1')), fmt(peers.get('torch')),
  ratio(ours, peers.get('tf1')), ratio(ours, peers.get('torch')),
]);
console.log('');
printTable(header, rows);
console.log('(training steps/s, best round; ratio > 1: tensorgraph is faster; -: skipped or failed)');
