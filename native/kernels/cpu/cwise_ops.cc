// Element-wise binary kernels: arithmetic, integer division family, comparisons, logic.
// Integer divisions check for zero divisors before computing (TF's "Integer division by
// zero"), and treat x / -1 specially so INT_MIN / -1 wraps instead of trapping.
#include <limits>
#include <type_traits>

#include "kernels/cpu/cwise.h"

namespace tg {

BroadcastPlan MakeBroadcastPlan(const Shape& a, const Shape& b, const std::string& node) {
  const size_t r = std::max(a.size(), b.size());
  BroadcastPlan p;
  p.out.resize(r);
  p.stride_a.assign(r, 0);
  p.stride_b.assign(r, 0);
  int64_t sa = 1, sb = 1;
  for (size_t k = 0; k < r; k++) {
    const size_t i = r - 1 - k;
    const int64_t da = k < a.size() ? a[a.size() - 1 - k] : 1;
    const int64_t db = k < b.size() ? b[b.size() - 1 - k] : 1;
    if (da != db && da != 1 && db != 1) {
      throw Error(Code::kInvalidArgument, "Incompatible shapes: " + ShapeString(a) + " vs. " + ShapeString(b), node);
    }
    p.out[i] = da == 1 ? db : da;
    p.stride_a[i] = da == 1 ? 0 : sa;
    p.stride_b[i] = db == 1 ? 0 : sb;
    sa *= da;
    sb *= db;
  }
  return p;
}

namespace {

// ---------- helpers ----------

// -x for integers with two's complement wrap-around (no UB for INT_MIN).
template <typename T> inline T WrapNeg(T x) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(U(0) - static_cast<U>(x));
}
template <typename T> inline T WrapMul(T a, T b) {
  if constexpr (sizeof(T) < sizeof(int)) {
    return static_cast<T>(static_cast<int>(a) * static_cast<int>(b));
  } else {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  }
}
template <typename T> inline T WrapSub(T a, T b) {
  if constexpr (sizeof(T) < sizeof(int)) {
    return static_cast<T>(static_cast<int>(a) - static_cast<int>(b));
  } else {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  }
}

// ---------- functors ----------

struct DivF {  // TF's Div: true division for floats, truncation (C++) for integers.
  template <typename T> static T Apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_signed_v<T>) {
        if (b == T(-1)) return WrapNeg(a);
      }
      return static_cast<T>(a / b);
    } else {
      return a / b;
    }
  }
};
struct RealDivF { template <typename T> static T Apply(T a, T b) { return a / b; } };
struct TruncateDivF {
  template <typename T> static T Apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) return DivF::Apply(a, b);
    else return std::trunc(a / b);
  }
};
struct FloorDivF {
  template <typename T> static T Apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_signed_v<T>) {
        if (b == T(-1)) return WrapNeg(a);
        const T q = static_cast<T>(a / b);
        const T r = static_cast<T>(a % b);
        return (r != 0 && ((r < 0) != (b < 0))) ? static_cast<T>(q - 1) : q;
      } else {
        return static_cast<T>(a / b);
      }
    } else {
      return std::floor(a / b);
    }
  }
};
struct TruncateModF {
  template <typename T> static T Apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_signed_v<T>) {
        if (b == T(-1)) return T(0);
      }
      return static_cast<T>(a % b);
    } else {
      return std::fmod(a, b);
    }
  }
};
struct FloorModF {  // the result has the divisor's sign (Python's %)
  template <typename T> static T Apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_signed_v<T>) {
        if (b == T(-1)) return T(0);
        const T r = static_cast<T>(a % b);
        return (r != 0 && ((r < 0) != (b < 0))) ? static_cast<T>(r + b) : r;
      } else {
        return static_cast<T>(a % b);
      }
    } else {
      const T r = std::fmod(a, b);
      return (r != 0 && ((b < 0) != (r < 0))) ? r + b : r;
    }
  }
};
struct PowF {
  template <typename T> static T Apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      // Exponents are checked non-negative before the loop runs.
      T r = 1, base = a;
      auto e = static_cast<std::make_unsigned_t<T>>(b);
      while (e) {
        if (e & 1) r = WrapMul(r, base);
        e >>= 1;
        if (e) base = WrapMul(base, base);
      }
      return r;
    } else {
      return std::pow(a, b);
    }
  }
};
// Maximum/Minimum propagate NaN for floats.
struct MaximumF {
  template <typename T> static T Apply(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) return (a > b || a != a) ? a : b;
    else return a > b ? a : b;
  }
};
struct MinimumF {
  template <typename T> static T Apply(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) return (a < b || a != a) ? a : b;
    else return a < b ? a : b;
  }
};
struct SquaredDifferenceF {
  template <typename T> static T Apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      const T d = WrapSub(a, b);
      return WrapMul(d, d);
    } else {
      const T d = a - b;
      return d * d;
    }
  }
};
struct Atan2F { template <typename T> static T Apply(T a, T b) { return std::atan2(a, b); } };
struct DivNoNanF { template <typename T> static T Apply(T a, T b) { return b == T(0) ? T(0) : a / b; } };
struct StringAddF { static std::string Apply(const std::string& a, const std::string& b) { return a + b; } };

