// MatMul: float through oneDNN's sgemm (row-major, threaded by oneDNN); other types with a
// plain loop (rarely hot in TF1 programs).
#include <dnnl.h>

#include "runtime/kernel.h"

namespace tg {
namespace {

template <typename T>
void NaiveGemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, const T* b, T* c) {
  for (int64_t i = 0; i < m; i++) {
    for (int64_t j = 0; j < n; j++) c[i * n + j] = T(0);
    for (int64_t p = 0; p < k; p++) {
      const T av = ta ? a[p * m + i] : a[i * k + p];
      for (int64_t j = 0; j < n; j++) c[i * n + j] += av * (tb ? b[j * k + p] : b[p * n + j]);
    }
  }
}

template <typename T>
class MatMulOp : public OpKernel {
 public:
  explicit MatMulOp(const KernelConstruction& c)
      : OpKernel(c), ta_(c.node.AttrBool("transpose_a", false)), tb_(c.node.AttrBool("transpose_b", false)) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& a = ctx->input(0);
    const Tensor& b = ctx->input(1);
    if (a.dims() != 2 || b.dims() != 2) {
      throw ctx->InvalidArg("In[0] and In[1] must be matrices: " + ShapeString(a.shape()) + " and " + ShapeString(b.shape()));
    }
    const int64_t m = ta_ ? a.dim(1) : a.dim(0);
    const int64_t k = ta_ ? a.dim(0) : a.dim(1);
    const int64_t k2 = tb_ ? b.dim(1) : b.dim(0);
    const int64_t n = tb_ ? b.dim(0) : b.dim(1);
    if (k != k2) {
      throw ctx->InvalidArg("Matrix size-incompatible: In[0]: " + ShapeString(a.shape()) + ", In[1]: " + ShapeString(b.shape()));
    }
    Tensor& out = ctx->allocate_output(0, DataTypeOf<T>(), {m, n});
    if (m == 0 || n == 0) return;
    if (k == 0) {
      std::fill(out.data<T>(), out.data<T>() + m * n, T(0));
      return;
    }
    if constexpr (std::is_same_v<T, float>) {
      dnnl_status_t st = dnnl_sgemm(ta_ ? 'T' : 'N', tb_ ? 'T' : 'N', m, n, k, 1.0f, a.data<float>(), ta_ ? m : k,
                                    b.data<float>(), tb_ ? k : n, 0.0f, out.data<float>(), n);
      if (st != dnnl_success) throw Error(Code::kInternal, "oneDNN sgemm failed with status " + std::to_string(st), ctx->node().name);
    } else {
      NaiveGemm<T>(ta_, tb_, m, n, k, a.data<T>(), b.data<T>(), out.data<T>());
    }
  }

 private:
  bool ta_, tb_;
};

const bool registered = [] {
  auto reg = [](DataType dt, KernelFactory f) { RegisterKernel(register_kernel::Name("MatMul").Device(DEVICE_CPU).TypeConstraint("T", dt), std::move(f)); };
  reg(DataType::DT_FLOAT, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MatMulOp<float>(c)); });
  reg(DataType::DT_DOUBLE, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MatMulOp<double>(c)); });
  reg(DataType::DT_INT32, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MatMulOp<int32_t>(c)); });
  reg(DataType::DT_INT64, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MatMulOp<int64_t>(c)); });
  return true;
}();

}  // namespace
}  // namespace tg
