// Shared by the MNIST examples: command-line options, data loading and a progress bar.
import * as tf from 'tensorgraph';

export function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      out[a.slice(2)] = v;
      i++;
    }
  }
  return out;
}

export function intArg(args: Record<string, string>, name: string, dflt: number): number {
  if (args[name] === undefined) return dflt;
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer, got ${args[name]}`);
  return v;
}

/** First n examples of a split (n >= numExamples: all of it). */
export function take(split: tf.datasets.DataSplit, n: number): tf.datasets.DataSplit {
  if (n >= split.numExamples) return split;
  const f = split.images.length / split.numExamples;
  return { ...split, images: split.images.subarray(0, n * f), labels: split.labels.subarray(0, n), numExamples: n };
}

function progress(epoch: number, nEpochs: number, batch: number, nBatches: number, loss: number): void {
  const width = 24;
  const done = Math.round((width * batch) / nBatches);
  process.stderr.write(`\repoch ${epoch}/${nEpochs} [${'='.repeat(done)}${' '.repeat(width - done)}] batch ${batch}/${nBatches} loss ${loss.toFixed(4)}  `);
}

/**
 * The train and test splits: IDX files from `--data DIR`, else the built-in generated digits
 * (trainSize/testSize of them); the training split is cut to trainSize. Prints what it loaded.
 */
export function loadData(args: Record<string, string>, trainSize: number, testSize: number) {
  const data = args.data
    ? tf.datasets.loadMnist(args.data)
    : tf.datasets.loadDigits({ train: trainSize, test: testSize, seed: 42 });
  const train = take(data.train, trainSize);
  const test = data.test;
  const [rows, cols] = train.imageShape;
  console.log(`data: ${args.data ? `IDX files in ${args.data}` : 'generated digits (tf.datasets.loadDigits)'}, ` +
    `${train.numExamples} train / ${test.numExamples} test, ${rows}x${cols}`);
  return { train, test, rows, cols, nInputs: rows * cols };
}

/**
 * Accuracy over a whole split: `accuracy` (the mean over the fed batch, e.g. the book's
 * reduce_mean(cast(in_top_k(logits, y, 1)))) fed `X` and `y` in chunks to bound memory.
 */
export function evaluate(sess: tf.Session, accuracy: tf.Tensor, X: tf.Tensor, y: tf.Tensor,
                         split: tf.datasets.DataSplit, chunk = 1000): number {
  const f = split.images.length / split.numExamples;
  let correct = 0;
  for (let s = 0; s < split.numExamples; s += chunk) {
    const e = Math.min(split.numExamples, s + chunk);
    const acc = sess.run(accuracy, [[X, split.images.subarray(s * f, e * f)], [y, split.labels.subarray(s, e)]]);
    correct += (acc.item() as number) * (e - s);
  }
  return correct / split.numExamples;
}

/**
 * `--logdir DIR` (default: none, no summaries): scalars of the training batch (e.g. loss and
 * accuracy, through tf.summary.scalar + mergeAll), one merged summary every `every` steps,
 * and the graph, written by a tf.summary.FileWriter to DIR for `npx tensorgraph-board --logdir DIR`.
 */
export class TrainingSummaries {
  private readonly merged: tf.Tensor;
  private readonly writer: tf.summary.FileWriter;

  constructor(logdir: string, private readonly sess: tf.Session, scalars: Record<string, tf.Tensor>,
              private readonly feeds: (x: Float32Array, y: Int32Array) => tf.FeedDict, private readonly every = 50) {
    for (const [tag, t] of Object.entries(scalars)) tf.summary.scalar(tag, t);
    this.merged = tf.summary.mergeAll()!;
    this.writer = new tf.summary.FileWriter(logdir, sess.graph);
    console.log(`summaries: every ${every} steps to ${logdir} (view: npx tensorgraph-board --logdir ${logdir})`);
  }

  /** After training step `step` (counted from 1): every `every` steps, the summary of this batch. */
  record(step: number, x: Float32Array, y: Int32Array): void {
    if (step % this.every !== 0) return;
    this.writer.addSummary(this.sess.run(this.merged, this.feeds(x, y)), step);
  }

  close(): void {
    this.writer.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** TrainingSummaries when `--logdir` is given, else undefined. */
export function trainingSummaries(args: Record<string, string>, sess: tf.Session, scalars: Record<string, tf.Tensor>,
                                  feeds: (x: Float32Array, y: Int32Array) => tf.FeedDict): TrainingSummaries | undefined {
  return args.logdir ? new TrainingSummaries(args.logdir, sess, scalars, feeds) : undefined;
}

/**
 * The book's training loop: `nEpochs` passes over shuffled mini-batches of `train` (TF1's
 * next_batch). `step(x, y)` runs one training step and returns its loss; the progress bar goes
 * to stderr and `endOfEpoch(epoch, meanLoss)` is called after each epoch; `summaries` (from
 * --logdir) records after each step. Returns the steps run.
 */
export function trainEpochs(train: tf.datasets.DataSplit, batchSize: number, nEpochs: number,
                            step: (x: Float32Array, y: Int32Array) => number,
                            endOfEpoch?: (epoch: number, meanLoss: number) => void,
                            summaries?: TrainingSummaries): number {
  const batches = new tf.datasets.BatchIterator(train.images, train.labels, batchSize, { seed: 42 });
  const nBatches = Math.max(1, Math.floor(train.numExamples / batchSize));
  let steps = 0;
  for (let epoch = 1; epoch <= nEpochs; epoch++) {
    let lossSum = 0;
    for (let b = 1; b <= nBatches; b++) {
      const { x, y } = batches.nextBatch();
      lossSum += step(x, y);
      steps++;
      summaries?.record(steps, x, y);
      if (b % 10 === 0 || b === nBatches) progress(epoch, nEpochs, b, nBatches, lossSum / b);
    }
    process.stderr.write('\n');
    endOfEpoch?.(epoch, lossSum / nBatches);
  }
  return steps;
}

/** "12.34%". */
export const percent = (x: number) => `${(x * 100).toFixed(2)}%`;
