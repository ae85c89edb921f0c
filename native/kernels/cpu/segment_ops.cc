// UnsortedSegmentSum: output[i, ...] = sum of data[j..., ...] over the j with
// segment_ids[j...] == i; negative ids are dropped (TF1), ids >= num_segments are an error.
// The dense gradient of GatherV2 is built on it.
#include "kernels/cpu/array_common.h"

namespace tg {
namespace {

using namespace array;

template <typename T>
class UnsortedSegmentSumOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& data = ctx->input(0);
    const Tensor& ids = ctx->input(1);
    const Tensor& num_t = ctx->input(2);
    if (num_t.dims() != 0) {
      throw ctx->InvalidArg("num_segments should be a scalar, not shape " + ShapeOf(num_t));
    }
    bool prefix = ids.dims() <= data.dims();
    for (int i = 0; prefix && i < ids.dims(); i++) prefix = ids.dim(i) == data.dim(i);
    if (!prefix) {
      throw ctx->InvalidArg("data.shape = " + ShapeOf(data) + " does not start with segment_ids.shape = " + ShapeOf(ids));
    }
    const int64_t num_segments = IndexValues(num_t)[0];
    if (num_segments < 0) {
      throw ctx->InvalidArg("Input num_segments == " + std::to_string(num_segments) + " must not be negative.");
    }
    Shape out_shape{num_segments};
    out_shape.insert(out_shape.end(), data.shape().begin() + ids.dims(), data.shape().end());
    Tensor& out = ctx->allocate_output(0, data.dtype(), out_shape);
    T* po = out.data<T>();
    const int64_t out_n = out.num_elements();
    std::fill_n(po, out_n, T(0));
    const int64_t n = ids.num_elements();
    if (n == 0) return;
    const int64_t inner = data.num_elements() / n;
    const std::vector<int64_t> idv = IndexValues(ids);
    const T* pd = data.data<T>();
    for (int64_t j = 0; j < n; j++) {
      const int64_t s = idv[j];
      if (s < 0) continue;
      if (s >= num_segments) {
        throw ctx->InvalidArg("segment_ids[" + std::to_string(j) + "] = " + std::to_string(s) +
                              " is out of range [0, " + std::to_string(num_segments) + ")");
      }
      T* dst = po + s * inner;
      const T* src = pd + j * inner;
      for (int64_t k = 0; k < inner; k++) dst[k] += src[k];
    }
  }
};

struct Registrations {
  Registrations() {
    TG_REGISTER_KERNEL_FOR_TYPES(Name("UnsortedSegmentSum").Device(DEVICE_CPU), "T", UnsortedSegmentSumOp, float, double, int32_t, int64_t, int8_t, int16_t, uint8_t);
  }
} registrations;

}  // namespace
}  // namespace tg
