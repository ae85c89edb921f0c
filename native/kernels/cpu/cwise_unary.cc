// Element-wise unary kernels: arithmetic, transcendental and special functions, predicates.
// Floats run the C library's functions; lgamma uses the re-entrant lgamma_r (no global sign
// state) and digamma is the classic recurrence + asymptotic series with reflection.
#include <math.h>

#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/cpu/cwise.h"

namespace tg {
namespace {

template <typename T> inline T WrapNeg(T x) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(U(0) - static_cast<U>(x));
  } else {
    return -x;
  }
}

struct NegF { template <typename T> static T Apply(T x) { return WrapNeg(x); } };
struct AbsF {
  template <typename T> static T Apply(T x) {
    if constexpr (std::is_integral_v<T>) return x < 0 ? WrapNeg(x) : x;
    else return std::fabs(x);
  }
};
struct SquareF {
  template <typename T> static T Apply(T x) {
    if constexpr (std::is_integral_v<T>) {
      if constexpr (sizeof(T) < sizeof(int)) {
        return static_cast<T>(static_cast<int>(x) * static_cast<int>(x));
      } else {
        using U = std::make_unsigned_t<T>;
        return static_cast<T>(static_cast<U>(x) * static_cast<U>(x));
      }
    } else {
      return x * x;
    }
  }
};
struct SqrtF { template <typename T> static T Apply(T x) { return std::sqrt(x); } };
struct RsqrtF { template <typename T> static T Apply(T x) { return T(1) / std::sqrt(x); } };
struct ExpF { template <typename T> static T Apply(T x) { return std::exp(x); } };
struct Expm1F { template <typename T> static T Apply(T x) { return std::expm1(x); } };
struct LogF { template <typename T> static T Apply(T x) { return std::log(x); } };
struct Log1pF { template <typename T> static T Apply(T x) { return std::log1p(x); } };
struct SinF { template <typename T> static T Apply(T x) { return std::sin(x); } };
struct CosF { template <typename T> static T Apply(T x) { return std::cos(x); } };
struct TanF { template <typename T> static T Apply(T x) { return std::tan(x); } };
struct AsinF { template <typename T> static T Apply(T x) { return std::asin(x); } };
struct AcosF { template <typename T> static T Apply(T x) { return std::acos(x); } };
struct AtanF { template <typename T> static T Apply(T x) { return std::atan(x); } };
struct SinhF { template <typename T> static T Apply(T x) { return std::sinh(x); } };
struct CoshF { template <typename T> static T Apply(T x) { return std::cosh(x); } };
struct TanhF { template <typename T> static T Apply(T x) { return std::tanh(x); } };
struct AsinhF { template <typename T> static T Apply(T x) { return std::asinh(x); } };
struct AcoshF { template <typename T> static T Apply(T x) { return std::acosh(x); } };
struct AtanhF { template <typename T> static T Apply(T x) { return std::atanh(x); } };
struct SigmoidF {  // stable on both tails
  template <typename T> static T Apply(T x) {
    if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
    const T e = std::exp(x);
    return e / (T(1) + e);
  }
};
struct SignF {
  template <typename T> static T Apply(T x) {
    if constexpr (std::is_integral_v<T>) return static_cast<T>((x > 0) - (x < 0));
    else return x > T(0) ? T(1) : (x < T(0) ? T(-1) : x);  // keeps NaN (and +-0 as 0)
  }
};
struct FloorF { template <typename T> static T Apply(T x) { return std::floor(x); } };
struct CeilF { template <typename T> static T Apply(T x) { return std::ceil(x); } };
// Half to even, independent of the current rounding mode.
struct RoundF {
  template <typename T> static T Apply(T x) {
    const T r = std::round(x);  // half away from zero
    if (std::fabs(x - std::trunc(x)) == T(0.5)) return T(2) * std::round(x / T(2));
    return r;
  }
};
struct ReciprocalF { template <typename T> static T Apply(T x) { return T(1) / x; } };
struct ErfF { template <typename T> static T Apply(T x) { return std::erf(x); } };
struct ErfcF { template <typename T> static T Apply(T x) { return std::erfc(x); } };
struct LgammaF {
  static float Apply(float x) {
    int sign;
    return ::lgammaf_r(x, &sign);
  }
  static double Apply(double x) {
    int sign;
    return ::lgamma_r(x, &sign);
  }
};

// psi(x) = d/dx log Gamma(x), computed in double.
double Digamma(double x) {
  constexpr double kPi = 3.14159265358979323846;
  if (std::isnan(x)) return x;
  if (x == -std::numeric_limits<double>::infinity()) return std::numeric_limits<double>::quiet_NaN();
  if (x == std::numeric_limits<double>::infinity()) return x;
  double reflection = 0;
  if (x <= 0) {
    const double fl = std::floor(x);
    if (fl == x) return std::numeric_limits<double>::quiet_NaN();  // poles at 0, -1, -2, ...
    // psi(1 - x) - psi(x) = pi / tan(pi x)
    double frac = x - fl;  // in (0, 1)
    reflection = kPi / std::tan(kPi * frac);
    x = 1 - x;
  }
  double acc = 0;
  while (x < 10) {
    acc += 1 / x;
    x += 1;
  }
  // Asymptotic series: log x - 1/(2x) - sum B_2k / (2k x^2k).
  const double z = 1 / (x * x);
  const double series =
      z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (1.0 / 132 - z * (691.0 / 32760 - z * (1.0 / 12)))))));
  double y = std::log(x) - 0.5 / x - series - acc;
  if (reflection != 0) y -= reflection;
  return y;
}
struct DigammaF { template <typename T> static T Apply(T x) { return static_cast<T>(Digamma(static_cast<double>(x))); } };

