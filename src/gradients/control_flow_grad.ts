// Gradients of the control-flow ops (TF1's control_flow_grad.py): a cond's Merge sends its
// gradient back through a Switch on the same predicate and a Switch's gradients (one of them
// dead at run time) meet again in a Merge. The while loop's frame ops get none here: a loop's
// gradient is built for the loop as a whole (while_grad.ts).
import { registerGradient } from '../framework/gradient_registry.js';
import { isRefTensor } from '../framework/op_builder.js';
import type { Tensor } from '../framework/tensor.js';
import { condPredicate, merge, switchOp } from '../ops/cond.js';

registerGradient('Merge', (op, grads) => {
  const pred = condPredicate(op);
  if (!pred || !grads[0]) return op.inputs.map(() => undefined);
  const [gf, gt] = switchOp(grads[0], pred, { name: 'cond_grad' });
  return [gf, gt];
});

registerGradient('RefSwitch', () => [undefined, undefined]);
registerGradient('Switch', (op, grads) => {
  if (isRefTensor(op.inputs[0])) return [undefined, undefined];
  const present = grads.filter((g): g is Tensor => !!g);
  if (present.length === 0) return [undefined, undefined];
  if (present.length === 1) return [present[0], undefined];
  return [merge(present, { name: 'cond_grad' })[0], undefined];
});

// Print's gradient passes through to `input`; the printed data gets none.
registerGradient('Print', (op, grads) => [grads[0], ...op.inputs.slice(1).map(() => undefined)]);

for (const type of [
  'Assert', 'NoOp',
  'Enter', 'RefEnter', 'Exit', 'RefExit', 'NextIteration', 'RefNextIteration', 'LoopCond',
  'LoopAccumulatorPush', 'LoopAccumulatorPop',
]) {
  registerGradient(type, null);
}
