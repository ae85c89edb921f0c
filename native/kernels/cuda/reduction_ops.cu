// GPU reductions: Sum, Mean, Prod, Max, Min (float, double, int64) and All, Any (bool) over
// `reduction_indices` (input 1, host memory, int32 or int64).
//
// The shape is simplified as the CPU kernel does (size-1 dims dropped, adjacent reduced or
// kept dims merged), and each reduced run is one (outer, len, inner) pass, last run first,
// through device temps. A pass is:
//   inner == 1, outer == 1, long: reduce-all, block partials then one block over them;
//   inner == 1: one block per row (long rows) or one warp per row (short rows);
//   inner > 1:  one thread per output column, with the rows split into chunks reduced to
//               partial rows first when there are few columns and many rows.
// Accumulation is in T (float sums in float, as the CPU), so float sums agree with the CPU's
// blocked sums to rounding, not bit for bit. Mean divides the final pass's values by the count.
#include <algorithm>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/cuda/block_reduce.cuh"
#include "kernels/cuda/gpu_device.h"
#include "kernels/cuda/gpu_util.h"
#include "runtime/kernel.h"

namespace tg {
namespace {

using gpu::BlockReduce;
using gpu::kWarp;
using gpu::WarpReduce;

// The value written for an output: the reduction, or (Mean) it divided by `count` (0: none).
template <typename T>
__device__ __forceinline__ T Finish(T acc, int64_t count) {
  if constexpr (std::is_same_v<T, bool>) {
    return acc;
  } else if constexpr (std::is_floating_point_v<T>) {
    return count > 0 ? acc / static_cast<T>(count) : acc;
  } else {
    return count > 0 ? static_cast<T>(static_cast<int64_t>(acc) / count) : acc;
  }
}

// One warp per row of `len` contiguous values.
template <typename R, typename T>
__global__ void RowReduceWarp(const T* __restrict__ in, int64_t rows, int64_t len, T* __restrict__ out, int64_t count) {
  const int lane = threadIdx.x % kWarp;
  const int64_t warp = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
  const int64_t nwarps = static_cast<int64_t>(gridDim.x) * blockDim.x / kWarp;
  for (int64_t row = warp; row < rows; row += nwarps) {
    const T* p = in + row * len;
    T acc = R::Init();
    for (int64_t k = lane; k < len; k += kWarp) acc = R::Op(acc, p[k]);
    acc = WarpReduce<R>(acc);
    if (lane == 0) out[row] = Finish(acc, count);
  }
}

// One block per row of `len` contiguous values.
template <typename R, typename T>
__global__ void RowReduceBlock(const T* __restrict__ in, int64_t rows, int64_t len, T* __restrict__ out, int64_t count) {
  __shared__ T shared[kWarp];
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const T* p = in + row * len;
    T acc = R::Init();
    for (int64_t k = threadIdx.x; k < len; k += blockDim.x) acc = R::Op(acc, p[k]);
    acc = BlockReduce<R>(acc, shared);
    if (threadIdx.x == 0) out[row] = Finish(acc, count);
  }
}

// Reduce-all, first pass: block b reduces its grid-stride share of the n values to partial[b].
template <typename R, typename T>
__global__ void PartialReduceAll(const T* __restrict__ in, int64_t n, T* __restrict__ partial) {
  __shared__ T shared[kWarp];
  T acc = R::Init();
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) acc = R::Op(acc, in[i]);
  acc = BlockReduce<R>(acc, shared);
  if (threadIdx.x == 0) partial[blockIdx.x] = acc;
}

// in is [outer, len, inner]; one thread per output (o, j) loops over the len rows.
template <typename R, typename T>
__global__ void ColReduce(const T* __restrict__ in, int64_t outer, int64_t len, int64_t inner, T* __restrict__ out,
                          int64_t count) {
  const int64_t n = outer * inner;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < n; idx += stride) {
    const int64_t o = idx / inner, j = idx - o * inner;
    const T* p = in + o * len * inner + j;
    T acc = R::Init();
    for (int64_t r = 0; r < len; r++) acc = R::Op(acc, p[r * inner]);
    out[idx] = Finish(acc, count);
  }
}

// in is [outer, len, inner]; partial is [nchunks, outer * inner]: chunk c reduces rows
// [c * chunk, (c + 1) * chunk).
template <typename R, typename T>
__global__ void ColPartial(const T* __restrict__ in, int64_t outer, int64_t len, int64_t inner, int64_t chunk,
                           int64_t nchunks, T* __restrict__ partial) {
  const int64_t per = outer * inner;
  const int64_t n = nchunks * per;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < n; idx += stride) {
    const int64_t c = idx / per, rem = idx - c * per;
    const int64_t o = rem / inner, j = rem - o * inner;
    const int64_t r0 = c * chunk, r1 = min(len, r0 + chunk);
    const T* p = in + o * len * inner + j;
    T acc = R::Init();
    for (int64_t r = r0; r < r1; r++) acc = R::Op(acc, p[r * inner]);
    partial[idx] = acc;
  }
}

