// TopKV2 (the k largest entries of each last-dimension row, with their indices; equal values
// keep the lower index first, as TF's CPU kernel does) and InTopK / InTopKV2 (whether each
// target's prediction is among the k largest: fewer than k classes strictly larger, so ties
// count in the target's favour; a non-finite prediction or an out-of-range target is false).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <type_traits>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/threadpool.h"

namespace tg {
namespace {

// a ranks before b: larger value first, NaN above everything, then the lower index.
template <typename T>
inline bool Before(const T* row, int32_t a, int32_t b) {
  const T va = row[a], vb = row[b];
  if constexpr (std::is_floating_point_v<T>) {
    const bool na = std::isnan(va), nb = std::isnan(vb);
    if (na || nb) return na && !nb ? true : (na == nb ? a < b : false);
  }
  if (va != vb) return va > vb;
  return a < b;
}

template <typename T>
class TopKOp : public OpKernel {
 public:
  explicit TopKOp(const KernelConstruction& c) : OpKernel(c, 2) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(0);
    const Tensor& k_in = ctx->input(1);
    if (k_in.dims() != 0) throw ctx->InvalidArg("k must be scalar, got shape " + ShapeString(k_in.shape()));
    const int64_t k = *k_in.data<int32_t>();
    if (k < 0) throw ctx->InvalidArg("Need k >= 0, got " + std::to_string(k));
    if (input.dims() < 1) throw ctx->InvalidArg("input must be >= 1-D, got shape " + ShapeString(input.shape()));
    const int64_t cols = input.dim(input.dims() - 1);
    if (cols < k) {
      throw ctx->InvalidArg("input must have at least k columns. Had " + std::to_string(cols) + ", needed " +
                            std::to_string(k));
    }
    Shape out_shape = input.shape();
    out_shape.back() = k;
    Tensor& values = ctx->allocate_output(0, input.dtype(), out_shape);
    Tensor& indices = ctx->allocate_output(1, DataType::DT_INT32, out_shape);
    if (k == 0 || input.num_elements() == 0) return;
    const int64_t rows = input.num_elements() / cols;
    const T* pin = input.data<T>();
    T* pv = values.data<T>();
    int32_t* pi = indices.data<int32_t>();
    auto body = [=](int64_t s, int64_t e) {
      std::vector<int32_t> idx;
      for (int64_t r = s; r < e; r++) {
        const T* row = pin + r * cols;
        T* vo = pv + r * k;
        int32_t* io = pi + r * k;
        if (k == 1) {
          int32_t best = 0;
          for (int32_t j = 1; j < cols; j++) if (Before(row, j, best)) best = j;
          vo[0] = row[best];
          io[0] = best;
          continue;
        }
        idx.resize(static_cast<size_t>(cols));
        std::iota(idx.begin(), idx.end(), 0);
        auto cmp = [row](int32_t a, int32_t b) { return Before(row, a, b); };
        std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), cmp);
        for (int64_t j = 0; j < k; j++) {
          io[j] = idx[j];
          vo[j] = row[idx[j]];
        }
      }
    };
    if (input.num_elements() >= 32768) ctx->intra_op()->ParallelFor(rows, 10 * cols, body);
    else body(0, rows);
  }
};

// InTopK takes k as an attr, InTopKV2 as a scalar input of the targets' type T.
template <typename TIndex>
class InTopKOp : public OpKernel {
 public:
  explicit InTopKOp(const KernelConstruction& c) : OpKernel(c), k_attr_(c.node.op == "InTopK" ? c.node.AttrInt("k") : -1) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& pred = ctx->input(0);
    const Tensor& targets = ctx->input(1);
    int64_t k = k_attr_;
    if (ctx->num_inputs() > 2) {
      const Tensor& k_in = ctx->input(2);
      if (k_in.dims() != 0) throw ctx->InvalidArg("k must be 0-D, got shape " + ShapeString(k_in.shape()));
      k = *k_in.data<TIndex>();
    }
    if (pred.dims() != 2) throw ctx->InvalidArg("predictions must be 2-dimensional");
    if (targets.dims() != 1) throw ctx->InvalidArg("targets must be 1-dimensional");
    if (pred.dim(0) != targets.dim(0)) {
      throw ctx->InvalidArg("First dimension of predictions " + std::to_string(pred.dim(0)) +
                            " must match length of targets " + std::to_string(targets.dim(0)));
    }
    const int64_t rows = pred.dim(0), classes = pred.dim(1);
    Tensor& out = ctx->allocate_output(0, DataType::DT_BOOL, {rows});
    const float* p = pred.data<float>();
    const TIndex* t = targets.data<TIndex>();
    bool* o = out.data<bool>();
    for (int64_t i = 0; i < rows; i++) {
      const float* row = p + i * classes;
      const int64_t target = static_cast<int64_t>(t[i]);
      bool cannot_say = target < 0 || target >= classes || !std::isfinite(row[target]);
      int64_t more_probable = 0;
      if (!cannot_say) {
        const float tv = row[target];
        for (int64_t j = 0; j < classes; j++) {
          if (!std::isfinite(row[j])) {
            cannot_say = true;
            break;
          }
          if (row[j] > tv && ++more_probable > k) break;
        }
      }
      o[i] = !cannot_say && more_probable < k;
    }
  }

 private:
  int64_t k_attr_;
};

TG_REGISTER_KERNEL_FOR_TYPES(Name("TopKV2").Device(DEVICE_CPU), "T", TopKOp, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("InTopK").Device(DEVICE_CPU), "T", InTopKOp, int32_t, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("InTopKV2").Device(DEVICE_CPU), "T", InTopKOp, int32_t, int64_t);

}  // namespace
}  // namespace tg
