// Checkpoint kernels with TF's V2 op signatures (io/checkpoint.h does the file work):
//   SaveV2(prefix: string, tensor_names: string[N], shape_and_slices: string[N], tensors: dtypes)
//   RestoreV2(prefix, tensor_names, shape_and_slices) -> tensors: dtypes
// Only whole tensors are saved and restored: shape_and_slices entries must be "".
#include <string>
#include <vector>

#include "io/checkpoint.h"
#include "runtime/kernel.h"

namespace tg {
namespace {

constexpr DeviceType kCPU = DeviceType::kCPU;
constexpr int kFixedInputs = 3;

std::string ShapeDebugString(const Shape& s) { return ShapeString(s); }

// TF's ValidateInputs of save_restore_v2_ops.cc: returns the prefix; checks the name lists.
std::string ValidateInputs(OpKernelContext* ctx, bool is_save, int64_t num_tensors) {
  const Tensor& prefix = ctx->input(0);
  const Tensor& names = ctx->input(1);
  const Tensor& slices = ctx->input(2);
  if (prefix.dtype() != DataType::DT_STRING || names.dtype() != DataType::DT_STRING || slices.dtype() != DataType::DT_STRING) {
    throw ctx->InvalidArg("prefix, tensor_names and shape_and_slices must be string tensors");
  }
  if (prefix.num_elements() != 1) {
    throw ctx->InvalidArg("Input prefix should have a single element, got " + std::to_string(prefix.num_elements()) + " instead.");
  }
  if (names.dims() != 1 || slices.dims() != 1) {
    throw ctx->InvalidArg("Input tensor_names and shape_and_slices should be an 1-D tensors, got " + ShapeDebugString(names.shape()) +
                          " and " + ShapeDebugString(slices.shape()) + " instead.");
  }
  if (names.num_elements() != slices.num_elements()) {
    throw ctx->InvalidArg("tensor_names and shape_and_slices have different number of elements: " +
                          std::to_string(names.num_elements()) + " vs. " + std::to_string(slices.num_elements()));
  }
  if (names.num_elements() != num_tensors) {
    throw ctx->InvalidArg(is_save ? "Got " + std::to_string(num_tensors) + " tensors to save but " +
                                        std::to_string(names.num_elements()) + " names (tensor_names)"
                                  : "Got " + std::to_string(names.num_elements()) + " tensor names to restore but " +
                                        std::to_string(num_tensors) + " dtypes (attr dtypes)");
  }
  for (int64_t i = 0; i < slices.num_elements(); i++) {
    if (!slices.strings()[i].empty()) {
      throw Error(Code::kUnimplemented,
                  "Partial tensors (shape_and_slices \"" + slices.strings()[i] + "\" for tensor '" + names.strings()[i] +
                      "') are not supported: save and restore whole tensors (shape_and_slices \"\")",
                  ctx->node().name);
    }
  }
  const std::string& p = prefix.strings()[0];
  if (p.empty()) throw ctx->InvalidArg("Input prefix must not be empty");
  return p;
}

// Errors of the checkpoint layer name this node.
[[noreturn]] void Rethrow(const Error& e, const OpKernelContext* ctx) {
  throw Error(e.code(), e.what(), e.node().empty() ? ctx->node().name : e.node());
}

class SaveV2Op : public OpKernel {
 public:
  explicit SaveV2Op(const KernelConstruction& c) : OpKernel(c, 0) {}

  void Compute(OpKernelContext* ctx) const override {
    const int64_t n = ctx->num_inputs() - kFixedInputs;
    const std::string prefix = ValidateInputs(ctx, true, n);
    const Tensor& names = ctx->input(1);
    try {
      CheckpointWriter writer(prefix);
      for (int64_t i = 0; i < n; i++) writer.Add(names.strings()[i], ctx->input(kFixedInputs + static_cast<int>(i)));
      writer.Finish();
    } catch (const Error& e) {
      Rethrow(e, ctx);
    }
  }
};
TG_REGISTER_KERNEL(Name("SaveV2").Device(DEVICE_CPU), SaveV2Op);

class RestoreV2Op : public OpKernel {
 public:
  explicit RestoreV2Op(const KernelConstruction& c)
      : OpKernel(c, static_cast<int>(c.node.AttrTypes("dtypes").size())), dtypes_(c.node.AttrTypes("dtypes")) {}

  void Compute(OpKernelContext* ctx) const override {
    const std::string prefix = ValidateInputs(ctx, false, static_cast<int64_t>(dtypes_.size()));
    const Tensor& names = ctx->input(1);
    try {
      CheckpointReader reader(prefix);
      // Check every name and dtype before reading any data (TF looks all of them up first).
      std::vector<const CheckpointEntryInfo*> entries(dtypes_.size());
      for (size_t i = 0; i < dtypes_.size(); i++) {
        const std::string& name = names.strings()[i];
        entries[i] = reader.Find(name);
        if (!entries[i]) throw Error(Code::kNotFound, "Key " + name + " not found in checkpoint");
        if (entries[i]->dtype != dtypes_[i]) {
          throw InvalidArgument("tensor_name = " + name + "; expected dtype " + DataTypeName(dtypes_[i]) +
                                " does not equal original dtype " + DataTypeName(entries[i]->dtype));
        }
      }
      for (size_t i = 0; i < dtypes_.size(); i++) ctx->set_output(static_cast<int>(i), reader.Read(*entries[i]));
    } catch (const Error& e) {
      Rethrow(e, ctx);
    }
  }

 private:
  std::vector<DataType> dtypes_;
};
TG_REGISTER_KERNEL(Name("RestoreV2").Device(DEVICE_CPU), RestoreV2Op);

}  // namespace
}  // namespace tg
