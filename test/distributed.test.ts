// tf.train.Server and grpc:// sessions (docs/distributed.md): servers run as child processes
// (tools/tensorgraph-server.mjs) on 127.0.0.1 with one inter-op and one intra-op thread; a
// client session in this process drives them over gRPC. Expected values are computed by hand
// or by the same graph in an in-process session.
import test from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from 'tensorgraph';
import { freePort } from './free_port.js';

const serverScript = join(process.cwd(), 'tools', 'tensorgraph-server.mjs');
const children: ChildProcess[] = [];

/**
 * Starts `tensorgraph-server` for task `task` of `job`; the cluster is that one task on 127.0.0.1
 * (port 0: any free one) unless `cluster` gives its --cluster values.
 */
function startServer(job = 'local', cluster = [`${job}=127.0.0.1:0`], program: string[] = [process.execPath, serverScript],
  env?: NodeJS.ProcessEnv, task = 0, extra: string[] = []): Promise<{ proc: ChildProcess; target: string; port: number; stderr: () => string }> {
  const args = env ? [] : [...cluster.flatMap((c) => ['--cluster', c]), '--job', job, '--task', String(task), ...extra];
  const proc = spawn(program[0], [...program.slice(1), ...args, '--inter-op', '1', '--intra-op', '1'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.push(proc);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 10 s: ${out}${err}`)), 10000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (grpc:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, target: m[1], port: Number(m[2]), stderr: () => err });
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}): ${out}${err}`));
    });
  });
}

function exited(proc: ChildProcess): Promise<void> {
  return proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', () => r()));
}

test.after.always(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const CONFIG = { interOpParallelismThreads: 1, intraOpParallelismThreads: 1 };

// A build without gRPC (TG_WITH_GRPC=OFF, or libgrpc++-dev missing) has no servers: then only
// the last test runs, checking that servers and grpc:// sessions say so.
function grpcBuilt(): boolean {
  try {
    tf.train.Server.createLocalServer(CONFIG).stop();
    return true;
  } catch (e) {
    if (e instanceof tf.errors.UnimplementedError) return false;
    throw e;
  }
}
const withGrpc = grpcBuilt();
const serial = withGrpc ? test.serial : test.serial.skip;

serial('a graph run through a server gives the in-process results (run, runAsync, makeCallable)', async (t) => {
  const { target } = await startServer();
  const g = new tf.Graph();
  await g.asDefault(async () => {
    const a = tf.constant([[1, 2], [3, 4]], { name: 'a', dtype: 'float32' });
    const x = tf.placeholder('float32', { shape: [2, 1], name: 'x' });
    const y = tf.matmul(a, x).add(1);
    const s = tf.reduceSum(y);
    const words = tf.constant(['ab', 'c'], { name: 'words' });
    const feed = { x: [[1], [2]] };
    const local = new tf.Session({ config: CONFIG });
    const remote = new tf.Session({ target, config: CONFIG });
    t.is(remote.target, target);
    const want = local.run([y, s, words], feed);
    const got = remote.run([y, s, words], feed);
    t.deepEqual(got[0].toArray(), [[6], [12]]);  // [1*1+2*2+1, 3*1+4*2+1]
    t.deepEqual(got.map((v) => v.toArray()), want.map((v) => v.toArray()));
    // Nodes added after the first run reach the server as an ExtendSession delta.
    const z = s.mul(2);
    t.is((await remote.runAsync(s, feed)).item(), 18);  // (after the await the default graph is no longer g)
    t.is(remote.run(z, feed).item(), 36);
    const f = remote.makeCallable(z, [x]);
    t.is(f([[0], [1]]).item(), 2 * (2 + 1 + 4 + 1));
    local.close();
    remote.close();
  });
});

serial("variables live on the server: one session's assignment is seen by another (TF's 1.0 then 2.0), but not by an isolateSessionState session, which has its own until it closes", async (t) => {
  const { target } = await startServer();
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable(0, { name: 'v', dtype: 'float32' });
    const one = tf.assign(v, 1);
    const two = tf.assign(v, 2);
    const five = tf.assign(v, 5);
    const sess1 = new tf.Session({ target, config: CONFIG });
    sess1.run(v.initializer);
    sess1.run(one);
    const sess2 = new tf.Session({ target, config: CONFIG });
    t.is(sess2.run(v).item(), 1);
    sess2.run(two);
    t.is(sess1.run(v).item(), 2);
    sess1.close();
    // Closing a session leaves the server's variables.
    t.is(sess2.run(v).item(), 2);
    sess2.close();
    const sess3 = new tf.Session({ target, config: CONFIG });
    t.is(sess3.run(v).item(), 2);
    // TF's isolate_session_state: the session's own v, uninitialized, and its assignment stays its own.
    const ISOLATED = { ...CONFIG, isolateSessionState: true };
    const uninitialized = { instanceOf: tf.errors.FailedPreconditionError, message: /uninitialized value v\b/ };
    const iso = new tf.Session({ target, config: ISOLATED });
    t.throws(() => iso.run(v), uninitialized);
    iso.run(v.initializer);
    t.is(iso.run(five).item(), 5);
    t.is(iso.run(v).item(), 5);
    t.is(sess3.run(v).item(), 2);
    const iso2 = new tf.Session({ target, config: ISOLATED });
    t.throws(() => iso2.run(v), uninitialized);
    iso2.close();
    // Its variables go when it closes: the next isolated session starts uninitialized again.
    iso.close();
    const iso3 = new tf.Session({ target, config: ISOLATED });
    t.throws(() => iso3.run(v), uninitialized);
    iso3.close();
    t.is(sess3.run(v).item(), 2);
    sess3.close();
  });
});

