"""TF1 graph-mode peer of bench/pipeline.ts (tf.compat.v1, eager off, CPU).

The same input pipeline as tensorgraph's: string_input_producer(files) (no epoch limit) ->
TFRecordReader.read -> parse_single_example {image: 784 float32, label: int64} -> cast label
to int32 -> shuffle_batch(batch, capacity 2000, min_after_dequeue 1000, num_threads 2), with
QueueRunners and a Coordinator, and the 784-300-100-10 MLP of tf1_train.py on top of it
(inputs placeholder_with_default(batch)). In one session, in this order: records/s of the
consumer fetching batches, steps/s of the MLP trained from the queue, steps/s fed from
pre-built batches (common.make_batches).
  python tf1_pipeline.py --files F [F ...] --threads N [--seconds S] [--check] [--stages]
Prints one JSON line: {"records_per_s", "queue_steps_per_s", "feed_steps_per_s", "version",
"check"?: what the first record of the first file holds, "stages"?: the reader alone}.
"""
import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep stdout/stderr to the result

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from common import make_batches, time_steps  # noqa: E402
from tf1_train import dense  # noqa: E402

v1 = tf.compat.v1
N_PIXELS = 784


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--files", nargs="+", required=True)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--inter-op", type=int, default=None, help="default: --threads")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--warmup", type=int, default=20, help="warm-up batches / steps")
    p.add_argument("--check", action="store_true", help="report what file 0 holds (count, first label, pixel sum)")
    p.add_argument("--stages", action="store_true", help="time the reader alone instead (no shuffle queue)")
    a = p.parse_args()
    if a.inter_op is None:
        a.inter_op = a.threads
    return a


def features():
    return {"image": v1.FixedLenFeature([N_PIXELS], tf.float32), "label": v1.FixedLenFeature([], tf.int64)}


def check(path):
    """Reads file 0 with TF's own record iterator and Example parser."""
    count = 0
    label0 = sum0 = None
    for rec in v1.io.tf_record_iterator(path):
        if count == 0:
            ex = tf.train.Example.FromString(rec)
            label0 = int(ex.features.feature["label"].int64_list.value[0])
            sum0 = float(np.sum(np.asarray(ex.features.feature["image"].float_list.value, dtype=np.float32), dtype=np.float64))
        count += 1
    return {"count0": count, "label0": label0, "sum0": sum0}


def run_session(a, config, body):
    """Initializes, starts the runners, runs body(sess), stops and joins them."""
    with v1.Session(config=config) as sess:
        sess.run([v1.global_variables_initializer(), v1.local_variables_initializer()])
        coord = v1.train.Coordinator()
        threads = v1.train.start_queue_runners(sess=sess, coord=coord)
        try:
            return body(sess)
        finally:
            coord.request_stop()
            coord.join(threads)


def stages(a, config):
    """Records/s of read_up_to(batch), read_up_to + parse_example, read + parse_single_example."""
    q = v1.train.string_input_producer(a.files, seed=42)
    _, many = v1.TFRecordReader().read_up_to(q, a.batch)
    pm = v1.io.parse_example(many, features())
    _, one = v1.TFRecordReader().read(q)
    po = v1.io.parse_single_example(one, features())
    secs = min(a.seconds, 3)

    def body(sess):
        def rate(fetch, per_run):
            return per_run * time_steps(lambda i: sess.run(fetch), a.warmup, secs)

        # The ops run as targets: nothing is fetched into Python.
        return {
            "readUpTo(128) per run": rate(many.op, a.batch),
            "readUpTo(128) + parseExample per run": rate([pm["image"].op], a.batch),
            "read + parseSingleExample per run": rate([po["image"].op], 1),
        }

    return run_session(a, config, body)


def main():
    a = parse_args()
    v1.disable_eager_execution()
    config = v1.ConfigProto(intra_op_parallelism_threads=a.threads, inter_op_parallelism_threads=a.inter_op)
    out = {}
    if a.check:
        out["check"] = check(a.files[0])
    if a.stages:
        out["stages"] = stages(a, config)
        out["version"] = tf.__version__
        print(json.dumps(out), flush=True)
        return

    with v1.name_scope("input"):
        q = v1.train.string_input_producer(a.files, seed=42)
        _, serialized = v1.TFRecordReader().read(q)
        ex = v1.io.parse_single_example(serialized, features())
        images, labels = v1.train.shuffle_batch(
            [ex["image"], tf.cast(ex["label"], tf.int32)],
            batch_size=a.batch, capacity=2000, min_after_dequeue=1000, num_threads=2, seed=7)
    X = v1.placeholder_with_default(images, [None, N_PIXELS], name="X")
    y = v1.placeholder_with_default(labels, [None], name="y")
    h1 = dense(X, 300, "hidden1", True)
    h2 = dense(h1, 100, "hidden2", True)
    logits = dense(h2, 10, "outputs", False)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train_op = v1.train.GradientDescentOptimizer(0.01).minimize(loss)
    xs, ys = make_batches(a.batch)

    def body(sess):
        cpu0, t0 = time.process_time(), time.perf_counter()
        records = a.batch * time_steps(lambda i: sess.run([images, labels]), a.warmup, a.seconds)
        out["records_cores"] = (time.process_time() - cpu0) / (time.perf_counter() - t0)
        queue = time_steps(lambda i: sess.run(train_op), a.warmup, a.seconds)
        n = len(xs)
        fed = time_steps(lambda i: sess.run(train_op, {X: xs[i % n], y: ys[i % n]}), a.warmup, a.seconds)
        return records, queue, fed

    records, queue, fed = run_session(a, config, body)
    out.update(records_per_s=records, queue_steps_per_s=queue, feed_steps_per_s=fed, version=tf.__version__)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
