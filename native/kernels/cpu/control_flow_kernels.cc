// tf.cond's Switch and Merge: Switch forwards its data to one output and marks the other
// dead; Merge forwards whichever input is live.
#include "runtime/kernel.h"

namespace tg {
namespace {

constexpr DeviceType kCPU = DeviceType::kCPU;

class SwitchOp : public OpKernel {
 public:
  explicit SwitchOp(const KernelConstruction& c) : OpKernel(c, 2) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& pred = ctx->input(1);
    if (pred.dtype() != DataType::DT_BOOL || pred.num_elements() != 1) {
      throw ctx->InvalidArg("The second input must be a scalar bool, but it has shape " + ShapeString(pred.shape()));
    }
    const int taken = pred.data<bool>()[0] ? 1 : 0;
    ctx->forward_input(0, taken);
    ctx->set_output_dead(1 - taken);
  }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("Switch").Device(DEVICE_CPU), SwitchOp);

// The same for a variable reference: the taken output is the variable itself.
class RefSwitchOp : public OpKernel {
 public:
  explicit RefSwitchOp(const KernelConstruction& c) : OpKernel(c, 2) {}
  std::vector<int> RefInputs() const override { return {0}; }
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& pred = ctx->input(1);
    if (pred.dtype() != DataType::DT_BOOL || pred.num_elements() != 1) {
      throw ctx->InvalidArg("The second input must be a scalar bool, but it has shape " + ShapeString(pred.shape()));
    }
    const int taken = pred.data<bool>()[0] ? 1 : 0;
    ctx->set_ref_output(taken, ctx->ref_input_ptr(0));
    ctx->set_output_dead(1 - taken);
  }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("RefSwitch").Device(DEVICE_CPU), RefSwitchOp);

class MergeOp : public OpKernel {
 public:
  explicit MergeOp(const KernelConstruction& c) : OpKernel(c, 2) {}
  bool AcceptsDeadInputs() const override { return true; }
  void Compute(OpKernelContext* ctx) const override {
    for (int i = 0; i < ctx->num_inputs(); i++) {
      if (ctx->input_is_dead(i)) continue;
      ctx->forward_input(i, 0);
      ctx->set_output(1, Tensor::Scalar<int32_t>(i));
      return;
    }
  }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("Merge").Device(DEVICE_CPU), MergeOp);

// While loops: Enter, Exit and NextIteration forward their input; the executor moves the
// value between frames and iterations (executor.cc). LoopCond marks the loop predicate.
class ForwardOp : public OpKernel {
 public:
  explicit ForwardOp(const KernelConstruction& c) : OpKernel(c, 1) {}
  void Compute(OpKernelContext* ctx) const override { ctx->forward_input(0, 0); }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("Enter").Device(DEVICE_CPU), ForwardOp);
TG_REGISTER_KERNEL(Name("Exit").Device(DEVICE_CPU), ForwardOp);
TG_REGISTER_KERNEL(Name("NextIteration").Device(DEVICE_CPU), ForwardOp);
TG_REGISTER_KERNEL(Name("LoopCond").Device(DEVICE_CPU), ForwardOp);

class RefForwardOp : public OpKernel {
 public:
  explicit RefForwardOp(const KernelConstruction& c) : OpKernel(c, 1) {}
  std::vector<int> RefInputs() const override { return {0}; }
  void Compute(OpKernelContext* ctx) const override { ctx->set_ref_output(0, ctx->ref_input_ptr(0)); }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("RefEnter").Device(DEVICE_CPU), RefForwardOp);
TG_REGISTER_KERNEL(Name("RefExit").Device(DEVICE_CPU), RefForwardOp);
TG_REGISTER_KERNEL(Name("RefNextIteration").Device(DEVICE_CPU), RefForwardOp);

