// GPU fused softmax cross-entropy (float, double), as the CPU kernels: per row of logits,
// loss = logsumexp(logits) - sum(labels * logits) and backprop = softmax - labels, from
// max-shifted logits. One warp per row (classes <= 1024) or one block per row.
//
// SparseSoftmaxCrossEntropyWithLogits: the labels (int32 or int64; the registry keys on T
// only, so both) are host memory: they are checked on the host with the CPU kernel's error
// and copied to a device temp. Should labels ever arrive in device memory (int64, if the
// registration changes), they cannot be checked before launching: a row with an
// out-of-range label gets NaN loss and backprop, as TF's GPU kernel, and nothing is read
// out of bounds.
#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

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

// Per-row / per-column element strides of an input broadcast to [rows, cols] (0 = broadcast).
struct Strides2D {
  int64_t row = 0, col = 0;
};

template <typename T, bool kBlock>
__global__ void XentKernel(const T* __restrict__ logits, Strides2D sl, const T* __restrict__ labels, Strides2D sb,
                           int64_t rows, int64_t cols, T* __restrict__ loss, T* __restrict__ backprop) {
  __shared__ T shared[kWarp];
  const int lane = RowLane<kBlock>(), step = RowStep<kBlock>();
  for (int64_t row = RowFirst<kBlock>(); row < rows; row += RowStride<kBlock>()) {
    const T* l = logits + row * sl.row;
    const T* z = labels + row * sb.row;
    T* g = backprop + row * cols;
    T mx = MaxR<T>::Init();
    for (int64_t j = lane; j < cols; j += step) mx = MaxR<T>::Op(mx, l[j * sl.col]);
    mx = GroupReduce<kBlock, MaxR<T>>(mx, shared);
    T sum = 0;
    for (int64_t j = lane; j < cols; j += step) sum += (g[j] = DExp(l[j * sl.col] - mx));
    sum = GroupReduce<kBlock, SumR<T>>(sum, shared);
    const T lse = DLog(sum);
    T acc = 0;
    for (int64_t j = lane; j < cols; j += step) {
      const T zj = z[j * sb.col];
      acc += zj * (lse - (l[j * sl.col] - mx));
      g[j] = g[j] / sum - zj;
    }
    acc = GroupReduce<kBlock, SumR<T>>(acc, shared);
    if (lane == 0) loss[row] = acc;
  }
}

template <typename T, bool kBlock>
__global__ void SparseXentKernel(const T* __restrict__ logits, const int64_t* __restrict__ labels, int64_t rows,
                                 int64_t cols, T* __restrict__ loss, T* __restrict__ backprop) {
  __shared__ T shared[kWarp];
  const int lane = RowLane<kBlock>(), step = RowStep<kBlock>();
  for (int64_t row = RowFirst<kBlock>(); row < rows; row += RowStride<kBlock>()) {
    const T* l = logits + row * cols;
    T* g = backprop + row * cols;
    const int64_t label = labels[row];
    if (label < 0 || label >= cols) {  // uniform over the row's threads
      const T nan = std::numeric_limits<T>::quiet_NaN();
      for (int64_t j = lane; j < cols; j += step) g[j] = nan;
      if (lane == 0) loss[row] = nan;
      continue;
    }
    T mx = MaxR<T>::Init();
    for (int64_t j = lane; j < cols; j += step) mx = MaxR<T>::Op(mx, l[j]);
    mx = GroupReduce<kBlock, MaxR<T>>(mx, shared);
    T sum = 0;
    for (int64_t j = lane; j < cols; j += step) sum += (g[j] = DExp(l[j] - mx));
    sum = GroupReduce<kBlock, SumR<T>>(sum, shared);
    for (int64_t j = lane; j < cols; j += step) g[j] = g[j] / sum - (j == label ? T(1) : T(0));
    if (lane == 0) loss[row] = DLog(sum) - (l[label] - mx);
  }
}

// Blocks for one warp per row, or one block per row.
unsigned RowBlocks(int64_t rows, bool block_per_row) {
  if (block_per_row) return static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(rows, 132 * 16)));
  const int64_t warps_per_block = kThreadsPerBlock / kWarp;
  return static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>((rows + warps_per_block - 1) / warps_per_block, 132 * 32)));
}

template <typename T>
class GpuSoftmaxXentOp : public OpKernel {
 public:
  explicit GpuSoftmaxXentOp(const KernelConstruction& c) : OpKernel(c, 2) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& logits = ctx->input(0);
    const Tensor& labels = ctx->input(1);
    const Shape& a = logits.shape();
    const Shape& b = labels.shape();
    const size_t r = std::max(a.size(), b.size());
    Shape out(r);
    for (size_t i = 0; i < r; i++) {
      const int64_t da = i + a.size() >= r ? a[i + a.size() - r] : 1;
      const int64_t db = i + b.size() >= r ? b[i + b.size() - r] : 1;
      if (da != db && da != 1 && db != 1) {
        throw ctx->InvalidArg("logits and labels must be broadcastable: logits_size=" + ShapeString(a) +
                              " labels_size=" + ShapeString(b));
      }
      out[i] = da == 1 ? db : da;
    }
    if (r != 2) {
      throw ctx->InvalidArg("logits and labels must be either 2-dimensional, or broadcasted to be 2-dimensional");
    }
    const int64_t rows = out[0], cols = out[1];
    const Strides2D sl = StridesOf(a, rows, cols), sb = StridesOf(b, rows, cols);
    GpuDevice* gpu = GpuOf(ctx);
    cudaStream_t s = gpu->stream();
    Tensor& loss = ctx->allocate_output(0, logits.dtype(), {rows});
    Tensor& backprop = ctx->allocate_output(1, logits.dtype(), {rows, cols});
    if (rows == 0) return;
    if (cols == 0) {  // no classes: zero loss (the CPU's loop gives 0)
      TG_CUDA_CHECK(cudaMemsetAsync(loss.raw(), 0, rows * sizeof(T), s));
      return;
    }
    const bool block = cols > 1024;
    if (block) {
      XentKernel<T, true><<<RowBlocks(rows, true), kThreadsPerBlock, 0, s>>>(
          logits.data<T>(), sl, labels.data<T>(), sb, rows, cols, loss.data<T>(), backprop.data<T>());
    } else {
      XentKernel<T, false><<<RowBlocks(rows, false), kThreadsPerBlock, 0, s>>>(
          logits.data<T>(), sl, labels.data<T>(), sb, rows, cols, loss.data<T>(), backprop.data<T>());
    }
    TG_CUDA_LAUNCH_CHECK();
  }

 private:
  static Strides2D StridesOf(const Shape& s, int64_t rows, int64_t cols) {
    Strides2D st;
    const int64_t c = s.empty() ? 1 : s.back();
    const int64_t rr = s.size() < 2 ? 1 : s[s.size() - 2];
    st.col = (c == 1 && cols != 1) ? 0 : 1;
    st.row = (rr == 1 && rows != 1) ? 0 : c;
    return st;
  }
};

