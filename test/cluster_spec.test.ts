// tf.train.ClusterSpec: construction from dense/sparse dicts, ClusterDefs and other specs,
// accessors, asDict/asClusterDef round trips, equality and errors. Expected values are
// TF's server_lib_test.py (ClusterSpecTest, ServerDefTest).
import test from 'ava';
import * as tf from 'tensorgraph';

const { ClusterSpec } = tf.train;

const twoJobsDef = {
  job: [
    { name: 'ps', tasks: { 0: 'ps0:2222', 1: 'ps1:2222' } },
    { name: 'worker', tasks: { 0: 'worker0:2222', 1: 'worker1:2222', 2: 'worker2:2222' } },
  ],
};

test('dict, ClusterSpec, ClusterDef and asDict() all give the same ClusterDef (jobs sorted)', (t) => {
  // Jobs given out of order: the ClusterDef sorts them by name, as TF's _make_cluster_def.
  const spec = new ClusterSpec({ worker: ['worker0:2222', 'worker1:2222', 'worker2:2222'], ps: ['ps0:2222', 'ps1:2222'] });
  t.deepEqual(spec.asClusterDef(), twoJobsDef);
  t.deepEqual(new ClusterSpec(spec).asClusterDef(), twoJobsDef);
  t.deepEqual(new ClusterSpec(spec.asClusterDef()).asClusterDef(), twoJobsDef);
  t.deepEqual(new ClusterSpec(spec.asDict()).asClusterDef(), twoJobsDef);
  t.deepEqual(spec.jobs, ['worker', 'ps']);
});

test('a job with zero tasks survives every round trip', (t) => {
  const spec = new ClusterSpec({ ps: ['ps0:2222', 'ps1:2222'], worker: [] });
  const expected = { job: [{ name: 'ps', tasks: { 0: 'ps0:2222', 1: 'ps1:2222' } }, { name: 'worker', tasks: {} }] };
  t.deepEqual(spec.asClusterDef(), expected);
  t.deepEqual(new ClusterSpec(spec).asClusterDef(), expected);
  t.deepEqual(new ClusterSpec(spec.asClusterDef()).asClusterDef(), expected);
  t.deepEqual(new ClusterSpec(spec.asDict()).asClusterDef(), expected);
  t.deepEqual(spec.asDict(), { ps: ['ps0:2222', 'ps1:2222'], worker: {} });
  t.deepEqual(spec.jobTasks('worker'), []);
});

test('accessors on dense and sparse jobs (ClusterSpecTest.testClusterSpecAccessors)', (t) => {
  const original = {
    ps: ['ps0:2222', 'ps1:2222'],
    worker: ['worker0:2222', 'worker1:2222', 'worker2:2222'],
    sparse: { 0: 'sparse0:2222', 3: 'sparse3:2222' },
  };
  const spec = new ClusterSpec(original);
  t.deepEqual(spec.asDict(), original);

  t.is(spec.numTasks('ps'), 2);
  t.is(spec.numTasks('worker'), 3);
  t.is(spec.numTasks('sparse'), 2);
  t.throws(() => spec.numTasks('unknown'), { instanceOf: tf.errors.InvalidArgumentError, message: /No such job in cluster: 'unknown'/ });

  t.is(spec.taskAddress('ps', 0), 'ps0:2222');
  t.is(spec.taskAddress('sparse', 0), 'sparse0:2222');
  t.throws(() => spec.taskAddress('unknown', 0), { instanceOf: tf.errors.InvalidArgumentError });
  t.throws(() => spec.taskAddress('sparse', 2), { instanceOf: tf.errors.InvalidArgumentError, message: /No task with index 2 in job 'sparse'/ });

  t.deepEqual(spec.taskIndices('ps'), [0, 1]);
  t.deepEqual(spec.taskIndices('worker'), [0, 1, 2]);
  t.deepEqual(spec.taskIndices('sparse'), [0, 3]);
  t.throws(() => spec.taskIndices('unknown'), { instanceOf: tf.errors.InvalidArgumentError });

  t.deepEqual(spec.jobTasks('ps'), ['ps0:2222', 'ps1:2222']);
  t.deepEqual(spec.jobTasks('worker'), ['worker0:2222', 'worker1:2222', 'worker2:2222']);
  t.deepEqual(spec.jobTasks('sparse'), ['sparse0:2222', null, null, 'sparse3:2222']);
  t.throws(() => spec.jobTasks('unknown'), { instanceOf: tf.errors.InvalidArgumentError });
});

