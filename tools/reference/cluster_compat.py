"""Wire compatibility with real TensorFlow (tf.compat.v1, pip tensorflow-cpu), both ways, on 127.0.0.1.

  (a) TF's Python client (tf.compat.v1.Session('grpc://...')) against OUR server, a child
      process (tools/tensorgraph-server.mjs, or build/Release/tg_server with --native);
  (b) OUR TypeScript client (tools/reference/cluster_client.ts, a child) against TF's server
      (tf.distribute.Server, in this process).

  (d) TF's client on a cluster of a TF worker task (the master) and OUR server as the ps task:
      TF's master calls our worker service (CreateWorkerSession, RegisterGraph, RunGraph, ...);
  (e) TF's client on a cluster of OUR worker task (the master) and TF's server as the ps task.
      (d) and (e) run mixed_cluster_checks: a variable on the ps updated from the worker, and an
      isolate_session_state session's own copy of it.

(a) and (b) run the same checks (see CHECKS in cluster_client.ts): a matmul+add with a fed
placeholder, a VariableV2 assigned and read, the variable seen from a second session and not
from an isolate_session_state one (which has its own), list_devices, a missing feed
(InvalidArgument), a small MLP's gradient-descent steps (losses compared with an in-process
session of the same client), Session.reset. Every call between
client and server goes through a grpcio pass-through proxy that records it.

With --write-fixtures DIR, TF's client requests against TF's own server (a third pass, (c))
and TF's responses are written there, with manifest.json, for
native/tests/distributed/tf_client_replay_test.cc to replay against our server without Python.

  python3 -m venv tools/reference/.venv
  tools/reference/.venv/bin/pip install tensorflow-cpu grpcio
  node tools/build.mjs
  tools/reference/.venv/bin/python tools/reference/cluster_compat.py [--native] [--write-fixtures test/fixtures/tf_client]

Prints one line per check and a JSON report at the end; exits 1 when a check fails.
"""
import argparse
import concurrent.futures
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import grpc  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if sys.argv[1:2] != ["--proxy"]:  # the proxy child needs only grpcio
    import tensorflow as tf

    tf1 = tf.compat.v1
    tf1.disable_v2_behavior()  # VariableV2 and graph mode, as TF1
    CONFIG = tf1.ConfigProto(inter_op_parallelism_threads=1, intra_op_parallelism_threads=1)
    # Resources of the session's own on every task, not the server's.
    ISOLATED = tf1.ConfigProto(inter_op_parallelism_threads=1, intra_op_parallelism_threads=1, isolate_session_state=True)

X = np.array([[1, 2], [3, 4]], np.float32)
W = np.array([[0.5, -1], [2, 0.25]], np.float32)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------- the recording pass-through proxy ----------
# A child process (`--proxy UPSTREAM DIR`): TF's list_devices holds the GIL while it waits for
# the server, so a proxy in this process would deadlock. Each call is written to DIR as
# NNN.json (method, code, message) with NNN.request.pb and NNN.response.pb, bytes unchanged.