serial('Session.reset(target, containers) clears that container and closes the sessions', async (t) => {
  const { target } = await startServer();
  const g = new tf.Graph();
  g.asDefault(() => {
    const kept = new tf.Variable(5, { name: 'kept', dtype: 'float32' });
    const gone = tf.container('c1', () => new tf.Variable(7, { name: 'gone', dtype: 'float32' }));
    const sess = new tf.Session({ target, config: CONFIG });
    sess.run([kept.initializer, gone.initializer]);
    t.deepEqual(sess.run([kept, gone]).map((v) => v.item()), [5, 7]);
    tf.Session.reset(target, ['c1']);
    // TF: reset closes every session on the server; its handle is gone.
    t.throws(() => sess.run(kept), { instanceOf: tf.errors.AbortedError });
    const fresh = new tf.Session({ target, config: CONFIG });
    t.is(fresh.run(kept).item(), 5);
    t.throws(() => fresh.run(gone), { instanceOf: tf.errors.FailedPreconditionError, message: /uninitialized/ });
    // No containers named: the default container (the job name) goes.
    tf.Session.reset(target, []);
    const last = new tf.Session({ target, config: CONFIG });
    t.throws(() => last.run(kept), { instanceOf: tf.errors.FailedPreconditionError, message: /uninitialized/ });
    last.close();
    sess.close();
    fresh.close();
  });
});

serial('listDevices over gRPC names the task; nodes pinned to it run, other tasks are an error', async (t) => {
  const { proc, target, stderr } = await startServer('ps');
  const g = new tf.Graph();
  await g.asDefault(async () => {
    const sess = new tf.Session({ target, config: { ...CONFIG, logDevicePlacement: true } });
    t.deepEqual(sess.listDevices().map((d) => [d.name, d.deviceType]), [['/job:ps/replica:0/task:0/device:CPU:0', 'CPU']]);
    const a = tf.device('/job:ps/task:0', () => tf.constant(3, { name: 'a' }));
    t.is(sess.run(a.mul(2)).item(), 6);
    const b = tf.device('/job:worker/task:0', () => tf.constant(4, { name: 'b' }));
    t.throws(() => sess.run(b), { instanceOf: tf.errors.InvalidArgumentError, message: /job:worker/ });
    sess.close();
    // logDevicePlacement: the server logs the placements, as TF's servers do.
    const line = 'a: /job:ps/replica:0/task:0/device:CPU:0';
    await new Promise<void>((resolve) => {
      const check = () => (stderr().includes(line) ? resolve() : proc.stderr!.once('data', check));
      check();
    });
    t.true(stderr().includes(line));
  });
});

serial('a traced step across tasks returns the ps partition\'s node times under its device (RunGraph step_stats)', async (t) => {
  const [psPort, workerPort] = [await freePort(), await freePort()];
  const cluster = [`ps=127.0.0.1:${psPort}`, `worker=127.0.0.1:${workerPort}`];
  const ps = await startServer('ps', cluster);
  const worker = await startServer('worker', cluster);
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [3], name: 'x' });
    const onPs = tf.device('/job:ps/task:0', () => tf.mul(x, tf.constant(2, { dtype: 'float32' }), { name: 'double_on_ps' }));
    const y = tf.device('/job:worker/task:0', () => tf.add(onPs, tf.constant(1, { dtype: 'float32' }), { name: 'plus_one' }));
    const sess = new tf.Session({ target: worker.target, config: CONFIG });
    const md: tf.RunMetadata = {};
    const feeds = new Map([[x, tf.NDArray.from(Float32Array.from([1, 2, 3]), 'float32', [3])]]);
    const out = sess.run(y, feeds, { traceLevel: tf.TraceLevel.FULL_TRACE }, md);
    t.deepEqual(Array.from(out.data as Float32Array), [3, 5, 7]);
    const nodes = new Map<string, string>();
    for (const d of md.stepStats!.devStats) for (const n of d.nodeStats) nodes.set(n.nodeName, d.device);
    t.is(nodes.get('double_on_ps'), '/job:ps/replica:0/task:0/device:CPU:0');
    t.is(nodes.get('plus_one'), '/job:worker/replica:0/task:0/device:CPU:0');
    // Untraced: no stats asked of the ps, none returned.
    const md2: tf.RunMetadata = {};
    sess.run(y, feeds, {}, md2);
    t.falsy(md2.stepStats?.devStats.some((d) => d.nodeStats.length > 0));
    sess.close();
  });
  for (const s of [ps, worker]) s.proc.kill('SIGKILL');
  await Promise.all([exited(ps.proc), exited(worker.proc)]);
});

serial('listDevices lists every task of the cluster and Session.reset clears containers on all of them; a task that is down is UnavailableError', async (t) => {
  const [psPort, workerPort] = [await freePort(), await freePort()];
  const cluster = [`ps=127.0.0.1:${psPort}`, `worker=127.0.0.1:${workerPort}`];
  const ps = await startServer('ps', cluster);
  const worker = await startServer('worker', cluster);
  t.is(worker.port, workerPort);
  const g = new tf.Graph();
  g.asDefault(() => {
    const sess = new tf.Session({ target: worker.target, config: CONFIG });
    t.deepEqual(sess.listDevices().map((d) => d.name),
      ['/job:worker/replica:0/task:0/device:CPU:0', '/job:ps/replica:0/task:0/device:CPU:0']);
    sess.close();
    // Variables on the ps task; a reset through the worker's master reaches the ps (CleanupAll).
    const kept = new tf.Variable(5, { name: 'kept', dtype: 'float32' });
    const gone = tf.container('c1', () => new tf.Variable(7, { name: 'gone', dtype: 'float32' }));
    const onPs = new tf.Session({ target: ps.target, config: CONFIG });
    onPs.run([kept.initializer, gone.initializer]);
    onPs.close();
    tf.Session.reset(worker.target, ['c1']);
    const after = new tf.Session({ target: ps.target, config: CONFIG });
    t.is(after.run(kept).item(), 5);
    t.throws(() => after.run(gone), { instanceOf: tf.errors.FailedPreconditionError, message: /uninitialized/ });
    after.close();
  });
  ps.proc.kill('SIGKILL');
  await exited(ps.proc);
  g.asDefault(() => {
    const sess = new tf.Session({ target: worker.target, config: CONFIG });
    t.throws(() => sess.listDevices(), { instanceOf: tf.errors.UnavailableError, message: /job:ps/ });
    sess.close();
  });
});

