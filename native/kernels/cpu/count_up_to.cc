// CountUpTo: increments a scalar int32/int64 ref variable and returns its old value; at
// `limit` it fails with OutOfRange instead (tf.train.limitEpochs counts epochs with it, and
// the OutOfRange is what closes the input queue).
#include "runtime/kernel.h"

namespace tg {
namespace {

template <typename T>
class CountUpToOp : public OpKernel {
 public:
  explicit CountUpToOp(const KernelConstruction& c) : OpKernel(c), limit_(c.node.AttrInt("limit", 0)) {}
  std::vector<int> RefInputs() const override { return {0}; }
  void Compute(OpKernelContext* ctx) const override {
    Var* var = ctx->ref_input(0);
    T before;
    {
      std::lock_guard<std::mutex> lock(var->mu);
      if (!var->tensor.initialized()) {
        throw Error(Code::kFailedPrecondition, "Attempting to use uninitialized value " + var->name, ctx->node().name);
      }
      if (!var->tensor.shape().empty()) {
        throw ctx->InvalidArg("input is not a scalar: " + ShapeString(var->tensor.shape()));
      }
      before = *var->tensor.data<T>();
      if (before >= static_cast<T>(limit_)) {
        throw Error(Code::kOutOfRange, "Reached limit of " + std::to_string(limit_), ctx->node().name);
      }
      // Readers may share the buffer: copy before writing (copy-on-write, as AssignAdd).
      if (!var->tensor.RefCountIsOne()) var->tensor = var->tensor.Clone();
      *var->tensor.data<T>() = before + 1;
    }
    ctx->set_output(0, Tensor::Scalar<T>(before));
  }
  bool IsExpensive() const override { return false; }

 private:
  int64_t limit_;
};

TG_REGISTER_KERNEL_FOR_TYPES(Name("CountUpTo").Device(DEVICE_CPU), "T", CountUpToOp, int32_t, int64_t);

}  // namespace
}  // namespace tg
