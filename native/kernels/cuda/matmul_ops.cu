// MatMul, BatchMatMul and BatchMatMulV2 on cuBLAS, float and double (int32 runs the CPU
// kernel on the host, see KernelRegistry::RegisterInt32CpuKernelsOnGpu).
// Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T, so cuBLAS gets B first.
// Batches: one strided-batched call when each operand is either one matrix for all batches or
// one per batch (stride 0 or the matrix size); other broadcasts loop over single GEMMs.
// Same checks and messages as the CPU kernels (kernels/cpu/matmul.cc, math_misc_ops.cc).
#include <string>
#include <vector>

#include "kernels/cuda/gpu_device.h"
#include "kernels/cuda/gpu_util.h"
#include "runtime/kernel.h"

namespace tg {
namespace {

// The GPU's cuBLAS handle, locked and bound to the compute stream with TF32 off.
class CublasHandle {
 public:
  explicit CublasHandle(GpuDevice* gpu) : gpu_(gpu), lock_(gpu->state()->cublas_mu) {
    TG_CUBLAS_CHECK(cublasSetStream(h(), gpu->stream()));
    TG_CUBLAS_CHECK(cublasSetMathMode(h(), CUBLAS_DEFAULT_MATH));
    TG_CUBLAS_CHECK(cublasSetPointerMode(h(), CUBLAS_POINTER_MODE_HOST));
  }
  cublasHandle_t h() const { return gpu_->state()->cublas; }

 private:
  GpuDevice* gpu_;
  std::lock_guard<std::mutex> lock_;
};

int CheckedInt(const OpKernelContext* ctx, int64_t v) {
  if (v > INT32_MAX) throw ctx->InvalidArg("matrix dimension " + std::to_string(v) + " is too large for cuBLAS");
  return static_cast<int>(v);
}

// Row-major out[m x n] = op(a) op(b) for `batch` matrices at the given element strides.
template <typename T>
void Gemm(cublasHandle_t h, bool ta, bool tb, int m, int n, int k, const T* a, int64_t sa, const T* b, int64_t sb,
          T* c, int64_t sc, int batch) {
  const T one = 1, zero = 0;
  const cublasOperation_t opa = ta ? CUBLAS_OP_T : CUBLAS_OP_N, opb = tb ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int lda = ta ? m : k, ldb = tb ? k : n;
  if constexpr (std::is_same_v<T, float>) {
    if (batch == 1) {
      TG_CUBLAS_CHECK(cublasSgemm(h, opb, opa, n, m, k, &one, b, ldb, a, lda, &zero, c, n));
    } else {
      TG_CUBLAS_CHECK(cublasSgemmStridedBatched(h, opb, opa, n, m, k, &one, b, ldb, sb, a, lda, sa, &zero, c, n, sc, batch));
    }
  } else {
    if (batch == 1) {
      TG_CUBLAS_CHECK(cublasDgemm(h, opb, opa, n, m, k, &one, b, ldb, a, lda, &zero, c, n));
    } else {
      TG_CUBLAS_CHECK(cublasDgemmStridedBatched(h, opb, opa, n, m, k, &one, b, ldb, sb, a, lda, sa, &zero, c, n, sc, batch));
    }
  }
}

template <typename T>
void ZeroOutput(GpuDevice* gpu, Tensor& out) {
  TG_CUDA_CHECK(cudaMemsetAsync(out.raw(), 0, out.num_elements() * sizeof(T), gpu->stream()));
}

template <typename T>
class MatMulGpuOp : public OpKernel {
 public:
  explicit MatMulGpuOp(const KernelConstruction& c)
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
    const int im = CheckedInt(ctx, m), in = CheckedInt(ctx, n), ik = CheckedInt(ctx, k);
    GpuDevice* gpu = GpuOf(ctx);
    Tensor& out = ctx->allocate_output(0, DataTypeOf<T>(), {m, n});
    if (m == 0 || n == 0) return;
    if (k == 0) return ZeroOutput<T>(gpu, out);
    CublasHandle h(gpu);
    Gemm<T>(h.h(), ta_, tb_, im, in, ik, a.data<T>(), 0, b.data<T>(), 0, out.data<T>(), 0, 1);
  }

