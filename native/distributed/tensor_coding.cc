#include "distributed/tensor_coding.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
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

// Field numbers (schema/proto/worker.proto, master.proto, tensor.proto, named_tensor.proto).
constexpr int kResponseTensor = 1, kResponseIsDead = 2;   // RecvTensorResponse
constexpr int kRunStepFeed = 2;                           // RunStepRequest
constexpr int kRunStepTensor = 1;                         // RunStepResponse
constexpr int kNamedName = 1, kNamedTensor = 2;           // NamedTensorProto
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

// Field `field`'s tag and the length of what follows (a length-delimited field).
void AppendFieldHeader(std::string* out, int field, size_t length) {
  AppendTag(out, field, WFL::WIRETYPE_LENGTH_DELIMITED);
  AppendVarint(out, length);
}

// A shared tensor's TensorProto up to its content: dtype, shape, tensor_content's tag and length.
std::string TensorProtoHeader(const Tensor& t) {
  tensorflow::TensorProto meta;
  meta.set_dtype(static_cast<tensorflow::DataType>(t.dtype()));
  for (int64_t d : t.shape()) meta.mutable_tensor_shape()->add_dim()->set_size(d);
  std::string header = meta.SerializeAsString();
  AppendFieldHeader(&header, kTensorContent, t.total_bytes());
  return header;
}

// The bytes of an outgoing message: copied pieces, and the contents of shared tensors as
// slices that reference their memory (each keeps its buffer alive until gRPC has sent it).
class WireBuilder {
 public:
  std::string* bytes() { return &pending_; }
  void AppendContent(const Tensor& t) {
    Flush();
    auto* hold = new Tensor(t);
    slices_.emplace_back(hold->raw(), t.total_bytes(), [](void* p) { delete static_cast<Tensor*>(p); }, hold);
  }
  grpc::ByteBuffer Finish() {
    Flush();
    return grpc::ByteBuffer(slices_.data(), slices_.size());
  }

 private:
  void Flush() {
    if (!pending_.empty()) slices_.emplace_back(pending_);
    pending_.clear();
  }
  std::string pending_;
  std::vector<grpc::Slice> slices_;
};

// Appends NamedTensorProto entries as repeated field `field`.
void AppendNamedTensors(WireBuilder* out, int field, const std::vector<NamedTensor>& tensors) {
  for (const auto& [name, t] : tensors) {
    if (!SharesWell(t)) {
      tensorflow::NamedTensorProto p;
      p.set_name(name);
      TensorToTfProto(t, p.mutable_tensor());
      AppendFieldHeader(out->bytes(), field, p.ByteSizeLong());
      p.AppendToString(out->bytes());
      continue;
    }
    const std::string tensor_header = TensorProtoHeader(t);
    std::string named;
    AppendFieldHeader(&named, kNamedName, name.size());
    named += name;
    AppendFieldHeader(&named, kNamedTensor, tensor_header.size() + t.total_bytes());
    named += tensor_header;
    AppendFieldHeader(out->bytes(), field, named.size() + t.total_bytes());
    *out->bytes() += named;
    out->AppendContent(t);
  }
}

// `message`'s fields, then `tensors` as its repeated NamedTensorProto field `field`.
grpc::ByteBuffer EncodeWithTensors(const google::protobuf::MessageLite& message, int field,
                                   const std::vector<NamedTensor>& tensors) {
  WireBuilder out;
  message.AppendToString(out.bytes());
  AppendNamedTensors(&out, field, tensors);
  return out.Finish();
}

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

// A NamedTensorProto whose tensor parses fast (ParseTensorFast); false sends the message to
// the slow path.
bool ParseNamedFast(CodedInputStream* in, const std::string& what, NamedTensor* out) {
  bool have_tensor = false;
  for (;;) {
    const uint32_t tag = in->ReadTag();
    if (tag == 0) return have_tensor;
    const int field = WFL::GetTagFieldNumber(tag);
    if (WFL::GetTagWireType(tag) != WFL::WIRETYPE_LENGTH_DELIMITED) return false;
    uint32_t len;
    if (!in->ReadVarint32(&len)) return false;
    if (field == kNamedName) {
      if (!in->ReadString(&out->first, static_cast<int>(len))) return false;
    } else if (field == kNamedTensor && !have_tensor) {
      const auto limit = in->PushLimit(static_cast<int>(len));
      if (!ParseTensorFast(in, what + " " + out->first, &out->second) || !in->ConsumedEntireMessage()) return false;
      in->PopLimit(limit);
      have_tensor = true;
    } else {
      return false;
    }
  }
}

