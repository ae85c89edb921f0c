// GPU random ops against the CPU kernels: the same values for the same seeds (Philox
// counters, group layout, per-run advance, Box-Muller, truncated-normal rejection), odd
// sizes (partial last group), and the statistics of 2^20 samples.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "tests/gpu/gpu_test_util.h"

namespace tg {
namespace {

using gpu_test::ExpectNear;
using gpu_test::ValueAt;
using GB = GraphBuilder;

GB::AttrFn ShapeConst(const std::vector<int32_t>& dims) {
  std::vector<uint8_t> bytes(dims.size() * 4);
  if (!dims.empty()) std::memcpy(bytes.data(), dims.data(), bytes.size());
  return GB::RawTensor(DataType::DT_INT32, {static_cast<int64_t>(dims.size())}, bytes);
}

// `runs` runs of one session on `device` fetching node "r" (a random op of `op`).
std::vector<Tensor> RunRandom(const std::string& device, const std::string& op, DataType dtype,
                              const std::vector<int32_t>& shape, int64_t seed, int64_t seed2, int runs) {
  SessionOptions o;
  o.num_gpus = device == "/gpu:0" ? 1 : 0;
  o.log_device_placement = true;
  Session s(o);
  GraphBuilder g;
  g.Node("shape", "Const", {}, {{"value", ShapeConst(shape)}, {"dtype", GB::Type(DataType::DT_INT32)}});
  g.Node("r", op, {"shape"},
         {{"dtype", GB::Type(dtype)}, {"T", GB::Type(DataType::DT_INT32)}, {"seed", GB::Int(seed)}, {"seed2", GB::Int(seed2)}},
         device);
  auto bytes = g.Finish();
  s.Extend(bytes.data(), bytes.size());
  std::vector<Tensor> out;
  for (int i = 0; i < runs; i++) out.push_back(s.Run({}, {}, {"r"}, {}, {})[0]);
  if (device == "/gpu:0") {
    bool found = false;
    for (const auto& l : s.TakePlacementLog()) found |= l == "r: /job:localhost/replica:0/task:0/device:GPU:0";
    EXPECT_TRUE(found) << op << " was not placed on GPU:0";
  }
  return out;
}

void CheckParity(const std::string& op, DataType dtype, const std::vector<int32_t>& shape, double tol) {
  const auto cpu = RunRandom("/cpu:0", op, dtype, shape, 87654321, 42, 3);
  const auto gpu = RunRandom("/gpu:0", op, dtype, shape, 87654321, 42, 3);
  ASSERT_EQ(cpu.size(), gpu.size());
  for (size_t i = 0; i < cpu.size(); i++) {
    ExpectNear(cpu[i], gpu[i], tol, tol, op + " " + DataTypeName(dtype) + " run " + std::to_string(i));
  }
  // Successive runs differ.
  ASSERT_GT(gpu[0].num_elements(), 0);
  EXPECT_NE(ValueAt(gpu[0], 0), ValueAt(gpu[1], 0));
}

TEST(GpuRandom, UniformMatchesTheCpuExactly) {
  TG_REQUIRE_GPU();
  CheckParity("RandomUniform", DataType::DT_FLOAT, {1000, 37}, 0);
  CheckParity("RandomUniform", DataType::DT_DOUBLE, {3, 333}, 0);
  CheckParity("RandomUniform", DataType::DT_FLOAT, {5}, 0);
}

TEST(GpuRandom, NormalMatchesTheCpu) {
  TG_REQUIRE_GPU();
  CheckParity("RandomStandardNormal", DataType::DT_FLOAT, {1000, 37}, 1e-5);
  CheckParity("RandomStandardNormal", DataType::DT_DOUBLE, {999}, 1e-12);
}

TEST(GpuRandom, TruncatedNormalMatchesTheCpu) {
  TG_REQUIRE_GPU();
  CheckParity("TruncatedNormal", DataType::DT_FLOAT, {1000, 37}, 1e-5);
  CheckParity("TruncatedNormal", DataType::DT_DOUBLE, {1001}, 1e-12);
}

TEST(GpuRandom, UniformInt64MatchesTheCpu) {
  TG_REQUIRE_GPU();
  auto run = [](const std::string& device) {
    SessionOptions o;
    o.num_gpus = device == "/gpu:0" ? 1 : 0;
    Session s(o);
    GraphBuilder g;
    auto i64 = [](int64_t v) {
      std::vector<uint8_t> b(8);
      std::memcpy(b.data(), &v, 8);
      return GB::RawTensor(DataType::DT_INT64, {}, b);
    };
    g.Node("shape", "Const", {}, {{"value", ShapeConst({777})}, {"dtype", GB::Type(DataType::DT_INT32)}});
    g.Node("lo", "Const", {}, {{"value", i64(-1000000007)}, {"dtype", GB::Type(DataType::DT_INT64)}});
    g.Node("hi", "Const", {}, {{"value", i64(123456789012345)}, {"dtype", GB::Type(DataType::DT_INT64)}});
    g.Node("r", "RandomUniformInt", {"shape", "lo", "hi"},
           {{"Tout", GB::Type(DataType::DT_INT64)}, {"T", GB::Type(DataType::DT_INT32)}, {"seed", GB::Int(7)},
            {"seed2", GB::Int(9)}},
           device);
    auto bytes = g.Finish();
    s.Extend(bytes.data(), bytes.size());
    std::vector<Tensor> out;
    for (int i = 0; i < 2; i++) out.push_back(s.Run({}, {}, {"r"}, {}, {})[0]);
    return out;
  };
  const auto cpu = run("/cpu:0"), gpu = run("/gpu:0");
  for (size_t i = 0; i < cpu.size(); i++) {
    ASSERT_EQ(cpu[i].shape(), gpu[i].shape());
    for (int64_t k = 0; k < cpu[i].num_elements(); k++) {
      ASSERT_EQ(cpu[i].data<int64_t>()[k], gpu[i].data<int64_t>()[k]) << "run " << i << " element " << k;
    }
  }
}

void MeanStd(const Tensor& t, double* mean, double* sd) {
  double s = 0, s2 = 0;
  const int64_t n = t.num_elements();
  for (int64_t i = 0; i < n; i++) {
    const double v = ValueAt(t, i);
    s += v;
    s2 += v * v;
  }
  *mean = s / n;
  *sd = std::sqrt(s2 / n - *mean * *mean);
}

TEST(GpuRandom, StatisticsOfAMillionSamples) {
  TG_REQUIRE_GPU();
  double m, sd;
  const auto u = RunRandom("/gpu:0", "RandomUniform", DataType::DT_FLOAT, {1 << 20}, 0, 0, 1)[0];
  MeanStd(u, &m, &sd);
  EXPECT_NEAR(m, 0.5, 0.002);
  EXPECT_NEAR(sd, std::sqrt(1.0 / 12), 0.002);
  for (int64_t i = 0; i < u.num_elements(); i++) ASSERT_TRUE(u.data<float>()[i] >= 0 && u.data<float>()[i] < 1);

  const auto n = RunRandom("/gpu:0", "RandomStandardNormal", DataType::DT_FLOAT, {1 << 20}, 0, 0, 1)[0];
  MeanStd(n, &m, &sd);
  EXPECT_NEAR(m, 0, 0.005);
  EXPECT_NEAR(sd, 1, 0.005);

  const auto t = RunRandom("/gpu:0", "TruncatedNormal", DataType::DT_DOUBLE, {1 << 20}, 0, 0, 1)[0];
  MeanStd(t, &m, &sd);
  EXPECT_NEAR(m, 0, 0.005);
  EXPECT_NEAR(sd, 0.8796, 0.005);  // std of N(0, 1) truncated to (-2, 2)
  for (int64_t i = 0; i < t.num_elements(); i++) ASSERT_LT(std::fabs(t.data<double>()[i]), 2.0);
}

}  // namespace
}  // namespace tg
