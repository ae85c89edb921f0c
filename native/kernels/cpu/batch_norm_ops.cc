// Fused batch normalisation on oneDNN, float32: FusedBatchNorm(V2, V3) and
// FusedBatchNormGrad(V2, V3), NHWC or NCHW. As TF's CPU kernels:
//  - is_training: normalise with the batch mean and biased variance; output batch_variance is
//    Bessel-corrected (n/(n-1)); reserve_space_1/2 keep the batch mean and biased variance for
//    the gradient; V3's reserve_space_3 is a scalar 0.
//  - inference: normalise with the given mean/variance, which are passed through as the
//    batch_mean/batch_variance and reserve outputs.
// The gradient uses oneDNN's backward pass: with the batch statistics when is_training, with
// use_global_stats (mean and variance are constants) otherwise. Gradient outputs 3 and 4 are
// empty vectors. Primitives are cached per input shape.
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "kernels/cpu/dnnl_util.h"
#include "runtime/kernel.h"

namespace tg {
namespace {

using namespace dnnl_util;  // NOLINT
using dnnl::memory;
using flags = dnnl::normalization_flags;

class BatchNormBase : public OpKernel {
 public:
  explicit BatchNormBase(const KernelConstruction& c) : OpKernel(c), format_(ParseFormat(c.node)) {
    const AttrValue* eps = c.node.FindAttr("epsilon");
    epsilon_ = eps ? eps->f : 0.0001f;
    training_ = c.node.AttrBool("is_training", true);
  }

 protected:
  int64_t Channels(const Tensor& x) const { return x.dim(CIdx(format_)); }
  memory::desc DataDesc(const Tensor& x) const {
    return Desc({x.dim(0), Channels(x), x.dim(HIdx(format_)), x.dim(WIdx(format_))}, DataTag(format_));
  }
  static memory::desc VecDesc(int64_t c) { return Desc({c}, tag::a); }

  void CheckVector(const OpKernelContext* ctx, const Tensor& t, const std::string& what, int64_t c) const {
    if (t.dims() != 1) throw ctx->InvalidArg(what + " must be 1-dimensional" + ShapeString(t.shape()));
    if (t.dim(0) != c) {
      throw ctx->InvalidArg(what + " must have the same number of elements as the channels of x, got " +
                            std::to_string(t.dim(0)) + " and " + std::to_string(c));
    }
  }

  static void Fill(Tensor& t, float v) { std::fill(t.data<float>(), t.data<float>() + t.num_elements(), v); }
  static void Copy(Tensor& to, const Tensor& from) {
    if (from.num_elements() > 0) std::memcpy(to.raw(), from.raw(), from.num_elements() * sizeof(float));
  }

  Format format_;
  float epsilon_;
  bool training_;
};

// FusedBatchNorm(x, scale, offset, mean, variance) -> y, batch_mean, batch_variance,
// reserve_space_1, reserve_space_2 (, reserve_space_3 for V3).
class FusedBatchNormOp : public BatchNormBase {
 public:
  FusedBatchNormOp(const KernelConstruction& c, bool v3) : BatchNormBase(c), v3_(v3) { set_num_outputs(v3 ? 6 : 5); }

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& x = ctx->input(0);
    const Tensor& scale = ctx->input(1);
    const Tensor& offset = ctx->input(2);
    const Tensor& est_mean = ctx->input(3);
    const Tensor& est_var = ctx->input(4);
    if (x.dims() != 4) throw ctx->InvalidArg("input must be 4-dimensional" + ShapeString(x.shape()));
    const int64_t c = Channels(x);
    CheckVector(ctx, scale, "scale", c);
    CheckVector(ctx, offset, "offset", c);
    if (!training_) {
      CheckVector(ctx, est_mean, "mean", c);
      CheckVector(ctx, est_var, "variance", c);
    }
    Tensor& y = ctx->allocate_output(0, DataType::DT_FLOAT, x.shape());
    Tensor& batch_mean = ctx->allocate_output(1, DataType::DT_FLOAT, {c});
    Tensor& batch_var = ctx->allocate_output(2, DataType::DT_FLOAT, {c});
    Tensor& saved_mean = ctx->allocate_output(3, DataType::DT_FLOAT, {c});
    Tensor& saved_var = ctx->allocate_output(4, DataType::DT_FLOAT, {c});
    if (v3_) Fill(ctx->allocate_output(5, DataType::DT_FLOAT, {}), 0.0f);
    if (c == 0) return;
    const int64_t rest = x.num_elements() / c;
    if (rest == 0) {  // no elements: statistics of an empty set
      if (training_) {
        Fill(batch_mean, std::numeric_limits<float>::quiet_NaN());
        Fill(batch_var, std::numeric_limits<float>::quiet_NaN());
        Fill(saved_mean, std::numeric_limits<float>::quiet_NaN());
        Fill(saved_var, std::numeric_limits<float>::quiet_NaN());
      } else {
        Copy(batch_mean, est_mean), Copy(batch_var, est_var), Copy(saved_mean, est_mean), Copy(saved_var, est_var);
      }
      return;
    }

