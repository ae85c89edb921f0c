// Local response normalisation on oneDNN, float32: LRN and LRNGrad (4-D, NHWC, across the
// depth dimension). TF: sqr_sum[d] = sum(in[d-r .. d+r]^2), out = in / (bias + alpha*sqr_sum)^beta.
// oneDNN's lrn_across_channels divides alpha by the window size n = 2r+1 (also at the borders,
// where the window is clipped), so it is given alpha*n. Primitives are cached per input shape.
// depth_radius 0 is element-wise and computed here: oneDNN 2.6's AVX-512 LRN kernel crashes
// creating a window of one channel.
#include <climits>
#include <cmath>
#include <string>

#include "kernels/cpu/dnnl_util.h"
#include "runtime/kernel.h"

namespace tg {
namespace {

using namespace dnnl_util;  // NOLINT
using dnnl::memory;

class LRNOp : public OpKernel {
 public:
  LRNOp(const KernelConstruction& c, bool grad)
      : OpKernel(c), grad_(grad), radius_(c.node.AttrInt("depth_radius", 5)) {
    const AttrValue* b = c.node.FindAttr("bias");
    const AttrValue* a = c.node.FindAttr("alpha");
    const AttrValue* be = c.node.FindAttr("beta");
    bias_ = b ? b->f : 1.0f;
    alpha_ = a ? a->f : 1.0f;
    beta_ = be ? be->f : 0.5f;
    if (radius_ < 0 || radius_ > INT_MAX / 2) {
      throw InvalidArgument("depth_radius = " + std::to_string(radius_) + " larger than int max", c.node.name);
    }
  }

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& x = ctx->input(grad_ ? 1 : 0);  // LRNGrad(input_grads, input_image, output_image)
    if (x.dims() != 4) throw ctx->InvalidArg(grad_ ? "input_image must be 4-dimensional" : "input must be 4-dimensional");
    if (grad_) {
      if (ctx->input(0).shape() != x.shape() || ctx->input(2).shape() != x.shape()) {
        throw ctx->InvalidArg("input_grads, input_image, and out_image should have the same shape");
      }
    }
    Tensor& out = ctx->allocate_output(0, DataType::DT_FLOAT, x.shape());
    if (x.num_elements() == 0) return;
    if (radius_ == 0) return ComputeElementwise(ctx, x, out);
    ThreadPool::TeamClaim team;  // before the lookup: a primitive is made for the team that runs it
    auto e = cache_.Get(Key({&x.shape()}), [&] {
      return Guard(ctx, [&] {
        auto entry = std::make_shared<Entry>();
        entry->md = Desc({x.dim(0), x.dim(3), x.dim(1), x.dim(2)}, tag::nhwc);
        const int64_t n = 2 * radius_ + 1;
        const auto alg = dnnl::algorithm::lrn_across_channels;
        dnnl::lrn_forward::desc fd(grad_ ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference, alg,
                                   entry->md, n, alpha_ * static_cast<float>(n), beta_, bias_);
        entry->fwd_pd = dnnl::lrn_forward::primitive_desc(fd, Attr(), Engine());
        entry->fwd = dnnl::lrn_forward(entry->fwd_pd);
        if (grad_) {
          dnnl::lrn_backward::desc bd(alg, entry->md, entry->md, n, alpha_ * static_cast<float>(n), beta_, bias_);
          entry->bwd_pd = dnnl::lrn_backward::primitive_desc(bd, Attr(), Engine(), entry->fwd_pd);
          entry->bwd = dnnl::lrn_backward(entry->bwd_pd);
        }
        return std::shared_ptr<const Entry>(entry);
      });
    });
    memory src = Mem(e->md, x.raw());
    if (!grad_) {
      Execute(ctx, e->fwd, e->fwd_pd, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, Mem(e->md, out.raw())}});
      return;
    }
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, Mem(e->md, ctx->input(0).raw())}, {DNNL_ARG_DIFF_SRC, Mem(e->md, out.raw())}};
    const memory::desc ws_md = e->bwd_pd.workspace_desc();
    if (ws_md.get_size() > 0) {  // the implementation keeps intermediate sums: recompute them
      memory y, ws;
      Guard(ctx, [&] {
        y = memory(e->md, Engine());
        ws = memory(ws_md, Engine());
      });
      Execute(ctx, e->fwd, e->fwd_pd, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, y}, {DNNL_ARG_WORKSPACE, ws}});
      args.emplace(DNNL_ARG_WORKSPACE, ws);
    }
    Execute(ctx, e->bwd, e->bwd_pd, std::move(args));
  }

 private:
  // Window of one: s = bias + alpha*x^2, y = x * s^-beta, dy/dx = s^-beta - 2*alpha*beta*x^2 * s^(-beta-1).
  void ComputeElementwise(OpKernelContext* ctx, const Tensor& x, Tensor& out) const {
    const float* in = x.data<float>();
    float* o = out.data<float>();
    const int64_t n = x.num_elements();
    if (!grad_) {
      for (int64_t i = 0; i < n; i++) o[i] = in[i] * std::pow(bias_ + alpha_ * in[i] * in[i], -beta_);
      return;
    }
    const float* dy = ctx->input(0).data<float>();
    for (int64_t i = 0; i < n; i++) {
      const float s = bias_ + alpha_ * in[i] * in[i];
      const float p = std::pow(s, -beta_);
      o[i] = dy[i] * (p - 2.0f * alpha_ * beta_ * in[i] * in[i] * p / s);
    }
  }

  struct Entry {
    memory::desc md;
    dnnl::lrn_forward::primitive_desc fwd_pd;
    dnnl::lrn_forward fwd;
    dnnl::lrn_backward::primitive_desc bwd_pd;
    dnnl::lrn_backward bwd;
  };

  bool grad_;
  int64_t radius_;
  float bias_, alpha_, beta_;
  mutable PrimitiveCache<Entry> cache_;
};

const bool registered = [] {
  RegisterKernel(register_kernel::Name("LRN").Device(DEVICE_CPU).TypeConstraint("T", DataType::DT_FLOAT), [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new LRNOp(c, false)); });
  RegisterKernel(register_kernel::Name("LRNGrad").Device(DEVICE_CPU).TypeConstraint("T", DataType::DT_FLOAT), [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new LRNOp(c, true)); });
  return true;
}();

}  // namespace
}  // namespace tg
