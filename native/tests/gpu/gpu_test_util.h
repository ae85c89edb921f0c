// GPU-vs-CPU parity tests: the same graph runs once with its nodes on /cpu:0 and once on
// /gpu:0 (feeds and fetches on the host), and the results must agree. Every test calls
// TG_REQUIRE_GPU() first, so the binary skips cleanly where there is no GPU.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "runtime/gpu_platform.h"
#include "runtime/session.h"
#include "tests/graph_builder.h"

namespace tg::gpu_test {

// True when the CUDA backend loaded and sees a GPU (else *why says what is missing).
inline bool HasGpu(std::string* why = nullptr) {
  std::string reason;
  GpuPlatform* p = GetGpuPlatform(&reason);
  if (!p) {
    if (why) *why = reason;
    return false;
  }
  if (p->PhysicalDeviceCount() == 0) {
    if (why) *why = "the CUDA backend sees no GPU";
    return false;
  }
  return true;
}

#define TG_REQUIRE_GPU()                                         \
  do {                                                           \
    std::string tg_why_;                                         \
    if (!::tg::gpu_test::HasGpu(&tg_why_)) GTEST_SKIP() << tg_why_; \
  } while (0)

template <typename T>
Tensor FromVector(const std::vector<T>& v, Shape shape) {
  Tensor t(DataTypeOf<T>(), std::move(shape));
  EXPECT_EQ(static_cast<int64_t>(v.size()), t.num_elements());
  if (!v.empty()) std::memcpy(t.raw(), v.data(), v.size() * sizeof(T));
  return t;
}

template <typename T>
std::vector<T> ToVector(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.num_elements());
}

// A host tensor of uniform values in [lo, hi) (integers: rounded), reproducible by seed.
inline Tensor Random(DataType dtype, Shape shape, uint64_t seed, double lo = -1, double hi = 1) {
  Tensor t(dtype, std::move(shape));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  for (int64_t i = 0; i < t.num_elements(); i++) {
    const double x = u(rng);
    switch (dtype) {
      case DataType::DT_FLOAT: t.data<float>()[i] = static_cast<float>(x); break;
      case DataType::DT_DOUBLE: t.data<double>()[i] = x; break;
      case DataType::DT_INT32: t.data<int32_t>()[i] = static_cast<int32_t>(std::floor(x)); break;
      case DataType::DT_INT64: t.data<int64_t>()[i] = static_cast<int64_t>(std::floor(x)); break;
      case DataType::DT_BOOL: t.data<bool>()[i] = x > (lo + hi) / 2; break;
      default: ADD_FAILURE() << "Random: unsupported dtype " << DataTypeName(dtype);
    }
  }
  return t;
}

inline double ValueAt(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DataType::DT_FLOAT: return t.data<float>()[i];
    case DataType::DT_DOUBLE: return t.data<double>()[i];
    case DataType::DT_INT32: return t.data<int32_t>()[i];
    case DataType::DT_INT64: return static_cast<double>(t.data<int64_t>()[i]);
    case DataType::DT_BOOL: return t.data<bool>()[i];
    case DataType::DT_UINT8: return t.data<uint8_t>()[i];
    default: ADD_FAILURE() << "ValueAt: unsupported dtype " << DataTypeName(t.dtype()); return 0;
  }
}

// Same dtype and shape, and |cpu - gpu| <= atol + rtol * |cpu| element-wise (NaNs must match).
inline void ExpectNear(const Tensor& cpu, const Tensor& gpu, double rtol = 1e-5, double atol = 1e-5,
                       const std::string& what = "") {
  ASSERT_EQ(cpu.dtype(), gpu.dtype()) << what;
  ASSERT_EQ(cpu.shape(), gpu.shape()) << what;
  ASSERT_FALSE(gpu.on_device()) << what << ": fetched tensor is still in device memory";
  int bad = 0;
  for (int64_t i = 0; i < cpu.num_elements() && bad < 5; i++) {
    const double a = ValueAt(cpu, i), b = ValueAt(gpu, i);
    if (a == b || (std::isnan(a) && std::isnan(b))) continue;  // equal infinities too
    if (!(std::fabs(a - b) <= atol + rtol * std::fabs(a))) {
      ADD_FAILURE() << what << " element " << i << ": cpu " << a << " gpu " << b;
      bad++;
    }
  }
}

struct Result {
  std::vector<Tensor> cpu, gpu;
};

using BuildFn = std::function<void(GraphBuilder& g, const std::string& device)>;

// Runs a session with 1 CPU and (for "/gpu:0") 1 GPU, strict placement, logging placement.
// `on_gpu`: node names that must have been placed on GPU:0 in the GPU run (so a test cannot
// pass by silently running on the CPU).
inline std::vector<Tensor> RunOn(const std::string& device, const BuildFn& build,
                                 const std::vector<std::pair<std::string, Tensor>>& feeds,
                                 const std::vector<std::string>& fetches, const std::vector<std::string>& targets = {},
                                 const std::vector<std::string>& on_gpu = {}) {
  SessionOptions o;
  o.num_gpus = device == "/gpu:0" ? 1 : 0;
  o.log_device_placement = true;
  Session s(o);
  GraphBuilder g;
  build(g, device);
  auto bytes = g.Finish();
  s.Extend(bytes.data(), bytes.size());
  std::vector<std::string> names;
  std::vector<Tensor> values;
  for (const auto& [n, v] : feeds) {
    names.push_back(n);
    values.push_back(v);
  }
  // Targets first (e.g. variable initialisers), then the fetches.
  if (!targets.empty()) s.Run(names, values, {}, targets, {});
  std::vector<Tensor> out = fetches.empty() ? std::vector<Tensor>{} : s.Run(names, values, fetches, {}, {});
  if (device == "/gpu:0") {
    auto log = s.TakePlacementLog();
    for (const std::string& n : on_gpu) {
      const std::string want = n + ": /job:localhost/replica:0/task:0/device:GPU:0";
      bool found = false;
      for (const auto& l : log) found |= l == want;
      EXPECT_TRUE(found) << n << " was not placed on GPU:0";
    }
  }
  return out;
}

inline Result RunOnBoth(const BuildFn& build, const std::vector<std::pair<std::string, Tensor>>& feeds,
                        const std::vector<std::string>& fetches, const std::vector<std::string>& on_gpu = {},
                        const std::vector<std::string>& targets = {}) {
  Result r;
  r.cpu = RunOn("/cpu:0", build, feeds, fetches, targets);
  r.gpu = RunOn("/gpu:0", build, feeds, fetches, targets, on_gpu);
  return r;
}

inline void ExpectAllNear(const Result& r, double rtol = 1e-5, double atol = 1e-5) {
  ASSERT_EQ(r.cpu.size(), r.gpu.size());
  for (size_t i = 0; i < r.cpu.size(); i++) ExpectNear(r.cpu[i], r.gpu[i], rtol, atol, "fetch " + std::to_string(i));
}

}  // namespace tg::gpu_test
