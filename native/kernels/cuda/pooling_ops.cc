// MaxPool, AvgPool, MaxPoolGrad and AvgPoolGrad on cuDNN, float32, NHWC or NCHW (as the CPU
// kernels in kernels/cpu/pooling_ops.cc: same attrs, checks and messages).
// TF's SAME padding may be asymmetric (one more row/column after than before); cuDNN pads
// symmetrically. As TF's DnnPoolingOp, cuDNN gets the padding before and TF's output size: the
// last window then reaches past the symmetric padding, and cuDNN clips every window to the
// input, so padding never wins a max and is not counted in an average
// (CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, TF's SAME average).
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // cuDNN 9 marks the legacy API deprecated; TF uses it

#include <string>
#include <vector>

#include "kernels/cuda/cudnn_util.h"

namespace tg {
namespace {

using namespace cudnn_util;  // NOLINT

enum class Kind { kMax, kAvg, kMaxGrad, kAvgGrad };

struct PoolAttrs {
  Format format;
  Padding padding;
  HW ksize, strides;
};

PoolAttrs ReadPoolAttrs(const Node& node) {
  PoolAttrs a;
  a.format = ParseFormat(node);
  a.padding = ParsePadding(node);
  if (a.padding == Padding::kExplicit) throw InvalidArgument("Pooling does not support EXPLICIT padding", node.name);
  const std::vector<int64_t>& k = node.AttrInts("ksize");
  const std::vector<int64_t>& s = node.AttrInts("strides");
  if (k.size() != 4) throw InvalidArgument("Sliding window ksize field must specify 4 dimensions", node.name);
  if (s.size() != 4) throw InvalidArgument("Sliding window stride field must specify 4 dimensions", node.name);
  if (k[0] != 1 || s[0] != 1) throw Error(Code::kUnimplemented, "Pooling is not yet supported on the batch dimension.", node.name);
  const int c = CIdx(a.format);
  if (k[c] != 1 || s[c] != 1) {
    throw Error(Code::kUnimplemented, "Pooling over the depth dimension is not supported (ksize and strides must be 1 there).", node.name);
  }
  a.ksize = {k[HIdx(a.format)], k[WIdx(a.format)]};
  a.strides = {s[HIdx(a.format)], s[WIdx(a.format)]};
  if (a.ksize.h <= 0 || a.ksize.w <= 0) throw InvalidArgument("Sliding window ksize for dimension must be positive", node.name);
  return a;
}

class PoolingDesc {
 public:
  PoolingDesc() { TG_CUDNN_CHECK(cudnnCreatePoolingDescriptor(&d_)); }
  ~PoolingDesc() { cudnnDestroyPoolingDescriptor(d_); }
  PoolingDesc(const PoolingDesc&) = delete;
  PoolingDesc& operator=(const PoolingDesc&) = delete;
  cudnnPoolingDescriptor_t get() const { return d_; }

 private:
  cudnnPoolingDescriptor_t d_ = nullptr;
};

class PoolGpuOp : public OpKernel {
 public:
  PoolGpuOp(const KernelConstruction& c, Kind kind) : OpKernel(c), kind_(kind), a_(ReadPoolAttrs(c.node)) {}

  void Compute(OpKernelContext* ctx) const override {
    if (kind_ == Kind::kMax || kind_ == Kind::kAvg) Forward(ctx);
    else Backward(ctx);
  }

 private:
  struct Geometry {
    int64_t n, ih, iw, c, oh, ow;
    Window wh, ww;
  };

  Geometry Geom(const OpKernelContext* ctx, const Shape& in) const {
    if (in.size() != 4) throw ctx->InvalidArg("input must be 4-dimensional");
    Geometry g;
    g.n = in[0];
    g.ih = in[HIdx(a_.format)];
    g.iw = in[WIdx(a_.format)];
    g.c = in[CIdx(a_.format)];
    g.wh = ComputeWindow(ctx, g.ih, a_.ksize.h, 1, a_.strides.h, a_.padding);
    g.ww = ComputeWindow(ctx, g.iw, a_.ksize.w, 1, a_.strides.w, a_.padding);
    g.oh = g.wh.out;
    g.ow = g.ww.out;
    return g;
  }

  Shape OutShape(const Geometry& g) const {
    return a_.format == Format::kNHWC ? Shape{g.n, g.oh, g.ow, g.c} : Shape{g.n, g.c, g.oh, g.ow};
  }

  bool IsMax() const { return kind_ == Kind::kMax || kind_ == Kind::kMaxGrad; }

