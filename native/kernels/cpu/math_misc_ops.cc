// AddN, Cast, BatchMatMul / BatchMatMulV2, MatrixInverse, Cumsum / Cumprod.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "kernels/cpu/cwise.h"
#include "kernels/cpu/dnnl_util.h"
#include "kernels/cpu/half.h"
#include "runtime/kernel.h"
#include "runtime/threadpool.h"

namespace tg {
namespace {

constexpr DeviceType kCPU = DeviceType::kCPU;

// ---------- AddN ----------

template <typename T>
class AddNOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const int n = ctx->num_inputs();
    const Tensor& first = ctx->input(0);
    for (int i = 1; i < n; i++) {
      if (ctx->input(i).shape() != first.shape()) {
        throw ctx->InvalidArg("Inputs to operation " + ctx->node().name + " of type " + ctx->node().op +
                              " must have the same size and shape.  Input 0: " + ShapeString(first.shape()) + " != input " +
                              std::to_string(i) + ": " + ShapeString(ctx->input(i).shape()));
      }
    }
    if (n == 1) {
      ctx->forward_input(0, 0);
      return;
    }
    Tensor& out = ctx->allocate_output(0, DataTypeOf<T>(), first.shape());
    const int64_t size = first.num_elements();
    std::vector<const T*> in(static_cast<size_t>(n));
    for (int i = 0; i < n; i++) in[i] = ctx->input(i).data<T>();
    T* po = out.data<T>();
    // Blocks of 2048 elements stay in cache while every input is added in.
    constexpr int64_t kBlock = 2048;
    auto body = [&](int64_t s, int64_t e) {
      for (int64_t b0 = s * kBlock; b0 < std::min(size, e * kBlock); b0 += kBlock) {
        const int64_t len = std::min(kBlock, size - b0);
        T* o = po + b0;
        const T* x0 = in[0] + b0;
        const T* x1 = in[1] + b0;
        for (int64_t j = 0; j < len; j++) o[j] = static_cast<T>(x0[j] + x1[j]);
        for (int i = 2; i < n; i++) {
          const T* x = in[i] + b0;
          for (int64_t j = 0; j < len; j++) o[j] = static_cast<T>(o[j] + x[j]);
        }
      }
    };
    const int64_t blocks = (size + kBlock - 1) / kBlock;
    if (size * n >= kParallelThreshold) ctx->intra_op()->ParallelFor(blocks, kBlock * n, body);
    else body(0, blocks);
  }
};

// ---------- Cast ----------

struct Half { uint16_t bits; };
struct BFloat16 { uint16_t bits; };

// Float -> integer as C++ on x86 (what TF's static_cast compiles to): truncation toward zero;
// NaN and out-of-range values give the lowest value of int32/int64; narrower types go through
// int32 and wrap.
template <typename D, typename S>
inline D FloatToInt(S x) {
  if constexpr (sizeof(D) == 8) {
    if (!(x >= S(-9223372036854775808.0) && x < S(9223372036854775808.0))) return std::numeric_limits<int64_t>::min();
    return static_cast<D>(static_cast<int64_t>(x));
  } else {
    if (!(x >= S(-2147483648.0) && x < S(2147483648.0))) return static_cast<D>(std::numeric_limits<int32_t>::min());
    return static_cast<D>(static_cast<int32_t>(x));
  }
}

template <typename T> struct Wide { using type = T; };
template <> struct Wide<Half> { using type = float; };
template <> struct Wide<BFloat16> { using type = float; };

template <typename S> inline typename Wide<S>::type Load(S x) {
  if constexpr (std::is_same_v<S, Half>) return HalfToFloat(x.bits);
  else if constexpr (std::is_same_v<S, BFloat16>) return Bfloat16ToFloat(x.bits);
  else return x;
}

template <typename S, typename D> inline D CastValue(S in) {
  const auto x = Load(in);
  using X = decltype(x);
  if constexpr (std::is_same_v<D, Half>) return Half{FloatToHalf(static_cast<float>(x))};
  else if constexpr (std::is_same_v<D, BFloat16>) return BFloat16{FloatToBfloat16(static_cast<float>(x))};
  else if constexpr (std::is_same_v<D, bool>) return x != X(0);
  else if constexpr (std::is_floating_point_v<X> && std::is_integral_v<D>) return FloatToInt<D>(x);
  else return static_cast<D>(x);
}

