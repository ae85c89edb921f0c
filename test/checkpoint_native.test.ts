// Checkpoint files through the native runtime: SaveV2/RestoreV2 kernels, the reading
// bindings (listVariables, loadVariable, loadCheckpoint), the `checkpoint` state file,
// corruption (every truncation, random bit flips) and atomicity under SIGKILL.
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from 'tensorgraph';

const { checkpointExists, getCheckpointState, latestCheckpoint, listVariables, loadCheckpoint, loadVariable, updateCheckpointState } = tf.train;

// The save and restore ops themselves (TF's tf.raw_ops.SaveV2 / RestoreV2).
function saveV2(prefix: tf.TensorLike, tensorNames: tf.TensorLike, shapeAndSlices: tf.TensorLike, tensors: tf.TensorLike[]): tf.Operation {
  return tf.rawOps.SaveV2({ prefix, tensorNames, shapeAndSlices, tensors }) as tf.Operation;
}
function restoreV2(prefix: tf.TensorLike, tensorNames: tf.TensorLike, shapeAndSlices: tf.TensorLike, dtypes: tf.DType[],
                   options: { name?: string } = {}): tf.Tensor[] {
  return tf.rawOps.RestoreV2({ prefix, tensorNames, shapeAndSlices, dtypes, ...options }) as tf.Tensor[];
}

