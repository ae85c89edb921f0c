#include "kernels/cuda/lrn_kernels.h"

#include "kernels/cuda/gpu_util.h"

namespace tg {
namespace {

__device__ float Norm(const float* row, int64_t depth, int64_t d, int64_t radius, float bias, float alpha) {
  const int64_t lo = d - radius < 0 ? 0 : d - radius, hi = d + radius + 1 > depth ? depth : d + radius + 1;
  float s = 0;
  for (int64_t k = lo; k < hi; k++) s += row[k] * row[k];
  return bias + alpha * s;
}

__global__ void LrnKernel(const float* in, int64_t total, int64_t depth, int64_t radius, float bias, float alpha, float beta,
                          float* out) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t d = i % depth;
    const float* row = in + (i - d);
    out[i] = in[i] * powf(Norm(row, depth, d, radius, bias, alpha), -beta);
  }
}

// dx[k] = sum over d within radius of k: g[d] * ([k == d] * norm_d^-beta - 2 alpha beta in[k] out[d] / norm_d),
// out[d] = in[d] * norm_d^-beta (TF's LRNGrad, gathered per input element).
__global__ void LrnGradKernel(const float* grads, const float* in, int64_t total, int64_t depth, int64_t radius, float bias,
                              float alpha, float beta, float* out) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t k = i % depth, base = i - k;
    const float* row = in + base;
    const int64_t lo = k - radius < 0 ? 0 : k - radius, hi = k + radius + 1 > depth ? depth : k + radius + 1;
    float acc = 0;
    for (int64_t d = lo; d < hi; d++) {
      const float norm = Norm(row, depth, d, radius, bias, alpha);
      const float p = powf(norm, -beta);
      float v = -2.0f * alpha * beta * row[k] * row[d] * p / norm;
      if (d == k) v += p;
      acc += grads[base + d] * v;
    }
    out[i] = acc;
  }
}

}  // namespace

void LaunchLrn(const float* in, int64_t pixels, int64_t depth, int64_t radius, float bias, float alpha, float beta, float* out,
               cudaStream_t stream) {
  const int64_t total = pixels * depth;
  if (total == 0) return;
  LrnKernel<<<BlocksFor(total), kThreadsPerBlock, 0, stream>>>(in, total, depth, radius, bias, alpha, beta, out);
  TG_CUDA_LAUNCH_CHECK();
}

void LaunchLrnGrad(const float* grads, const float* in, int64_t pixels, int64_t depth, int64_t radius, float bias, float alpha,
                   float beta, float* out, cudaStream_t stream) {
  const int64_t total = pixels * depth;
  if (total == 0) return;
  LrnGradKernel<<<BlocksFor(total), kThreadsPerBlock, 0, stream>>>(grads, in, total, depth, radius, bias, alpha, beta, out);
  TG_CUDA_LAUNCH_CHECK();
}

}  // namespace tg
