// GPU Softmax / LogSoftmax and the fused softmax cross-entropy kernels against the CPU:
// rows of 10, 1000 and 3000 classes (warp-per-row and block-per-row paths), rank 1 and 3,
// float and double, broadcast labels, int32 and int64 sparse labels, errors.
#include <cstring>
#include <string>
#include <vector>

#include "tests/gpu/gpu_test_util.h"

namespace tg {
namespace {

using gpu_test::ExpectAllNear;
using gpu_test::ExpectNear;
using gpu_test::Random;
using gpu_test::RunOn;
using gpu_test::RunOnBoth;
using GB = GraphBuilder;

void CheckSoftmax(const Tensor& x, double tol) {
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Node("x", "Placeholder", {}, {{"dtype", GB::Type(x.dtype())}});
    g.Node("sm", "Softmax", {"x"}, {{"T", GB::Type(x.dtype())}}, dev);
    g.Node("lsm", "LogSoftmax", {"x"}, {{"T", GB::Type(x.dtype())}}, dev);
  };
  auto r = RunOnBoth(build, {{"x", x}}, {"sm", "lsm"}, {"sm", "lsm"});
  ExpectAllNear(r, tol, tol);
}

TEST(GpuSoftmax, RowsOf10And1000And3000Classes) {
  TG_REQUIRE_GPU();
  CheckSoftmax(Random(DataType::DT_FLOAT, {64, 10}, 1, -5, 5), 1e-5);
  CheckSoftmax(Random(DataType::DT_FLOAT, {32, 1000}, 2, -10, 10), 1e-5);
  CheckSoftmax(Random(DataType::DT_FLOAT, {5, 3000}, 3, -10, 10), 1e-5);
  CheckSoftmax(Random(DataType::DT_FLOAT, {20000, 10}, 4, -3, 3), 1e-5);
}

TEST(GpuSoftmax, RanksAndDouble) {
  TG_REQUIRE_GPU();
  CheckSoftmax(Random(DataType::DT_FLOAT, {7}, 5, -3, 3), 1e-5);
  CheckSoftmax(Random(DataType::DT_FLOAT, {2, 3, 17}, 6, -3, 3), 1e-5);
  CheckSoftmax(Random(DataType::DT_DOUBLE, {9, 1500}, 7, -30, 30), 1e-12);
  CheckSoftmax(Random(DataType::DT_DOUBLE, {9, 11}, 8, -30, 30), 1e-12);
  CheckSoftmax(Tensor(DataType::DT_FLOAT, {0, 5}), 0);
}

TEST(GpuSoftmax, LargeLogitsStayFinite) {
  TG_REQUIRE_GPU();
  Tensor x = Random(DataType::DT_FLOAT, {4, 10}, 9, 500, 1000);
  CheckSoftmax(x, 1e-5);
  auto r = RunOn("/gpu:0", [&](GraphBuilder& g, const std::string& dev) {
    g.Node("x", "Placeholder", {}, {{"dtype", GB::Type(DataType::DT_FLOAT)}});
    g.Node("sm", "Softmax", {"x"}, {{"T", GB::Type(DataType::DT_FLOAT)}}, dev);
  }, {{"x", x}}, {"sm"});
  for (int64_t i = 0; i < r[0].num_elements(); i++) EXPECT_TRUE(std::isfinite(r[0].data<float>()[i]));
}

TEST(GpuSoftmax, HandComputed) {
  TG_REQUIRE_GPU();
  const Tensor x = gpu_test::FromVector<float>({1, 2, 3}, {1, 3});
  auto r = RunOn("/gpu:0", [](GraphBuilder& g, const std::string& dev) {
    g.Node("x", "Placeholder", {}, {{"dtype", GB::Type(DataType::DT_FLOAT)}});
    g.Node("sm", "Softmax", {"x"}, {{"T", GB::Type(DataType::DT_FLOAT)}}, dev);
  }, {{"x", x}}, {"sm"}, {}, {"sm"});
  const double e1 = std::exp(1.0), e2 = std::exp(2.0), e3 = std::exp(3.0), s = e1 + e2 + e3;
  EXPECT_NEAR(r[0].data<float>()[0], e1 / s, 1e-6);
  EXPECT_NEAR(r[0].data<float>()[1], e2 / s, 1e-6);
  EXPECT_NEAR(r[0].data<float>()[2], e3 / s, 1e-6);
}

// ---------- SoftmaxCrossEntropyWithLogits ----------

void CheckXent(const Tensor& logits, const Tensor& labels, double tol) {
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Node("logits", "Placeholder", {}, {{"dtype", GB::Type(logits.dtype())}});
    g.Node("labels", "Placeholder", {}, {{"dtype", GB::Type(labels.dtype())}});
    g.Node("xent", "SoftmaxCrossEntropyWithLogits", {"logits", "labels"}, {{"T", GB::Type(logits.dtype())}}, dev);
  };
  auto r = RunOnBoth(build, {{"logits", logits}, {"labels", labels}}, {"xent:0", "xent:1"}, {"xent"});
  ExpectAllNear(r, tol, tol);
}

