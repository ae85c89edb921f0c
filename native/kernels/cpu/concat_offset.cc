// ConcatOffset (where each input of a concatenation starts in the result) and ShapeN (the
// shapes of several tensors at once): the shape arithmetic of the ConcatV2 gradient.
// Errors follow TF1's ConcatOffsetOp / ShapeNOp.
#include <limits>

#include "kernels/cpu/array_common.h"

namespace tg {
namespace {

using namespace array;

std::string Values(const Tensor& t) {
  std::string s;
  const int64_t n = std::min<int64_t>(t.num_elements(), 10);
  for (int64_t i = 0; i < n; i++) s += (i ? " " : "") + std::to_string(t.data<int32_t>()[i]);
  if (t.num_elements() > n) s += "...";
  return s;
}

class ConcatOffsetOp : public OpKernel {
 public:
  explicit ConcatOffsetOp(const KernelConstruction& c) : OpKernel(c, static_cast<int>(c.node.inputs.size()) - 1) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& concat_dim = ctx->input(0);
    if (concat_dim.dims() != 0) {
      throw ctx->InvalidArg("Concat dim tensor should be a scalar integer, but got shape " + ShapeOf(concat_dim));
    }
    for (int i = 1; i < ctx->num_inputs(); i++) {
      const Tensor& inp = ctx->input(i);
      if (inp.dims() != 1) {
        throw ctx->InvalidArg("input " + std::to_string(i) + " should be a vector, but got shape " + ShapeOf(inp));
      }
    }
    const int n = ctx->num_inputs() - 1;
    const Tensor& inp0 = ctx->input(1);
    const int32_t* v0 = inp0.data<int32_t>();
    const int64_t cdim = concat_dim.data<int32_t>()[0];
    const int64_t dims = inp0.num_elements();
    const int64_t axis = cdim < 0 ? cdim + dims : cdim;
    if (axis < 0 || axis >= dims) {
      throw ctx->InvalidArg("Concat dim is out of range: " + std::to_string(cdim) + " vs. " + std::to_string(dims));
    }
    int32_t offset = 0;
    for (int i = 0; i < n; i++) {
      const Tensor& inp = ctx->input(1 + i);
      if (inp.num_elements() != dims) {
        throw ctx->InvalidArg("input " + std::to_string(i) + " should contain " + std::to_string(dims) +
                              " elements, but got " + std::to_string(inp.num_elements()));
      }
      const int32_t* v = inp.data<int32_t>();
      Tensor& out = ctx->allocate_output(i, DataType::DT_INT32, {dims});
      int32_t* o = out.data<int32_t>();
      for (int64_t j = 0; j < dims; j++) {
        if (j == axis) {
          o[j] = offset;
          offset += v[j];
        } else {
          if (v0[j] != v[j]) {
            throw ctx->InvalidArg("All dimensions except " + std::to_string(axis) + " must match. Input " +
                                  std::to_string(i) + " has shape [" + Values(inp) +
                                  "] and doesn't match input 0 with shape [" + Values(inp0) + "].");
          }
          o[j] = 0;
        }
      }
    }
  }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("ConcatOffset").Device(DEVICE_CPU), ConcatOffsetOp);

class ShapeNOp : public OpKernel {
 public:
  explicit ShapeNOp(const KernelConstruction& c) : OpKernel(c, static_cast<int>(c.node.inputs.size())), out_type_(OutType(c.node)) {}
  void Compute(OpKernelContext* ctx) const override {
    for (int i = 0; i < ctx->num_inputs(); i++) {
      const Tensor& input = ctx->input(i);
      const int rank = input.dims();
      if (out_type_ == DataType::DT_INT64) {
        Tensor& out = ctx->allocate_output(i, DataType::DT_INT64, {rank});
        for (int d = 0; d < rank; d++) out.data<int64_t>()[d] = input.dim(d);
      } else {
        Tensor& out = ctx->allocate_output(i, DataType::DT_INT32, {rank});
        for (int d = 0; d < rank; d++) {
          if (input.dim(d) > std::numeric_limits<int32_t>::max()) {
            throw ctx->InvalidArg("ShapeN output type is 32-bit but shape " + std::to_string(i) + " dim " +
                                  std::to_string(d) + " is " + std::to_string(input.dim(d)));
          }
          out.data<int32_t>()[d] = static_cast<int32_t>(input.dim(d));
        }
      }
    }
  }
  bool IsExpensive() const override { return false; }

 private:
  static DataType OutType(const Node& n) {
    const AttrValue* a = n.FindAttr("out_type");
    return a ? a->type : DataType::DT_INT32;
  }
  DataType out_type_;
};
TG_REGISTER_KERNEL(Name("ShapeN").Device(DEVICE_CPU), ShapeNOp);

}  // namespace
}  // namespace tg
