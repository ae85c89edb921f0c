// GPU parity: MatMul (all transpose combinations, odd and large sizes, float and double),
// BatchMatMul and BatchMatMulV2 (batch broadcasting, strided and per-batch paths).
#include "tests/gpu/gpu_test_util.h"

namespace tg {
namespace {

using namespace gpu_test;  // NOLINT
using GB = GraphBuilder;

Tensor Rand(DataType dt, Shape s, uint64_t seed) { return Random(dt, std::move(s), seed); }

void RunMatMul(DataType dt, int64_t m, int64_t k, int64_t n, bool ta, bool tb, double tol = 1e-4) {
  SCOPED_TRACE("m=" + std::to_string(m) + " k=" + std::to_string(k) + " n=" + std::to_string(n) + " ta=" + std::to_string(ta) +
               " tb=" + std::to_string(tb));
  Tensor a = Rand(dt, ta ? Shape{k, m} : Shape{m, k}, 1 + m);
  Tensor b = Rand(dt, tb ? Shape{n, k} : Shape{k, n}, 2 + n);
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Node("a", "Placeholder", {}, {{"dtype", GB::Type(dt)}});
    g.Node("b", "Placeholder", {}, {{"dtype", GB::Type(dt)}});
    g.Node("mm", "MatMul", {"a", "b"}, {{"T", GB::Type(dt)}, {"transpose_a", GB::Bool(ta)}, {"transpose_b", GB::Bool(tb)}}, dev);
  };
  auto r = RunOnBoth(build, {{"a", a}, {"b", b}}, {"mm"}, {"mm"});
  ExpectAllNear(r, tol, tol);
}

TEST(GpuMatMul, AllTransposesOddSizes) {
  TG_REQUIRE_GPU();
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      RunMatMul(DataType::DT_FLOAT, 1, 1, 1, ta, tb);
      RunMatMul(DataType::DT_FLOAT, 7, 13, 5, ta, tb);
      RunMatMul(DataType::DT_FLOAT, 1, 17, 9, ta, tb);
    }
}

TEST(GpuMatMul, Large) {
  TG_REQUIRE_GPU();
  for (bool ta : {false, true})
    for (bool tb : {false, true}) RunMatMul(DataType::DT_FLOAT, 512, 1024, 256, ta, tb);
}

TEST(GpuMatMul, Double) {
  TG_REQUIRE_GPU();
  RunMatMul(DataType::DT_DOUBLE, 7, 13, 5, false, true, 1e-10);
  RunMatMul(DataType::DT_DOUBLE, 64, 33, 20, true, false, 1e-10);
}

TEST(GpuMatMul, HandComputed) {
  TG_REQUIRE_GPU();
  // [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]]
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Const("a", {1, 2, 3, 4}, {2, 2}).Const("b", {5, 6, 7, 8}, {2, 2});
    g.Node("mm", "MatMul", {"a", "b"}, {{"T", GB::Type(DataType::DT_FLOAT)}}, dev);
  };
  auto out = RunOn("/gpu:0", build, {}, {"mm"}, {}, {"mm"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(ToVector<float>(out[0]), (std::vector<float>{19, 22, 43, 50}));
}

TEST(GpuMatMul, EmptyInner) {
  TG_REQUIRE_GPU();
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Placeholder("a").Placeholder("b");
    g.Node("mm", "MatMul", {"a", "b"}, {{"T", GB::Type(DataType::DT_FLOAT)}}, dev);
  };
  auto r = RunOnBoth(build, {{"a", Tensor(DataType::DT_FLOAT, {3, 0})}, {"b", Tensor(DataType::DT_FLOAT, {0, 4})}}, {"mm"}, {"mm"});
  ExpectAllNear(r);
}

void RunBatchMatMul(const std::string& op, Shape xs, Shape ys, bool ax, bool ay) {
  SCOPED_TRACE(op + " " + ShapeString(xs) + " x " + ShapeString(ys) + " adj " + std::to_string(ax) + std::to_string(ay));
  Tensor x = Rand(DataType::DT_FLOAT, xs, 11);
  Tensor y = Rand(DataType::DT_FLOAT, ys, 12);
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    g.Placeholder("x").Placeholder("y");
    g.Node("bmm", op, {"x", "y"}, {{"T", GB::Type(DataType::DT_FLOAT)}, {"adj_x", GB::Bool(ax)}, {"adj_y", GB::Bool(ay)}}, dev);
  };
  auto r = RunOnBoth(build, {{"x", x}, {"y", y}}, {"bmm"}, {"bmm"});
  ExpectAllNear(r, 1e-4, 1e-4);
}

TEST(GpuBatchMatMul, SameBatch) {
  TG_REQUIRE_GPU();
  for (bool ax : {false, true})
    for (bool ay : {false, true}) {
      const Shape xs = ax ? Shape{3, 5, 4} : Shape{3, 4, 5};
      const Shape ys = ay ? Shape{3, 6, 5} : Shape{3, 5, 6};
      RunBatchMatMul("BatchMatMul", xs, ys, ax, ay);
      RunBatchMatMul("BatchMatMulV2", xs, ys, ax, ay);
    }
  RunBatchMatMul("BatchMatMul", {2, 3, 7, 13}, {2, 3, 13, 5}, false, false);
}

TEST(GpuBatchMatMul, Broadcast) {
  TG_REQUIRE_GPU();
  RunBatchMatMul("BatchMatMulV2", {4, 3, 5}, {5, 6}, false, false);        // y shared: stride 0
  RunBatchMatMul("BatchMatMulV2", {3, 5}, {4, 5, 6}, false, false);        // x shared
  RunBatchMatMul("BatchMatMulV2", {2, 1, 3, 4, 5}, {3, 5, 6}, false, false);  // per-batch loop
  RunBatchMatMul("BatchMatMulV2", {2, 1, 5, 4}, {1, 3, 6, 5}, true, true);    // both broadcast
  RunBatchMatMul("BatchMatMulV2", {1, 4, 5}, {1, 5, 6}, false, false);
}

}  // namespace
}  // namespace tg
