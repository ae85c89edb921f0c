"""TF1 peer of bench/distributed.ts: tf.compat.v1 client, tf.distribute.Server in a child process.

  python tf1_distributed.py --threads N --seconds S --sizes 1,16,256 [--batch 128]
Starts `python tf1_distributed.py --serve THREADS` (one task, job "local", 127.0.0.1, any free
port), then times over grpc:// (as bench/distributed.ts times tensorgraph):
  - transfer: feed an N MiB float32 tensor, fetch its Identity (RunStep carries N MiB each way);
  - MLP step: the mlp of bench/train.ts (784-300-100-10, batch --batch, gradient descent),
    its variables on the server, one RunStep per training step with the batch fed;
  - recv: two more children, a ps and a worker task of one cluster; the client fetches, through
    the worker, the first element of an N MiB variable on the ps (RecvTensor worker <- ps).
Prints one JSON line: {"transfer_s": {"1": seconds per RunStep, ...}, "recv_s": {...},
"mlp_steps_per_s": ...}.
"""
import argparse
import json
import os
import re
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from common import make_batches, time_steps  # noqa: E402
from tf1_train import dense  # noqa: E402

v1 = tf.compat.v1
v1.disable_v2_behavior()


def config(threads):
    return v1.ConfigProto(intra_op_parallelism_threads=threads, inter_op_parallelism_threads=threads)


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(threads, job="local", cluster=None):
    """Task 0 of `job` in `cluster` (JSON {job: [address]}; default: job "local" on a free port)."""
    spec = json.loads(cluster) if cluster else {"local": [f"127.0.0.1:{free_port()}"]}
    server = tf.distribute.Server(tf.train.ClusterSpec(spec), job_name=job, task_index=0, config=config(threads))
    print(f"listening grpc://{spec[job][0]}", flush=True)
    server.join()


def start_server(threads, *args):
    child = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve", str(threads), *args],
                             stdout=subprocess.PIPE, text=True)
    m = re.search(r"listening (grpc://\S+)", child.stdout.readline())
    return child, m.group(1)


def main():
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]), *sys.argv[3:5])
        return
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--sizes", default="1,16,256")
    p.add_argument("--batch", type=int, default=128)
    a = p.parse_args()
    cluster = json.dumps({"ps": [f"127.0.0.1:{free_port()}"], "worker": [f"127.0.0.1:{free_port()}"]})
    children = []
    try:
        child, target = start_server(a.threads)
        children.append(child)
        for job in ("ps", "worker"):
            child, worker_target = start_server(a.threads, job, cluster)
            children.append(child)
        out = {"version": tf.__version__, "transfer_s": {}, "recv_s": {}}
        for mib in [int(s) for s in a.sizes.split(",")]:
            g = v1.Graph()
            with g.as_default():
                x = v1.placeholder(tf.float32, [mib * 262144], name="x")
                y = tf.identity(x, name="y")
            data = np.random.default_rng(1).random(mib * 262144, dtype=np.float32)
            with v1.Session(target, graph=g, config=config(a.threads)) as s:
                rate = time_steps(lambda i: s.run(y, {x: data}), 2, a.seconds)
            out["transfer_s"][str(mib)] = 1 / rate
        for mib in [int(s) for s in a.sizes.split(",")]:
            g = v1.Graph()
            with g.as_default():
                with tf.device("/job:ps/task:0"):
                    v = v1.Variable(tf.fill([mib * 262144], 0.5), name=f"v{mib}")
                with tf.device("/job:worker/task:0"):
                    first = tf.slice(v.value(), [0], [1])
                init = v1.global_variables_initializer()
            with v1.Session(worker_target, graph=g, config=config(a.threads)) as s:
                s.run(init)
                rate = time_steps(lambda i: s.run(first), 2, a.seconds)
            out["recv_s"][str(mib)] = 1 / rate
        g = v1.Graph()
        with g.as_default():
            X = v1.placeholder(tf.float32, [None, 784], name="X")
            labels = v1.placeholder(tf.int32, [None], name="y")
            logits = dense(dense(dense(X, 300, "hidden1", True), 100, "hidden2", True), 10, "outputs", False)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
            train = v1.train.GradientDescentOptimizer(0.01).minimize(loss)
            init = v1.global_variables_initializer()
        xs, ys = make_batches(a.batch)
        with v1.Session(target, graph=g, config=config(a.threads)) as s:
            s.run(init)
            out["mlp_steps_per_s"] = time_steps(lambda i: s.run(train, {X: xs[i % 4], labels: ys[i % 4]}), 20, a.seconds)
        print(json.dumps(out), flush=True)
    finally:
        for child in children:
            child.kill()
            child.wait()


if __name__ == "__main__":
    main()
