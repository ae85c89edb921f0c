// Helpers for GPU kernels: error checks that become tf.errors (never aborts), launch
// shapes, and the element-count-to-grid arithmetic every element-wise kernel needs.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstdint>
#include <string>

#include "runtime/status.h"

namespace tg {

[[noreturn]] void ThrowCuda(cudaError_t e, const char* what, const char* file, int line);
[[noreturn]] void ThrowCublas(cublasStatus_t e, const char* what, const char* file, int line);
[[noreturn]] void ThrowCudnn(cudnnStatus_t e, const char* what, const char* file, int line);

#define TG_CUDA_CHECK(expr)                                               \
  do {                                                                    \
    cudaError_t tg_e_ = (expr);                                           \
    if (tg_e_ != cudaSuccess) ::tg::ThrowCuda(tg_e_, #expr, __FILE__, __LINE__); \
  } while (0)
#define TG_CUBLAS_CHECK(expr)                                                          \
  do {                                                                                 \
    cublasStatus_t tg_e_ = (expr);                                                     \
    if (tg_e_ != CUBLAS_STATUS_SUCCESS) ::tg::ThrowCublas(tg_e_, #expr, __FILE__, __LINE__); \
  } while (0)
#define TG_CUDNN_CHECK(expr)                                                         \
  do {                                                                               \
    cudnnStatus_t tg_e_ = (expr);                                                    \
    if (tg_e_ != CUDNN_STATUS_SUCCESS) ::tg::ThrowCudnn(tg_e_, #expr, __FILE__, __LINE__); \
  } while (0)
// After a kernel launch: a bad configuration shows up here, not at the next sync.
#define TG_CUDA_LAUNCH_CHECK() TG_CUDA_CHECK(cudaGetLastError())

constexpr int kThreadsPerBlock = 256;

// Blocks for n elements with a grid-stride loop: enough to fill the GPU, never more than needed.
inline unsigned BlocksFor(int64_t n, int threads = kThreadsPerBlock) {
  int64_t b = (n + threads - 1) / threads;
  if (b < 1) b = 1;
  if (b > 132 * 32) b = 132 * 32;  // H200: 132 SMs; grid-stride loops cover the rest
  return static_cast<unsigned>(b);
}

}  // namespace tg