test('sparse jobs round-trip through the ClusterDef (ServerDefTest.testDenseAndSparseJobs)', (t) => {
  const def = new ClusterSpec({ ps: ['ps0:2222', 'ps1:2222'], worker: { 0: 'worker0:2222', 2: 'worker2:2222' } }).asClusterDef();
  t.deepEqual(def, {
    job: [
      { name: 'ps', tasks: { 0: 'ps0:2222', 1: 'ps1:2222' } },
      { name: 'worker', tasks: { 0: 'worker0:2222', 2: 'worker2:2222' } },
    ],
  });
  t.deepEqual(new ClusterSpec(def).asClusterDef(), def);
});

test('a job named "job" is a dict, not a ClusterDef', (t) => {
  const spec = new ClusterSpec({ job: ['host:2222'] });
  t.deepEqual(spec.jobs, ['job']);
  t.deepEqual(spec.asClusterDef(), { job: [{ name: 'job', tasks: { 0: 'host:2222' } }] });
  t.deepEqual(new ClusterSpec({ job: [] }).jobs, ['job']);
});

test('toString is TF\'s repr', (t) => {
  const spec = new ClusterSpec({ worker: ['worker0:3333', 'worker1:4444'], ps: ['ps0:1111'] });
  t.is(String(spec), "ClusterSpec({'ps': ['ps0:1111'], 'worker': ['worker0:3333', 'worker1:4444']})");
  t.is(String(new ClusterSpec({ w: { 1: 'a:1' } })), "ClusterSpec({'w': {1: 'a:1'}})");
});

test('emptiness and equality (testEq, testNe)', (t) => {
  t.true(new ClusterSpec({}).isEmpty);
  t.false(new ClusterSpec({ job: ['host:port'] }).isEmpty);
  t.true(new ClusterSpec({}).equals(new ClusterSpec({})));
  t.true(new ClusterSpec({ job: ['host:2222'] }).equals(new ClusterSpec({ job: ['host:2222'] })));
  t.true(new ClusterSpec({ job: { 0: 'host:2222' } }).equals(new ClusterSpec({ job: ['host:2222'] })));
  t.true(new ClusterSpec({ a: ['x:1'], b: ['y:1'] }).equals({ b: ['y:1'], a: ['x:1'] }));
  t.false(new ClusterSpec({}).equals(new ClusterSpec({ job: ['host:2223'] })));
  t.false(new ClusterSpec({ job1: ['host:2222'] }).equals(new ClusterSpec({ job2: ['host:2222'] })));
  t.false(new ClusterSpec({ job: ['host:2222'] }).equals(new ClusterSpec({ job: ['host:2223'] })));
  t.false(new ClusterSpec({ job: ['host:2222', 'host:2223'] }).equals(new ClusterSpec({ job: ['host:2223', 'host:2222'] })));
});

test('malformed clusters are TypeErrors naming the job', (t) => {
  const bad = (v: unknown) => () => new ClusterSpec(v as tf.train.ClusterSpecLike);
  t.throws(bad(null), { instanceOf: TypeError });
  t.throws(bad(['a:1']), { instanceOf: TypeError });
  t.throws(bad({ ps: 'ps0:2222' }), { instanceOf: TypeError, message: /job 'ps'/ });
  t.throws(bad({ ps: [2222] }), { instanceOf: TypeError, message: /job 'ps'/ });
  t.throws(bad({ ps: { x: 'ps0:2222' } }), { instanceOf: TypeError, message: /task index 'x'/ });
  t.throws(bad({ ps: { '-1': 'ps0:2222' } }), { instanceOf: TypeError });
});

test('the spec is a copy: later changes to the input do not show', (t) => {
  const d = { ps: ['ps0:2222'] };
  const spec = new ClusterSpec(d);
  d.ps.push('ps1:2222');
  t.is(spec.numTasks('ps'), 1);
  const def = spec.asClusterDef();
  def.job[0].tasks[0] = 'changed';
  t.is(spec.taskAddress('ps', 0), 'ps0:2222');
});
