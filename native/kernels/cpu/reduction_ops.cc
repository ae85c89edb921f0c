// Reductions (Sum, Mean, Prod, Max, Min, All, Any) and ArgMax/ArgMin.
//
// The input shape is simplified as TF's ReductionHelper does: size-1 dims are dropped and
// adjacent dims that are all reduced (or all kept) are merged, leaving alternating runs. Each
// reduced run is then one (outer, R, inner) pass: contiguous rows when inner == 1 (reducing
// the last axis) and vectorised column accumulation otherwise (reducing the first axis of a
// matrix is (1, R, inner)). Several reduced runs take several passes, last run first.
// Float sums are blocked/pairwise, so large sums keep their precision.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/threadpool.h"

namespace tg {
namespace {

// ---------- reducers ----------

template <typename T> struct SumR {
  static T Init() { return T(0); }
  static T Op(T a, T b) { return static_cast<T>(a + b); }
};
template <typename T> struct ProdR {
  static T Init() { return T(1); }
  static T Op(T a, T b) { return static_cast<T>(a * b); }
};
// Max/Min propagate NaN.
template <typename T> struct MaxR {
  static T Init() {
    if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::lowest();
  }
  static T Op(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) return (a > b || a != a) ? a : b;
    else return a > b ? a : b;
  }
};
template <typename T> struct MinR {
  static T Init() {
    if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::max();
  }
  static T Op(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) return (a < b || a != a) ? a : b;
    else return a < b ? a : b;
  }
};
struct AllR {
  static bool Init() { return true; }
  static bool Op(bool a, bool b) { return a && b; }
};
struct AnyR {
  static bool Init() { return false; }
  static bool Op(bool a, bool b) { return a || b; }
};

constexpr int64_t kParallelMin = 32768;  // elements below this run on the calling thread

// A scratch array (std::vector<bool> has no data()).
template <typename T> class Scratch {
 public:
  Scratch() = default;
  explicit Scratch(int64_t n) { resize(n); }
  void resize(int64_t n) {
    if (n > size_) {
      data_.reset(new T[static_cast<size_t>(n)]);
      size_ = n;
    }
  }
  T* data() const { return data_.get(); }
  T& operator[](int64_t i) const { return data_[i]; }

 private:
  std::unique_ptr<T[]> data_;
  int64_t size_ = 0;
};

// Reduces n contiguous values: 8 independent lanes (vectorisable) within blocks of 256,
// blocks combined pairwise.
template <typename R, typename T>
T ReduceContig(const T* p, int64_t n) {
  if (n <= 256) {
    T acc[8];
    for (int k = 0; k < 8; k++) acc[k] = R::Init();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      for (int k = 0; k < 8; k++) acc[k] = R::Op(acc[k], p[i + k]);
    }
    T r = R::Op(R::Op(R::Op(acc[0], acc[1]), R::Op(acc[2], acc[3])), R::Op(R::Op(acc[4], acc[5]), R::Op(acc[6], acc[7])));
    for (; i < n; i++) r = R::Op(r, p[i]);
    return r;
  }
  const int64_t half = (n / 2 + 7) / 8 * 8;
  return R::Op(ReduceContig<R>(p, half), ReduceContig<R>(p + half, n - half));
}

// out[j] = R over r < rows of p[r * inner + j], for j in [j0, j1). Rows are taken in blocks of
// 128 accumulated into a scratch row, so float sums over many rows stay accurate.
template <typename R, typename T>
void ReduceColumns(const T* p, int64_t rows, int64_t inner, int64_t j0, int64_t j1, T* out) {
  const int64_t w = j1 - j0;
  constexpr int64_t kBlock = 128;
  if (rows <= kBlock) {
    T* o = out + j0;
    const T* first = p + j0;
    for (int64_t j = 0; j < w; j++) o[j] = first[j];
    for (int64_t r = 1; r < rows; r++) {
      const T* row = p + r * inner + j0;
      for (int64_t j = 0; j < w; j++) o[j] = R::Op(o[j], row[j]);
    }
    return;
  }
  Scratch<T> block(w);
  T* o = out + j0;
  for (int64_t j = 0; j < w; j++) o[j] = R::Init();
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock) {
    const int64_t r1 = std::min(rows, r0 + kBlock);
    T* b = block.data();
    const T* first = p + r0 * inner + j0;
    for (int64_t j = 0; j < w; j++) b[j] = first[j];
    for (int64_t r = r0 + 1; r < r1; r++) {
      const T* row = p + r * inner + j0;
      for (int64_t j = 0; j < w; j++) b[j] = R::Op(b[j], row[j]);
    }
    for (int64_t j = 0; j < w; j++) o[j] = R::Op(o[j], b[j]);
  }
}

