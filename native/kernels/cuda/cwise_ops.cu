// Element-wise GPU kernels: binary arithmetic / comparisons / logic with NumPy broadcasting,
// and unary math, with the CPU kernels' semantics (native/kernels/cpu/cwise_ops.cc,
// cwise_unary.cc). Also the shared helpers of cwise_ops.h (broadcast plan, fill, channel sums,
// device clone).
//
// Types: floats everywhere; int64 where the op cannot fail; bool for logic. Integer division
// and integer Pow are left to the CPU/int32 host kernels: their divisor/exponent checks would
// have to read device memory on the host (a synchronisation) to raise the CPU's errors.
#include <cuda_runtime.h>
#include <math_constants.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/cuda/cwise_ops.h"

namespace tg {
namespace gpu {

// ---------- shared helpers ----------

BcastPlan MakeBcastPlan(const Shape& a, const Shape& b, const std::string& node) {
  const size_t r = std::max(a.size(), b.size());
  BcastPlan p;
  p.out.resize(r);
  std::vector<int64_t> sa(r, 0), sb(r, 0);
  int64_t ca = 1, cb = 1;
  for (size_t k = 0; k < r; k++) {
    const size_t i = r - 1 - k;
    const int64_t da = k < a.size() ? a[a.size() - 1 - k] : 1;
    const int64_t db = k < b.size() ? b[b.size() - 1 - k] : 1;
    if (da != db && da != 1 && db != 1) {
      throw Error(Code::kInvalidArgument, "Incompatible shapes: " + ShapeString(a) + " vs. " + ShapeString(b), node);
    }
    p.out[i] = da == 1 ? db : da;
    sa[i] = da == 1 ? 0 : ca;
    sb[i] = db == 1 ? 0 : cb;
    ca *= da;
    cb *= db;
  }
  // Drop size-1 output dims, then merge neighbours that are contiguous for both inputs.
  std::vector<int64_t> od, oa, ob;
  for (size_t i = 0; i < r; i++) {
    if (p.out[i] == 1) continue;
    if (!od.empty() && oa.back() == sa[i] * p.out[i] && ob.back() == sb[i] * p.out[i]) {
      od.back() *= p.out[i];
      oa.back() = sa[i];
      ob.back() = sb[i];
      continue;
    }
    od.push_back(p.out[i]);
    oa.push_back(sa[i]);
    ob.push_back(sb[i]);
  }
  if (od.size() > static_cast<size_t>(kMaxBcastDims)) {
    throw Error(Code::kUnimplemented,
                "Broadcast between " + ShapeString(a) + " and " + ShapeString(b) + " is not supported on GPU (more than " +
                    std::to_string(kMaxBcastDims) + " dimensions after merging)",
                node);
  }
  p.dims.ndims = static_cast<int>(od.size());
  for (size_t i = 0; i < od.size(); i++) {
    p.dims.out[i] = od[i];
    p.dims.sa[i] = oa[i];
    p.dims.sb[i] = ob[i];
  }
  return p;
}

namespace {
template <typename U>
__global__ void FillKernel(U* p, int64_t n, U v) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    p[i] = v;
  }
}

template <typename U>
__global__ void FillFromKernel(U* p, int64_t n, const U* v) {
  const U x = *v;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    p[i] = x;
  }
}

}  // namespace

