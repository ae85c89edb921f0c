// ConditionalAccumulator kernels (TF1's ops, with TF's Ref(string) handle [container, name]):
// the accumulator is a per-session resource named by shared_name or else the node name.
// AccumulatorTakeGradient is async: a take waiting for gradients holds no thread.
#include "kernels/cpu/conditional_accumulator.h"

namespace tg {
namespace {

int64_t ScalarInt64(OpKernelContext* ctx, int i, const char* what) {
  const Tensor& t = ctx->input(i);
  if (t.dtype() != DataType::DT_INT64 || t.num_elements() != 1) {
    throw ctx->InvalidArg(std::string(what) + " must be an int64 scalar, got " + t.DebugString());
  }
  return *t.data<int64_t>();
}

// The node's `dtype` attr must be the accumulator's (TF's CheckSignature).
void CheckDtype(OpKernelContext* ctx, const ConditionalAccumulator& acc) {
  const DataType declared = ctx->node().AttrType("dtype");
  if (declared != acc.dtype()) {
    throw ctx->InvalidArg("Accumulator holds " + DataTypeName(acc.dtype()) + " gradients but the op expects " + DataTypeName(declared));
  }
}

class ConditionalAccumulatorOp : public OpKernel {
 public:
  explicit ConditionalAccumulatorOp(const KernelConstruction& c)
      : OpKernel(c),
        container_(c.node.AttrString("container", "")),
        shared_name_(c.node.AttrString("shared_name", "")),
        reduction_(c.node.AttrString("reduction_type", "MEAN")) {}

  void Compute(OpKernelContext* ctx) const override {
    const Node& n = ctx->node();
    if (reduction_ != "MEAN" && reduction_ != "SUM") {
      throw ctx->InvalidArg("reduction_type must be MEAN or SUM, got '" + reduction_ + "'");
    }
    const std::string& name = shared_name_.empty() ? n.name : shared_name_;
    const DataType dtype = n.AttrType("dtype");
    const AttrValue* s = n.FindAttr("shape");
    const PartialShape shape = s ? s->shape : PartialShape{};
    // The handle names the container resolved here (a server's default is its job name), so
    // the ops that take it find the same accumulator.
    const std::string& container = container_.empty() ? ctx->resources()->default_container() : container_;
    auto acc = ctx->resources()->LookupOrCreate<ConditionalAccumulator>(container, name, [&] {
      return std::make_shared<ConditionalAccumulator>(dtype, shape, name, reduction_ == "MEAN");
    });
    acc->MatchesNode(n).Check();
    ctx->set_output(0, MakeAccumulatorHandle(container, name));
  }
  bool IsExpensive() const override { return false; }

 private:
  std::string container_, shared_name_, reduction_;
};

class ApplyGradientOp : public OpKernel {
 public:
  explicit ApplyGradientOp(const KernelConstruction& c) : OpKernel(c, 0) {}
  void Compute(OpKernelContext* ctx) const override {
    auto acc = GetAccumulator(ctx);
    CheckDtype(ctx, *acc);
    acc->TryApplyGrad(ScalarInt64(ctx, 1, "local_step"), ctx->input(2), ctx->node().name);
  }
  bool IsExpensive() const override { return false; }
};

class TakeGradientOp : public AsyncOpKernel {
 public:
  using AsyncOpKernel::AsyncOpKernel;
  void ComputeAsync(OpKernelContext* ctx, DoneCallback done) const override {
    auto acc = GetAccumulator(ctx);
    CheckDtype(ctx, *acc);
    const Tensor& n = ctx->input(1);
    if (n.dtype() != DataType::DT_INT32 || n.num_elements() != 1) throw ctx->InvalidArg("num_required must be an int32 scalar, got " + n.DebugString());
    // The callback keeps the accumulator alive while the take is parked in it.
    acc->TryTakeGrad(*n.data<int32_t>(), ctx, [acc, done = std::move(done)] { done(); });
  }
};

class NumAccumulatedOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override { ctx->set_output(0, Tensor::Scalar<int32_t>(GetAccumulator(ctx)->num_accumulated())); }
  bool IsExpensive() const override { return false; }
};

class SetGlobalStepOp : public OpKernel {
 public:
  explicit SetGlobalStepOp(const KernelConstruction& c) : OpKernel(c, 0) {}
  void Compute(OpKernelContext* ctx) const override { GetAccumulator(ctx)->SetGlobalStep(ScalarInt64(ctx, 1, "new_global_step")); }
  bool IsExpensive() const override { return false; }
};

// TF registers the dense accumulator for half, float and double.
[[maybe_unused]] const bool registered = [] {
  for (DataType t : {DataType::DT_HALF, DataType::DT_FLOAT, DataType::DT_DOUBLE}) {
    RegisterKernel(register_kernel::Name("ConditionalAccumulator").Device(DEVICE_CPU).TypeConstraint("dtype", t), FactoryOf<ConditionalAccumulatorOp>());
    RegisterKernel(register_kernel::Name("AccumulatorApplyGradient").Device(DEVICE_CPU).TypeConstraint("dtype", t), FactoryOf<ApplyGradientOp>());
    RegisterKernel(register_kernel::Name("AccumulatorTakeGradient").Device(DEVICE_CPU).TypeConstraint("dtype", t), FactoryOf<TakeGradientOp>());
  }
  return true;
}();
TG_REGISTER_KERNEL(Name("AccumulatorNumAccumulated").Device(DEVICE_CPU), NumAccumulatedOp);
TG_REGISTER_KERNEL(Name("AccumulatorSetGlobalStep").Device(DEVICE_CPU), SetGlobalStepOp);

}  // namespace
}  // namespace tg
