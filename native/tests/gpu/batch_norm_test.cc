// GPU parity: FusedBatchNorm(V3) training and inference and FusedBatchNormGrad(V3) (cuDNN and
// the inference-gradient kernel) against the CPU kernels, NHWC and NCHW. The gradient is fed the
// forward pass's reserve spaces, so both devices see the same statistics.
#include "tests/gpu/gpu_test_util.h"

namespace tg {
namespace {

using namespace gpu_test;  // NOLINT
using GB = GraphBuilder;
constexpr auto Float = GB::Float;

void RunBatchNorm(const std::string& fwd_op, const std::string& grad_op, Shape x_shape, bool nchw, bool training) {
  SCOPED_TRACE(fwd_op + " " + ShapeString(x_shape) + (nchw ? " NCHW" : " NHWC") + (training ? " training" : " inference"));
  const int64_t c = x_shape[nchw ? 1 : 3];
  const bool v3 = fwd_op == "FusedBatchNormV3";
  auto attrs = [&] {
    std::vector<std::pair<std::string, GB::AttrFn>> a{{"T", GB::Type(DataType::DT_FLOAT)},
                                                      {"epsilon", Float(0.001f)},
                                                      {"is_training", GB::Bool(training)},
                                                      {"data_format", GB::Str(nchw ? "NCHW" : "NHWC")}};
    if (v3) a.push_back({"U", GB::Type(DataType::DT_FLOAT)});
    return a;
  };
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Placeholder("x").Placeholder("scale").Placeholder("offset").Placeholder("mean").Placeholder("var").Placeholder("dy");
    g.Node("bn", fwd_op, {"x", "scale", "offset", "mean", "var"}, attrs(), dev);
    std::vector<std::string> grad_in{"dy", "x", "scale", "bn:3", "bn:4"};
    if (v3) grad_in.push_back("bn:5");
    g.Node("grad", grad_op, grad_in, attrs(), dev);
  };
  std::vector<std::string> fetches{"bn", "bn:1", "bn:2", "bn:3", "bn:4", "grad", "grad:1", "grad:2"};
  if (v3) fetches.push_back("bn:5");
  auto r = RunOnBoth(build,
                     {{"x", Random(DataType::DT_FLOAT, x_shape, 1, -2, 3)},
                      {"scale", Random(DataType::DT_FLOAT, {c}, 2, 0.5, 1.5)},
                      {"offset", Random(DataType::DT_FLOAT, {c}, 3)},
                      {"mean", Random(DataType::DT_FLOAT, {c}, 4)},
                      {"var", Random(DataType::DT_FLOAT, {c}, 5, 0.5, 2)},
                      {"dy", Random(DataType::DT_FLOAT, x_shape, 6)}},
                     fetches, {"bn", "grad"});
  ExpectAllNear(r, 1e-4, 1e-4);
}

TEST(GpuBatchNorm, Training) {
  TG_REQUIRE_GPU();
  RunBatchNorm("FusedBatchNormV3", "FusedBatchNormGradV3", {2, 5, 7, 3}, false, true);
  RunBatchNorm("FusedBatchNormV3", "FusedBatchNormGradV3", {2, 3, 5, 7}, true, true);
  RunBatchNorm("FusedBatchNorm", "FusedBatchNormGrad", {4, 8, 8, 16}, false, true);
}

TEST(GpuBatchNorm, Inference) {
  TG_REQUIRE_GPU();
  RunBatchNorm("FusedBatchNormV3", "FusedBatchNormGradV3", {2, 5, 7, 3}, false, false);
  RunBatchNorm("FusedBatchNormV3", "FusedBatchNormGradV3", {2, 3, 5, 7}, true, false);
  RunBatchNorm("FusedBatchNorm", "FusedBatchNormGrad", {4, 8, 8, 16}, false, false);
}

TEST(GpuBatchNorm, HandComputed) {
  TG_REQUIRE_GPU();
  // One channel, values 1..4: mean 2.5, biased variance 1.25, unbiased 5/3.
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Const("x", {1, 2, 3, 4}, {1, 2, 2, 1}).Const("scale", {1}, {1}).Const("offset", {0}, {1});
    g.Const("mean", {0}, {1}).Const("var", {1}, {1});
    g.Node("bn", "FusedBatchNormV3", {"x", "scale", "offset", "mean", "var"},
           {{"T", GB::Type(DataType::DT_FLOAT)}, {"U", GB::Type(DataType::DT_FLOAT)}, {"epsilon", Float(0.0001f)}}, dev);
  };
  auto out = RunOn("/gpu:0", build, {}, {"bn:1", "bn:2", "bn:3", "bn:4"}, {}, {"bn"});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_NEAR(out[0].data<float>()[0], 2.5f, 1e-6);
  EXPECT_NEAR(out[1].data<float>()[0], 5.0f / 3.0f, 1e-5);
  EXPECT_NEAR(out[2].data<float>()[0], 2.5f, 1e-6);
  EXPECT_NEAR(out[3].data<float>()[0], 1.25f, 1e-5);
}

}  // namespace
}  // namespace tg
