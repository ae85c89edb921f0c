// Devices with memory of their own, without a GPU: a fake GPU platform whose "device memory"
// is host memory the fake marks as device memory. Its kernels refuse host tensors, so these
// tests show the executor inserts a copy on every edge between host and device memory (one
// per value and device), that feeds and fetches cross once, and TF1's placement rules.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <set>

#include "runtime/gpu_platform.h"
#include "runtime/session.h"
#include "tests/graph_builder.h"

namespace tg {
namespace {

class FakeDeviceAllocator : public Allocator {
 public:
  std::string Name() const override { return "fake_gpu"; }
  void* Allocate(size_t bytes) override {
    in_use++;
    return std::aligned_alloc(256, (bytes + 255) / 256 * 256 + 256);
  }
  void Deallocate(void* p) override {
    in_use--;
    std::free(p);
  }
  AllocatorStats GetStats() const override {
    AllocatorStats s;
    s.bytes_limit = 1 << 30;
    return s;
  }
  std::atomic<int> in_use{0};
};

class FakeGpu : public Device {
 public:
  FakeGpu(int index, ThreadPool* pool) : Device("/job:localhost/replica:0/task:0/device:GPU:" + std::to_string(index), DeviceType::kGPU, index, pool) {}
  Allocator* allocator() const override { return &alloc; }
  int64_t memory_limit() const override { return 1 << 30; }
  Tensor CopyFromHost(const Tensor& host) override {
    EXPECT_FALSE(host.on_device());
    to_device++;
    Tensor t(host.dtype(), host.shape(), alloc.AllocateBuffer(host.total_bytes()));
    std::memcpy(t.raw(), host.raw(), host.total_bytes());
    return t;
  }
  Tensor CopyToHost(const Tensor& dev) override {
    EXPECT_TRUE(dev.on_device());
    to_host++;
    Tensor t(dev.dtype(), dev.shape());
    std::memcpy(t.raw(), dev.raw(), dev.total_bytes());
    return t;
  }
  mutable FakeDeviceAllocator alloc;
  static inline std::atomic<int> to_device{0}, to_host{0};
};

class FakePlatform : public GpuPlatform {
 public:
  int PhysicalDeviceCount() override { return 2; }
  int64_t TotalMemory(int) override { return 1 << 30; }
  std::unique_ptr<Device> CreateDevice(int tf_index, int physical, const GpuOptions&, ThreadPool* pool) override {
    return std::make_unique<FakeGpu>(tf_index, pool);
  }
  std::string Versions() override { return "fake"; }
};

// A "GPU" AddV2 that only accepts device-memory inputs and writes device memory.
class FakeGpuAdd : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& a = ctx->input(0);
    const Tensor& b = ctx->input(1);
    if (!a.on_device() || !b.on_device()) throw Error(Code::kInternal, "FakeGpuAdd got a host tensor", name());
    if (a.shape() != b.shape()) throw InvalidArgument("shapes differ", name());
    Tensor& out = ctx->allocate_output(0, DataType::DT_FLOAT, a.shape());
    if (!out.on_device()) throw Error(Code::kInternal, "output not in device memory", name());
    for (int64_t i = 0; i < a.num_elements(); i++) out.data<float>()[i] = a.data<float>()[i] + b.data<float>()[i];
  }
};

// `op`'s any-dtype CPU kernel, registered for GPU devices too.
void RegisterCpuKernelOnGpu(const std::string& op) {
  Node n;
  n.id = -1;
  n.op = op;
  const KernelDef* cpu = KernelRegistry::Global().Find(n, DEVICE_CPU);
  ASSERT_NE(cpu, nullptr) << op;
  RegisterKernel(register_kernel::Name(op).Device(DEVICE_GPU), cpu->factory);
}

bool RegisterFakeKernels() {
  TG_REGISTER_KERNEL(Name("AddV2").Device(DEVICE_GPU).TypeConstraint("T", DataType::DT_FLOAT), FakeGpuAdd);
  // Identity never reads its data: the CPU kernel serves GPU devices as it is.
  RegisterCpuKernelOnGpu("Identity");
  return true;
}

class DeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static bool registered = RegisterFakeKernels();
    (void)registered;
    SetGpuPlatformForTesting(&platform_);
    FakeGpu::to_device = 0;
    FakeGpu::to_host = 0;
  }
  void TearDown() override { SetGpuPlatformForTesting(nullptr); }
  FakePlatform platform_;
};

Tensor Floats(std::vector<float> v) {
  Tensor t(DataType::DT_FLOAT, {static_cast<int64_t>(v.size())});
  std::memcpy(t.raw(), v.data(), v.size() * 4);
  return t;
}

std::vector<float> Values(const Tensor& t) { return std::vector<float>(t.data<float>(), t.data<float>() + t.num_elements()); }

bool Logged(const std::vector<std::string>& log, const std::string& line) {
  for (const auto& l : log) if (l == line) return true;
  return false;
}

const std::string kGpu0 = "/job:localhost/replica:0/task:0/device:GPU:0";
const std::string kCpu0 = "/job:localhost/replica:0/task:0/device:CPU:0";

