// MirrorPadGrad: the gradient of MirrorPad. The input is shaped like MirrorPad's output;
// each of its elements is added to the element of the (smaller) output it was copied from.
// REFLECT mirrors without the edge (offset 1), SYMMETRIC with it (offset 0).
#include "kernels/cpu/array_common.h"

namespace tg {
namespace {

using namespace array;

template <typename T>
class MirrorPadGradOp : public OpKernel {
 public:
  explicit MirrorPadGradOp(const KernelConstruction& c) : OpKernel(c), offset_(MirrorPadOffset(c)) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(0);
    const Tensor& paddings = ctx->input(1);
    const int dims = input.dims();
    if (!(paddings.dims() == 2 && paddings.dim(1) == 2)) {
      throw ctx->InvalidArg("paddings must be a matrix with 2 columns: " + ShapeOf(paddings));
    }
    if (paddings.dim(0) != dims) {
      throw ctx->InvalidArg("The first dimension of paddings must be the rank of inputs" + ShapeOf(paddings) + " " +
                            ShapeOf(input));
    }
    const std::vector<int64_t> p = IndexValues(paddings);
    Shape out_shape(dims);
    // For each dim, where each input position lands in the output.
    std::vector<std::vector<int64_t>> where(dims);
    for (int d = 0; d < dims; d++) {
      const int64_t before = p[2 * d], after = p[2 * d + 1];
      if (before < 0 || after < 0) {
        throw ctx->InvalidArg("Paddings must be non-negative: " + std::to_string(before) + ", " + std::to_string(after));
      }
      const int64_t size = input.dim(d) - before - after;
      if (offset_ == 0 && !(before <= size && after <= size)) {
        throw ctx->InvalidArg("paddings must be no greater than the output dimension size: " + std::to_string(before) +
                              ", " + std::to_string(after) + " greater than " + std::to_string(size));
      }
      if (offset_ == 1 && !(before < size && after < size)) {
        throw ctx->InvalidArg("paddings must be less than the output dimension size: " + std::to_string(before) + ", " +
                              std::to_string(after) + " greater than or equal to " + std::to_string(size));
      }
      out_shape[d] = size;
      where[d].resize(static_cast<size_t>(input.dim(d)));
      for (int64_t k = 0; k < input.dim(d); k++) where[d][k] = MirrorIndex(k - before, size, offset_);
    }
    Tensor& out = ctx->allocate_output(0, input.dtype(), out_shape);
    T* po = out.data<T>();
    std::fill_n(po, out.num_elements(), T(0));
    const int64_t n = input.num_elements();
    if (n == 0) return;
    const T* pi = input.data<T>();
    if (dims == 0) {
      po[0] = pi[0];
      return;
    }
    const Shape ostr = RowStrides(out_shape);
    const int64_t inner = input.dim(dims - 1);
    const std::vector<int64_t>& last = where[dims - 1];
    std::vector<int64_t> idx(dims, 0);
    int64_t base = 0;  // output offset of the current row, without the last dim
    for (int j = 0; j < dims - 1; j++) base += where[j][0] * ostr[j];
    for (int64_t k = 0; k < n; k += inner) {
      const T* src = pi + k;
      T* dst = po + base;
      for (int64_t b = 0; b < inner; b++) dst[last[b]] += src[b];
      for (int j = dims - 2; j >= 0; j--) {
        base -= where[j][idx[j]] * ostr[j];
        if (++idx[j] < input.dim(j)) {
          base += where[j][idx[j]] * ostr[j];
          break;
        }
        idx[j] = 0;
        base += where[j][0] * ostr[j];
      }
    }
  }

 private:
  const int64_t offset_;
};

struct Registrations {
  Registrations() { TG_REGISTER_KERNEL_FOR_TYPES(Name("MirrorPadGrad").Device(DEVICE_CPU), "T", MirrorPadGradOp, float, double, int32_t, int64_t); }
} registrations;

}  // namespace
}  // namespace tg