 private:
  bool ta_, tb_;
};

template <typename T, bool kBroadcast>
class BatchMatMulGpuOp : public OpKernel {
 public:
  explicit BatchMatMulGpuOp(const KernelConstruction& c)
      : OpKernel(c), adj_x_(c.node.AttrBool("adj_x", false)), adj_y_(c.node.AttrBool("adj_y", false)) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& x = ctx->input(0);
    const Tensor& y = ctx->input(1);
    if (kBroadcast) {
      if (x.dims() < 2) throw ctx->InvalidArg("In[0] ndims must be >= 2: " + std::to_string(x.dims()));
      if (y.dims() < 2) throw ctx->InvalidArg("In[1] ndims must be >= 2: " + std::to_string(y.dims()));
    } else {
      if (x.dims() != y.dims()) {
        throw ctx->InvalidArg("In[0] and In[1] has different ndims: " + ShapeString(x.shape()) + " vs. " + ShapeString(y.shape()));
      }
      if (x.dims() < 2) throw ctx->InvalidArg("In[0] ndims must be >= 2: " + std::to_string(x.dims()));
      for (int i = 0; i < x.dims() - 2; i++) {
        if (x.dim(i) != y.dim(i)) {
          throw ctx->InvalidArg("In[0].dim(" + std::to_string(i) + ") and In[1].dim(" + std::to_string(i) +
                                ") must be the same: " + ShapeString(x.shape()) + " vs " + ShapeString(y.shape()));
        }
      }
    }
    const int rx = x.dims(), ry = y.dims();
    const int64_t xr = x.dim(rx - 2), xc = x.dim(rx - 1), yr = y.dim(ry - 2), yc = y.dim(ry - 1);
    const int64_t m = adj_x_ ? xc : xr;
    const int64_t k = adj_x_ ? xr : xc;
    const int64_t k2 = adj_y_ ? yc : yr;
    const int64_t n = adj_y_ ? yr : yc;
    if (k != k2) {
      throw ctx->InvalidArg("In[0] mismatch In[1] shape: " + std::to_string(k) + " vs. " + std::to_string(k2) + ": " +
                            ShapeString(x.shape()) + " " + ShapeString(y.shape()) + " " + std::to_string(adj_x_) + " " +
                            std::to_string(adj_y_));
    }
    // Broadcast the batch dims (numpy rules, as MakeBroadcastPlan): per output batch dim,
    // each operand's stride in matrices (0 where it is broadcast).
    const Shape bx(x.shape().begin(), x.shape().end() - 2), by(y.shape().begin(), y.shape().end() - 2);
    const size_t r = std::max(bx.size(), by.size());
    Shape bout(r);
    std::vector<int64_t> stx(r, 0), sty(r, 0);
    int64_t sx = 1, sy = 1;
    for (size_t q = 0; q < r; q++) {
      const size_t i = r - 1 - q;
      const int64_t dx = q < bx.size() ? bx[bx.size() - 1 - q] : 1;
      const int64_t dy = q < by.size() ? by[by.size() - 1 - q] : 1;
      if (dx != dy && dx != 1 && dy != 1) {
        throw ctx->InvalidArg("In[0] and In[1] must have compatible batch dimensions: " + ShapeString(x.shape()) + " vs. " +
                              ShapeString(y.shape()));
      }
      bout[i] = dx == 1 ? dy : dx;
      stx[i] = dx == 1 ? 0 : sx;
      sty[i] = dy == 1 ? 0 : sy;
      sx *= dx;
      sy *= dy;
    }
    const int64_t nx = sx, ny = sy;  // matrices in x and y
    Shape out_shape = bout;
    out_shape.push_back(m);
    out_shape.push_back(n);
    const int im = CheckedInt(ctx, m), in = CheckedInt(ctx, n), ik = CheckedInt(ctx, k);
    GpuDevice* gpu = GpuOf(ctx);
    Tensor& out = ctx->allocate_output(0, DataTypeOf<T>(), out_shape);
    if (out.num_elements() == 0) return;
    if (k == 0) return ZeroOutput<T>(gpu, out);
    const int64_t batch = NumElements(bout);
    const int64_t mx = xr * xc, my = yr * yc, mo = m * n;  // elements per matrix
    const T* px = x.data<T>();
    const T* py = y.data<T>();
    T* po = out.data<T>();
    CublasHandle h(gpu);
    // Each operand is one matrix for all batches or one per batch: one strided call
    // (in chunks that fit cuBLAS's int batch count).
    const bool simple = (nx == 1 || nx == batch) && (ny == 1 || ny == batch);
    if (simple) {
      const int64_t step_x = nx == 1 ? 0 : mx, step_y = ny == 1 ? 0 : my;
      constexpr int64_t kMaxBatch = 65535;
      for (int64_t b0 = 0; b0 < batch; b0 += kMaxBatch) {
        const int nb = static_cast<int>(std::min(kMaxBatch, batch - b0));
        Gemm<T>(h.h(), adj_x_, adj_y_, im, in, ik, px + b0 * step_x, step_x, py + b0 * step_y, step_y, po + b0 * mo, mo, nb);
      }
      return;
    }
    for (int64_t b = 0; b < batch; b++) {
      int64_t rem = b, ox = 0, oy = 0;
      for (int d = static_cast<int>(r) - 1; d >= 0; d--) {
        const int64_t idx = rem % bout[d];
        rem /= bout[d];
        ox += idx * stx[d];
        oy += idx * sty[d];
      }
      Gemm<T>(h.h(), adj_x_, adj_y_, im, in, ik, px + ox * mx, 0, py + oy * my, 0, po + b * mo, 0, 1);
    }
  }

 private:
  bool adj_x_, adj_y_;
};

template <typename T> using BatchMatMulGpu = BatchMatMulGpuOp<T, false>;
template <typename T> using BatchMatMulV2Gpu = BatchMatMulGpuOp<T, true>;

TG_REGISTER_KERNEL_FOR_TYPES(Name("MatMul").Device(DEVICE_GPU), "T", MatMulGpuOp, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("BatchMatMul").Device(DEVICE_GPU), "T", BatchMatMulGpu, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("BatchMatMulV2").Device(DEVICE_GPU), "T", BatchMatMulV2Gpu, float, double);

}  // namespace
}  // namespace tg