struct LessF { template <typename T> static bool Apply(const T& a, const T& b) { return a < b; } };
struct LessEqualF { template <typename T> static bool Apply(const T& a, const T& b) { return a <= b; } };
struct GreaterF { template <typename T> static bool Apply(const T& a, const T& b) { return a > b; } };
struct GreaterEqualF { template <typename T> static bool Apply(const T& a, const T& b) { return a >= b; } };
struct EqualF { template <typename T> static bool Apply(const T& a, const T& b) { return a == b; } };
struct NotEqualF { template <typename T> static bool Apply(const T& a, const T& b) { return a != b; } };
struct LogicalAndF { static bool Apply(bool a, bool b) { return a && b; } };
struct LogicalOrF { static bool Apply(bool a, bool b) { return a || b; } };

// ---------- kernels with checks on the second operand ----------

// Integer division family: every divisor must be non-zero (checked up front; every element of
// y is used at least once when the output is not empty).
struct NonZeroDivisor {
  template <typename T> static void Check(OpKernelContext* ctx, const Tensor& y) {
    if constexpr (std::is_integral_v<T>) {
      const T* p = y.data<T>();
      const int64_t n = y.num_elements();
      bool zero = false;
      for (int64_t i = 0; i < n; i++) zero |= (p[i] == T(0));
      if (zero) throw ctx->InvalidArg("Integer division by zero");
    }
  }
};
struct NonNegativeExponent {
  template <typename T> static void Check(OpKernelContext* ctx, const Tensor& y) {
    if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
      const T* p = y.data<T>();
      const int64_t n = y.num_elements();
      bool neg = false;
      for (int64_t i = 0; i < n; i++) neg |= (p[i] < T(0));
      if (neg) throw ctx->InvalidArg("Integers to negative integer powers are not allowed");
    }
  }
};

template <typename T, typename F, typename Checker>
class CheckedBinaryOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    ComputeBinary<T, T, F>(ctx, [ctx](const Tensor& y) { Checker::template Check<T>(ctx, y); });
  }
};

// Equal / NotEqual: with incompatible_shape_error=false, shapes that do not broadcast give a
// scalar (false for Equal, true for NotEqual) instead of an error.
template <typename T, typename F, bool kIncompatibleValue>
class EqualityOp : public OpKernel {
 public:
  explicit EqualityOp(const KernelConstruction& c)
      : OpKernel(c), incompatible_shape_error_(c.node.AttrBool("incompatible_shape_error", true)) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& a = ctx->input(0);
    const Tensor& b = ctx->input(1);
    if (!incompatible_shape_error_ && !Broadcastable(a.shape(), b.shape())) {
      Tensor& out = ctx->allocate_output(0, DataType::DT_BOOL, {});
      *out.data<bool>() = kIncompatibleValue;
      return;
    }
    ComputeBinary<T, bool, F>(ctx);
  }

 private:
  static bool Broadcastable(const Shape& a, const Shape& b) {
    for (size_t k = 0; k < std::min(a.size(), b.size()); k++) {
      const int64_t da = a[a.size() - 1 - k], db = b[b.size() - 1 - k];
      if (da != db && da != 1 && db != 1) return false;
    }
    return true;
  }
  bool incompatible_shape_error_;
};