// One pass: in is [outer, rows, inner] (rows >= 1), out is [outer, inner].
template <typename R, typename T>
void ReducePass(OpKernelContext* ctx, const T* in, int64_t outer, int64_t rows, int64_t inner, T* out) {
  ThreadPool* pool = ctx->intra_op();
  const int64_t total = outer * rows * inner;
  const bool par = total >= kParallelMin && pool != nullptr && pool->num_threads() > 0;
  if (inner == 1) {
    // Reducing the last (contiguous) axis.
    if (!par) {
      for (int64_t o = 0; o < outer; o++) out[o] = ReduceContig<R>(in + o * rows, rows);
      return;
    }
    if (outer >= 4 * (pool->num_threads() + 1)) {
      pool->ParallelFor(outer, rows, [&](int64_t s, int64_t e) {
        for (int64_t o = s; o < e; o++) out[o] = ReduceContig<R>(in + o * rows, rows);
      });
      return;
    }
    // Few long rows: split each row into chunks reduced in parallel, then combine.
    for (int64_t o = 0; o < outer; o++) {
      const T* row = in + o * rows;
      const int64_t chunk = std::max<int64_t>(4096, (rows + 4 * pool->num_threads() + 3) / (4 * pool->num_threads() + 4));
      const int64_t nchunks = (rows + chunk - 1) / chunk;
      Scratch<T> partial(nchunks);
      pool->ParallelFor(nchunks, chunk, [&](int64_t s, int64_t e) {
        for (int64_t c = s; c < e; c++) partial[c] = ReduceContig<R>(row + c * chunk, std::min(chunk, rows - c * chunk));
      });
      out[o] = ReduceContig<R>(partial.data(), nchunks);
    }
    return;
  }
  if (!par) {
    for (int64_t o = 0; o < outer; o++) ReduceColumns<R>(in + o * rows * inner, rows, inner, 0, inner, out + o * inner);
    return;
  }
  if (outer >= 4 * (pool->num_threads() + 1)) {
    pool->ParallelFor(outer, rows * inner, [&](int64_t s, int64_t e) {
      for (int64_t o = s; o < e; o++) ReduceColumns<R>(in + o * rows * inner, rows, inner, 0, inner, out + o * inner);
    });
    return;
  }
  for (int64_t o = 0; o < outer; o++) {
    const T* slab = in + o * rows * inner;
    T* dst = out + o * inner;
    if (inner >= 256) {
      // Wide rows: split the columns (in cache-line multiples).
      const int64_t nblocks = (inner + 63) / 64;
      pool->ParallelFor(nblocks, rows * 64, [&](int64_t s, int64_t e) {
        ReduceColumns<R>(slab, rows, inner, s * 64, std::min(inner, e * 64), dst);
      });
    } else {
      // Narrow rows, many of them: split the rows, each chunk into its own partial row.
      const int64_t chunk = std::max<int64_t>(128, (rows + 4 * pool->num_threads() + 3) / (4 * pool->num_threads() + 4));
      const int64_t nchunks = (rows + chunk - 1) / chunk;
      Scratch<T> partial(nchunks * inner);
      pool->ParallelFor(nchunks, chunk * inner, [&](int64_t s, int64_t e) {
        for (int64_t c = s; c < e; c++) {
          ReduceColumns<R>(slab + c * chunk * inner, std::min(chunk, rows - c * chunk), inner, 0, inner, partial.data() + c * inner);
        }
      });
      ReduceColumns<R>(partial.data(), nchunks, inner, 0, inner, dst);
    }
  }
}

// Reads the axes input (int32 or int64, scalar or vector) into a reduced-dims bitmap.
std::vector<bool> ReducedDims(OpKernelContext* ctx, const Tensor& axes, int rank) {
  if (axes.dims() > 1) {
    throw ctx->InvalidArg("reduction_indices must be a scalar or a vector, got shape " + ShapeString(axes.shape()));
  }
  std::vector<bool> bitmap(static_cast<size_t>(rank), false);
  const int64_t n = axes.num_elements();
  for (int64_t i = 0; i < n; i++) {
    int64_t a;
    if (axes.dtype() == DataType::DT_INT32) a = axes.data<int32_t>()[i];
    else if (axes.dtype() == DataType::DT_INT64) a = axes.data<int64_t>()[i];
    else throw ctx->InvalidArg("reduction_indices must be int32 or int64, got " + DataTypeName(axes.dtype()));
    if (a < -rank || a >= rank) {
      throw ctx->InvalidArg("Invalid reduction dimension (" + std::to_string(a) + " for input with " + std::to_string(rank) +
                            " dimension(s)");
    }
    bitmap[static_cast<size_t>(a < 0 ? a + rank : a)] = true;  // duplicates are allowed, as in TF
  }
  return bitmap;
}

