"""TF1 graph-mode peer of bench/train.ts (tf.compat.v1, eager off, CPU).

The layers are built from the same ops tf.layers gives in tensorgraph (MatMul + BiasAdd +
Relu, Conv2D + BiasAdd + Relu, MaxPool, Reshape), with variables from get_variable, so the
graphs match op for op whatever Keras version TensorFlow ships with.
  python tf1_train.py --model mlp|cnn --batch N --threads N [--seconds S]
Prints one JSON line: {"steps_per_s": ...}.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep stdout/stderr to the result

import tensorflow as tf  # noqa: E402

from common import make_batches, parse_args, report, time_steps  # noqa: E402

v1 = tf.compat.v1


def dense(x, units, name, relu):
    with v1.variable_scope(name):
        w = v1.get_variable("kernel", [x.shape[-1], units], initializer=v1.glorot_uniform_initializer())
        b = v1.get_variable("bias", [units], initializer=v1.zeros_initializer())
        y = tf.nn.bias_add(tf.matmul(x, w), b)
        return tf.nn.relu(y) if relu else y


def conv(x, filters, name):
    with v1.variable_scope(name):
        w = v1.get_variable("kernel", [5, 5, x.shape[-1], filters], initializer=v1.glorot_uniform_initializer())
        b = v1.get_variable("bias", [filters], initializer=v1.zeros_initializer())
        return tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, strides=1, padding="SAME"), b))


def pool(x):
    return tf.nn.max_pool2d(x, ksize=2, strides=2, padding="VALID")


def main():
    a = parse_args(__doc__)
    v1.disable_eager_execution()
    X = v1.placeholder(tf.float32, [None, 784], name="X")
    y = v1.placeholder(tf.int32, [None], name="y")
    if a.model == "mlp":
        h1 = dense(X, 300, "hidden1", True)
        h2 = dense(h1, 100, "hidden2", True)
        logits = dense(h2, 10, "outputs", False)
        opt = v1.train.GradientDescentOptimizer(0.01)
    else:
        images = tf.reshape(X, [-1, 28, 28, 1])
        p1 = pool(conv(images, 32, "conv1"))
        p2 = pool(conv(p1, 64, "conv2"))
        flat = tf.reshape(p2, [-1, 7 * 7 * 64])
        fc1 = dense(flat, 256, "fc1", True)
        logits = dense(fc1, 10, "outputs", False)
        opt = v1.train.AdamOptimizer(1e-3)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train_op = opt.minimize(loss)

    config = v1.ConfigProto(intra_op_parallelism_threads=a.threads, inter_op_parallelism_threads=a.inter_op)
    xs, ys = make_batches(a.batch)
    with v1.Session(config=config) as sess:
        sess.run(v1.global_variables_initializer())
        n = len(xs)
        rate = time_steps(lambda i: sess.run(train_op, {X: xs[i % n], y: ys[i % n]}), a.warmup, a.seconds)
    report(rate, version=tf.__version__)


if __name__ == "__main__":
    main()
