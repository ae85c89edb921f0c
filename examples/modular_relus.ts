// Chapter 9 of "Hands-On Machine Learning" (TF1): modularity and sharing variables. A relu()
// function builds one ReLU unit (weights, bias, z = X·w + b, max(z, threshold)); the output
// sums five of them. The variants of the chapter:
//   1. every relu() in its own name scope, with its own variables, threshold 0;
//   2. one threshold shared by all: created once in variable scope "relu", then fetched in
//      relu() with tf.variableScope('relu', {reuse: true}) and tf.getVariable('threshold');
//   3. the threshold created by the first relu() call (reuse only from the second call on);
// and, beyond the book, 4. reuse: tf.AUTO_REUSE (TF >= 1.4), which creates or reuses as needed.
//   npx tsx examples/modular_relus.ts
import * as tf from 'tensorgraph';

const nFeatures = 3;
const XValue = [[1, 2, 3], [-1, -2, -3], [0.5, -0.5, 2]];

/** The ReLU unit without the threshold: z = X·w + b (weights random normal, bias 0). */
function linearUnit(X: tf.Tensor): tf.Tensor {
  const wShape = [X.shape.dims![1] as number, 1];
  const w = new tf.Variable(tf.randomNormal(wShape), { name: 'weights' });
  const b = new tf.Variable(0.0, { name: 'bias', dtype: 'float32' }); // a JS 0.0 alone would be int32
  return tf.add(tf.matmul(X, w), b, { name: 'z' });
}

/** Builds the graph with `relus` making the five units, runs the output and lists the variables. */
function run(title: string, relus: (X: tf.Tensor) => tf.Tensor[]): void {
  tf.resetDefaultGraph();
  tf.setRandomSeed(42);
  const X = tf.placeholder('float32', { shape: [null, nFeatures], name: 'X' });
  const output = tf.addN(relus(X), { name: 'output' });
  const init = tf.globalVariablesInitializer();
  using sess = new tf.Session();
  sess.run(init);
  const out = sess.run(output, [[X, XValue]]);
  console.log(`${title}\n  output ${output.name} = ${JSON.stringify((out.toArray() as number[][]).map((r) => r.map((v) => +v.toFixed(4))))}`);
  const vars = tf.globalVariables();
  console.log(`  ${vars.length} variables: ${vars.map((v) => v.name).join(' ')}`);
  const thresholds = vars.filter((v) => v.name.endsWith('threshold:0'));
  if (thresholds.length) console.log(`  thresholds: ${thresholds.map((v) => `${v.name} = ${sess.run(v).item()}`).join(', ')}`);
}

// 1. Plain modular ReLUs: each call opens a name scope relu, relu_1, ... with its own variables.
run('1. modular ReLUs (name scopes, threshold 0):', (X) => {
  const relu = (x: tf.Tensor) => tf.nameScope('relu', () => tf.maximum(linearUnit(x), 0, { name: 'relu' }));
  return Array.from({ length: 5 }, () => relu(X));
});

// 2. A shared threshold created once, outside relu(); relu() must reuse it.
run('2. shared threshold, created first in variable scope "relu", reused with {reuse: true}:', (X) => {
  tf.variableScope('relu', () => {
    tf.getVariable('threshold', { shape: [], initializer: tf.constantInitializer(0.0) });
  });
  const relu = (x: tf.Tensor) => tf.variableScope('relu', { reuse: true }, () => {
    const threshold = tf.getVariable('threshold');
    return tf.maximum(linearUnit(x), threshold, { name: 'max' });
  });
  return Array.from({ length: 5 }, () => relu(X));
});

// 3. relu() creates the threshold itself; the caller reuses it from the second call on.
run('3. threshold created by the first relu(), reuse for the others:', (X) => {
  const relu = (x: tf.Tensor) => {
    const threshold = tf.getVariable('threshold', { shape: [], initializer: tf.constantInitializer(0.0) });
    return tf.maximum(linearUnit(x), threshold, { name: 'max' });
  };
  return Array.from({ length: 5 }, (_, reluIndex) =>
    tf.variableScope('relu', { reuse: reluIndex >= 1 }, () => relu(X)));
});

// 4. (TF >= 1.4) tf.AUTO_REUSE: getVariable creates the threshold once and returns it after.
run('4. threshold with reuse: tf.AUTO_REUSE:', (X) => {
  const relu = (x: tf.Tensor) => tf.variableScope('relu', { reuse: tf.AUTO_REUSE }, () => {
    const threshold = tf.getVariable('threshold', { shape: [], initializer: tf.constantInitializer(0.0) });
    return tf.maximum(linearUnit(x), threshold, { name: 'max' });
  });
  return Array.from({ length: 5 }, () => relu(X));
});
