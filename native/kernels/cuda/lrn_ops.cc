// LRN and LRNGrad on GPU, float32, 4-D NHWC across the depth (as kernels/cpu/lrn_ops.cc).
// cuDNN's cross-channel LRN computes x / (k + alpha/n * sum(x^2))^beta over a window of n
// channels, so TF's depth_radius r and alpha become n = 2r+1 and alpha*n. cuDNN takes
// n <= 16, beta >= 0.01 and k >= 1e-5; other parameters run direct kernels (lrn_kernels.cu).
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // cuDNN 9 marks the legacy API deprecated; TF uses it

#include <climits>
#include <string>

#include "kernels/cuda/cudnn_util.h"
#include "kernels/cuda/lrn_kernels.h"

namespace tg {
namespace {

using namespace cudnn_util;  // NOLINT

class LrnDesc {
 public:
  LrnDesc() { TG_CUDNN_CHECK(cudnnCreateLRNDescriptor(&d_)); }
  ~LrnDesc() { cudnnDestroyLRNDescriptor(d_); }
  LrnDesc(const LrnDesc&) = delete;
  LrnDesc& operator=(const LrnDesc&) = delete;
  cudnnLRNDescriptor_t get() const { return d_; }

 private:
  cudnnLRNDescriptor_t d_ = nullptr;
};

class LrnGpuOp : public OpKernel {
 public:
  LrnGpuOp(const KernelConstruction& c, bool grad) : OpKernel(c), grad_(grad), radius_(c.node.AttrInt("depth_radius", 5)) {
    const AttrValue* b = c.node.FindAttr("bias");
    const AttrValue* a = c.node.FindAttr("alpha");
    const AttrValue* be = c.node.FindAttr("beta");
    bias_ = b ? b->f : 1.0f;
    alpha_ = a ? a->f : 1.0f;
    beta_ = be ? be->f : 0.5f;
    if (radius_ < 0 || radius_ > INT_MAX / 2) {
      throw InvalidArgument("depth_radius = " + std::to_string(radius_) + " larger than int max", c.node.name);
    }
    use_cudnn_ = 2 * radius_ + 1 <= CUDNN_LRN_MAX_N && beta_ >= CUDNN_LRN_MIN_BETA && bias_ >= CUDNN_LRN_MIN_K;
  }

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& x = ctx->input(grad_ ? 1 : 0);  // LRNGrad(input_grads, input_image, output_image)
    if (x.dims() != 4) throw ctx->InvalidArg(grad_ ? "input_image must be 4-dimensional" : "input must be 4-dimensional");
    if (grad_) {
      if (ctx->input(0).shape() != x.shape() || ctx->input(2).shape() != x.shape()) {
        throw ctx->InvalidArg("input_grads, input_image, and out_image should have the same shape");
      }
    }
    GpuDevice* gpu = GpuOf(ctx);
    Tensor& out = ctx->allocate_output(0, DataType::DT_FLOAT, x.shape());
    if (x.num_elements() == 0) return;
    const int64_t depth = x.dim(3);
    if (!use_cudnn_) return Direct(ctx, gpu, x, out);
    const unsigned n = static_cast<unsigned>(2 * radius_ + 1);
    LrnDesc lrn;
    TG_CUDNN_CHECK(cudnnSetLRNDescriptor(lrn.get(), n, static_cast<double>(alpha_) * n, beta_, bias_));
    TensorDesc d;
    d.Set(CUDNN_DATA_FLOAT, Format::kNHWC, Int(ctx, x.dim(0)), Int(ctx, depth), Int(ctx, x.dim(1)), Int(ctx, x.dim(2)));
    CudnnHandle h(gpu);
    const float one = 1, zero = 0;
    cudnnStatus_t st;
    if (!grad_) {
      st = cudnnLRNCrossChannelForward(h.get(), lrn.get(), CUDNN_LRN_CROSS_CHANNEL_DIM1, &one, d.get(), x.raw(), &zero, d.get(),
                                       out.raw());
    } else {
      st = cudnnLRNCrossChannelBackward(h.get(), lrn.get(), CUDNN_LRN_CROSS_CHANNEL_DIM1, &one, d.get(), ctx->input(2).raw(),
                                        d.get(), ctx->input(0).raw(), d.get(), x.raw(), &zero, d.get(), out.raw());
    }
    // A cuDNN build without NHWC LRN: the direct kernels compute the same.
    if (st == CUDNN_STATUS_NOT_SUPPORTED) return Direct(ctx, gpu, x, out);
    if (st != CUDNN_STATUS_SUCCESS) ThrowCudnn(st, grad_ ? "cudnnLRNCrossChannelBackward" : "cudnnLRNCrossChannelForward", __FILE__, __LINE__);
  }

 private:
  void Direct(OpKernelContext* ctx, GpuDevice* gpu, const Tensor& x, Tensor& out) const {
    const int64_t depth = x.dim(3), pixels = x.num_elements() / depth;
    if (grad_) {
      LaunchLrnGrad(ctx->input(0).data<float>(), x.data<float>(), pixels, depth, radius_, bias_, alpha_, beta_, out.data<float>(),
                    gpu->stream());
    } else {
      LaunchLrn(x.data<float>(), pixels, depth, radius_, bias_, alpha_, beta_, out.data<float>(), gpu->stream());
    }
  }

  bool grad_;
  int64_t radius_;
  float bias_, alpha_, beta_;
  bool use_cudnn_;
};

const bool registered = [] {
  RegisterKernel(register_kernel::Name("LRN").Device(DEVICE_GPU).TypeConstraint("T", DataType::DT_FLOAT), [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new LrnGpuOp(c, false)); });
  RegisterKernel(register_kernel::Name("LRNGrad").Device(DEVICE_GPU).TypeConstraint("T", DataType::DT_FLOAT), [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new LrnGpuOp(c, true)); });
  return true;
}();

}  // namespace
}  // namespace tg
