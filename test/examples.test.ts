// The example programs (examples/*.ts) run as child processes with small settings: each exits
// with 0 and prints what it should; the MNIST ones reach a test accuracy that a broken model
// (chance: 10%, or 20% for the 5-way transfer model) could not. Serial, so that they do not
// compete for the cores with each other.
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from 'tensorgraph';

const root = fileURLToPath(new URL('..', import.meta.url));

/** A temporary directory removed when the test ends. */
function tempDir(t: ExecutionContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `examples-test-${prefix}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs `node --import tsx examples/<name>.ts ...args` in the repository root; asserts exit code 0. */
function runExample(t: ExecutionContext, name: string, args: string[] = []): { stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `examples/${name}.ts`, ...args], {
    cwd: root, encoding: 'utf8', env: process.env, timeout: 100_000,
  });
  t.is(r.status, 0, `${name} exited with ${r.status} (${r.signal ?? 'no signal'}):\n${r.stderr}\n${r.stdout}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** The number in the "final test accuracy: XX.XX%" line, as a fraction. */
function finalAccuracy(t: ExecutionContext, stdout: string): number {
  const m = /^final test accuracy: (\d+\.\d+)%/m.exec(stdout);
  t.truthy(m, `no final test accuracy line in:\n${stdout}`);
  return m ? Number(m[1]) / 100 : NaN;
}

/** Every "label: theta = [a, b, c, d]" line. */
function thetas(stdout: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const m of stdout.matchAll(/^(.+?):\s+theta = \[([^\]]*)\]$/gm)) out.set(m[1], m[2].split(', ').map(Number));
  return out;
}

test.serial('linear_regression: every chapter-9 variant finds theta ~ [4, 3, -2, 0.5]; the saved theta is restored', (t) => {
  const { stdout } = runExample(t, 'linear_regression', ['--checkpoint-dir', tempDir(t, 'linreg')]);
  const th = thetas(stdout);
  const variants = ['normal equation', 'manual gradients', 'autodiff', 'GradientDescent', 'Momentum', 'mini-batch GD',
    'saved', 'restored', 'restored from .meta'];
  t.deepEqual([...th.keys()], [...variants, 'true coefficients']);
  for (const v of variants) {
    th.get(v)!.forEach((x, i) => t.true(Math.abs(x - [4, 3, -2, 0.5][i]) < 0.02, `${v}: theta[${i}] = ${x}`));
  }
  t.deepEqual(th.get('restored'), th.get('saved'));
  t.deepEqual(th.get('restored from .meta'), th.get('saved'));
  // The manual-gradient run prints a falling MSE.
  const mses = [...stdout.matchAll(/epoch \d+ MSE = (\S+)/g)].map((m) => Number(m[1]));
  t.true(mses.length >= 3 && mses[0] > 1 && mses[mses.length - 1] < 0.02, `MSEs ${mses}`);
});

test.serial('modular_relus: five relus share one threshold variable', (t) => {
  const { stdout } = runExample(t, 'modular_relus');
  const blocks = stdout.split(/^(?=\d\. )/m).filter((b) => b.trim());
  t.is(blocks.length, 4);
  const vars = (b: string) => /^ {2}(\d+) variables: (.*)$/m.exec(b)!;
  const outputOf = (b: string) => JSON.parse(/output output:0 = (.*)$/m.exec(b)![1]) as number[][];
  // 1: no sharing, 5 x (weights, bias), no threshold.
  t.is(vars(blocks[0])[1], '10');
  t.false(blocks[0].includes('threshold:0'));
  // 2: the threshold created once in "relu", the relus in relu_1 .. relu_5.
  t.is(vars(blocks[1])[1], '11');
  t.is(vars(blocks[1])[2], ['relu/threshold:0', ...[1, 2, 3, 4, 5].flatMap((i) => [`relu_${i}/weights:0`, `relu_${i}/bias:0`])].join(' '));
  // 3 and 4: created by the first relu (relu/), reused by the others (relu_1 .. relu_4).
  for (const b of blocks.slice(2)) {
    t.is(vars(b)[1], '11');
    t.is(vars(b)[2], ['relu/threshold:0', 'relu/weights:0', 'relu/bias:0', ...[1, 2, 3, 4].flatMap((i) => [`relu_${i}/weights:0`, `relu_${i}/bias:0`])].join(' '));
  }
  for (const b of blocks.slice(1)) {
    t.regex(b, /thresholds: relu\/threshold:0 = 0$/m);
    // A sum of ReLUs with threshold 0: non-negative, 3 rows of 1.
    const out = outputOf(b);
    t.is(out.length, 3);
    for (const row of out) t.true(row.length === 1 && row[0] >= 0, JSON.stringify(out));
  }
});