// Parses `buffer` as a message whose repeated NamedTensorProto field `field` goes to
// `tensors` (fast: straight into tensors) and whose other fields go to `message` (protobuf's
// parser, over a copy of just those bytes). A message the fast path cannot take (small
// tensors in *_val fields, strings, unusual field order) is parsed whole by protobuf, then
// its tensors converted.
template <typename Message>
void DecodeWithTensors(grpc::ByteBuffer* buffer, int field, const std::string& what, Message* message,
                       google::protobuf::RepeatedPtrField<tensorflow::NamedTensorProto>* (Message::*list)(),
                       std::vector<NamedTensor>* tensors) {
  tensors->clear();
  std::string rest;
  bool fast = true;
  {
    grpc::ProtoBufferReader reader(buffer);
    CodedInputStream in(&reader);
    in.SetTotalBytesLimit(std::numeric_limits<int>::max());
    google::protobuf::io::StringOutputStream rest_stream(&rest);
    CodedOutputStream rest_out(&rest_stream);
    for (;;) {
      const uint32_t tag = in.ReadTag();
      if (tag == 0) {
        fast = in.ConsumedEntireMessage();
        break;
      }
      if (WFL::GetTagFieldNumber(tag) == field && WFL::GetTagWireType(tag) == WFL::WIRETYPE_LENGTH_DELIMITED) {
        uint32_t len;
        NamedTensor t;
        if (!in.ReadVarint32(&len)) { fast = false; break; }
        const auto limit = in.PushLimit(static_cast<int>(len));
        if (!ParseNamedFast(&in, what, &t) || !in.ConsumedEntireMessage()) { fast = false; break; }
        in.PopLimit(limit);
        tensors->push_back(std::move(t));
      } else if (!WFL::SkipField(&in, tag, &rest_out)) {
        fast = false;
        break;
      }
    }
  }
  if (fast) {
    if (!message->ParseFromString(rest)) throw InvalidArgument("Could not parse the " + message->GetTypeName() + " " + what);
    return;
  }
  tensors->clear();
  grpc::ProtoBufferReader reader(buffer);
  if (!message->ParseFromZeroCopyStream(&reader)) throw InvalidArgument("Could not parse the " + message->GetTypeName() + " " + what);
  for (const auto& named : *(message->*list)()) {
    tensors->emplace_back(named.name(), TensorFromTfProto(named.tensor(), what + " " + named.name()));
  }
  (message->*list)()->Clear();
}

}  // namespace

grpc::ByteBuffer EncodeRecvTensorResponse(const RendezvousValue& value) {
  tensorflow::RecvTensorResponse resp;
  if (value.is_dead || !SharesWell(value.tensor)) {
    resp.set_is_dead(value.is_dead);
    if (!value.is_dead) TensorToTfProto(value.tensor, resp.mutable_tensor());
    return Serialized(resp);
  }
  // The response's and TensorProto's headers, then the tensor's own bytes, referenced.
  const std::string tensor_header = TensorProtoHeader(value.tensor);
  WireBuilder out;
  AppendFieldHeader(out.bytes(), kResponseTensor, tensor_header.size() + value.tensor.total_bytes());
  *out.bytes() += tensor_header;
  out.AppendContent(value.tensor);
  return out.Finish();
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

grpc::ByteBuffer EncodeRunStepRequest(const tensorflow::RunStepRequest& message, const std::vector<NamedTensor>& feeds) {
  return EncodeWithTensors(message, kRunStepFeed, feeds);
}

grpc::ByteBuffer EncodeRunStepResponse(const tensorflow::RunStepResponse& message, const std::vector<NamedTensor>& tensors) {
  return EncodeWithTensors(message, kRunStepTensor, tensors);
}

void DecodeRunStepRequest(grpc::ByteBuffer* buffer, const std::string& what, tensorflow::RunStepRequest* message,
                          std::vector<NamedTensor>* feeds) {
  DecodeWithTensors(buffer, kRunStepFeed, what, message, &tensorflow::RunStepRequest::mutable_feed, feeds);
}

void DecodeRunStepResponse(grpc::ByteBuffer* buffer, const std::string& what, tensorflow::RunStepResponse* message,
                           std::vector<NamedTensor>* tensors) {
  DecodeWithTensors(buffer, kRunStepTensor, what, message, &tensorflow::RunStepResponse::mutable_tensor, tensors);
}

}  // namespace tg