using CastFn = void (*)(const void*, void*, int64_t, int64_t);

template <typename S, typename D>
void CastRange(const void* in, void* out, int64_t s, int64_t e) {
  const S* p = static_cast<const S*>(in);
  D* q = static_cast<D*>(out);
  for (int64_t i = s; i < e; i++) q[i] = CastValue<S, D>(p[i]);
}

template <typename S>
CastFn CastTo(DataType dst) {
  switch (dst) {
    case DataType::DT_FLOAT: return &CastRange<S, float>;
    case DataType::DT_DOUBLE: return &CastRange<S, double>;
    case DataType::DT_INT32: return &CastRange<S, int32_t>;
    case DataType::DT_INT64: return &CastRange<S, int64_t>;
    case DataType::DT_INT16: return &CastRange<S, int16_t>;
    case DataType::DT_INT8: return &CastRange<S, int8_t>;
    case DataType::DT_UINT8: return &CastRange<S, uint8_t>;
    case DataType::DT_BOOL: return &CastRange<S, bool>;
    case DataType::DT_HALF: return &CastRange<S, Half>;
    case DataType::DT_BFLOAT16: return &CastRange<S, BFloat16>;
    default: return nullptr;
  }
}

CastFn CastFrom(DataType src, DataType dst) {
  switch (src) {
    case DataType::DT_FLOAT: return CastTo<float>(dst);
    case DataType::DT_DOUBLE: return CastTo<double>(dst);
    case DataType::DT_INT32: return CastTo<int32_t>(dst);
    case DataType::DT_INT64: return CastTo<int64_t>(dst);
    case DataType::DT_INT16: return CastTo<int16_t>(dst);
    case DataType::DT_INT8: return CastTo<int8_t>(dst);
    case DataType::DT_UINT8: return CastTo<uint8_t>(dst);
    case DataType::DT_BOOL: return CastTo<bool>(dst);
    case DataType::DT_HALF: return CastTo<Half>(dst);
    case DataType::DT_BFLOAT16: return CastTo<BFloat16>(dst);
    default: return nullptr;
  }
}

class CastOp : public OpKernel {
 public:
  explicit CastOp(const KernelConstruction& c)
      : OpKernel(c), src_(c.node.AttrType("SrcT")), dst_(c.node.AttrType("DstT")), fn_(CastFrom(src_, dst_)) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& in = ctx->input(0);
    if (src_ == dst_) {
      ctx->forward_input(0, 0);
      return;
    }
    if (!fn_) {
      throw Error(Code::kUnimplemented, "Cast " + DataTypeName(src_) + " to " + DataTypeName(dst_) + " is not supported",
                  ctx->node().name);
    }
    Tensor& out = ctx->allocate_output(0, dst_, in.shape());
    const int64_t n = in.num_elements();
    const void* p = in.raw();
    void* q = out.raw();
    if (n >= kParallelThreshold) ctx->intra_op()->ParallelFor(n, 2, [&](int64_t s, int64_t e) { fn_(p, q, s, e); });
    else if (n > 0) fn_(p, q, 0, n);
  }
  bool IsExpensive() const override { return true; }

 private:
  DataType src_, dst_;
  CastFn fn_;
};

// ---------- BatchMatMul / BatchMatMulV2 ----------

