// Strings are bytes: string tensors keep their exact bytes (invalid UTF-8, NULs) through
// constants, feeds and fetches; `data` is only the UTF-8 view of `bytes`.
import test from 'ava';
import * as tf from 'tensorgraph';

const binary = [
  new Uint8Array([0xff, 0xfe, 0x00, 0x41]), // invalid UTF-8 with a NUL
  new Uint8Array([]),
  new Uint8Array([0x00, 0x00, 0x00]),
  new Uint8Array([0xc3, 0xa9, 0x80, 0xe2, 0x82]), // 'é' then a lone continuation and a truncated sequence
];

const plain = (b: Uint8Array) => Array.from(b);

test('an NDArray of byte strings keeps the bytes; data is their UTF-8 view', (t) => {
  const a = new tf.NDArray('string', [2], [binary[0], 'héllo']);
  t.deepEqual(a.bytes.map(plain), [[0xff, 0xfe, 0x00, 0x41], [0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f]]);
  t.deepEqual(a.data, ['\ufffd\ufffd\u0000A', 'héllo']);
  const b = tf.NDArray.from([[Buffer.from([1, 2]), Buffer.from([3])]], 'string');
  t.deepEqual(b.shape, [1, 2]);
  t.deepEqual(b.bytes.map(plain), [[1, 2], [3]]);
  t.is(b.bytes[0].constructor, Uint8Array);
  t.throws(() => tf.NDArray.from([1, 2]).bytes, { instanceOf: TypeError });
});

test('byte strings round-trip through a placeholder, identity and fetch', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const p = tf.placeholder('string', { shape: [4] });
    const y = tf.identity(p);
    const sess = new tf.Session();
    const out = sess.run(y, { [p.name]: binary });
    t.is(out.dtype, 'string');
    t.deepEqual(out.bytes.map(plain), binary.map(plain));
    // A fetched string array fed back keeps its bytes too (nothing decodes and re-encodes).
    const again = sess.run(y, { [p.name]: out });
    t.deepEqual(again.bytes.map(plain), binary.map(plain));
    sess.close();
  });
});

test('a constant of bytes keeps them', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const c = tf.constant(binary, { dtype: 'string' });
    t.is(c.dtype, 'string');
    t.deepEqual(c.shape.asList(), [4]);
    const scalar = tf.constant(Buffer.from([0x80, 0x00, 0x81]), { dtype: 'string' });
    t.deepEqual(scalar.shape.asList(), []);
    const inferred = tf.constant([binary[0], binary[2]]);
    t.is(inferred.dtype, 'string');
    const sess = new tf.Session();
    const [v, s, i] = sess.run([c, scalar, inferred]);
    t.deepEqual(v.bytes.map(plain), binary.map(plain));
    t.deepEqual(s.bytes.map(plain), [[0x80, 0x00, 0x81]]);
    t.deepEqual(i.bytes.map(plain), [[0xff, 0xfe, 0x00, 0x41], [0, 0, 0]]);
    sess.close();
  });
});

test('bytes survive GraphDef export and import', (t) => {
  const g = new tf.Graph();
  g.asDefault(() => tf.constant(binary, { dtype: 'string', name: 'blob' }));
  const g2 = new tf.Graph();
  g2.asDefault(() => tf.importGraphDef(g.asGraphDef(), { name: '' }));
  const sess = new tf.Session({ graph: g2 });
  const v = sess.run(g2.getTensorByName('blob:0'));
  t.deepEqual(v.bytes.map(plain), binary.map(plain));
  sess.close();
});

test('resource is an internal dtype with TF enum 20', (t) => {
  t.is(tf.resource, 'resource');
  t.is(tf.dtypeToEnum('resource'), 20);
  t.is(tf.dtypeFromEnum(20), 'resource');
});
