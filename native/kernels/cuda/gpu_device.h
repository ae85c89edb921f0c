// The CUDA device (compiled into libtg_cuda.so only). One GpuState per physical GPU holds
// what all sessions share: the BFC allocator over the GPU's memory, the compute stream
// every kernel of the GPU is queued on, two copy streams, and the cuBLAS/cuDNN handles
// bound to the compute stream. A session's GpuDevice ("/device:GPU:n") points at it.
//
// Ordering: kernels return once their work is queued on the compute stream (as in TF), so
// a tensor's memory may be freed and reused while earlier work still reads it: that is
// safe because every use of a GPU's memory is ordered on its compute stream (copies on the
// copy streams wait for the compute stream first and make it wait for them).
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <memory>
#include <mutex>
#include <string>

#include "runtime/device.h"
#include "runtime/gpu_platform.h"
#include "runtime/kernel.h"

namespace tg {

class BFCAllocator;

struct GpuState {
  int physical = 0;
  cudaDeviceProp props{};
  std::unique_ptr<BFCAllocator> allocator;
  cudaStream_t compute = nullptr;
  cudaStream_t host_to_device = nullptr;
  cudaStream_t device_to_host = nullptr;
  cublasHandle_t cublas = nullptr;
  cudnnHandle_t cudnn = nullptr;
  std::mutex cublas_mu;  // cuBLAS/cuDNN handles are not thread-safe: one call at a time
  std::mutex cudnn_mu;
};

class GpuDevice : public Device {
 public:
  GpuDevice(int tf_index, GpuState* state, ThreadPool* intra_op);
  Allocator* allocator() const override;
  int64_t memory_limit() const override;
  std::string description() const override;
  Tensor CopyFromHost(const Tensor& host) override;
  Tensor CopyToHost(const Tensor& device_tensor) override;
  void Synchronize() override;

  GpuState* state() const { return state_; }
  cudaStream_t stream() const { return state_->compute; }
  const cudaDeviceProp& props() const { return state_->props; }
  // Makes this GPU the calling thread's current CUDA device (cheap when it already is).
  void Activate() const;

 private:
  GpuState* state_;
};

// The device of a GPU kernel, made current on this thread.
GpuDevice* GpuOf(OpKernelContext* ctx);

}  // namespace tg
