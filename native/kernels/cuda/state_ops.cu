// Variables and memory-agnostic ops on GPU devices.
//
// Assign / AssignAdd / AssignSub are GPU kernels (device-to-device copy, in-place update).
// VariableV2, IsVariableInitialized, Identity & co., Reshape, ExpandDims, Squeeze, Shape,
// Size, Rank, NoOp and the control-flow ops never read tensor data (they forward buffers,
// look at shapes, or read host-memory arguments only), so their CPU kernels run for GPU
// devices too, with the arguments they do read in host memory (as TF's HostMemory):
//   Reshape/ExpandDims: shape/dim (1); Shape/Size/Rank: the output; Switch/RefSwitch: pred (1);
//   Merge: value_index (output 1); LoopCond: all; IsVariableInitialized: the output.
// Snapshot forwards on the CPU (variables copy on write, so aliasing is safe): the same here.
// For int32 and string values these ops run on the host entirely (TF keeps int32 tensors of
// GPU ops in host memory); those registrations come first so that Find picks them.
#include <cuda_runtime.h>

#include <mutex>
#include <string>
#include <vector>

#include "kernels/cuda/cwise_ops.h"

namespace tg {
namespace gpu {
namespace {

const std::vector<DataType>& HostTypes() {
  static const std::vector<DataType> v = {DataType::DT_INT32, DataType::DT_STRING};
  return v;
}

// `op`'s any-dtype CPU kernel on GPU: on the host for int32/string (keyed by type_attr), else
// with the given arguments in host memory and the rest in device memory.
void RegisterCpuAnyOnGpu(const std::string& op, const std::string& type_attr, std::vector<int> host_inputs = {},
                         std::vector<int> host_outputs = {}) {
  const KernelFactory f = CpuAnyKernelFactory(op);
  if (!f) return;
  if (!type_attr.empty()) RegisterHostOnGpu(op, type_attr, HostTypes(), f);
  register_kernel::Name def(op);
  def.Device(DEVICE_GPU);
  for (int i : host_inputs) def.HostMemoryInput(i);
  for (int i : host_outputs) def.HostMemoryOutput(i);
  RegisterKernel(def, f);
}

// ---------- Assign ----------

class GpuAssignOp : public OpKernel {
 public:
  explicit GpuAssignOp(const KernelConstruction& c) : OpKernel(c), validate_shape_(c.node.AttrBool("validate_shape", true)) {}
  std::vector<int> RefInputs() const override { return {0}; }
  void Compute(OpKernelContext* ctx) const override {
    Var* var = ctx->ref_input(0);
    const Tensor& value = ctx->input(1);  // device memory
    {
      std::lock_guard<std::mutex> lock(var->mu);
      const Shape* lhs = var->tensor.initialized() ? &var->tensor.shape() : var->has_declared_shape ? &var->declared_shape : nullptr;
      if (validate_shape_ && lhs && *lhs != value.shape()) {
        throw ctx->InvalidArg("Assign requires shapes of both tensors to match. lhs shape= " + ShapeString(*lhs) +
                              " rhs shape= " + ShapeString(value.shape()));
      }
      // Copy (as the CPU kernel), so later in-place updates never change the assigned tensor.
      var->tensor = DeviceClone(ctx, value);
    }
    ctx->set_ref_output(0, ctx->ref_input_ptr(0));
  }

 private:
  bool validate_shape_;
};

// ---------- AssignAdd / AssignSub: var op= value in place ----------

struct AddF { template <typename T> __device__ T operator()(T a, T b) const { return a + b; } };
struct SubF { template <typename T> __device__ T operator()(T a, T b) const { return a - b; } };

template <typename T, typename F>
__global__ void UpdateInPlaceKernel(T* dst, const T* __restrict__ src, int64_t n, F f) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    dst[i] = f(dst[i], src[i]);
  }
}

template <typename T, typename F>
class GpuAssignUpdateOp : public OpKernel {
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
      if (!var->tensor.on_device()) var->tensor = ToDevice(ctx, var->tensor);
      else if (!var->tensor.RefCountIsOne()) var->tensor = DeviceClone(ctx, var->tensor);
      const int64_t n = value.num_elements();
      if (n > 0) {
        UpdateInPlaceKernel<T, F><<<BlocksFor(n), kThreadsPerBlock, 0, StreamOf(ctx)>>>(var->tensor.template data<T>(),
                                                                                       value.data<T>(), n, F());
        TG_CUDA_LAUNCH_CHECK();
      }
    }
    ctx->set_ref_output(0, ctx->ref_input_ptr(0));
  }
};
template <typename T> using AssignAddK = GpuAssignUpdateOp<T, AddF>;
template <typename T> using AssignSubK = GpuAssignUpdateOp<T, SubF>;

const bool registered = [] {
  // Variables: VariableV2 only makes the Var; int32/string ones live in host memory.
  RegisterCpuAnyOnGpu("VariableV2", "dtype");
  RegisterCpuAnyOnGpu("Variable", "dtype");
  RegisterCpuAnyOnGpu("IsVariableInitialized", "dtype", {}, {0});
  RegisterHostOnGpu("Assign", "T", HostTypes(), CpuAnyKernelFactory("Assign"));
  TG_REGISTER_KERNEL(Name("Assign").Device(DEVICE_GPU), GpuAssignOp);
  // (int32 AssignAdd/AssignSub: the CPU kernels on the host, registered by the platform loader.)
  TG_REGISTER_KERNEL_FOR_TYPES(Name("AssignAdd").Device(DEVICE_GPU), "T", AssignAddK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("AssignSub").Device(DEVICE_GPU), "T", AssignSubK, float, double, int64_t);

  // Forwarding and shape ops.
  for (const char* op : {"Identity", "StopGradient", "PreventGradient", "Snapshot", "RefIdentity", "Squeeze"}) {
    RegisterCpuAnyOnGpu(op, "T");
  }
  RegisterCpuAnyOnGpu("PlaceholderWithDefault", "dtype");  // its type attr is dtype: host for int32/string
  RegisterCpuAnyOnGpu("Reshape", "T", {1});
  RegisterCpuAnyOnGpu("ExpandDims", "T", {1});
  RegisterCpuAnyOnGpu("Shape", "T", {}, {0});
  RegisterCpuAnyOnGpu("Size", "T", {}, {0});
  RegisterCpuAnyOnGpu("Rank", "T", {}, {0});
  RegisterCpuAnyOnGpu("NoOp", "");

  // Control flow.
  RegisterCpuAnyOnGpu("Switch", "T", {1});
  RegisterCpuAnyOnGpu("RefSwitch", "T", {1});
  RegisterCpuAnyOnGpu("Merge", "T", {}, {1});
  for (const char* op : {"Enter", "Exit", "NextIteration", "RefEnter", "RefExit", "RefNextIteration"}) {
    RegisterCpuAnyOnGpu(op, "T");
  }
  if (KernelFactory f = CpuAnyKernelFactory("LoopCond")) {
    RegisterKernel(register_kernel::Name("LoopCond").Device(DEVICE_GPU).AllHostMemory(), f);
  }
  return true;
}();

}  // namespace
}  // namespace gpu
}  // namespace tg
