// GPU reductions (Sum, Mean, Prod, Max, Min, All, Any) and ArgMax/ArgMin against the CPU
// kernels: every axis subset of rank-3/rank-4 tensors, keep_dims, negative and duplicate
// axes, size-1 and empty dims, long rows and columns, reduce-all of 2^20+ elements, errors.
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "tests/gpu/gpu_test_util.h"

namespace tg {
namespace {

using gpu_test::Random;
using gpu_test::RunOn;
using gpu_test::RunOnBoth;
using GB = GraphBuilder;

// ExpectNear, with equal infinities (the identity of an empty Max/Min) counting as equal.
void ExpectSame(const Tensor& cpu, const Tensor& gpu, double rtol, double atol, const std::string& what) {
  ASSERT_EQ(cpu.dtype(), gpu.dtype()) << what;
  ASSERT_EQ(cpu.shape(), gpu.shape()) << what;
  ASSERT_FALSE(gpu.on_device()) << what;
  int bad = 0;
  for (int64_t i = 0; i < cpu.num_elements() && bad < 5; i++) {
    const double a = gpu_test::ValueAt(cpu, i), b = gpu_test::ValueAt(gpu, i);
    if (a == b || (std::isnan(a) && std::isnan(b))) continue;
    if (!(std::fabs(a - b) <= atol + rtol * std::fabs(a))) {
      ADD_FAILURE() << what << " element " << i << ": cpu " << a << " gpu " << b;
      bad++;
    }
  }
}

template <typename I>
GB::AttrFn IntTensor(const std::vector<I>& v, std::vector<int64_t> shape) {
  std::vector<uint8_t> bytes(v.size() * sizeof(I));
  if (!v.empty()) std::memcpy(bytes.data(), v.data(), bytes.size());
  return GB::RawTensor(DataTypeOf<I>(), std::move(shape), std::move(bytes));
}

// An int32 vector (or scalar when `scalar`) constant.
void AxesConst(GraphBuilder& g, const std::string& name, const std::vector<int32_t>& axes, bool scalar = false) {
  std::vector<int64_t> shape;
  if (!scalar) shape.push_back(static_cast<int64_t>(axes.size()));
  g.Node(name, "Const", {}, {{"value", IntTensor(axes, shape)}, {"dtype", GB::Type(DataType::DT_INT32)}});
}

struct Case {
  std::vector<int32_t> axes;
  bool scalar = false;
};

// One graph with a reduction node per case; all fetched at once, CPU vs GPU.
void CheckReductions(const std::string& op, const Tensor& x, const std::vector<Case>& cases, bool keep_dims,
                     double rtol = 1e-5, double atol = 1e-5) {
  std::vector<std::string> fetches;
  for (size_t i = 0; i < cases.size(); i++) fetches.push_back("r" + std::to_string(i));
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Node("x", "Placeholder", {}, {{"dtype", GB::Type(x.dtype())}});
    for (size_t i = 0; i < cases.size(); i++) {
      AxesConst(g, "a" + std::to_string(i), cases[i].axes, cases[i].scalar);
      std::vector<std::pair<std::string, GB::AttrFn>> attrs = {{"keep_dims", GB::Bool(keep_dims)},
                                                                {"Tidx", GB::Type(DataType::DT_INT32)}};
      if (op != "All" && op != "Any") attrs.push_back({"T", GB::Type(x.dtype())});
      g.Node(fetches[i], op, {"x", "a" + std::to_string(i)}, attrs, dev);
    }
  };
  auto r = RunOnBoth(build, {{"x", x}}, fetches, fetches);
  ASSERT_EQ(r.cpu.size(), cases.size());
  for (size_t i = 0; i < cases.size(); i++) {
    std::string what = op + " keep_dims=" + (keep_dims ? "1" : "0") + " axes=[";
    for (int32_t a : cases[i].axes) what += std::to_string(a) + ",";
    ExpectSame(r.cpu[i], r.gpu[i], rtol, atol, what + "] shape " + ShapeString(x.shape()));
  }
}

std::vector<Case> AllSubsets(int rank) {
  std::vector<Case> cases;
  for (int mask = 0; mask < (1 << rank); mask++) {
    Case c;
    for (int a = 0; a < rank; a++) {
      if (mask & (1 << a)) c.axes.push_back(a);
    }
    cases.push_back(c);
  }
  return cases;
}

TEST(GpuReduction, EveryAxisSubsetRank3And4) {
  TG_REQUIRE_GPU();
  const Tensor x3 = Random(DataType::DT_FLOAT, {3, 4, 5}, 1, 0.5, 1.5);
  const Tensor x4 = Random(DataType::DT_FLOAT, {2, 3, 4, 5}, 2, 0.5, 1.5);
  for (const char* op : {"Sum", "Mean", "Prod", "Max", "Min"}) {
    for (bool keep : {false, true}) {
      CheckReductions(op, x3, AllSubsets(3), keep);
      CheckReductions(op, x4, AllSubsets(4), keep);
    }
  }
}

TEST(GpuReduction, DoubleAndInt64) {
  TG_REQUIRE_GPU();
  const Tensor xd = Random(DataType::DT_DOUBLE, {4, 6, 7}, 3, -2, 2);
  const Tensor xi = Random(DataType::DT_INT64, {4, 6, 7}, 4, -100, 100);
  for (const char* op : {"Sum", "Mean", "Max", "Min"}) {
    CheckReductions(op, xd, AllSubsets(3), false, 1e-12, 1e-12);
    CheckReductions(op, xi, AllSubsets(3), true, 0, 0);
  }
  // Values in {-1, 0, 1, 2}: no product of 60 overflows int64.
  CheckReductions("Prod", Random(DataType::DT_INT64, {3, 4, 5}, 5, -1, 3), AllSubsets(3), false, 0, 0);
}

TEST(GpuReduction, NegativeDuplicateAndScalarAxes) {
  TG_REQUIRE_GPU();
  const Tensor x = Random(DataType::DT_FLOAT, {3, 4, 5, 6}, 6);
  std::vector<Case> cases = {{{-1}}, {{-4}}, {{-1, 0}}, {{1, -3}}, {{2, 2, -2}}, {{3}, true}, {{-2}, true}, {{}}};
  for (const char* op : {"Sum", "Mean", "Max", "Min"}) {
    CheckReductions(op, x, cases, false);
    CheckReductions(op, x, cases, true);
  }
}

TEST(GpuReduction, SizeOneDims) {
  TG_REQUIRE_GPU();
  const Tensor x = Random(DataType::DT_FLOAT, {2, 1, 3, 1, 4}, 7);
  for (const char* op : {"Sum", "Mean", "Max"}) {
    CheckReductions(op, x, AllSubsets(5), false);
    CheckReductions(op, x, AllSubsets(5), true);
  }
}

TEST(GpuReduction, EmptyInputs) {
  TG_REQUIRE_GPU();
  const Tensor rows0(DataType::DT_FLOAT, {0, 3});
  const Tensor cols0(DataType::DT_FLOAT, {3, 0});
  for (const char* op : {"Sum", "Mean", "Prod", "Max", "Min"}) {
    CheckReductions(op, rows0, AllSubsets(2), false);
    CheckReductions(op, cols0, AllSubsets(2), true);
  }
}

TEST(GpuReduction, LongRowsAndColumns) {
  TG_REQUIRE_GPU();
  // Block-per-row, warp-per-row, chunked columns, plain columns, middle axis.
  const Tensor wide = Random(DataType::DT_FLOAT, {3, 100003}, 8, 0, 1);
  const Tensor tall = Random(DataType::DT_FLOAT, {100003, 3}, 9, 0, 1);
  const Tensor mid = Random(DataType::DT_FLOAT, {7, 20001, 3}, 10, 0, 1);
  const Tensor many = Random(DataType::DT_FLOAT, {50000, 17}, 11, 0, 1);
  for (const char* op : {"Sum", "Mean", "Max", "Min"}) {
    CheckReductions(op, wide, {{{1}}, {{0}}, {{0, 1}}}, false, 1e-4, 1e-4);
    CheckReductions(op, tall, {{{0}}, {{1}}}, false, 1e-4, 1e-4);
    CheckReductions(op, mid, {{{1}}, {{0, 2}}, {{0, 1}}}, false, 1e-4, 1e-4);
    CheckReductions(op, many, {{{0}}, {{1}}}, false, 1e-4, 1e-4);
  }
}

TEST(GpuReduction, ReduceAllOfAMillion) {
  TG_REQUIRE_GPU();
  const Tensor x = Random(DataType::DT_FLOAT, {(1 << 20) + 3}, 12, 0, 1);
  for (const char* op : {"Sum", "Mean", "Max", "Min"}) CheckReductions(op, x, {{{0}}, {{}}}, false, 1e-4, 0);
  const Tensor x3 = Random(DataType::DT_FLOAT, {64, 128, 129}, 13, 0, 1);
  CheckReductions("Sum", x3, {{{0, 1, 2}}}, true, 1e-4, 0);
  const Tensor xd = Random(DataType::DT_DOUBLE, {(1 << 20) + 1}, 14, -1, 1);
  CheckReductions("Sum", xd, {{{0}}}, false, 1e-9, 1e-9);
}

TEST(GpuReduction, NaNPropagatesThroughMaxAndMin) {
  TG_REQUIRE_GPU();
  Tensor x = Random(DataType::DT_FLOAT, {4, 50}, 15);
  x.data<float>()[3] = std::numeric_limits<float>::quiet_NaN();
  x.data<float>()[2 * 50 + 49] = std::numeric_limits<float>::quiet_NaN();
  for (const char* op : {"Max", "Min", "Sum"}) CheckReductions(op, x, AllSubsets(2), false);
}

TEST(GpuReduction, AllAndAny) {
  TG_REQUIRE_GPU();
  const Tensor b = Random(DataType::DT_BOOL, {5, 6, 7}, 16);
  Tensor ones(DataType::DT_BOOL, {4, 40000});
  for (int64_t i = 0; i < ones.num_elements(); i++) ones.data<bool>()[i] = true;
  ones.data<bool>()[3 * 40000 + 12345] = false;
  for (const char* op : {"All", "Any"}) {
    CheckReductions(op, b, AllSubsets(3), false, 0, 0);
    CheckReductions(op, b, AllSubsets(3), true, 0, 0);
    CheckReductions(op, ones, AllSubsets(2), false, 0, 0);
  }
}

// Runs `build` on both devices; both must fail with the same message.
void ExpectSameError(const gpu_test::BuildFn& build, const std::vector<std::pair<std::string, Tensor>>& feeds,
                     const std::string& fetch, const std::string& contains) {
  std::string msgs[2];
  const char* devs[2] = {"/cpu:0", "/gpu:0"};
  for (int i = 0; i < 2; i++) {
    try {
      RunOn(devs[i], build, feeds, {fetch});
      ADD_FAILURE() << devs[i] << ": no error";
    } catch (const Error& e) {
      msgs[i] = e.what();
    }
  }
  EXPECT_EQ(msgs[0], msgs[1]);
  EXPECT_NE(msgs[1].find(contains), std::string::npos) << msgs[1];
}

TEST(GpuReduction, InvalidAxisErrorsAsTheCpu) {
  TG_REQUIRE_GPU();
  const Tensor x = Random(DataType::DT_FLOAT, {2, 3}, 17);
  auto build = [](GraphBuilder& g, const std::string& dev) {
    g.Node("x", "Placeholder", {}, {{"dtype", GB::Type(DataType::DT_FLOAT)}});
    AxesConst(g, "a", {2});
    g.Node("r", "Sum", {"x", "a"}, {{"T", GB::Type(DataType::DT_FLOAT)}, {"Tidx", GB::Type(DataType::DT_INT32)}}, dev);
  };
  ExpectSameError(build, {{"x", x}}, "r", "Invalid reduction dimension (2 for input with 2 dimension(s)");
}

// ---------- ArgMax / ArgMin ----------

void CheckArg(const Tensor& x, DataType out_type) {
  std::vector<std::string> fetches;
  for (const char* op : {"ArgMax", "ArgMin"}) {
    for (int d = -x.dims(); d < x.dims(); d++) fetches.push_back(std::string(op) + "_" + std::to_string(d + x.dims()));
  }
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Node("x", "Placeholder", {}, {{"dtype", GB::Type(x.dtype())}});
    size_t k = 0;
    for (const char* op : {"ArgMax", "ArgMin"}) {
      for (int d = -x.dims(); d < x.dims(); d++, k++) {
        AxesConst(g, "d" + std::to_string(k), {d}, true);
        g.Node(fetches[k], op, {"x", "d" + std::to_string(k)},
               {{"T", GB::Type(x.dtype())}, {"Tidx", GB::Type(DataType::DT_INT32)}, {"output_type", GB::Type(out_type)}}, dev);
      }
    }
  };
  auto r = RunOnBoth(build, {{"x", x}}, fetches, fetches);
  for (size_t i = 0; i < fetches.size(); i++) ExpectSame(r.cpu[i], r.gpu[i], 0, 0, fetches[i]);
}

TEST(GpuArgMax, EveryAxisWithTiesAndNaN) {
  TG_REQUIRE_GPU();
  // Few distinct values: many ties, so first-index tie breaking is exercised.
  Tensor x = Random(DataType::DT_FLOAT, {5, 7, 9}, 18, 0, 4);
  for (int64_t i = 0; i < x.num_elements(); i++) x.data<float>()[i] = std::floor(x.data<float>()[i]);
  x.data<float>()[17] = std::numeric_limits<float>::quiet_NaN();
  x.data<float>()[200] = std::numeric_limits<float>::quiet_NaN();
  CheckArg(x, DataType::DT_INT64);
  CheckArg(x, DataType::DT_INT32);
  CheckArg(Random(DataType::DT_DOUBLE, {3, 1000}, 19), DataType::DT_INT64);
  CheckArg(Random(DataType::DT_INT64, {6, 33}, 20, 0, 5), DataType::DT_INT32);
  Tensor big = Random(DataType::DT_FLOAT, {2, 300001}, 21, 0, 3);
  for (int64_t i = 0; i < big.num_elements(); i++) big.data<float>()[i] = std::floor(big.data<float>()[i]);
  CheckArg(big, DataType::DT_INT64);
}

}  // namespace
}  // namespace tg