// Rows of a probability distribution.
Tensor Distribution(DataType dt, Shape shape, uint64_t seed) {
  Tensor t = Random(dt, shape, seed, 0, 1);
  const int64_t cols = shape.back(), rows = t.num_elements() / cols;
  for (int64_t r = 0; r < rows; r++) {
    double s = 0;
    for (int64_t c = 0; c < cols; c++) s += gpu_test::ValueAt(t, r * cols + c);
    for (int64_t c = 0; c < cols; c++) {
      if (dt == DataType::DT_FLOAT) t.data<float>()[r * cols + c] /= static_cast<float>(s);
      else t.data<double>()[r * cols + c] /= s;
    }
  }
  return t;
}

TEST(GpuXent, DenseLabels) {
  TG_REQUIRE_GPU();
  CheckXent(Random(DataType::DT_FLOAT, {64, 10}, 10, -4, 4), Distribution(DataType::DT_FLOAT, {64, 10}, 11), 1e-5);
  CheckXent(Random(DataType::DT_FLOAT, {16, 2000}, 12, -4, 4), Distribution(DataType::DT_FLOAT, {16, 2000}, 13), 1e-5);
  CheckXent(Random(DataType::DT_DOUBLE, {8, 1000}, 14, -4, 4), Distribution(DataType::DT_DOUBLE, {8, 1000}, 15), 1e-12);
}

TEST(GpuXent, BroadcastLabelsAndLogits) {
  TG_REQUIRE_GPU();
  CheckXent(Random(DataType::DT_FLOAT, {64, 10}, 16, -4, 4), Distribution(DataType::DT_FLOAT, {1, 10}, 17), 1e-5);
  CheckXent(Random(DataType::DT_FLOAT, {1, 10}, 18, -4, 4), Distribution(DataType::DT_FLOAT, {6, 10}, 19), 1e-5);
  CheckXent(Random(DataType::DT_FLOAT, {5, 10}, 20, -4, 4), Distribution(DataType::DT_FLOAT, {10}, 21), 1e-5);
  CheckXent(Random(DataType::DT_FLOAT, {5, 1}, 22, -4, 4), Random(DataType::DT_FLOAT, {5, 7}, 23, 0, 1), 1e-5);
}

// ---------- SparseSoftmaxCrossEntropyWithLogits ----------

template <typename I>
Tensor Labels(int64_t rows, int64_t classes, uint64_t seed) {
  Tensor t(DataTypeOf<I>(), {rows});
  std::mt19937_64 rng(seed);
  for (int64_t i = 0; i < rows; i++) t.data<I>()[i] = static_cast<I>(rng() % static_cast<uint64_t>(classes));
  return t;
}

gpu_test::BuildFn SparseGraph(DataType t, DataType tl) {
  return [t, tl](GraphBuilder& g, const std::string& dev) {
    g.Node("logits", "Placeholder", {}, {{"dtype", GB::Type(t)}});
    g.Node("labels", "Placeholder", {}, {{"dtype", GB::Type(tl)}});
    g.Node("xent", "SparseSoftmaxCrossEntropyWithLogits", {"logits", "labels"},
           {{"T", GB::Type(t)}, {"Tlabels", GB::Type(tl)}}, dev);
  };
}

void CheckSparse(const Tensor& logits, const Tensor& labels, double tol) {
  auto r = RunOnBoth(SparseGraph(logits.dtype(), labels.dtype()), {{"logits", logits}, {"labels", labels}},
                     {"xent:0", "xent:1"}, {"xent"});
  ExpectAllNear(r, tol, tol);
}

TEST(GpuSparseXent, Int32AndInt64Labels) {
  TG_REQUIRE_GPU();
  CheckSparse(Random(DataType::DT_FLOAT, {64, 10}, 30, -4, 4), Labels<int32_t>(64, 10, 31), 1e-5);
  CheckSparse(Random(DataType::DT_FLOAT, {64, 10}, 32, -4, 4), Labels<int64_t>(64, 10, 33), 1e-5);
  CheckSparse(Random(DataType::DT_FLOAT, {8, 3000}, 34, -4, 4), Labels<int64_t>(8, 3000, 35), 1e-5);
  CheckSparse(Random(DataType::DT_DOUBLE, {20, 1000}, 36, -4, 4), Labels<int32_t>(20, 1000, 37), 1e-12);
  CheckSparse(Tensor(DataType::DT_FLOAT, {0, 10}), Tensor(DataType::DT_INT32, {0}), 0);
}

TEST(GpuSparseXent, OutOfRangeLabelErrorsAsTheCpu) {
  TG_REQUIRE_GPU();
  const Tensor logits = Random(DataType::DT_FLOAT, {3, 4}, 38);
  const Tensor labels = gpu_test::FromVector<int32_t>({0, 4, 1}, {3});
  std::string msgs[2];
  const char* devs[2] = {"/cpu:0", "/gpu:0"};
  for (int i = 0; i < 2; i++) {
    try {
      RunOn(devs[i], SparseGraph(DataType::DT_FLOAT, DataType::DT_INT32), {{"logits", logits}, {"labels", labels}},
            {"xent:0"});
      ADD_FAILURE() << devs[i] << ": no error";
    } catch (const Error& e) {
      msgs[i] = e.what();
    }
  }
  EXPECT_EQ(msgs[0], msgs[1]);
  EXPECT_NE(msgs[1].find("Received a label value of 4 which is outside the valid range of [0, 4)"), std::string::npos)
      << msgs[1];
}

}  // namespace
}  // namespace tg
