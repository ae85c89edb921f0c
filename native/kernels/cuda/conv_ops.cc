// Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter on cuDNN, float32 (as the CPU kernels
// in kernels/cpu/conv_ops.cc: same attrs, shape rules and messages).
//  - Data stays in its TF layout: NHWC maps to cuDNN's NHWC tensors (no transposes), NCHW to NCHW.
//  - TF's HWIO filter is not a cuDNN layout: it is copied to KRSC (NHWC) / KCRS (NCHW) with
//    cudnnTransformTensor (and the filter gradient back).
//  - cuDNN pads symmetrically only. When TF's padding is asymmetric (SAME with an odd total
//    padding, EXPLICIT), the input is copied into a zero-padded buffer and the convolution runs
//    unpadded, as TF does; the input gradient is then computed for the padded buffer and its
//    interior copied out.
//  - Algorithms come from cuDNN's heuristics (no benchmarking), FMA math only (no TF32, so the
//    numerics stay close to the CPU's), cached per shape in the kernel.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // cuDNN 9 marks the legacy API deprecated; TF uses it

#include <string>
#include <vector>

#include "kernels/cuda/cudnn_util.h"

namespace tg {
namespace {

using namespace cudnn_util;  // NOLINT

enum class Kind { kForward, kBackpropInput, kBackpropFilter };

struct Geometry {
  int64_t n, ih, iw, ic;
  int64_t kh, kw, fi, fo;
  int64_t oh, ow, oc;
  Window wh, ww;
  bool Symmetric() const { return wh.pad_before == wh.pad_after && ww.pad_before == ww.pad_after; }
  // The input as cuDNN sees it: padded explicitly when the padding is asymmetric.
  int64_t ph() const { return Symmetric() ? ih : ih + wh.pad_before + wh.pad_after; }
  int64_t pw() const { return Symmetric() ? iw : iw + ww.pad_before + ww.pad_after; }
};

class ConvGpuOp : public OpKernel {
 public:
  ConvGpuOp(const KernelConstruction& c, Kind kind)
      : OpKernel(c), kind_(kind), format_(ParseFormat(c.node)), padding_(ParsePadding(c.node)) {
    strides_ = SpatialAttr(c.node, "strides", format_, "strides");
    dilations_ = SpatialAttr(c.node, "dilations", format_, "dilations", /*required=*/false);
    if (padding_ == Padding::kExplicit) {
      const AttrValue* a = c.node.FindAttr("explicit_paddings");
      const std::vector<int64_t> p = a ? a->list_i : std::vector<int64_t>{};
      if (p.size() != 8) throw InvalidArgument("explicit_paddings attribute must contain 8 values, but got: " + std::to_string(p.size()), c.node.name);
      const int h = HIdx(format_), w = WIdx(format_), n = 0, ch = CIdx(format_);
      if (p[2 * n] || p[2 * n + 1] || p[2 * ch] || p[2 * ch + 1]) {
        throw InvalidArgument("Nonzero explicit padding in the batch or depth dimensions is not supported", c.node.name);
      }
      explicit_ = {p[2 * h], p[2 * h + 1], p[2 * w], p[2 * w + 1]};
      for (int64_t v : explicit_) {
        if (v < 0) throw InvalidArgument("All elements of explicit_paddings must be nonnegative", c.node.name);
      }
    }
    prefix_ = kind_ == Kind::kForward ? "" : c.node.op + ": ";
  }

  void Compute(OpKernelContext* ctx) const override {
    switch (kind_) {
      case Kind::kForward: return Forward(ctx);
      case Kind::kBackpropInput: return BackpropInput(ctx);
      case Kind::kBackpropFilter: return BackpropFilter(ctx);
    }
  }

 private:
  Shape DataShape(int64_t n, int64_t h, int64_t w, int64_t c) const {
    return format_ == Format::kNHWC ? Shape{n, h, w, c} : Shape{n, c, h, w};
  }

