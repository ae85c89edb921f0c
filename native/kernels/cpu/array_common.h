// Helpers shared by the array kernels (array_ops.cc, shape_ops.cc, slice_ops.cc, ...): dtype
// lists and registration, dispatch on element size (data movement does not care what the bits
// mean), reading int32/int64 index tensors, and an N-D strided copy that coalesces
// dimensions, copies contiguous rows with memcpy, tiles transposes and splits big copies
// over the intra-op pool.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/threadpool.h"

namespace tg {
namespace array {

constexpr DeviceType kCPU = DeviceType::kCPU;

// Every dtype a data-movement kernel handles (half and bfloat16 move as 16-bit words).
inline const std::vector<DataType>& AllTypes() {
  static const std::vector<DataType> v = {
      DataType::DT_FLOAT, DataType::DT_DOUBLE, DataType::DT_INT32, DataType::DT_INT64,
      DataType::DT_INT8,  DataType::DT_INT16,  DataType::DT_UINT8, DataType::DT_BOOL,
      DataType::DT_STRING, DataType::DT_HALF,  DataType::DT_BFLOAT16};
  return v;
}
inline const std::vector<DataType>& PodTypes() {
  static const std::vector<DataType> v = {
      DataType::DT_FLOAT, DataType::DT_DOUBLE, DataType::DT_INT32, DataType::DT_INT64,
      DataType::DT_INT8,  DataType::DT_INT16,  DataType::DT_UINT8, DataType::DT_BOOL,
      DataType::DT_HALF,  DataType::DT_BFLOAT16};
  return v;
}

// Registers one kernel class for op on CPU for each dtype of `types`, keyed by `type_attr`.
template <typename K>
void RegisterTypes(const std::string& op, const std::string& type_attr, const std::vector<DataType>& types) {
  for (DataType dt : types) {
    RegisterKernel(register_kernel::Name(op).Device(DEVICE_CPU).TypeConstraint(type_attr, dt), FactoryOf<K>());
  }
}

template <typename T> struct Tag { using type = T; };

// Calls f(Tag<S>{}) with S a storage type of the same size as `dt` (std::string for strings).
template <typename F>
void SwitchBySize(DataType dt, F&& f) {
  if (dt == DataType::DT_STRING) return f(Tag<std::string>{});
  switch (DataTypeSize(dt)) {
    case 1: return f(Tag<uint8_t>{});
    case 2: return f(Tag<uint16_t>{});
    case 4: return f(Tag<uint32_t>{});
    case 8: return f(Tag<uint64_t>{});
    default: throw InvalidArgument("unsupported dtype " + DataTypeName(dt));
  }
}

// Copies n elements (memmove for plain data, assignment for strings).
template <typename T>
inline void CopyN(const T* src, int64_t n, T* dst) {
  if constexpr (std::is_trivially_copyable_v<T>) {
    if (n > 0) std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(T));
  } else {
    std::copy_n(src, n, dst);
  }
}

// The values of an int32 or int64 tensor, as int64.
inline std::vector<int64_t> IndexValues(const Tensor& t) {
  std::vector<int64_t> v(static_cast<size_t>(t.num_elements()));
  if (t.dtype() == DataType::DT_INT32) {
    const int32_t* p = t.data<int32_t>();
    for (size_t i = 0; i < v.size(); i++) v[i] = p[i];
  } else if (t.dtype() == DataType::DT_INT64) {
    const int64_t* p = t.data<int64_t>();
    for (size_t i = 0; i < v.size(); i++) v[i] = p[i];
  } else {
    throw InvalidArgument("expected an int32 or int64 tensor, got " + DataTypeName(t.dtype()));
  }
  return v;
}

inline bool IsVector(const Tensor& t) { return t.dims() == 1; }
inline bool IsScalar(const Tensor& t) { return t.dims() == 0; }

// "[2,3]": a tensor's shape as error messages show it.
inline std::string ShapeOf(const Tensor& t) { return ShapeString(t.shape()); }

inline Shape RowStrides(const Shape& dims) {
  Shape s(dims.size());
  int64_t acc = 1;
  for (int i = static_cast<int>(dims.size()) - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

// MirrorPad / MirrorPadGrad: the "mode" attr as the offset of the mirror from the edge,
// 1 for REFLECT (the edge is not repeated), 0 for SYMMETRIC (it is).
inline int64_t MirrorPadOffset(const KernelConstruction& c) {
  const std::string mode = c.node.AttrString("mode");
  if (mode == "REFLECT") return 1;
  if (mode == "SYMMETRIC") return 0;
  throw InvalidArgument("mode must be either REFLECT or SYMMETRIC.", c.node.name);
}

// The index into a dimension of size n that mirror padding reads for index i of the padded
// dimension, i counted from the start of the unpadded data (negative in the leading padding).
inline int64_t MirrorIndex(int64_t i, int64_t n, int64_t offset) {
  if (i < 0) return -i - 1 + offset;            // reflected before the start
  if (i >= n) return 2 * n - i - 1 - offset;    // reflected after the end
  return i;
}

// Copies below this many bytes run on the calling thread.
constexpr int64_t kParallelBytes = 1 << 18;

// Runs fn(begin, end) over [0, n), on the pool when the whole job moves >= kParallelBytes.
template <typename F>
void MaybeParallel(OpKernelContext* ctx, int64_t n, int64_t total_bytes, int64_t cost_per_unit, F&& fn) {
  if (n <= 0) return;
  if (total_bytes >= kParallelBytes && n > 1 && ctx->intra_op()) {
    ctx->intra_op()->ParallelFor(n, std::max<int64_t>(1, cost_per_unit), fn);
  } else {
    fn(0, n);
  }
}

// out[i0..ir] (contiguous, row-major over `dims`) = in[offset + sum_k i_k * strides[k]].
// Strides may be zero (broadcast / tile) or negative (reversed slices); `in` points at the
// start of the input buffer and every address read must be inside it (the caller checks).
template <typename T>
void StridedCopy(OpKernelContext* ctx, const T* in, int64_t offset, Shape dims, Shape strides, T* out) {
  // Drop size-1 dims; an empty dim means nothing to copy.
  {
    Shape d2, s2;
    for (size_t i = 0; i < dims.size(); i++) {
      if (dims[i] == 0) return;
      if (dims[i] == 1) continue;
      d2.push_back(dims[i]);
      s2.push_back(strides[i]);
    }
    // Coalesce: dim i folds into i+1 when stepping i equals a full sweep of i+1.
    Shape d3, s3;
    for (size_t i = 0; i < d2.size(); i++) {
      if (!d3.empty() && s3.back() == s2[i] * d2[i]) {
        d3.back() *= d2[i];
        s3.back() = s2[i];
      } else {
        d3.push_back(d2[i]);
        s3.push_back(s2[i]);
      }
    }
    dims.swap(d3);
    strides.swap(s3);
  }
  const int r = static_cast<int>(dims.size());
  if (r == 0) {
    out[0] = in[offset];
    return;
  }
  const int64_t total = NumElements(dims);
  const int64_t total_bytes = total * static_cast<int64_t>(sizeof(T));
  const int64_t inner = dims[r - 1];
  const int64_t inner_stride = strides[r - 1];

  // A dim (other than the last) read contiguously: copy it as a tiled 2-D transpose.
  int k = -1;
  if (inner_stride != 1 && r >= 2) {
    for (int i = r - 2; i >= 0; i--) if (strides[i] == 1) { k = i; break; }
  }
  if (k >= 0) {
    const int64_t rows = dims[k];
    const Shape ostr = RowStrides(dims);
    const int64_t orow = ostr[k];
    // The other dims (all but k and r-1) enumerate independent 2-D problems.
    Shape odims, istr, ostr2;
    for (int i = 0; i < r - 1; i++) {
      if (i == k) continue;
      odims.push_back(dims[i]);
      istr.push_back(strides[i]);
      ostr2.push_back(ostr[i]);
    }
    const int64_t outer = NumElements(odims);
    // Tiles of kTile x kTile, moved as 8x8 blocks through registers: reads run along `a`
    // (contiguous in the input), writes along `b` (contiguous in the output). Reading a
    // strided input element by element instead thrashes cache sets and the TLB.
    constexpr int64_t kTile = 64;
    constexpr int kB = 8;
    const int64_t row_tiles = (rows + kTile - 1) / kTile;
    auto body = [&](int64_t s, int64_t e) {
      for (int64_t w = s; w < e; w++) {
        int64_t o = w / row_tiles;
        const int64_t a0 = (w % row_tiles) * kTile, a1 = std::min(rows, a0 + kTile);
        int64_t ib = offset, ob = 0;
        for (int j = static_cast<int>(odims.size()) - 1; j >= 0; j--) {
          const int64_t idx = o % odims[j];
          o /= odims[j];
          ib += idx * istr[j];
          ob += idx * ostr2[j];
        }
        const T* pin = in + ib;
        T* pout = out + ob;
        for (int64_t b0 = 0; b0 < inner; b0 += kTile) {
          const int64_t b1 = std::min(inner, b0 + kTile);
          int64_t a = a0;
          if constexpr (std::is_trivially_copyable_v<T>) {
            for (; a + kB <= a1; a += kB) {
              int64_t b = b0;
              for (; b + kB <= b1; b += kB) {
                T r[kB][kB];
                for (int i = 0; i < kB; i++) {
                  const T* src = pin + (b + i) * inner_stride + a;
                  for (int j = 0; j < kB; j++) r[i][j] = src[j];
                }
                for (int j = 0; j < kB; j++) {
                  T* dst = pout + (a + j) * orow + b;
                  for (int i = 0; i < kB; i++) dst[i] = r[i][j];
                }
              }
              for (; b < b1; b++) {
                const T* src = pin + b * inner_stride + a;
                for (int j = 0; j < kB; j++) pout[(a + j) * orow + b] = src[j];
              }
            }
          }
          for (; a < a1; a++) {
            const T* src = pin + a;
            T* dst = pout + a * orow;
            for (int64_t b = b0; b < b1; b++) dst[b] = src[b * inner_stride];
          }
        }
      }
    };
    MaybeParallel(ctx, outer * row_tiles, total_bytes, kTile * inner * 2, body);
    return;
  }

  // Row by row over the last dim: memcpy when it is contiguous, a strided loop otherwise.
  const int64_t rows = total / inner;
  auto body = [&](int64_t s, int64_t e) {
    // Decompose the first row index once, then step an odometer.
    std::vector<int64_t> idx(static_cast<size_t>(std::max(r - 1, 0)));
    int64_t rem = s, ib = offset;
    for (int j = r - 2; j >= 0; j--) {
      idx[j] = rem % dims[j];
      rem /= dims[j];
      ib += idx[j] * strides[j];
    }
    for (int64_t row = s; row < e; row++) {
      T* dst = out + row * inner;
      const T* src = in + ib;
      if (inner_stride == 1) {
        CopyN(src, inner, dst);
      } else if (inner_stride == 0) {
        std::fill_n(dst, inner, src[0]);
      } else if (inner_stride == -1) {
        for (int64_t b = 0; b < inner; b++) dst[b] = *(src - b);
      } else {
        for (int64_t b = 0; b < inner; b++) dst[b] = src[b * inner_stride];
      }
      for (int j = r - 2; j >= 0; j--) {
        ib += strides[j];
        if (++idx[j] < dims[j]) break;
        ib -= strides[j] * dims[j];
        idx[j] = 0;
      }
    }
  };
  MaybeParallel(ctx, rows, total_bytes, inner * 2, body);
}

}  // namespace array
}  // namespace tg
