// ConditionalAccumulator used directly: staleness, MEAN/SUM, parked takes completed by the
// apply that brings the count up (in arrival order), cancellation, shape checks.
#include <gtest/gtest.h>

#include "graph_builder.h"
#include "kernels/cpu/conditional_accumulator.h"
#include "runtime/session.h"

namespace tg {
namespace {

// An OpKernelContext with its own step (its own cancellation manager) and one output.
struct Ctx {
  Ctx() {
    node.id = 0;
    node.name = "take";
    node.op = "AccumulatorTakeGradient";
    out.resize(1);
    ctx = std::make_unique<OpKernelContext>(node, nullptr, nullptr, &step, &in, &refs, &out, &ref_out);
  }
  Node node;
  StepState step;
  std::vector<Tensor> in, out;
  std::vector<std::shared_ptr<Var>> refs, ref_out;
  std::unique_ptr<OpKernelContext> ctx;
  bool done = false;
  AsyncOpKernel::DoneCallback Done() {
    return [this] { done = true; };
  }
  float Value() const { return *out[0].data<float>(); }
};

Tensor F(std::vector<float> v) {
  Tensor t(DataType::DT_FLOAT, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); i++) t.data<float>()[i] = v[i];
  return t;
}

std::shared_ptr<ConditionalAccumulator> Acc(bool mean = true) {
  return std::make_shared<ConditionalAccumulator>(DataType::DT_FLOAT, PartialShape{false, {1}}, "acc", mean);
}

TEST(ConditionalAccumulator, TakeWaitsForTheRequiredCountThenAveragesAndAdvancesTheStep) {
  auto acc = Acc();
  Ctx take;
  acc->TryTakeGrad(2, take.ctx.get(), take.Done());
  EXPECT_FALSE(take.done);
  acc->TryApplyGrad(0, F({10}), "apply");
  EXPECT_FALSE(take.done);
  EXPECT_EQ(acc->num_accumulated(), 1);
  acc->TryApplyGrad(0, F({20}), "apply");
  ASSERT_TRUE(take.done);
  EXPECT_TRUE(take.ctx->status().ok());
  EXPECT_EQ(take.Value(), 15.f);
  EXPECT_EQ(acc->num_accumulated(), 0);
  EXPECT_EQ(acc->global_step(), 1);
}

TEST(ConditionalAccumulator, StaleGradientsAreDroppedWithoutChecks) {
  auto acc = Acc(false);
  acc->SetGlobalStep(5);
  acc->TryApplyGrad(4, F({1, 2, 3}), "apply");  // stale: not even the shape is checked
  EXPECT_EQ(acc->num_accumulated(), 0);
  acc->TryApplyGrad(5, F({2}), "apply");
  acc->TryApplyGrad(7, F({3}), "apply");
  Ctx take;
  acc->TryTakeGrad(2, take.ctx.get(), take.Done());
  ASSERT_TRUE(take.done);
  EXPECT_EQ(take.Value(), 5.f);  // SUM
  EXPECT_EQ(acc->global_step(), 6);
}

TEST(ConditionalAccumulator, ParkedTakesAreServedInArrivalOrder) {
  auto acc = Acc();
  Ctx first, second;
  acc->TryTakeGrad(1, first.ctx.get(), first.Done());
  acc->TryTakeGrad(1, second.ctx.get(), second.Done());
  acc->TryApplyGrad(0, F({4}), "apply");
  EXPECT_TRUE(first.done);
  EXPECT_FALSE(second.done);
  EXPECT_EQ(first.Value(), 4.f);
  acc->TryApplyGrad(0, F({9}), "apply");  // stale now: the take advanced the step to 1
  EXPECT_FALSE(second.done);
  acc->TryApplyGrad(1, F({6}), "apply");
  ASSERT_TRUE(second.done);
  EXPECT_EQ(second.Value(), 6.f);
}

TEST(ConditionalAccumulator, CancellationFailsAParkedTakeAndLetsTheNextOneBeServed) {
  auto acc = Acc();
  Ctx first, second;
  acc->TryTakeGrad(1, first.ctx.get(), first.Done());
  acc->TryTakeGrad(1, second.ctx.get(), second.Done());
  first.step.cancellation->StartCancel(Error(Code::kCancelled, "Session closed"));
  ASSERT_TRUE(first.done);
  EXPECT_EQ(first.ctx->status().code(), Code::kCancelled);
  EXPECT_STREQ(first.ctx->status().error().what(), "TakeGrad operation was cancelled");
  acc->TryApplyGrad(0, F({3}), "apply");
  EXPECT_TRUE(second.done);
  EXPECT_EQ(second.Value(), 3.f);
  // A take in an already cancelled step fails at once.
  Ctx late;
  late.step.cancellation->StartCancel(Error(Code::kDeadlineExceeded, "deadline"));
  acc->TryTakeGrad(1, late.ctx.get(), late.Done());
  ASSERT_TRUE(late.done);
  EXPECT_EQ(late.ctx->status().code(), Code::kDeadlineExceeded);
}

TEST(ConditionalAccumulator, ShapeAndArgumentErrors) {
  auto acc = Acc();
  EXPECT_THROW(acc->TryApplyGrad(0, F({1, 2}), "apply"), Error);
  Tensor d(DataType::DT_DOUBLE, {1});
  d.data<double>()[0] = 1;
  EXPECT_THROW(acc->TryApplyGrad(0, d, "apply"), Error);
  EXPECT_EQ(acc->num_accumulated(), 0);
  Ctx take;
  acc->TryTakeGrad(0, take.ctx.get(), take.Done());
  ASSERT_TRUE(take.done);
  EXPECT_EQ(take.ctx->status().code(), Code::kInvalidArgument);
}

TEST(ConditionalAccumulator, HandleNamesTheContainerOfAServersResources) {
  // A server's sessions share resources whose default container is the job name: the
  // handle must name that container, or the ops taking it do not find the accumulator.
  using GB = GraphBuilder;
  SessionOptions o;
  o.shared_resources = std::make_shared<ResourceMgr>("ps");
  Session s(o);
  GraphBuilder g;
  g.Node("acc", "ConditionalAccumulator", {}, {{"dtype", GB::Type(DataType::DT_FLOAT)}, {"shared_name", GB::Str("a")}})
      .Node("n", "AccumulatorNumAccumulated", {"acc"});
  Extend(s, g);
  auto out = s.Run({}, {}, {"acc:0", "n:0"}, {}, {});
  EXPECT_EQ(out[0].strings()[0], "ps");
  EXPECT_EQ(out[0].strings()[1], "a");
  EXPECT_EQ(*out[1].data<int32_t>(), 0);
}

}  // namespace
}  // namespace tg