  Geometry Geom(const OpKernelContext* ctx, const Shape& input, const Shape& filter) const {
    if (input.size() != 4) throw ctx->InvalidArg(prefix_ + "input must be 4-dimensional" + ShapeString(input));
    if (filter.size() != 4) throw ctx->InvalidArg(prefix_ + "filter must be 4-dimensional: " + ShapeString(filter));
    Geometry g;
    g.n = input[0];
    g.ih = input[HIdx(format_)];
    g.iw = input[WIdx(format_)];
    g.ic = input[CIdx(format_)];
    g.kh = filter[0];
    g.kw = filter[1];
    g.fi = filter[2];
    g.fo = filter[3];
    if (g.ic != g.fi) {
      throw ctx->InvalidArg(prefix_ + "input and filter must have the same depth: " + std::to_string(g.ic) + " vs " + std::to_string(g.fi));
    }
    g.oc = g.fo;
    g.wh = ComputeWindow(ctx, g.ih, g.kh, dilations_.h, strides_.h, padding_, explicit_[0], explicit_[1]);
    g.ww = ComputeWindow(ctx, g.iw, g.kw, dilations_.w, strides_.w, padding_, explicit_[2], explicit_[3]);
    g.oh = g.wh.out;
    g.ow = g.ww.out;
    return g;
  }

  void CheckOutBackprop(const OpKernelContext* ctx, const Geometry& g, const Shape& dy) const {
    if (dy.size() != 4) throw ctx->InvalidArg(prefix_ + "out_backprop must be 4-dimensional");
    if (dy[0] != g.n) throw ctx->InvalidArg(prefix_ + "input and out_backprop must have the same batch size");
    if (dy[CIdx(format_)] != g.oc) throw ctx->InvalidArg(prefix_ + "filter and out_backprop must have the same out_depth");
    const int64_t actual[2] = {dy[HIdx(format_)], dy[WIdx(format_)]};
    const int64_t computed[2] = {g.oh, g.ow};
    const int64_t in[2] = {g.ih, g.iw}, k[2] = {g.kh, g.kw}, s[2] = {strides_.h, strides_.w}, d[2] = {dilations_.h, dilations_.w};
    for (int i = 0; i < 2; i++) {
      if (actual[i] != computed[i]) {
        throw ctx->InvalidArg(prefix_ + "Size of out_backprop doesn't match computed: actual = " + std::to_string(actual[i]) +
                              ", computed = " + std::to_string(computed[i]) + " spatial_dim: " + std::to_string(i + 1) +
                              " input: " + std::to_string(in[i]) + " filter: " + std::to_string(k[i]) +
                              " output: " + std::to_string(actual[i]) + " stride: " + std::to_string(s[i]) +
                              " dilation: " + std::to_string(d[i]));
      }
    }
  }

  // Descriptors of one convolution: x is the (maybe padded) input, w the filter in cuDNN's
  // layout, y the output.
  struct Descs {
    TensorDesc x, y;
    FilterDesc w;
    cudnnConvolutionDescriptor_t conv = nullptr;
    Descs() { TG_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&conv)); }
    ~Descs() { cudnnDestroyConvolutionDescriptor(conv); }
  };

