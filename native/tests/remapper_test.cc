// The remapper (runtime/remapper.h): MatMul+BiasAdd+Relu runs as one _FusedMatMul (and
// Conv2D+BiasAdd+Relu as one _FusedConv2D) under the Relu's name with the unfused values; a
// fetched or control-used intermediate keeps it apart.
#include <gtest/gtest.h>

#include <cstring>

#include "graph_builder.h"
#include "runtime/session.h"

namespace tg {
namespace {

const std::vector<float> kX = {0.5f, -1, 2, 1.5f, 0.25f, -0.75f};    // [2,3]
const std::vector<float> kW = {1, -0.5f, 2, -1, 1.5f, -2};           // [3,2]
const std::vector<float> kB = {0.25f, -0.25f};

void Layer(GraphBuilder& g) {
  const auto T = GraphBuilder::Type(DataType::DT_FLOAT);
  g.Placeholder("x").Const("w", kW, {3, 2}).Const("b", kB, {2});
  g.Node("mm", "MatMul", {"x", "w"}, {{"T", T}});
  g.Node("pre", "BiasAdd", {"mm", "b"}, {{"T", T}});
  g.Node("y", "Relu", {"pre"}, {{"T", T}});
}

Tensor X() {
  Tensor t(DataType::DT_FLOAT, {2, 3});
  std::memcpy(t.data<float>(), kX.data(), kX.size() * sizeof(float));
  return t;
}

// The op each traced node ran, from its timeline label "name = Op(...)".
std::string OpRan(const std::vector<NodeStats>& stats, const std::string& node) {
  for (const auto& s : stats) {
    if (s.node == node) return s.label.substr(s.label.find(" = ") + 3, s.label.find('(') - s.label.find(" = ") - 3);
  }
  return "";
}

std::vector<NodeStats> Traced(Session& s, const std::vector<std::string>& fetches, std::vector<Tensor>* out,
                              Tensor x = X()) {
  RunOptions ro;
  ro.trace = true;
  std::vector<NodeStats> stats;
  *out = s.RunCallable(s.MakeCallable({"x:0"}, fetches, {}), {std::move(x)}, ro, &stats);
  return stats;
}

TEST(Remapper, FusesMatMulBiasAddReluWithTheUnfusedValues) {
  Session s{SessionOptions{}};
  GraphBuilder g;
  Layer(g);
  Extend(s, g);
  std::vector<Tensor> fused, unfused;
  auto stats = Traced(s, {"y:0"}, &fused);
  EXPECT_EQ(OpRan(stats, "y"), "_FusedMatMul");
  EXPECT_EQ(OpRan(stats, "mm"), "");
  EXPECT_EQ(OpRan(stats, "pre"), "");
  // x·w = [[0.5-2+3, -0.25+1-4], [1.5+0.5-1.125, -0.75-0.25+1.5]] = [[1.5, -3.25], [0.875, 0.5]]
  const float want[] = {1.75f, 0.0f, 1.125f, 0.25f};
  ASSERT_EQ(fused[0].num_elements(), 4);
  for (int i = 0; i < 4; i++) EXPECT_FLOAT_EQ(fused[0].data<float>()[i], want[i]) << i;
  // Fetching the MatMul keeps the chain apart: the same bits.
  stats = Traced(s, {"y:0", "mm:0"}, &unfused);
  EXPECT_EQ(OpRan(stats, "mm"), "MatMul");
  EXPECT_EQ(OpRan(stats, "y"), "Relu");
  EXPECT_EQ(std::memcmp(fused[0].data<float>(), unfused[0].data<float>(), 4 * sizeof(float)), 0);
}

TEST(Remapper, AControlEdgeOnAnIntermediateKeepsTheChainApart) {
  Session s{SessionOptions{}};
  GraphBuilder g;
  Layer(g);
  g.Node("after", "Identity", {"x", "^pre"}, {{"T", GraphBuilder::Type(DataType::DT_FLOAT)}});
  Extend(s, g);
  std::vector<Tensor> out;
  auto stats = Traced(s, {"after:0", "y:0"}, &out);
  EXPECT_EQ(OpRan(stats, "pre"), "_FusedMatMul");  // MatMul+BiasAdd only
  EXPECT_EQ(OpRan(stats, "y"), "Relu");
}

// A control edge on the chain's last node (tf.gradients' tuples add them) waits for the
// fused node that stands for it.
TEST(Remapper, AControlEdgeOnTheLastNodeWaitsForTheFusedNode) {
  Session s{SessionOptions{}};
  GraphBuilder g;
  Layer(g);
  g.Node("after", "Identity", {"x", "^y"}, {{"T", GraphBuilder::Type(DataType::DT_FLOAT)}});
  Extend(s, g);
  std::vector<Tensor> out;
  auto stats = Traced(s, {"after:0"}, &out);
  EXPECT_EQ(OpRan(stats, "y"), "_FusedMatMul");
  const NodeStats* y = nullptr;
  const NodeStats* after = nullptr;
  for (const auto& st : stats) {
    if (st.node == "y") y = &st;
    if (st.node == "after") after = &st;
  }
  ASSERT_TRUE(y && after);
  EXPECT_GE(after->start_us, y->end_us);
}

TEST(Remapper, AFetchedBiasAddFusesOnlyTheMatMul) {
  Session s{SessionOptions{}};
  GraphBuilder g;
  Layer(g);
  Extend(s, g);
  std::vector<Tensor> out;
  auto stats = Traced(s, {"y:0", "pre:0"}, &out);
  EXPECT_EQ(OpRan(stats, "pre"), "_FusedMatMul");
  EXPECT_EQ(OpRan(stats, "y"), "Relu");
  EXPECT_FLOAT_EQ(out[1].data<float>()[1], -3.5f);
}

// x = [[1,2,3],[4,5,6],[7,8,9]] (NHWC [1,3,3,1]); a 2x2 VALID filter with two outputs:
// o0 = x[i][j] - x[i+1][j+1] = -4 everywhere, o1 = x[i][j+1] + x[i+1][j] = 6, 8, 12, 14.
// With bias [1, -10]: o0 = -3, o1 = -4, -2, 2, 4; the Relu keeps o1's 2 and 4.
TEST(Remapper, FusesConv2DBiasAddReluWithTheUnfusedValues) {
  Session s{SessionOptions{}};
  GraphBuilder g;
  const auto T = GraphBuilder::Type(DataType::DT_FLOAT);
  g.Placeholder("x").Const("w", {1, 0, 0, 1, 0, 1, -1, 0}, {2, 2, 1, 2}).Const("b", {1, -10}, {2});
  g.Node("conv", "Conv2D", {"x", "w"}, {{"T", T}, {"strides", GraphBuilder::Ints({1, 1, 1, 1})}, {"padding", GraphBuilder::Str("VALID")}});
  g.Node("pre", "BiasAdd", {"conv", "b"}, {{"T", T}});
  g.Node("y", "Relu", {"pre"}, {{"T", T}});
  Extend(s, g);
  Tensor x(DataType::DT_FLOAT, {1, 3, 3, 1});
  for (int i = 0; i < 9; i++) x.data<float>()[i] = static_cast<float>(i + 1);
  std::vector<Tensor> fused, unfused;
  auto stats = Traced(s, {"y:0"}, &fused, x);
  EXPECT_EQ(OpRan(stats, "y"), "_FusedConv2D");
  EXPECT_EQ(OpRan(stats, "conv"), "");
  EXPECT_EQ(OpRan(stats, "pre"), "");
  ASSERT_EQ(fused[0].shape(), (Shape{1, 2, 2, 2}));
  const float want[] = {0, 0, 0, 0, 0, 2, 0, 4};
  for (int i = 0; i < 8; i++) EXPECT_FLOAT_EQ(fused[0].data<float>()[i], want[i]) << i;
  // Fetching the BiasAdd fuses Conv2D+BiasAdd only: the pre-activations come out whole.
  stats = Traced(s, {"y:0", "pre:0"}, &unfused, x);
  EXPECT_EQ(OpRan(stats, "pre"), "_FusedConv2D");
  EXPECT_EQ(OpRan(stats, "y"), "Relu");
  const float want_pre[] = {-3, -4, -3, -2, -3, 2, -3, 4};
  for (int i = 0; i < 8; i++) EXPECT_FLOAT_EQ(unfused[1].data<float>()[i], want_pre[i]) << i;
  EXPECT_EQ(std::memcmp(fused[0].data<float>(), unfused[0].data<float>(), 8 * sizeof(float)), 0);
  // Fetching the convolution keeps the chain apart.
  stats = Traced(s, {"y:0", "conv:0"}, &unfused, x);
  EXPECT_EQ(OpRan(stats, "conv"), "Conv2D");
  EXPECT_EQ(OpRan(stats, "pre"), "BiasAdd");
  EXPECT_EQ(std::memcmp(fused[0].data<float>(), unfused[0].data<float>(), 8 * sizeof(float)), 0);
}

}  // namespace
}  // namespace tg
