"""Shared by the peers of bench/train.ts: options, synthetic batches and the timing loop.

Every framework is timed the same way as bench/train.ts times tensorgraph: a few pre-built
batches (float32 images of MNIST shape, int labels) are rotated over, `warmup` steps run
first, then steps run until `seconds` of wall time have passed; one step is one training
update on one fed batch.
"""
import argparse
import json
import time

import numpy as np

N_BATCHES = 4  # pre-generated batches rotated over


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--model", choices=["mlp", "cnn"], required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--inter-op", type=int, default=None,
                   help="inter-op threads (TF1 only; default: --threads, as bench/train.ts)")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--warmup", type=int, default=None, help="warm-up steps (default: 20 for mlp, 10 for cnn)")
    a = p.parse_args()
    if a.inter_op is None:
        a.inter_op = a.threads
    if a.warmup is None:
        a.warmup = 20 if a.model == "mlp" else 10
    return a


def make_batches(batch, seed=42):
    """Random-but-fixed inputs: pixels uniform in [0, 1), labels uniform in 0..9."""
    rng = np.random.default_rng(seed)
    xs = [rng.random((batch, 784), dtype=np.float32) for _ in range(N_BATCHES)]
    ys = [rng.integers(0, 10, size=batch).astype(np.int32) for _ in range(N_BATCHES)]
    return xs, ys


def time_steps(step, warmup, seconds):
    """Runs step(i) `warmup` times, then for `seconds`; returns steps per second."""
    for i in range(warmup):
        step(i)
    n = 0
    start = time.perf_counter()
    while True:
        step(n)
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def report(steps_per_s, **extra):
    print(json.dumps({"steps_per_s": steps_per_s, **extra}), flush=True)