void LaunchFillFrom(cudaStream_t stream, void* p, int64_t n, int bytes_per_element, const void* value) {
  if (n <= 0) return;
  const unsigned blocks = BlocksFor(n);
  switch (bytes_per_element) {
    case 1: FillFromKernel<uint8_t><<<blocks, kThreadsPerBlock, 0, stream>>>(static_cast<uint8_t*>(p), n, static_cast<const uint8_t*>(value)); break;
    case 2: FillFromKernel<uint16_t><<<blocks, kThreadsPerBlock, 0, stream>>>(static_cast<uint16_t*>(p), n, static_cast<const uint16_t*>(value)); break;
    case 4: FillFromKernel<uint32_t><<<blocks, kThreadsPerBlock, 0, stream>>>(static_cast<uint32_t*>(p), n, static_cast<const uint32_t*>(value)); break;
    case 8: FillFromKernel<uint64_t><<<blocks, kThreadsPerBlock, 0, stream>>>(static_cast<uint64_t*>(p), n, static_cast<const uint64_t*>(value)); break;
    default: throw Error(Code::kInternal, "LaunchFillFrom: bad element size " + std::to_string(bytes_per_element));
  }
  TG_CUDA_LAUNCH_CHECK();
}

void LaunchFillBits(cudaStream_t stream, void* p, int64_t n, int bytes_per_element, uint64_t bits) {
  if (n <= 0) return;
  const unsigned blocks = BlocksFor(n);
  switch (bytes_per_element) {
    case 1: FillKernel<uint8_t><<<blocks, kThreadsPerBlock, 0, stream>>>(static_cast<uint8_t*>(p), n, static_cast<uint8_t>(bits)); break;
    case 2: FillKernel<uint16_t><<<blocks, kThreadsPerBlock, 0, stream>>>(static_cast<uint16_t*>(p), n, static_cast<uint16_t>(bits)); break;
    case 4: FillKernel<uint32_t><<<blocks, kThreadsPerBlock, 0, stream>>>(static_cast<uint32_t*>(p), n, static_cast<uint32_t>(bits)); break;
    case 8: FillKernel<uint64_t><<<blocks, kThreadsPerBlock, 0, stream>>>(static_cast<uint64_t*>(p), n, bits); break;
    default: throw Error(Code::kInternal, "LaunchFillBits: bad element size " + std::to_string(bytes_per_element));
  }
  TG_CUDA_LAUNCH_CHECK();
}

namespace {

// Accumulator types: double for floats (as the CPU kernels), int64 for integers (wraps as the
// CPU's int64 sum does; atomics work on its unsigned bits).
template <typename T> struct AccOf { using type = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>; };

__device__ inline void AtomicAddAcc(double* p, double v) { atomicAdd(p, v); }
__device__ inline void AtomicAddAcc(int64_t* p, int64_t v) {
  atomicAdd(reinterpret_cast<unsigned long long*>(p), static_cast<unsigned long long>(v));
}

constexpr int kSumThreads = 256;

// Block (c, chunk) sums its chunk of channel c's outer*inner elements and adds it to acc[c].
template <typename T, typename Acc, bool kSquare>
__global__ void ChannelSumKernel(const T* __restrict__ x, Acc* acc, int64_t outer, int64_t channels, int64_t inner,
                                 int64_t per_chunk) {
  __shared__ Acc part[kSumThreads];
  const int64_t c = blockIdx.x;
  const int64_t total = outer * inner;
  const int64_t begin = blockIdx.y * per_chunk;
  const int64_t end = min(total, begin + per_chunk);
  Acc s = 0;
  for (int64_t j = begin + threadIdx.x; j < end; j += blockDim.x) {
    const int64_t o = j / inner, k = j - o * inner;
    const Acc v = static_cast<Acc>(x[(o * channels + c) * inner + k]);
    if constexpr (kSquare) s += v * v;
    else s += v;
  }
  part[threadIdx.x] = s;
  __syncthreads();
  for (int w = blockDim.x / 2; w > 0; w >>= 1) {
    if (threadIdx.x < w) part[threadIdx.x] += part[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0 && begin < end) AtomicAddAcc(acc + c, part[0]);
}

template <typename T, typename Acc>
__global__ void StoreAccKernel(const Acc* acc, T* out, int64_t n, double scale) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    if constexpr (std::is_floating_point_v<T>) out[i] = static_cast<T>(acc[i] * scale);
    else out[i] = static_cast<T>(acc[i]);
  }
}

}  // namespace