// A forward loop saves a value per iteration for the gradient loop, which reads them back
// in reverse order: both address the value by the forward iteration index. In a nested loop
// the index is a vector: the enclosing loops' iterations, then this loop's.
struct AccumulatorSlot {
  std::string key;  // accumulator name plus the enclosing loops' iterations
  int64_t i;        // this loop's iteration
};

AccumulatorSlot AccumulatorIndex(OpKernelContext* ctx, int input, const std::string& name) {
  const Tensor& t = ctx->input(input);
  if (t.dtype() != DataType::DT_INT32 || t.num_elements() < 1 || t.shape().size() > 1) {
    throw ctx->InvalidArg("the iteration index must be an int32 scalar or vector, got shape " + ShapeString(t.shape()));
  }
  const int32_t* v = t.data<int32_t>();
  const int64_t n = t.num_elements();
  AccumulatorSlot slot{name, v[n - 1]};
  for (int64_t k = 0; k < n; k++) {
    if (v[k] < 0) throw ctx->InvalidArg("negative iteration index " + std::to_string(v[k]));
    if (k < n - 1) slot.key += "|" + std::to_string(v[k]);
  }
  return slot;
}

// A value that was dead in a forward iteration (on the untaken side of a tf.cond in the body)
// is recorded as dead, and comes back dead at the mirrored gradient iteration. The push runs
// even then so that the loop counter, which waits on it, keeps counting.
class LoopAccumulatorPushOp : public OpKernel {
 public:
  explicit LoopAccumulatorPushOp(const KernelConstruction& c) : OpKernel(c, 0), key_(c.node.AttrString("accumulator", c.node.name)) {}
  bool AcceptsDeadInputs() const override { return true; }
  void Compute(OpKernelContext* ctx) const override {
    if (ctx->input_is_dead(1)) return;  // no iteration to record
    const AccumulatorSlot slot = AccumulatorIndex(ctx, 1, key_);
    const int64_t i = slot.i;
    StepState* step = ctx->step();
    std::lock_guard<std::mutex> lock(step->accumulators_mu);
    auto& acc = step->accumulators[slot.key];
    if (static_cast<int64_t>(acc.values.size()) <= i) {
      acc.values.resize(i + 1);
      acc.state.resize(i + 1, 0);
    }
    acc.state[i] = ctx->input_is_dead(0) ? 2 : 1;
    acc.values[i] = ctx->input_is_dead(0) ? Tensor() : ctx->input(0);
  }
  bool IsExpensive() const override { return false; }

 private:
  std::string key_;
};
TG_REGISTER_KERNEL(Name("LoopAccumulatorPush").Device(DEVICE_CPU), LoopAccumulatorPushOp);

class LoopAccumulatorPopOp : public OpKernel {
 public:
  explicit LoopAccumulatorPopOp(const KernelConstruction& c) : OpKernel(c, 1), key_(c.node.AttrString("accumulator", "")) {}
  void Compute(OpKernelContext* ctx) const override {
    const AccumulatorSlot slot = AccumulatorIndex(ctx, 0, key_);
    const int64_t i = slot.i;
    StepState* step = ctx->step();
    std::lock_guard<std::mutex> lock(step->accumulators_mu);
    auto it = step->accumulators.find(slot.key);
    if (it == step->accumulators.end() || static_cast<int64_t>(it->second.state.size()) <= i || it->second.state[i] == 0) {
      throw Error(Code::kFailedPrecondition, "The forward while loop did not save iteration " + std::to_string(i) + " of '" +
                  slot.key + "' in this step: a while loop's gradient must run in the same Session.run as the loop",
                  ctx->node().name);
    }
    if (it->second.state[i] == 2) {
      ctx->set_output_dead(0);
      return;
    }
    ctx->set_output(0, it->second.values[i]);
  }
  bool IsExpensive() const override { return false; }

 private:
  std::string key_;
};
TG_REGISTER_KERNEL(Name("LoopAccumulatorPop").Device(DEVICE_CPU), LoopAccumulatorPopOp);

}  // namespace
}  // namespace tg
