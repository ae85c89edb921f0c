// 2-D pooling on oneDNN, float32: MaxPool, AvgPool and their gradients MaxPoolGrad and
// AvgPoolGrad, plus MaxPoolGradGrad (a plain loop: the gradient of MaxPoolGrad).
// TF's SAME padding is passed as explicit left/right padding; SAME average pooling divides by
// the number of real (unpadded) elements in the window, which is oneDNN's
// pooling_avg_exclude_padding. MaxPoolGrad is a direct loop (as TF's CPU kernel): it has no
// argmax workspace input, and oneDNN's route (the forward pass again in training mode for the
// workspace, then its backward) was ~10x slower than finding each window's maximum here.
// _FusedMaxPoolGrad (the remapper's MaxPoolGrad -> ReluGrad) masks each window's gradient by
// its maximum > 0 and, with num_bias_backprops = 1, also sums that gradient per channel (the
// layer's BiasAddGrad) as output 1. Primitives are made once per input shape and cached in the kernel.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "kernels/cpu/dnnl_util.h"
#include "runtime/kernel.h"
#include "runtime/threadpool.h"

namespace tg {
namespace {

using namespace dnnl_util;  // NOLINT
using dnnl::memory;

enum class Kind { kMax, kAvg, kMaxGrad, kAvgGrad, kMaxGradGrad };

// TF's PoolParameters checks on ksize/strides; returns the spatial window and strides.
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

// One step of a running max/argmax over C channels (channel stride `cs`): where x > best
// (strictly: ties and NaNs keep the earlier element), best = x and arg = k. Contiguous
// channels go 4 at a time with SSE2 (GCC does not vectorize the select by itself).
template <bool kContiguous>
inline void MaxStep(const float* x, int64_t cs, float* best, int32_t* arg, int64_t C, int32_t k) {
  int64_t c = 0;
#if defined(__SSE2__)
  if constexpr (kContiguous) {
    const __m128i kk = _mm_set1_epi32(k);
    for (; c + 4 <= C; c += 4) {
      const __m128 v = _mm_loadu_ps(x + c), b = _mm_loadu_ps(best + c);
      const __m128 gt = _mm_cmpgt_ps(v, b);
      _mm_storeu_ps(best + c, _mm_or_ps(_mm_and_ps(gt, v), _mm_andnot_ps(gt, b)));
      const __m128i m = _mm_castps_si128(gt);
      const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(arg + c));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(arg + c), _mm_or_si128(_mm_and_si128(m, kk), _mm_andnot_si128(m, a)));
    }
  }
#endif
  for (; c < C; c++) {
    const float v = x[c * cs];
    if (v > best[c]) {
      best[c] = v;
      arg[c] = k;
    }
  }
}

// d[c] = the gradient dy[c] where element k of the window was the maximum, else 0 (NHWC).
inline void WindowGrad(float* d, const float* dy, const int32_t* arg, int64_t C, int32_t k) {
  int64_t c = 0;
#if defined(__SSE2__)
  const __m128i kk = _mm_set1_epi32(k);
  for (; c + 4 <= C; c += 4) {
    const __m128 hit = _mm_castsi128_ps(_mm_cmpeq_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(arg + c)), kk));
    _mm_storeu_ps(d + c, _mm_and_ps(hit, _mm_loadu_ps(dy + c)));
  }
#endif
  for (; c < C; c++) d[c] = arg[c] == k ? dy[c] : 0.0f;
}

class PoolOp : public OpKernel {
 public:
  PoolOp(const KernelConstruction& c, Kind kind)
      : OpKernel(c),
        kind_(kind),
        a_(ReadPoolAttrs(c.node)),
        relu_grad_(c.node.op == "_FusedMaxPoolGrad"),
        bias_grad_(relu_grad_ && c.node.AttrInt("num_bias_backprops", 0) > 0) {
    if (bias_grad_) set_num_outputs(2);
  }