def serve_proxy(upstream, out_dir):
    opts = [("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)]
    channel = grpc.insecure_channel(upstream, options=opts)
    lock = threading.Lock()
    count = [0]

    class Recorder(grpc.GenericRpcHandler):
        def service(self, details):
            method = details.method
            forward = channel.unary_unary(method)

            def handle(request, context):
                meta = {"method": method}
                response = None
                try:
                    left = context.time_remaining()
                    response = forward(request, timeout=min(left, 120) if left else 120)
                    meta["code"] = "OK"
                    return response
                except grpc.RpcError as e:
                    meta.update(code=e.code().name, message=e.details())
                    context.abort(e.code(), e.details())
                finally:
                    with lock:
                        n = count[0]
                        count[0] += 1
                    base = os.path.join(out_dir, f"{n:03d}")
                    with open(base + ".request.pb", "wb") as f:
                        f.write(request)
                    if response is not None:
                        with open(base + ".response.pb", "wb") as f:
                            f.write(response)
                    with open(base + ".json", "w") as f:
                        json.dump(meta, f)

            return grpc.unary_unary_rpc_method_handler(handle)

    server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=4), options=opts)
    server.add_generic_rpc_handlers((Recorder(),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"proxy 127.0.0.1:{port}", flush=True)
    server.wait_for_termination()


class Proxy:
    def __init__(self, upstream_target):
        self.dir = tempfile.mkdtemp(prefix="tg-compat-")
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--proxy", upstream_target[len("grpc://"):], self.dir],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"proxy (127\.0\.0\.1:\d+)", line)
        if not m:
            raise RuntimeError(f"the proxy did not start: {line}")
        self.target = "grpc://" + m.group(1)

    def stop(self):
        self.proc.kill()
        self.proc.wait()

    @property
    def calls(self):
        out = []
        for name in sorted(f for f in os.listdir(self.dir) if f.endswith(".json")):
            base = os.path.join(self.dir, name[:-5])
            with open(base + ".json") as f:
                c = json.load(f)
            with open(base + ".request.pb", "rb") as f:
                c["request"] = f.read()
            if os.path.exists(base + ".response.pb"):
                with open(base + ".response.pb", "rb") as f:
                    c["response"] = f.read()
            out.append(c)
        return out


# ---------- servers ----------

def start_our_server(native, cluster=("local=127.0.0.1:0",), job="local"):
    if native:
        cmd = [os.path.join(ROOT, "build", "Release", "tg_server")]
    else:
        cmd = ["node", os.path.join(ROOT, "tools", "tensorgraph-server.mjs")]
    for c in cluster:
        cmd += ["--cluster", c]
    cmd += ["--job", job, "--task", "0", "--inter-op", "1", "--intra-op", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 20
    line = ""
    while time.time() < deadline:
        line = proc.stdout.readline()
        m = re.search(r"listening (grpc://127\.0\.0\.1:\d+)", line)
        if m:
            return proc, m.group(1)
        if proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError(f"our server did not start: {line} {proc.stderr.read()}")


def start_tf_server():
    port = free_port()
    cluster = tf.train.ClusterSpec({"local": [f"127.0.0.1:{port}"]})
    server = tf.distribute.Server(cluster, job_name="local", task_index=0, config=CONFIG, start=True)
    return server, f"grpc://127.0.0.1:{port}"


# ---------- (a) and (c): TF's Python client ----------

def mlp_graph():
    """A 4-3-2 MLP, softmax cross-entropy, gradient descent 0.1: the graph and its feeds."""
    g = tf1.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [None, 4], name="mx")
        labels = tf1.placeholder(tf.int32, [None], name="my")
        w1 = tf1.Variable(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3), name="w1")
        b1 = tf1.Variable(np.zeros(3, np.float32), name="b1")
        w2 = tf1.Variable(np.linspace(1, -1, 6, dtype=np.float32).reshape(3, 2), name="w2")
        h = tf.nn.relu(tf.matmul(x, w1) + b1)
        logits = tf.matmul(h, w2)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        train = tf1.train.GradientDescentOptimizer(0.1).minimize(loss)
        init = tf1.global_variables_initializer()
    feeds = {"mx:0": np.arange(8, dtype=np.float32).reshape(2, 4) / 8, "my:0": np.array([0, 1], np.int32)}
    return g, loss, train, init, feeds


def mlp_losses(target):
    g, loss, train, init, feeds = mlp_graph()
    with tf1.Session(target, graph=g, config=CONFIG) as s:
        s.run(init)
        out = []
        for _ in range(3):
            out.append(float(s.run([loss, train], feeds)[0]))
        return out


def check(name, fn):
    """Runs fn() -> (ok, detail); an exception is a failed check with its first line."""
    try:
        ok, detail = fn()
    except Exception as e:  # noqa: BLE001 - every failure is a finding
        ok, detail = False, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    return name, ok, detail