serial('a restarted server: the old session is AbortedError (its handle is gone) for run and runAsync, a new one works', async (t) => {
  const first = await startServer();
  const g = new tf.Graph();
  await g.asDefault(async () => {
    const c = tf.constant(2, { name: 'c' }).mul(5);
    const old = new tf.Session({ target: first.target, config: CONFIG });
    t.is(old.run(c).item(), 10);
    first.proc.kill('SIGKILL');
    await exited(first.proc);
    const second = await startServer('local', [`local=127.0.0.1:${first.port}`]);
    t.is(second.target, first.target);
    // The first call after the restart meets the dropped connection (UNAVAILABLE) and is
    // retried, asynchronous ones too: the new server answers that the session is gone.
    await t.throwsAsync(old.runAsync(c), { instanceOf: tf.errors.AbortedError, message: /not found/ });
    t.throws(() => old.run(c), { instanceOf: tf.errors.AbortedError, message: /not found/ });
    const fresh = new tf.Session({ target: second.target, graph: g, config: CONFIG });
    t.is(fresh.run(c).item(), 10);
    fresh.close();
    old.close();
  });
});

serial('the Node-less tg_server serves the same master service', async (t) => {
  const binary = join(process.cwd(), 'build', 'Release', 'tg_server');
  const { target } = await startServer('local', ['local=127.0.0.1:0'], [binary]);
  const g = new tf.Graph();
  g.asDefault(() => {
    const sess = new tf.Session({ target, config: CONFIG });
    t.deepEqual(sess.listDevices().map((d) => d.name), ['/job:local/replica:0/task:0/device:CPU:0']);
    t.is(sess.run(tf.constant(20).add(22)).item(), 42);
    sess.close();
  });
});

serial('--isolate-session-state (tensorgraph-server and tg_server): each session on the server has its own variables', async (t) => {
  for (const program of [[process.execPath, serverScript], [join(process.cwd(), 'build', 'Release', 'tg_server')]]) {
    const { proc, target } = await startServer('local', ['local=127.0.0.1:0'], program, undefined, 0, ['--isolate-session-state']);
    const g = new tf.Graph();
    g.asDefault(() => {
      const v = new tf.Variable(3, { name: 'v', dtype: 'float32' });
      const a = new tf.Session({ target, config: CONFIG });
      a.run(v.initializer);
      t.is(a.run(tf.assign(v, 7)).item(), 7);
      const b = new tf.Session({ target, config: CONFIG });
      t.throws(() => b.run(v), { instanceOf: tf.errors.FailedPreconditionError, message: /uninitialized value v\b/ }, program.at(-1));
      b.run(v.initializer);
      t.is(b.run(v).item(), 3);
      t.is(a.run(v).item(), 7);
      a.close();
      b.close();
    });
    proc.kill('SIGTERM');
    await exited(proc);
  }
});

serial('tensorgraph-server takes its cluster and task from TF_CONFIG', async (t) => {
  const port = await freePort();
  const tfConfig = JSON.stringify({ cluster: { chief: [`127.0.0.1:${port}`] }, task: { type: 'chief', index: 0 } });
  const { target } = await startServer('', [], undefined, { TF_CONFIG: tfConfig });
  t.is(target, `grpc://127.0.0.1:${port}`);
  const g = new tf.Graph();
  g.asDefault(() => {
    const sess = new tf.Session({ target, config: CONFIG });
    t.deepEqual(sess.listDevices().map((d) => d.name), ['/job:chief/replica:0/task:0/device:CPU:0']);
    sess.close();
  });
});

serial('a killed server gives UnavailableError; a missing one too', async (t) => {
  const { proc, target } = await startServer();
  const g = new tf.Graph();
  g.asDefault(() => {
    const c = tf.constant(1, { name: 'c' }).add(1);
    const sess = new tf.Session({ target, config: CONFIG });
    t.is(sess.run(c).item(), 2);
    proc.kill('SIGKILL');
  });
  await exited(proc);
  g.asDefault(() => {
    t.throws(() => new tf.Session({ target, config: CONFIG }).run(tf.constant(2, { name: 'd' })), { instanceOf: tf.errors.UnavailableError });
  });
  // A bounded wait for a server that is not there (operationTimeoutInMs bounds every call).
  const g2 = new tf.Graph();
  g2.asDefault(() => {
    const sess = new tf.Session({ target, config: { ...CONFIG, operationTimeoutInMs: 2000 } });
    const err = t.throws(() => sess.run(tf.constant(1)));
    t.true(err instanceof tf.errors.UnavailableError || err instanceof tf.errors.DeadlineExceededError, String(err));
  });
});

serial('a blocked dequeue on the server ends at the run timeout or the session operation timeout', async (t) => {
  const { target } = await startServer();
  const g = new tf.Graph();
  g.asDefault(() => {
    const q = new tf.FIFOQueue(2, 'int32', { shapes: [[]], name: 'q' });
    const take = q.dequeue() as tf.Tensor;
    const sess = new tf.Session({ target, config: CONFIG });
    t.throws(() => sess.run(take, undefined, { timeoutInMs: 300 }), { instanceOf: tf.errors.DeadlineExceededError });
    sess.close();
    const bounded = new tf.Session({ target, config: { ...CONFIG, operationTimeoutInMs: 300 } });
    t.throws(() => bounded.run(take), { instanceOf: tf.errors.DeadlineExceededError });
    // The server is free again: the queue takes and gives values.
    bounded.run(q.enqueue(9));
    t.is(bounded.run(take).item(), 9);
    bounded.close();
  });
});

// The queues of the client-gone test (its client script builds the same): shared by name on
// the server; the client's step signals on 'sig' before it waits on 'main'.
function queuesGraph() {
  const main = new tf.FIFOQueue(5, 'int32', { shapes: [[]], name: 'main', sharedName: 'main' });
  const sig = new tf.FIFOQueue(5, 'int32', { shapes: [[]], name: 'sig', sharedName: 'sig' });
  const signal = sig.enqueue(1);
  const waitMain = tf.controlDependencies([signal], () => main.dequeue() as tf.Tensor);
  return { main, sig, waitMain };
}

