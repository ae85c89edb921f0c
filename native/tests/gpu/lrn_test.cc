// GPU parity: LRN and LRNGrad (cuDNN's cross-channel LRN; direct kernels for radii over 7)
// against the CPU kernels.
#include "tests/gpu/gpu_test_util.h"

namespace tg {
namespace {

using namespace gpu_test;  // NOLINT
using GB = GraphBuilder;
constexpr auto Float = GB::Float;

void RunLrn(Shape shape, int64_t radius, float bias, float alpha, float beta) {
  SCOPED_TRACE(ShapeString(shape) + " r" + std::to_string(radius) + " bias " + std::to_string(bias) + " alpha " +
               std::to_string(alpha) + " beta " + std::to_string(beta));
  auto attrs = [&] {
    return std::vector<std::pair<std::string, GB::AttrFn>>{{"T", GB::Type(DataType::DT_FLOAT)},
                                                           {"depth_radius", GB::Int(radius)},
                                                           {"bias", Float(bias)},
                                                           {"alpha", Float(alpha)},
                                                           {"beta", Float(beta)}};
  };
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Placeholder("x").Placeholder("dy");
    g.Node("lrn", "LRN", {"x"}, attrs(), dev);
    g.Node("grad", "LRNGrad", {"dy", "x", "lrn"}, attrs(), dev);
  };
  auto r = RunOnBoth(build, {{"x", Random(DataType::DT_FLOAT, shape, 1)}, {"dy", Random(DataType::DT_FLOAT, shape, 2)}},
                     {"lrn", "grad"}, {"lrn", "grad"});
  ExpectAllNear(r, 1e-4, 1e-4);
}

TEST(GpuLrn, CudnnWindow) {
  TG_REQUIRE_GPU();
  RunLrn({2, 3, 4, 10}, 2, 1.0f, 0.5f, 0.75f);
  RunLrn({1, 5, 5, 16}, 5, 2.0f, 1e-4f, 0.75f);  // AlexNet-like
  RunLrn({2, 2, 3, 3}, 7, 1.0f, 1.0f, 0.5f);     // the largest cuDNN window, wider than the depth
}

TEST(GpuLrn, DirectKernels) {
  TG_REQUIRE_GPU();
  RunLrn({2, 3, 3, 24}, 9, 1.0f, 0.3f, 0.75f);  // window of 19 channels: over cuDNN's 16
  RunLrn({1, 2, 2, 8}, 1, 1.0f, 0.5f, 0.0f);    // beta 0: under cuDNN's minimum
}

TEST(GpuLrn, HandComputed) {
  TG_REQUIRE_GPU();
  // Depth 2, radius 1: both channels see sum 3^2 + 4^2 = 25; out = x / (1 + 1*25)^0.5.
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Const("x", {3, 4}, {1, 1, 1, 2});
    g.Node("lrn", "LRN", {"x"},
           {{"T", GB::Type(DataType::DT_FLOAT)}, {"depth_radius", GB::Int(1)}, {"bias", Float(1)}, {"alpha", Float(1)},
            {"beta", Float(0.5f)}},
           dev);
  };
  auto out = RunOn("/gpu:0", build, {}, {"lrn"}, {}, {"lrn"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NEAR(out[0].data<float>()[0], 3.0f / std::sqrt(26.0f), 1e-5);
  EXPECT_NEAR(out[0].data<float>()[1], 4.0f / std::sqrt(26.0f), 1e-5);
}

}  // namespace
}  // namespace tg