    ThreadPool::TeamClaim team;  // before the lookup: a primitive is made for the team that runs it
    auto e = cache_.Get(Key({&x.shape()}), [&] {
      return Guard(ctx, [&] {
        auto entry = std::make_shared<Entry>();
        entry->data = DataDesc(x);
        const flags f = training_ ? (flags::use_scale | flags::use_shift)
                                  : (flags::use_scale | flags::use_shift | flags::use_global_stats);
        dnnl::batch_normalization_forward::desc d(
            training_ ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference, entry->data, epsilon_, f);
        entry->pd = dnnl::batch_normalization_forward::primitive_desc(d, Attr(), Engine());
        entry->prim = dnnl::batch_normalization_forward(entry->pd);
        return std::shared_ptr<const Entry>(entry);
      });
    });
    const memory::desc vec = VecDesc(c);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, Mem(e->data, x.raw())},
                                         {DNNL_ARG_DST, Mem(e->data, y.raw())},
                                         {DNNL_ARG_SCALE, Mem(vec, scale.raw())},
                                         {DNNL_ARG_SHIFT, Mem(vec, offset.raw())}};
    if (training_) {
      args.emplace(DNNL_ARG_MEAN, Mem(vec, saved_mean.raw()));
      args.emplace(DNNL_ARG_VARIANCE, Mem(vec, saved_var.raw()));
    } else {
      args.emplace(DNNL_ARG_MEAN, Mem(vec, est_mean.raw()));
      args.emplace(DNNL_ARG_VARIANCE, Mem(vec, est_var.raw()));
    }
    Execute(ctx, e->prim, e->pd, std::move(args));
    if (training_) {
      Copy(batch_mean, saved_mean);
      const float adjust = rest > 1 ? static_cast<float>(rest) / static_cast<float>(rest - 1) : 1.0f;
      const float* v = saved_var.data<float>();
      float* bv = batch_var.data<float>();
      for (int64_t i = 0; i < c; i++) bv[i] = v[i] * adjust;
    } else {
      Copy(batch_mean, est_mean), Copy(batch_var, est_var), Copy(saved_mean, est_mean), Copy(saved_var, est_var);
    }
  }

 private:
  struct Entry {
    memory::desc data;
    dnnl::batch_normalization_forward::primitive_desc pd;
    dnnl::batch_normalization_forward prim;
  };
  bool v3_;
  mutable PrimitiveCache<Entry> cache_;
};