serial("a killed client's blocked step is cancelled: it does not take a value enqueued later", async (t) => {
  const { target } = await startServer();
  const dir = mkdtempSync(join(tmpdir(), 'tg-grpc-client-'));
  const script = join(dir, 'client.mjs');
  writeFileSync(script, `
    import * as tf from '${pathToFileURL(join(process.cwd(), 'dist', 'index.js')).href}';
    const main = new tf.FIFOQueue(5, 'int32', { shapes: [[]], name: 'main', sharedName: 'main' });
    const sig = new tf.FIFOQueue(5, 'int32', { shapes: [[]], name: 'sig', sharedName: 'sig' });
    const signal = sig.enqueue(1);
    const waitMain = tf.controlDependencies([signal], () => main.dequeue());
    const sess = new tf.Session({ target: process.argv[2] });
    sess.run(waitMain);
    console.log('dequeued');
  `);
  const client = spawn(process.execPath, [script, target], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(client);
  const g = new tf.Graph();
  await g.asDefault(async () => {
    const { main, sig } = queuesGraph();
    const sess = new tf.Session({ target, config: CONFIG });
    // The client's step has signalled: it is waiting on 'main' (or about to).
    t.is((await sess.runAsync(sig.dequeue() as tf.Tensor, undefined, { timeoutInMs: 20000 })).item(), 1);
    client.kill('SIGKILL');
    await exited(client);
    // The kernel closed the client's connection before this process learnt of its exit, so
    // the server has cancelled that step before the enqueue below arrives.
    sess.run(main.enqueue(5));
    t.is(sess.run(main.dequeue() as tf.Tensor, undefined, { timeoutInMs: 5000 }).item(), 5);
    sess.close();
  });
});

// Graphs spanning tasks: the worker's master places over the cluster, registers the ps
// partitions with the ps's worker service and runs them per step (RunGraph, RecvTensor).
async function psAndWorkers(workers: number) {
  const ports = [await freePort()];
  for (let i = 0; i < workers; i++) ports.push(await freePort());
  const cluster = [`ps=127.0.0.1:${ports[0]}`, `worker=${ports.slice(1).map((p) => `127.0.0.1:${p}`).join(',')}`];
  const ps = await startServer('ps', cluster);
  const ws = [];
  for (let i = 0; i < workers; i++) ws.push(await startServer('worker', cluster, undefined, undefined, i));
  return { ps, workers: ws, cluster };
}

serial('a variable on the ps updated by a graph computed on the worker; a fetch from the ps; another session sees it, an isolateSessionState one has its own', async (t) => {
  const { ps, workers: [worker] } = await psAndWorkers(1);
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = tf.device('/job:ps/task:0', () => new tf.Variable([1, 2], { name: 'v', dtype: 'float32' }));
    const x = tf.placeholder('float32', { shape: [2], name: 'x' });
    const delta = tf.device('/job:worker/task:0', () => tf.add(tf.multiply(x, 2), 1));
    const update = tf.device('/job:ps/task:0', () => v.assignAdd(delta));
    const onPs = tf.device('/job:ps/task:0', () => tf.reduceSum(v.value()));
    const sess = new tf.Session({ target: worker.target, config: CONFIG });
    sess.run(v.initializer);
    // [1, 2] + (2 * [1, 3] + 1) = [4, 9]
    t.deepEqual(sess.run(update, { x: [1, 3] }).toArray(), [4, 9]);
    t.deepEqual(sess.run(v.value()).toArray(), [4, 9]);
    t.is(sess.run(onPs).item(), 13);
    // [4, 9] + (2 * [1, 0] + 1) = [7, 10], fetched with the sum from the ps in one step
    sess.run(update, { x: [1, 0] });
    const [value, sum] = sess.run([v.value(), onPs]);
    t.deepEqual(value.toArray(), [7, 10]);
    t.is(sum.item(), 17);
    sess.close();
    // The variable lives on the ps: a session on the ps itself sees it.
    const direct = new tf.Session({ target: ps.target, config: CONFIG });
    t.deepEqual(direct.run(v.value()).toArray(), [7, 10]);
    // isolateSessionState: the session's worker session on the ps is isolated too (TF's
    // CreateWorkerSession flag), so its v there is its own.
    const iso = new tf.Session({ target: worker.target, config: { ...CONFIG, isolateSessionState: true } });
    t.throws(() => iso.run(v.value()), { instanceOf: tf.errors.FailedPreconditionError, message: /uninitialized value v\b/ });
    iso.run(v.initializer);
    // [1, 2] + (2 * [0, 0] + 1) = [2, 3]
    t.deepEqual(iso.run(update, { x: [0, 0] }).toArray(), [2, 3]);
    t.deepEqual(direct.run(v.value()).toArray(), [7, 10]);
    iso.close();
    direct.close();
  });
});

serial('a tf.cond across tasks: the untaken branch on the ps crosses as dead', async (t) => {
  const { workers: [worker] } = await psAndWorkers(1);
  const g = new tf.Graph();
  g.asDefault(() => {
    const p = tf.placeholder('bool', { shape: [], name: 'p' });
    const x = tf.device('/job:worker/task:0', () => tf.constant(3, { dtype: 'float32', name: 'x' }));
    const r = tf.cond(p, () => tf.device('/job:ps/task:0', () => tf.multiply(x, 10)),
      () => tf.device('/job:ps/task:0', () => tf.subtract(x, 1)));
    const sess = new tf.Session({ target: worker.target, config: CONFIG });
    t.is(sess.run(r, { p: true }).item(), 30);
    t.is(sess.run(r, { p: false }).item(), 2);
    sess.close();
  });
});

