// Direct LRN kernels (lrn_kernels.cu) for the parameters cuDNN's LRN rejects (window over 16
// channels, beta < 0.01, bias < 1e-5). Data is [pixels, depth] (NHWC), TF's formulas:
// sqr_sum[d] = sum(in[d-r .. d+r]^2), out = in / (bias + alpha * sqr_sum)^beta.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace tg {

void LaunchLrn(const float* in, int64_t pixels, int64_t depth, int64_t radius, float bias, float alpha, float beta, float* out,
               cudaStream_t stream);
void LaunchLrnGrad(const float* grads, const float* in, int64_t pixels, int64_t depth, int64_t radius, float bias, float alpha,
                   float beta, float* out, cudaStream_t stream);

}  // namespace tg
