// Simple control ops: noOp, group, tuple, withDependencies, Print, Assert and the assert family.
import test from 'ava';
import * as tf from 'tensorgraph';
import { ctrl } from './helpers.js';

const inputNames = (op: tf.Operation) => op.inputs.map((i) => i.name);

test('noOp: a NoOp named NoOp, no inputs or outputs', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const n = tf.noOp();
    t.is(n.name, 'NoOp');
    t.is(n.type, 'NoOp');
    t.deepEqual([n.inputs.length, n.outputs.length], [0, 0]);
    t.is(tf.noOp({ name: 'nothing' }).name, 'nothing');
    t.is(tf.noOp().name, 'NoOp_1');
  });
});

test('group: a group_deps NoOp with control inputs on every input op (tensors, ops, nested)', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = tf.constant(1, { name: 'a' });
    const b = tf.constant(2, { name: 'b' });
    const c = tf.noOp({ name: 'c' });
    const grp = tf.group([a, [b, c]]);
    t.is(grp.name, 'group_deps');
    t.is(grp.type, 'NoOp');
    t.deepEqual(ctrl(grp), ['a', 'b', 'c']);
    t.is(grp.inputs.length, 0);
    // Duplicates count once.
    t.deepEqual(ctrl(tf.group([a, a.op, b])), ['a', 'b']);
    const named = tf.group([a], { name: 'train' });
    t.is(named.name, 'train');
    t.deepEqual(ctrl(named), ['a']);
    const empty = tf.group([]);
    t.is(empty.name, 'group_deps_2');
    t.deepEqual(ctrl(empty), []);
    t.throws(() => tf.group([a, 3 as unknown as tf.Tensor]), { instanceOf: tf.errors.InvalidArgumentError });
  });
});

test('group across devices: one NoOp per device (sorted by device) under the root', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = tf.device('/gpu:0', () => tf.constant(1, { name: 'a' }));
    const b = tf.device('/cpu:0', () => tf.constant(2, { name: 'b' }));
    const c = tf.device('/gpu:0', () => tf.constant(3, { name: 'c' }));
    const grp = tf.group([a, b, c]);
    t.is(grp.name, 'group_deps');
    t.deepEqual(ctrl(grp), ['group_deps/NoOp', 'group_deps/NoOp_1']);
    const cpu = g.getOperationByName('group_deps/NoOp');
    const gpu = g.getOperationByName('group_deps/NoOp_1');
    t.is(cpu.device, '/device:CPU:0');
    t.deepEqual(ctrl(cpu), ['b']);
    t.is(gpu.device, '/device:GPU:0');
    t.deepEqual(ctrl(gpu), ['a', 'c']);
    t.is(grp.device, '');
    // A single device: the root NoOp is placed there.
    const one = tf.group([a, c]);
    t.is(one.device, '/device:GPU:0');
  });
});

test('group inside controlDependencies keeps the outer dependencies', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = tf.constant(1, { name: 'a' });
    const b = tf.constant(2, { name: 'b' });
    const grp = tf.controlDependencies([a], () => tf.group([b]));
    t.deepEqual(ctrl(grp), ['a', 'b']);
  });
});

test('tuple: identities gated on a group of all the inputs (and controlInputs)', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = tf.placeholder('float32', { shape: [2], name: 'a' });
    const b = tf.placeholder('int32', { shape: [], name: 'b' });
    const extra = tf.noOp({ name: 'extra' });
    const [ta, tb, none] = tf.tuple([a, b, null], { controlInputs: [extra] });
    t.is(none, undefined);
    const gate = g.getOperationByName('tuple/group_deps');
    t.deepEqual(ctrl(gate), ['a', 'b', 'extra']);
    const ia = ta as tf.Tensor;
    const ib = tb as tf.Tensor;
    t.is(ia.name, 'tuple/control_dependency:0');
    t.is(ib.name, 'tuple/control_dependency_1:0');
    t.is(ia.op.type, 'Identity');
    t.deepEqual(inputNames(ia.op), ['a:0']);
    t.deepEqual(ctrl(ia.op), ['tuple/group_deps']);
    t.deepEqual(ia.op.getAttr('_class'), ['loc:@a']);
    t.deepEqual(ia.shape.dims, [2]);
    t.is(ib.dtype, 'int32');
    t.throws(() => tf.tuple([]), { instanceOf: tf.errors.InvalidArgumentError });
  });
});

