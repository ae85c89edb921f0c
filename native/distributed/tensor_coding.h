// Messages carrying tensors on the wire without copying large ones (TF's grpc_tensor_coding
// and TensorResponse): the sender's byte buffer points into the tensor's own memory, and the
// receiver parses the message straight into a new tensor's buffer. The bytes are exactly
// protobuf's, so any TF peer reads and writes them. RecvTensorResponse (worker to worker),
// and the master's RunStepRequest feeds and RunStepResponse fetches (client and master).
#pragma once

#include <grpcpp/support/byte_buffer.h>

#include <string>
#include <utility>
#include <vector>

#include "runtime/rendezvous.h"
#include "master.pb.h"

namespace tg {

// Tensors at least this large are shared with gRPC rather than copied into the message
// (TF's kLargeTensorBytes); smaller ones are cheaper to copy than to reference.
constexpr size_t kLargeTensorBytes = 1024;

// The response for a received value (a host tensor, or dead). The buffer holds a reference to
// a large tensor's memory until gRPC has sent it; tensors are copy-on-write, so a variable
// updated meanwhile gets a new buffer and the bytes on the wire stay those that were sent.
grpc::ByteBuffer EncodeRecvTensorResponse(const RendezvousValue& value);

// The value a RecvTensorResponse carries; InvalidArgument (naming `what`) when the bytes are
// not a well-formed response or its tensor does not fit its dtype and shape.
RendezvousValue DecodeRecvTensorResponse(grpc::ByteBuffer* buffer, const std::string& what);

// A tensor with the name it is fed or fetched as (TF's NamedTensorProto).
using NamedTensor = std::pair<std::string, Tensor>;

// `message` (its feed, resp. tensor, field left empty) followed by `tensors` in that field.
grpc::ByteBuffer EncodeRunStepRequest(const tensorflow::RunStepRequest& message, const std::vector<NamedTensor>& feeds);
grpc::ByteBuffer EncodeRunStepResponse(const tensorflow::RunStepResponse& message, const std::vector<NamedTensor>& tensors);

// The message's other fields into `message`, its named tensors into `tensors`;
// InvalidArgument (naming `what`) when the bytes are not a well-formed message or a tensor
// does not fit its dtype and shape.
void DecodeRunStepRequest(grpc::ByteBuffer* buffer, const std::string& what, tensorflow::RunStepRequest* message,
                          std::vector<NamedTensor>* feeds);
void DecodeRunStepResponse(grpc::ByteBuffer* buffer, const std::string& what, tensorflow::RunStepResponse* message,
                           std::vector<NamedTensor>* tensors);

}  // namespace tg