  void MakeDescs(const OpKernelContext* ctx, const Geometry& g, Descs& d) const {
    const cudnnDataType_t t = CUDNN_DATA_FLOAT;
    d.x.Set(t, format_, Int(ctx, g.n), Int(ctx, g.ic), Int(ctx, g.ph()), Int(ctx, g.pw()));
    d.y.Set(t, format_, Int(ctx, g.n), Int(ctx, g.oc), Int(ctx, g.oh), Int(ctx, g.ow));
    d.w.Set(t, format_, Int(ctx, g.fo), Int(ctx, g.fi), Int(ctx, g.kh), Int(ctx, g.kw));
    const int pad_h = g.Symmetric() ? Int(ctx, g.wh.pad_before) : 0, pad_w = g.Symmetric() ? Int(ctx, g.ww.pad_before) : 0;
    TG_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(d.conv, pad_h, pad_w, Int(ctx, strides_.h), Int(ctx, strides_.w),
                                                   Int(ctx, dilations_.h), Int(ctx, dilations_.w), CUDNN_CROSS_CORRELATION, t));
    TG_CUDNN_CHECK(cudnnSetConvolutionMathType(d.conv, CUDNN_FMA_MATH));
    int n = 0, c = 0, h = 0, w = 0;
    TG_CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(d.conv, d.x.get(), d.w.get(), &n, &c, &h, &w));
    if (n != g.n || c != g.oc || h != g.oh || w != g.ow) {
      throw Error(Code::kInternal,
                  "cuDNN convolution output [" + std::to_string(n) + "," + std::to_string(c) + "," + std::to_string(h) + "," +
                      std::to_string(w) + "] differs from TF's " + ShapeString(DataShape(g.n, g.oh, g.ow, g.oc)),
                  ctx->node().name);
    }
  }

  std::vector<int64_t> CacheKey(const Geometry& g) const {
    return {g.n, g.ih, g.iw, g.ic, g.kh, g.kw, g.fo};
  }

  static bool UsableMath(cudnnMathType_t m) { return m == CUDNN_DEFAULT_MATH || m == CUDNN_FMA_MATH; }
  static constexpr size_t kMaxWorkspace = size_t{1} << 30;

  // TF's HWIO filter -> cuDNN's layout (a temp).
  Tensor FilterToCudnn(OpKernelContext* ctx, cudnnHandle_t h, const Geometry& g, const Tensor& filter) const {
    Tensor w = ctx->allocate_temp(DataType::DT_FLOAT, filter.shape());
    TensorDesc src, dst;
    SetHwioView(src, CUDNN_DATA_FLOAT, Int(ctx, g.kh), Int(ctx, g.kw), Int(ctx, g.fi), Int(ctx, g.fo));
    dst.Set(CUDNN_DATA_FLOAT, format_, Int(ctx, g.fo), Int(ctx, g.fi), Int(ctx, g.kh), Int(ctx, g.kw));
    const float one = 1, zero = 0;
    TG_CUDNN_CHECK(cudnnTransformTensor(h, &one, src.get(), filter.raw(), &zero, dst.get(), w.raw()));
    return w;
  }

  // A view of the unpadded input inside the padded buffer `base` (strides of the padded tensor).
  void InteriorView(const OpKernelContext* ctx, const Geometry& g, TensorDesc& d, float* base, float** interior) const {
    const int64_t ph = g.ph(), pw = g.pw(), c = g.ic;
    const int64_t top = g.wh.pad_before, left = g.ww.pad_before;
    if (format_ == Format::kNHWC) {
      d.Set(CUDNN_DATA_FLOAT, Int(ctx, g.n), Int(ctx, c), Int(ctx, g.ih), Int(ctx, g.iw), Int(ctx, ph * pw * c), 1, Int(ctx, pw * c),
            Int(ctx, c));
      *interior = base + (top * pw + left) * c;
    } else {
      d.Set(CUDNN_DATA_FLOAT, Int(ctx, g.n), Int(ctx, c), Int(ctx, g.ih), Int(ctx, g.iw), Int(ctx, c * ph * pw), Int(ctx, ph * pw),
            Int(ctx, pw), 1);
      *interior = base + top * pw + left;
    }
  }

  // The input for cuDNN: itself, or a zero-padded copy when the padding is asymmetric.
  Tensor PaddedInput(OpKernelContext* ctx, GpuDevice* gpu, cudnnHandle_t h, const Geometry& g, const Tensor& input) const {
    if (g.Symmetric()) return input;
    Tensor p = ctx->allocate_temp(DataType::DT_FLOAT, DataShape(g.n, g.ph(), g.pw(), g.ic));
    TG_CUDA_CHECK(cudaMemsetAsync(p.raw(), 0, p.num_elements() * sizeof(float), gpu->stream()));
    TensorDesc src, view;
    src.Set(CUDNN_DATA_FLOAT, format_, Int(ctx, g.n), Int(ctx, g.ic), Int(ctx, g.ih), Int(ctx, g.iw));
    float* interior = nullptr;
    InteriorView(ctx, g, view, p.data<float>(), &interior);
    const float one = 1, zero = 0;
    TG_CUDNN_CHECK(cudnnTransformTensor(h, &one, src.get(), input.raw(), &zero, view.get(), interior));
    return p;
  }

  static void Zero(GpuDevice* gpu, Tensor& t) {
    if (t.num_elements() > 0) TG_CUDA_CHECK(cudaMemsetAsync(t.raw(), 0, t.num_elements() * sizeof(float), gpu->stream()));
  }

  // ---------- Conv2D ----------

  void Forward(OpKernelContext* ctx) const {
    const Tensor& input = ctx->input(0);
    const Tensor& filter = ctx->input(1);
    const Geometry g = Geom(ctx, input.shape(), filter.shape());
    GpuDevice* gpu = GpuOf(ctx);
    Tensor& out = ctx->allocate_output(0, DataType::DT_FLOAT, DataShape(g.n, g.oh, g.ow, g.oc));
    if (out.num_elements() == 0) return;
    if (input.num_elements() == 0 || filter.num_elements() == 0) return Zero(gpu, out);
    Descs d;
    MakeDescs(ctx, g, d);
    CudnnHandle h(gpu);
    Tensor x = PaddedInput(ctx, gpu, h.get(), g, input);
    Tensor w = FilterToCudnn(ctx, h.get(), g, filter);
    int algo = 0;
    if (!fwd_algos_.Find(CacheKey(g), &algo)) {
      cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
      int count = 0;
      TG_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(h.get(), d.x.get(), d.w.get(), d.conv, d.y.get(),
                                                            CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &count, perf));
      algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;  // always supported, no workspace
      for (int i = 0; i < count; i++) {
        if (perf[i].status == CUDNN_STATUS_SUCCESS && UsableMath(perf[i].mathType) && perf[i].memory <= kMaxWorkspace) {
          algo = perf[i].algo;
          break;
        }
      }
      fwd_algos_.Put(CacheKey(g), algo);
    }
    const auto a = static_cast<cudnnConvolutionFwdAlgo_t>(algo);
    size_t bytes = 0;
    TG_CUDNN_CHECK(cudnnGetConvolutionForwardWorkspaceSize(h.get(), d.x.get(), d.w.get(), d.conv, d.y.get(), a, &bytes));
    Workspace ws = AllocateWorkspace(ctx, bytes);
    const float one = 1, zero = 0;
    TG_CUDNN_CHECK(cudnnConvolutionForward(h.get(), &one, d.x.get(), x.raw(), d.w.get(), w.raw(), d.conv, a, ws.ptr, ws.bytes,
                                           &zero, d.y.get(), out.raw()));
  }

  // ---------- Conv2DBackpropInput ----------

  void BackpropInput(OpKernelContext* ctx) const {
    const Shape in_shape = ShapeFromTensor(ctx, ctx->input(0), prefix_ + "input_sizes input");
    const Tensor& filter = ctx->input(1);
    const Tensor& dy = ctx->input(2);
    if (in_shape.size() != 4) throw ctx->InvalidArg(prefix_ + "input must be 4-dimensional");
    const Geometry g = Geom(ctx, in_shape, filter.shape());
    CheckOutBackprop(ctx, g, dy.shape());
    GpuDevice* gpu = GpuOf(ctx);
    Tensor& dx = ctx->allocate_output(0, DataType::DT_FLOAT, in_shape);
    if (dx.num_elements() == 0) return;
    if (dy.num_elements() == 0 || filter.num_elements() == 0) return Zero(gpu, dx);
    Descs d;
    MakeDescs(ctx, g, d);
    CudnnHandle h(gpu);
    Tensor w = FilterToCudnn(ctx, h.get(), g, filter);
    // The gradient of the (maybe padded) input; the interior is dx.
    Tensor dxp = g.Symmetric() ? dx : ctx->allocate_temp(DataType::DT_FLOAT, DataShape(g.n, g.ph(), g.pw(), g.ic));
    int algo = 0;
    if (!bwd_data_algos_.Find(CacheKey(g), &algo)) {
      cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
      int count = 0;
      TG_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(h.get(), d.w.get(), d.y.get(), d.conv, d.x.get(),
                                                                 CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &count, perf));
      algo = CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
      for (int i = 0; i < count; i++) {
        if (perf[i].status == CUDNN_STATUS_SUCCESS && UsableMath(perf[i].mathType) && perf[i].memory <= kMaxWorkspace) {
          algo = perf[i].algo;
          break;
        }
      }
      bwd_data_algos_.Put(CacheKey(g), algo);
    }
    const auto a = static_cast<cudnnConvolutionBwdDataAlgo_t>(algo);
    size_t bytes = 0;
    TG_CUDNN_CHECK(cudnnGetConvolutionBackwardDataWorkspaceSize(h.get(), d.w.get(), d.y.get(), d.conv, d.x.get(), a, &bytes));
    Workspace ws = AllocateWorkspace(ctx, bytes);
    const float one = 1, zero = 0;
    TG_CUDNN_CHECK(cudnnConvolutionBackwardData(h.get(), &one, d.w.get(), w.raw(), d.y.get(), dy.raw(), d.conv, a, ws.ptr,
                                                ws.bytes, &zero, d.x.get(), dxp.raw()));
    if (!g.Symmetric()) {
      TensorDesc view, dst;
      float* interior = nullptr;
      InteriorView(ctx, g, view, dxp.data<float>(), &interior);
      dst.Set(CUDNN_DATA_FLOAT, format_, Int(ctx, g.n), Int(ctx, g.ic), Int(ctx, g.ih), Int(ctx, g.iw));
      TG_CUDNN_CHECK(cudnnTransformTensor(h.get(), &one, view.get(), interior, &zero, dst.get(), dx.raw()));
    }
  }

  // ---------- Conv2DBackpropFilter ----------

  void BackpropFilter(OpKernelContext* ctx) const {
    const Tensor& input = ctx->input(0);
    const Shape f_shape = ShapeFromTensor(ctx, ctx->input(1), prefix_ + "filter_sizes input");
    const Tensor& dy = ctx->input(2);
    if (f_shape.size() != 4) throw ctx->InvalidArg(prefix_ + "filter must be 4-dimensional");
    const Geometry g = Geom(ctx, input.shape(), f_shape);
    CheckOutBackprop(ctx, g, dy.shape());
    GpuDevice* gpu = GpuOf(ctx);
    Tensor& dw = ctx->allocate_output(0, DataType::DT_FLOAT, f_shape);
    if (dw.num_elements() == 0) return;
    if (dy.num_elements() == 0 || input.num_elements() == 0) return Zero(gpu, dw);
    Descs d;
    MakeDescs(ctx, g, d);
    CudnnHandle h(gpu);
    Tensor x = PaddedInput(ctx, gpu, h.get(), g, input);
    Tensor dwc = ctx->allocate_temp(DataType::DT_FLOAT, f_shape);  // in cuDNN's layout
    int algo = 0;
    if (!bwd_filter_algos_.Find(CacheKey(g), &algo)) {
      cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
      int count = 0;
      TG_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(h.get(), d.x.get(), d.y.get(), d.conv, d.w.get(),
                                                                   CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &count, perf));
      algo = CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1;
      for (int i = 0; i < count; i++) {
        if (perf[i].status == CUDNN_STATUS_SUCCESS && UsableMath(perf[i].mathType) && perf[i].memory <= kMaxWorkspace) {
          algo = perf[i].algo;
          break;
        }
      }
      bwd_filter_algos_.Put(CacheKey(g), algo);
    }
    const auto a = static_cast<cudnnConvolutionBwdFilterAlgo_t>(algo);
    size_t bytes = 0;
    TG_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterWorkspaceSize(h.get(), d.x.get(), d.y.get(), d.conv, d.w.get(), a, &bytes));
    Workspace ws = AllocateWorkspace(ctx, bytes);
    const float one = 1, zero = 0;
    TG_CUDNN_CHECK(cudnnConvolutionBackwardFilter(h.get(), &one, d.x.get(), x.raw(), d.y.get(), dy.raw(), d.conv, a, ws.ptr,
                                                  ws.bytes, &zero, d.w.get(), dwc.raw()));
    TensorDesc src, dst;
    src.Set(CUDNN_DATA_FLOAT, format_, Int(ctx, g.fo), Int(ctx, g.fi), Int(ctx, g.kh), Int(ctx, g.kw));
    SetHwioView(dst, CUDNN_DATA_FLOAT, Int(ctx, g.kh), Int(ctx, g.kw), Int(ctx, g.fi), Int(ctx, g.fo));
    TG_CUDNN_CHECK(cudnnTransformTensor(h.get(), &one, src.get(), dwc.raw(), &zero, dst.get(), dw.raw()));
  }

  Kind kind_;
  Format format_;
  Padding padding_;
  HW strides_{1, 1}, dilations_{1, 1};
  std::vector<int64_t> explicit_{0, 0, 0, 0};  // top, bottom, left, right
  std::string prefix_;
  mutable ShapeCache<int> fwd_algos_, bwd_data_algos_, bwd_filter_algos_;
};

void Reg(const char* op, Kind kind, std::vector<int> host_inputs) {
  register_kernel::Name def(op);
  def.Device(DEVICE_GPU).TypeConstraint("T", DataType::DT_FLOAT);
  for (int i : host_inputs) def.HostMemoryInput(i);
  RegisterKernel(def, [kind](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new ConvGpuOp(c, kind)); });
}

const bool registered = [] {
  Reg("Conv2D", Kind::kForward, {});
  Reg("Conv2DBackpropInput", Kind::kBackpropInput, {0});   // input_sizes
  Reg("Conv2DBackpropFilter", Kind::kBackpropFilter, {1});  // filter_sizes
  return true;
}();

}  // namespace
}  // namespace tg