const here = dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'tg-ckpt-native-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => {
  const d = join(root, `d${dirCount++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

// ---------- values of every dtype ----------

function f32Bits(bits: number[]): Float32Array {
  return new Float32Array(new Uint32Array(bits).buffer);
}

function sampleValues(seed = 0): Record<string, tf.NDArray> {
  return {
    f32: new tf.NDArray('float32', [2, 4], f32Bits([0x3fc00000 + seed, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x7fc00001, 0x7f7fffff, 0x3dcccccd])),
    f64: new tf.NDArray('float64', [3], new Float64Array([Math.PI + seed, -Number.MIN_VALUE, Number.MAX_VALUE])),
    f16: new tf.NDArray('float16', [4], new Float32Array([1, -2.5, 65504, 2 ** -24])),
    bf16: new tf.NDArray('bfloat16', [2], new Float32Array([1.5, -3 * 2 ** 100])),
    i8: new tf.NDArray('int8', [3], new Int8Array([-128, 127, seed])),
    i16: new tf.NDArray('int16', [1, 3], new Int16Array([-32768, 32767, -1])),
    i32: new tf.NDArray('int32', [3], new Int32Array([-2147483648, 2147483647, seed])),
    i64: new tf.NDArray('int64', [3], new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, BigInt(seed)])),
    u8: new tf.NDArray('uint8', [2], new Uint8Array([0, 255])),
    flag: new tf.NDArray('bool', [3], new Uint8Array([1, 0, 1])),
    'scope/str': new tf.NDArray('string', [2, 2], ['', 'héllo wörld ∑', `seed ${seed}`, 'x'.repeat(300)]),
    scalar: new tf.NDArray('float32', [], new Float32Array([42 + seed])),
    empty: new tf.NDArray('float64', [0, 5], new Float64Array(0)),
  };
}

function bytesOf(a: tf.NDArray): Uint8Array | string[] {
  if (a.dtype === 'string') return [...(a.data as string[])];
  // float16/bfloat16 values are held as float32: their bits compare the same way.
  const d = a.data as Float32Array;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

function sameBits(t: { deepEqual: (a: unknown, b: unknown, m?: string) => void }, got: tf.NDArray, want: tf.NDArray, what: string): void {
  t.deepEqual(got.dtype, want.dtype, `${what} dtype`);
  t.deepEqual([...got.shape], [...want.shape], `${what} shape`);
  const g = bytesOf(got), w = bytesOf(want);
  t.deepEqual(Array.isArray(g) ? g : [...g], Array.isArray(w) ? w : [...w], `${what} bytes`);
}

/** Saves `values` to `prefix` with a SaveV2 op run in a session. */
function saveWithSession(prefix: string, values: Record<string, tf.NDArray>): void {
  const g = new tf.Graph();
  const op = g.asDefault(() => {
    const names = Object.keys(values);
    return saveV2(prefix, names, names.map(() => ''), names.map((n) => tf.constant(values[n])));
  });
  const sess = new tf.Session({ graph: g });
  sess.run(op);
  sess.close();
}

// ---------- round trips ----------

test('SaveV2/RestoreV2 round trip every dtype bit-exact, in one session', (t) => {
  const prefix = join(freshDir(), 'model.ckpt-1');
  const values = sampleValues();
  const names = Object.keys(values);
  const g = new tf.Graph();
  const { save, restored } = g.asDefault(() => {
    const prefixT = tf.placeholderWithDefault('unused', [], { name: 'filename' });
    const save = saveV2(prefixT, names, names.map(() => ''), names.map((n) => tf.constant(values[n])));
    const restored = restoreV2(prefixT, names, names.map(() => ''), names.map((n) => values[n].dtype));
    return { save, restored };
  });
  t.is(save.type, 'SaveV2');
  t.is(save.outputs.length, 0);
  t.is(g.getOperationByName('SaveV2/tensor_names').type, 'Const');
  t.is(restored.length, names.length);
  restored.forEach((r, i) => t.is(r.dtype, values[names[i]].dtype));
  const sess = new tf.Session({ graph: g });
  const feed = new Map([[g.getTensorByName('filename:0'), prefix]]);
  sess.run(save, feed);
  t.true(checkpointExists(prefix));
  t.true(existsSync(`${prefix}.data-00000-of-00001`));
  const out = sess.run(restored, feed);
  names.forEach((n, i) => sameBits(t, out[i], values[n], n));
  sess.close();
});

test('loadVariable, listVariables and loadCheckpoint read what SaveV2 wrote', (t) => {
  const dir = freshDir();
  const prefix = join(dir, 'model.ckpt-7');
  const values = sampleValues(3);
  saveWithSession(prefix, values);
  const names = Object.keys(values).sort();
  t.deepEqual(listVariables(prefix), names.map((n) => [n, [...values[n].shape]]));
  for (const n of names) sameBits(t, loadVariable(prefix, n), values[n], n);
  sameBits(t, loadVariable(prefix, 'f64:0'), values.f64, 'f64:0');
  const reader = loadCheckpoint(prefix);
  t.true(reader.hasTensor('scope/str'));
  t.false(reader.hasTensor('nope'));
  t.is(reader.getVariableToDtypeMap().get('f16'), 'float16');
  t.deepEqual(reader.getVariableToShapeMap().get('i16'), [1, 3]);
  // A directory: its latest checkpoint per the state file.
  t.throws(() => listVariables(dir), { instanceOf: tf.errors.NotFoundError, message: /Couldn't find 'checkpoint' file/ });
  t.is(latestCheckpoint(dir), undefined);
  updateCheckpointState(dir, prefix, [prefix]);
  t.is(latestCheckpoint(dir), prefix);
  t.deepEqual(listVariables(dir).map(([n]) => n), names);
  sameBits(t, loadVariable(dir, 'i64'), values.i64, 'via dir');
});

test('saving again to the same prefix replaces the checkpoint', (t) => {
  const prefix = join(freshDir(), 'nested', 'dirs', 'ckpt');  // SaveV2 creates directories
  saveWithSession(prefix, sampleValues(1));
  saveWithSession(prefix, { only: new tf.NDArray('int32', [1], new Int32Array([5])) });
  t.deepEqual(listVariables(prefix), [['only', [1]]]);
  t.deepEqual(loadVariable(prefix, 'only').toArray(), [5]);
  const files = readdirSync(dirname(prefix)).sort();
  t.deepEqual(files, ['ckpt.data-00000-of-00001', 'ckpt.index']);
});

// ---------- errors ----------

test('errors: missing key and checkpoint are NotFound, dtype mismatch is InvalidArgument', (t) => {
  const dir = freshDir();
  const prefix = join(dir, 'model.ckpt');
  saveWithSession(prefix, { w: new tf.NDArray('float32', [2], new Float32Array([1, 2])) });
  const run = (p: string, names: string[], dtypes: tf.DType[], slices = names.map(() => '')) => {
    const g = new tf.Graph();
    const outs = g.asDefault(() => restoreV2(p, names, slices, dtypes, { name: 'restore' }));
    const sess = new tf.Session({ graph: g });
    try {
      return sess.run(outs);
    } finally {
      sess.close();
    }
  };
  t.deepEqual(run(prefix, ['w'], ['float32'])[0].toArray(), [1, 2]);
  const e1 = t.throws(() => run(prefix, ['w', 'missing'], ['float32', 'float32']), { instanceOf: tf.errors.NotFoundError });
  t.regex(e1!.message, /Key missing not found in checkpoint/);
  t.is((e1 as tf.errors.OpError).op, 'restore');
  const e2 = t.throws(() => run(join(dir, 'absent'), ['w'], ['float32']), { instanceOf: tf.errors.NotFoundError });
  t.regex(e2!.message, /Failed to find any matching files for .*absent/);
  const e3 = t.throws(() => run(prefix, ['w'], ['int32']), { instanceOf: tf.errors.InvalidArgumentError });
  t.regex(e3!.message, /tensor_name = w; expected dtype int32 does not equal original dtype float/);
  t.throws(() => run(prefix, ['w'], ['float32'], ['2 0,1']), { instanceOf: tf.errors.UnimplementedError });
  t.throws(() => loadVariable(prefix, 'missing'), { instanceOf: tf.errors.NotFoundError, message: 'Key missing not found in checkpoint' });
  t.throws(() => loadVariable(join(dir, 'absent'), 'w'), { instanceOf: tf.errors.NotFoundError });
  t.false(checkpointExists(join(dir, 'absent')));

  // Name/tensor count mismatches: at graph construction when static, at run time when fed.
  t.throws(() => new tf.Graph().asDefault(() => saveV2(prefix, ['a', 'b'], ['', ''], [tf.constant(1)])),
    { instanceOf: tf.errors.InvalidArgumentError });
  t.throws(() => new tf.Graph().asDefault(() => restoreV2(prefix, ['a'], [''], ['float32', 'int32'])),
    { instanceOf: tf.errors.InvalidArgumentError });
  const g = new tf.Graph();
  const { op, names } = g.asDefault(() => {
    const names = tf.placeholder('string', { shape: [null] });
    return { op: saveV2(prefix, names, tf.placeholder('string', { shape: [null], name: 'slices' }), [tf.constant(1)]), names };
  });
  const sess = new tf.Session({ graph: g });
  t.throws(() => sess.run(op, new Map([[names, ['a', 'b']], [g.getTensorByName('slices:0'), ['', '']]])),
    { instanceOf: tf.errors.InvalidArgumentError, message: /Got 1 tensors to save but 2 names/ });
  t.throws(() => sess.run(op, new Map([[names, ['a', 'a2']], [g.getTensorByName('slices:0'), ['']]])),
    { instanceOf: tf.errors.InvalidArgumentError });
  sess.close();
  // The failed saves left the checkpoint as it was.
  t.deepEqual(loadVariable(prefix, 'w').toArray(), [1, 2]);
});

// ---------- corruption ----------

/** Reads everything of a checkpoint: 'ok' with the values, or the error class name. */
function readAll(prefix: string): { ok: true; values: Map<string, tf.NDArray> } | { ok: false; error: unknown } {
  try {
    const reader = loadCheckpoint(prefix);
    const values = new Map<string, tf.NDArray>();
    for (const [name] of reader.getVariableToShapeMap()) values.set(name, reader.getTensor(name));
    return { ok: true, values };
  } catch (error) {
    return { ok: false, error };
  }
}

function writeFresh(path: string, bytes: Uint8Array): void {
  // A new file, not a truncated one (ext4 flushes truncated-and-rewritten files on close).
  if (existsSync(path)) unlinkSync(path);
  writeFileSync(path, bytes);
}

test('fuzz: every truncation and random bit flips of index and data are DataLoss, never a crash', (t) => {
  const dir = freshDir();
  const good = join(dir, 'good');
  const values: Record<string, tf.NDArray> = {
    a: new tf.NDArray('float32', [3], new Float32Array([1, 2, 3])),
    b: new tf.NDArray('int64', [2], new BigInt64Array([7n, -9n])),
    s: new tf.NDArray('string', [2], ['abc', 'defgh']),
    u: new tf.NDArray('uint8', [5], new Uint8Array([1, 2, 3, 4, 5])),
  };
  saveWithSession(good, values);
  const bad = join(dir, 'bad');
  const files = { index: '.index', data: '.data-00000-of-00001' };
  const isCorruption = (e: unknown) => e instanceof tf.errors.DataLossError || e instanceof tf.errors.InvalidArgumentError;
  let rng = 12345;
  const rand = (n: number) => {
    rng = (rng * 1103515245 + 12345) % 2147483648;
    return rng % n;
  };
  for (const [kind, suffix] of Object.entries(files)) {
    const other = kind === 'index' ? files.data : files.index;
    copyFileSync(good + other, bad + other);
    const orig = new Uint8Array(readFileSync(good + suffix));
    let failures = 0;
    for (let n = 0; n < orig.length; n++) {
      writeFresh(bad + suffix, orig.subarray(0, n));
      const r = readAll(bad);
      if (r.ok || !isCorruption(r.error)) failures++;
    }
    t.is(failures, 0, `${kind}: every truncation is detected`);
    let silent = 0;
    let harmless = 0;
    for (let k = 0; k < 300; k++) {
      const flipped = orig.slice();
      flipped[rand(orig.length)] ^= 1 << rand(8);
      writeFresh(bad + suffix, flipped);
      const r = readAll(bad);
      if (!r.ok) {
        if (!isCorruption(r.error)) silent++;
        continue;
      }
      // Only flips in the data file's alignment padding can go unnoticed, and then every
      // value must still read back exactly.
      harmless++;
      if (kind === 'index') silent++;
      for (const [n, v] of Object.entries(values)) {
        const got = r.values.get(n)!;
        if (JSON.stringify(bytesOf(got)) !== JSON.stringify(bytesOf(v))) silent++;
      }
    }
    t.is(silent, 0, `${kind}: no bit flip goes unnoticed`);
    t.true(harmless < 60, `${kind}: ${harmless} harmless flips`);
    // The kernel path reports the same corruption.
    writeFresh(bad + suffix, orig.subarray(0, orig.length - 1));
    const g = new tf.Graph();
    const outs = g.asDefault(() => restoreV2(bad, ['a'], [''], ['float32']));
    const sess = new tf.Session({ graph: g });
    t.throws(() => sess.run(outs), { instanceOf: tf.errors.DataLossError });
    sess.close();
    copyFileSync(good + suffix, bad + suffix);
    t.true(readAll(bad).ok);
  }
  // Garbage that is not a checkpoint index at all.
  writeFresh(bad + files.index, new TextEncoder().encode('model_checkpoint_path: "x"\n'));
  const r = readAll(bad);
  t.true(!r.ok && r.error instanceof tf.errors.DataLossError);
});

// ---------- the `checkpoint` state file ----------

test('checkpoint state file: TF1 text format, relative paths, escaping, atomic update', (t) => {
  const dir = freshDir();
  t.is(getCheckpointState(dir), undefined);
  writeFileSync(join(dir, 'checkpoint'),
    '# written by TF1\nmodel_checkpoint_path: "model.ckpt-100"\nall_model_checkpoint_paths: "model.ckpt-90"\n' +
    'all_model_checkpoint_paths: \'model.ckpt-100\'\nall_model_checkpoint_timestamps: 1546300800.5\n' +
    'all_model_checkpoint_timestamps: 1546300900\nlast_preserved_timestamp: 1.5e9\n');
  t.deepEqual(getCheckpointState(dir), {
    modelCheckpointPath: `${dir}/model.ckpt-100`,
    allModelCheckpointPaths: [`${dir}/model.ckpt-90`, `${dir}/model.ckpt-100`],
    allModelCheckpointTimestamps: [1546300800.5, 1546300900],
    lastPreservedTimestamp: 1.5e9,
  });
  // Absolute paths stay absolute; the model path is appended when missing from the list.
  updateCheckpointState(dir, `${dir}/m-2`, [`${dir}/m-1`]);
  t.is(readFileSync(join(dir, 'checkpoint'), 'utf8'),
    `model_checkpoint_path: "${dir}/m-2"\nall_model_checkpoint_paths: "${dir}/m-1"\nall_model_checkpoint_paths: "${dir}/m-2"\n`);
  // saveRelativePaths stores them relative to the directory.
  updateCheckpointState(dir, `${dir}/m-3`, [`${dir}/m-2`, `${dir}/m-3`], { saveRelativePaths: true, allModelCheckpointTimestamps: [10, 20.25] });
  t.is(readFileSync(join(dir, 'checkpoint'), 'utf8'),
    'model_checkpoint_path: "m-3"\nall_model_checkpoint_paths: "m-2"\nall_model_checkpoint_paths: "m-3"\n' +
    'all_model_checkpoint_timestamps: 10.0\nall_model_checkpoint_timestamps: 20.25\n');
  t.deepEqual(getCheckpointState(dir)?.allModelCheckpointPaths, [`${dir}/m-2`, `${dir}/m-3`]);
  // Quotes, backslashes, newlines and non-ASCII survive a round trip.
  const odd = `${dir}/we"ird\\na\nme-ü`;
  updateCheckpointState(dir, odd, [], { latestFilename: 'other_state' });
  t.is(getCheckpointState(dir, 'other_state')?.modelCheckpointPath, odd);
  t.regex(readFileSync(join(dir, 'other_state'), 'utf8'), /me-\\303\\274"/);
  // No temporary files stay behind; a malformed file reads as no state.
  t.deepEqual(readdirSync(dir).sort(), ['checkpoint', 'other_state']);
  writeFileSync(join(dir, 'checkpoint'), 'model_checkpoint_path: "unterminated\n');
  t.is(getCheckpointState(dir), undefined);
  t.is(latestCheckpoint(dir), undefined);
  t.throws(() => updateCheckpointState(dir, join(dir, 'checkpoint')), { message: /conflicts with path used for checkpoint state/ });
});