test('tuple: an operation becomes a group gated on the tuple gate; a variable passes its read value', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable([1, 2], { name: 'v' });
    const op = tf.noOp({ name: 'step' });
    const [tv, top] = tf.tuple([v, op]);
    const gate = g.getOperationByName('tuple/group_deps');
    t.deepEqual(ctrl(gate), ['step', 'v']);
    t.deepEqual(inputNames((tv as tf.Tensor).op), ['v/read:0']);
    t.deepEqual((tv as tf.Tensor).op.getAttr('_class'), ['loc:@v']);
    const grp = top as tf.Operation;
    t.is(grp.name, 'tuple/group_deps_1');
    t.deepEqual(ctrl(grp), ['step', 'tuple/group_deps'].sort());
  });
});

test('withDependencies: control_dependency Identity after the dependencies; refs get RefIdentity', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const v = new tf.Variable([1, 2], { name: 'v' });
    const upd = tf.assignAdd(v, [1, 1]);
    const x = tf.placeholder('float32', { name: 'x' });
    const y = tf.withDependencies([upd], x);
    t.is(y.name, 'control_dependency:0');
    t.is(y.op.type, 'Identity');
    t.deepEqual(ctrl(y.op), ['AssignAdd']);
    const r = tf.withDependencies([x], upd, { name: 'after' });
    t.is(r.op.name, 'after');
    t.is(r.op.type, 'RefIdentity');
    t.deepEqual(inputNames(r.op), ['AssignAdd:0']);
    t.deepEqual(r.op.getAttr('_class'), ['loc:@v']);
  });
});

test('printOp: Print op passing its input through, data list attr U, message/first_n/summarize', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [null, 3], name: 'x' });
    const n = tf.placeholder('int32', { shape: [], name: 'n' });
    const p = tf.printOp(x, [x, n, 'tag'], { message: 'x is: ', firstN: 5, summarize: 10 });
    t.is(p.name, 'Print:0');
    t.is(p.op.type, 'Print');
    t.is(p.dtype, 'float32');
    t.deepEqual(p.shape.dims, [null, 3]);
    t.deepEqual(inputNames(p.op), ['x:0', 'x:0', 'n:0', 'Print/data_2:0']);
    t.deepEqual(p.op.getAttr('U'), ['float32', 'int32', 'string']);
    t.is(p.op.getAttr('T'), 'float32');
    t.is(p.op.getAttr('message'), 'x is: ');
    t.is(p.op.getAttr('first_n'), 5);
    t.is(p.op.getAttr('summarize'), 10);
    const d = tf.print(x, [], { name: 'show' });
    t.is(d.op.name, 'show');
    t.deepEqual(d.op.getAttr('U'), []);
    t.is(d.op.getAttr('message'), '');
    t.is(d.op.getAttr('first_n'), -1);
    t.is(d.op.getAttr('summarize'), 3);
    t.is(tf.Print, tf.printOp);
    t.true(tf.getOpDef('Print').stateful);
  });
});

test('Print gradient passes to the input only', (t) => {
  const grad = tf.getGradientFunction('Print')!;
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { name: 'x' });
    const p = tf.printOp(x, [x, x]);
    const dy = tf.placeholder('float32', { name: 'dy' });
    t.deepEqual(grad(p.op, [dy]), [dy, undefined, undefined]);
  });
});

test('assert: Assert/Assert with a bool condition and the data list; returns the op', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const c = tf.placeholder('bool', { shape: [], name: 'c' });
    const n = tf.placeholder('int32', { name: 'n' });
    const a = tf.assert(c, [n], { summarize: 7 });
    t.true(a instanceof tf.Operation);
    t.is(a.name, 'Assert/Assert');
    t.is(a.type, 'Assert');
    t.is(a.outputs.length, 0);
    t.deepEqual(inputNames(a), ['c:0', 'n:0']);
    t.deepEqual(a.getAttr('T'), ['int32']);
    t.is(a.getAttr('summarize'), 7);
    t.true(tf.getOpDef('Assert').stateful);

    // JS values: converted once by Assert itself (TF1's host check) and once as op inputs.
    const b = tf.assert(true, ['boom', n], { name: 'check' });
    t.is(b.name, 'check/Assert');
    t.deepEqual(inputNames(b), ['check/Assert/condition:0', 'check/Assert/data_0:0', 'n:0']);
    t.is(b.inputs[0].dtype, 'bool');
    t.deepEqual(b.getAttr('T'), ['string', 'int32']);
    t.is(g.getOperationByName('check/Const').type, 'Const');
    t.is(tf.Assert, tf.assert);

    t.throws(() => tf.assert(n, [n]), { instanceOf: tf.errors.InvalidArgumentError, message: /condition/ });
  });
});

