// GPU ArgMax / ArgMin (float, double, int64 inputs; output_type int32 or int64): the first
// index of the max (min) along `dimension` (input 1, host memory), NaN counting as larger
// (smaller) than everything, as the CPU kernel.
//
// The output is registered in device memory for both output types (the registry keys on T,
// not output_type; the executor copies an int32 result to the host for host-memory
// consumers). Should the registration put output 0 in host memory instead, the kernel
// computes into a device temp, copies it to the host output and synchronises the stream.
#include <algorithm>
#include <string>
#include <type_traits>

#include "kernels/cuda/block_reduce.cuh"
#include "kernels/cuda/gpu_device.h"
#include "kernels/cuda/gpu_util.h"
#include "runtime/kernel.h"

namespace tg {
namespace {

using gpu::kWarp;

template <typename T, bool kMax>
__device__ __forceinline__ bool Better(T x, T best) {
  if constexpr (std::is_floating_point_v<T>) {
    if (best != best) return false;
    if (x != x) return true;
  }
  return kMax ? x > best : x < best;
}

// One warp per row (inner == 1): lanes scan strided, then (value, index) pairs combine,
// ties (and two NaNs) to the smaller index, which is the sequential scan's first index.
template <typename T, typename I, bool kMax>
__global__ void ArgRowKernel(const T* __restrict__ in, int64_t rows, int64_t n, I* __restrict__ out) {
  const int lane = threadIdx.x % kWarp;
  const int64_t warp = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
  const int64_t nwarps = static_cast<int64_t>(gridDim.x) * blockDim.x / kWarp;
  for (int64_t row = warp; row < rows; row += nwarps) {
    const T* p = in + row * n;
    int64_t bi = -1;  // -1: no element seen (lanes beyond n)
    T b{};
    for (int64_t k = lane; k < n; k += kWarp) {
      if (bi < 0 || Better<T, kMax>(p[k], b)) {
        b = p[k];
        bi = k;
      }
    }
    for (int d = kWarp / 2; d > 0; d /= 2) {
      const T ob = __shfl_down_sync(0xffffffffu, b, d);
      const int64_t oi = __shfl_down_sync(0xffffffffu, bi, d);
      if (oi < 0) continue;
      if (bi < 0 || Better<T, kMax>(ob, b) || (!Better<T, kMax>(b, ob) && oi < bi)) {
        b = ob;
        bi = oi;
      }
    }
    if (lane == 0) out[row] = static_cast<I>(bi);
  }
}

// inner > 1: one thread per output (o, j) scans the n rows.
template <typename T, typename I, bool kMax>
__global__ void ArgColKernel(const T* __restrict__ in, int64_t outer, int64_t n, int64_t inner, I* __restrict__ out) {
  const int64_t total = outer * inner;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total; idx += stride) {
    const int64_t o = idx / inner, j = idx - o * inner;
    const T* p = in + o * n * inner + j;
    T b = p[0];
    int64_t bi = 0;
    for (int64_t k = 1; k < n; k++) {
      const T v = p[k * inner];
      if (Better<T, kMax>(v, b)) {
        b = v;
        bi = k;
      }
    }
    out[idx] = static_cast<I>(bi);
  }
}

template <typename T, bool kMax>
class GpuArgOp : public OpKernel {
 public:
  explicit GpuArgOp(const KernelConstruction& c) : OpKernel(c), out_type_(c.node.AttrType("output_type")) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& in = ctx->input(0);
    const Tensor& dim_t = ctx->input(1);
    if (dim_t.num_elements() != 1) {
      throw ctx->InvalidArg("dim must be a scalar, but received tensor of shape: " + ShapeString(dim_t.shape()));
    }
    const int64_t d = dim_t.dtype() == DataType::DT_INT64 ? dim_t.data<int64_t>()[0] : dim_t.data<int32_t>()[0];
    const int rank = in.dims();
    if (d < -rank || d >= rank) {
      throw ctx->InvalidArg("Expected dimension in the range [" + std::to_string(-rank) + ", " + std::to_string(rank) +
                            "), but got " + std::to_string(d));
    }
    const int axis = static_cast<int>(d < 0 ? d + rank : d);
    if (in.dim(axis) == 0) {
      throw ctx->InvalidArg("Reduction axis " + std::to_string(d) + " is empty in shape " + ShapeString(in.shape()));
    }
    Shape out_shape;
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < rank; i++) {
      if (i == axis) continue;
      out_shape.push_back(in.dim(i));
      if (i < axis) outer *= in.dim(i);
      else inner *= in.dim(i);
    }
    const int64_t n = in.dim(axis);
    if (out_type_ == DataType::DT_INT32) Run<int32_t>(ctx, in, out_shape, outer, n, inner);
    else if (out_type_ == DataType::DT_INT64) Run<int64_t>(ctx, in, out_shape, outer, n, inner);
    else throw ctx->InvalidArg("output_type must be int32 or int64, got " + DataTypeName(out_type_));
  }

 private:
  template <typename I>
  void Run(OpKernelContext* ctx, const Tensor& in, const Shape& out_shape, int64_t outer, int64_t n, int64_t inner) const {
    GpuDevice* gpu = GpuOf(ctx);
    cudaStream_t s = gpu->stream();
    Tensor& out = ctx->allocate_output(0, DataTypeOf<I>(), out_shape);
    const int64_t total = out.num_elements();
    if (total == 0) return;
    const bool on_device = ctx->output_on_device(0);
    Tensor staging;
    I* dst = out.data<I>();
    if (!on_device) {
      staging = ctx->allocate_temp(DataTypeOf<I>(), out_shape);
      dst = staging.data<I>();
    }
    if (inner == 1) {
      const int64_t warps_per_block = kThreadsPerBlock / kWarp;
      const unsigned blocks = static_cast<unsigned>(std::min<int64_t>((outer + warps_per_block - 1) / warps_per_block, 132 * 32));
      ArgRowKernel<T, I, kMax><<<blocks, kThreadsPerBlock, 0, s>>>(in.data<T>(), outer, n, dst);
    } else {
      ArgColKernel<T, I, kMax><<<BlocksFor(total), kThreadsPerBlock, 0, s>>>(in.data<T>(), outer, n, inner, dst);
    }
    TG_CUDA_LAUNCH_CHECK();
    if (!on_device) {
      // A host-memory output must hold its values when Compute returns.
      TG_CUDA_CHECK(cudaMemcpyAsync(out.raw(), dst, total * sizeof(I), cudaMemcpyDeviceToHost, s));
      TG_CUDA_CHECK(cudaStreamSynchronize(s));
    }
  }

  DataType out_type_;
};

template <typename T> using ArgMaxK = GpuArgOp<T, true>;
template <typename T> using ArgMinK = GpuArgOp<T, false>;

// Input 1 (dimension) in host memory.
TG_REGISTER_KERNEL_FOR_TYPES(Name("ArgMax").Device(DEVICE_GPU).HostMemoryInput(1), "T", ArgMaxK, float, double, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("ArgMin").Device(DEVICE_GPU).HostMemoryInput(1), "T", ArgMinK, float, double, int64_t);

}  // namespace
}  // namespace tg