TEST_F(DeviceTest, EdgesBetweenHostAndDeviceMemoryGetOneCopyEach) {
  SessionOptions o;
  o.log_device_placement = true;
  Session s(o);
  ASSERT_EQ(s.devices().devices().size(), 3u);  // CPU:0, GPU:0, GPU:1 (all the platform has)
  GraphBuilder g;
  // x (fed, host) feeds two GPU adds; c (a CPU Const) feeds both too; the result is fetched.
  g.Placeholder("x").Node("c", "Const", {}, {{"value", GraphBuilder::FloatTensor({10, 20}, {2})}, {"dtype", GraphBuilder::Type(DataType::DT_FLOAT)}}, "/cpu:0");
  g.Binary("a", "AddV2", "x", "c").Binary("b", "AddV2", "x", "c").Binary("sum", "AddV2", "a", "b");
  Extend(s, g);
  auto out = s.Run({"x"}, {Floats({1, 2})}, {"sum"}, {}, {});
  EXPECT_EQ(Values(out[0]), (std::vector<float>{22, 44}));
  EXPECT_FALSE(out[0].on_device());
  EXPECT_EQ(FakeGpu::to_device.load(), 2);  // x once and c once, though each has two GPU readers
  EXPECT_EQ(FakeGpu::to_host.load(), 1);    // the fetch
  auto log = s.TakePlacementLog();
  EXPECT_TRUE(Logged(log, "a: " + kGpu0));  // no device asked: the GPU, which has the kernel
  EXPECT_TRUE(Logged(log, "sum: " + kGpu0));
  EXPECT_TRUE(Logged(log, "c: " + kCpu0));
}

TEST_F(DeviceTest, DeviceMemoryIsReleasedAfterTheStep) {
  Session s({});
  GraphBuilder g;
  g.Placeholder("x").Binary("a", "AddV2", "x", "x").Node("i", "Identity", {"a"}, {{"T", GraphBuilder::Type(DataType::DT_FLOAT)}});
  Extend(s, g);
  for (int step = 0; step < 3; step++) {
    auto out = s.Run({"x"}, {Floats({1, 2, 3})}, {"i"}, {}, {});
    EXPECT_EQ(Values(out[0]), (std::vector<float>{2, 4, 6}));
  }
  const auto& devs = s.devices().devices();
  EXPECT_EQ(static_cast<FakeGpu*>(devs[1].get())->alloc.in_use.load(), 0);
}

TEST_F(DeviceTest, AnOpWithoutAGpuKernelNeedsSoftPlacement) {
  GraphBuilder g;
  g.Placeholder("x").Node("neg", "Neg", {"x"}, {{"T", GraphBuilder::Type(DataType::DT_FLOAT)}}, "/gpu:0");
  auto bytes = g.Finish();
  {
    Session strict({});
    strict.Extend(bytes.data(), bytes.size());
    try {
      strict.Run({"x"}, {Floats({1})}, {"neg"}, {}, {});
      FAIL() << "expected InvalidArgument";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Code::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find("no supported kernel for GPU devices"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("Registered kernels:\n  device='CPU'; T in [DT_FLOAT]"), std::string::npos) << e.what();
      EXPECT_EQ(e.node(), "neg");
    }
  }
  SessionOptions o;
  o.allow_soft_placement = true;
  o.log_device_placement = true;
  Session soft(o);
  soft.Extend(bytes.data(), bytes.size());
  auto out = soft.Run({"x"}, {Floats({1})}, {"neg"}, {}, {});
  EXPECT_EQ(Values(out[0]), (std::vector<float>{-1}));
  EXPECT_TRUE(Logged(soft.TakePlacementLog(), "neg: " + kCpu0));
}

TEST_F(DeviceTest, DeviceCountAndVisibleDeviceList) {
  SessionOptions none;
  none.num_gpus = 0;
  EXPECT_EQ(Session(none).devices().devices().size(), 1u);
  SessionOptions one;
  one.gpu_options.visible_device_list = "1";
  EXPECT_EQ(Session(one).devices().devices().size(), 2u);
  SessionOptions bad;
  bad.gpu_options.visible_device_list = "0,7";
  try {
    Session s(bad);
    FAIL() << "expected InvalidArgument";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("invalid GPU id '7'"), std::string::npos) << e.what();
  }
}

TEST_F(DeviceTest, AVariableUpdateMustNotCrossMemory) {
  // A CPU variable updated by reference from a GPU-placed op cannot work: a clear error.
  RegisterCpuKernelOnGpu("Assign");
  Session s({});
  GraphBuilder g;
  g.Node("v", "VariableV2", {}, {{"dtype", GraphBuilder::Type(DataType::DT_FLOAT)}}, "/cpu:0")
      .Placeholder("x")
      .Node("set", "Assign", {"v", "x"}, {{"T", GraphBuilder::Type(DataType::DT_FLOAT)}}, "/gpu:0");
  Extend(s, g);
  try {
    s.Run({"x"}, {Floats({1})}, {}, {"set"}, {});
    FAIL() << "expected InvalidArgument";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("takes v by reference"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tg