template <typename T>
void LaunchChannelSum(OpKernelContext* ctx, cudaStream_t stream, const T* x, T* out, int64_t outer, int64_t channels,
                      int64_t inner, bool square, double scale) {
  using Acc = typename AccOf<T>::type;
  if (channels <= 0) return;
  Tensor acc_t = ctx->allocate_temp(DataTypeOf<Acc>(), {channels});
  Acc* acc = acc_t.data<Acc>();
  TG_CUDA_CHECK(cudaMemsetAsync(acc, 0, sizeof(Acc) * channels, stream));
  const int64_t total = outer * inner;
  if (total > 0) {
    // Enough blocks to fill the GPU: chunks of at least 4096 elements per channel.
    const int64_t want_blocks = 132 * 8;
    int64_t chunks = std::max<int64_t>(1, want_blocks / channels);
    chunks = std::min<int64_t>(chunks, std::max<int64_t>(1, total / 4096));
    chunks = std::min<int64_t>(chunks, 65535);
    const int64_t per_chunk = (total + chunks - 1) / chunks;
    chunks = (total + per_chunk - 1) / per_chunk;
    if (channels > 0x7fffffff) throw Error(Code::kUnimplemented, "too many channels for a GPU reduction");
    dim3 grid(static_cast<unsigned>(channels), static_cast<unsigned>(chunks));
    if (square) ChannelSumKernel<T, Acc, true><<<grid, kSumThreads, 0, stream>>>(x, acc, outer, channels, inner, per_chunk);
    else ChannelSumKernel<T, Acc, false><<<grid, kSumThreads, 0, stream>>>(x, acc, outer, channels, inner, per_chunk);
    TG_CUDA_LAUNCH_CHECK();
  }
  StoreAccKernel<T, Acc><<<BlocksFor(channels), kThreadsPerBlock, 0, stream>>>(acc, out, channels, scale);
  TG_CUDA_LAUNCH_CHECK();
  // acc_t is freed when this returns: safe, later users of the memory are ordered after these
  // kernels on the same stream.
}

template void LaunchChannelSum<float>(OpKernelContext*, cudaStream_t, const float*, float*, int64_t, int64_t, int64_t, bool, double);
template void LaunchChannelSum<double>(OpKernelContext*, cudaStream_t, const double*, double*, int64_t, int64_t, int64_t, bool, double);
template void LaunchChannelSum<int64_t>(OpKernelContext*, cudaStream_t, const int64_t*, int64_t*, int64_t, int64_t, int64_t, bool, double);

KernelFactory CpuAnyKernelFactory(const std::string& op) {
  Node n;
  n.id = -1;
  n.op = op;
  const KernelDef* d = KernelRegistry::Global().Find(n, DeviceType::kCPU);  // no attrs: only any-dtype kernels match
  return d && d->type_attr.empty() ? d->factory : nullptr;
}

void RegisterHostOnGpu(const std::string& op, const std::string& type_attr, const std::vector<DataType>& dtypes,
                       const KernelFactory& factory) {
  if (!factory) return;
  for (DataType dt : dtypes) {
    RegisterKernel(register_kernel::Name(op).Device(DEVICE_GPU).TypeConstraint(type_attr, dt).AllHostMemory(), factory);
  }
}

Tensor ToDevice(OpKernelContext* ctx, const Tensor& host) {
  Tensor d = ctx->allocate_temp(host.dtype(), host.shape());
  const size_t bytes = static_cast<size_t>(host.num_elements()) * DataTypeSize(host.dtype());
  if (bytes > 0) TG_CUDA_CHECK(cudaMemcpyAsync(d.raw(), host.raw(), bytes, cudaMemcpyHostToDevice, StreamOf(ctx)));
  return d;
}

