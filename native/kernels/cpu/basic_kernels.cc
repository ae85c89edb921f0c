// Source and plumbing kernels: Const, Placeholder, Identity, NoOp, StopGradient.
#include "runtime/kernel.h"

namespace tg {
namespace {

constexpr DeviceType kCPU = DeviceType::kCPU;

class ConstOp : public OpKernel {
 public:
  explicit ConstOp(const KernelConstruction& c) : OpKernel(c), value_(c.node.AttrTensor("value")) {}
  void Compute(OpKernelContext* ctx) const override { ctx->set_output(0, value_); }  // shared, never copied
  bool IsExpensive() const override { return false; }

 private:
  Tensor value_;
};
TG_REGISTER_KERNEL(Name("Const").Device(DEVICE_CPU), ConstOp);

class PlaceholderOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Node& n = ctx->node();
    std::string shape = n.FindAttr("shape") ? n.AttrShape("shape").ToString() : "<unknown>";
    throw ctx->InvalidArg("You must feed a value for placeholder tensor '" + n.name + "' with dtype " +
                          DataTypeName(n.AttrType("dtype")) + (shape == "<unknown>" ? "" : " and shape " + shape));
  }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("Placeholder").Device(DEVICE_CPU), PlaceholderOp);

// Identity-like ops forward their input's buffer.
class ForwardOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override { ctx->forward_input(0, 0); }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("Identity").Device(DEVICE_CPU), ForwardOp);
TG_REGISTER_KERNEL(Name("StopGradient").Device(DEVICE_CPU), ForwardOp);
TG_REGISTER_KERNEL(Name("PreventGradient").Device(DEVICE_CPU), ForwardOp);
TG_REGISTER_KERNEL(Name("Snapshot").Device(DEVICE_CPU), ForwardOp);

class PlaceholderWithDefaultOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const PartialShape& s = ctx->node().AttrShape("shape");
    if (!s.IsCompatibleWith(ctx->input(0).shape())) {
      throw ctx->InvalidArg("PlaceholderWithDefault " + ctx->node().name + ": default value of shape " +
                            ShapeString(ctx->input(0).shape()) + " is not compatible with shape " + s.ToString());
    }
    ctx->forward_input(0, 0);
  }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("PlaceholderWithDefault").Device(DEVICE_CPU), PlaceholderWithDefaultOp);

// Forwards a variable reference (consumers still see the variable itself).
class RefIdentityOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  std::vector<int> RefInputs() const override { return {0}; }
  void Compute(OpKernelContext* ctx) const override { ctx->set_ref_output(0, ctx->ref_input_ptr(0)); }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("RefIdentity").Device(DEVICE_CPU), RefIdentityOp);

class NoOp : public OpKernel {
 public:
  explicit NoOp(const KernelConstruction& c) : OpKernel(c, 0) {}
  void Compute(OpKernelContext*) const override {}
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("NoOp").Device(DEVICE_CPU), NoOp);

}  // namespace
}  // namespace tg