// FusedBatchNormGrad(y_backprop, x, scale, reserve_space_1, reserve_space_2 (, reserve_space_3))
// -> x_backprop, scale_backprop, offset_backprop, reserve_space_3, reserve_space_4.
class FusedBatchNormGradOp : public BatchNormBase {
 public:
  explicit FusedBatchNormGradOp(const KernelConstruction& c) : BatchNormBase(c) { set_num_outputs(5); }

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& dy = ctx->input(0);
    const Tensor& x = ctx->input(1);
    const Tensor& scale = ctx->input(2);
    const Tensor& mean = ctx->input(3);
    const Tensor& var = ctx->input(4);
    if (dy.dims() != 4) throw ctx->InvalidArg("input must be 4-dimensional" + ShapeString(dy.shape()));
    if (x.dims() != 4) throw ctx->InvalidArg("input must be 4-dimensional" + ShapeString(x.shape()));
    if (dy.shape() != x.shape()) {
      throw ctx->InvalidArg("x and y_backprop must have same shape, but x has shape " + ShapeString(x.shape()) +
                            " and y_backprop has shape " + ShapeString(dy.shape()));
    }
    const int64_t c = Channels(x);
    CheckVector(ctx, scale, "scale", c);
    CheckVector(ctx, mean, "reserve_space_1", c);
    CheckVector(ctx, var, "reserve_space_2", c);
    Tensor& dx = ctx->allocate_output(0, DataType::DT_FLOAT, x.shape());
    Tensor& dscale = ctx->allocate_output(1, DataType::DT_FLOAT, {c});
    Tensor& doffset = ctx->allocate_output(2, DataType::DT_FLOAT, {c});
    ctx->allocate_output(3, DataType::DT_FLOAT, {0});
    ctx->allocate_output(4, DataType::DT_FLOAT, {0});
    if (c == 0) return;
    if (x.num_elements() == 0) {
      Fill(dscale, 0.0f);
      Fill(doffset, 0.0f);
      return;
    }
    ThreadPool::TeamClaim team;  // before the lookup: a primitive is made for the team that runs it
    auto e = cache_.Get(Key({&x.shape()}), [&] {
      return Guard(ctx, [&] {
        auto entry = std::make_shared<Entry>();
        entry->data = DataDesc(x);
        const flags f = training_ ? (flags::use_scale | flags::use_shift)
                                  : (flags::use_scale | flags::use_shift | flags::use_global_stats);
        dnnl::batch_normalization_forward::desc fd(dnnl::prop_kind::forward_training, entry->data, epsilon_, f);
        auto hint = dnnl::batch_normalization_forward::primitive_desc(fd, Attr(), Engine());
        dnnl::batch_normalization_backward::desc bd(dnnl::prop_kind::backward, entry->data, entry->data, epsilon_, f);
        entry->pd = dnnl::batch_normalization_backward::primitive_desc(bd, Attr(), Engine(), hint);
        entry->prim = dnnl::batch_normalization_backward(entry->pd);
        return std::shared_ptr<const Entry>(entry);
      });
    });
    const memory::desc vec = VecDesc(c);
    // oneDNN 2.6 counts the shift as an input of the backward pass when use_shift is set,
    // though it does not read it: pass zeros.
    std::vector<float> shift(static_cast<size_t>(c), 0.0f);
    Execute(ctx, e->prim, e->pd,
            {{DNNL_ARG_SRC, Mem(e->data, x.raw())},
             {DNNL_ARG_SHIFT, Mem(vec, shift.data())},
             {DNNL_ARG_DIFF_DST, Mem(e->data, dy.raw())},
             {DNNL_ARG_MEAN, Mem(vec, mean.raw())},
             {DNNL_ARG_VARIANCE, Mem(vec, var.raw())},
             {DNNL_ARG_SCALE, Mem(vec, scale.raw())},
             {DNNL_ARG_DIFF_SRC, Mem(e->data, dx.raw())},
             {DNNL_ARG_DIFF_SCALE, Mem(vec, dscale.raw())},
             {DNNL_ARG_DIFF_SHIFT, Mem(vec, doffset.raw())}});
  }

 private:
  struct Entry {
    memory::desc data;
    dnnl::batch_normalization_backward::primitive_desc pd;
    dnnl::batch_normalization_backward prim;
  };
  mutable PrimitiveCache<Entry> cache_;
};

const bool registered = [] {
  auto reg = [](const char* op, KernelFactory f) { RegisterKernel(register_kernel::Name(op).Device(DEVICE_CPU).TypeConstraint("T", DataType::DT_FLOAT), std::move(f)); };
  reg("FusedBatchNorm", [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new FusedBatchNormOp(c, false)); });
  reg("FusedBatchNormV2", [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new FusedBatchNormOp(c, false)); });
  reg("FusedBatchNormV3", [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new FusedBatchNormOp(c, true)); });
  for (const char* op : {"FusedBatchNormGrad", "FusedBatchNormGradV2", "FusedBatchNormGradV3"}) {
    reg(op, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new FusedBatchNormGradOp(c)); });
  }
  return true;
}();

}  // namespace
}  // namespace tg
