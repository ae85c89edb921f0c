// TF's internal transfer ops (core/ops/sendrecv_ops.cc). The runtime's partitioner
// (native/runtime/graph_partition.cc) puts a _Send/_Recv pair on every edge between devices of
// a step; user graphs never hold them. The records let partition graphs pass the same checks
// as any graph (and be serialised later).
import { registerOp } from '../framework/op_registry.js';
import { TensorShape } from '../framework/tensor_shape.js';

const TRANSFER_ATTRS = {
  tensor_name: { kind: 'string' },
  send_device: { kind: 'string' },
  send_device_incarnation: { kind: 'int' },
  recv_device: { kind: 'string' },
  client_terminated: { kind: 'bool', default: false },
} as const;

registerOp({
  type: '_Send',
  inputs: [{ name: 'tensor', typeAttr: 'T' }],
  outputs: [],
  attrs: { T: { kind: 'type' }, ...TRANSFER_ATTRS },
  stateful: true,
  shape: () => [],
});

registerOp({
  type: '_Recv',
  inputs: [],
  outputs: [{ name: 'tensor', typeAttr: 'tensor_type' }],
  attrs: { tensor_type: { kind: 'type' }, ...TRANSFER_ATTRS },
  stateful: true,
  shape: () => [TensorShape.unknown()],
});
