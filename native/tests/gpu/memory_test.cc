// GPU memory: TF1's gpuOptions (memory fraction, allow_growth) and OOM as ResourceExhausted.
// A GPU's allocator is made by the first session that uses it, with that session's options
// (as in TF), so GpuMemoryOptions must be the first GPU test of its process:
// tools/gpu-check.sh runs it alone (`--gtest_filter=GpuMemoryOptions.*`); in a full run it skips.
#include <algorithm>
#include <iostream>

#include "tests/gpu/gpu_test_util.h"

namespace tg {
namespace {

bool FirstGpuUse() {
  static bool first = true;
  const bool was = first;
  first = false;
  return was;
}

TEST(GpuMemoryOptions, FractionAndGrowthAreHonoured) {
  TG_REQUIRE_GPU();
  if (::testing::UnitTest::GetInstance()->test_to_run_count() != 1 || !FirstGpuUse()) {
    GTEST_SKIP() << "needs a process of its own: --gtest_filter=GpuMemoryOptions.*";
  }
  SessionOptions o;
  o.num_gpus = 1;
  o.gpu_options.per_process_gpu_memory_fraction = 0.05;
  o.gpu_options.allow_growth = true;
  Session s(o);
  Device* gpu = s.devices().devices().back().get();
  ASSERT_EQ(gpu->type, DeviceType::kGPU);
  const int64_t total = GetGpuPlatform()->TotalMemory(0);
  EXPECT_NEAR(static_cast<double>(gpu->memory_limit()), static_cast<double>(total) * 0.05, static_cast<double>(total) * 0.001);
  // With allow_growth a small step takes a small region, not the whole limit.
  GraphBuilder g;
  g.Placeholder("x").Binary("y", "MatMul", "x", "x");
  g.Node("y_", "Identity", {"y"}, {{"T", GraphBuilder::Type(DataType::DT_FLOAT)}}, "/gpu:0");
  auto bytes = g.Finish();
  s.Extend(bytes.data(), bytes.size());
  auto out = s.Run({"x"}, {gpu_test::Random(DataType::DT_FLOAT, {64, 64}, 1)}, {"y_"}, {}, {});
  const AllocatorStats st = gpu->allocator()->GetStats();
  EXPECT_GT(st.bytes_reserved, 0);
  EXPECT_LE(st.bytes_reserved, int64_t{64} << 20) << st.DebugString();
  EXPECT_EQ(st.bytes_limit, gpu->memory_limit());
  // More than the limit: ResourceExhausted naming the node, with the allocator's state.
  GraphBuilder big;
  big.Node("dims", "Const", {}, {{"value", GraphBuilder::RawTensor(DataType::DT_INT32, {2}, {0, 0, 1, 0, 0, 0, 1, 0})},
                                 {"dtype", GraphBuilder::Type(DataType::DT_INT32)}});
  big.Const("one", {1}, {});
  big.Node("huge", "Fill", {"dims", "one"}, {{"T", GraphBuilder::Type(DataType::DT_FLOAT)},
                                             {"index_type", GraphBuilder::Type(DataType::DT_INT32)}}, "/gpu:0");
  big.Node("sum", "Sum", {"huge", "dims"}, {{"T", GraphBuilder::Type(DataType::DT_FLOAT)},
                                            {"Tidx", GraphBuilder::Type(DataType::DT_INT32)}}, "/gpu:0");
  bytes = big.Finish();
  s.Extend(bytes.data(), bytes.size());
  try {
    s.Run({}, {}, {"sum"}, {}, {});  // 65536 x 65536 floats = 16 GiB > 5% of the GPU
    FAIL() << "expected ResourceExhausted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kResourceExhausted) << e.what();
    EXPECT_EQ(e.node(), "huge") << e.what();
    EXPECT_NE(std::string(e.what()).find("OOM when allocating"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Limit:"), std::string::npos) << e.what();
  }
  // The session and the GPU go on working after an OOM.
  auto again = s.Run({"x"}, {gpu_test::Random(DataType::DT_FLOAT, {64, 64}, 1)}, {"y_"}, {}, {});
  gpu_test::ExpectNear(out[0], again[0], 0, 0);
}

TEST(GpuDevices, ListedWithTheirMemoryAndDescription) {
  TG_REQUIRE_GPU();
  FirstGpuUse();
  SessionOptions o;
  Session s(o);  // all GPUs
  int gpus = 0;
  for (const auto& d : s.devices().devices()) {
    if (d->type != DeviceType::kGPU) continue;
    EXPECT_EQ(d->name, "/job:localhost/replica:0/task:0/device:GPU:" + std::to_string(gpus));
    EXPECT_NE(d->description().find("compute capability"), std::string::npos) << d->description();
    EXPECT_GT(d->memory_limit(), 0);
    gpus++;
  }
  EXPECT_EQ(gpus, GetGpuPlatform()->PhysicalDeviceCount());
  std::cout << "platform: " << GetGpuPlatform()->Versions() << "\n";
}

TEST(GpuPlacement, DefaultPlacementPutsOpsWithGpuKernelsOnGpu0AndCopiesOnce) {
  TG_REQUIRE_GPU();
  FirstGpuUse();
  SessionOptions o;
  o.log_device_placement = true;
  Session s(o);
  GraphBuilder g;
  // x feeds two MatMuls; a string op has no GPU kernel and stays on the CPU.
  g.Placeholder("x").Binary("a", "MatMul", "x", "x").Binary("b", "MatMul", "x", "a");
  auto bytes = g.Finish();
  s.Extend(bytes.data(), bytes.size());
  Tensor x = gpu_test::Random(DataType::DT_FLOAT, {32, 32}, 3);
  std::vector<NodeStats> stats;
  RunOptions ro;
  ro.trace = true;
  int64_t h = s.MakeCallable({"x"}, {"b"}, {});
  auto out = s.RunCallable(h, {x}, ro, &stats);
  int copies_in = 0, copies_out = 0;
  for (const auto& st : stats) {
    copies_in += st.node.find("_HostToDevice") != std::string::npos;
    copies_out += st.node.find("_DeviceToHost") != std::string::npos;
  }
  EXPECT_EQ(copies_in, 1);   // x crosses once for both MatMuls
  EXPECT_EQ(copies_out, 1);  // the fetch
  auto log = s.TakePlacementLog();
  const std::string gpu0 = "/job:localhost/replica:0/task:0/device:GPU:0";
  EXPECT_NE(std::find(log.begin(), log.end(), "a: " + gpu0), log.end());
  EXPECT_NE(std::find(log.begin(), log.end(), "b: " + gpu0), log.end());
  // Same values as on the CPU.
  SessionOptions cpu_only;
  cpu_only.num_gpus = 0;
  Session c(cpu_only);
  c.Extend(bytes.data(), bytes.size());
  gpu_test::ExpectNear(c.Run({"x"}, {x}, {"b"}, {}, {})[0], out[0], 1e-4, 1e-4);
}

}  // namespace
}  // namespace tg
