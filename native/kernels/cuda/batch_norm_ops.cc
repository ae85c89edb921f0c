// FusedBatchNorm(V2, V3) and FusedBatchNormGrad(V2, V3) on cuDNN (spatial mode), float32,
// NHWC or NCHW, with the CPU kernels' conventions (kernels/cpu/batch_norm_ops.cc), so that a
// forward pass on one device and its gradient on another agree:
//  - is_training: y uses the batch mean and biased variance; batch_variance is the unbiased
//    one (cuDNN's running variance with factor 1 is exactly that); reserve_space_1/2 hold the
//    batch mean and the BIASED variance (not cuDNN's inverse std, as TF's GPU kernel keeps);
//    V3's reserve_space_3 is a scalar 0.
//  - inference: mean/variance inputs are used and passed through to outputs 1-4.
//  - gradient, training: cuDNN's backward with the saved mean and 1/sqrt(var + eps) computed
//    from reserve_space_2; inference: a small kernel (cuDNN has no backward with fixed stats).
//    Outputs 3 and 4 are empty vectors.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // cuDNN 9 marks the legacy API deprecated; TF uses it

#include <algorithm>
#include <string>

#include "kernels/cuda/batch_norm_kernels.h"
#include "kernels/cuda/cudnn_util.h"

namespace tg {
namespace {

using namespace cudnn_util;  // NOLINT

class BatchNormGpuBase : public OpKernel {
 public:
  explicit BatchNormGpuBase(const KernelConstruction& c) : OpKernel(c), format_(ParseFormat(c.node)) {
    const AttrValue* eps = c.node.FindAttr("epsilon");
    epsilon_ = eps ? eps->f : 0.0001f;
    training_ = c.node.AttrBool("is_training", true);
  }

 protected:
  int64_t Channels(const Tensor& x) const { return x.dim(CIdx(format_)); }

  void CheckVector(const OpKernelContext* ctx, const Tensor& t, const std::string& what, int64_t c) const {
    if (t.dims() != 1) throw ctx->InvalidArg(what + " must be 1-dimensional" + ShapeString(t.shape()));
    if (t.dim(0) != c) {
      throw ctx->InvalidArg(what + " must have the same number of elements as the channels of x, got " +
                            std::to_string(t.dim(0)) + " and " + std::to_string(c));
    }
  }

  void DataDesc(const OpKernelContext* ctx, const Tensor& x, TensorDesc& d) const {
    d.Set(CUDNN_DATA_FLOAT, format_, Int(ctx, x.dim(0)), Int(ctx, Channels(x)), Int(ctx, x.dim(HIdx(format_))),
          Int(ctx, x.dim(WIdx(format_))));
  }

  // cuDNN rejects epsilons below its minimum (0 in cuDNN 9; 1e-5 in older versions).
  double CudnnEpsilon() const { return std::max<double>(epsilon_, CUDNN_BN_MIN_EPSILON); }

  static void CopyVec(GpuDevice* gpu, Tensor& to, const Tensor& from) {
    if (from.num_elements() > 0) {
      TG_CUDA_CHECK(cudaMemcpyAsync(to.raw(), from.raw(), from.num_elements() * sizeof(float), cudaMemcpyDeviceToDevice, gpu->stream()));
    }
  }
  static void Memset(GpuDevice* gpu, Tensor& t, int byte) {
    if (t.num_elements() > 0) TG_CUDA_CHECK(cudaMemsetAsync(t.raw(), byte, t.num_elements() * sizeof(float), gpu->stream()));
  }