const MNIST: [name: string, args: string[], minAccuracy: number][] = [
  ['mnist_mlp_contrib', ['--epochs', '3', '--train-size', '5000'], 0.6],
  ['mnist_batch_norm', ['--epochs', '2', '--train-size', '2000'], 0.6],
  ['mnist_gradient_clipping', ['--epochs', '16', '--train-size', '10000'], 0.6],
  ['mnist_max_norm', ['--epochs', '2', '--train-size', '2000'], 0.6],
  ['mnist_lr_decay', ['--epochs', '2', '--train-size', '2000'], 0.6],
];

for (const [name, args, minAccuracy] of MNIST) {
  test.serial(`${name} ${args.join(' ')} learns (test accuracy > ${minAccuracy * 100}%)`, (t) => {
    const { stdout, stderr } = runExample(t, name, [...args, '--checkpoint-dir', tempDir(t, name)]);
    t.regex(stdout, /^data: generated digits/m);
    t.regex(stderr, /epoch 1\/\d+ \[=+\s*\] batch/); // the progress bar
    const acc = finalAccuracy(t, stdout);
    t.true(acc > minAccuracy, `${name}: final test accuracy ${acc}`);
  });
}

test.serial('mnist_mlp_contrib: fully_connected variable names; the restored model classifies', (t) => {
  const { stdout } = runExample(t, 'mnist_mlp_contrib', ['--epochs', '1', '--train-size', '1000', '--checkpoint-dir', tempDir(t, 'contrib')]);
  t.regex(stdout, /^variables: hidden1\/weights \[784,300\], hidden1\/biases \[300\], hidden2\/weights \[300,100\], hidden2\/biases \[100\], outputs\/weights \[100,10\], outputs\/biases \[10\]$/m);
  t.regex(stdout, /^restored; predicted classes: (\d ){19}\d$/m);
});

test.serial('mnist_batch_norm: parameter counts and UPDATE_OPS', (t) => {
  const { stdout } = runExample(t, 'mnist_batch_norm', ['--epochs', '1', '--train-size', '400', '--checkpoint-dir', tempDir(t, 'bn')]);
  t.regex(stdout, /^parameters: 267430 trainable, 268250 in all/m);
  t.regex(stdout, /^UPDATE_OPS: 6 /m);
});

for (const freeze of ['var-list', 'stop-gradient']) {
  test.serial(`mnist_transfer --freeze ${freeze}: pretrains on 0-4, restores and freezes hidden1-3, learns 5-9`, (t) => {
    const { stdout } = runExample(t, 'mnist_transfer', ['--epochs', '1', '--train-size', '4000', '--transfer-epochs', '10',
      '--freeze', freeze, '--checkpoint-dir', tempDir(t, 'transfer')]);
    t.regex(stdout, /restoring hidden1\/kernel, hidden1\/bias, hidden2\/kernel, hidden2\/bias, hidden3\/kernel, hidden3\/bias/);
    if (freeze === 'var-list') t.regex(stdout, /training hidden4\/kernel, hidden4\/bias, logits\/kernel, logits\/bias$/m);
    t.regex(stdout, /^ {2}frozen layers unchanged: true$/m);
    const phase1 = Number(/^phase 1 test accuracy \(digits 0-4\): (\d+\.\d+)%$/m.exec(stdout)?.[1]) / 100;
    t.true(phase1 > 0.8, `phase 1 accuracy ${phase1}`);
    const acc = finalAccuracy(t, stdout);
    t.true(acc > 0.6, `transfer accuracy ${acc}`);
  });
}

