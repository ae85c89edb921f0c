// RecvTensorResponse and RunStep coding (distributed/tensor_coding.h): the bytes are protobuf's
// own, a large tensor is sent from its own buffer, and the receiver reads what any encoder writes.
#include "distributed/tensor_coding.h"

#include <grpcpp/impl/codegen/proto_utils.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "runtime/graph_def_proto.h"
#include "master.pb.h"
#include "worker.pb.h"

namespace tg {
namespace {

std::string Bytes(const grpc::ByteBuffer& b) {
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(b.Dump(&slices).ok());
  std::string out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

grpc::ByteBuffer BufferOf(const std::string& bytes) {
  grpc::Slice s(bytes);
  return grpc::ByteBuffer(&s, 1);
}

Tensor Iota(int64_t n) {
  Tensor t(DataType::DT_FLOAT, {n});
  for (int64_t i = 0; i < n; i++) t.data<float>()[i] = static_cast<float>(i) * 0.5f;
  return t;
}

// What protobuf's own encoder writes for the same value: the independent expectation.
std::string ProtobufBytes(const RendezvousValue& v) {
  tensorflow::RecvTensorResponse r;
  r.set_is_dead(v.is_dead);
  if (!v.is_dead) TensorToTfProto(v.tensor, r.mutable_tensor());
  return r.SerializeAsString();
}

TEST(TensorCoding, LargeTensorBytesAreProtobufsAndPointIntoTheTensor) {
  RendezvousValue v;
  v.tensor = Iota(100000);  // 400 KB
  grpc::ByteBuffer b = EncodeRecvTensorResponse(v);
  EXPECT_EQ(Bytes(b), ProtobufBytes(v));
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(b.Dump(&slices).ok());
  ASSERT_EQ(slices.size(), 2u);
  EXPECT_EQ(static_cast<const void*>(slices[1].begin()), v.tensor.raw());  // not copied
  EXPECT_EQ(slices[1].size(), v.tensor.total_bytes());
}

TEST(TensorCoding, TheEncodedBufferKeepsTheTensorAlive) {
  grpc::ByteBuffer b;
  std::string expected;
  {
    RendezvousValue v;
    v.tensor = Iota(4096);
    expected = ProtobufBytes(v);
    b = EncodeRecvTensorResponse(v);
  }  // the only other reference is gone
  EXPECT_EQ(Bytes(b), expected);
}

TEST(TensorCoding, RoundTripsLargeSmallStringEmptyAndDeadValues) {
  Tensor strings(DataType::DT_STRING, {2});
  strings.strings()[0] = "ab";
  strings.strings()[1] = std::string(3000, 'x');
  Tensor ints(DataType::DT_INT64, {2, 3});
  for (int i = 0; i < 6; i++) ints.data<int64_t>()[i] = -i;
  for (const Tensor& t : {Iota(70000), Iota(3), strings, ints, Tensor(DataType::DT_FLOAT, {0, 4})}) {
    RendezvousValue v;
    v.tensor = t;
    grpc::ByteBuffer b = EncodeRecvTensorResponse(v);
    EXPECT_EQ(Bytes(b), ProtobufBytes(v));
    RendezvousValue got = DecodeRecvTensorResponse(&b, "from the test");
    EXPECT_FALSE(got.is_dead);
    ASSERT_EQ(got.tensor.dtype(), t.dtype());
    EXPECT_EQ(got.tensor.shape(), t.shape());
    if (t.dtype() == DataType::DT_STRING) {
      for (int i = 0; i < 2; i++) EXPECT_EQ(got.tensor.strings()[i], t.strings()[i]);
    } else if (t.total_bytes() > 0) {
      EXPECT_EQ(std::memcmp(got.tensor.raw(), t.raw(), t.total_bytes()), 0);
    }
  }
  RendezvousValue dead;
  dead.is_dead = true;
  grpc::ByteBuffer b = EncodeRecvTensorResponse(dead);
  EXPECT_TRUE(DecodeRecvTensorResponse(&b, "x").is_dead);
}

TEST(TensorCoding, ReadsTensorsWrittenInValueFieldsAndUnknownFields) {
  tensorflow::RecvTensorResponse r;
  r.mutable_tensor()->set_dtype(tensorflow::DT_FLOAT);
  r.mutable_tensor()->mutable_tensor_shape()->add_dim()->set_size(3);
  r.mutable_tensor()->add_float_val(7);  // TF's repeated last value: 7, 7, 7
  r.set_send_start_micros(123);
  grpc::ByteBuffer b = BufferOf(r.SerializeAsString());
  RendezvousValue v = DecodeRecvTensorResponse(&b, "x");
  ASSERT_EQ(v.tensor.num_elements(), 3);
  for (int i = 0; i < 3; i++) EXPECT_EQ(v.tensor.data<float>()[i], 7.0f);
}

TEST(TensorCoding, MalformedResponsesAreInvalidArgument) {
  // Content bytes that do not fit the shape.
  tensorflow::RecvTensorResponse r;
  r.mutable_tensor()->set_dtype(tensorflow::DT_FLOAT);
  r.mutable_tensor()->mutable_tensor_shape()->add_dim()->set_size(1000);
  r.mutable_tensor()->set_tensor_content(std::string(3996, '\0'));
  grpc::ByteBuffer short_content = BufferOf(r.SerializeAsString());
  try {
    DecodeRecvTensorResponse(&short_content, "received from /job:ps/replica:0/task:0");
    FAIL() << "expected InvalidArgument";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("3996 content bytes for 4000"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/job:ps"), std::string::npos) << e.what();
  }
  // Truncated bytes, garbage, an absurd shape, no tensor at all.
  RendezvousValue v;
  v.tensor = Iota(5000);
  const std::string good = ProtobufBytes(v);
  tensorflow::RecvTensorResponse huge;
  huge.mutable_tensor()->set_dtype(tensorflow::DT_FLOAT);
  for (int i = 0; i < 4; i++) huge.mutable_tensor()->mutable_tensor_shape()->add_dim()->set_size(int64_t{1} << 20);
  huge.mutable_tensor()->set_tensor_content("abcd");
  for (const std::string& bytes : {good.substr(0, good.size() - 10), std::string("\xff\xff\xff\xff\x0f garbage"),
                                   huge.SerializeAsString(), std::string()}) {
    grpc::ByteBuffer b = BufferOf(bytes);
    try {
      DecodeRecvTensorResponse(&b, "x");
      FAIL() << "expected InvalidArgument for " << bytes.size() << " bytes";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Code::kInvalidArgument) << e.what();
    }
  }
}

tensorflow::RunStepRequest RequestWithoutFeeds() {
  tensorflow::RunStepRequest r;
  r.set_session_handle("abc");
  r.add_fetch("y:0");
  r.add_fetch("z:0");
  r.add_target("train");
  r.mutable_options()->set_timeout_in_ms(5000);
  return r;
}

void ExpectSameTensor(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.dtype(), want.dtype());
  EXPECT_EQ(got.shape(), want.shape());
  EXPECT_EQ(std::memcmp(got.raw(), want.raw(), want.total_bytes()), 0);
}

// The request is protobuf's (parsed by protobuf into the message it was built from, feeds
// included); a large feed goes out from its own buffer; it decodes back to the same feeds.
TEST(TensorCoding, RunStepRequestsAreProtobufsAndRoundTrip) {
  const tensorflow::RunStepRequest rest = RequestWithoutFeeds();
  std::vector<NamedTensor> feeds{{"x:0", Iota(100000)}, {"small:0", Iota(3)}};
  grpc::ByteBuffer b = EncodeRunStepRequest(rest, feeds);

  tensorflow::RunStepRequest parsed;
  ASSERT_TRUE(parsed.ParseFromString(Bytes(b)));
  tensorflow::RunStepRequest want = rest;
  for (const auto& [name, t] : feeds) {
    auto* f = want.add_feed();
    f->set_name(name);
    TensorToTfProto(t, f->mutable_tensor());
  }
  EXPECT_EQ(parsed.SerializeAsString(), want.SerializeAsString());
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(b.Dump(&slices).ok());
  bool shared = false;
  for (const auto& sl : slices) shared |= static_cast<const void*>(sl.begin()) == feeds[0].second.raw();
  EXPECT_TRUE(shared);

  tensorflow::RunStepRequest got;
  std::vector<NamedTensor> got_feeds;
  DecodeRunStepRequest(&b, "in the test", &got, &got_feeds);
  EXPECT_EQ(got.SerializeAsString(), rest.SerializeAsString());
  ASSERT_EQ(got_feeds.size(), 2u);
  for (size_t i = 0; i < 2; i++) {
    EXPECT_EQ(got_feeds[i].first, feeds[i].first);
    ExpectSameTensor(got_feeds[i].second, feeds[i].second);
  }
}

// What TF's client writes: protobuf's field order (feeds before fetches), small values in
// *_val fields (the slow path), strings.
TEST(TensorCoding, RunStepRequestsFromProtobufEncodersDecode) {
  tensorflow::RunStepRequest r = RequestWithoutFeeds();
  auto* big = r.add_feed();
  big->set_name("x:0");
  TensorToTfProto(Iota(5000), big->mutable_tensor());
  grpc::ByteBuffer fast = BufferOf(r.SerializeAsString());
  tensorflow::RunStepRequest got;
  std::vector<NamedTensor> feeds;
  DecodeRunStepRequest(&fast, "in the test", &got, &feeds);
  EXPECT_EQ(got.SerializeAsString(), RequestWithoutFeeds().SerializeAsString());
  ASSERT_EQ(feeds.size(), 1u);
  ExpectSameTensor(feeds[0].second, Iota(5000));

  auto* val = r.add_feed();
  val->set_name("k:0");
  val->mutable_tensor()->set_dtype(tensorflow::DT_INT32);
  val->mutable_tensor()->mutable_tensor_shape()->add_dim()->set_size(2);
  val->mutable_tensor()->add_int_val(-4);
  val->mutable_tensor()->add_int_val(9);
  grpc::ByteBuffer slow = BufferOf(r.SerializeAsString());
  DecodeRunStepRequest(&slow, "in the test", &got, &feeds);
  EXPECT_EQ(got.feed_size(), 0);  // taken out into `feeds`
  EXPECT_EQ(got.fetch_size(), 2);
  ASSERT_EQ(feeds.size(), 2u);
  EXPECT_EQ(feeds[0].first, "x:0");
  ExpectSameTensor(feeds[0].second, Iota(5000));
  EXPECT_EQ(feeds[1].first, "k:0");
  ASSERT_EQ(feeds[1].second.num_elements(), 2);
  EXPECT_EQ(feeds[1].second.data<int32_t>()[0], -4);
  EXPECT_EQ(feeds[1].second.data<int32_t>()[1], 9);
}

TEST(TensorCoding, RunStepResponsesRoundTripWithTheirMetadata) {
  tensorflow::RunStepResponse rest;
  auto* n = rest.mutable_metadata()->mutable_step_stats()->add_dev_stats();
  n->set_device("/job:local/replica:0/task:0/device:CPU:0");
  n->add_node_stats()->set_node_name("y");
  Tensor strings(DataType::DT_STRING, {1});
  strings.strings()[0] = "hello";
  std::vector<NamedTensor> tensors{{"y:0", Iota(70000)}, {"s:0", strings}, {"e:0", Tensor(DataType::DT_FLOAT, {0})}};
  grpc::ByteBuffer b = EncodeRunStepResponse(rest, tensors);
  tensorflow::RunStepResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(Bytes(b)));
  EXPECT_EQ(parsed.tensor_size(), 3);
  tensorflow::RunStepResponse got;
  std::vector<NamedTensor> got_tensors;
  DecodeRunStepResponse(&b, "from the test", &got, &got_tensors);
  EXPECT_EQ(got.SerializeAsString(), rest.SerializeAsString());
  ASSERT_EQ(got_tensors.size(), 3u);
  EXPECT_EQ(got_tensors[0].first, "y:0");
  ExpectSameTensor(got_tensors[0].second, tensors[0].second);
  EXPECT_EQ(got_tensors[1].second.strings()[0], "hello");
  EXPECT_EQ(got_tensors[2].second.shape(), (Shape{0}));
}

TEST(TensorCoding, MalformedRunStepMessagesAreInvalidArgument) {
  for (const std::string& bytes : {std::string("\xff\xff\xff\x0fnot a RunStepRequest"), Bytes(EncodeRunStepRequest(RequestWithoutFeeds(), {{"x:0", Iota(5000)}})).substr(0, 9000)}) {
    grpc::ByteBuffer b = BufferOf(bytes);
    tensorflow::RunStepRequest got;
    std::vector<NamedTensor> feeds;
    try {
      DecodeRunStepRequest(&b, "in the RunStepRequest", &got, &feeds);
      FAIL() << "expected InvalidArgument";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Code::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find("RunStepRequest"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace tg
