// The CUDA platform (libtg_cuda.so's entry point): one GpuState per physical GPU, created
// on first use and shared by every session of the process; copies between host and GPU.
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstring>
#include <mutex>
#include <vector>

#include "kernels/cuda/gpu_device.h"
#include "kernels/cuda/gpu_util.h"
#include "runtime/bfc_allocator.h"
#include "runtime/tensor.h"

namespace tg {

[[noreturn]] void ThrowCuda(cudaError_t e, const char* what, const char* file, int line) {
  const Code code = e == cudaErrorMemoryAllocation ? Code::kResourceExhausted : Code::kInternal;
  throw Error(code, std::string("CUDA error ") + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ") in " + what +
                        " at " + file + ":" + std::to_string(line));
}

[[noreturn]] void ThrowCublas(cublasStatus_t e, const char* what, const char* file, int line) {
  throw Error(Code::kInternal, std::string("cuBLAS error ") + cublasGetStatusString(e) + " in " + what + " at " + file +
                                   ":" + std::to_string(line));
}

[[noreturn]] void ThrowCudnn(cudnnStatus_t e, const char* what, const char* file, int line) {
  throw Error(Code::kInternal, std::string("cuDNN error ") + cudnnGetErrorString(e) + " in " + what + " at " + file + ":" +
                                   std::to_string(line));
}

namespace {

// Regions of the BFC allocator: plain cudaMalloc on one GPU.
class CudaSubAllocator : public SubAllocator {
 public:
  explicit CudaSubAllocator(int physical) : physical_(physical) {}
  void* Alloc(size_t bytes) override {
    cudaSetDevice(physical_);
    void* p = nullptr;
    if (cudaMalloc(&p, bytes) != cudaSuccess) {
      cudaGetLastError();  // clear the sticky-free error state of a failed malloc
      return nullptr;
    }
    return p;
  }
  void Free(void* ptr, size_t) override {
    cudaSetDevice(physical_);
    cudaFree(ptr);
  }

 private:
  int physical_;
};

class CudaPlatform : public GpuPlatform {
 public:
  CudaPlatform() {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
      cudaGetLastError();
      n = 0;
    }
    count_ = n;
    states_.resize(n);
  }

  int PhysicalDeviceCount() override { return count_; }

  int64_t TotalMemory(int physical) override {
    cudaDeviceProp p{};
    TG_CUDA_CHECK(cudaGetDeviceProperties(&p, physical));
    return static_cast<int64_t>(p.totalGlobalMem);
  }

  std::unique_ptr<Device> CreateDevice(int tf_index, int physical, const GpuOptions& options, ThreadPool* intra_op) override {
    return std::make_unique<GpuDevice>(tf_index, State(physical, options), intra_op);
  }

  std::string Versions() override {
    int rt = 0, drv = 0;
    cudaRuntimeGetVersion(&rt);
    cudaDriverGetVersion(&drv);
    return "CUDA runtime " + std::to_string(rt) + ", driver " + std::to_string(drv) + ", cuBLAS " +
           std::to_string(CUBLAS_VERSION) + ", cuDNN " + std::to_string(cudnnGetVersion()) + " (built with " +
           std::to_string(CUDNN_VERSION) + ")";
  }

 private:
  GpuState* State(int physical, const GpuOptions& options) {
    std::lock_guard<std::mutex> lock(mu_);
    if (states_[physical]) return states_[physical].get();
    auto s = std::make_unique<GpuState>();
    s->physical = physical;
    TG_CUDA_CHECK(cudaSetDevice(physical));
    TG_CUDA_CHECK(cudaGetDeviceProperties(&s->props, physical));
    size_t free_bytes = 0, total_bytes = 0;
    TG_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    // TF's memory limit: the fraction of the total when given, else all free memory but a
    // reserve for cuBLAS/cuDNN workspaces and the CUDA context (TF keeps ~5% back).
    size_t limit;
    if (options.per_process_gpu_memory_fraction > 0) {
      limit = static_cast<size_t>(static_cast<double>(total_bytes) * options.per_process_gpu_memory_fraction);
    } else {
      const size_t reserve = std::max<size_t>(total_bytes / 20, size_t{256} << 20);
      limit = free_bytes > reserve ? free_bytes - reserve : free_bytes / 2;
    }
    s->allocator = std::make_unique<BFCAllocator>(std::make_unique<CudaSubAllocator>(physical), limit, options.allow_growth,
                                                  "GPU_" + std::to_string(physical) + "_bfc");
    // Non-blocking streams: no implicit ordering with the legacy default stream.
    TG_CUDA_CHECK(cudaStreamCreateWithFlags(&s->compute, cudaStreamNonBlocking));
    TG_CUDA_CHECK(cudaStreamCreateWithFlags(&s->host_to_device, cudaStreamNonBlocking));
    TG_CUDA_CHECK(cudaStreamCreateWithFlags(&s->device_to_host, cudaStreamNonBlocking));
    TG_CUBLAS_CHECK(cublasCreate(&s->cublas));
    TG_CUBLAS_CHECK(cublasSetStream(s->cublas, s->compute));
    TG_CUBLAS_CHECK(cublasSetMathMode(s->cublas, CUBLAS_DEFAULT_MATH));  // no TF32: CPU numerics
    TG_CUDNN_CHECK(cudnnCreate(&s->cudnn));
    TG_CUDNN_CHECK(cudnnSetStream(s->cudnn, s->compute));
    states_[physical] = std::move(s);
    return states_[physical].get();
  }