struct IsNanF { template <typename T> static bool Apply(T x) { return std::isnan(x); } };
struct IsInfF { template <typename T> static bool Apply(T x) { return std::isinf(x); } };
struct IsFiniteF { template <typename T> static bool Apply(T x) { return std::isfinite(x); } };
struct LogicalNotF { static bool Apply(bool x) { return !x; } };

// Round of an integer is the integer: the output aliases the input.
class ForwardOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override { ctx->forward_input(0, 0); }
  bool IsExpensive() const override { return false; }
};
template <typename T> using ForwardK = ForwardOp;

#define TG_UNARY(Name) template <typename T> using Name##K = UnaryOp<T, T, Name##F>;
TG_UNARY(Neg) TG_UNARY(Abs) TG_UNARY(Square) TG_UNARY(Sqrt) TG_UNARY(Rsqrt) TG_UNARY(Exp) TG_UNARY(Expm1)
TG_UNARY(Log) TG_UNARY(Log1p) TG_UNARY(Sin) TG_UNARY(Cos) TG_UNARY(Tan) TG_UNARY(Asin) TG_UNARY(Acos)
TG_UNARY(Atan) TG_UNARY(Sinh) TG_UNARY(Cosh) TG_UNARY(Tanh) TG_UNARY(Asinh) TG_UNARY(Acosh) TG_UNARY(Atanh)
TG_UNARY(Sigmoid) TG_UNARY(Sign) TG_UNARY(Floor) TG_UNARY(Ceil) TG_UNARY(Round) TG_UNARY(Reciprocal)
TG_UNARY(Erf) TG_UNARY(Erfc) TG_UNARY(Lgamma) TG_UNARY(Digamma)
#undef TG_UNARY
template <typename T> using IsNanK = UnaryOp<T, bool, IsNanF>;
template <typename T> using IsInfK = UnaryOp<T, bool, IsInfF>;
template <typename T> using IsFiniteK = UnaryOp<T, bool, IsFiniteF>;

TG_REGISTER_KERNEL_FOR_TYPES(Name("Neg").Device(DEVICE_CPU), "T", NegK, float, double, int8_t, int16_t, int32_t, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Abs").Device(DEVICE_CPU), "T", AbsK, float, double, int8_t, int16_t, int32_t, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Square").Device(DEVICE_CPU), "T", SquareK, float, double, int8_t, int16_t, int32_t, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Sign").Device(DEVICE_CPU), "T", SignK, float, double, int32_t, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Round").Device(DEVICE_CPU), "T", RoundK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Round").Device(DEVICE_CPU), "T", ForwardK, int8_t, int16_t, int32_t, int64_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Reciprocal").Device(DEVICE_CPU), "T", ReciprocalK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Sqrt").Device(DEVICE_CPU), "T", SqrtK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Rsqrt").Device(DEVICE_CPU), "T", RsqrtK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Exp").Device(DEVICE_CPU), "T", ExpK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Expm1").Device(DEVICE_CPU), "T", Expm1K, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Log").Device(DEVICE_CPU), "T", LogK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Log1p").Device(DEVICE_CPU), "T", Log1pK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Sin").Device(DEVICE_CPU), "T", SinK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Cos").Device(DEVICE_CPU), "T", CosK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Tan").Device(DEVICE_CPU), "T", TanK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Asin").Device(DEVICE_CPU), "T", AsinK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Acos").Device(DEVICE_CPU), "T", AcosK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Atan").Device(DEVICE_CPU), "T", AtanK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Sinh").Device(DEVICE_CPU), "T", SinhK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Cosh").Device(DEVICE_CPU), "T", CoshK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Tanh").Device(DEVICE_CPU), "T", TanhK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Asinh").Device(DEVICE_CPU), "T", AsinhK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Acosh").Device(DEVICE_CPU), "T", AcoshK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Atanh").Device(DEVICE_CPU), "T", AtanhK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Sigmoid").Device(DEVICE_CPU), "T", SigmoidK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Floor").Device(DEVICE_CPU), "T", FloorK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Ceil").Device(DEVICE_CPU), "T", CeilK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Erf").Device(DEVICE_CPU), "T", ErfK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Erfc").Device(DEVICE_CPU), "T", ErfcK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Lgamma").Device(DEVICE_CPU), "T", LgammaK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Digamma").Device(DEVICE_CPU), "T", DigammaK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("IsNan").Device(DEVICE_CPU), "T", IsNanK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("IsInf").Device(DEVICE_CPU), "T", IsInfK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("IsFinite").Device(DEVICE_CPU), "T", IsFiniteK, float, double);
TG_REGISTER_KERNEL(Name("LogicalNot").Device(DEVICE_CPU), UnaryOp<bool, bool, LogicalNotF>);

}  // namespace
}  // namespace tg
