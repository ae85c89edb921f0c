// BroadcastGradientArgs: given the shapes s0 and s1 of the two inputs of a broadcasting binary
// op, the axes of the broadcast output each input's gradient must be summed over (TF's
// BCast::grad_x_reduce_idx / grad_y_reduce_idx). Used by the gradients of Add, Sub, Mul, ...
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/kernel.h"

namespace tg {
namespace {

std::string Join(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); i++) {
    if (i) s += ",";
    s += std::to_string(v[i]);
  }
  return s;
}

template <typename T>
class BroadcastGradientArgsOp : public OpKernel {
 public:
  explicit BroadcastGradientArgsOp(const KernelConstruction& c) : OpKernel(c, 2) {}

  void Compute(OpKernelContext* ctx) const override {
    std::vector<int64_t> shapes[2];
    for (int i = 0; i < 2; i++) {
      const Tensor& in = ctx->input(i);
      if (in.dims() != 1) {
        throw ctx->InvalidArg("In[" + std::to_string(i) + "] must be a vector." + ShapeString(in.shape()));
      }
      const T* p = in.data<T>();
      shapes[i].assign(p, p + in.num_elements());
    }
    const std::vector<int64_t>& sx = shapes[0];
    const std::vector<int64_t>& sy = shapes[1];
    std::vector<int64_t> rx, ry;
    // Identical shapes need no reduction (TF's fast path: both lists empty).
    if (sx != sy) {
      const size_t n = std::max(sx.size(), sy.size());
      // Walk the dims from the outermost of the 1-extended, right-aligned shapes.
      for (size_t d = 0; d < n; d++) {
        const size_t k = n - 1 - d;  // position from the innermost dim
        const int64_t x = k < sx.size() ? sx[sx.size() - 1 - k] : 1;
        const int64_t y = k < sy.size() ? sy[sy.size() - 1 - k] : 1;
        if (x == y) {
          // Both 1: either input's gradient may be summed there (TF reduces both).
          if (x == 1) {
            rx.push_back(static_cast<int64_t>(d));
            ry.push_back(static_cast<int64_t>(d));
          }
        } else if (x == 1) {
          rx.push_back(static_cast<int64_t>(d));
        } else if (y == 1) {
          ry.push_back(static_cast<int64_t>(d));
        } else {
          throw ctx->InvalidArg("Incompatible shapes: [" + Join(sx) + "] vs. [" + Join(sy) + "]");
        }
      }
    }
    const std::vector<int64_t>* outs[2] = {&rx, &ry};
    for (int i = 0; i < 2; i++) {
      Tensor& out = ctx->allocate_output(i, DataTypeOf<T>(), {static_cast<int64_t>(outs[i]->size())});
      T* po = out.data<T>();
      for (size_t j = 0; j < outs[i]->size(); j++) po[j] = static_cast<T>((*outs[i])[j]);
    }
  }
  bool IsExpensive() const override { return false; }
};

struct Registrar {
  Registrar() {
    for (DataType dt : {DataType::DT_INT32, DataType::DT_INT64}) {
      RegisterKernel(register_kernel::Name("BroadcastGradientArgs").Device(DEVICE_CPU).TypeConstraint("T", dt), [dt](const KernelConstruction& c) -> std::unique_ptr<OpKernel> {
                                           if (dt == DataType::DT_INT32) return std::make_unique<BroadcastGradientArgsOp<int32_t>>(c);
                                           return std::make_unique<BroadcastGradientArgsOp<int64_t>>(c);
                                         });
    }
  }
};
const Registrar registrar;

}  // namespace
}  // namespace tg
