"""TF1's per-run cost on bench/session-overhead.ts's tiny graph (feed a scalar, fetch x*2+1).

Prints one JSON line: {"run_us": ..., "callable_us": ...} (best of 3 rounds, after warm-up).
"""
import json
import time

import tensorflow as tf

v1 = tf.compat.v1
v1.disable_eager_execution()


def best_us(fn, n):
    for _ in range(min(1000, n // 10)):
        fn()
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t0) / n * 1e6)
    return best


g = v1.Graph()
with g.as_default():
    x = v1.placeholder(tf.float32, [], name="x")
    y = x * 2 + 1
with v1.Session(graph=g) as s:
    run_us = best_us(lambda: s.run(y, {x: 3.0}), 5000)
    call = s.make_callable(y, [x])
    callable_us = best_us(lambda: call(3.0), 5000)
print(json.dumps({"tf_version": tf.__version__, "run_us": run_us, "callable_us": callable_us}))
