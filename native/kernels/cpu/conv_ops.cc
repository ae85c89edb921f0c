// 2-D convolutions on oneDNN: Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter and the
// depthwise DepthwiseConv2dNative(+BackpropInput/Filter), float32 only (oneDNN's f32 kernels).
// TF's layouts map straight onto oneDNN memory descriptors: data NHWC (or NCHW) -> nhwc/nchw,
// filters HWIO -> hwio, depthwise filters [H, W, C, multiplier] -> grouped hwigo (groups = C).
// The primitive picks its own weights layout (format `any`); the TF filter is reordered to and
// from it. TF's SAME/VALID/EXPLICIT padding split is passed as explicit left/right padding.
// _FusedConv2D (the remapper's Conv2D+BiasAdd(+Relu)) is Conv2D with oneDNN's bias and a ReLU
// post-op. BackpropInput with few input channels is a GEMM + col2im instead (see there).
// Primitives are made once per (input, filter) shape and cached in the kernel.

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/cpu/dnnl_util.h"
#include "runtime/kernel.h"
#include "runtime/threadpool.h"

namespace tg {
namespace {

using namespace dnnl_util;  // NOLINT
using dnnl::memory;

enum class Kind { kForward, kBackpropInput, kBackpropFilter };

// Everything a convolution needs to know about its shapes.
struct Geometry {
  int64_t n, ih, iw, ic;  // input
  int64_t kh, kw, fi, fo;  // filter dims as TF gives them (depthwise: fi = C, fo = multiplier)
  int64_t oh, ow, oc;     // output
  Window wh, ww;
};

class ConvOp : public OpKernel {
 public:
  ConvOp(const KernelConstruction& c, Kind kind, bool depthwise)
      : OpKernel(c), kind_(kind), depthwise_(depthwise), format_(ParseFormat(c.node)), padding_(ParsePadding(c.node)) {
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
    if (depthwise_ && strides_.h != strides_.w) {
      throw InvalidArgument("Current implementation only supports equal length strides in the row and column dimensions.", c.node.name);
    }
    prefix_ = kind_ == Kind::kForward ? "" : c.node.op + ": ";
    if (c.node.op == "_FusedConv2D") {
      bias_ = true;
      relu_ = FusedRelu(c);
    }
  }

  void Compute(OpKernelContext* ctx) const override {
    switch (kind_) {
      case Kind::kForward: return Forward(ctx);
      case Kind::kBackpropInput: return BackpropInput(ctx);
      case Kind::kBackpropFilter: return BackpropFilter(ctx);
    }
  }

 private:
  // ---------- shapes ----------

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
    g.oc = depthwise_ ? g.ic * g.fo : g.fo;
    g.wh = ComputeWindow(ctx, g.ih, g.kh, dilations_.h, strides_.h, padding_, explicit_[0], explicit_[1]);
    g.ww = ComputeWindow(ctx, g.iw, g.kw, dilations_.w, strides_.w, padding_, explicit_[2], explicit_[3]);
    g.oh = g.wh.out;
    g.ow = g.ww.out;
    return g;
  }