// ---------- atomicity ----------

interface Child {
  lastSaved: number;
  exited: Promise<void>;
  kill(): void;
  firstSave: Promise<void>;
}

function startChild(dir: string, start: number, count?: number): Child {
  const script = join(here, 'fixtures', 'checkpoint_kill_child.ts');
  const args = ['--import=tsx', script, dir, String(start), ...(count === undefined ? [] : [String(count)])];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  let stderr = '';
  let resolveFirst!: () => void;
  let rejectFirst!: (e: Error) => void;
  const firstSave = new Promise<void>((res, rej) => ((resolveFirst = res), (rejectFirst = rej)));
  const child: Child = {
    lastSaved: start - 1,
    firstSave,
    exited: new Promise<void>((res) => proc.on('exit', () => {
      rejectFirst(new Error(`child exited before saving: ${stderr}`));
      res();
    })),
    kill: () => proc.kill('SIGKILL'),
  };
  let buf = '';
  proc.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const m = /^saved (\d+)$/.exec(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (m) {
        child.lastSaved = Number(m[1]);
        resolveFirst();
      }
    }
  });
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return child;
}

/** The iteration number held by the checkpoint (checking that every tensor agrees). */
function checkpointIteration(t: ExecutionContext, prefix: string): number {
  const i = Number(loadVariable(prefix, 'step').item());
  t.deepEqual([...new Set(loadVariable(prefix, 'a').data as Float32Array)], [i], 'a');
  const big = loadVariable(prefix, 'big').data as Float64Array;
  t.is(big.length, 1 << 18);
  t.true(big.every((v) => v === i + 0.5), 'big');
  t.deepEqual(loadVariable(prefix, 's').data, [`iteration ${i}`, 'x'.repeat(i % 17)]);
  return i;
}