enum class Finish { kNone, kMean };

template <typename T, typename R, Finish kFinish = Finish::kNone>
class ReductionOp : public OpKernel {
 public:
  explicit ReductionOp(const KernelConstruction& c) : OpKernel(c), keep_dims_(c.node.AttrBool("keep_dims", false)) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& in = ctx->input(0);
    const int rank = in.dims();
    std::vector<bool> reduced = ReducedDims(ctx, ctx->input(1), rank);

    Shape out_shape;
    int64_t count = 1;  // elements reduced into each output
    for (int i = 0; i < rank; i++) {
      if (!reduced[i]) out_shape.push_back(in.dim(i));
      else {
        count *= in.dim(i);
        if (keep_dims_) out_shape.push_back(1);
      }
    }
    const int64_t out_n = NumElements(out_shape);

    // Nothing reduced (or only size-1 dims): the output aliases the input.
    if (count == 1 && kFinish == Finish::kNone) {
      ctx->set_output(0, in.Reshaped(out_shape));
      return;
    }
    Tensor& out = ctx->allocate_output(0, DataTypeOf<T>(), out_shape);
    T* po = out.data<T>();
    if (out_n == 0) return;
    if (count == 0) {  // empty reduction: the identity (Mean: 0/0)
      T v = R::Init();
      if constexpr (kFinish == Finish::kMean) {
        if constexpr (std::is_floating_point_v<T>) v = std::numeric_limits<T>::quiet_NaN();
        else v = T(0);
      }
      std::fill(po, po + out_n, v);
      return;
    }
    if (count == 1) {
      std::copy(in.data<T>(), in.data<T>() + out_n, po);
    } else {
      // Simplify: drop size-1 dims, merge runs.
      std::vector<int64_t> dims;
      std::vector<bool> red;
      for (int i = 0; i < rank; i++) {
        if (in.dim(i) == 1) continue;
        if (!dims.empty() && red.back() == reduced[i]) dims.back() *= in.dim(i);
        else {
          dims.push_back(in.dim(i));
          red.push_back(reduced[i]);
        }
      }
      const T* src = in.data<T>();
      Scratch<T> tmp[2];
      int which = 0;
      for (;;) {
        // The last reduced run.
        int g = -1;
        for (int i = static_cast<int>(dims.size()) - 1; i >= 0; i--) {
          if (red[i]) {
            g = i;
            break;
          }
        }
        int64_t outer = 1, inner = 1;
        for (int i = 0; i < g; i++) outer *= dims[i];
        for (size_t i = g + 1; i < dims.size(); i++) inner *= dims[i];
        bool last = true;
        for (int i = 0; i < g; i++) last = last && !red[i];
        T* dst;
        if (last) {
          dst = po;
        } else {
          tmp[which].resize(outer * inner);
          dst = tmp[which].data();
        }
        ReducePass<R>(ctx, src, outer, dims[g], inner, dst);
        if (last) break;
        src = dst;
        which ^= 1;
        // Remove run g; its neighbours (both kept, or g at the end) merge.
        dims.erase(dims.begin() + g);
        red.erase(red.begin() + g);
        if (g > 0 && g < static_cast<int>(dims.size())) {
          dims[g - 1] *= dims[g];
          dims.erase(dims.begin() + g);
          red.erase(red.begin() + g);
        }
      }
    }
    if constexpr (kFinish == Finish::kMean) {
      if constexpr (std::is_floating_point_v<T>) {
        const T c = static_cast<T>(count);
        for (int64_t i = 0; i < out_n; i++) po[i] = po[i] / c;
      } else {
        // Integer division of the (wrapped) sum by the count, in int64 so that a count that
        // does not fit T (int8 over 256 elements) cannot become a zero divisor.
        for (int64_t i = 0; i < out_n; i++) po[i] = static_cast<T>(static_cast<int64_t>(po[i]) / count);
      }
    }
  }

 private:
  bool keep_dims_;
};

template <typename T> using SumK = ReductionOp<T, SumR<T>>;
template <typename T> using MeanK = ReductionOp<T, SumR<T>, Finish::kMean>;
template <typename T> using ProdK = ReductionOp<T, ProdR<T>>;
template <typename T> using MaxK = ReductionOp<T, MaxR<T>>;
template <typename T> using MinK = ReductionOp<T, MinR<T>>;

// ---------- ArgMax / ArgMin ----------

// First index of the max (min); NaN counts as larger (smaller) than everything, as numpy.
template <typename T, bool kMax>
inline bool Better(T x, T best) {
  if constexpr (std::is_floating_point_v<T>) {
    if (best != best) return false;
    if (x != x) return true;
  }
  return kMax ? x > best : x < best;
}

