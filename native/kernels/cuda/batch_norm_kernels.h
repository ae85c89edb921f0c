// The few batch-norm pieces cuDNN does not provide (batch_norm_kernels.cu), for
// batch_norm_ops.cc. Data is viewed as [outer, C, inner]: NHWC is [N*H*W, C, 1], NCHW [N, C, H*W].
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace tg {

// inv_std[c] = 1 / sqrt(var[c] + epsilon) (cuDNN's saved inverse variance).
void LaunchBatchNormInvStd(const float* var, float epsilon, int64_t channels, float* inv_std, cudaStream_t stream);

// The gradient with the mean and variance as constants (is_training=false):
// dx = dy * scale * inv_std, dscale[c] = sum(dy * (x - mean)) * inv_std, doffset[c] = sum(dy).
void LaunchBatchNormGradInference(const float* dy, const float* x, const float* scale, const float* mean, const float* var,
                                  float epsilon, int64_t outer, int64_t channels, int64_t inner, float* dx, float* dscale,
                                  float* doffset, cudaStream_t stream);

}  // namespace tg
