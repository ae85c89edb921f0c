#include "kernels/cuda/cudnn_util.h"

#include <algorithm>
#include <climits>

namespace tg {
namespace cudnn_util {

int Int(const OpKernelContext* ctx, int64_t v) {
  if (v > INT_MAX) throw ctx->InvalidArg("dimension " + std::to_string(v) + " is too large for cuDNN (int32 indexing)");
  return static_cast<int>(v);
}

TensorDesc::TensorDesc() { TG_CUDNN_CHECK(cudnnCreateTensorDescriptor(&d_)); }
TensorDesc::~TensorDesc() { cudnnDestroyTensorDescriptor(d_); }

void TensorDesc::Set(cudnnDataType_t t, int n, int c, int h, int w, int sn, int sc, int sh, int sw) {
  TG_CUDNN_CHECK(cudnnSetTensor4dDescriptorEx(d_, t, n, c, h, w, sn, sc, sh, sw));
}

void TensorDesc::Set(cudnnDataType_t t, Format f, int n, int c, int h, int w) {
  if (f == Format::kNHWC) Set(t, n, c, h, w, h * w * c, 1, w * c, c);
  else Set(t, n, c, h, w, c * h * w, h * w, w, 1);
}

void TensorDesc::SetVector(cudnnDataType_t t, int c) { Set(t, 1, c, 1, 1, c, 1, 1, 1); }

FilterDesc::FilterDesc() { TG_CUDNN_CHECK(cudnnCreateFilterDescriptor(&d_)); }
FilterDesc::~FilterDesc() { cudnnDestroyFilterDescriptor(d_); }

void FilterDesc::Set(cudnnDataType_t t, Format f, int k, int c, int r, int s) {
  TG_CUDNN_CHECK(cudnnSetFilter4dDescriptor(d_, t, f == Format::kNHWC ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW, k, c, r, s));
}

void SetHwioView(TensorDesc& d, cudnnDataType_t t, int r, int s, int c, int k) {
  // HWIO: k is innermost, then c, then s, then r.
  d.Set(t, k, c, r, s, /*sn=*/1, /*sc=*/k, /*sh=*/s * c * k, /*sw=*/c * k);
}

CudnnHandle::CudnnHandle(GpuDevice* gpu) : gpu_(gpu), lock_(gpu->state()->cudnn_mu) {
  TG_CUDNN_CHECK(cudnnSetStream(gpu->state()->cudnn, gpu->stream()));
}

Workspace AllocateWorkspace(OpKernelContext* ctx, size_t bytes) {
  Workspace w;
  if (bytes == 0) return w;
  w.t = ctx->allocate_temp(DataType::DT_UINT8, {static_cast<int64_t>(bytes)});
  w.ptr = w.t.raw();
  w.bytes = bytes;
  return w;
}

}  // namespace cudnn_util
}  // namespace tg
