// GPU Softmax and LogSoftmax over the last dimension (float, double): the tensor is seen as
// [rows, cols]; one warp per row (cols <= 1024) or one block per row, each row shifted by its
// max for stability, as the CPU kernels.
#include <algorithm>
#include <limits>

#include "kernels/cuda/block_reduce.cuh"
#include "kernels/cuda/gpu_device.h"
#include "kernels/cuda/gpu_util.h"
#include "runtime/kernel.h"

namespace tg {
namespace {

using namespace gpu;

__device__ __forceinline__ float DExp(float x) { return expf(x); }
__device__ __forceinline__ double DExp(double x) { return exp(x); }
__device__ __forceinline__ float DLog(float x) { return logf(x); }
__device__ __forceinline__ double DLog(double x) { return log(x); }

template <typename T, bool kBlock, bool kLog>
__global__ void SoftmaxKernel(const T* __restrict__ in, T* __restrict__ out, int64_t rows, int64_t cols) {
  __shared__ T shared[kWarp];
  const int lane = RowLane<kBlock>(), step = RowStep<kBlock>();
  for (int64_t row = RowFirst<kBlock>(); row < rows; row += RowStride<kBlock>()) {
    const T* x = in + row * cols;
    T* y = out + row * cols;
    T mx = MaxR<T>::Init();
    for (int64_t k = lane; k < cols; k += step) mx = MaxR<T>::Op(mx, x[k]);
    mx = GroupReduce<kBlock, MaxR<T>>(mx, shared);
    T sum = 0;
    for (int64_t k = lane; k < cols; k += step) {
      const T e = DExp(x[k] - mx);
      sum += e;
      if (!kLog) y[k] = e;
    }
    sum = GroupReduce<kBlock, SumR<T>>(sum, shared);
    if (kLog) {
      const T lse = DLog(sum);
      for (int64_t k = lane; k < cols; k += step) y[k] = x[k] - mx - lse;
    } else {
      const T inv = T(1) / sum;
      for (int64_t k = lane; k < cols; k += step) y[k] *= inv;  // this thread wrote y[k] above
    }
  }
}

template <typename T, bool kLog>
void LaunchSoftmax(cudaStream_t s, const T* in, T* out, int64_t rows, int64_t cols) {
  if (cols <= 1024) {
    const int64_t warps_per_block = kThreadsPerBlock / kWarp;
    const unsigned blocks = static_cast<unsigned>(std::min<int64_t>((rows + warps_per_block - 1) / warps_per_block, 132 * 32));
    SoftmaxKernel<T, false, kLog><<<blocks, kThreadsPerBlock, 0, s>>>(in, out, rows, cols);
  } else {
    const unsigned blocks = static_cast<unsigned>(std::min<int64_t>(rows, 132 * 16));
    SoftmaxKernel<T, true, kLog><<<blocks, kThreadsPerBlock, 0, s>>>(in, out, rows, cols);
  }
  TG_CUDA_LAUNCH_CHECK();
}

template <typename T, bool kLog>
class GpuSoftmaxOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& x = ctx->input(0);
    if (x.dims() < 1) throw ctx->InvalidArg("logits must have >= 1 dimension, got " + ShapeString(x.shape()));
    GpuDevice* gpu = GpuOf(ctx);
    Tensor& y = ctx->allocate_output(0, x.dtype(), x.shape());
    const int64_t cols = x.dim(x.dims() - 1);
    if (x.num_elements() == 0) return;
    LaunchSoftmax<T, kLog>(gpu->stream(), x.data<T>(), y.data<T>(), x.num_elements() / cols, cols);
  }
};

template <typename T> using SoftmaxK = GpuSoftmaxOp<T, false>;
template <typename T> using LogSoftmaxK = GpuSoftmaxOp<T, true>;

TG_REGISTER_KERNEL_FOR_TYPES(Name("Softmax").Device(DEVICE_GPU), "T", SoftmaxK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("LogSoftmax").Device(DEVICE_GPU), "T", LogSoftmaxK, float, double);

}  // namespace
}  // namespace tg
