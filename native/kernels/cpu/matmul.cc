// MatMul: float through oneDNN's sgemm (row-major, threaded by oneDNN); other types with a
// plain loop (rarely hot in TF1 programs). _FusedMatMul (the remapper's MatMul+BiasAdd(+Relu),
// runtime/remapper.cc): the same sgemm, then bias and relu in one pass over the cache-hot
// product, in the order the unfused kernels apply them (so the values are the same bits).
// bench/matmul_micro.cc measured a cached dnnl::matmul primitive (with or without bias+relu
// post-ops) no faster than sgemm for the MLP's shapes, so sgemm stays.

#include "kernels/cpu/dnnl_util.h"
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

// MatMul's and _FusedMatMul's checks, sizes and output.
template <typename T>
void MatMulShapes(OpKernelContext* ctx, bool ta, bool tb, int64_t* m, int64_t* n, int64_t* k, Tensor** out) {
  const Tensor& a = ctx->input(0);
  const Tensor& b = ctx->input(1);
  if (a.dims() != 2 || b.dims() != 2) {
    throw ctx->InvalidArg("In[0] and In[1] must be matrices: " + ShapeString(a.shape()) + " and " + ShapeString(b.shape()));
  }
  *m = ta ? a.dim(1) : a.dim(0);
  *k = ta ? a.dim(0) : a.dim(1);
  const int64_t k2 = tb ? b.dim(1) : b.dim(0);
  *n = tb ? b.dim(0) : b.dim(1);
  if (*k != k2) {
    throw ctx->InvalidArg("Matrix size-incompatible: In[0]: " + ShapeString(a.shape()) + ", In[1]: " + ShapeString(b.shape()));
  }
  *out = &ctx->allocate_output(0, DataTypeOf<T>(), {*m, *n});
}

template <typename T>
class MatMulOp : public OpKernel {
 public:
  explicit MatMulOp(const KernelConstruction& c)
      : OpKernel(c), ta_(c.node.AttrBool("transpose_a", false)), tb_(c.node.AttrBool("transpose_b", false)) {}

  void Compute(OpKernelContext* ctx) const override {
    int64_t m, n, k;
    Tensor* out;
    MatMulShapes<T>(ctx, ta_, tb_, &m, &n, &k, &out);
    if (m == 0 || n == 0) return;
    if (k == 0) {
      std::fill(out->data<T>(), out->data<T>() + m * n, T(0));
      return;
    }
    if constexpr (std::is_same_v<T, float>) {
      dnnl_util::Sgemm(ctx, ta_, tb_, m, n, k, ctx->input(0).data<float>(), ctx->input(1).data<float>(), out->data<float>());
    } else {
      NaiveGemm<T>(ta_, tb_, m, n, k, ctx->input(0).data<T>(), ctx->input(1).data<T>(), out->data<T>());
    }
  }

 private:
  bool ta_, tb_;
};

class FusedMatMulOp : public OpKernel {
 public:
  explicit FusedMatMulOp(const KernelConstruction& c)
      : OpKernel(c), ta_(c.node.AttrBool("transpose_a", false)), tb_(c.node.AttrBool("transpose_b", false)),
        relu_(dnnl_util::FusedRelu(c)) {}

  void Compute(OpKernelContext* ctx) const override {
    int64_t m, n, k;
    Tensor* out;
    MatMulShapes<float>(ctx, ta_, tb_, &m, &n, &k, &out);
    const Tensor& bias = ctx->input(2);
    if (bias.dims() != 1) throw ctx->InvalidArg("Biases must be 1D: " + ShapeString(bias.shape()));
    if (bias.dim(0) != n) {
      throw ctx->InvalidArg("Must provide as many biases as the last dimension of the input tensor: " + ShapeString(bias.shape()) +
                            " vs. " + ShapeString(out->shape()));
    }
    if (m == 0 || n == 0) return;
    float* c = out->data<float>();
    dnnl_util::Sgemm(ctx, ta_, tb_, m, n, k, ctx->input(0).data<float>(), ctx->input(1).data<float>(), c);
    const float* pb = bias.data<float>();
    // Per row: the product is still in cache; each loop vectorizes.
    for (int64_t i = 0; i < m; i++) {
      float* r = c + i * n;
      if (relu_) {
        for (int64_t j = 0; j < n; j++) {
          const float v = r[j] + pb[j];
          r[j] = v > 0.0f ? v : 0.0f;
        }
      } else {
        for (int64_t j = 0; j < n; j++) r[j] += pb[j];
      }
    }
  }

 private:
  bool ta_, tb_, relu_;
};

const bool registered = [] {
  auto reg = [](DataType dt, KernelFactory f) { RegisterKernel(register_kernel::Name("MatMul").Device(DEVICE_CPU).TypeConstraint("T", dt), std::move(f)); };
  reg(DataType::DT_FLOAT, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MatMulOp<float>(c)); });
  reg(DataType::DT_DOUBLE, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MatMulOp<double>(c)); });
  reg(DataType::DT_INT32, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MatMulOp<int32_t>(c)); });
  reg(DataType::DT_INT64, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MatMulOp<int64_t>(c)); });
  RegisterKernel(register_kernel::Name("_FusedMatMul").Device(DEVICE_CPU).TypeConstraint("T", DataType::DT_FLOAT),
                 [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new FusedMatMulOp(c)); });
  return true;
}();

}  // namespace
}  // namespace tg