Tensor DeviceClone(OpKernelContext* ctx, const Tensor& t) {
  Tensor c = ctx->allocate_temp(t.dtype(), t.shape());
  const size_t bytes = static_cast<size_t>(t.num_elements()) * DataTypeSize(t.dtype());
  if (bytes > 0) TG_CUDA_CHECK(cudaMemcpyAsync(c.raw(), t.raw(), bytes, cudaMemcpyDeviceToDevice, StreamOf(ctx)));
  return c;
}

namespace {

// ---------- integer wrap-around helpers (no signed overflow) ----------

template <typename T> __device__ inline T WrapAdd(T a, T b) {
  if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return a + b;
  }
}
template <typename T> __device__ inline T WrapSub(T a, T b) {
  if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  } else {
    return a - b;
  }
}
template <typename T> __device__ inline T WrapMul(T a, T b) {
  if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  } else {
    return a * b;
  }
}
template <typename T> __device__ inline T WrapNeg(T x) { return WrapSub(T(0), x); }

// ---------- binary functors (as cwise_ops.cc) ----------

struct AddF { template <typename T> __device__ T operator()(T a, T b) const { return WrapAdd(a, b); } };
struct SubF { template <typename T> __device__ T operator()(T a, T b) const { return WrapSub(a, b); } };
struct MulF { template <typename T> __device__ T operator()(T a, T b) const { return WrapMul(a, b); } };
struct RealDivF { template <typename T> __device__ T operator()(T a, T b) const { return a / b; } };
struct TruncateDivF { template <typename T> __device__ T operator()(T a, T b) const { return trunc(a / b); } };
struct FloorDivF { template <typename T> __device__ T operator()(T a, T b) const { return floor(a / b); } };
struct TruncateModF { template <typename T> __device__ T operator()(T a, T b) const { return fmod(a, b); } };
struct FloorModF {  // the result has the divisor's sign (Python's %)
  template <typename T> __device__ T operator()(T a, T b) const {
    const T r = fmod(a, b);
    return (r != T(0) && ((b < T(0)) != (r < T(0)))) ? r + b : r;
  }
};
struct PowF { template <typename T> __device__ T operator()(T a, T b) const { return pow(a, b); } };
struct MaximumF {  // NaN propagates for floats
  template <typename T> __device__ T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) return (a > b || a != a) ? a : b;
    else return a > b ? a : b;
  }
};
struct MinimumF {
  template <typename T> __device__ T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) return (a < b || a != a) ? a : b;
    else return a < b ? a : b;
  }
};
struct SquaredDifferenceF {
  template <typename T> __device__ T operator()(T a, T b) const {
    const T d = WrapSub(a, b);
    return WrapMul(d, d);
  }
};
struct Atan2F { template <typename T> __device__ T operator()(T a, T b) const { return atan2(a, b); } };
struct DivNoNanF { template <typename T> __device__ T operator()(T a, T b) const { return b == T(0) ? T(0) : a / b; } };

struct LessF { template <typename T> __device__ bool operator()(T a, T b) const { return a < b; } };
struct LessEqualF { template <typename T> __device__ bool operator()(T a, T b) const { return a <= b; } };
struct GreaterF { template <typename T> __device__ bool operator()(T a, T b) const { return a > b; } };
struct GreaterEqualF { template <typename T> __device__ bool operator()(T a, T b) const { return a >= b; } };
struct EqualF { template <typename T> __device__ bool operator()(T a, T b) const { return a == b; } };
struct NotEqualF { template <typename T> __device__ bool operator()(T a, T b) const { return a != b; } };
struct LogicalAndF { __device__ bool operator()(bool a, bool b) const { return a && b; } };
struct LogicalOrF { __device__ bool operator()(bool a, bool b) const { return a || b; } };

// z = F(x, y) with numpy broadcasting; Out is bool for comparisons.
template <typename In, typename Out, typename F>
class GpuBinaryOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& a = ctx->input(0);
    const Tensor& b = ctx->input(1);
    const BcastPlan plan = MakeBcastPlan(a.shape(), b.shape(), ctx->node().name);
    Tensor& out = ctx->allocate_output(0, DataTypeOf<Out>(), plan.out);
    if (out.num_elements() == 0) return;
    LaunchBinary<In, Out>(StreamOf(ctx), a, b, &out, plan, F());
  }
};

