// GPU-vs-CPU parity of variables (Assign, AssignAdd, AssignSub, IsVariableInitialized), the
// forwarding and shape ops, and control flow (tf.cond's Switch/Merge, a while loop) on GPU:0
// (native/kernels/cuda/state_ops.cu).
#include <string>
#include <vector>

#include "tests/gpu/gpu_test_util.h"

namespace tg {
namespace {

using gpu_test::ExpectAllNear;
using gpu_test::FromVector;
using gpu_test::Random;
using gpu_test::RunOn;
using gpu_test::RunOnBoth;
using G = GraphBuilder;

constexpr DataType kF = DataType::DT_FLOAT;
constexpr DataType kI32 = DataType::DT_INT32;
constexpr DataType kI64 = DataType::DT_INT64;
constexpr DataType kB = DataType::DT_BOOL;

void Feed(GraphBuilder& g, const std::string& name, DataType dt) { g.Node(name, "Placeholder", {}, {{"dtype", G::Type(dt)}}); }

TEST(GpuState, AssignAddSub) {
  TG_REQUIRE_GPU();
  for (DataType dt : {kF, DataType::DT_DOUBLE, kI64, kI32}) {
    SCOPED_TRACE(DataTypeName(dt));
    for (const Shape& shape : {Shape{3, 4}, Shape{1000, 1000}, Shape{0, 2}}) {
      const Tensor init = Random(dt, shape, 1, -50, 50), d = Random(dt, shape, 2, -50, 50);
      auto r = RunOnBoth([&](GraphBuilder& g, const std::string& dev) {
        const auto T = G::Type(dt);
        g.Node("v", "VariableV2", {}, {{"dtype", T}}, dev);
        Feed(g, "init", dt);
        Feed(g, "d", dt);
        g.Node("assign", "Assign", {"v", "init"}, {{"T", T}}, dev);
        g.Node("add", "AssignAdd", {"v", "d"}, {{"T", T}}, dev);
        g.Node("add2", "AssignAdd", {"v", "d", "^add"}, {{"T", T}}, dev);
        g.Node("sub", "AssignSub", {"v", "init", "^add2"}, {{"T", T}}, dev);
        g.Node("read", "Identity", {"v", "^sub"}, {{"T", T}}, dev);
        g.Node("snap", "Snapshot", {"read"}, {{"T", T}}, dev);
        g.Node("inited", "IsVariableInitialized", {"v"}, {{"dtype", T}}, dev);
      }, {{"init:0", init}, {"d:0", d}}, {"read:0", "snap:0", "inited:0"}, {"v", "assign", "add", "sub", "read", "inited"},
         {"assign"});
      ExpectAllNear(r);
      EXPECT_TRUE(r.gpu[2].data<bool>()[0]);
    }
  }
}

TEST(GpuState, ReaderKeepsValueWhileVariableUpdates) {
  TG_REQUIRE_GPU();
  // `before` reads the variable, then AssignAdd runs: the read value must not change (copy on write).
  const Tensor init = FromVector<float>({1, 2, 3}, {3}), d = FromVector<float>({10, 10, 10}, {3});
  auto out = RunOn("/gpu:0", [&](GraphBuilder& g, const std::string& dev) {
    g.Node("v", "VariableV2", {}, {{"dtype", G::Type(kF)}}, dev);
    Feed(g, "init", kF);
    Feed(g, "d", kF);
    g.Node("assign", "Assign", {"v", "init"}, {{"T", G::Type(kF)}}, dev);
    g.Node("before", "Identity", {"v"}, {{"T", G::Type(kF)}}, dev);
    g.Node("add", "AssignAdd", {"v", "d", "^before"}, {{"T", G::Type(kF)}}, dev);
    g.Node("after", "Identity", {"v", "^add"}, {{"T", G::Type(kF)}}, dev);
  }, {{"init:0", init}, {"d:0", d}}, {"before:0", "after:0"}, {"assign"}, {"add"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(gpu_test::ToVector<float>(out[0]), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(gpu_test::ToVector<float>(out[1]), (std::vector<float>{11, 12, 13}));
}

TEST(GpuState, AssignShapeError) {
  TG_REQUIRE_GPU();
  const Tensor init = Random(kF, {2, 3}, 1), d = Random(kF, {3, 2}, 2);
  try {
    RunOn("/gpu:0", [&](GraphBuilder& g, const std::string& dev) {
      g.Node("v", "VariableV2", {}, {{"dtype", G::Type(kF)}}, dev);
      Feed(g, "init", kF);
      Feed(g, "d", kF);
      g.Node("assign", "Assign", {"v", "init"}, {{"T", G::Type(kF)}}, dev);
      g.Node("add", "AssignAdd", {"v", "d"}, {{"T", G::Type(kF)}}, dev);
    }, {{"init:0", init}, {"d:0", d}}, {"add:0"}, {"assign"});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Must have the same shape: lhs shape= [2,3] rhs shape= [3,2]"), std::string::npos)
        << e.what();
  }
}

TEST(GpuState, UninitializedVariable) {
  TG_REQUIRE_GPU();
  const Tensor d = Random(kF, {2}, 2);
  auto out = RunOn("/gpu:0", [&](GraphBuilder& g, const std::string& dev) {
    g.Node("v", "VariableV2", {}, {{"dtype", G::Type(kF)}}, dev);
    g.Node("inited", "IsVariableInitialized", {"v"}, {{"dtype", G::Type(kF)}}, dev);
  }, {}, {"inited:0"}, {}, {"inited"});
  EXPECT_FALSE(out[0].data<bool>()[0]);
  try {
    RunOn("/gpu:0", [&](GraphBuilder& g, const std::string& dev) {
      g.Node("v", "VariableV2", {}, {{"dtype", G::Type(kF)}}, dev);
      Feed(g, "d", kF);
      g.Node("add", "AssignAdd", {"v", "d"}, {{"T", G::Type(kF)}}, dev);
    }, {{"d:0", d}}, {"add:0"});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kFailedPrecondition) << e.what();
  }
}

TEST(GpuState, ShapeOps) {
  TG_REQUIRE_GPU();
  for (DataType dt : {kF, kI32, kI64}) {
    SCOPED_TRACE(DataTypeName(dt));
    const Tensor x = Random(dt, {2, 1, 6}, 3, -9, 9);
    const Tensor shape = FromVector<int32_t>({3, -1}, {2});
    const Tensor dim = Tensor::Scalar<int32_t>(-1);
    auto r = RunOnBoth([&](GraphBuilder& g, const std::string& dev) {
      const auto T = G::Type(dt);
      Feed(g, "x", dt);
      Feed(g, "shape", kI32);
      Feed(g, "dim", kI32);
      g.Node("id", "Identity", {"x"}, {{"T", T}}, dev);
      g.Node("stop", "StopGradient", {"x"}, {{"T", T}}, dev);
      g.Node("reshape", "Reshape", {"x", "shape"}, {{"T", T}, {"Tshape", G::Type(kI32)}}, dev);
      g.Node("expand", "ExpandDims", {"x", "dim"}, {{"T", T}, {"Tdim", G::Type(kI32)}}, dev);
      g.Node("squeeze", "Squeeze", {"x"}, {{"T", T}}, dev);
      g.Node("shape_of", "Shape", {"x"}, {{"T", T}, {"out_type", G::Type(kI32)}}, dev);
      g.Node("shape64", "Shape", {"x"}, {{"T", T}, {"out_type", G::Type(kI64)}}, dev);
      g.Node("size", "Size", {"x"}, {{"T", T}, {"out_type", G::Type(kI32)}}, dev);
      g.Node("rank", "Rank", {"x"}, {{"T", T}}, dev);
    }, {{"x:0", x}, {"shape:0", shape}, {"dim:0", dim}},
       {"id:0", "stop:0", "reshape:0", "expand:0", "squeeze:0", "shape_of:0", "shape64:0", "size:0", "rank:0"},
       {"id", "stop", "reshape", "expand", "squeeze", "shape_of", "shape64", "size", "rank"});
    ExpectAllNear(r);
    EXPECT_EQ(r.gpu[2].shape(), (Shape{3, 4}));
    EXPECT_EQ(r.gpu[3].shape(), (Shape{2, 1, 6, 1}));
    EXPECT_EQ(r.gpu[4].shape(), (Shape{2, 6}));
  }
}

TEST(GpuState, SwitchMerge) {
  TG_REQUIRE_GPU();
  for (bool p : {false, true}) {
    const Tensor x = Random(kF, {4}, 3);
    const Tensor pred = Tensor::Scalar<bool>(p);
    auto r = RunOnBoth([&](GraphBuilder& g, const std::string& dev) {
      const auto T = G::Type(kF);
      Feed(g, "x", kF);
      Feed(g, "pred", kB);
      g.Node("switch", "Switch", {"x", "pred"}, {{"T", T}}, dev);
      g.Node("f", "Neg", {"switch:0"}, {{"T", T}}, dev);
      g.Node("t", "Square", {"switch:1"}, {{"T", T}}, dev);
      g.Node("merge", "Merge", {"f", "t"}, {{"T", T}, {"N", G::Int(2)}}, dev);
    }, {{"x:0", x}, {"pred:0", pred}}, {"merge:0", "merge:1"}, {"switch", "merge"});
    ExpectAllNear(r);
    EXPECT_EQ(r.gpu[1].data<int32_t>()[0], p ? 1 : 0);
  }
}

TEST(GpuState, WhileLoop) {
  TG_REQUIRE_GPU();
  // x = 1; while (x < limit) x = x * 2, every node on the device.
  auto build = [](GraphBuilder& g, const std::string& dev) {
    auto T = G::Type(kF);
    g.Node("x0", "Const", {}, {{"value", G::FloatTensor({1}, {})}, {"dtype", T}}, dev);
    g.Node("limit", "Placeholder", {}, {{"dtype", T}});
    g.Node("enter", "Enter", {"x0"}, {{"T", T}, {"frame_name", G::Str("loop")}}, dev);
    g.Node("lim", "Enter", {"limit"}, {{"T", T}, {"frame_name", G::Str("loop")}, {"is_constant", G::Bool(true)}}, dev);
    g.Node("merge", "Merge", {"enter", "next"}, {{"T", T}, {"N", G::Int(2)}}, dev);
    g.Node("less", "Less", {"merge", "lim"}, {{"T", T}}, dev);
    g.Node("cond", "LoopCond", {"less"}, {}, dev);
    g.Node("switch", "Switch", {"merge", "cond"}, {{"T", T}}, dev);
    g.Node("exit", "Exit", {"switch:0"}, {{"T", T}}, dev);
    g.Node("body", "Identity", {"switch:1"}, {{"T", T}}, dev);
    g.Node("two", "Const", {"^body"}, {{"value", G::FloatTensor({2}, {})}, {"dtype", T}}, dev);
    g.Node("mul", "Mul", {"body", "two"}, {{"T", T}}, dev);
    g.Node("next", "NextIteration", {"mul"}, {{"T", T}}, dev);
  };
  for (float limit : {100.0f, 0.0f}) {
    auto r = RunOnBoth(build, {{"limit:0", Tensor::Scalar<float>(limit)}}, {"exit:0"},
                       {"enter", "merge", "less", "switch", "exit", "mul", "next"});
    ExpectAllNear(r);
    EXPECT_EQ(r.gpu[0].data<float>()[0], limit == 100.0f ? 128.0f : 1.0f);
  }
}

}  // namespace
}  // namespace tg
