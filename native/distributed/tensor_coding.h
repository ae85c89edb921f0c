// RecvTensorResponse on the wire without copying large tensors (TF's grpc_tensor_coding and
// TensorResponse): the sender's byte buffer points into the tensor's own memory, and the
// receiver parses the response straight into a new tensor's buffer. The bytes are exactly
// protobuf's RecvTensorResponse, so any TF peer reads and writes them.
#pragma once

#include <grpcpp/support/byte_buffer.h>

#include <string>

#include "runtime/rendezvous.h"

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

}  // namespace tg
