// Our client's half of tools/reference/cluster_compat.py: the same checks as its TF client,
// run with tensorgraph against the server at TARGET (TF's tf.distribute.Server there). One
// JSON line per check: {"check", "ok", "detail"}. Expected values are computed by hand or by
// the same graph in an in-process session.
//   npx tsx tools/reference/cluster_client.ts grpc://127.0.0.1:PORT
import * as tf from '../../src/index.js';

const target = process.argv[2];
if (!target) {
  console.error('usage: npx tsx tools/reference/cluster_client.ts grpc://host:port');
  process.exit(2);
}
const CONFIG = { interOpParallelismThreads: 1, intraOpParallelismThreads: 1, operationTimeoutInMs: 60000 };

function check(name: string, fn: () => [boolean, unknown]): void {
  let ok = false;
  let detail: unknown;
  try {
    [ok, detail] = fn();
  } catch (e) {
    detail = `${(e as Error).constructor.name}: ${((e as Error).message ?? '').split('\n')[0]}`;
  }
  console.log(JSON.stringify({ check: name, ok, detail }));
}

const close = (a: number[], b: number[], tol = 1e-5) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= tol * Math.max(1, Math.abs(b[i])));

/** A 4-3-2 MLP, softmax cross-entropy, gradient descent 0.1 (cluster_compat.py's mlp_graph); 3 steps' losses. */
function mlpLosses(sessTarget: string): number[] {
  const g = new tf.Graph();
  return g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [null, 4], name: 'mx' });
    const labels = tf.placeholder('int32', { shape: [null], name: 'my' });
    const lin = (n: number, a: number, b: number) => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
    const w1 = new tf.Variable(tf.constant(lin(12, -1, 1), { shape: [4, 3], dtype: 'float32' }), { name: 'w1' });
    const b1 = new tf.Variable(tf.zeros([3]), { name: 'b1' });
    const w2 = new tf.Variable(tf.constant(lin(6, 1, -1), { shape: [3, 2], dtype: 'float32' }), { name: 'w2' });
    const h = tf.nn.relu(tf.add(tf.matmul(x, w1), b1));
    const logits = tf.matmul(h, w2);
    const loss = tf.reduceMean(tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels, logits }));
    const train = new tf.train.GradientDescentOptimizer(0.1).minimize(loss);
    const init = tf.globalVariablesInitializer();
    const feeds = { 'mx:0': [[0, 1, 2, 3], [4, 5, 6, 7]].map((r) => r.map((v) => v / 8)), 'my:0': [0, 1] };
    const s = new tf.Session({ target: sessTarget, config: CONFIG });
    try {
      s.run(init);
      const out: number[] = [];
      for (let i = 0; i < 3; i++) out.push((s.run([loss, train], feeds)[0] as tf.NDArray).item() as number);
      return out;
    } finally {
      s.close();
    }
  });
}

const g = new tf.Graph();
g.asDefault(() => {
  const x = tf.placeholder('float32', { shape: [2, 2], name: 'x' });
  const w = tf.constant([[0.5, -1], [2, 0.25]], { name: 'w', dtype: 'float32' });
  const y = tf.add(tf.matmul(x, w), 1, { name: 'y' });
  const sess = new tf.Session({ target, config: CONFIG });
  const X = [[1, 2], [3, 4]];

  check('matmul_add', () => {
    const got = sess.run(y, { x: X }).toArray() as number[][];
    // [1*0.5+2*2+1, 1*-1+2*0.25+1], [3*0.5+4*2+1, 3*-1+4*0.25+1]
    return [close(got.flat(), [5.5, 0.5, 10.5, -1]), got];
  });

  const v = new tf.Variable(tf.zeros([2]), { name: 'v' });
  const assign = tf.assign(v, [1, 2]);
  const add = tf.assignAdd(v, [10, 10]);
  check('variable_assign_read', () => {
    sess.run(v.initializer);
    sess.run(assign);
    const got = Array.from(sess.run(add).data as Float32Array);
    return [close(got, [11, 12]), got];
  });

  check('variable_shared_between_sessions', () => {
    const s2 = new tf.Session({ target, config: CONFIG });
    try {
      const got = Array.from(s2.run(v).data as Float32Array);
      return [close(got, [11, 12]), got];
    } finally {
      s2.close();
    }
  });

  check('isolate_session_state', () => {
    const iso = new tf.Session({ target, config: { ...CONFIG, isolateSessionState: true } });
    try {
      try {
        return [false, { "read the server's v": Array.from(iso.run(v).data as Float32Array) }];
      } catch (e) {
        if (!(e instanceof tf.errors.FailedPreconditionError)) throw e;
      }
      iso.run(v.initializer);
      const own = Array.from(iso.run(add).data as Float32Array);  // its own v: [0, 0] + 10
      const kept = Array.from(sess.run(v).data as Float32Array);
      return [close(own, [10, 10]) && close(kept, [11, 12]), { isolated: own, shared: kept }];
    } finally {
      iso.close();
    }
  });

  check('list_devices', () => {
    const names = sess.listDevices().map((d) => d.name);
    return [names.includes('/job:local/replica:0/task:0/device:CPU:0'), names];
  });

  check('missing_feed_invalid_argument', () => {
    try {
      sess.run(y);
    } catch (e) {
      return [e instanceof tf.errors.InvalidArgumentError, `${(e as Error).constructor.name}: ${(e as Error).message.split('\n')[0]}`];
    }
    return [false, 'no error'];
  });

  check('mlp_gradient_steps', () => {
    const want = mlpLosses('');
    const got = mlpLosses(target);
    return [close(got, want), { remote: got, in_process: want }];
  });

  check('reset', () => {
    tf.Session.reset(target);
    let old: string;
    try {
      sess.run(v);
      return [false, 'the old session still runs after reset'];
    } catch (e) {
      old = (e as Error).constructor.name;
    }
    const s3 = new tf.Session({ target, config: CONFIG });
    try {
      s3.run(v);
      return [false, 'the variable survived reset'];
    } catch (e) {
      return [e instanceof tf.errors.FailedPreconditionError, `old session: ${old}; new session: ${(e as Error).constructor.name}`];
    } finally {
      s3.close();
    }
  });
  sess.close();
});