template <typename T>
__global__ void FillKernel(T* __restrict__ out, int64_t n, T v) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) out[i] = v;
}

constexpr int64_t kResidentThreads = 132 * 2048;  // H200: enough threads to fill every SM

// One (outer, len, inner) pass from src to dst (device memory), len >= 1.
template <typename R, typename T>
void ReducePass(OpKernelContext* ctx, cudaStream_t s, const T* src, int64_t outer, int64_t len, int64_t inner, T* dst,
                int64_t count) {
  if (inner == 1) {
    if (outer == 1 && len >= 32768) {
      const unsigned blocks = std::min<unsigned>(BlocksFor(len), 1024);
      Tensor partial = ctx->allocate_temp(DataTypeOf<T>(), {static_cast<int64_t>(blocks)});
      PartialReduceAll<R, T><<<blocks, kThreadsPerBlock, 0, s>>>(src, len, partial.data<T>());
      TG_CUDA_LAUNCH_CHECK();
      RowReduceBlock<R, T><<<1, 1024, 0, s>>>(partial.data<T>(), 1, blocks, dst, count);
      TG_CUDA_LAUNCH_CHECK();
      return;
    }
    if (len >= 1024) {
      const unsigned blocks = static_cast<unsigned>(std::min<int64_t>(outer, 132 * 16));
      RowReduceBlock<R, T><<<blocks, kThreadsPerBlock, 0, s>>>(src, outer, len, dst, count);
    } else {
      const int64_t warps_per_block = kThreadsPerBlock / kWarp;
      const unsigned blocks = static_cast<unsigned>(std::min<int64_t>((outer + warps_per_block - 1) / warps_per_block, 132 * 32));
      RowReduceWarp<R, T><<<blocks, kThreadsPerBlock, 0, s>>>(src, outer, len, dst, count);
    }
    TG_CUDA_LAUNCH_CHECK();
    return;
  }
  const int64_t outputs = outer * inner;
  if (outputs >= kResidentThreads / 2 || len <= 64) {
    ColReduce<R, T><<<BlocksFor(outputs), kThreadsPerBlock, 0, s>>>(src, outer, len, inner, dst, count);
    TG_CUDA_LAUNCH_CHECK();
    return;
  }
  // Few columns, many rows: reduce row chunks in parallel into partial rows first.
  int64_t nchunks = std::max<int64_t>(1, std::min<int64_t>(kResidentThreads / outputs, (len + 31) / 32));
  const int64_t chunk = (len + nchunks - 1) / nchunks;
  nchunks = (len + chunk - 1) / chunk;
  Tensor partial = ctx->allocate_temp(DataTypeOf<T>(), {nchunks * outputs});
  ColPartial<R, T><<<BlocksFor(nchunks * outputs), kThreadsPerBlock, 0, s>>>(src, outer, len, inner, chunk, nchunks,
                                                                            partial.data<T>());
  TG_CUDA_LAUNCH_CHECK();
  ColReduce<R, T><<<BlocksFor(outputs), kThreadsPerBlock, 0, s>>>(partial.data<T>(), 1, nchunks, outputs, dst, count);
  TG_CUDA_LAUNCH_CHECK();
}

// Reads the axes input (int32 or int64, scalar or vector; host memory) into a reduced-dims
// bitmap, with the CPU kernel's errors.
std::vector<bool> ReducedDims(OpKernelContext* ctx, const Tensor& axes, int rank) {
  if (axes.dims() > 1) {
    throw ctx->InvalidArg("reduction_indices must be a scalar or a vector, got shape " + ShapeString(axes.shape()));
  }
  std::vector<bool> bitmap(static_cast<size_t>(rank), false);
  const int64_t n = axes.num_elements();
  for (int64_t i = 0; i < n; i++) {
    int64_t a;
    if (axes.dtype() == DataType::DT_INT32) a = axes.data<int32_t>()[i];
    else if (axes.dtype() == DataType::DT_INT64) a = axes.data<int64_t>()[i];
    else throw ctx->InvalidArg("reduction_indices must be int32 or int64, got " + DataTypeName(axes.dtype()));
    if (a < -rank || a >= rank) {
      throw ctx->InvalidArg("Invalid reduction dimension (" + std::to_string(a) + " for input with " + std::to_string(rank) +
                            " dimension(s)");
    }
    bitmap[static_cast<size_t>(a < 0 ? a + rank : a)] = true;
  }
  return bitmap;
}

template <typename T, typename R, bool kMean = false>
class GpuReductionOp : public OpKernel {
 public:
  explicit GpuReductionOp(const KernelConstruction& c) : OpKernel(c), keep_dims_(c.node.AttrBool("keep_dims", false)) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& in = ctx->input(0);
    const int rank = in.dims();
    std::vector<bool> reduced = ReducedDims(ctx, ctx->input(1), rank);

