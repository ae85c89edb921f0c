#include "kernels/cuda/batch_norm_kernels.h"

#include "kernels/cuda/gpu_util.h"

namespace tg {
namespace {

__global__ void InvStdKernel(const float* var, float epsilon, int64_t c, float* out) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < c; i += int64_t(gridDim.x) * blockDim.x) {
    out[i] = 1.0f / sqrtf(var[i] + epsilon);
  }
}

__global__ void GradInferenceDxKernel(const float* dy, const float* scale, const float* var, float epsilon, int64_t total,
                                      int64_t channels, int64_t inner, float* dx) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t c = (i / inner) % channels;
    dx[i] = dy[i] * scale[c] / sqrtf(var[c] + epsilon);
  }
}

// One block per channel: a strided sum over the channel's elements, then a tree in shared memory.
constexpr int kReduceThreads = 256;
__global__ void GradInferenceReduceKernel(const float* dy, const float* x, const float* mean, const float* var, float epsilon,
                                          int64_t outer, int64_t channels, int64_t inner, float* dscale, float* doffset) {
  __shared__ float s_xy[kReduceThreads];
  __shared__ float s_y[kReduceThreads];
  for (int64_t c = blockIdx.x; c < channels; c += gridDim.x) {
    const float m = mean[c];
    float sum_xy = 0, sum_y = 0;
    const int64_t rest = outer * inner;
    for (int64_t j = threadIdx.x; j < rest; j += blockDim.x) {
      const int64_t o = j / inner, in = j % inner;
      const int64_t idx = (o * channels + c) * inner + in;
      sum_xy += dy[idx] * (x[idx] - m);
      sum_y += dy[idx];
    }
    s_xy[threadIdx.x] = sum_xy;
    s_y[threadIdx.x] = sum_y;
    __syncthreads();
    for (int s = kReduceThreads / 2; s > 0; s >>= 1) {
      if (threadIdx.x < s) {
        s_xy[threadIdx.x] += s_xy[threadIdx.x + s];
        s_y[threadIdx.x] += s_y[threadIdx.x + s];
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      dscale[c] = s_xy[0] / sqrtf(var[c] + epsilon);
      doffset[c] = s_y[0];
    }
    __syncthreads();  // the shared arrays are reused for the next channel
  }
}

}  // namespace

void LaunchBatchNormInvStd(const float* var, float epsilon, int64_t channels, float* inv_std, cudaStream_t stream) {
  if (channels == 0) return;
  InvStdKernel<<<BlocksFor(channels), kThreadsPerBlock, 0, stream>>>(var, epsilon, channels, inv_std);
  TG_CUDA_LAUNCH_CHECK();
}

void LaunchBatchNormGradInference(const float* dy, const float* x, const float* scale, const float* mean, const float* var,
                                  float epsilon, int64_t outer, int64_t channels, int64_t inner, float* dx, float* dscale,
                                  float* doffset, cudaStream_t stream) {
  const int64_t total = outer * channels * inner;
  if (channels == 0) return;
  if (total > 0) {
    GradInferenceDxKernel<<<BlocksFor(total), kThreadsPerBlock, 0, stream>>>(dy, scale, var, epsilon, total, channels, inner, dx);
    TG_CUDA_LAUNCH_CHECK();
  }
  const unsigned blocks = static_cast<unsigned>(channels < 65535 ? channels : 65535);
  GradInferenceReduceKernel<<<blocks, kReduceThreads, 0, stream>>>(dy, x, mean, var, epsilon, outer, channels, inner, dscale,
                                                                    doffset);
  TG_CUDA_LAUNCH_CHECK();
}

}  // namespace tg