  int count_ = 0;
  std::mutex mu_;
  std::vector<std::unique_ptr<GpuState>> states_;  // never destroyed while the process runs
};

// An event recorded on `from` that `to` waits for: `to`'s later work follows `from`'s earlier work.
void Order(cudaStream_t from, cudaStream_t to) {
  cudaEvent_t e;
  TG_CUDA_CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
  TG_CUDA_CHECK(cudaEventRecord(e, from));
  TG_CUDA_CHECK(cudaStreamWaitEvent(to, e, 0));
  TG_CUDA_CHECK(cudaEventDestroy(e));  // released once the wait is done
}

}  // namespace

GpuDevice::GpuDevice(int tf_index, GpuState* state, ThreadPool* intra_op)
    : Device("/job:localhost/replica:0/task:0/device:GPU:" + std::to_string(tf_index), DeviceType::kGPU, tf_index,
             intra_op),
      state_(state) {}

Allocator* GpuDevice::allocator() const { return state_->allocator.get(); }

int64_t GpuDevice::memory_limit() const { return state_->allocator->GetStats().bytes_limit; }

std::string GpuDevice::description() const {
  const cudaDeviceProp& p = state_->props;
  char bus[32];
  std::snprintf(bus, sizeof bus, "%04x:%02x:%02x.0", p.pciDomainID, p.pciBusID, p.pciDeviceID);
  return "device: " + std::to_string(index) + ", name: " + p.name + ", pci bus id: " + bus +
         ", compute capability: " + std::to_string(p.major) + "." + std::to_string(p.minor);
}

void GpuDevice::Activate() const {
  thread_local int current = -1;
  if (current != state_->physical) {
    TG_CUDA_CHECK(cudaSetDevice(state_->physical));
    current = state_->physical;
  }
}

Tensor GpuDevice::CopyFromHost(const Tensor& host) {
  if (host.on_device()) throw Error(Code::kInternal, "CopyFromHost of a tensor already in device memory");
  if (HoldsStrings(host.dtype())) {
    throw Error(Code::kInvalidArgument, "string tensors cannot be copied to " + name);
  }
  Activate();
  const size_t bytes = host.num_elements() * DataTypeSize(host.dtype());
  Tensor dev(host.dtype(), host.shape(), state_->allocator->AllocateBuffer(bytes));
  if (bytes == 0) return dev;
  // The destination may be memory the compute stream still reads (freed and reused): the
  // copy waits for the compute stream, and the compute stream waits for the copy. A copy
  // from pageable memory returns once the source is staged, so `host` may go at once.
  Order(state_->compute, state_->host_to_device);
  TG_CUDA_CHECK(cudaMemcpyAsync(dev.raw(), host.raw(), bytes, cudaMemcpyHostToDevice, state_->host_to_device));
  Order(state_->host_to_device, state_->compute);
  return dev;
}

Tensor GpuDevice::CopyToHost(const Tensor& device_tensor) {
  if (!device_tensor.on_device()) return device_tensor;
  Activate();
  Tensor host(device_tensor.dtype(), device_tensor.shape());
  const size_t bytes = device_tensor.num_elements() * DataTypeSize(device_tensor.dtype());
  if (bytes == 0) return host;
  Order(state_->compute, state_->device_to_host);  // after the kernels that produced it
  TG_CUDA_CHECK(cudaMemcpyAsync(host.raw(), device_tensor.raw(), bytes, cudaMemcpyDeviceToHost, state_->device_to_host));
  TG_CUDA_CHECK(cudaStreamSynchronize(state_->device_to_host));
  return host;
}

void GpuDevice::Synchronize() {
  Activate();
  TG_CUDA_CHECK(cudaStreamSynchronize(state_->compute));
}

GpuDevice* GpuOf(OpKernelContext* ctx) {
  auto* gpu = dynamic_cast<GpuDevice*>(ctx->device());
  if (!gpu) throw Error(Code::kInternal, "GPU kernel for " + ctx->node().op + " runs on " + ctx->device()->name, ctx->node().name);
  gpu->Activate();
  return gpu;
}

}  // namespace tg

extern "C" __attribute__((visibility("default"))) tg::GpuPlatform* TgCreateGpuPlatform() {
  static tg::GpuPlatform* platform = new tg::CudaPlatform();
  return platform;
}
