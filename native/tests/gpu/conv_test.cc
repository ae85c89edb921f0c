// GPU parity: Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter (cuDNN) against the CPU
// kernels: VALID/SAME, strides 1 and 2, odd sizes (asymmetric SAME padding), 1x1/3x3/5x5
// filters, dilations, NHWC and NCHW.
#include "tests/gpu/gpu_test_util.h"

namespace tg {
namespace {

using namespace gpu_test;  // NOLINT
using GB = GraphBuilder;
constexpr auto Ints = GB::Ints;
constexpr auto Int32s = GB::Int32s;

struct Case {
  int64_t n, h, w, c, kh, kw, oc, stride;
  std::string padding;
  bool nchw = false;
  int64_t dilation = 1;
};

std::string Name(const Case& k) {
  return std::to_string(k.n) + "x" + std::to_string(k.h) + "x" + std::to_string(k.w) + "x" + std::to_string(k.c) + " k" +
         std::to_string(k.kh) + "x" + std::to_string(k.kw) + "x" + std::to_string(k.oc) + " s" + std::to_string(k.stride) + " " +
         k.padding + (k.nchw ? " NCHW" : " NHWC") + " d" + std::to_string(k.dilation);
}

int64_t OutSize(int64_t in, int64_t k, int64_t s, int64_t d, const std::string& padding) {
  const int64_t eff = (k - 1) * d + 1;
  return padding == "SAME" ? (in + s - 1) / s : (in - eff + s) / s;
}

void RunConv(const Case& k) {
  SCOPED_TRACE(Name(k));
  const Shape in_shape = k.nchw ? Shape{k.n, k.c, k.h, k.w} : Shape{k.n, k.h, k.w, k.c};
  const Shape f_shape{k.kh, k.kw, k.c, k.oc};
  const int64_t oh = OutSize(k.h, k.kh, k.stride, k.dilation, k.padding), ow = OutSize(k.w, k.kw, k.stride, k.dilation, k.padding);
  const Shape out_shape = k.nchw ? Shape{k.n, k.oc, oh, ow} : Shape{k.n, oh, ow, k.oc};
  const std::vector<int64_t> strides = k.nchw ? std::vector<int64_t>{1, 1, k.stride, k.stride}
                                              : std::vector<int64_t>{1, k.stride, k.stride, 1};
  const std::vector<int64_t> dil = k.nchw ? std::vector<int64_t>{1, 1, k.dilation, k.dilation}
                                          : std::vector<int64_t>{1, k.dilation, k.dilation, 1};
  auto attrs = [&] {
    return std::vector<std::pair<std::string, GB::AttrFn>>{{"T", GB::Type(DataType::DT_FLOAT)},
                                                           {"strides", Ints(strides)},
                                                           {"dilations", Ints(dil)},
                                                           {"padding", GB::Str(k.padding)},
                                                           {"data_format", GB::Str(k.nchw ? "NCHW" : "NHWC")}};
  };
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Placeholder("x").Placeholder("f").Placeholder("dy");
    g.Node("in_sizes", "Const", {}, {{"value", Int32s(in_shape)}, {"dtype", GB::Type(DataType::DT_INT32)}});
    g.Node("f_sizes", "Const", {}, {{"value", Int32s(f_shape)}, {"dtype", GB::Type(DataType::DT_INT32)}});
    g.Node("conv", "Conv2D", {"x", "f"}, attrs(), dev);
    g.Node("dx", "Conv2DBackpropInput", {"in_sizes", "f", "dy"}, attrs(), dev);
    g.Node("df", "Conv2DBackpropFilter", {"x", "f_sizes", "dy"}, attrs(), dev);
  };
  auto r = RunOnBoth(build,
                     {{"x", Random(DataType::DT_FLOAT, in_shape, 1)},
                      {"f", Random(DataType::DT_FLOAT, f_shape, 2)},
                      {"dy", Random(DataType::DT_FLOAT, out_shape, 3)}},
                     {"conv", "dx", "df"}, {"conv", "dx", "df"});
  ExpectAllNear(r, 1e-4, 1e-4);
}

TEST(GpuConv, ValidAndSameStrides) {
  TG_REQUIRE_GPU();
  for (const char* padding : {"VALID", "SAME"})
    for (int64_t stride : {1, 2})
      for (int64_t ks : {1, 3, 5}) {
        RunConv({2, 7, 9, 3, ks, ks, 4, stride, padding});   // odd sizes: asymmetric SAME with stride 2
        RunConv({1, 8, 8, 5, ks, ks, 6, stride, padding});
      }
}

TEST(GpuConv, Nchw) {
  TG_REQUIRE_GPU();
  for (const char* padding : {"VALID", "SAME"})
    for (int64_t stride : {1, 2}) RunConv({2, 7, 9, 3, 3, 3, 4, stride, padding, true});
}

TEST(GpuConv, NonSquareAndDilated) {
  TG_REQUIRE_GPU();
  RunConv({2, 10, 7, 3, 3, 1, 8, 2, "SAME"});
  RunConv({1, 11, 11, 2, 3, 3, 4, 1, "SAME", false, 2});
  RunConv({1, 11, 11, 2, 3, 3, 4, 1, "VALID", false, 2});
  RunConv({4, 16, 16, 32, 3, 3, 64, 1, "SAME"});
}

TEST(GpuConv, HandComputed) {
  TG_REQUIRE_GPU();
  // A 3x3 input of ones, a 2x2 filter of ones, VALID: every output sums 4 ones.
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Const("x", std::vector<float>(9, 1.0f), {1, 3, 3, 1}).Const("f", std::vector<float>(4, 1.0f), {2, 2, 1, 1});
    g.Node("conv", "Conv2D", {"x", "f"},
           {{"T", GB::Type(DataType::DT_FLOAT)}, {"strides", Ints({1, 1, 1, 1})}, {"padding", GB::Str("VALID")}}, dev);
  };
  auto out = RunOn("/gpu:0", build, {}, {"conv"}, {}, {"conv"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (Shape{1, 2, 2, 1}));
  EXPECT_EQ(ToVector<float>(out[0]), (std::vector<float>{4, 4, 4, 4}));
}

}  // namespace
}  // namespace tg
