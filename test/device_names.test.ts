// The device-name grammar (TF's DeviceNameUtils::ParseFullName), on the cases the native
// parser is tested on too (test/fixtures/device_names.json, read by
// native/tests/device_name_test.cc): both sides agree on every one.
import test from 'ava';
import { readFileSync } from 'node:fs';
import * as tf from 'tensorgraph';

interface Case {
  input: string;
  error?: true;
  job?: string | null;
  replica?: number | null;
  task?: number | null;
  type?: string | null;
  id?: number | null;
}

const cases: Case[] = JSON.parse(readFileSync(new URL('./fixtures/device_names.json', import.meta.url), 'utf8'));

test('the shared fixture has the cases both parsers are tested on', (t) => {
  t.true(cases.length >= 40);
  t.true(cases.some((c) => c.error) && cases.some((c) => !c.error));
});

for (const c of cases) {
  test(`DeviceSpec.fromString(${JSON.stringify(c.input)})`, (t) => {
    if (c.error) {
      const e = t.throws(() => tf.DeviceSpec.fromString(c.input), { instanceOf: tf.errors.InvalidArgumentError });
      t.true(e!.message.includes(`'${c.input}'`));
      return;
    }
    const d = tf.DeviceSpec.fromString(c.input);
    t.deepEqual(
      { job: d.job, replica: d.replica, task: d.task, type: d.deviceType, id: d.deviceIndex },
      { job: c.job, replica: c.replica, task: c.task, type: c.type, id: c.id },
    );
  });
}

test('the runtime matches device types as TF does: /device:CPU:1 and /cpu:1 place, /device:cpu:1 does not', (t) => {
  const g = new tf.Graph();
  const [a, b, c] = g.asDefault(() => [
    tf.device('/device:CPU:1', () => tf.constant(1, { name: 'a' })),
    tf.device('/cpu:1', () => tf.constant(2, { name: 'b' })),
    tf.device('/device:cpu:1', () => tf.constant(3, { name: 'c' })),
  ]);
  t.is(c.op.device, '/device:cpu:1');
  const sess = new tf.Session({ graph: g, config: { deviceCount: { CPU: 2 } } });
  t.deepEqual(sess.run([a, b]).map((x) => x.item()), [1, 2]);
  t.throws(() => sess.run(c), { instanceOf: tf.errors.InvalidArgumentError, message: /explicitly assigned to \/device:cpu:1/ });
  sess.close();
});
