#include "runtime/gpu_platform.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

#include "runtime/kernel.h"

namespace tg {

namespace {

std::mutex platform_mu;
GpuPlatform* testing_platform = nullptr;

// The backend sits beside this library (build/Release/libtg_cuda.so).
std::string DefaultPluginPath() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&DefaultPluginPath), &info) && info.dli_fname) {
    std::string self = info.dli_fname;
    size_t slash = self.rfind('/');
    if (slash != std::string::npos) return self.substr(0, slash + 1) + "libtg_cuda.so";
  }
  return "libtg_cuda.so";
}

struct Loaded {
  GpuPlatform* platform = nullptr;
  std::string why;
};

Loaded Load() {
  Loaded r;
  const char* env = std::getenv("TG_CUDA_PLUGIN");
  std::string path = env && *env ? env : DefaultPluginPath();
  // No driver, no GPU: then the backend (and cuBLAS/cuDNN, hundreds of MB) is not even
  // loaded, so CPU-only machines pay nothing for a build that includes it.
  if (!dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL)) {
    r.why = "no CUDA driver (libcuda.so.1) on this machine";
    return r;
  }
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* err = dlerror();
    r.why = "the CUDA backend " + path + " did not load: " + (err ? err : "unknown error");
    return r;
  }
  auto create = reinterpret_cast<TgCreateGpuPlatformFn>(dlsym(handle, TG_GPU_PLATFORM_ENTRY));
  if (!create) {
    r.why = path + " has no " TG_GPU_PLATFORM_ENTRY;
    return r;
  }
  r.platform = create();  // the library stays loaded: its kernels are in the registry now
  if (!r.platform) r.why = path + ": the CUDA platform could not start";
  // TF keeps int32 tensors of GPU ops on the host: every int32 CPU kernel runs there too.
  if (r.platform) KernelRegistry::Global().RegisterInt32CpuKernelsOnGpu();
  return r;
}

}  // namespace

GpuPlatform* GetGpuPlatform(std::string* why) {
  std::lock_guard<std::mutex> lock(platform_mu);
  if (testing_platform) return testing_platform;
  static Loaded loaded = Load();
  if (why) *why = loaded.why;
  return loaded.platform;
}

void SetGpuPlatformForTesting(GpuPlatform* platform) {
  std::lock_guard<std::mutex> lock(platform_mu);
  testing_platform = platform;
}

}  // namespace tg
