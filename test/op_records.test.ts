// Op records: the build's op list (build/generated/op_list.bin, schema/op_def.fbs) holds the
// TypeScript registry's records, the runtime imports only graphs of ops it has a record of,
// and ops registered at run time reach it when a session first sees them.
import { readFileSync } from 'node:fs';
import test from 'ava';
import * as flatbuffers from 'flatbuffers';
import * as tf from 'tensorgraph';
import * as fb from '../src/generated/op_def_generated.js';

// Ops this file registers itself (not in the build's list).
const LOCAL = 'OpRecordsTest';

function readOpList(): Map<string, fb.OpDef> {
  const bytes = new Uint8Array(readFileSync(new URL('../build/generated/op_list.bin', import.meta.url)));
  const buf = new flatbuffers.ByteBuffer(bytes);
  if (!fb.OpList.bufferHasIdentifier(buf)) throw new Error('op_list.bin is not an OpList');
  const list = fb.OpList.getRootAsOpList(buf);
  const out = new Map<string, fb.OpDef>();
  for (let i = 0; i < list.opLength(); i++) out.set(list.op(i)!.name()!, list.op(i)!);
  return out;
}

test('the generated op list holds every registered op, with its args and attrs', (t) => {
  const list = readOpList();
  const registered = tf.registeredOpTypes().filter((op) => !op.startsWith(LOCAL));
  t.deepEqual([...list.keys()].sort(), registered);
  t.true(list.size > 200);

  for (const type of ['MatMul', 'ConcatV2', 'Split', 'QueueDequeueV2', 'VariableV2', 'Variable', 'Snapshot']) {
    const def = tf.getOpDef(type);
    const rec = list.get(type)!;
    t.is(rec.inputArgLength(), def.inputs.length, type);
    t.is(rec.outputArgLength(), def.outputs.length, type);
    t.is(rec.attrLength(), Object.keys(def.attrs ?? {}).length, type);
    t.is(rec.isStateful(), def.stateful ?? false, type);
  }
  // The list arguments: a number attr (ConcatV2's values, Split's outputs), a type list.
  t.is(list.get('ConcatV2')!.inputArg(0)!.numberAttr(), 'N');
  t.is(list.get('Split')!.outputArg(0)!.numberAttr(), 'num_split');
  t.is(list.get('QueueDequeueV2')!.outputArg(0)!.typeListAttr(), 'component_types');
  // A reference output, a fixed dtype (TF's DataType number) and a default.
  t.true(list.get('VariableV2')!.outputArg(0)!.isRef());
  t.is(list.get('IsVariableInitialized')!.outputArg(0)!.type(), 10);  // DT_BOOL
  const matmul = list.get('MatMul')!;
  const transposeA = [...Array(matmul.attrLength()).keys()].map((i) => matmul.attr(i)!).find((a) => a.name() === 'transpose_a')!;
  t.is(transposeA.type(), 'bool');
  t.false(transposeA.defaultValue()!.b());
});

test('importGraphDef of an unknown op fails with NotFoundError naming the node', (t) => {
  const gd = new tf.GraphDef([{ name: 'mystery', op: 'NoSuchOp', input: [], device: '', attr: {} }]);
  const g = new tf.Graph();
  const err = t.throws(() => g.asDefault(() => tf.importGraphDef(gd)), { instanceOf: tf.errors.NotFoundError });
  t.regex(err.message, /^Op type not registered 'NoSuchOp' in binary running on .*'mystery'/s);
  t.is(err.op, 'mystery');
  t.is(g.getOperations().length, 0);
});

test('the runtime rejects a graph holding an op without a record, naming the node', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.constant(1, { name: 'x' });
    // An op type no registry knows, bypassing the op builder's checks.
    g._createOp('OpRecordsNoSuchOp', [], { name: 'mystery', outputDtypes: ['float32'] });
    const sess = new tf.Session({ graph: g });
    const err = t.throws(() => sess.run(x), { instanceOf: tf.errors.NotFoundError });
    t.regex(err.message, /Op type not registered 'OpRecordsNoSuchOp'.*'mystery'/s);
    t.is(err.op, 'mystery');
    sess.close();
  });
});

test('an op registered at run time reaches the runtime with the graph', (t) => {
  // No kernel: a graph holding it imports and runs what does not need it.
  tf.registerOp({ type: `${LOCAL}Thing`, inputs: [{ name: 'x', type: 'float32' }], outputs: [{ name: 'y', type: 'float32' }] });
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.constant(2, { name: 'x' });
    const thing = g._createOp(`${LOCAL}Thing`, [x], { name: 'thing', outputDtypes: ['float32'] });
    const sess = new tf.Session({ graph: g });
    t.is(sess.run(x.mul(3)).data[0], 6);
    // Running it needs a kernel, which it lacks.
    t.throws(() => sess.run(thing.outputs[0]), { message: /No OpKernel was registered to support Op 'OpRecordsTestThing'/ });
    sess.close();
  });
});
