// TF's protobuf GraphDef/TensorProto <-> the runtime's FlatBuffers GraphDef and tensors.
#include <gtest/gtest.h>

#include "graph_builder.h"
#include "runtime/graph_def_proto.h"
#include "runtime/session.h"
#include "runtime/status.h"

namespace tg {
namespace {

Tensor Scalar(float v) {
  Tensor t(DataType::DT_FLOAT, {});
  *t.data<float>() = v;
  return t;
}

tensorflow::TensorProto Proto(tensorflow::DataType dtype, std::vector<int64_t> shape) {
  tensorflow::TensorProto p;
  p.set_dtype(dtype);
  for (int64_t d : shape) p.mutable_tensor_shape()->add_dim()->set_size(d);
  return p;
}

TEST(GraphDefProto, FlatBuffersGraphRoundTripsAndRuns) {
  GraphBuilder g;
  g.Const("c", {1, 2, 3, 4}, {2, 2}).Placeholder("p").Binary("sum", "Add", "c", "p");
  g.Node("s", "Shape", {"sum"}, {{"T", GraphBuilder::Type(DataType::DT_FLOAT)}, {"out_type", GraphBuilder::Type(DataType::DT_INT32)}},
         "/device:CPU:0");
  std::vector<uint8_t> bytes = g.Finish();
  tensorflow::GraphDef def;
  GraphDefToProto(bytes.data(), bytes.size(), &def);
  ASSERT_EQ(def.node_size(), 4);
  const auto& c = def.node(0);
  EXPECT_EQ(c.op(), "Const");
  EXPECT_EQ(c.attr().at("dtype").type(), tensorflow::DT_FLOAT);
  const auto& value = c.attr().at("value").tensor();
  EXPECT_EQ(value.tensor_shape().dim_size(), 2);
  ASSERT_EQ(value.tensor_content().size(), 16u);
  float second;
  std::memcpy(&second, value.tensor_content().data() + 4, 4);
  EXPECT_EQ(second, 2.0f);
  EXPECT_EQ(def.node(2).input(1), "p");
  EXPECT_EQ(def.node(3).device(), "/device:CPU:0");

  // Back to FlatBuffers: the runtime runs it with the values it had.
  std::vector<uint8_t> back = GraphDefFromProto(def);
  Session s(SessionOptions{});
  s.Extend(back.data(), back.size());
  auto out = s.Run({"p:0"}, {Scalar(10)}, {"sum:0", "s:0"}, {}, {});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].data<float>()[0], 11.0f);
  EXPECT_EQ(out[0].data<float>()[3], 14.0f);
  EXPECT_EQ(out[1].data<int32_t>()[0], 2);
}

TEST(GraphDefProto, RepeatedValFieldsRepeatTheirLastValue) {
  auto p = Proto(tensorflow::DT_FLOAT, {2, 3});
  p.add_float_val(1);
  p.add_float_val(2);
  Tensor t = TensorFromTfProto(p);
  ASSERT_EQ(t.num_elements(), 6);
  const float want[] = {1, 2, 2, 2, 2, 2};
  for (int i = 0; i < 6; i++) EXPECT_EQ(t.data<float>()[i], want[i]) << i;

  auto i64 = Proto(tensorflow::DT_INT64, {3});
  i64.add_int64_val(-7);
  Tensor ti = TensorFromTfProto(i64);
  EXPECT_EQ(ti.data<int64_t>()[2], -7);

  auto b = Proto(tensorflow::DT_BOOL, {2});
  b.add_bool_val(true);
  EXPECT_TRUE(TensorFromTfProto(b).data<bool>()[1]);

  auto s = Proto(tensorflow::DT_STRING, {3});
  s.add_string_val("a");
  s.add_string_val("bc");
  Tensor ts = TensorFromTfProto(s);
  EXPECT_EQ(ts.strings()[0], "a");
  EXPECT_EQ(ts.strings()[2], "bc");

  // No values at all: zeros (TF's FromProto).
  auto z = Proto(tensorflow::DT_INT32, {4});
  Tensor tz = TensorFromTfProto(z);
  EXPECT_EQ(tz.data<int32_t>()[3], 0);
}

TEST(GraphDefProto, MalformedTensorsAreInvalidArgument) {
  auto too_many = Proto(tensorflow::DT_FLOAT, {1});
  too_many.add_float_val(1);
  too_many.add_float_val(2);
  auto bad_content = Proto(tensorflow::DT_FLOAT, {2});
  bad_content.set_tensor_content(std::string(7, '\0'));
  auto unknown_dim = Proto(tensorflow::DT_FLOAT, {-1});
  auto variant = Proto(tensorflow::DT_VARIANT, {});
  for (const auto* p : {&too_many, &bad_content, &unknown_dim, &variant}) {
    try {
      TensorFromTfProto(*p, "x");
      ADD_FAILURE() << p->DebugString();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Code::kInvalidArgument) << e.what();
    }
  }
}

TEST(GraphDefProto, TensorsRoundTripThroughTensorContent) {
  Tensor t(DataType::DT_INT32, {2, 2});
  for (int i = 0; i < 4; i++) t.data<int32_t>()[i] = i * 10;
  tensorflow::TensorProto p;
  TensorToTfProto(t, &p);
  EXPECT_EQ(p.tensor_content().size(), 16u);
  Tensor back = TensorFromTfProto(p);
  EXPECT_EQ(back.shape(), (Shape{2, 2}));
  EXPECT_EQ(back.data<int32_t>()[3], 30);
}

// A GraphDef as TF's Python writes it: compact float_val constants, _output_shapes attrs
// (ignored), an empty list attr typed by the op's record.
TEST(GraphDefProto, TfStyleGraphDefRuns) {
  tensorflow::GraphDef def;
  auto* c = def.add_node();
  c->set_name("c");
  c->set_op("Const");
  (*c->mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
  auto* v = (*c->mutable_attr())["value"].mutable_tensor();
  *v = Proto(tensorflow::DT_FLOAT, {3});
  v->add_float_val(2.5f);
  (*c->mutable_attr())["_output_shapes"].mutable_list()->add_shape()->add_dim()->set_size(3);
  auto* id = def.add_node();
  id->set_name("id");
  id->set_op("Identity");
  id->add_input("c");
  (*id->mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
  (*id->mutable_attr())["_output_shapes"].mutable_list();
  std::vector<uint8_t> bytes = GraphDefFromProto(def);
  Session s(SessionOptions{});
  s.Extend(bytes.data(), bytes.size());
  auto out = s.Run({}, {}, {"id:0"}, {}, {});
  ASSERT_EQ(out[0].num_elements(), 3);
  EXPECT_EQ(out[0].data<float>()[2], 2.5f);
}

}  // namespace
}  // namespace tg