// TF's CheckInvalidLabelIndex message (as the CPU kernel), labels on the host.
void CheckLabels(const OpKernelContext* ctx, const std::vector<int64_t>& labels, int64_t num_classes) {
  if (labels.empty()) return;
  auto [mn, mx] = std::minmax_element(labels.begin(), labels.end());
  if (*mn >= 0 && *mx < num_classes) return;
  const int64_t bad = *mn < 0 ? *mn : *mx;
  std::ostringstream os;
  os << "Received a label value of " << bad << " which is outside the valid range of [0, " << num_classes
     << ").  Label values:";
  for (int64_t v : labels) os << ' ' << v;
  throw ctx->InvalidArg(os.str());
}

template <typename T>
class GpuSparseSoftmaxXentOp : public OpKernel {
 public:
  explicit GpuSparseSoftmaxXentOp(const KernelConstruction& c) : OpKernel(c, 2) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& logits = ctx->input(0);
    const Tensor& labels = ctx->input(1);
    if (logits.dims() != 2) throw ctx->InvalidArg("logits must be 2-D, but got shape " + ShapeString(logits.shape()));
    if (labels.dims() != 1) throw ctx->InvalidArg("labels must be 1-D, but got shape " + ShapeString(labels.shape()));
    if (logits.dim(0) != labels.dim(0)) {
      throw ctx->InvalidArg("logits and labels must have the same first dimension, got logits shape " +
                            ShapeString(logits.shape()) + " and labels shape " + ShapeString(labels.shape()));
    }
    const int64_t rows = logits.dim(0), cols = logits.dim(1);
    if (rows > 0 && cols == 0) {
      throw ctx->InvalidArg("Must have at least one class, but got logits shape " + ShapeString(logits.shape()));
    }
    const bool i64 = labels.dtype() == DataType::DT_INT64;
    if (!i64 && labels.dtype() != DataType::DT_INT32) {
      throw ctx->InvalidArg("labels must be int32 or int64, got " + DataTypeName(labels.dtype()));
    }
    GpuDevice* gpu = GpuOf(ctx);
    cudaStream_t s = gpu->stream();
    Tensor device_labels;
    const int64_t* plabels;
    if (labels.on_device()) {
      if (!i64) throw Error(Code::kInternal, "int32 labels must be in host memory", ctx->node().name);
      plabels = labels.data<int64_t>();  // unchecked: the kernel writes NaN rows for bad labels
    } else {
      std::vector<int64_t> host(static_cast<size_t>(rows));
      for (int64_t i = 0; i < rows; i++) host[i] = i64 ? labels.data<int64_t>()[i] : labels.data<int32_t>()[i];
      CheckLabels(ctx, host, cols);
      if (rows > 0) {
        device_labels = ctx->allocate_temp(DataType::DT_INT64, {rows});
        // From pageable memory this returns once `host` is staged, so it may be freed after.
        TG_CUDA_CHECK(cudaMemcpyAsync(device_labels.raw(), host.data(), rows * sizeof(int64_t), cudaMemcpyHostToDevice, s));
      }
      plabels = device_labels.data<int64_t>();
    }
    Tensor& loss = ctx->allocate_output(0, logits.dtype(), {rows});
    Tensor& backprop = ctx->allocate_output(1, logits.dtype(), {rows, cols});
    if (rows == 0) return;
    if (cols > 1024) {
      SparseXentKernel<T, true><<<RowBlocks(rows, true), kThreadsPerBlock, 0, s>>>(logits.data<T>(), plabels, rows, cols,
                                                                                  loss.data<T>(), backprop.data<T>());
    } else {
      SparseXentKernel<T, false><<<RowBlocks(rows, false), kThreadsPerBlock, 0, s>>>(logits.data<T>(), plabels, rows,
                                                                                    cols, loss.data<T>(), backprop.data<T>());
    }
    TG_CUDA_LAUNCH_CHECK();
  }
};

TG_REGISTER_KERNEL_FOR_TYPES(Name("SoftmaxCrossEntropyWithLogits").Device(DEVICE_GPU), "T", GpuSoftmaxXentOp, float, double);
// Labels (input 1) in host memory: checked there with the CPU kernel's error.
TG_REGISTER_KERNEL_FOR_TYPES(Name("SparseSoftmaxCrossEntropyWithLogits").Device(DEVICE_GPU).HostMemoryInput(1), "T", GpuSparseSoftmaxXentOp, float, double);

}  // namespace
}  // namespace tg