test('atomicity: SIGKILL at random moments never leaves a broken checkpoint', async (t) => {
  t.timeout(90_000);
  const dir = freshDir();
  const prefix = `${dir}/model.ckpt`;
  let next = 1;
  for (let round = 0; round < 5; round++) {
    const child = startChild(dir, next);
    await child.firstSave;
    await new Promise((r) => setTimeout(r, Math.random() * 60));
    child.kill();
    await child.exited;
    const reported = child.lastSaved;
    // The checkpoint at the prefix is complete: the last reported save or the one after it
    // (killed after its index rename but before it could report).
    t.true(checkpointExists(prefix));
    const i = checkpointIteration(t, prefix);
    t.true(i === reported || i === reported + 1, `round ${round}: checkpoint holds ${i}, last reported ${reported}`);
    // The state file is intact too.
    const state = getCheckpointState(dir);
    t.is(state?.modelCheckpointPath, prefix);
    t.is(state?.allModelCheckpointPaths.length, 2);
    // Nothing but the checkpoint's own files under checkpoint names (temporaries carry .tmp).
    for (const f of readdirSync(dir)) {
      t.regex(f, /^(checkpoint|model\.ckpt\.index|model\.ckpt\.data-00000-of-00001(\.prev)?|.*\.tmp[0-9a-f]+)$/, f);
    }
    next = Math.max(i, reported) + 1;
  }
  // A save that completes cleans up whatever the kills left behind.
  const child = startChild(dir, next, 1);
  await child.exited;
  t.is(child.lastSaved, next);
  t.is(checkpointIteration(t, prefix), next);
  // (A state-file temporary of a killed update may remain: it is never read.)
  t.deepEqual(readdirSync(dir).filter((f) => !/^checkpoint\.tmp/.test(f)).sort(),
    ['checkpoint', 'model.ckpt.data-00000-of-00001', 'model.ckpt.index']);
});
