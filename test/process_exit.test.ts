// Process exit with blocked native work (spec pipelines-and-summaries §1 "Process exit"): a
// program whose QueueRunner thread is blocked enqueueing into a full queue (and, in some
// cases, whose runAsync dequeue waits on an empty queue), and which never joins or closes
// anything, exits promptly with its own status -- when its main code ends or calls process.exit.
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The child is killed after 8 s (a hang); a healthy exit takes well under a second.
function runProgram(pendingRunAsync: boolean, ending: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tg-process-exit-'));
  const script = join(dir, 'main.mjs');
  writeFileSync(script, `
    import * as tf from '${pathToFileURL(join(process.cwd(), 'dist', 'index.js')).href}';
    const full = new tf.FIFOQueue(2, 'int32', { shapes: [[]], name: 'full' });
    const empty = new tf.FIFOQueue(2, 'int32', { shapes: [[]], name: 'empty' });
    const fill = full.enqueueMany([[1, 2]]);
    const size = full.size();
    const qr = new tf.train.QueueRunner(full, [full.enqueue(3)]);
    const sess = new tf.Session();
    sess.run(fill);
    const coord = new tf.train.Coordinator();
    const threads = qr.createThreads(sess, { coord, start: true });
    if (${pendingRunAsync}) {
      const pending = sess.runAsync(empty.dequeue());
      pending.then((v) => console.log('dequeued', v.item()), (e) => console.log('rejected', e.constructor.name));
    }
    await new Promise((r) => setTimeout(r, 200));
    // The runner is blocked: it cannot add a third element to the full queue.
    console.log('blocked', sess.run(size).item(), threads.map((t) => t.isAlive()).join(','));
    ${ending}
  `);
  const start = Date.now();
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 8000 });
  return { ...r, ms: Date.now() - start };
}

function expectExit(t: ExecutionContext, r: ReturnType<typeof runProgram>, stdout: string, status: number) {
  t.is(r.error, undefined, 'the child was killed by the timeout (hang at exit)');
  t.is(r.signal, null);
  t.is(r.stderr, '');
  t.is(r.stdout.trim(), stdout);
  t.is(r.status, status);
  t.true(r.ms < 5000, `took ${r.ms} ms`);
}

test('a program that ends with its QueueRunner blocked on a full queue exits 0', (t) => {
  expectExit(t, runProgram(false, ''), 'blocked 2 true,true', 0);
});

test('a program that ends with its QueueRunner blocked sets its own exit status', (t) => {
  expectExit(t, runProgram(false, 'process.exitCode = 7;'), 'blocked 2 true,true', 7);
});

// A pending runAsync is pending work, like any pending I/O promise: the event loop stays alive
// until it settles (its thread-safe function is ref'd only while runs are pending), so a
// result that a QueueRunner thread will produce is delivered before the program exits.
test('a pending runAsync that a QueueRunner feeds later is delivered before the program exits', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-process-exit-'));
  const script = join(dir, 'main.mjs');
  writeFileSync(script, `
    import * as tf from '${pathToFileURL(join(process.cwd(), 'dist', 'index.js')).href}';
    const q = new tf.FIFOQueue(2, 'int32', { shapes: [[]] });
    const qr = new tf.train.QueueRunner(q, [q.enqueue(5)]);
    const sess = new tf.Session();
    sess.runAsync(q.dequeue()).then((v) => console.log('dequeued', v.item()));
    setTimeout(() => qr.createThreads(sess, { start: true }), 200);
  `);
  const start = Date.now();
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 8000 });
  expectExit(t, { ...r, ms: Date.now() - start }, 'dequeued 5', 0);
});

test('a program with a blocked QueueRunner and a pending runAsync that calls process.exit(0) exits 0', (t) => {
  expectExit(t, runProgram(true, "console.log('exiting'); process.exit(0);"), 'blocked 2 true,true\nexiting', 0);
});