test('assertEqual: Equal, reduce_all over constant axes, Assert; static mismatch throws at construction', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('int32', { shape: [2, 3], name: 'x' });
    const y = tf.placeholder('int32', { shape: [2, 3], name: 'y' });
    const a = tf.assertEqual(x, y, { message: 'oops' });
    t.is(a.name, 'assert_equal/Assert/Assert');
    const eq = g.getOperationByName('assert_equal/Equal');
    t.deepEqual(inputNames(eq), ['x:0', 'y:0']);
    const axes = g.getOperationByName('assert_equal/Const');
    t.deepEqual((axes.getAttr('value') as tf.NDArray).toArray(), [0, 1]);
    const all = g.getOperationByName('assert_equal/All');
    t.deepEqual(inputNames(all), ['assert_equal/Equal:0', 'assert_equal/Const:0']);
    t.deepEqual(all.outputs[0].shape.dims, []);
    t.is(a.inputs[0], all.outputs[0]);
    t.deepEqual(a.getAttr('T'), ['string', 'string', 'string', 'int32', 'string', 'int32']);
    const msg = g.getOperationByName('assert_equal/Assert/Assert/data_0').getAttr('value') as tf.NDArray;
    t.is(msg.item(), 'oops');
    const xName = g.getOperationByName('assert_equal/Assert/Assert/data_2').getAttr('value') as tf.NDArray;
    t.is(xName.item(), 'x (x:0) = ');

    // Statically known values are compared now.
    t.notThrows(() => tf.assertEqual(tf.constant([1, 2]), tf.constant([1, 2])));
    t.notThrows(() => tf.assertEqual(tf.constant([2, 2]), tf.constant(2)));
    const e = t.throws(() => tf.assertEqual(tf.constant([1, 2]), tf.constant([1, 3]), { message: 'differs' }),
      { instanceOf: tf.errors.InvalidArgumentError });
    t.regex(e!.message, /differs/);
    t.regex(e!.message, /Condition x == y did not hold element-wise/);

    // Unknown rank: the axes come from Range(0, Rank(x), 1).
    const u = tf.placeholder('int32', { name: 'u' });
    tf.assertEqual(u, u, { name: 'dyn' });
    t.is(g.getOperationByName('dyn/Rank').type, 'Rank');
    const range = g.getOperationByName('dyn/range');
    t.deepEqual(inputNames(range), ['dyn/range/start:0', 'dyn/Rank:0', 'dyn/range/delta:0']);
    t.deepEqual(inputNames(g.getOperationByName('dyn/All')), ['dyn/Equal:0', 'dyn/range:0']);
  });
});

test('assert family: comparisons and sign checks build the TF1 scopes', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [3], name: 'x' });
    const y = tf.placeholder('float32', { shape: [3], name: 'y' });
    const cases: [tf.Operation, string, string][] = [
      [tf.assertLess(x, y), 'assert_less', 'Less'],
      [tf.assertLessEqual(x, y), 'assert_less_equal', 'LessEqual'],
      [tf.assertGreater(x, y), 'assert_greater', 'Greater'],
      [tf.assertGreaterEqual(x, y), 'assert_greater_equal', 'GreaterEqual'],
      [tf.assertNoneEqual(x, y), 'assert_none_equal', 'NotEqual'],
    ];
    for (const [op, scope, cmp] of cases) {
      t.is(op.name, `${scope}/Assert/Assert`);
      t.is(g.getOperationByName(`${scope}/${cmp}`).type, cmp);
    }
    const pos = tf.assertPositive(x);
    t.is(pos.name, 'assert_positive/assert_less/Assert/Assert');
    const less = g.getOperationByName('assert_positive/assert_less/Less');
    t.deepEqual(inputNames(less), ['assert_positive/Const:0', 'x:0']);
    t.is(less.inputs[0].dtype, 'float32');
    const text = g.getOperationByName('assert_positive/assert_less/Assert/Assert/data_1').getAttr('value') as tf.NDArray;
    t.is(text.item(), 'Condition x > 0 did not hold element-wise:');
    const neg = tf.assertNegative(x);
    t.deepEqual(inputNames(g.getOperationByName('assert_negative/assert_less/Less')), ['x:0', 'assert_negative/Const:0']);
    t.is(neg.name, 'assert_negative/assert_less/Assert/Assert');
    t.is(tf.assertNonNegative(x).name, 'assert_non_negative/assert_less_equal/Assert/Assert');
    t.is(tf.assertNonPositive(x, { name: 'np' }).name, 'np/assert_less_equal/Assert/Assert');
    // Incompatible shapes fail at construction.
    t.throws(() => tf.assertLess(x, tf.placeholder('float32', { shape: [4] })), { instanceOf: tf.errors.InvalidArgumentError });
  });
});