  Format format_;
  float epsilon_;
  bool training_;
};

class FusedBatchNormGpuOp : public BatchNormGpuBase {
 public:
  FusedBatchNormGpuOp(const KernelConstruction& c, bool v3) : BatchNormGpuBase(c), v3_(v3) { set_num_outputs(v3 ? 6 : 5); }

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
    GpuDevice* gpu = GpuOf(ctx);
    Tensor& y = ctx->allocate_output(0, DataType::DT_FLOAT, x.shape());
    Tensor& batch_mean = ctx->allocate_output(1, DataType::DT_FLOAT, {c});
    Tensor& batch_var = ctx->allocate_output(2, DataType::DT_FLOAT, {c});
    Tensor& saved_mean = ctx->allocate_output(3, DataType::DT_FLOAT, {c});
    Tensor& saved_var = ctx->allocate_output(4, DataType::DT_FLOAT, {c});
    if (v3_) Memset(gpu, ctx->allocate_output(5, DataType::DT_FLOAT, {}), 0);
    if (c == 0) return;
    const int64_t rest = x.num_elements() / c;
    if (rest == 0 || !training_) {
      if (training_) {  // statistics of an empty set: NaN (all-ones bytes are a NaN)
        for (Tensor* t : {&batch_mean, &batch_var, &saved_mean, &saved_var}) Memset(gpu, *t, 0xFF);
        return;
      }
      CopyVec(gpu, batch_mean, est_mean), CopyVec(gpu, batch_var, est_var);
      CopyVec(gpu, saved_mean, est_mean), CopyVec(gpu, saved_var, est_var);
      if (rest == 0) return;
    }
    TensorDesc xd, vd;
    DataDesc(ctx, x, xd);
    vd.SetVector(CUDNN_DATA_FLOAT, Int(ctx, c));
    CudnnHandle h(gpu);
    const float one = 1, zero = 0;
    if (!training_) {
      TG_CUDNN_CHECK(cudnnBatchNormalizationForwardInference(h.get(), CUDNN_BATCHNORM_SPATIAL, &one, &zero, xd.get(), x.raw(),
                                                             xd.get(), y.raw(), vd.get(), scale.raw(), offset.raw(),
                                                             est_mean.raw(), est_var.raw(), CudnnEpsilon()));
      return;
    }
    // Factor 1: the "running" mean/variance become this batch's mean and unbiased variance.
    // cuDNN still reads them (times 0), so they must not hold NaNs.
    Memset(gpu, batch_mean, 0);
    Memset(gpu, batch_var, 0);
    Tensor inv_std = ctx->allocate_temp(DataType::DT_FLOAT, {c});
    TG_CUDNN_CHECK(cudnnBatchNormalizationForwardTraining(h.get(), CUDNN_BATCHNORM_SPATIAL, &one, &zero, xd.get(), x.raw(),
                                                          xd.get(), y.raw(), vd.get(), scale.raw(), offset.raw(), 1.0,
                                                          batch_mean.raw(), batch_var.raw(), CudnnEpsilon(), saved_mean.raw(),
                                                          inv_std.raw()));
    if (rest == 1) {  // one value per channel: variance 0 (the unbiased estimate divides by 0)
      Memset(gpu, batch_var, 0);
      Memset(gpu, saved_var, 0);
      return;
    }
    // reserve_space_2: the biased variance = unbiased * (n - 1) / n.
    const float biased = static_cast<float>(static_cast<double>(rest - 1) / static_cast<double>(rest));
    TG_CUDNN_CHECK(cudnnTransformTensor(h.get(), &biased, vd.get(), batch_var.raw(), &zero, vd.get(), saved_var.raw()));
  }

 private:
  bool v3_;
};

class FusedBatchNormGradGpuOp : public BatchNormGpuBase {
 public:
  explicit FusedBatchNormGradGpuOp(const KernelConstruction& c) : BatchNormGpuBase(c) { set_num_outputs(5); }

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
    GpuDevice* gpu = GpuOf(ctx);
    Tensor& dx = ctx->allocate_output(0, DataType::DT_FLOAT, x.shape());
    Tensor& dscale = ctx->allocate_output(1, DataType::DT_FLOAT, {c});
    Tensor& doffset = ctx->allocate_output(2, DataType::DT_FLOAT, {c});
    ctx->allocate_output(3, DataType::DT_FLOAT, {0});
    ctx->allocate_output(4, DataType::DT_FLOAT, {0});
    if (c == 0) return;
    if (x.num_elements() == 0) {
      Memset(gpu, dscale, 0);
      Memset(gpu, doffset, 0);
      return;
    }
    if (!training_) {
      const bool nhwc = format_ == Format::kNHWC;
      const int64_t hw = x.dim(HIdx(format_)) * x.dim(WIdx(format_));
      const int64_t outer = nhwc ? x.dim(0) * hw : x.dim(0), inner = nhwc ? 1 : hw;
      LaunchBatchNormGradInference(dy.data<float>(), x.data<float>(), scale.data<float>(), mean.data<float>(), var.data<float>(),
                                   epsilon_, outer, c, inner, dx.data<float>(), dscale.data<float>(), doffset.data<float>(),
                                   gpu->stream());
      return;
    }
    TensorDesc xd, vd;
    DataDesc(ctx, x, xd);
    vd.SetVector(CUDNN_DATA_FLOAT, Int(ctx, c));
    Tensor inv_std = ctx->allocate_temp(DataType::DT_FLOAT, {c});
    const double eps = CudnnEpsilon();
    LaunchBatchNormInvStd(var.data<float>(), static_cast<float>(eps), c, inv_std.data<float>(), gpu->stream());
    CudnnHandle h(gpu);
    const float one = 1, zero = 0;
    TG_CUDNN_CHECK(cudnnBatchNormalizationBackward(h.get(), CUDNN_BATCHNORM_SPATIAL, &one, &zero, &one, &zero, xd.get(), x.raw(),
                                                   xd.get(), dy.raw(), xd.get(), dx.raw(), vd.get(), scale.raw(), dscale.raw(),
                                                   doffset.raw(), eps, mean.raw(), inv_std.raw()));
  }
};

const bool registered = [] {
  auto reg = [](const char* op, KernelFactory f) {
    RegisterKernel(register_kernel::Name(op).Device(DEVICE_GPU).TypeConstraint("T", DataType::DT_FLOAT), std::move(f));
  };
  reg("FusedBatchNorm", [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new FusedBatchNormGpuOp(c, false)); });
  reg("FusedBatchNormV2", [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new FusedBatchNormGpuOp(c, false)); });
  reg("FusedBatchNormV3", [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new FusedBatchNormGpuOp(c, true)); });
  for (const char* op : {"FusedBatchNormGrad", "FusedBatchNormGradV2", "FusedBatchNormGradV3"}) {
    reg(op, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new FusedBatchNormGradGpuOp(c)); });
  }
  return true;
}();

}  // namespace
}  // namespace tg
