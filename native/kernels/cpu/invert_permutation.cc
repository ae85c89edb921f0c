// InvertPermutation: y[x[i]] = i for a permutation x of 0..n-1 (int32 or int64). Used by
// the Transpose gradient; errors follow TF1's InvertPermutationOp.
#include <limits>

#include "kernels/cpu/array_common.h"

namespace tg {
namespace {

using namespace array;

template <typename T>
class InvertPermutationOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(0);
    if (input.dims() != 1) throw ctx->InvalidArg("invert_permutation expects a 1D vector.");
    const int64_t n = input.num_elements();
    if (n > static_cast<int64_t>(std::numeric_limits<int32_t>::max())) {
      throw ctx->InvalidArg("permutation of nonnegative int32s must have <= int32 max elements");
    }
    const T* x = input.data<T>();
    Tensor& out = ctx->allocate_output(0, input.dtype(), input.shape());
    T* y = out.data<T>();
    std::fill_n(y, n, T(-1));
    for (int64_t i = 0; i < n; i++) {
      const T d = x[i];
      if (d < 0 || static_cast<int64_t>(d) >= n) {
        throw ctx->InvalidArg(std::to_string(d) + " is not between 0 and " + std::to_string(n));
      }
      if (y[d] != -1) throw ctx->InvalidArg(std::to_string(d) + " is duplicated in the input.");
      y[d] = static_cast<T>(i);
    }
  }
  bool IsExpensive() const override { return false; }
};

struct Registrations {
  Registrations() { TG_REGISTER_KERNEL_FOR_TYPES(Name("InvertPermutation").Device(DEVICE_CPU), "T", InvertPermutationOp, int32_t, int64_t); }
} registrations;

}  // namespace
}  // namespace tg
