// TF's protobuf GraphDef and TensorProto (schema/proto, the wire format of the master
// service) to and from the runtime's FlatBuffers GraphDef (schema/graph.fbs) and Tensors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "graph.pb.h"
#include "runtime/tensor.h"
#include "tensor.pb.h"

namespace tg {

// A verified FlatBuffers GraphDef as TF's GraphDef (tensors as tensor_content/string_val).
void GraphDefToProto(const uint8_t* data, size_t size, tensorflow::GraphDef* out);
// TF's GraphDef as FlatBuffers GraphDef bytes (for Graph::Extend, which verifies them).
// Attrs beginning with '_' other than "_class" (TF's _output_shapes, ...) are dropped; an
// empty list attr takes its kind from the op's record. InvalidArgument (naming the node) for
// values the runtime cannot hold.
std::vector<uint8_t> GraphDefFromProto(const tensorflow::GraphDef& def);

// A tensor as TF's TensorProto: numbers in tensor_content, strings in string_val.
void TensorToTfProto(const Tensor& t, tensorflow::TensorProto* out);
// TF's TensorProto as a tensor: tensor_content, or the typed *_val field, whose last value
// repeats to fill the shape (TF's compact constants). InvalidArgument for a dtype the
// runtime lacks or a size that does not match the shape; `what` names the tensor in errors.
Tensor TensorFromTfProto(const tensorflow::TensorProto& p, const std::string& what = "");
// The tensor a TensorProto's dtype and shape describe, allocated, its values not yet set
// (InvalidArgument for a dtype this runtime does not hold or an unknown dimension).
Tensor AllocateForTfProto(const tensorflow::TensorProto& p, const std::string& what = "");

}  // namespace tg