serial('a while loop across tasks: its body multiplies on the ps, the rest runs on the worker', async (t) => {
  const { workers: [worker] } = await psAndWorkers(1);
  const g = new tf.Graph();
  g.asDefault(() => {
    type T = tf.Tensor;
    // x = x * 2 + 1 ten times from 0 (the multiplication on the ps): 2^10 - 1; the condition
    // stays on the worker, whose LoopCond the ps receives every iteration.
    const [i, x] = tf.device('/job:worker/task:0', () => tf.whileLoop((i: T) => i.lt(10),
      (i: T, x: T) => [i.add(1), tf.device('/job:ps/task:0', () => x.mul(2)).add(1)],
      [tf.constant(0), tf.constant(0, { dtype: 'float32' })])) as T[];
    // Nested, the inner loop wholly on the ps: sum over i < 3 of 2^(i + 1).
    const [, s] = tf.device('/job:worker/task:0', () => tf.whileLoop((i: T) => i.lt(3), (i: T, s: T) => {
      const [, p] = tf.device('/job:ps/task:0', () => tf.whileLoop((j: T) => j.le(i), (j: T, p: T) => [j.add(1), p.mul(2)],
        [tf.constant(0), tf.constant(1)])) as T[];
      return [i.add(1), s.add(p)];
    }, [tf.constant(0), tf.constant(0)])) as T[];
    const sess = new tf.Session({ target: worker.target, config: CONFIG });
    const md: tf.RunMetadata = {};
    t.deepEqual(sess.run([i, x, s], undefined, { traceLevel: tf.TraceLevel.FULL_TRACE, timeoutInMs: 20000 }, md).map((r) => r.item()), [10, 1023, 14]);
    // The ps ran the multiplication every iteration, in step with its own control loop.
    const onPs = md.stepStats!.devStats.filter((d) => d.device.startsWith('/job:ps/')).flatMap((d) => d.nodeStats.map((n) => n.nodeName));
    t.is(onPs.filter((n) => n === 'while/mul').length, 10);  // once per live iteration (the last, dead one skips it)
    t.true(onPs.some((n) => n.startsWith('_cloop_while/while_context')), onPs.join(' '));
    t.deepEqual(sess.run([i, x, s]).map((r) => r.item()), [10, 1023, 14]);  // a second step, its own keys
    sess.close();
  });
});

serial('between-graph async training with replicaDeviceSetter: two worker clients, variables on the ps, converges', async (t) => {
  const { ps, workers, cluster } = await psAndWorkers(2);
  const spec = new tf.train.ClusterSpec({ ps: [cluster[0].slice(3)], worker: cluster[1].slice(7).split(',') });
  // y = 2x + 1 on 8 points in [-1, 1]
  const xs = Array.from({ length: 8 }, (_, i) => -1 + (2 * i) / 7);
  const ys = xs.map((v) => 2 * v + 1);
  const replicas = workers.map((w, i) => {
    const g = new tf.Graph();
    return g.asDefault(() => {
      const setter = tf.train.replicaDeviceSetter({ cluster: spec, workerDevice: `/job:worker/task:${i}` });
      return tf.device(setter, () => {
        const w = new tf.Variable(0, { name: 'w', dtype: 'float32' });
        const b = new tf.Variable(0, { name: 'b', dtype: 'float32' });
        const x = tf.placeholder('float32', { shape: [8], name: 'x' });
        const y = tf.placeholder('float32', { shape: [8], name: 'y' });
        const loss = tf.reduceMean(tf.square(tf.subtract(tf.add(tf.multiply(w, x), b), y)));
        const step = new tf.train.GradientDescentOptimizer(0.1).minimize(loss);
        const sess = new tf.Session({ target: workers[i].target, graph: g, config: CONFIG });
        return { w, b, step, init: tf.globalVariablesInitializer(), sess, x, y };
      });
    });
  });
  replicas[0].sess.run(replicas[0].init);  // the chief initialises the shared variables
  for (let i = 0; i < 60; i++) {
    await Promise.all(replicas.map((r) => r.sess.runAsync(r.step, { x: xs, y: ys })));
  }
  // Both clients read the same variables on the ps.
  for (const r of replicas) {
    const [w, b] = r.sess.run([r.w.value(), r.b.value()]).map((v) => v.item() as number);
    t.true(Math.abs(w - 2) < 1e-2, `w = ${w}`);
    t.true(Math.abs(b - 1) < 1e-2, `b = ${b}`);
  }
  for (const r of replicas) r.sess.close();
  t.truthy(ps);
});