template <typename T, bool kMax>
class ArgOp : public OpKernel {
 public:
  explicit ArgOp(const KernelConstruction& c) : OpKernel(c), out_type_(c.node.AttrType("output_type")) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& in = ctx->input(0);
    const Tensor& dim_t = ctx->input(1);
    if (dim_t.num_elements() != 1) {
      throw ctx->InvalidArg("dim must be a scalar, but received tensor of shape: " + ShapeString(dim_t.shape()));
    }
    const int64_t d = dim_t.dtype() == DataType::DT_INT64 ? dim_t.data<int64_t>()[0] : dim_t.data<int32_t>()[0];
    const int rank = in.dims();
    if (d < -rank || d >= rank) {
      throw ctx->InvalidArg("Expected dimension in the range [" + std::to_string(-rank) + ", " + std::to_string(rank) +
                            "), but got " + std::to_string(d));
    }
    const int axis = static_cast<int>(d < 0 ? d + rank : d);
    if (in.dim(axis) == 0) {
      throw ctx->InvalidArg("Reduction axis " + std::to_string(d) + " is empty in shape " + ShapeString(in.shape()));
    }
    Shape out_shape;
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < rank; i++) {
      if (i == axis) continue;
      out_shape.push_back(in.dim(i));
      if (i < axis) outer *= in.dim(i);
      else inner *= in.dim(i);
    }
    const int64_t n = in.dim(axis);
    if (out_type_ == DataType::DT_INT32) Run<int32_t>(ctx, in, out_shape, outer, n, inner);
    else if (out_type_ == DataType::DT_INT64) Run<int64_t>(ctx, in, out_shape, outer, n, inner);
    else throw ctx->InvalidArg("output_type must be int32 or int64, got " + DataTypeName(out_type_));
  }

 private:
  template <typename I>
  void Run(OpKernelContext* ctx, const Tensor& in, const Shape& out_shape, int64_t outer, int64_t n, int64_t inner) const {
    Tensor& out = ctx->allocate_output(0, DataTypeOf<I>(), out_shape);
    I* po = out.data<I>();
    const T* p = in.data<T>();
    if (out.num_elements() == 0) return;
    auto body = [&](int64_t s, int64_t e) {
      std::vector<T> best;
      for (int64_t o = s; o < e; o++) {
        const T* slab = p + o * n * inner;
        I* dst = po + o * inner;
        if (inner == 1) {
          T b = slab[0];
          int64_t bi = 0;
          for (int64_t k = 1; k < n; k++) {
            if (Better<T, kMax>(slab[k], b)) {
              b = slab[k];
              bi = k;
            }
          }
          dst[0] = static_cast<I>(bi);
        } else {
          best.assign(slab, slab + inner);
          for (int64_t j = 0; j < inner; j++) dst[j] = 0;
          for (int64_t k = 1; k < n; k++) {
            const T* row = slab + k * inner;
            for (int64_t j = 0; j < inner; j++) {
              if (Better<T, kMax>(row[j], best[j])) {
                best[j] = row[j];
                dst[j] = static_cast<I>(k);
              }
            }
          }
        }
      }
    };
    if (in.num_elements() >= kParallelMin && outer > 1) ctx->intra_op()->ParallelFor(outer, n * inner, body);
    else body(0, outer);
  }

  DataType out_type_;
};

template <typename T> using ArgMaxK = ArgOp<T, true>;
template <typename T> using ArgMinK = ArgOp<T, false>;

#define TG_NUMBER float, double, int32_t, int64_t, int16_t, int8_t, uint8_t

TG_REGISTER_KERNEL_FOR_TYPES(Name("Sum").Device(DEVICE_CPU), "T", SumK, TG_NUMBER);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Mean").Device(DEVICE_CPU), "T", MeanK, TG_NUMBER);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Prod").Device(DEVICE_CPU), "T", ProdK, TG_NUMBER);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Max").Device(DEVICE_CPU), "T", MaxK, TG_NUMBER);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Min").Device(DEVICE_CPU), "T", MinK, TG_NUMBER);
TG_REGISTER_KERNEL_FOR_TYPES(Name("ArgMax").Device(DEVICE_CPU), "T", ArgMaxK, TG_NUMBER);
TG_REGISTER_KERNEL_FOR_TYPES(Name("ArgMin").Device(DEVICE_CPU), "T", ArgMinK, TG_NUMBER);
TG_REGISTER_KERNEL(Name("All").Device(DEVICE_CPU), ReductionOp<bool, AllR>);
TG_REGISTER_KERNEL(Name("Any").Device(DEVICE_CPU), ReductionOp<bool, AnyR>);

}  // namespace
}  // namespace tg