def isolated_run(target, graph, v, own_step):
    """An isolate_session_state session on target, while the server's variable v holds a value:
    it must find v uninitialized, then initializes its own v and returns (True, own_step(session));
    (False, what it read) when it sees the server's."""
    with tf1.Session(target, graph=graph, config=ISOLATED) as s:
        try:
            return False, {"read the server's v": s.run(v).tolist()}
        except tf.errors.FailedPreconditionError:
            pass
        s.run(v.initializer)
        return True, own_step(s)


def tf_client_checks(target):
    """The checks with TF's client; yields (name, ok, detail)."""
    g = tf1.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [2, 2], name="x")
        w = tf1.constant(W, name="w")
        y = tf.add(tf.matmul(x, w), 1.0, name="y")
        sess = tf1.Session(target, config=CONFIG)

        def matmul():
            got = sess.run(y, {x: X})
            want = X @ W + 1
            return np.allclose(got, want), got.tolist()

        yield check("matmul_add", matmul)

        v = tf1.Variable(tf.zeros([2]), name="v")
        assign = tf1.assign(v, [1.0, 2.0])
        add = tf1.assign_add(v, [10.0, 10.0])

        def variable():
            sess.run(v.initializer)
            sess.run(assign)
            got = sess.run(add)
            return got.tolist() == [11.0, 12.0], got.tolist()

        yield check("variable_assign_read", variable)

        def shared():
            with tf1.Session(target, config=CONFIG) as s2:
                got = s2.run(v)
            return got.tolist() == [11.0, 12.0], got.tolist()

        yield check("variable_shared_between_sessions", shared)

        def isolated():
            ok, own = isolated_run(target, g, v, lambda s: s.run(add).tolist())  # its own v: [0, 0] + 10
            kept = sess.run(v).tolist()
            return ok and own == [10.0, 10.0] and kept == [11.0, 12.0], {"isolated": own, "shared": kept}

        yield check("isolate_session_state", isolated)

        def devices():
            names = [d.name for d in sess.list_devices()]
            return "/job:local/replica:0/task:0/device:CPU:0" in names, names

        yield check("list_devices", devices)

        def missing_feed():
            try:
                sess.run(y)
            except tf.errors.InvalidArgumentError as e:
                return True, f"InvalidArgumentError: {e.message.splitlines()[0]}"
            return False, "no error"

        yield check("missing_feed_invalid_argument", missing_feed)

        def mlp():
            want = mlp_losses("")
            got = mlp_losses(target)
            return np.allclose(got, want, rtol=1e-5), {"remote": got, "in_process": want}

        yield check("mlp_gradient_steps", mlp)

        def reset():
            tf1.Session.reset(target)
            try:
                sess.run(v)
                return False, "the old session still runs after reset"
            except (tf.errors.AbortedError, tf.errors.NotFoundError, tf.errors.InvalidArgumentError) as e:
                old = type(e).__name__
            with tf1.Session(target, config=CONFIG) as s3:
                try:
                    s3.run(v)
                    return False, "the variable survived reset"
                except tf.errors.FailedPreconditionError:
                    return True, f"old session: {old}; new session: FailedPreconditionError (uninitialized)"

        yield check("reset", reset)
        try:
            sess.close()
        except Exception:  # noqa: BLE001 - reset closed it on the server
            pass


# ---------- (d), (e): TF's client on a mixed cluster, one ps task and one worker task ----------

