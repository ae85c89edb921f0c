#include "distributed/tensor_coding.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <grpcpp/impl/codegen/proto_utils.h>

#include <limits>

#include "runtime/graph_def_proto.h"
#include "runtime/types.h"
#include "worker.pb.h"

namespace tg {

namespace {

using google::protobuf::io::CodedInputStream;
using google::protobuf::io::CodedOutputStream;
using WFL = google::protobuf::internal::WireFormatLite;

// Field numbers of RecvTensorResponse and TensorProto (schema/proto/worker.proto, tensor.proto).
constexpr int kResponseTensor = 1, kResponseIsDead = 2;
constexpr int kTensorDtype = 1, kTensorShape = 2, kTensorContent = 4;

bool SharesWell(const Tensor& t) {
  return t.dtype() != DataType::DT_STRING && t.dtype() != DataType::DT_RESOURCE && t.total_bytes() >= kLargeTensorBytes;
}

void AppendVarint(std::string* out, uint64_t v) {
  uint8_t buf[16];
  uint8_t* end = CodedOutputStream::WriteVarint64ToArray(v, buf);
  out->append(reinterpret_cast<char*>(buf), end - buf);
}

void AppendTag(std::string* out, int field, WFL::WireType type) { AppendVarint(out, WFL::MakeTag(field, type)); }

grpc::ByteBuffer Serialized(const tensorflow::RecvTensorResponse& resp) {
  grpc::ByteBuffer out;
  bool own = false;
  grpc::Status s = grpc::SerializationTraits<tensorflow::RecvTensorResponse>::Serialize(resp, &out, &own);
  if (!s.ok()) throw Error(Code::kInternal, "Could not encode a RecvTensorResponse: " + s.error_message());
  return out;
}

// The tensor a fast parse reads: dtype and shape come before the content (as every protobuf
// encoder writes them); anything else in the TensorProto sends the parse to the slow path.
bool ParseTensorFast(CodedInputStream* in, const std::string& what, Tensor* out) {
  int dtype = 0;
  tensorflow::TensorShapeProto shape;
  bool have_content = false;
  for (;;) {
    const uint32_t tag = in->ReadTag();
    if (tag == 0) break;
    const int field = WFL::GetTagFieldNumber(tag);
    const auto type = WFL::GetTagWireType(tag);
    if (field == kTensorDtype && type == WFL::WIRETYPE_VARINT) {
      uint32_t v;
      if (!in->ReadVarint32(&v)) return false;
      dtype = static_cast<int>(v);
    } else if (field == kTensorShape && type == WFL::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t len;
      if (!in->ReadVarint32(&len)) return false;
      const auto limit = in->PushLimit(static_cast<int>(len));
      if (!shape.MergeFromCodedStream(in) || !in->ConsumedEntireMessage()) return false;
      in->PopLimit(limit);
    } else if (field == kTensorContent && type == WFL::WIRETYPE_LENGTH_DELIMITED && !have_content) {
      uint32_t len;
      if (!in->ReadVarint32(&len)) return false;
      // Dtype and shape checked as any TensorProto's (TensorFromTfProto), then filled in place.
      tensorflow::TensorProto header;
      header.set_dtype(static_cast<tensorflow::DataType>(dtype));
      *header.mutable_tensor_shape() = shape;
      if (dtype == static_cast<int>(DataType::DT_STRING)) return false;
      Tensor t = AllocateForTfProto(header, what);
      if (len != t.total_bytes()) {
        throw InvalidArgument("TensorProto " + what + " has " + std::to_string(len) + " content bytes for " +
                              std::to_string(t.total_bytes()));
      }
      if (!in->ReadRaw(t.raw(), static_cast<int>(len))) return false;
      *out = std::move(t);
      have_content = true;
    } else {
      return false;  // a *_val field, a repeated field, or an unexpected wire type
    }
  }
  return have_content;
}

}  // namespace

grpc::ByteBuffer EncodeRecvTensorResponse(const RendezvousValue& value) {
  tensorflow::RecvTensorResponse resp;
  if (value.is_dead || !SharesWell(value.tensor)) {
    resp.set_is_dead(value.is_dead);
    if (!value.is_dead) TensorToTfProto(value.tensor, resp.mutable_tensor());
    return Serialized(resp);
  }
  // TensorProto's dtype and shape, then tensor_content's tag and length: one small slice...
  tensorflow::TensorProto meta;
  meta.set_dtype(static_cast<tensorflow::DataType>(value.tensor.dtype()));
  for (int64_t d : value.tensor.shape()) meta.mutable_tensor_shape()->add_dim()->set_size(d);
  const size_t content = value.tensor.total_bytes();
  std::string tensor_header = meta.SerializeAsString();
  AppendTag(&tensor_header, kTensorContent, WFL::WIRETYPE_LENGTH_DELIMITED);
  AppendVarint(&tensor_header, content);
  std::string header;
  AppendTag(&header, kResponseTensor, WFL::WIRETYPE_LENGTH_DELIMITED);
  AppendVarint(&header, tensor_header.size() + content);
  header += tensor_header;
  // ...and the tensor's own bytes, referenced: the slice keeps the buffer alive until sent.
  auto* hold = new Tensor(value.tensor);
  grpc::Slice slices[2] = {
      grpc::Slice(header),
      grpc::Slice(hold->raw(), content, [](void* p) { delete static_cast<Tensor*>(p); }, hold),
  };
  return grpc::ByteBuffer(slices, 2);
}

RendezvousValue DecodeRecvTensorResponse(grpc::ByteBuffer* buffer, const std::string& what) {
  RendezvousValue v;
  bool fast = true;
  {
    grpc::ProtoBufferReader reader(buffer);
    CodedInputStream in(&reader);
    in.SetTotalBytesLimit(std::numeric_limits<int>::max());
    bool have_tensor = false;
    for (;;) {
      const uint32_t tag = in.ReadTag();
      if (tag == 0) {
        fast = in.ConsumedEntireMessage() && (have_tensor || v.is_dead);
        break;
      }
      const int field = WFL::GetTagFieldNumber(tag);
      const auto type = WFL::GetTagWireType(tag);
      if (field == kResponseTensor && type == WFL::WIRETYPE_LENGTH_DELIMITED && !have_tensor) {
        uint32_t len;
        if (!in.ReadVarint32(&len)) { fast = false; break; }
        const auto limit = in.PushLimit(static_cast<int>(len));
        if (!ParseTensorFast(&in, what, &v.tensor) || !in.ConsumedEntireMessage()) { fast = false; break; }
        in.PopLimit(limit);
        have_tensor = true;
      } else if (field == kResponseIsDead && type == WFL::WIRETYPE_VARINT) {
        uint64_t b;
        if (!in.ReadVarint64(&b)) { fast = false; break; }
        v.is_dead = b != 0;
      } else if (!WFL::SkipField(&in, tag)) {
        fast = false;
        break;
      }
    }
  }
  if (fast) return v;
  // Anything else (a small tensor in *_val fields, strings, malformed bytes): protobuf's parser.
  tensorflow::RecvTensorResponse resp;
  grpc::ProtoBufferReader reader(buffer);
  if (!resp.ParseFromZeroCopyStream(&reader)) throw InvalidArgument("Could not parse the RecvTensorResponse " + what);
  RendezvousValue slow;
  slow.is_dead = resp.is_dead();
  if (!slow.is_dead) slow.tensor = TensorFromTfProto(resp.tensor(), what);
  return slow;
}

}  // namespace tg
