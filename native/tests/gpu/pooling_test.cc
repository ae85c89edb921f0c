// GPU parity: MaxPool, AvgPool, MaxPoolGrad and AvgPoolGrad (cuDNN) against the CPU kernels:
// VALID/SAME, stride 1 and 2, odd sizes (SAME padding one larger after than before), NHWC/NCHW.
#include "tests/gpu/gpu_test_util.h"

namespace tg {
namespace {

using namespace gpu_test;  // NOLINT
using GB = GraphBuilder;
constexpr auto Ints = GB::Ints;
constexpr auto Int32s = GB::Int32s;

void RunPool(int64_t n, int64_t h, int64_t w, int64_t c, int64_t k, int64_t s, const std::string& padding, bool nchw) {
  SCOPED_TRACE(std::to_string(n) + "x" + std::to_string(h) + "x" + std::to_string(w) + "x" + std::to_string(c) + " k" +
               std::to_string(k) + " s" + std::to_string(s) + " " + padding + (nchw ? " NCHW" : " NHWC"));
  const Shape in_shape = nchw ? Shape{n, c, h, w} : Shape{n, h, w, c};
  const int64_t oh = padding == "SAME" ? (h + s - 1) / s : (h - k + s) / s;
  const int64_t ow = padding == "SAME" ? (w + s - 1) / s : (w - k + s) / s;
  const Shape out_shape = nchw ? Shape{n, c, oh, ow} : Shape{n, oh, ow, c};
  const std::vector<int64_t> ksize = nchw ? std::vector<int64_t>{1, 1, k, k} : std::vector<int64_t>{1, k, k, 1};
  const std::vector<int64_t> strides = nchw ? std::vector<int64_t>{1, 1, s, s} : std::vector<int64_t>{1, s, s, 1};
  auto attrs = [&] {
    return std::vector<std::pair<std::string, GB::AttrFn>>{{"T", GB::Type(DataType::DT_FLOAT)},
                                                           {"ksize", Ints(ksize)},
                                                           {"strides", Ints(strides)},
                                                           {"padding", GB::Str(padding)},
                                                           {"data_format", GB::Str(nchw ? "NCHW" : "NHWC")}};
  };
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Placeholder("x").Placeholder("dy");
    g.Node("shape", "Const", {}, {{"value", Int32s(in_shape)}, {"dtype", GB::Type(DataType::DT_INT32)}});
    g.Node("max", "MaxPool", {"x"}, attrs(), dev);
    g.Node("avg", "AvgPool", {"x"}, attrs(), dev);
    g.Node("max_grad", "MaxPoolGrad", {"x", "max", "dy"}, attrs(), dev);
    g.Node("avg_grad", "AvgPoolGrad", {"shape", "dy"}, attrs(), dev);
  };
  // Distinct values (a permutation of a grid) so no window has tied maxima.
  Tensor x(DataType::DT_FLOAT, in_shape);
  const int64_t total = x.num_elements();
  for (int64_t i = 0; i < total; i++) x.data<float>()[i] = static_cast<float>((i * 7919) % total) / total - 0.5f;
  auto r = RunOnBoth(build, {{"x", x}, {"dy", Random(DataType::DT_FLOAT, out_shape, 5)}}, {"max", "avg", "max_grad", "avg_grad"},
                     {"max", "avg", "max_grad", "avg_grad"});
  ExpectAllNear(r, 1e-4, 1e-4);
}

TEST(GpuPooling, ValidAndSame) {
  TG_REQUIRE_GPU();
  for (const char* padding : {"VALID", "SAME"})
    for (int64_t s : {1, 2})
      for (int64_t k : {2, 3}) {
        RunPool(2, 7, 9, 3, k, s, padding, false);
        RunPool(1, 8, 8, 4, k, s, padding, false);
      }
}

TEST(GpuPooling, Nchw) {
  TG_REQUIRE_GPU();
  for (const char* padding : {"VALID", "SAME"}) RunPool(2, 7, 9, 3, 3, 2, padding, true);
}

TEST(GpuPooling, HandComputed) {
  TG_REQUIRE_GPU();
  // 1x3x3x1 input 1..9, 2x2 window, stride 2, SAME: windows {1,2,4,5} {3,6} {7,8} {9}.
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Const("x", {1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 3, 3, 1});
    auto attrs = std::vector<std::pair<std::string, GB::AttrFn>>{{"T", GB::Type(DataType::DT_FLOAT)},
                                                                 {"ksize", Ints({1, 2, 2, 1})},
                                                                 {"strides", Ints({1, 2, 2, 1})},
                                                                 {"padding", GB::Str("SAME")}};
    g.Node("max", "MaxPool", {"x"}, attrs, dev);
    g.Node("avg", "AvgPool", {"x"}, attrs, dev);
  };
  auto out = RunOn("/gpu:0", build, {}, {"max", "avg"}, {}, {"max", "avg"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(ToVector<float>(out[0]), (std::vector<float>{5, 6, 8, 9}));
  EXPECT_EQ(ToVector<float>(out[1]), (std::vector<float>{3, 4.5f, 7.5f, 9}));
}

}  // namespace
}  // namespace tg