  // Backprops: out_backprop must have the shape the forward op would have produced.
  void CheckOutBackprop(const OpKernelContext* ctx, const Geometry& g, const Shape& dy) const {
    if (dy.size() != 4) throw ctx->InvalidArg(prefix_ + "out_backprop must be 4-dimensional");
    if (dy[0] != g.n) throw ctx->InvalidArg(prefix_ + "input and out_backprop must have the same batch size");
    if (dy[CIdx(format_)] != g.oc) {
      throw ctx->InvalidArg(prefix_ + "filter and out_backprop must have the same out_depth");
    }
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

  // ---------- oneDNN descriptors ----------

  struct Descs {
    memory::desc src, dst, weights_user, weights_any;
    dims strides, dilates, pad_l, pad_r;
  };

  Descs MakeDescs(const Geometry& g) const {
    Descs d;
    d.src = Desc({g.n, g.ic, g.ih, g.iw}, DataTag(format_));
    d.dst = Desc({g.n, g.oc, g.oh, g.ow}, DataTag(format_));
    if (depthwise_) {  // groups = C, each with `multiplier` outputs and one input channel
      d.weights_user = Desc({g.ic, g.fo, 1, g.kh, g.kw}, tag::hwigo);
      d.weights_any = Desc({g.ic, g.fo, 1, g.kh, g.kw}, tag::any);
    } else {
      d.weights_user = Desc({g.fo, g.fi, g.kh, g.kw}, tag::hwio);
      d.weights_any = Desc({g.fo, g.fi, g.kh, g.kw}, tag::any);
    }
    d.strides = {strides_.h, strides_.w};
    d.dilates = {dilations_.h - 1, dilations_.w - 1};
    d.pad_l = {g.wh.pad_before, g.ww.pad_before};
    d.pad_r = {g.wh.pad_after, g.ww.pad_after};
    return d;
  }

  // The forward primitive; `fused` adds _FusedConv2D's bias (and ReLU as a post-op), so the
  // output is written once instead of passing through BiasAdd and Relu.
  dnnl::convolution_forward::primitive_desc FwdPd(const Descs& d, dnnl::prop_kind prop, bool fused = false) const {
    dnnl::primitive_attr attr = Attr();
    if (fused && relu_) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
      attr.set_post_ops(ops);
    }
    if (fused) {
      dnnl::convolution_forward::desc desc(prop, dnnl::algorithm::convolution_direct, d.src, d.weights_any,
                                           Desc({d.dst.dims()[1]}, tag::x), d.dst, d.strides, d.dilates, d.pad_l, d.pad_r);
      return dnnl::convolution_forward::primitive_desc(desc, attr, Engine());
    }
    dnnl::convolution_forward::desc desc(prop, dnnl::algorithm::convolution_direct, d.src, d.weights_any, d.dst,
                                         d.strides, d.dilates, d.pad_l, d.pad_r);
    return dnnl::convolution_forward::primitive_desc(desc, attr, Engine());
  }

  static bool Empty(const Shape& s) { return NumElements(s) == 0; }
  static void Zero(Tensor& t) {
    if (t.num_elements() > 0) std::memset(t.raw(), 0, t.num_elements() * sizeof(float));
  }

  // ---------- Conv2D / DepthwiseConv2dNative ----------

  struct FwdEntry {
    dnnl::convolution_forward::primitive_desc pd;
    dnnl::convolution_forward prim;
    Descs d;
    bool reorder_w = false;
    dnnl::reorder w_reorder;
  };

