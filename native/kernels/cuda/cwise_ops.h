// Element-wise GPU building blocks shared by the CUDA kernels of cwise_ops.cu, misc_ops.cu,
// training_ops.cu and state_ops.cu: grid-stride unary/binary kernels over functor objects,
// NumPy broadcasting planned on the host (output shape + per-dim strides, adjacent dims
// merged), a fill kernel, and a per-channel sum reduction (BiasAddGrad, L2Loss).
// Everything is queued on the GPU's compute stream; nothing here synchronises.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "kernels/cuda/gpu_device.h"
#include "kernels/cuda/gpu_util.h"
#include "runtime/kernel.h"

namespace tg {
namespace gpu {

constexpr int kMaxBcastDims = 8;

// Output dims and each input's stride per dim (0 where the input is broadcast), after
// dropping size-1 dims and merging dims that stay contiguous in both inputs.
struct BcastDims {
  int ndims = 0;
  int64_t out[kMaxBcastDims];
  int64_t sa[kMaxBcastDims];
  int64_t sb[kMaxBcastDims];
};

struct BcastPlan {
  Shape out;  // the output shape (TF's broadcast of a and b)
  BcastDims dims;
};

// Throws InvalidArgument "Incompatible shapes: [2,3] vs. [4]" (the CPU kernels' message) naming
// `node`; Unimplemented when more than 8 dims remain after merging.
BcastPlan MakeBcastPlan(const Shape& a, const Shape& b, const std::string& node);

template <typename In, typename Out, typename F>
__global__ void CwiseUnaryKernel(const In* __restrict__ x, Out* __restrict__ y, int64_t n, F f) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    y[i] = f(x[i]);
  }
}

// y = f(x) element-wise over n elements on `stream`.
template <typename In, typename Out, typename F>
void LaunchUnary(cudaStream_t stream, const In* x, Out* y, int64_t n, F f) {
  if (n <= 0) return;
  CwiseUnaryKernel<In, Out, F><<<BlocksFor(n), kThreadsPerBlock, 0, stream>>>(x, y, n, f);
  TG_CUDA_LAUNCH_CHECK();
}

// kMode: 0 same shapes, 1 b is a scalar, 2 a is a scalar, 3 general broadcast.
template <int kMode, typename In, typename Out, typename F>
__global__ void CwiseBinaryKernel(const In* __restrict__ a, const In* __restrict__ b, Out* __restrict__ o, int64_t n,
                             BcastDims d, F f) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    if constexpr (kMode == 0) {
      o[i] = f(a[i], b[i]);
    } else if constexpr (kMode == 1) {
      o[i] = f(a[i], b[0]);
    } else if constexpr (kMode == 2) {
      o[i] = f(a[0], b[i]);
    } else {
      int64_t rem = i, oa = 0, ob = 0;
      for (int k = d.ndims - 1; k >= 0; k--) {
        const int64_t idx = rem % d.out[k];
        rem /= d.out[k];
        oa += idx * d.sa[k];
        ob += idx * d.sb[k];
      }
      o[i] = f(a[oa], b[ob]);
    }
  }
}

// out = f(a, b) with the plan's broadcasting; `out` already has the plan's shape.
template <typename In, typename Out, typename F>
void LaunchBinary(cudaStream_t stream, const Tensor& a, const Tensor& b, Tensor* out, const BcastPlan& plan, F f) {
  const int64_t n = out->num_elements();
  if (n == 0) return;
  const In* pa = a.data<In>();
  const In* pb = b.data<In>();
  Out* po = out->data<Out>();
  const unsigned blocks = BlocksFor(n);
  if (a.num_elements() == n && b.num_elements() == n) {
    CwiseBinaryKernel<0, In, Out, F><<<blocks, kThreadsPerBlock, 0, stream>>>(pa, pb, po, n, plan.dims, f);
  } else if (b.num_elements() == 1) {
    CwiseBinaryKernel<1, In, Out, F><<<blocks, kThreadsPerBlock, 0, stream>>>(pa, pb, po, n, plan.dims, f);
  } else if (a.num_elements() == 1) {
    CwiseBinaryKernel<2, In, Out, F><<<blocks, kThreadsPerBlock, 0, stream>>>(pa, pb, po, n, plan.dims, f);
  } else {
    CwiseBinaryKernel<3, In, Out, F><<<blocks, kThreadsPerBlock, 0, stream>>>(pa, pb, po, n, plan.dims, f);
  }
  TG_CUDA_LAUNCH_CHECK();
}

// Fills n elements of `bytes_per_element` (1, 2, 4 or 8) with the bit pattern `bits`.
void LaunchFillBits(cudaStream_t stream, void* p, int64_t n, int bytes_per_element, uint64_t bits);

template <typename T>
uint64_t BitsOf(T v) {
  static_assert(sizeof(T) <= 8, "BitsOf: at most 8 bytes");
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  return bits;
}

// out[c] = scale * sum over o < outer, k < inner of x[(o * C + c) * inner + k] (squared when `square`), accumulated in Acc
// (double for floats, as the CPU kernels do) in device scratch, then stored as T.
template <typename T>
void LaunchChannelSum(OpKernelContext* ctx, cudaStream_t stream, const T* x, T* out, int64_t outer, int64_t channels,
                      int64_t inner, bool square = false, double scale = 1.0);

// The GPU device of a kernel and its compute stream.
inline cudaStream_t StreamOf(OpKernelContext* ctx) { return GpuOf(ctx)->stream(); }

// The factory of `op`'s CPU kernel written for any dtype (Const, Cast, Identity, ...), null when
// there is none (callers then register nothing: a throw here would abort dlopen).
KernelFactory CpuAnyKernelFactory(const std::string& op);

// Registers `factory` (a CPU kernel) on GPU for `op` with `type_attr` = each of `dtypes`, run on
// the host entirely (TF's HostMemory int32 / string kernels): registered before the GPU
// kernel for any dtype so that Find picks it for those dtypes.
void RegisterHostOnGpu(const std::string& op, const std::string& type_attr, const std::vector<DataType>& dtypes,
                       const KernelFactory& factory);

// A device copy of a host tensor (a variable first assigned by a CPU kernel, then updated on the
// GPU): pageable memory is staged before cudaMemcpyAsync returns, so `host` may go at once.
Tensor ToDevice(OpKernelContext* ctx, const Tensor& host);

// A device-to-device copy of `t` (a variable's buffer a reader still shares).
Tensor DeviceClone(OpKernelContext* ctx, const Tensor& t);

}  // namespace gpu
}  // namespace tg