  void MakeDescs(const OpKernelContext* ctx, const Geometry& g, PoolingDesc& p, TensorDesc& x, TensorDesc& y) const {
    const cudnnPoolingMode_t mode = IsMax() ? CUDNN_POOLING_MAX : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
    TG_CUDNN_CHECK(cudnnSetPooling2dDescriptor(p.get(), mode, CUDNN_NOT_PROPAGATE_NAN, Int(ctx, a_.ksize.h), Int(ctx, a_.ksize.w),
                                               Int(ctx, g.wh.pad_before), Int(ctx, g.ww.pad_before), Int(ctx, a_.strides.h),
                                               Int(ctx, a_.strides.w)));
    x.Set(CUDNN_DATA_FLOAT, a_.format, Int(ctx, g.n), Int(ctx, g.c), Int(ctx, g.ih), Int(ctx, g.iw));
    y.Set(CUDNN_DATA_FLOAT, a_.format, Int(ctx, g.n), Int(ctx, g.c), Int(ctx, g.oh), Int(ctx, g.ow));
  }

  void Forward(OpKernelContext* ctx) const {
    const Tensor& x = ctx->input(0);
    const Geometry g = Geom(ctx, x.shape());
    GpuDevice* gpu = GpuOf(ctx);
    Tensor& y = ctx->allocate_output(0, DataType::DT_FLOAT, OutShape(g));
    if (y.num_elements() == 0) return;
    PoolingDesc p;
    TensorDesc xd, yd;
    MakeDescs(ctx, g, p, xd, yd);
    CudnnHandle h(gpu);
    const float one = 1, zero = 0;
    TG_CUDNN_CHECK(cudnnPoolingForward(h.get(), p.get(), &one, xd.get(), x.raw(), &zero, yd.get(), y.raw()));
  }

  // MaxPoolGrad(orig_input, orig_output, grad) / AvgPoolGrad(orig_input_shape, grad).
  void Backward(OpKernelContext* ctx) const {
    const bool max = kind_ == Kind::kMaxGrad;
    const Shape in_shape = max ? ctx->input(0).shape() : ShapeFromTensor(ctx, ctx->input(0), "orig_input_shape");
    if (!max && in_shape.size() != 4) throw ctx->InvalidArg("orig_input_shape must have 4 elements");
    const Tensor& dy = ctx->input(max ? 2 : 1);
    const Geometry g = Geom(ctx, in_shape);
    if (dy.shape() != OutShape(g)) {
      throw ctx->InvalidArg("Expected grad shape to be " + ShapeString(OutShape(g)) + ", but got " + ShapeString(dy.shape()));
    }
    if (max && ctx->input(1).shape() != OutShape(g)) {
      throw ctx->InvalidArg("Expected orig_output shape to be " + ShapeString(OutShape(g)) + ", but got " + ShapeString(ctx->input(1).shape()));
    }
    GpuDevice* gpu = GpuOf(ctx);
    Tensor& dx = ctx->allocate_output(0, DataType::DT_FLOAT, in_shape);
    if (dx.num_elements() == 0) return;
    if (dy.num_elements() == 0) {
      TG_CUDA_CHECK(cudaMemsetAsync(dx.raw(), 0, dx.num_elements() * sizeof(float), gpu->stream()));
      return;
    }
    PoolingDesc p;
    TensorDesc xd, yd;
    MakeDescs(ctx, g, p, xd, yd);
    // Average pooling reads neither x nor y, but cuDNN takes them: y is given dy, x a scratch
    // tensor (never the output, which cuDNN writes).
    Tensor x_scratch;
    const void* x = nullptr;
    const void* y = nullptr;
    if (max) {
      x = ctx->input(0).raw();
      y = ctx->input(1).raw();
    } else {
      x_scratch = ctx->allocate_temp(DataType::DT_FLOAT, in_shape);
      x = x_scratch.raw();
      y = dy.raw();
    }
    CudnnHandle h(gpu);
    const float one = 1, zero = 0;
    TG_CUDNN_CHECK(cudnnPoolingBackward(h.get(), p.get(), &one, yd.get(), y, yd.get(), dy.raw(), xd.get(), x, &zero, xd.get(),
                                        dx.raw()));
  }

  Kind kind_;
  PoolAttrs a_;
};

void Reg(const char* op, Kind kind, std::vector<int> host_inputs) {
  register_kernel::Name def(op);
  def.Device(DEVICE_GPU).TypeConstraint("T", DataType::DT_FLOAT);
  for (int i : host_inputs) def.HostMemoryInput(i);
  RegisterKernel(def, [kind](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new PoolGpuOp(c, kind)); });
}

const bool registered = [] {
  Reg("MaxPool", Kind::kMax, {});
  Reg("AvgPool", Kind::kAvg, {});
  Reg("MaxPoolGrad", Kind::kMaxGrad, {});
  Reg("AvgPoolGrad", Kind::kAvgGrad, {0});  // orig_input_shape
  return true;
}();

}  // namespace
}  // namespace tg
