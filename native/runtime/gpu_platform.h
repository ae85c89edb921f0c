// The GPU platform: what the CUDA backend (libtg_cuda.so, native/kernels/cuda) gives the
// runtime. The backend is a separate library loaded with dlopen on first use, so the CPU
// runtime loads and runs on machines without CUDA; when it loads, its static initialisers
// register the GPU kernels in the one KernelRegistry.
#pragma once

#include <memory>
#include <string>

#include "runtime/device.h"

namespace tg {

// TF1's GPUOptions.
struct GpuOptions {
  double per_process_gpu_memory_fraction = 0;  // 0: all but a reserve (TF's default)
  bool allow_growth = false;                   // take device memory as needed, not all at once
  std::string visible_device_list;             // "1,0": TF's GPU:0 is physical GPU 1, ...
};

class GpuPlatform {
 public:
  virtual ~GpuPlatform() = default;
  // GPUs the driver reports (0 when there is no driver or device).
  virtual int PhysicalDeviceCount() = 0;
  // Bytes of memory physical GPU `physical` has in all.
  virtual int64_t TotalMemory(int physical) = 0;
  // A session's device "/device:GPU:<tf_index>" on physical GPU `physical`. Memory and
  // streams belong to the physical GPU and are shared by every session of the process:
  // the first device created on a GPU fixes its memory options (as in TF).
  virtual std::unique_ptr<Device> CreateDevice(int tf_index, int physical, const GpuOptions& options,
                                               ThreadPool* intra_op) = 0;
  // "CUDA runtime 13000, driver 13000, cuBLAS ..., cuDNN ..." for logs and checks.
  virtual std::string Versions() = 0;
};

// The CUDA platform, loaded once per process; null when the backend library is missing
// or cannot load (then *why says why). TG_CUDA_PLUGIN names another library file.
GpuPlatform* GetGpuPlatform(std::string* why = nullptr);
// Tests: use this platform instead of loading the CUDA one (null: back to the real one).
void SetGpuPlatformForTesting(GpuPlatform* platform);

// The C entry point the backend library exports.
extern "C" {
typedef GpuPlatform* (*TgCreateGpuPlatformFn)();
}
#define TG_GPU_PLATFORM_ENTRY "TgCreateGpuPlatform"

}  // namespace tg