serial('between-graph SyncReplicasOptimizer over a cluster: one averaged update per step, as synchronous gradient descent computes', async (t) => {
  const { ps, workers, cluster } = await psAndWorkers(2);
  const spec = new tf.train.ClusterSpec({ ps: [cluster[0].slice(3)], worker: cluster[1].slice(7).split(',') });
  const lr = 0.5;
  const steps = 20;
  // y = 3x + 2; worker 0's shard has x in [-1, 0], worker 1's x in [0, 1]: the shards'
  // gradients differ, so only their average gives the expected values below.
  const xsOf = [0, 1].map((i) => Array.from({ length: 4 }, (_, j) => i - 1 + j / 3));
  const ysOf = xsOf.map((xs) => xs.map((x) => 3 * x + 2));
  // Every call is bounded: a broken synchronisation fails the test instead of hanging it.
  const config = { ...CONFIG, operationTimeoutInMs: 30000 };
  const replicas = workers.map((server, i) => {
    const g = new tf.Graph();
    return g.asDefault(() => {
      const setter = tf.train.replicaDeviceSetter({ cluster: spec, workerDevice: `/job:worker/task:${i}` });
      return tf.device(setter, () => {
        const globalStep = tf.train.getOrCreateGlobalStep();
        const w = new tf.Variable(0, { name: 'w', dtype: 'float32' });
        const b = new tf.Variable(0, { name: 'b', dtype: 'float32' });
        const x = tf.placeholder('float32', { shape: [4], name: 'x' });
        const y = tf.placeholder('float32', { shape: [4], name: 'y' });
        const loss = tf.reduceMean(tf.square(tf.subtract(tf.add(tf.multiply(w, x), b), y)));
        const opt = new tf.train.SyncReplicasOptimizer(new tf.train.GradientDescentOptimizer(lr),
          { replicasToAggregate: 2, totalNumReplicas: 2 });
        const train = opt.minimize(loss, { globalStep });
        const sess = new tf.Session({ target: server.target, graph: g, config });
        return { w, b, globalStep, x, y, opt, train, sess, init: tf.globalVariablesInitializer() };
      });
    });
  });
  const [chief, other] = replicas;
  t.regex(chief.w.device, /job:ps/);
  // What TF's session hook does: the chief initialises the shared variables and the
  // accumulators' step, every replica copies the global step into its local step.
  chief.sess.run(chief.init);
  chief.sess.run(chief.opt.chiefInitOp!);
  other.sess.run(other.opt.localStepInitOp!);
  // No initial tokens: each step of both replicas waits for the chief's averaged update (with
  // tokens, a replica that runs ahead may put two gradients into one average).
  chief.sess.run(chief.opt.getInitTokensOp(0));
  const coord = new tf.train.Coordinator();
  const threads = chief.opt.getChiefQueueRunner().createThreads(chief.sess, { coord, start: true });
  t.true(threads.length === 2 && threads.every((th) => th.isAlive()));
  for (let k = 0; k < steps; k++) {
    await Promise.all(replicas.map((r, i) => r.sess.runAsync(r.train, [[r.x, xsOf[i]], [r.y, ysOf[i]]])));
  }
  t.false(coord.shouldStop());
  // The same steps in plain JS: one update per step with the mean of both shards' gradients.
  let [ew, eb] = [0, 0];
  for (let k = 0; k < steps; k++) {
    const grads = xsOf.map((xs, i) => {
      const r = xs.map((x, j) => ew * x + eb - ysOf[i][j]);
      return [r.reduce((s, v, j) => s + 2 * v * xs[j], 0) / xs.length, r.reduce((s, v) => s + 2 * v, 0) / xs.length];
    });
    ew -= lr * (grads[0][0] + grads[1][0]) / 2;
    eb -= lr * (grads[0][1] + grads[1][1]) / 2;
  }
  for (const r of replicas) {
    const [w, b, gs] = r.sess.run([r.w.value(), r.b.value(), r.globalStep]).map((v) => Number(v.item()));
    t.is(gs, steps);  // one update per aggregated step, not one per gradient
    t.true(Math.abs(w - ew) < 1e-5, `w = ${w}, expected ${ew}`);
    t.true(Math.abs(b - eb) < 1e-5, `b = ${b}, expected ${eb}`);
    t.true(Math.abs(w - 3) < 1e-2 && Math.abs(b - 2) < 1e-2, `w = ${w}, b = ${b}`);
  }
  // Shutdown: stop, close the sessions (which cancels the chief's take waiting on the ps),
  // join: every thread has ended.
  coord.requestStop();
  for (const r of replicas) r.sess.close();
  coord.join(threads, { stopGracePeriodSecs: 10 });
  t.false(threads.some((th) => th.isAlive()));
  // Nothing of the cancelled take is left waiting on the ps: two gradients stay accumulated.
  const g = new tf.Graph();
  g.asDefault(() => {
    const acc = tf.device('/job:ps/task:0', () => new tf.ConditionalAccumulator('float32', { shape: [], sharedName: 'w:0/grad_accum' }));
    const localStep = tf.constant(steps, { dtype: 'int64' });
    const sess = new tf.Session({ target: ps.target, config });
    sess.run(acc.applyGrad(1, { localStep }));
    sess.run(acc.applyGrad(3, { localStep }));
    t.is(sess.run(acc.numAccumulated()).item(), 2);
    sess.close();
  });
});

