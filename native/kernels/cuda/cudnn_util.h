// Helpers for the GPU kernels on cuDNN (convolution, pooling, batch norm, LRN): TF's data
// formats and window arithmetic (the same rules and messages as the CPU kernels' dnnl_util),
// RAII cuDNN descriptors for NHWC/NCHW tensors and TF's HWIO filters, the handle lock that
// binds a handle to the compute stream, device workspaces, and a small per-kernel cache.
#pragma once

#include <cudnn.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kernels/cuda/gpu_device.h"
#include "kernels/cuda/gpu_util.h"
#include "kernels/window.h"
#include "runtime/kernel.h"

namespace tg {
namespace cudnn_util {

// TF's formats, windows and padding: kernels/window.h, shared by the CPU and GPU kernels.
using namespace window;  // NOLINT

// ---------- cuDNN descriptors ----------

template <typename T> cudnnDataType_t CudnnType();
template <> inline cudnnDataType_t CudnnType<float>() { return CUDNN_DATA_FLOAT; }
template <> inline cudnnDataType_t CudnnType<double>() { return CUDNN_DATA_DOUBLE; }

// Checks a dimension fits cuDNN's int arguments.
int Int(const OpKernelContext* ctx, int64_t v);

class TensorDesc {
 public:
  TensorDesc();
  ~TensorDesc();
  TensorDesc(const TensorDesc&) = delete;
  TensorDesc& operator=(const TensorDesc&) = delete;
  // Logical (n, c, h, w) with explicit element strides.
  void Set(cudnnDataType_t t, int n, int c, int h, int w, int sn, int sc, int sh, int sw);
  // A packed tensor in `f`.
  void Set(cudnnDataType_t t, Format f, int n, int c, int h, int w);
  // A 1 x c x 1 x 1 vector (batch norm's scale/offset/mean/variance).
  void SetVector(cudnnDataType_t t, int c);
  cudnnTensorDescriptor_t get() const { return d_; }

 private:
  cudnnTensorDescriptor_t d_ = nullptr;
};

class FilterDesc {
 public:
  FilterDesc();
  ~FilterDesc();
  FilterDesc(const FilterDesc&) = delete;
  FilterDesc& operator=(const FilterDesc&) = delete;
  // k output channels, c input channels, r x s window; layout KCRS (NCHW) or KRSC (NHWC).
  void Set(cudnnDataType_t t, Format f, int k, int c, int r, int s);
  cudnnFilterDescriptor_t get() const { return d_; }

 private:
  cudnnFilterDescriptor_t d_ = nullptr;
};

// TF's HWIO filter [r, s, c, k] viewed as a logical (k, c, r, s) tensor (for cudnnTransformTensor
// to and from cuDNN's KRSC/KCRS layouts, which it cannot read directly).
void SetHwioView(TensorDesc& d, cudnnDataType_t t, int r, int s, int c, int k);

// The cuDNN handle of the kernel's GPU, locked and bound to the compute stream for the
// lifetime of this object (handles are shared by all kernels of a GPU and not thread-safe).
class CudnnHandle {
 public:
  explicit CudnnHandle(GpuDevice* gpu);
  cudnnHandle_t get() const { return gpu_->state()->cudnn; }

 private:
  GpuDevice* gpu_;
  std::lock_guard<std::mutex> lock_;
};

// Device scratch of at least `bytes` bytes (a uint8 temp tensor), null pointer for 0.
struct Workspace {
  Tensor t;
  void* ptr = nullptr;
  size_t bytes = 0;
};
Workspace AllocateWorkspace(OpKernelContext* ctx, size_t bytes);

// A shape-keyed cache of small entries (conv algorithm choices), shared by concurrent runs.
template <typename Entry>
class ShapeCache {
 public:
  using Key = std::vector<int64_t>;
  bool Find(const Key& k, Entry* e) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(k);
    if (it == map_.end()) return false;
    *e = it->second;
    return true;
  }
  void Put(const Key& k, const Entry& e) {
    std::lock_guard<std::mutex> lock(mu_);
    if (map_.emplace(k, e).second) {
      order_.push_back(k);
      if (order_.size() > 32) {
        map_.erase(order_.front());
        order_.pop_front();
      }
    }
  }

 private:
  std::mutex mu_;
  std::map<Key, Entry> map_;
  std::deque<Key> order_;
};

}  // namespace cudnn_util
}  // namespace tg