template <typename T, bool kBroadcast>
class BatchMatMulOp : public OpKernel {
 public:
  explicit BatchMatMulOp(const KernelConstruction& c)
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
    Shape bx(x.shape().begin(), x.shape().end() - 2), by(y.shape().begin(), y.shape().end() - 2);
    BroadcastPlan plan;
    try {
      plan = MakeBroadcastPlan(bx, by, ctx->node().name);
    } catch (const Error&) {
      throw ctx->InvalidArg("In[0] and In[1] must have compatible batch dimensions: " + ShapeString(x.shape()) + " vs. " +
                            ShapeString(y.shape()));
    }
    Shape out_shape = plan.out;
    out_shape.push_back(m);
    out_shape.push_back(n);
    Tensor& out = ctx->allocate_output(0, DataTypeOf<T>(), out_shape);
    const int64_t batch = NumElements(plan.out);
    if (out.num_elements() == 0) return;
    T* po = out.data<T>();
    if (k == 0) {
      std::fill(po, po + out.num_elements(), T(0));
      return;
    }
    // Offsets (in matrices) of each output batch's operands.
    const int nb = static_cast<int>(plan.out.size());
    std::vector<int64_t> off_x(static_cast<size_t>(batch)), off_y(static_cast<size_t>(batch));
    for (int64_t b = 0; b < batch; b++) BroadcastOffsets(plan, nb, b, &off_x[b], &off_y[b]);
    const T* px = x.data<T>();
    const T* py = y.data<T>();
    const int64_t sx = xr * xc, sy = yr * yc, so = m * n;
    const int64_t flops = m * n * k;
    if constexpr (std::is_same_v<T, float>) {
      if (flops >= 64 * 64 * 64) {
        // Big matrices: oneDNN sgemm per batch (threaded inside).
        for (int64_t b = 0; b < batch; b++) {
          dnnl_util::Sgemm(ctx, adj_x_, adj_y_, m, n, k, px + off_x[b] * sx, py + off_y[b] * sy, po + b * so);
        }
        return;
      }
    }
    // Other types and small float matrices: rows of all batches split over the intra-op pool,
    // each row computed in i-p-j order (vectorised on j). A transposed y is transposed once
    // up front so the inner loop reads it contiguously.
    const T* yk = py;  // y matrices as k x n
    int64_t syk = sy;
    std::unique_ptr<T[]> yt;
    if (adj_y_) {
      const int64_t ny = NumElements(by);
      yt.reset(new T[static_cast<size_t>(ny * k * n)]);
      for (int64_t b = 0; b < ny; b++) {
        const T* src = py + b * sy;  // n x k
        T* dst = yt.get() + b * k * n;
        for (int64_t j = 0; j < n; j++)
          for (int64_t p = 0; p < k; p++) dst[p * n + j] = src[j * k + p];
      }
      yk = yt.get();
      syk = k * n;
    }
    // Units of up to 4 rows of one batch: each row of y is loaded once for 4 output rows;
    // columns go in chunks of 512 so the output rows stay in L1.
    const bool ta = adj_x_;
    constexpr int64_t kRows = 4, kCols = 512;
    const int64_t row_blocks = (m + kRows - 1) / kRows;
    auto body = [&](int64_t s, int64_t e) {
      for (int64_t u = s; u < e; u++) {
        const int64_t b = u / row_blocks, i0 = (u % row_blocks) * kRows;
        const int64_t nr = std::min(kRows, m - i0);
        const T* a = px + off_x[b] * sx;
        const T* bm = yk + off_y[b] * syk;
        T* c = po + b * so + i0 * n;
        for (int64_t j0 = 0; j0 < n; j0 += kCols) {
          const int64_t w = std::min(kCols, n - j0);
          for (int64_t r = 0; r < nr; r++) std::fill(c + r * n + j0, c + r * n + j0 + w, T(0));
          for (int64_t p = 0; p < k; p++) {
            const T* bp = bm + p * n + j0;
            T av[kRows];
            for (int64_t r = 0; r < nr; r++) av[r] = ta ? a[p * m + i0 + r] : a[(i0 + r) * k + p];
            if (nr == kRows) {
              T* c0 = c + j0;
              T* c1 = c0 + n;
              T* c2 = c1 + n;
              T* c3 = c2 + n;
              for (int64_t j = 0; j < w; j++) {
                const T v = bp[j];
                c0[j] += av[0] * v;
                c1[j] += av[1] * v;
                c2[j] += av[2] * v;
                c3[j] += av[3] * v;
              }
            } else {
              for (int64_t r = 0; r < nr; r++) {
                T* cr = c + r * n + j0;
                for (int64_t j = 0; j < w; j++) cr[j] += av[r] * bp[j];
              }
            }
          }
        }
      }
    };
    const int64_t units = batch * row_blocks;
    if (units > 1 && batch * flops >= kParallelThreshold) ctx->intra_op()->ParallelFor(units, 2 * kRows * n * k, body);
    else body(0, units);
  }

 private:
  bool adj_x_, adj_y_;
};

template <typename T> using BatchMatMulK = BatchMatMulOp<T, false>;
template <typename T> using BatchMatMulV2K = BatchMatMulOp<T, true>;

// ---------- MatrixInverse ----------