template <typename T> using AddK = BinaryOp<T, T, cwise::Add>;
template <typename T> using SubK = BinaryOp<T, T, cwise::Sub>;
template <typename T> using MulK = BinaryOp<T, T, cwise::Mul>;
template <typename T> using RealDivK = BinaryOp<T, T, RealDivF>;
template <typename T> using DivK = CheckedBinaryOp<T, DivF, NonZeroDivisor>;
template <typename T> using FloorDivK = CheckedBinaryOp<T, FloorDivF, NonZeroDivisor>;
template <typename T> using TruncateDivK = CheckedBinaryOp<T, TruncateDivF, NonZeroDivisor>;
template <typename T> using FloorModK = CheckedBinaryOp<T, FloorModF, NonZeroDivisor>;
template <typename T> using TruncateModK = CheckedBinaryOp<T, TruncateModF, NonZeroDivisor>;
template <typename T> using PowK = CheckedBinaryOp<T, PowF, NonNegativeExponent>;
template <typename T> using MaximumK = BinaryOp<T, T, MaximumF>;
template <typename T> using MinimumK = BinaryOp<T, T, MinimumF>;
template <typename T> using SquaredDifferenceK = BinaryOp<T, T, SquaredDifferenceF>;
template <typename T> using Atan2K = BinaryOp<T, T, Atan2F>;
template <typename T> using DivNoNanK = BinaryOp<T, T, DivNoNanF>;
template <typename T> using LessK = BinaryOp<T, bool, LessF>;
template <typename T> using LessEqualK = BinaryOp<T, bool, LessEqualF>;
template <typename T> using GreaterK = BinaryOp<T, bool, GreaterF>;
template <typename T> using GreaterEqualK = BinaryOp<T, bool, GreaterEqualF>;
template <typename T> using EqualK = EqualityOp<T, EqualF, false>;
template <typename T> using NotEqualK = EqualityOp<T, NotEqualF, true>;

#define TG_ALL_REAL float, double, int32_t, int64_t, int16_t, int8_t, uint8_t

TG_REGISTER_KERNEL_FOR_TYPES(Name("AddV2").Device(DEVICE_CPU), "T", AddK, TG_ALL_REAL);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Add").Device(DEVICE_CPU), "T", AddK, TG_ALL_REAL);
TG_REGISTER_KERNEL(Name("Add").Device(DEVICE_CPU).TypeConstraint("T", DataType::DT_STRING), BinaryOp<std::string, std::string, StringAddF>);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Sub").Device(DEVICE_CPU), "T", SubK, TG_ALL_REAL);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Mul").Device(DEVICE_CPU), "T", MulK, TG_ALL_REAL);
TG_REGISTER_KERNEL_FOR_TYPES(Name("RealDiv").Device(DEVICE_CPU), "T", RealDivK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Div").Device(DEVICE_CPU), "T", DivK, TG_ALL_REAL);
TG_REGISTER_KERNEL_FOR_TYPES(Name("FloorDiv").Device(DEVICE_CPU), "T", FloorDivK, TG_ALL_REAL);
TG_REGISTER_KERNEL_FOR_TYPES(Name("TruncateDiv").Device(DEVICE_CPU), "T", TruncateDivK, TG_ALL_REAL);
TG_REGISTER_KERNEL_FOR_TYPES(Name("FloorMod").Device(DEVICE_CPU), "T", FloorModK, float, double, int32_t, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("TruncateMod").Device(DEVICE_CPU), "T", TruncateModK, float, double, int32_t, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Pow").Device(DEVICE_CPU), "T", PowK, float, double, int32_t, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Maximum").Device(DEVICE_CPU), "T", MaximumK, float, double, int32_t, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Minimum").Device(DEVICE_CPU), "T", MinimumK, float, double, int32_t, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("SquaredDifference").Device(DEVICE_CPU), "T", SquaredDifferenceK, float, double, int32_t, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Atan2").Device(DEVICE_CPU), "T", Atan2K, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("DivNoNan").Device(DEVICE_CPU), "T", DivNoNanK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Less").Device(DEVICE_CPU), "T", LessK, TG_ALL_REAL);
TG_REGISTER_KERNEL_FOR_TYPES(Name("LessEqual").Device(DEVICE_CPU), "T", LessEqualK, TG_ALL_REAL);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Greater").Device(DEVICE_CPU), "T", GreaterK, TG_ALL_REAL);
TG_REGISTER_KERNEL_FOR_TYPES(Name("GreaterEqual").Device(DEVICE_CPU), "T", GreaterEqualK, TG_ALL_REAL);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Equal").Device(DEVICE_CPU), "T", EqualK, TG_ALL_REAL, bool, std::string);
TG_REGISTER_KERNEL_FOR_TYPES(Name("NotEqual").Device(DEVICE_CPU), "T", NotEqualK, TG_ALL_REAL, bool, std::string);
TG_REGISTER_KERNEL(Name("LogicalAnd").Device(DEVICE_CPU), BinaryOp<bool, bool, LogicalAndF>);
TG_REGISTER_KERNEL(Name("LogicalOr").Device(DEVICE_CPU), BinaryOp<bool, bool, LogicalOrF>);

}  // namespace
}  // namespace tg