  void Compute(OpKernelContext* ctx) const override {
    switch (kind_) {
      case Kind::kMax:
      case Kind::kAvg: return Forward(ctx);
      case Kind::kMaxGrad:
      case Kind::kAvgGrad: return Backward(ctx);
      case Kind::kMaxGradGrad: return GradGrad(ctx);
    }
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

  struct Entry {
    memory::desc src, dst;
    dnnl::pooling_forward::primitive_desc fwd_pd;
    dnnl::pooling_forward fwd;
    dnnl::pooling_backward::primitive_desc bwd_pd;  // gradient kernels only
    dnnl::pooling_backward bwd;
  };

  std::shared_ptr<const Entry> Get(const OpKernelContext* ctx, const Shape& in_shape, const Geometry& g) const {
    return cache_.Get(Key({&in_shape}), [&] {
      return Guard(ctx, [&] {
        auto e = std::make_shared<Entry>();
        e->src = Desc({g.n, g.c, g.ih, g.iw}, DataTag(a_.format));
        e->dst = Desc({g.n, g.c, g.oh, g.ow}, DataTag(a_.format));
        const auto alg = IsMax() ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding;
        const bool grad = kind_ == Kind::kAvgGrad;  // MaxPoolGrad runs its own loop
        const dims strides{a_.strides.h, a_.strides.w}, kernel{a_.ksize.h, a_.ksize.w};
        const dims pad_l{g.wh.pad_before, g.ww.pad_before}, pad_r{g.wh.pad_after, g.ww.pad_after};
        dnnl::pooling_forward::desc fd(grad ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference, alg,
                                       e->src, e->dst, strides, kernel, pad_l, pad_r);
        e->fwd_pd = dnnl::pooling_forward::primitive_desc(fd, Attr(), Engine());
        e->fwd = dnnl::pooling_forward(e->fwd_pd);
        if (grad) {
          dnnl::pooling_backward::desc bd(alg, e->src, e->dst, strides, kernel, pad_l, pad_r);
          e->bwd_pd = dnnl::pooling_backward::primitive_desc(bd, Attr(), Engine(), e->fwd_pd);
          e->bwd = dnnl::pooling_backward(e->bwd_pd);
        }
        return std::shared_ptr<const Entry>(e);
      });
    });
  }

  void Forward(OpKernelContext* ctx) const {
    const Tensor& x = ctx->input(0);
    const Geometry g = Geom(ctx, x.shape());
    Tensor& y = ctx->allocate_output(0, DataType::DT_FLOAT, OutShape(g));
    if (y.num_elements() == 0) return;
    ThreadPool::TeamClaim team;  // before the lookup: a primitive is made for the team that runs it
    auto e = Get(ctx, x.shape(), g);
    Execute(ctx, e->fwd, e->fwd_pd, {{DNNL_ARG_SRC, Mem(e->src, x.raw())}, {DNNL_ARG_DST, Mem(e->dst, y.raw())}});
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
    Tensor& dx = ctx->allocate_output(0, DataType::DT_FLOAT, in_shape);
    float* db = nullptr;  // _FusedMaxPoolGrad's BiasAddGrad: the gradient summed per channel
    if (bias_grad_) {
      Tensor& b = ctx->allocate_output(1, DataType::DT_FLOAT, Shape{g.c});
      db = b.data<float>();
      std::fill(db, db + g.c, 0.0f);
    }
    if (dx.num_elements() == 0) return;
    if (dy.num_elements() == 0) {
      std::memset(dx.raw(), 0, dx.num_elements() * sizeof(float));
      return;
    }
    if (max) {
      if (a_.format == Format::kNHWC) MaxPoolGrad<true>(ctx, g, ctx->input(0), dy, dx, db);
      else MaxPoolGrad<false>(ctx, g, ctx->input(0), dy, dx, db);
      return;
    }
    ThreadPool::TeamClaim team;  // before the lookup: a primitive is made for the team that runs it
    auto e = Get(ctx, in_shape, g);
    Execute(ctx, e->bwd, e->bwd_pd, {{DNNL_ARG_DIFF_DST, Mem(e->dst, dy.raw())}, {DNNL_ARG_DIFF_SRC, Mem(e->src, dx.raw())}});
  }

  // dx = 0, then each output's gradient is added at the first maximum of its window (scan
  // order h, then w; padding never wins), so overlapping windows accumulate, as TF. Samples
  // are independent: they are split over the intra-op pool. The running max/argmax goes over
  // a whole row of channels at a time (contiguous in NHWC, where it is vectorized). With `db`
  // (zeroed, C floats), each sample's masked gradients are also summed per channel, into a
  // row of a temporary, and the rows are added in sample order (the same sum at any split).
  template <bool kNHWC>
  void MaxPoolGrad(OpKernelContext* ctx, const Geometry& g, const Tensor& x, const Tensor& dy, Tensor& dx, float* db) const {
    // Element strides of (n, h, w, c) in the input and the output.
    const int64_t ih = g.ih, iw = g.iw, oh = g.oh, ow = g.ow, C = g.c;
    const int64_t in_n = ih * iw * C, in_h = kNHWC ? iw * C : iw, in_w = kNHWC ? C : 1, in_c = kNHWC ? 1 : ih * iw;
    const int64_t out_n = oh * ow * C, out_h = kNHWC ? ow * C : ow, out_w = kNHWC ? C : 1, out_c = kNHWC ? 1 : oh * ow;
    const int64_t sh = a_.strides.h, sw = a_.strides.w, kh = a_.ksize.h, kw = a_.ksize.w;
    const int64_t pad_h = g.wh.pad_before, pad_w = g.ww.pad_before;
    const float* px = x.data<float>();
    const float* pdy = dy.data<float>();
    float* pdx = dx.data<float>();
    // Windows that never overlap (the usual stride = size) give each input element at most
    // one gradient: the window is written whole (the gradient at its maximum, zeros around),
    // a loop over channels that vectorizes, instead of scattered adds after clearing dx. dx
    // is cleared first only where some element lies in no window.
    const bool disjoint = kNHWC && sh >= kh && sw >= kw;
    const bool covered = disjoint && sh == kh && sw == kw && pad_h == 0 && pad_w == 0 && oh * kh == ih && ow * kw == iw;
    Tensor sums;  // [n, C]: each sample's bias gradient
    float* psums = nullptr;
    if (db) {
      sums = ctx->allocate_temp(DataType::DT_FLOAT, Shape{g.n, C});
      psums = sums.data<float>();
      std::fill(psums, psums + g.n * C, 0.0f);
    }
    auto body = [&](int64_t n0, int64_t n1) {
      std::vector<float> best(C);
      std::vector<int32_t> arg(C);             // index of the maximum in `offs`
      std::vector<int64_t> offs(kh * kw);      // offsets of the window's real elements
      for (int64_t n = n0; n < n1; n++) {
        const float* xn = px + n * in_n;
        const float* dyn = pdy + n * out_n;
        float* dxn = pdx + n * in_n;
        if (!covered) std::memset(dxn, 0, in_n * sizeof(float));
        for (int64_t y = 0; y < oh; y++) {
          const int64_t h0 = y * sh - pad_h;
          const int64_t hs = std::max<int64_t>(h0, 0), he = std::min(h0 + kh, ih);
          for (int64_t xo = 0; xo < ow; xo++) {
            const int64_t w0 = xo * sw - pad_w;
            const int64_t ws = std::max<int64_t>(w0, 0), we = std::min(w0 + kw, iw);
            int32_t nk = 0;
            for (int64_t h = hs; h < he; h++)
              for (int64_t w = ws; w < we; w++) offs[nk++] = h * in_h + w * in_w;
            if (nk == 0) continue;  // a window of padding only: no input gets its gradient
            const float* x0 = xn + offs[0];
            for (int64_t c = 0; c < C; c++) {
              best[c] = x0[c * in_c];
              arg[c] = 0;
            }
            for (int32_t k = 1; k < nk; k++) MaxStep<kNHWC>(xn + offs[k], in_c, best.data(), arg.data(), C, k);
            const float* dyp = dyn + y * out_h + xo * out_w;
            // _FusedMaxPoolGrad: ReluGrad's mask at the element the gradient goes to, the
            // maximum. A channel whose maximum is <= 0 sends nothing (argmax -1).
            if (relu_grad_) {
              for (int64_t c = 0; c < C; c++) arg[c] = best[c] > 0.0f ? arg[c] : -1;
            }
            if (psums) {
              float* sn = psums + n * C;
              for (int64_t c = 0; c < C; c++) sn[c] += best[c] > 0.0f ? dyp[c * out_c] : 0.0f;
            }
            if (disjoint) {
              for (int32_t k = 0; k < nk; k++) WindowGrad(dxn + offs[k], dyp, arg.data(), C, k);
            } else {
              for (int64_t c = 0; c < C; c++) {
                if (arg[c] >= 0) dxn[offs[arg[c]] + c * in_c] += dyp[c * out_c];
              }
            }
          }
        }
      }
    };
    if (g.n > 1 && dx.num_elements() >= 32768) ctx->intra_op()->ParallelFor(g.n, 4 * in_n, body);
    else body(0, g.n);
    if (psums) {
      for (int64_t n = 0; n < g.n; n++)
        for (int64_t c = 0; c < C; c++) db[c] += psums[n * C + c];
    }
  }

  // MaxPoolGradGrad(orig_input, orig_output, grad): for each pooled output, the incoming
  // gradient (shaped as orig_input) at the window's first maximum.
  void GradGrad(OpKernelContext* ctx) const {
    const Tensor& x = ctx->input(0);
    const Tensor& grad = ctx->input(2);
    const Geometry g = Geom(ctx, x.shape());
    if (grad.shape() != x.shape()) {
      throw ctx->InvalidArg("grad must have the shape of orig_input: " + ShapeString(grad.shape()) + " vs " + ShapeString(x.shape()));
    }
    Tensor& out = ctx->allocate_output(0, DataType::DT_FLOAT, OutShape(g));
    const bool nhwc = a_.format == Format::kNHWC;
    auto in_idx = [&](int64_t n, int64_t h, int64_t w, int64_t c) {
      return nhwc ? ((n * g.ih + h) * g.iw + w) * g.c + c : ((n * g.c + c) * g.ih + h) * g.iw + w;
    };
    auto out_idx = [&](int64_t n, int64_t h, int64_t w, int64_t c) {
      return nhwc ? ((n * g.oh + h) * g.ow + w) * g.c + c : ((n * g.c + c) * g.oh + h) * g.ow + w;
    };
    const float* xv = x.data<float>();
    const float* gv = grad.data<float>();
    float* ov = out.data<float>();
    for (int64_t n = 0; n < g.n; n++)
      for (int64_t oh = 0; oh < g.oh; oh++)
        for (int64_t ow = 0; ow < g.ow; ow++)
          for (int64_t c = 0; c < g.c; c++) {
            const int64_t h0 = oh * a_.strides.h - g.wh.pad_before, w0 = ow * a_.strides.w - g.ww.pad_before;
            int64_t best = -1;
            for (int64_t h = std::max<int64_t>(h0, 0); h < std::min(h0 + a_.ksize.h, g.ih); h++)
              for (int64_t w = std::max<int64_t>(w0, 0); w < std::min(w0 + a_.ksize.w, g.iw); w++) {
                const int64_t i = in_idx(n, h, w, c);
                if (best < 0 || xv[i] > xv[best]) best = i;
              }
            ov[out_idx(n, oh, ow, c)] = best < 0 ? 0.0f : gv[best];
          }
  }

  Kind kind_;
  PoolAttrs a_;
  bool relu_grad_;  // _FusedMaxPoolGrad (the remapper's MaxPoolGrad -> ReluGrad)
  bool bias_grad_;  // ... with its BiasAddGrad as output 1
  mutable PrimitiveCache<Entry> cache_;
};

void Reg(const char* op, Kind kind) {
  RegisterKernel(register_kernel::Name(op).Device(DEVICE_CPU).TypeConstraint("T", DataType::DT_FLOAT), [kind](const KernelConstruction& c) {
                                       return std::unique_ptr<OpKernel>(new PoolOp(c, kind));
                                     });
}

const bool registered = [] {
  Reg("MaxPool", Kind::kMax);
  Reg("AvgPool", Kind::kAvg);
  Reg("MaxPoolGrad", Kind::kMaxGrad);
  Reg("_FusedMaxPoolGrad", Kind::kMaxGrad);
  Reg("AvgPoolGrad", Kind::kAvgGrad);
  Reg("MaxPoolGradGrad", Kind::kMaxGradGrad);
  return true;
}();

}  // namespace
}  // namespace tg