def mixed_cluster_checks(target):
    """TF's client, a session on the worker task (its master), a variable on the ps task and
    compute on the worker: the master registers partitions with the other task's worker
    service, and values cross both ways (RecvTensor). Yields (name, ok, detail)."""
    g = tf1.Graph()
    with g.as_default():
        with tf1.device("/job:ps/task:0"):
            v = tf1.Variable(np.array([1, 2], np.float32), name="mixed_v")
        x = tf1.placeholder(tf.float32, [2], name="mixed_x")
        with tf1.device("/job:worker/task:0"):
            delta = tf.add(x * 2, 1.0, name="mixed_delta")
        with tf1.device("/job:ps/task:0"):
            update = tf1.assign_add(v, delta)
            total = tf.reduce_sum(v, name="mixed_total")

    def devices():
        with tf1.Session(target, graph=g, config=CONFIG) as s:
            names = sorted(d.name for d in s.list_devices())
        want = ["/job:ps/replica:0/task:0/device:CPU:0", "/job:worker/replica:0/task:0/device:CPU:0"]
        return all(w in names for w in want), names

    yield check("mixed_list_devices", devices)

    def train():
        with tf1.Session(target, graph=g, config=CONFIG) as s:
            s.run(v.initializer)
            got = s.run(update, {x: [1, 3]}).tolist()  # [1, 2] + (2 * [1, 3] + 1)
            t = float(s.run(total))
        return got == [4.0, 9.0] and t == 13.0, {"update": got, "total": t}

    yield check("mixed_variable_on_ps_update_from_worker", train)

    def second_session():
        with tf1.Session(target, graph=g, config=CONFIG) as s:
            got = s.run(v).tolist()
        return got == [4.0, 9.0], got

    yield check("mixed_variable_seen_from_a_second_session", second_session)

    def isolated():
        # Its own v on the ps: [1, 2] + (2 * [0, 0] + 1)
        ok, own = isolated_run(target, g, v, lambda s: s.run(update, {x: [0, 0]}).tolist())
        with tf1.Session(target, graph=g, config=CONFIG) as s:
            kept = s.run(v).tolist()
        return ok and own == [2.0, 3.0] and kept == [4.0, 9.0], {"isolated": own, "shared": kept}

    yield check("mixed_isolate_session_state", isolated)


# ---------- (b): our client ----------

def our_client_checks(target):
    cmd = ["npx", "tsx", os.path.join(ROOT, "tools", "reference", "cluster_client.ts"), target]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    results = []
    for line in r.stdout.splitlines():
        if line.startswith("{"):
            d = json.loads(line)
            results.append((d["check"], d["ok"], d["detail"]))
    if r.returncode != 0 and not results:
        results.append(("client_started", False, r.stderr.strip().splitlines()[-1:] or f"exit {r.returncode}"))
    return results


# ---------- fixtures ----------

def varint(buf, i):
    v = shift = 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return v, i