  void Forward(OpKernelContext* ctx) const {
    const Tensor& input = ctx->input(0);
    const Tensor& filter = ctx->input(1);
    const Geometry g = Geom(ctx, input.shape(), filter.shape());
    Tensor& out = ctx->allocate_output(0, DataType::DT_FLOAT, DataShape(g.n, g.oh, g.ow, g.oc));
    if (bias_) {  // BiasAdd's checks
      const Tensor& bias = ctx->input(2);
      if (bias.dims() != 1) throw ctx->InvalidArg("Biases must be 1D: " + ShapeString(bias.shape()));
      if (bias.dim(0) != g.oc) {
        throw ctx->InvalidArg("Must provide as many biases as the last dimension of the input tensor: " +
                              ShapeString(bias.shape()) + " vs. " + ShapeString(out.shape()));
      }
    }
    if (out.num_elements() == 0) return;
    if (input.num_elements() == 0 || filter.num_elements() == 0) {
      if (!bias_) return Zero(out);
      return BiasOnly(ctx->input(2).data<float>(), g.oc, out);
    }

    ThreadPool::TeamClaim team;  // before the lookup: a primitive is made for the team that runs it
    auto e = fwd_cache_.Get(Key({&input.shape(), &filter.shape()}),
                            [&] { return MakeFwdEntry(ctx, [&] { return MakeDescs(g); }, bias_); });
    memory w = FilterFor(ctx, *e, filter.raw());
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, Mem(e->d.src, input.raw())}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, Mem(e->d.dst, out.raw())}};
    if (bias_) args.emplace(DNNL_ARG_BIAS, Mem(e->pd.bias_desc(), ctx->input(2).raw()));
    Execute(ctx, e->prim, e->pd, std::move(args));
  }

  // A forward primitive over the descriptors `descs()` makes (`fused`: _FusedConv2D's bias and
  // ReLU) and the reorder of the user's filter into the layout it picked; oneDNN errors are
  // the node's. Conv2D and BackpropInputAsForward share it.
  template <typename MakeDescriptors>
  std::shared_ptr<const FwdEntry> MakeFwdEntry(OpKernelContext* ctx, MakeDescriptors&& descs, bool fused) const {
    return Guard(ctx, [&] {
      auto entry = std::make_shared<FwdEntry>();
      entry->d = descs();
      entry->pd = FwdPd(entry->d, dnnl::prop_kind::forward_inference, fused);
      entry->prim = dnnl::convolution_forward(entry->pd);
      entry->reorder_w = entry->pd.weights_desc() != entry->d.weights_user;
      if (entry->reorder_w) {
        entry->w_reorder = dnnl::reorder({Engine(), entry->d.weights_user, Engine(), entry->pd.weights_desc()});
      }
      return std::shared_ptr<const FwdEntry>(entry);
    });
  }

  // A fused convolution over an empty input or filter: every output is the (relu'd) bias.
  void BiasOnly(const float* bias, int64_t oc, Tensor& out) const {
    float* o = out.data<float>();
    const int64_t n = out.num_elements();
    const int64_t inner = format_ == Format::kNHWC ? 1 : out.dim(2) * out.dim(3);
    for (int64_t i = 0; i < n; i++) {
      const float v = bias[(i / inner) % oc];
      o[i] = relu_ && v < 0.0f ? 0.0f : v;
    }
  }

  // The filter in the layout a primitive wants (reordered from TF's HWIO when they differ).
  template <typename Entry>
  static memory FilterFor(OpKernelContext* ctx, const Entry& e, const void* filter) {
    memory w = Mem(e.d.weights_user, filter);
    if (!e.reorder_w) return w;
    memory wp = Guard(ctx, [&] { return memory(e.pd.weights_desc(), Engine()); });
    Reorder(ctx, e.w_reorder, w, wp);
    return wp;
  }

  // ---------- backprop to the input (also conv2d_transpose) ----------

  struct BwdDataEntry {
    dnnl::convolution_backward_data::primitive_desc pd;
    dnnl::convolution_backward_data prim;
    Descs d;
    bool reorder_w = false;
    dnnl::reorder w_reorder;
  };

  void BackpropInput(OpKernelContext* ctx) const {
    const Shape in_shape = ShapeFromTensor(ctx, ctx->input(0), prefix_ + "input_sizes input");
    const Tensor& filter = ctx->input(1);
    const Tensor& dy = ctx->input(2);
    if (in_shape.size() != 4) throw ctx->InvalidArg(prefix_ + "input must be 4-dimensional");
    const Geometry g = Geom(ctx, in_shape, filter.shape());
    CheckOutBackprop(ctx, g, dy.shape());
    Tensor& dx = ctx->allocate_output(0, DataType::DT_FLOAT, in_shape);
    if (dx.num_elements() == 0) return;
    if (dy.num_elements() == 0 || filter.num_elements() == 0) return Zero(dx);
    if (!depthwise_ && format_ == Format::kNHWC && g.ic <= kGemmBackpropMaxChannels) return BackpropInputGemm(ctx, g, filter, dy, dx);
    if (AsForward(g)) return BackpropInputAsForward(ctx, g, in_shape, filter, dy, dx);

    ThreadPool::TeamClaim team;  // before the lookup: a primitive is made for the team that runs it
    auto e = bwd_data_cache_.Get(Key({&in_shape, &filter.shape()}), [&] {
      return Guard(ctx, [&] {
        auto entry = std::make_shared<BwdDataEntry>();
        entry->d = MakeDescs(g);
        const Descs& d = entry->d;
        auto hint = FwdPd(d, dnnl::prop_kind::forward_training);
        dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, d.src, d.weights_any, d.dst,
                                                   d.strides, d.dilates, d.pad_l, d.pad_r);
        entry->pd = dnnl::convolution_backward_data::primitive_desc(desc, Attr(), Engine(), hint);
        entry->prim = dnnl::convolution_backward_data(entry->pd);
        entry->reorder_w = entry->pd.weights_desc() != d.weights_user;
        if (entry->reorder_w) entry->w_reorder = dnnl::reorder({Engine(), d.weights_user, Engine(), entry->pd.weights_desc()});
        return std::shared_ptr<const BwdDataEntry>(entry);
      });
    });
    memory w = FilterFor(ctx, *e, filter.raw());
    Execute(ctx, e->prim, e->pd,
            {{DNNL_ARG_DIFF_DST, Mem(e->d.dst, dy.raw())}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, Mem(e->d.src, dx.raw())}});
  }

  // With stride 1, the backprop to the input is a forward convolution of dy with the filter
  // flipped in space and its in/out channels swapped, padded by the window's extent minus the
  // forward padding on each side. oneDNN 2.6's forward kernels (brgconv) beat its backward-data
  // ones by ~20% (TF's newer oneDNN does the same inside its bwd-data primitive). Padding wider
  // than the window (EXPLICIT only) would need negative padding: that stays on the bwd path.
  bool AsForward(const Geometry& g) const {
    if (depthwise_ || strides_.h != 1 || strides_.w != 1) return false;
    return g.wh.pad_before <= (g.kh - 1) * dilations_.h && g.wh.pad_after <= (g.kh - 1) * dilations_.h &&
           g.ww.pad_before <= (g.kw - 1) * dilations_.w && g.ww.pad_after <= (g.kw - 1) * dilations_.w;
  }

  // The forward convolution BackpropInputAsForward runs: dy in, dx out, the flipped filter.
  Descs FlippedDescs(const Geometry& g) const {
    Descs d;
    d.src = Desc({g.n, g.oc, g.oh, g.ow}, DataTag(format_));  // dy
    d.dst = Desc({g.n, g.ic, g.ih, g.iw}, DataTag(format_));  // dx
    d.weights_user = Desc({g.ic, g.oc, g.kh, g.kw}, tag::hwio);  // the flipped filter, HWIO
    d.weights_any = Desc({g.ic, g.oc, g.kh, g.kw}, tag::any);
    d.strides = {1, 1};
    d.dilates = {dilations_.h - 1, dilations_.w - 1};
    d.pad_l = {(g.kh - 1) * dilations_.h - g.wh.pad_before, (g.kw - 1) * dilations_.w - g.ww.pad_before};
    d.pad_r = {(g.kh - 1) * dilations_.h - g.wh.pad_after, (g.kw - 1) * dilations_.w - g.ww.pad_after};
    return d;
  }

  void BackpropInputAsForward(OpKernelContext* ctx, const Geometry& g, const Shape& in_shape, const Tensor& filter,
                              const Tensor& dy, Tensor& dx) const {
    ThreadPool::TeamClaim team;  // before the lookup: a primitive is made for the team that runs it
    auto e = bwd_fwd_cache_.Get(Key({&in_shape, &filter.shape()}),
                                [&] { return MakeFwdEntry(ctx, [&] { return FlippedDescs(g); }, false); });
    // flipped[ky][kx][o][i] = filter[kh-1-ky][kw-1-kx][i][o], in a recycled buffer (no system
    // allocation per step once warm).
    Tensor flipped = ctx->allocate_temp(DataType::DT_FLOAT, {g.kh, g.kw, g.oc, g.ic});
    const float* hwio = filter.data<float>();
    const int64_t taps = g.kh * g.kw, io = g.ic * g.oc;
    for (int64_t t = 0; t < taps; t++) {
      const float* from = hwio + (taps - 1 - t) * io;
      float* to = flipped.data<float>() + t * io;
      for (int64_t i = 0; i < g.ic; i++) {
        for (int64_t o = 0; o < g.oc; o++) to[o * g.ic + i] = from[i * g.oc + o];
      }
    }
    memory w = FilterFor(ctx, *e, flipped.raw());
    Execute(ctx, e->prim, e->pd, {{DNNL_ARG_SRC, Mem(e->d.src, dy.raw())}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, Mem(e->d.dst, dx.raw())}});
  }

  // oneDNN's backward-data kernels block the input channels by the SIMD width: with few of
  // them (a first layer on grey or RGB images) they ran ~10x slower than the forward pass.
  // Below this many input channels, BackpropInput is a GEMM and a col2im instead.
  static constexpr int64_t kGemmBackpropMaxChannels = 4;

  // dx = col2im(W * dy^T): with the HWIO filter as [KH*KW*IC, OC] and dy as [N*OH*OW, OC],
  // row k = (ky, kx, ci) of cols = W * dy^T holds what every output pixel sends back to its
  // window's element k; col2im adds those rows into dx, a contiguous run of pixels at a time.
  // Done a few images at a time so the columns stay in cache; the GEMM is oneDNN's sgemm
  // (threaded), col2im is split over the images.
  void BackpropInputGemm(OpKernelContext* ctx, const Geometry& g, const Tensor& filter, const Tensor& dy, Tensor& dx) const {
    const int64_t pixels = g.oh * g.ow, K = g.kh * g.kw * g.ic, in_image = g.ih * g.iw * g.ic;
    const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 18) / std::max<int64_t>(1, pixels * K));  // ~1 MiB of columns
    std::vector<float> cols(static_cast<size_t>(std::min(chunk, g.n) * pixels * K));
    const float* pdy = dy.data<float>();
    const float* pw = filter.data<float>();
    float* pdx = dx.data<float>();
    const int64_t sh = strides_.h, sw = strides_.w, dh = dilations_.h, dw = dilations_.w;
    const int64_t pad_h = g.wh.pad_before, pad_w = g.ww.pad_before;
    for (int64_t n0 = 0; n0 < g.n; n0 += chunk) {
      const int64_t images = std::min(chunk, g.n - n0), cols_n = images * pixels;
      dnnl_util::Sgemm(ctx, false, true, K, cols_n, g.oc, pw, pdy + n0 * pixels * g.oc, cols.data());
      auto col2im = [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; i++) {
          float* dxn = pdx + (n0 + i) * in_image;
          std::memset(dxn, 0, in_image * sizeof(float));
          for (int64_t k = 0; k < K; k++) {
            const int64_t ky = k / (g.kw * g.ic), kx = k / g.ic % g.kw, ci = k % g.ic;
            const float* src = cols.data() + k * cols_n + i * pixels;
            // The output columns x whose tap lands inside the input: 0 <= x*sw + off < iw.
            const int64_t off = kx * dw - pad_w;
            const int64_t x_lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
            const int64_t x_hi = g.iw - off <= 0 ? 0 : std::min(g.ow, (g.iw - off + sw - 1) / sw);
            for (int64_t y = 0; y < g.oh; y++) {
              const int64_t iy = y * sh - pad_h + ky * dh;
              if (iy < 0 || iy >= g.ih) continue;
              float* d = dxn + iy * g.iw * g.ic + ci;
              const float* s = src + y * g.ow;
              for (int64_t x = x_lo; x < x_hi; x++) d[(x * sw + off) * g.ic] += s[x];
            }
          }
        }
      };
      if (images > 1) ctx->intra_op()->ParallelFor(images, pixels * K, col2im);
      else col2im(0, images);
    }
  }

  // ---------- backprop to the filter ----------

  struct BwdWeightsEntry {
    dnnl::convolution_backward_weights::primitive_desc pd;
    dnnl::convolution_backward_weights prim;
    Descs d;
    bool reorder_w = false;
    dnnl::reorder w_reorder;  // primitive's layout -> TF's
  };

  void BackpropFilter(OpKernelContext* ctx) const {
    const Tensor& input = ctx->input(0);
    const Shape f_shape = ShapeFromTensor(ctx, ctx->input(1), prefix_ + "filter_sizes input");
    const Tensor& dy = ctx->input(2);
    if (f_shape.size() != 4) throw ctx->InvalidArg(prefix_ + "filter must be 4-dimensional");
    const Geometry g = Geom(ctx, input.shape(), f_shape);
    CheckOutBackprop(ctx, g, dy.shape());
    Tensor& dw = ctx->allocate_output(0, DataType::DT_FLOAT, f_shape);
    if (dw.num_elements() == 0) return;
    if (dy.num_elements() == 0 || input.num_elements() == 0) return Zero(dw);

    ThreadPool::TeamClaim team;  // before the lookup: a primitive is made for the team that runs it
    auto e = bwd_weights_cache_.Get(Key({&input.shape(), &f_shape}), [&] {
      return Guard(ctx, [&] {
        auto entry = std::make_shared<BwdWeightsEntry>();
        entry->d = MakeDescs(g);
        const Descs& d = entry->d;
        auto hint = FwdPd(d, dnnl::prop_kind::forward_training);
        dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, d.src, d.weights_any, d.dst,
                                                      d.strides, d.dilates, d.pad_l, d.pad_r);
        entry->pd = dnnl::convolution_backward_weights::primitive_desc(desc, Attr(), Engine(), hint);
        entry->prim = dnnl::convolution_backward_weights(entry->pd);
        entry->reorder_w = entry->pd.diff_weights_desc() != d.weights_user;
        if (entry->reorder_w) entry->w_reorder = dnnl::reorder({Engine(), entry->pd.diff_weights_desc(), Engine(), d.weights_user});
        return std::shared_ptr<const BwdWeightsEntry>(entry);
      });
    });
    memory user_w = Mem(e->d.weights_user, dw.raw());
    memory w = e->reorder_w ? Guard(ctx, [&] { return memory(e->pd.diff_weights_desc(), Engine()); }) : user_w;
    Execute(ctx, e->prim, e->pd,
            {{DNNL_ARG_SRC, Mem(e->d.src, input.raw())}, {DNNL_ARG_DIFF_DST, Mem(e->d.dst, dy.raw())}, {DNNL_ARG_DIFF_WEIGHTS, w}});
    if (e->reorder_w) Reorder(ctx, e->w_reorder, w, user_w);
  }

  Kind kind_;
  bool depthwise_;
  Format format_;
  Padding padding_;
  HW strides_{1, 1}, dilations_{1, 1};
  std::vector<int64_t> explicit_{0, 0, 0, 0};  // top, bottom, left, right
  std::string prefix_;  // "Conv2DBackpropInput: " for TF's backprop messages
  bool bias_ = false, relu_ = false;  // _FusedConv2D: [BiasAdd] or [BiasAdd, Relu]
  mutable PrimitiveCache<FwdEntry> fwd_cache_;
  mutable PrimitiveCache<BwdDataEntry> bwd_data_cache_;
  mutable PrimitiveCache<FwdEntry> bwd_fwd_cache_;  // BackpropInputAsForward
  mutable PrimitiveCache<BwdWeightsEntry> bwd_weights_cache_;
};

void Reg(const char* op, Kind kind, bool depthwise) {
  RegisterKernel(register_kernel::Name(op).Device(DEVICE_CPU).TypeConstraint("T", DataType::DT_FLOAT), [kind, depthwise](const KernelConstruction& c) {
                                       return std::unique_ptr<OpKernel>(new ConvOp(c, kind, depthwise));
                                     });
}

const bool registered = [] {
  Reg("Conv2D", Kind::kForward, false);
  Reg("_FusedConv2D", Kind::kForward, false);
  Reg("Conv2DBackpropInput", Kind::kBackpropInput, false);
  Reg("Conv2DBackpropFilter", Kind::kBackpropFilter, false);
  Reg("DepthwiseConv2dNative", Kind::kForward, true);
  Reg("DepthwiseConv2dNativeBackpropInput", Kind::kBackpropInput, true);
  Reg("DepthwiseConv2dNativeBackpropFilter", Kind::kBackpropFilter, true);
  return true;
}();

}  // namespace
}  // namespace tg
