// Fused softmax cross-entropy kernels (TF's xent_op.cc and sparse_xent_op.cc): per row of
// logits, loss = logsumexp(logits) - sum(labels * logits) and backprop = softmax - labels,
// both computed from max-shifted logits. Also PreventGradient (forwards its input).
#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "runtime/kernel.h"
#include "runtime/threadpool.h"

namespace tg {
namespace {

// Per-row / per-column element strides of an input broadcast to [rows, cols] (0 = broadcast).
struct Strides2D {
  int64_t row = 0, col = 0;
};

template <typename T>
class SoftmaxXentOp : public OpKernel {
 public:
  explicit SoftmaxXentOp(const KernelConstruction& c) : OpKernel(c, 2) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& logits = ctx->input(0);
    const Tensor& labels = ctx->input(1);
    // numpy broadcasting of the two shapes; the result must be a matrix.
    const Shape& a = logits.shape();
    const Shape& b = labels.shape();
    const size_t r = std::max(a.size(), b.size());
    Shape out(r);
    for (size_t i = 0; i < r; i++) {
      const int64_t da = i + a.size() >= r ? a[i + a.size() - r] : 1;
      const int64_t db = i + b.size() >= r ? b[i + b.size() - r] : 1;
      if (da != db && da != 1 && db != 1) {
        throw ctx->InvalidArg("logits and labels must be broadcastable: logits_size=" + ShapeString(a) +
                              " labels_size=" + ShapeString(b));
      }
      out[i] = da == 1 ? db : da;
    }
    if (r != 2) {
      throw ctx->InvalidArg("logits and labels must be either 2-dimensional, or broadcasted to be 2-dimensional");
    }
    const int64_t rows = out[0], cols = out[1];
    const Strides2D sl = StridesOf(a, rows, cols), sb = StridesOf(b, rows, cols);
    Tensor& loss = ctx->allocate_output(0, logits.dtype(), {rows});
    Tensor& backprop = ctx->allocate_output(1, logits.dtype(), {rows, cols});
    const T* pl = logits.data<T>();
    const T* pb = labels.data<T>();
    T* lo = loss.data<T>();
    T* bp = backprop.data<T>();
    auto body = [=](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; i++) {
        const T* l = pl + i * sl.row;
        const T* z = pb + i * sb.row;
        T* g = bp + i * cols;
        if (cols == 0) {
          lo[i] = T(0);
          continue;
        }
        T mx = l[0];
        for (int64_t j = 1; j < cols; j++) mx = std::max(mx, l[j * sl.col]);
        T sum = 0;
        for (int64_t j = 0; j < cols; j++) sum += (g[j] = std::exp(l[j * sl.col] - mx));
        const T lse = std::log(sum);
        T acc = 0;
        for (int64_t j = 0; j < cols; j++) {
          const T zj = z[j * sb.col];
          acc += zj * (lse - (l[j * sl.col] - mx));
          g[j] = g[j] / sum - zj;
        }
        lo[i] = acc;
      }
    };
    if (rows * cols >= 32768) ctx->intra_op()->ParallelFor(rows, 30 * std::max<int64_t>(cols, 1), body);
    else body(0, rows);
  }

 private:
  static Strides2D StridesOf(const Shape& s, int64_t rows, int64_t cols) {
    Strides2D st;
    const int64_t c = s.empty() ? 1 : s.back();
    const int64_t rr = s.size() < 2 ? 1 : s[s.size() - 2];
    st.col = (c == 1 && cols != 1) ? 0 : 1;
    st.row = (rr == 1 && rows != 1) ? 0 : c;
    return st;
  }
};

// TF's CheckInvalidLabelIndex message, with every label value (SummarizeValue).
template <typename Index>
void CheckLabels(const OpKernelContext* ctx, const Tensor& labels, int64_t num_classes) {
  const Index* p = labels.data<Index>();
  const int64_t n = labels.num_elements();
  if (n == 0) return;
  auto [mn, mx] = std::minmax_element(p, p + n);
  if (*mn >= 0 && *mx < num_classes) return;
  const int64_t bad = *mn < 0 ? static_cast<int64_t>(*mn) : static_cast<int64_t>(*mx);
  std::ostringstream os;
  os << "Received a label value of " << bad << " which is outside the valid range of [0, " << num_classes
     << ").  Label values:";
  for (int64_t i = 0; i < n; i++) os << ' ' << static_cast<int64_t>(p[i]);
  throw ctx->InvalidArg(os.str());
}

template <typename T>
class SparseSoftmaxXentOp : public OpKernel {
 public:
  explicit SparseSoftmaxXentOp(const KernelConstruction& c) : OpKernel(c, 2) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& logits = ctx->input(0);
    const Tensor& labels = ctx->input(1);
    if (logits.dims() != 2) throw ctx->InvalidArg("logits must be 2-D, but got shape " + ShapeString(logits.shape()));
    if (labels.dims() != 1) throw ctx->InvalidArg("labels must be 1-D, but got shape " + ShapeString(labels.shape()));
    if (logits.dim(0) != labels.dim(0)) {
      throw ctx->InvalidArg("logits and labels must have the same first dimension, got logits shape " +
                            ShapeString(logits.shape()) + " and labels shape " + ShapeString(labels.shape()));
    }
    const int64_t rows = logits.dim(0), cols = logits.dim(1);
    if (rows > 0 && cols == 0) {
      throw ctx->InvalidArg("Must have at least one class, but got logits shape " + ShapeString(logits.shape()));
    }
    const bool i64 = labels.dtype() == DataType::DT_INT64;
    if (i64) CheckLabels<int64_t>(ctx, labels, cols);
    else CheckLabels<int32_t>(ctx, labels, cols);
    Tensor& loss = ctx->allocate_output(0, logits.dtype(), {rows});
    Tensor& backprop = ctx->allocate_output(1, logits.dtype(), {rows, cols});
    const T* pl = logits.data<T>();
    const int32_t* p32 = labels.data<int32_t>();
    const int64_t* p64 = labels.data<int64_t>();
    T* lo = loss.data<T>();
    T* bp = backprop.data<T>();
    auto body = [=](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; i++) {
        const T* l = pl + i * cols;
        T* g = bp + i * cols;
        const int64_t label = i64 ? p64[i] : p32[i];
        const T mx = *std::max_element(l, l + cols);
        T sum = 0;
        for (int64_t j = 0; j < cols; j++) sum += (g[j] = std::exp(l[j] - mx));
        for (int64_t j = 0; j < cols; j++) g[j] /= sum;
        g[label] -= T(1);
        lo[i] = std::log(sum) - (l[label] - mx);
      }
    };
    if (rows * cols >= 32768) ctx->intra_op()->ParallelFor(rows, 30 * cols, body);
    else body(0, rows);
  }
};

// PreventGradient: the identity in the forward pass (its gradient function raises).
class PreventGradientOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override { ctx->forward_input(0, 0); }
  bool IsExpensive() const override { return false; }
};

TG_REGISTER_KERNEL_FOR_TYPES(Name("SoftmaxCrossEntropyWithLogits").Device(DEVICE_CPU), "T", SoftmaxXentOp, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("SparseSoftmaxCrossEntropyWithLogits").Device(DEVICE_CPU), "T", SparseSoftmaxXentOp, float, double);
TG_REGISTER_KERNEL(Name("PreventGradient").Device(DEVICE_CPU), PreventGradientOp);

}  // namespace
}  // namespace tg