// Equal / NotEqual: with incompatible_shape_error=false, shapes that do not broadcast give a
// scalar (false for Equal, true for NotEqual) instead of an error.
template <typename T, typename F, bool kIncompatibleValue>
class GpuEqualityOp : public OpKernel {
 public:
  explicit GpuEqualityOp(const KernelConstruction& c)
      : OpKernel(c), incompatible_shape_error_(c.node.AttrBool("incompatible_shape_error", true)) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& a = ctx->input(0);
    const Tensor& b = ctx->input(1);
    if (!incompatible_shape_error_ && !Broadcastable(a.shape(), b.shape())) {
      Tensor& out = ctx->allocate_output(0, DataType::DT_BOOL, {});
      TG_CUDA_CHECK(cudaMemsetAsync(out.raw(), kIncompatibleValue ? 1 : 0, 1, StreamOf(ctx)));
      return;
    }
    const BcastPlan plan = MakeBcastPlan(a.shape(), b.shape(), ctx->node().name);
    Tensor& out = ctx->allocate_output(0, DataType::DT_BOOL, plan.out);
    if (out.num_elements() == 0) return;
    LaunchBinary<T, bool>(StreamOf(ctx), a, b, &out, plan, F());
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

// ---------- unary functors (as cwise_unary.cc) ----------

struct NegF { template <typename T> __device__ T operator()(T x) const { return WrapNeg(x); } };
struct AbsF {
  template <typename T> __device__ T operator()(T x) const {
    if constexpr (std::is_integral_v<T>) return x < 0 ? WrapNeg(x) : x;
    else return fabs(x);
  }
};
struct SquareF { template <typename T> __device__ T operator()(T x) const { return WrapMul(x, x); } };
struct SqrtF { template <typename T> __device__ T operator()(T x) const { return sqrt(x); } };
struct RsqrtF { template <typename T> __device__ T operator()(T x) const { return T(1) / sqrt(x); } };
struct ExpF { template <typename T> __device__ T operator()(T x) const { return exp(x); } };
struct Expm1F { template <typename T> __device__ T operator()(T x) const { return expm1(x); } };
struct LogF { template <typename T> __device__ T operator()(T x) const { return log(x); } };
struct Log1pF { template <typename T> __device__ T operator()(T x) const { return log1p(x); } };
struct SinF { template <typename T> __device__ T operator()(T x) const { return sin(x); } };
struct CosF { template <typename T> __device__ T operator()(T x) const { return cos(x); } };
struct TanF { template <typename T> __device__ T operator()(T x) const { return tan(x); } };
struct AsinF { template <typename T> __device__ T operator()(T x) const { return asin(x); } };
struct AcosF { template <typename T> __device__ T operator()(T x) const { return acos(x); } };
struct AtanF { template <typename T> __device__ T operator()(T x) const { return atan(x); } };
struct SinhF { template <typename T> __device__ T operator()(T x) const { return sinh(x); } };
struct CoshF { template <typename T> __device__ T operator()(T x) const { return cosh(x); } };
struct TanhF { template <typename T> __device__ T operator()(T x) const { return tanh(x); } };
struct AsinhF { template <typename T> __device__ T operator()(T x) const { return asinh(x); } };
struct AcoshF { template <typename T> __device__ T operator()(T x) const { return acosh(x); } };
struct AtanhF { template <typename T> __device__ T operator()(T x) const { return atanh(x); } };
struct SigmoidF {  // stable on both tails
  template <typename T> __device__ T operator()(T x) const {
    if (x >= T(0)) return T(1) / (T(1) + exp(-x));
    const T e = exp(x);
    return e / (T(1) + e);
  }
};
struct SignF {
  template <typename T> __device__ T operator()(T x) const {
    if constexpr (std::is_integral_v<T>) return static_cast<T>((x > 0) - (x < 0));
    else return x > T(0) ? T(1) : (x < T(0) ? T(-1) : x);  // keeps NaN (and +-0)
  }
};
struct FloorF { template <typename T> __device__ T operator()(T x) const { return floor(x); } };
struct CeilF { template <typename T> __device__ T operator()(T x) const { return ceil(x); } };
// Half to even: rint under the GPU's fixed round-to-nearest-even mode.
struct RoundF { template <typename T> __device__ T operator()(T x) const { return rint(x); } };
struct ReciprocalF { template <typename T> __device__ T operator()(T x) const { return T(1) / x; } };
struct ErfF { template <typename T> __device__ T operator()(T x) const { return erf(x); } };
struct ErfcF { template <typename T> __device__ T operator()(T x) const { return erfc(x); } };
struct LgammaF { template <typename T> __device__ T operator()(T x) const { return lgamma(x); } };

// psi(x) in double, the CPU's recurrence + asymptotic series with reflection.
__device__ double Digamma(double x) {
  constexpr double kPi = 3.14159265358979323846;
  if (isnan(x)) return x;
  if (isinf(x)) return x < 0 ? CUDART_NAN : x;
  double reflection = 0;
  if (x <= 0) {
    const double fl = floor(x);
    if (fl == x) return CUDART_NAN;  // poles at 0, -1, -2, ...
    const double frac = x - fl;
    reflection = kPi / tan(kPi * frac);
    x = 1 - x;
  }
  double acc = 0;
  while (x < 10) {
    acc += 1 / x;
    x += 1;
  }
  const double z = 1 / (x * x);
  const double series =
      z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (1.0 / 132 - z * (691.0 / 32760 - z * (1.0 / 12)))))));
  double y = log(x) - 0.5 / x - series - acc;
  if (reflection != 0) y -= reflection;
  return y;
}
struct DigammaF { template <typename T> __device__ T operator()(T x) const { return static_cast<T>(Digamma(static_cast<double>(x))); } };