serial('a QueueRunner on a grpc:// session feeds a queue on the ps: each value dequeued once, in order; stop and join end its threads', async (t) => {
  const { workers: [worker] } = await psAndWorkers(1);
  const g = new tf.Graph();
  g.asDefault(() => {
    const { counter, q, enqueue } = tf.device('/job:ps/task:0', () => {
      const counter = new tf.Variable(0, { name: 'counter', dtype: 'int32' });
      const q = new tf.FIFOQueue(3, 'int32', { shapes: [[]], name: 'q' });
      // One enqueue thread: each run adds 1 to the counter and enqueues the new value.
      return { counter, q, enqueue: q.enqueue(counter.assignAdd(1)) };
    });
    tf.train.addQueueRunner(new tf.train.QueueRunner(q, [enqueue]));
    const taken = q.dequeue() as tf.Tensor;
    // Computed on the worker from the value dequeued on the ps.
    const tenfold = tf.device('/job:worker/task:0', () => tf.multiply(taken, 10));
    const sess = new tf.Session({ target: worker.target, config: { ...CONFIG, operationTimeoutInMs: 30000 } });
    sess.run(counter.initializer);
    const coord = new tf.train.Coordinator();
    const threads = tf.train.startQueueRunners({ sess, coord });
    t.deepEqual(threads.map((th) => th.name), ['QueueRunnerThread-q-q_enqueue', 'QueueRunnerThread-q-close_on_stop']);
    const seen = Array.from({ length: 10 }, () => sess.run(tenfold).item());
    t.deepEqual(seen, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    t.deepEqual(sess.run(q.dequeueMany(4) as tf.Tensor).toArray(), [11, 12, 13, 14]);
    // The stop closes the queue on the ps (cancelling the blocked enqueue): both threads end.
    coord.requestStop();
    coord.join(threads, { stopGracePeriodSecs: 10 });
    t.false(threads.some((th) => th.isAlive()));
    t.true(sess.run(q.isClosed()).item() as boolean);
    // What the thread enqueued before the stop is still there, in order, then OutOfRange.
    const rest: number[] = [];
    for (;;) {
      try {
        rest.push(sess.run(taken).item() as number);
      } catch (e) {
        t.true(e instanceof tf.errors.OutOfRangeError, String(e));
        break;
      }
    }
    t.true(rest.length <= 3);
    t.deepEqual(rest, rest.map((_, i) => 15 + i));
    // The counter ran once more for an enqueue the close cancelled, at most.
    const last = rest.length > 0 ? rest[rest.length - 1] : 14;
    t.true([last, last + 1].includes(sess.run(counter.value()).item() as number));
    sess.close();
  });
});

serial('sliceInputProducer and batch on the ps, started by startQueueRunners on a grpc:// session: one epoch in order, then OutOfRangeError; the threads end', async (t) => {
  const { workers: [worker] } = await psAndWorkers(1);
  const g = new tf.Graph();
  g.asDefault(() => {
    const batched = tf.device('/job:ps/task:0', () => {
      const [row] = tf.train.sliceInputProducer([tf.constant([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { dtype: 'int32' })],
        { numEpochs: 1, shuffle: false });
      return tf.train.batch([row], 4, { allowSmallerFinalBatch: true });
    });
    const sum = tf.device('/job:worker/task:0', () => tf.reduceSum(batched));
    const sess = new tf.Session({ target: worker.target, config: { ...CONFIG, operationTimeoutInMs: 30000 } });
    sess.run([tf.globalVariablesInitializer(), tf.localVariablesInitializer()]);
    const coord = new tf.train.Coordinator();
    const threads = tf.train.startQueueRunners({ sess, coord });
    t.is(threads.length, 4);  // two queue runners, each with a close-on-stop thread
    t.deepEqual(sess.run([batched, sum]).map((v) => v.toArray()), [[0, 1, 2, 3], 6]);
    t.deepEqual(sess.run(batched).toArray(), [4, 5, 6, 7]);
    t.deepEqual(sess.run(batched).toArray(), [8, 9]);
    t.throws(() => sess.run(batched), { instanceOf: tf.errors.OutOfRangeError });
    // The enqueue threads ended on their own (the epoch ran out and closed the queues).
    t.false(coord.shouldStop());
    coord.requestStop();
    coord.join(threads, { stopGracePeriodSecs: 10 });
    t.false(threads.some((th) => th.isAlive()));
    sess.close();
  });
});

serial('a ps killed while a step waits on it: the step fails fast with UnavailableError/AbortedError, and so does the next', async (t) => {
  const { ps, workers: [worker] } = await psAndWorkers(1);
  const g = new tf.Graph();
  let sess!: tf.Session;
  let blocked!: Promise<unknown>;
  let later!: tf.Tensor;
  g.asDefault(() => {
    const taken = tf.device('/job:ps/task:0', () => new tf.FIFOQueue(2, 'float32', { shapes: [[]], name: 'q' }).dequeue() as tf.Tensor);
    const y = tf.device('/job:worker/task:0', () => tf.multiply(taken, 2));
    later = tf.device('/job:ps/task:0', () => tf.add(tf.constant(1), 1));
    sess = new tf.Session({ target: worker.target, config: CONFIG });
    t.is(sess.run(later).item(), 2);
    blocked = sess.runAsync(y);
  });
  ps.proc.kill('SIGKILL');
  await exited(ps.proc);
  const err = await t.throwsAsync(blocked);
  t.true(err instanceof tf.errors.UnavailableError || err instanceof tf.errors.AbortedError, String(err));
  const next = t.throws(() => sess.run(later));
  t.true(next instanceof tf.errors.UnavailableError || next instanceof tf.errors.AbortedError, String(next));
  sess.close();
});

serial('a ps restarted on its port: the next step of a session that used it is AbortedError (its worker session and device incarnation are gone); a new session works', async (t) => {
  const { ps, workers: [worker], cluster } = await psAndWorkers(1);
  const g = new tf.Graph();
  let sess!: tf.Session;
  let y!: tf.Tensor;
  g.asDefault(() => {
    const x = tf.device('/job:worker/task:0', () => tf.constant(3, { dtype: 'float32', name: 'x' }));
    const onPs = tf.device('/job:ps/task:0', () => tf.multiply(x, 2));
    y = tf.device('/job:worker/task:0', () => tf.add(onPs, 1));
    // A long operation timeout: an AbortedError comes from the restarted ps, not a deadline.
    sess = new tf.Session({ target: worker.target, config: { ...CONFIG, operationTimeoutInMs: 60000 } });
    t.is(sess.run(y).item(), 7);
  });
  ps.proc.kill('SIGKILL');
  await exited(ps.proc);
  await startServer('ps', cluster);
  // The first call may still meet the dropped connection (UnavailableError); from then on the
  // restarted ps answers, and it knows neither the session nor the old device incarnation.
  let err: unknown;
  for (let i = 0; i < 3; i++) {
    try {
      sess.run(y);
      err = undefined;
    } catch (e) {
      err = e;
      if (!(e instanceof tf.errors.UnavailableError)) break;
    }
  }
  t.true(err instanceof tf.errors.AbortedError, String(err));
  t.regex(String(err), /Session handle is not found|different device incarnation/);
  sess.close();
  g.asDefault(() => {
    const fresh = new tf.Session({ target: worker.target, config: CONFIG });
    t.is(fresh.run(y).item(), 7);
    fresh.close();
  });
});

serial("steps longer than the servers' step TTL are not expired while they run (nor when the sender's part ended first); stepTtlMs must be positive", async (t) => {
  const [psPort, workerPort] = [await freePort(), await freePort()];
  const cluster = [`ps=127.0.0.1:${psPort}`, `worker=127.0.0.1:${workerPort}`];
  const ttl = ['--step-ttl-ms', '100'];
  await startServer('ps', cluster, undefined, undefined, 0, ttl);
  const worker = await startServer('worker', cluster, undefined, undefined, 0, ttl);
  const g = new tf.Graph();
  let onPsWaits!: tf.Tensor;
  let onWorkerWaits!: tf.Tensor;
  let fill!: tf.Operation[];
  g.asDefault(() => {
    // The ps part of the first step waits (a dequeue there) for many TTLs; in the second, the
    // ps part ends at once and the worker part waits (a dequeue on the worker).
    const psQueue = tf.device('/job:ps/task:0', () => new tf.FIFOQueue(2, 'float32', { shapes: [[]], name: 'ps_q' }));
    const workerQueue = tf.device('/job:worker/task:0', () => new tf.FIFOQueue(2, 'float32', { shapes: [[]], name: 'worker_q' }));
    const a = tf.device('/job:ps/task:0', () => tf.constant(4, { dtype: 'float32', name: 'a' }));
    const onPs = (f: () => unknown) => tf.device('/job:ps/task:0', f);
    const onWorker = (f: () => unknown) => tf.device('/job:worker/task:0', f);
    onPsWaits = onWorker(() => tf.multiply(onPs(() => psQueue.dequeue()) as tf.Tensor, 2)) as tf.Tensor;
    onWorkerWaits = onWorker(() => tf.add(a, workerQueue.dequeue() as tf.Tensor)) as tf.Tensor;
    fill = [onPs(() => psQueue.enqueue(tf.constant(5, { dtype: 'float32' }))) as tf.Operation,
      onWorker(() => workerQueue.enqueue(tf.constant(6, { dtype: 'float32' }))) as tf.Operation];
  });
  const sess = new tf.Session({ target: worker.target, graph: g, config: CONFIG });
  const filler = new tf.Session({ target: worker.target, graph: g, config: CONFIG });
  const first = sess.runAsync(onPsWaits);
  const second = sess.runAsync(onWorkerWaits);
  await new Promise((r) => setTimeout(r, 1000));  // ten TTLs
  filler.run(fill);
  t.is((await first).item(), 10);
  t.is((await second).item(), 10);
  sess.close();
  filler.close();
  t.throws(() => new tf.train.Server({ local: ['127.0.0.1:0'] }, { stepTtlMs: 0 }), { instanceOf: tf.errors.InvalidArgumentError, message: /stepTtlMs/ });
});

serial('a task missing when the graph first needs it: UnavailableError/DeadlineExceededError within the operation timeout', async (t) => {
  const [psPort, workerPort] = [await freePort(), await freePort()];
  const cluster = [`ps=127.0.0.1:${psPort}`, `worker=127.0.0.1:${workerPort}`];
  const worker = await startServer('worker', cluster);
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = tf.device('/job:ps/task:0', () => tf.constant(1, { name: 'a' }));
    const sess = new tf.Session({ target: worker.target, config: { ...CONFIG, operationTimeoutInMs: 500 } });
    const err = t.throws(() => sess.run(a));
    t.true(err instanceof tf.errors.UnavailableError || err instanceof tf.errors.DeadlineExceededError, String(err));
    t.regex(String(err), /job:ps/);
    sess.close();
  });
});