// Inverts the n x n row-major matrix a (destroyed) into inv; false when a pivot is exactly 0.
template <typename T>
bool InvertLU(T* a, T* inv, int64_t n, std::vector<int64_t>& perm) {
  perm.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; i++) perm[i] = i;
  // LU with partial pivoting, in place: a = P^-1 L U.
  for (int64_t c = 0; c < n; c++) {
    int64_t piv = c;
    T best = std::abs(a[c * n + c]);
    for (int64_t r = c + 1; r < n; r++) {
      const T v = std::abs(a[r * n + c]);
      if (v > best) {
        best = v;
        piv = r;
      }
    }
    if (!(best > T(0))) return false;  // zero (or NaN) pivot
    if (piv != c) {
      for (int64_t j = 0; j < n; j++) std::swap(a[c * n + j], a[piv * n + j]);
      std::swap(perm[c], perm[piv]);
    }
    const T d = a[c * n + c];
    for (int64_t r = c + 1; r < n; r++) {
      const T f = a[r * n + c] / d;
      a[r * n + c] = f;
      if (f == T(0)) continue;
      T* ar = a + r * n;
      const T* ac = a + c * n;
      for (int64_t j = c + 1; j < n; j++) ar[j] -= f * ac[j];
    }
  }
  // Solve L U X = P I, column by column of the permuted identity, all columns at once per row.
  // Forward: L Y = P I (unit lower).
  for (int64_t i = 0; i < n; i++) {
    T* yi = inv + i * n;
    for (int64_t j = 0; j < n; j++) yi[j] = perm[i] == j ? T(1) : T(0);
    for (int64_t p = 0; p < i; p++) {
      const T l = a[i * n + p];
      if (l == T(0)) continue;
      const T* yp = inv + p * n;
      for (int64_t j = 0; j < n; j++) yi[j] -= l * yp[j];
    }
  }
  // Backward: U X = Y.
  for (int64_t i = n - 1; i >= 0; i--) {
    T* xi = inv + i * n;
    for (int64_t p = i + 1; p < n; p++) {
      const T u = a[i * n + p];
      if (u == T(0)) continue;
      const T* xp = inv + p * n;
      for (int64_t j = 0; j < n; j++) xi[j] -= u * xp[j];
    }
    const T d = a[i * n + i];
    for (int64_t j = 0; j < n; j++) xi[j] /= d;
  }
  return true;
}

template <typename T>
class MatrixInverseOp : public OpKernel {
 public:
  explicit MatrixInverseOp(const KernelConstruction& c) : OpKernel(c), adjoint_(c.node.AttrBool("adjoint", false)) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& in = ctx->input(0);
    if (in.dims() < 2) throw ctx->InvalidArg("Input tensor 0 must have rank >= 2, got " + std::to_string(in.dims()));
    const int64_t n = in.dim(in.dims() - 1);
    if (in.dim(in.dims() - 2) != n) {
      throw ctx->InvalidArg("Input matrix must be square.");
    }
    Tensor& out = ctx->allocate_output(0, DataTypeOf<T>(), in.shape());
    if (in.num_elements() == 0) return;
    const int64_t batch = in.num_elements() / (n * n);
    const T* p = in.data<T>();
    T* q = out.data<T>();
    // Validate every matrix before writing in parallel: errors cannot cross ParallelFor.
    std::vector<char> ok(static_cast<size_t>(batch), 1);
    auto body = [&](int64_t s, int64_t e) {
      std::vector<T> work(static_cast<size_t>(n * n));
      std::vector<int64_t> perm;
      for (int64_t b = s; b < e; b++) {
        const T* src = p + b * n * n;
        if (adjoint_) {  // real types: the adjoint is the transpose
          for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < n; j++) work[i * n + j] = src[j * n + i];
        } else {
          std::copy(src, src + n * n, work.begin());
        }
        ok[b] = InvertLU<T>(work.data(), q + b * n * n, n, perm);
      }
    };
    if (batch > 1 && batch * n * n * n >= kParallelThreshold) ctx->intra_op()->ParallelFor(batch, n * n * n, body);
    else body(0, batch);
    for (int64_t b = 0; b < batch; b++) {
      if (!ok[b]) throw ctx->InvalidArg("Input is not invertible.");
    }
  }

 private:
  bool adjoint_;
};

// ---------- Cumsum / Cumprod ----------