struct IsNanF { template <typename T> __device__ bool operator()(T x) const { return isnan(x); } };
struct IsInfF { template <typename T> __device__ bool operator()(T x) const { return isinf(x); } };
struct IsFiniteF { template <typename T> __device__ bool operator()(T x) const { return isfinite(x); } };
struct LogicalNotF { __device__ bool operator()(bool x) const { return !x; } };

template <typename In, typename Out, typename F>
class GpuUnaryOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& a = ctx->input(0);
    Tensor& out = ctx->allocate_output(0, DataTypeOf<Out>(), a.shape());
    LaunchUnary(StreamOf(ctx), a.data<In>(), out.data<Out>(), a.num_elements(), F());
  }
};

// Round of an integer is the integer: the output aliases the input (as on the CPU).
class ForwardOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override { ctx->forward_input(0, 0); }
  bool IsExpensive() const override { return false; }
};
template <typename T> using ForwardK = ForwardOp;

#define TG_BIN(Name) template <typename T> using Name##K = GpuBinaryOp<T, T, Name##F>;
TG_BIN(Add) TG_BIN(Sub) TG_BIN(Mul) TG_BIN(RealDiv) TG_BIN(TruncateDiv) TG_BIN(FloorDiv) TG_BIN(TruncateMod)
TG_BIN(FloorMod) TG_BIN(Pow) TG_BIN(Maximum) TG_BIN(Minimum) TG_BIN(SquaredDifference) TG_BIN(Atan2) TG_BIN(DivNoNan)
#undef TG_BIN
#define TG_CMP(Name) template <typename T> using Name##K = GpuBinaryOp<T, bool, Name##F>;
TG_CMP(Less) TG_CMP(LessEqual) TG_CMP(Greater) TG_CMP(GreaterEqual)
#undef TG_CMP
template <typename T> using EqualK = GpuEqualityOp<T, EqualF, false>;
template <typename T> using NotEqualK = GpuEqualityOp<T, NotEqualF, true>;

