// Warp and block reductions shared by the reduction, softmax and cross-entropy kernels.
// A reducer R has `static __device__ T Init()` and `static __device__ T Op(T, T)`.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <limits>
#include <type_traits>

namespace tg {
namespace gpu {

constexpr int kWarp = 32;

// __shfl_down_sync has no bool overload: go through int.
template <typename T>
__device__ __forceinline__ T ShflDown(T v, int delta) {
  if constexpr (std::is_same_v<T, bool>) return __shfl_down_sync(0xffffffffu, static_cast<int>(v), delta) != 0;
  else return __shfl_down_sync(0xffffffffu, v, delta);
}
template <typename T>
__device__ __forceinline__ T ShflIdx(T v, int lane) {
  if constexpr (std::is_same_v<T, bool>) return __shfl_sync(0xffffffffu, static_cast<int>(v), lane) != 0;
  else return __shfl_sync(0xffffffffu, v, lane);
}

// All 32 lanes take part; every lane gets the result.
template <typename R, typename T>
__device__ __forceinline__ T WarpReduce(T v) {
  for (int d = kWarp / 2; d > 0; d /= 2) v = R::Op(v, ShflDown(v, d));
  return ShflIdx(v, 0);
}

// All threads of the block take part (blockDim.x a multiple of 32, at most 1024); every
// thread gets the result. `shared` holds 32 T; it may be reused after the call returns.
template <typename R, typename T>
__device__ __forceinline__ T BlockReduce(T v, T* shared) {
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp;
  const int nwarps = blockDim.x / kWarp;
  v = WarpReduce<R>(v);
  __syncthreads();  // `shared` may still be read by an earlier call
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  T r = lane < nwarps ? shared[lane] : R::Init();
  if (warp == 0) r = WarpReduce<R>(r);
  if (threadIdx.x == 0) shared[0] = r;
  __syncthreads();
  return shared[0];
}

// A row handled by one warp (kBlock false) or one whole block (kBlock true): its threads stride
// the row by RowStep and combine with GroupReduce. Rows are spread over warps / blocks by
// RowFirst and RowStride (grid-stride, so every grid size covers all rows).
template <bool kBlock> __device__ __forceinline__ int RowLane() { return kBlock ? threadIdx.x : threadIdx.x % kWarp; }
template <bool kBlock> __device__ __forceinline__ int RowStep() { return kBlock ? blockDim.x : kWarp; }
template <bool kBlock> __device__ __forceinline__ int64_t RowFirst() {
  return kBlock ? static_cast<int64_t>(blockIdx.x) : (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
}
template <bool kBlock> __device__ __forceinline__ int64_t RowStride() {
  return kBlock ? static_cast<int64_t>(gridDim.x) : static_cast<int64_t>(gridDim.x) * blockDim.x / kWarp;
}
template <bool kBlock, typename R, typename T>
__device__ __forceinline__ T GroupReduce(T v, T* shared) {
  if constexpr (kBlock) return BlockReduce<R>(v, shared);
  else return WarpReduce<R>(v);
}

template <typename T> struct SumR {
  static __device__ __forceinline__ T Init() { return T(0); }
  static __device__ __forceinline__ T Op(T a, T b) { return static_cast<T>(a + b); }
};
template <typename T> struct ProdR {
  static __device__ __forceinline__ T Init() { return T(1); }
  static __device__ __forceinline__ T Op(T a, T b) { return static_cast<T>(a * b); }
};
// Max/Min propagate NaN, as the CPU kernels.
template <typename T> struct MaxR {
  static __device__ __forceinline__ T Init() {
    if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::lowest();
  }
  static __device__ __forceinline__ T Op(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) return (a > b || a != a) ? a : b;
    else return a > b ? a : b;
  }
};
template <typename T> struct MinR {
  static __device__ __forceinline__ T Init() {
    if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::max();
  }
  static __device__ __forceinline__ T Op(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) return (a < b || a != a) ? a : b;
    else return a < b ? a : b;
  }
};
struct AllR {
  static __device__ __forceinline__ bool Init() { return true; }
  static __device__ __forceinline__ bool Op(bool a, bool b) { return a && b; }
};
struct AnyR {
  static __device__ __forceinline__ bool Init() { return false; }
  static __device__ __forceinline__ bool Op(bool a, bool b) { return a || b; }
};

}  // namespace gpu
}  // namespace tg