template <typename T, bool kProd>
class ScanOp : public OpKernel {
 public:
  explicit ScanOp(const KernelConstruction& c)
      : OpKernel(c), exclusive_(c.node.AttrBool("exclusive", false)), reverse_(c.node.AttrBool("reverse", false)) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& in = ctx->input(0);
    const Tensor& axis_t = ctx->input(1);
    if (axis_t.dims() != 0) {
      throw ctx->InvalidArg("ScanOp: axis must be a scalar, not " + ShapeString(axis_t.shape()));
    }
    int64_t axis;
    if (axis_t.dtype() == DataType::DT_INT32) axis = axis_t.data<int32_t>()[0];
    else if (axis_t.dtype() == DataType::DT_INT64) axis = axis_t.data<int64_t>()[0];
    else throw ctx->InvalidArg("ScanOp: axis must be int32 or int64");
    const int rank = in.dims();
    if (axis < -rank || axis >= rank) {
      throw ctx->InvalidArg("ScanOp: Expected scan axis in the range [" + std::to_string(-rank) + ", " + std::to_string(rank) +
                            "), but got " + std::to_string(axis));
    }
    if (axis < 0) axis += rank;
    Tensor& out = ctx->allocate_output(0, DataTypeOf<T>(), in.shape());
    if (in.num_elements() == 0) return;
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < axis; i++) outer *= in.dim(i);
    for (int i = static_cast<int>(axis) + 1; i < rank; i++) inner *= in.dim(i);
    const int64_t len = in.dim(static_cast<int>(axis));
    const T* p = in.data<T>();
    T* q = out.data<T>();
    const T ident = kProd ? T(1) : T(0);
    const bool excl = exclusive_, rev = reverse_;
    auto body = [&](int64_t s, int64_t e) {
      std::vector<T> acc(static_cast<size_t>(inner));
      for (int64_t o = s; o < e; o++) {
        const T* src = p + o * len * inner;
        T* dst = q + o * len * inner;
        if (inner == 1) {  // scanning the last axis: one running value along a contiguous row
          T a = ident;
          const int64_t start = rev ? len - 1 : 0, step = rev ? -1 : 1;
          for (int64_t i = 0, k = start; i < len; i++, k += step) {
            const T next = kProd ? static_cast<T>(a * src[k]) : static_cast<T>(a + src[k]);
            dst[k] = excl ? a : next;
            a = next;
          }
          continue;
        }
        std::fill(acc.begin(), acc.end(), ident);
        for (int64_t step = 0; step < len; step++) {
          const int64_t k = rev ? len - 1 - step : step;
          const T* x = src + k * inner;
          T* y = dst + k * inner;
          T* a = acc.data();
          if (excl) {
            for (int64_t j = 0; j < inner; j++) {
              y[j] = a[j];
              a[j] = kProd ? static_cast<T>(a[j] * x[j]) : static_cast<T>(a[j] + x[j]);
            }
          } else {
            for (int64_t j = 0; j < inner; j++) {
              a[j] = kProd ? static_cast<T>(a[j] * x[j]) : static_cast<T>(a[j] + x[j]);
              y[j] = a[j];
            }
          }
        }
      }
    };
    if (outer > 1 && in.num_elements() >= kParallelThreshold) ctx->intra_op()->ParallelFor(outer, len * inner, body);
    else body(0, outer);
  }

 private:
  bool exclusive_, reverse_;
};

template <typename T> using CumsumK = ScanOp<T, false>;
template <typename T> using CumprodK = ScanOp<T, true>;

#define TG_NUMBER float, double, int32_t, int64_t, int16_t, int8_t, uint8_t

TG_REGISTER_KERNEL_FOR_TYPES(Name("AddN").Device(DEVICE_CPU), "T", AddNOp, TG_NUMBER);
TG_REGISTER_KERNEL(Name("Cast").Device(DEVICE_CPU), CastOp);
TG_REGISTER_KERNEL_FOR_TYPES(Name("BatchMatMul").Device(DEVICE_CPU), "T", BatchMatMulK, float, double, int32_t, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("BatchMatMulV2").Device(DEVICE_CPU), "T", BatchMatMulV2K, float, double, int32_t, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("MatrixInverse").Device(DEVICE_CPU), "T", MatrixInverseOp, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Cumsum").Device(DEVICE_CPU), "T", CumsumK, TG_NUMBER);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Cumprod").Device(DEVICE_CPU), "T", CumprodK, TG_NUMBER);

}  // namespace
}  // namespace tg