#define TG_UNARY(Name) template <typename T> using Name##K = GpuUnaryOp<T, T, Name##F>;
TG_UNARY(Neg) TG_UNARY(Abs) TG_UNARY(Square) TG_UNARY(Sqrt) TG_UNARY(Rsqrt) TG_UNARY(Exp) TG_UNARY(Expm1)
TG_UNARY(Log) TG_UNARY(Log1p) TG_UNARY(Sin) TG_UNARY(Cos) TG_UNARY(Tan) TG_UNARY(Asin) TG_UNARY(Acos)
TG_UNARY(Atan) TG_UNARY(Sinh) TG_UNARY(Cosh) TG_UNARY(Tanh) TG_UNARY(Asinh) TG_UNARY(Acosh) TG_UNARY(Atanh)
TG_UNARY(Sigmoid) TG_UNARY(Sign) TG_UNARY(Floor) TG_UNARY(Ceil) TG_UNARY(Round) TG_UNARY(Reciprocal)
TG_UNARY(Erf) TG_UNARY(Erfc) TG_UNARY(Lgamma) TG_UNARY(Digamma)
#undef TG_UNARY
template <typename T> using IsNanK = GpuUnaryOp<T, bool, IsNanF>;
template <typename T> using IsInfK = GpuUnaryOp<T, bool, IsInfF>;
template <typename T> using IsFiniteK = GpuUnaryOp<T, bool, IsFiniteF>;

// ---------- AddN: out = ((x0 + x1) + x2) + ..., the CPU's order ----------

constexpr int kAddNChunk = 8;

template <typename T>
struct AddNPtrs {
  const T* in[kAddNChunk];
};

// Adds `count` inputs into o (o = the first ones when !accumulate).
template <typename T>
__global__ void AddNKernel(AddNPtrs<T> p, int count, bool accumulate, T* o, int64_t n) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    T s = accumulate ? o[i] : p.in[0][i];
    for (int k = accumulate ? 0 : 1; k < count; k++) s = WrapAdd(s, p.in[k][i]);
    o[i] = s;
  }
}

template <typename T>
class GpuAddNOp : public OpKernel {
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
    if (size == 0) return;
    cudaStream_t s = StreamOf(ctx);
    for (int base = 0; base < n; base += kAddNChunk) {
      AddNPtrs<T> p{};
      const int count = std::min(kAddNChunk, n - base);
      for (int k = 0; k < count; k++) p.in[k] = ctx->input(base + k).data<T>();
      AddNKernel<T><<<BlocksFor(size), kThreadsPerBlock, 0, s>>>(p, count, base > 0, out.data<T>(), size);
      TG_CUDA_LAUNCH_CHECK();
    }
  }
};

template <typename Kernel>
void RegisterAny(const char* op) {
  RegisterKernel(register_kernel::Name(op).Device(DEVICE_GPU), FactoryOf<Kernel>());
}