serial('a port in use is a typed error; the running server is unaffected', async (t) => {
  const { target, port } = await startServer();
  const err = t.throws(() => new tf.train.Server({ local: [`127.0.0.1:${port}`] }, { jobName: 'local', taskIndex: 0 }),
    { instanceOf: tf.errors.UnknownError });
  t.regex(err!.message, /Could not start gRPC server/);
  const g = new tf.Graph();
  g.asDefault(() => {
    const sess = new tf.Session({ target, config: CONFIG });
    t.is(sess.run(tf.constant(5).add(1)).item(), 6);
    sess.close();
  });
  // A task the cluster lacks.
  t.throws(() => new tf.train.Server({ local: ['127.0.0.1:0'] }, { jobName: 'local', taskIndex: 3 }), { instanceOf: tf.errors.InvalidArgumentError });
});

serial('an in-process server: createLocalServer, a session on it, stop; the process exits cleanly', (t) => {
  const server = tf.train.Server.createLocalServer(CONFIG);
  t.regex(server.target, /^grpc:\/\/localhost:\d+$/);
  const g = new tf.Graph();
  g.asDefault(() => {
    const sess = new tf.Session({ target: server.target, config: CONFIG });
    t.deepEqual(sess.run(tf.constant([1, 2]).mul(3)).toArray(), [3, 6]);
    server.stop();
    t.throws(() => sess.run(tf.constant(1)), { instanceOf: tf.errors.UnavailableError });
    sess.close();
  });
  // A program that leaves its server and session running still exits, with its status.
  const dir = mkdtempSync(join(tmpdir(), 'tg-grpc-exit-'));
  const script = join(dir, 'main.mjs');
  writeFileSync(script, `
    import * as tf from '${pathToFileURL(join(process.cwd(), 'dist', 'index.js')).href}';
    const server = new tf.train.Server({ w: ['127.0.0.1:0'] }, { config: { interOpParallelismThreads: 1, intraOpParallelismThreads: 1 } });
    const sess = new tf.Session({ target: server.target });
    console.log('ran', sess.run(tf.constant(4).add(1)).item());
    process.exitCode = 3;
  `);
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20000 });
  t.is(r.stdout.trim(), 'ran 5', r.stderr);
  t.is(r.status, 3, r.stderr);
});

serial("a server whose config sets isolateSessionState isolates every session on it; an in-process reset('') leaves them", (t) => {
  const server = tf.train.Server.createLocalServer({ ...CONFIG, isolateSessionState: true });
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable(3, { name: 'v', dtype: 'float32' });
    const a = new tf.Session({ target: server.target, config: CONFIG });
    const b = new tf.Session({ target: server.target, config: CONFIG });
    a.run(v.initializer);
    t.is(a.run(v).item(), 3);
    t.throws(() => b.run(v), { instanceOf: tf.errors.FailedPreconditionError, message: /uninitialized value v\b/ });
    // As TF's: reset('') clears the in-process sessions' containers, not a server session's.
    tf.Session.reset('');
    t.is(a.run(v).item(), 3);
    a.close();
    b.close();
  });
  server.stop();
});

(withGrpc ? test.skip : test)('without gRPC in the build, servers and grpc:// sessions are UnimplementedError', (t) => {
  t.throws(() => new tf.train.Server({ local: ['127.0.0.1:0'] }), { instanceOf: tf.errors.UnimplementedError });
  t.throws(() => new tf.Session({ target: 'grpc://127.0.0.1:1' }), { instanceOf: tf.errors.UnimplementedError });
  t.throws(() => tf.Session.reset('grpc://127.0.0.1:1', []), { instanceOf: tf.errors.UnimplementedError });
});