    Shape out_shape;
    int64_t count = 1;  // elements reduced into each output
    for (int i = 0; i < rank; i++) {
      if (!reduced[i]) out_shape.push_back(in.dim(i));
      else {
        count *= in.dim(i);
        if (keep_dims_) out_shape.push_back(1);
      }
    }
    const int64_t out_n = NumElements(out_shape);
    if (count == 1 && !kMean) {  // nothing reduced: the output aliases the input
      ctx->set_output(0, in.Reshaped(out_shape));
      return;
    }
    GpuDevice* gpu = GpuOf(ctx);
    cudaStream_t s = gpu->stream();
    Tensor& out = ctx->allocate_output(0, DataTypeOf<T>(), out_shape);
    T* po = out.data<T>();
    if (out_n == 0) return;
    if (count == 0) {  // empty reduction: the identity (Mean: 0/0)
      T v = IdentityValue();
      FillKernel<T><<<BlocksFor(out_n), kThreadsPerBlock, 0, s>>>(po, out_n, v);
      TG_CUDA_LAUNCH_CHECK();
      return;
    }
    if (count == 1) {  // Mean over size-1 dims: x / 1 == x
      TG_CUDA_CHECK(cudaMemcpyAsync(po, in.data<T>(), out_n * sizeof(T), cudaMemcpyDeviceToDevice, s));
      return;
    }
    // Simplify: drop size-1 dims, merge runs.
    std::vector<int64_t> dims;
    std::vector<bool> red;
    for (int i = 0; i < rank; i++) {
      if (in.dim(i) == 1) continue;
      if (!dims.empty() && red.back() == reduced[i]) dims.back() *= in.dim(i);
      else {
        dims.push_back(in.dim(i));
        red.push_back(reduced[i]);
      }
    }
    const T* src = in.data<T>();
    Tensor tmp[2];
    int which = 0;
    for (;;) {
      int g = -1;  // the last reduced run
      for (int i = static_cast<int>(dims.size()) - 1; i >= 0; i--) {
        if (red[i]) {
          g = i;
          break;
        }
      }
      int64_t outer = 1, inner = 1;
      for (int i = 0; i < g; i++) outer *= dims[i];
      for (size_t i = g + 1; i < dims.size(); i++) inner *= dims[i];
      bool last = true;
      for (int i = 0; i < g; i++) last = last && !red[i];
      T* dst;
      if (last) {
        dst = po;
      } else {
        tmp[which] = ctx->allocate_temp(DataTypeOf<T>(), {outer * inner});
        dst = tmp[which].data<T>();
      }
      ReducePass<R, T>(ctx, s, src, outer, dims[g], inner, dst, last && kMean ? count : 0);
      if (last) break;
      src = dst;
      which ^= 1;
      dims.erase(dims.begin() + g);
      red.erase(red.begin() + g);
      if (g > 0 && g < static_cast<int>(dims.size())) {
        dims[g - 1] *= dims[g];
        dims.erase(dims.begin() + g);
        red.erase(red.begin() + g);
      }
    }
    // tmp[] may be released now: the stream orders any reuse after the passes above.
  }

 private:
  static T IdentityValue() {
    if constexpr (kMean) {
      if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::quiet_NaN();
      else return T(0);
    } else if constexpr (std::is_same_v<R, gpu::AllR>) {
      return true;
    } else if constexpr (std::is_same_v<R, gpu::AnyR>) {
      return false;
    } else if constexpr (std::is_same_v<R, gpu::SumR<T>>) {
      return T(0);
    } else if constexpr (std::is_same_v<R, gpu::ProdR<T>>) {
      return T(1);
    } else if constexpr (std::is_same_v<R, gpu::MaxR<T>>) {
      if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
      else return std::numeric_limits<T>::lowest();
    } else {
      if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
      else return std::numeric_limits<T>::max();
    }
  }

  bool keep_dims_;
};

template <typename T> using SumK = GpuReductionOp<T, gpu::SumR<T>>;
template <typename T> using MeanK = GpuReductionOp<T, gpu::SumR<T>, true>;
template <typename T> using ProdK = GpuReductionOp<T, gpu::ProdR<T>>;
template <typename T> using MaxK = GpuReductionOp<T, gpu::MaxR<T>>;
template <typename T> using MinK = GpuReductionOp<T, gpu::MinR<T>>;

// Input 1 (reduction_indices) is read on the host, as TF's HostMemory("reduction_indices").
TG_REGISTER_KERNEL_FOR_TYPES(Name("Sum").Device(DEVICE_GPU).HostMemoryInput(1), "T", SumK, float, double, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Mean").Device(DEVICE_GPU).HostMemoryInput(1), "T", MeanK, float, double, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Prod").Device(DEVICE_GPU).HostMemoryInput(1), "T", ProdK, float, double, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Max").Device(DEVICE_GPU).HostMemoryInput(1), "T", MaxK, float, double, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Min").Device(DEVICE_GPU).HostMemoryInput(1), "T", MinK, float, double, int64_t);
TG_REGISTER_KERNEL(Name("All").Device(DEVICE_GPU).HostMemoryInput(1), GpuReductionOp<bool, gpu::AllR>);
TG_REGISTER_KERNEL(Name("Any").Device(DEVICE_GPU).HostMemoryInput(1), GpuReductionOp<bool, gpu::AnyR>);

}  // namespace
}  // namespace tg