const bool registered = [] {
  // Binary.
  TG_REGISTER_KERNEL_FOR_TYPES(Name("AddV2").Device(DEVICE_GPU), "T", AddK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Add").Device(DEVICE_GPU), "T", AddK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Sub").Device(DEVICE_GPU), "T", SubK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Mul").Device(DEVICE_GPU), "T", MulK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("RealDiv").Device(DEVICE_GPU), "T", RealDivK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Div").Device(DEVICE_GPU), "T", RealDivK, float, double);  // Div of floats is true division
  TG_REGISTER_KERNEL_FOR_TYPES(Name("FloorDiv").Device(DEVICE_GPU), "T", FloorDivK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("TruncateDiv").Device(DEVICE_GPU), "T", TruncateDivK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("FloorMod").Device(DEVICE_GPU), "T", FloorModK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("TruncateMod").Device(DEVICE_GPU), "T", TruncateModK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Pow").Device(DEVICE_GPU), "T", PowK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Maximum").Device(DEVICE_GPU), "T", MaximumK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Minimum").Device(DEVICE_GPU), "T", MinimumK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("SquaredDifference").Device(DEVICE_GPU), "T", SquaredDifferenceK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Atan2").Device(DEVICE_GPU), "T", Atan2K, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("DivNoNan").Device(DEVICE_GPU), "T", DivNoNanK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Less").Device(DEVICE_GPU), "T", LessK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("LessEqual").Device(DEVICE_GPU), "T", LessEqualK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Greater").Device(DEVICE_GPU), "T", GreaterK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("GreaterEqual").Device(DEVICE_GPU), "T", GreaterEqualK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Equal").Device(DEVICE_GPU), "T", EqualK, float, double, int64_t, bool);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("NotEqual").Device(DEVICE_GPU), "T", NotEqualK, float, double, int64_t, bool);
  RegisterAny<GpuBinaryOp<bool, bool, LogicalAndF>>("LogicalAnd");
  RegisterAny<GpuBinaryOp<bool, bool, LogicalOrF>>("LogicalOr");
  TG_REGISTER_KERNEL_FOR_TYPES(Name("AddN").Device(DEVICE_GPU), "T", GpuAddNOp, float, double, int64_t);
  // Unary.
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Neg").Device(DEVICE_GPU), "T", NegK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Abs").Device(DEVICE_GPU), "T", AbsK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Square").Device(DEVICE_GPU), "T", SquareK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Sign").Device(DEVICE_GPU), "T", SignK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Round").Device(DEVICE_GPU), "T", RoundK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Round").Device(DEVICE_GPU), "T", ForwardK, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Reciprocal").Device(DEVICE_GPU), "T", ReciprocalK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Sqrt").Device(DEVICE_GPU), "T", SqrtK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Rsqrt").Device(DEVICE_GPU), "T", RsqrtK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Exp").Device(DEVICE_GPU), "T", ExpK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Expm1").Device(DEVICE_GPU), "T", Expm1K, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Log").Device(DEVICE_GPU), "T", LogK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Log1p").Device(DEVICE_GPU), "T", Log1pK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Sin").Device(DEVICE_GPU), "T", SinK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Cos").Device(DEVICE_GPU), "T", CosK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Tan").Device(DEVICE_GPU), "T", TanK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Asin").Device(DEVICE_GPU), "T", AsinK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Acos").Device(DEVICE_GPU), "T", AcosK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Atan").Device(DEVICE_GPU), "T", AtanK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Sinh").Device(DEVICE_GPU), "T", SinhK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Cosh").Device(DEVICE_GPU), "T", CoshK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Tanh").Device(DEVICE_GPU), "T", TanhK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Asinh").Device(DEVICE_GPU), "T", AsinhK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Acosh").Device(DEVICE_GPU), "T", AcoshK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Atanh").Device(DEVICE_GPU), "T", AtanhK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Sigmoid").Device(DEVICE_GPU), "T", SigmoidK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Floor").Device(DEVICE_GPU), "T", FloorK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Ceil").Device(DEVICE_GPU), "T", CeilK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Erf").Device(DEVICE_GPU), "T", ErfK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Erfc").Device(DEVICE_GPU), "T", ErfcK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Lgamma").Device(DEVICE_GPU), "T", LgammaK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Digamma").Device(DEVICE_GPU), "T", DigammaK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("IsNan").Device(DEVICE_GPU), "T", IsNanK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("IsInf").Device(DEVICE_GPU), "T", IsInfK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("IsFinite").Device(DEVICE_GPU), "T", IsFiniteK, float, double);
  RegisterAny<GpuUnaryOp<bool, bool, LogicalNotF>>("LogicalNot");
  return true;
}();

}  // namespace
}  // namespace gpu
}  // namespace tg
