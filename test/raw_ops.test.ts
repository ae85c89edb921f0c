// tf.rawOps (TF's tf.raw_ops): every registered op by its type name, with its inputs and attrs
// as one object of camelCase names; results by the op's outputs.
import test from 'ava';
import * as tf from 'tensorgraph';
import { run } from './helpers.js';

test('rawOps builds ops by TF name with camelCase inputs and attrs', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.constant([[1, 2], [3, 4]], { dtype: 'float32' });
    const y = tf.rawOps.Transpose({ x, perm: [1, 0], name: 'tr' }) as tf.Tensor;
    t.true(y instanceof tf.Tensor);
    t.is(y.op.name, 'tr');
    t.is(y.op.getAttr('Tperm'), 'int32');
    t.deepEqual(y.shape.asList(), [2, 2]);
    // A snake_case attr (out_type) given in camelCase; ShapeN's list output comes back as an array.
    const shapes = tf.rawOps.ShapeN({ input: [x, y], outType: 'int64' }) as tf.Tensor[];
    t.true(Array.isArray(shapes));
    t.deepEqual(shapes.map((s) => s.dtype), ['int64', 'int64']);
    const offs = tf.rawOps.ConcatOffset({ concatDim: 1, shape: [[2, 3], [2, 5]] }) as tf.Tensor[];
    t.is(offs.length, 2);
    const noOp = tf.rawOps.NoOp({ name: 'nothing' });
    t.true(noOp instanceof tf.Operation);
    t.is((noOp as tf.Operation).name, 'nothing');
    t.deepEqual(run([y, offs[1]]).map((a) => a.toArray()), [[[1, 3], [2, 4]], [0, 3]]);
  });
});

test('rawOps rejects missing inputs and unknown arguments; unknown op types are absent', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    t.throws(() => tf.rawOps.Transpose({ x: tf.constant([1]) }), { instanceOf: tf.errors.InvalidArgumentError, message: /missing input 'perm'/ });
    t.throws(() => tf.rawOps.Transpose({ x: tf.constant([1]), perm: [0], permutation: [0] }),
      { instanceOf: tf.errors.InvalidArgumentError, message: /unknown argument\(s\) permutation/ });
  });
  t.is(tf.rawOps.NoSuchOp as unknown, undefined);
  t.false('NoSuchOp' in tf.rawOps);
  t.true('MatMul' in tf.rawOps);
  t.true(Object.keys(tf.rawOps).includes('ConcatV2'));
});