def top_level_varint(buf, field):
    """The value of a top-level varint field of a serialized message (0 when absent)."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        wire = key & 7
        if wire == 0:
            v, i = varint(buf, i)
            if key >> 3 == field:
                return v
        elif wire == 2:
            n, i = varint(buf, i)
            i += n
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise ValueError(f"wire type {wire}")
    return 0


def write_fixtures(proxy, out_dir):
    """NN_Method.request.pb / .response.pb and manifest.txt: one call a line, "NN_Method Method CODE"
    (CODE: the gRPC status, or the one TF's master put in RunStepResponse.status_code)."""
    from tensorflow.core.protobuf import error_codes_pb2  # the wheel has no master_pb2

    os.makedirs(out_dir, exist_ok=True)
    lines = [f"# TF {tf.__version__} client -> TF server, recorded by tools/reference/cluster_compat.py (grpcio {grpc.__version__})"]
    for i, c in enumerate(proxy.calls):
        method = c["method"].rsplit("/", 1)[1]
        base = f"{i:02d}_{method}"
        code = c["code"]
        with open(os.path.join(out_dir, base + ".request.pb"), "wb") as f:
            f.write(c["request"])
        if "response" in c:
            with open(os.path.join(out_dir, base + ".response.pb"), "wb") as f:
                f.write(c["response"])
            if method == "RunStep":
                status = top_level_varint(c["response"], 3)  # RunStepResponse.status_code
                if status:
                    code = error_codes_pb2.Code.Name(status)
        lines.append(f"{base} {method} {code}")
    with open(os.path.join(out_dir, "manifest.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--proxy":
        serve_proxy(sys.argv[2], sys.argv[3])
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--native", action="store_true", help="our server is build/Release/tg_server (default: tensorgraph-server.mjs)")
    p.add_argument("--write-fixtures", metavar="DIR", help="write TF's client requests and TF's responses there")
    a = p.parse_args()

    report = {"tensorflow": tf.__version__, "grpcio": grpc.__version__}
    failed = False

    def record(direction, results, proxy):
        nonlocal failed
        calls = proxy.calls
        rows = []
        for name, ok, detail in results:
            print(f"[{direction}] {'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)
            rows.append({"check": name, "ok": ok, "detail": detail})
            failed |= not ok
        report[direction] = {"checks": rows, "calls": sorted({c["method"] for c in calls}),
                             "failed_calls": [{k: c.get(k) for k in ("method", "code", "message")} for c in calls if c["code"] != "OK"]}

    def against_our_server(direction, checks, *server_args):
        """checks(target) through a recording proxy to our server (start_our_server's arguments)."""
        proc, target = start_our_server(a.native, *server_args)
        try:
            proxy = Proxy(target)
            record(direction, list(checks(proxy.target)), proxy)
            proxy.stop()
        finally:
            proc.kill()
            proc.wait()

    # (a) TF's client -> our server
    against_our_server("tf_client_to_our_server", tf_client_checks)

    # (d) TF's client -> TF's worker task (its master) + OUR server as the ps task: TF's master
    # calls GetStatus, CreateWorkerSession, RegisterGraph, RunGraph, RecvTensor, ... on us
    # (recorded by the proxy, which the TF task's cluster names as the ps).
    worker_port = free_port()
    proc, ps_target = start_our_server(a.native, ("ps=127.0.0.1:0", f"worker=127.0.0.1:{worker_port}"), "ps")
    try:
        proxy = Proxy(ps_target)
        tf.distribute.Server(tf.train.ClusterSpec({"ps": [proxy.target[len("grpc://"):]], "worker": [f"127.0.0.1:{worker_port}"]}),
                             job_name="worker", task_index=0, config=CONFIG, start=True)
        results = list(mixed_cluster_checks(f"grpc://127.0.0.1:{worker_port}"))
        time.sleep(1)  # TF's master deletes its worker sessions without waiting
        record("tf_master_with_our_ps", results, proxy)
        proxy.stop()
    finally:
        proc.kill()
        proc.wait()

    # (e) TF's client -> OUR worker task (the master) + TF's server as the ps task: our master
    # calls TF's worker service.
    ps_port, worker_port = free_port(), free_port()
    tf.distribute.Server(tf.train.ClusterSpec({"ps": [f"127.0.0.1:{ps_port}"], "worker": [f"127.0.0.1:{worker_port}"]}),
                         job_name="ps", task_index=0, config=CONFIG, start=True)
    against_our_server("our_master_with_tf_ps", mixed_cluster_checks,
                       (f"ps=127.0.0.1:{ps_port}", f"worker=127.0.0.1:{worker_port}"), "worker")

    # (b) our client -> TF's server, and (c) TF's client -> TF's server for the fixtures
    server, target = start_tf_server()
    proxy = Proxy(target)
    record("our_client_to_tf_server", our_client_checks(proxy.target), proxy)
    proxy.stop()
    if a.write_fixtures:
        tf1.Session.reset(target)
        proxy = Proxy(target)
        record("tf_client_to_tf_server", list(tf_client_checks(proxy.target)), proxy)
        proxy.stop()
        write_fixtures(proxy, a.write_fixtures)
    print(json.dumps(report, indent=1, default=str))
    sys.stdout.flush()
    os._exit(1 if failed else 0)  # TF's server threads do not stop


if __name__ == "__main__":
    main()