test.serial('an MNIST example reads IDX files with --data', (t) => {
  // Generated digits written as MNIST's four files (images uint8, labels gzipped).
  const dir = tempDir(t, 'idx');
  mkdirSync(dir, { recursive: true });
  const write = (file: string, n: number, seed: number) => {
    const d = tf.datasets.generateDigits(n, { seed });
    tf.datasets.writeIdx(join(dir, `${file}-images-idx3-ubyte`), {
      dtype: 'uint8', shape: [n, 28, 28], data: Uint8Array.from(d.images, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)),
    });
    tf.datasets.writeIdx(join(dir, `${file}-labels-idx1-ubyte.gz`), { dtype: 'uint8', shape: [n], data: Uint8Array.from(d.labels) });
  };
  write('train', 2000, 1);
  write('t10k', 500, 2);
  const { stdout } = runExample(t, 'mnist_lr_decay', ['--data', dir, '--epochs', '2', '--checkpoint-dir', tempDir(t, 'idxckpt')]);
  t.regex(stdout, /^data: IDX files in .*, 2000 train \/ 500 test, 28x28$/m);
  const acc = finalAccuracy(t, stdout);
  t.true(acc > 0.6, `final test accuracy ${acc}`);
});

test.serial('csv_pipeline: the book\'s CSV through queues and readers, then training from shards until OutOfRange', (t) => {
  const { stdout } = runExample(t, 'csv_pipeline', ['--epochs', '3', '--rows', '400']);
  // The book's three rows, each delivered once (in shuffled batches of up to 2), then the end.
  const rows: string[] = [];
  for (const m of stdout.matchAll(/^instances (\[.*\]) targets (\[.*\])$/gm)) {
    const xs = JSON.parse(m[1]) as number[][];
    const ys = JSON.parse(m[2]) as number[];
    xs.forEach((x, i) => rows.push(JSON.stringify([...x, ys[i]])));
  }
  t.deepEqual(rows.sort(), ['[1,-1,0]', '[4,5,1]', '[7,-1,0]']);
  t.regex(stdout, /^No more training instances$/m);
  const m = /^done: 3 epochs of 400 rows in (\d+) steps$/m.exec(stdout);
  t.truthy(m, stdout);
});

test.serial('mnist_tfrecord: trains from TFRecord shards through a reader pipeline', (t) => {
  const { stdout } = runExample(t, 'mnist_tfrecord', ['--epochs', '2', '--train-size', '4000']);
  t.regex(stdout, /^wrote 4000 records to 4 TFRecord files in /m);
  t.regex(stdout, /^input exhausted after \d+ steps \(2 epochs\)$/m);
  const acc = finalAccuracy(t, stdout);
  t.true(acc > 0.6, `final test accuracy ${acc}`);
});

test.serial('sync_replicas: two replicas, one averaged update per step, converge to w = 3, b = 2', (t) => {
  const { stdout } = runExample(t, 'sync_replicas', ['--steps', '150']);
  // Every step ended after exactly one update: no gradients were stale, none applied twice.
  t.regex(stdout, /^global step = 150$/m);
  const m = /^w = (\S+), b = (\S+)$/m.exec(stdout);
  t.truthy(m, stdout);
  t.true(Math.abs(Number(m![1]) - 3) < 0.01 && Math.abs(Number(m![2]) - 2) < 0.01, stdout);
});
