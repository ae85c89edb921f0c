// Variables (TF1 ref variables): VariableV2 outputs a reference to the session's Var;
// Assign/AssignAdd/AssignSub take it by reference; readers get its current value.
#include <cstring>

#include "kernels/cpu/cwise.h"
#include "runtime/kernel.h"

namespace tg {
namespace {

constexpr DeviceType kCPU = DeviceType::kCPU;

class VariableOp : public OpKernel {
 public:
  explicit VariableOp(const KernelConstruction& c)
      : OpKernel(c),
        container_(c.node.AttrString("container", "")),
        shared_name_(c.node.AttrString("shared_name", "")) {}
  void Compute(OpKernelContext* ctx) const override {
    const std::string& name = shared_name_.empty() ? ctx->node().name : shared_name_;
    const std::string& node = ctx->node().name;
    ctx->set_ref_output(0, ctx->resources()->LookupOrCreate<Var>(container_, name, [&] {
      // A fully defined declared shape is what Assign checks values against (as in TF).
      const AttrValue* shape = ctx->node().FindAttr("shape");
      bool known = shape && shape->kind == fb::AttrKind::SHAPE && !shape->shape.unknown_rank;
      if (known) for (int64_t d : shape->shape.dims) known &= d >= 0;
      return std::make_shared<Var>(node, known ? Shape(shape->shape.dims) : Shape{}, known);
    }));
  }
  bool IsExpensive() const override { return false; }

 private:
  std::string container_, shared_name_;
};
TG_REGISTER_KERNEL(Name("VariableV2").Device(DEVICE_CPU), VariableOp);
TG_REGISTER_KERNEL(Name("Variable").Device(DEVICE_CPU), VariableOp);

class AssignOp : public OpKernel {
 public:
  explicit AssignOp(const KernelConstruction& c)
      : OpKernel(c), validate_shape_(c.node.AttrBool("validate_shape", true)) {}
  std::vector<int> RefInputs() const override { return {0}; }
  void Compute(OpKernelContext* ctx) const override {
    Var* var = ctx->ref_input(0);
    const Tensor& value = ctx->input(1);
    {
      std::lock_guard<std::mutex> lock(var->mu);
      const Shape* lhs = var->tensor.initialized() ? &var->tensor.shape() : var->has_declared_shape ? &var->declared_shape : nullptr;
      if (validate_shape_ && lhs && *lhs != value.shape()) {
        throw ctx->InvalidArg("Assign requires shapes of both tensors to match. lhs shape= " + ShapeString(*lhs) +
                              " rhs shape= " + ShapeString(value.shape()));
      }
      // Copy, so later in-place updates of the variable never change the assigned tensor.
      var->tensor = value.Clone();
    }
    ctx->set_ref_output(0, ctx->ref_input_ptr(0));
  }

 private:
  bool validate_shape_;
};
TG_REGISTER_KERNEL(Name("Assign").Device(DEVICE_CPU), AssignOp);

// var op= value, in place when no reader shares the buffer (copy-on-write otherwise).
template <typename T, typename F>
class AssignUpdateOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  std::vector<int> RefInputs() const override { return {0}; }
  void Compute(OpKernelContext* ctx) const override {
    Var* var = ctx->ref_input(0);
    const Tensor& value = ctx->input(1);
    {
      std::lock_guard<std::mutex> lock(var->mu);
      if (!var->tensor.initialized()) {
        throw Error(Code::kFailedPrecondition, "Attempting to use uninitialized value " + var->name, ctx->node().name);
      }
      if (var->tensor.shape() != value.shape()) {
        throw ctx->InvalidArg("Must have the same shape: lhs shape= " + ShapeString(var->tensor.shape()) +
                              " rhs shape= " + ShapeString(value.shape()));
      }
      if (!var->tensor.RefCountIsOne()) var->tensor = var->tensor.Clone();
      T* dst = var->tensor.data<T>();
      const T* src = value.data<T>();
      const int64_t n = value.num_elements();
      for (int64_t i = 0; i < n; i++) dst[i] = F::Apply(dst[i], src[i]);
    }
    ctx->set_ref_output(0, ctx->ref_input_ptr(0));
  }
};

template <typename T>
void RegisterAssignUpdates() {
  TG_REGISTER_KERNEL(Name("AssignAdd").Device(DEVICE_CPU).TypeConstraint("T", DataTypeOf<T>()), AssignUpdateOp<T, cwise::Add>);
  TG_REGISTER_KERNEL(Name("AssignSub").Device(DEVICE_CPU).TypeConstraint("T", DataTypeOf<T>()), AssignUpdateOp<T, cwise::Sub>);
}
const bool registered = (RegisterAssignUpdates<float>(), RegisterAssignUpdates<double>(), RegisterAssignUpdates<int32_t>(),
                         RegisterAssignUpdates<int64_t>(), true);

class IsVariableInitializedOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  std::vector<int> RefInputs() const override { return {0}; }
  void Compute(OpKernelContext* ctx) const override {
    Var* var = ctx->ref_input(0);
    std::lock_guard<std::mutex> lock(var->mu);
    ctx->set_output(0, Tensor::Scalar<bool>(var->tensor.initialized()));
  }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("IsVariableInitialized").Device(DEVICE_CPU), IsVariableInitializedOp);

}  // namespace
}  // namespace tg
