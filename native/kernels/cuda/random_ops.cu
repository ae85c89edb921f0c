// GPU stateful random kernels: RandomUniform, RandomStandardNormal, TruncatedNormal (float,
// double) and RandomUniformInt (int64; int32 runs on the host by the int32 rule). The shape
// (and RandomUniformInt's minval/maxval) are host memory.
//
// They give the CPU kernels' values for the same seeds: the same Philox4x32-10 (a device copy
// of runtime/philox.h, same constants), the same per-node generator state in the session's
// ResourceMgr (seed, seed2, a position advanced by count * 256 per run, as TF's
// ReserveRandomOutputs), and the same element layout: group g of kResultElementCount outputs
// uses Philox output (counter + g), truncated normal gives each group a window of 256
// samples per element. Only the transcendental functions (logf/sinf/cosf on the device) can
// differ from the host's by an ulp or two.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <random>
#include <type_traits>

#include "kernels/cuda/gpu_device.h"
#include "kernels/cuda/gpu_util.h"
#include "runtime/kernel.h"
#include "runtime/philox.h"

namespace tg {
namespace {

using DPhilox = Philox;  // runtime/philox.h, host and device

// One 32-bit sample at a time (TF's SingleSampleAdapter).
class SingleSample {
 public:
  __device__ explicit SingleSample(DPhilox* gen) : gen_(gen) {}
  __device__ uint32_t operator()() {
    if (used_ == 4) {
      buf_ = (*gen_)();
      used_ = 0;
    }
    return buf_[used_++];
  }

 private:
  DPhilox* gen_;
  DPhilox::Result buf_{};
  int used_ = 4;
};

// ---- conversions (random_distributions_utils.h), as the CPU kernel ----

__device__ __forceinline__ float Uint32ToFloat(uint32_t x) {
  return __uint_as_float((127u << 23) | (x & 0x7fffffu)) - 1.0f;  // [1, 2) - 1
}

__device__ __forceinline__ double Uint64ToDouble(uint32_t x0, uint32_t x1) {
  const uint64_t man = (static_cast<uint64_t>(x0 & 0xfffffu) << 32) | x1;
  return __longlong_as_double(static_cast<long long>((1023ull << 52) | man)) - 1.0;
}

__device__ __forceinline__ void BoxMullerFloat(uint32_t x0, uint32_t x1, float* f0, float* f1) {
  const float epsilon = 1.0e-7f;
  float u1 = Uint32ToFloat(x0);
  if (u1 < epsilon) u1 = epsilon;
  const float v1 = 2.0f * static_cast<float>(M_PI) * Uint32ToFloat(x1);
  const float u2 = sqrtf(-2.0f * logf(u1));
  *f0 = sinf(v1) * u2;
  *f1 = cosf(v1) * u2;
}

__device__ __forceinline__ void BoxMullerDouble(uint32_t x0, uint32_t x1, uint32_t x2, uint32_t x3, double* d0,
                                                double* d1) {
  const double epsilon = 1.0e-7;
  double u1 = Uint64ToDouble(x0, x1);
  if (u1 < epsilon) u1 = epsilon;
  const double v1 = 2 * M_PI * Uint64ToDouble(x2, x3);
  const double u2 = sqrt(-2.0 * log(u1));
  *d0 = sin(v1) * u2;
  *d1 = cos(v1) * u2;
}

// ---- distributions: each call fills kResultElementCount outputs ----

template <typename Out> struct UniformDist;
template <> struct UniformDist<float> {
  static constexpr int kResultElementCount = 4;
  static constexpr bool kVariable = false;
  __device__ void operator()(DPhilox* gen, float* out) const {
    const DPhilox::Result s = (*gen)();
    for (int i = 0; i < 4; i++) out[i] = Uint32ToFloat(s[i]);
  }
};
template <> struct UniformDist<double> {
  static constexpr int kResultElementCount = 2;
  static constexpr bool kVariable = false;
  __device__ void operator()(DPhilox* gen, double* out) const {
    const DPhilox::Result s = (*gen)();
    out[0] = Uint64ToDouble(s[0], s[1]);
    out[1] = Uint64ToDouble(s[2], s[3]);
  }
};

template <typename Out> struct NormalDist;
template <> struct NormalDist<float> {
  static constexpr int kResultElementCount = 4;
  static constexpr bool kVariable = false;
  __device__ void operator()(DPhilox* gen, float* out) const {
    const DPhilox::Result s = (*gen)();
    BoxMullerFloat(s[0], s[1], &out[0], &out[1]);
    BoxMullerFloat(s[2], s[3], &out[2], &out[3]);
  }
};
template <> struct NormalDist<double> {
  static constexpr int kResultElementCount = 2;
  static constexpr bool kVariable = false;
  __device__ void operator()(DPhilox* gen, double* out) const {
    const DPhilox::Result s = (*gen)();
    BoxMullerDouble(s[0], s[1], s[2], s[3], &out[0], &out[1]);
  }
};

// Standard normal values with |x| < 2, resampling the rest (variable sample count).
template <typename Out> struct TruncatedNormalDist;
template <> struct TruncatedNormalDist<float> {
  static constexpr int kResultElementCount = 4;
  static constexpr bool kVariable = true;
  __device__ void operator()(SingleSample* gen, float* out) const {
    int index = 0;
    for (;;) {
      const uint32_t x0 = (*gen)();
      const uint32_t x1 = (*gen)();
      float f[2];
      BoxMullerFloat(x0, x1, &f[0], &f[1]);
      for (int k = 0; k < 2; k++) {
        if (fabsf(f[k]) < 2.0f) {
          out[index++] = f[k];
          if (index >= kResultElementCount) return;
        }
      }
    }
  }
};
template <> struct TruncatedNormalDist<double> {
  static constexpr int kResultElementCount = 2;
  static constexpr bool kVariable = true;
  __device__ void operator()(SingleSample* gen, double* out) const {
    int index = 0;
    for (;;) {
      const uint32_t x0 = (*gen)();
      const uint32_t x1 = (*gen)();
      const uint32_t x2 = (*gen)();
      const uint32_t x3 = (*gen)();
      double d[2];
      BoxMullerDouble(x0, x1, x2, x3, &d[0], &d[1]);
      for (int k = 0; k < 2; k++) {
        if (fabs(d[k]) < 2.0) {
          out[index++] = d[k];
          if (index >= kResultElementCount) return;
        }
      }
    }
  }
};

// int64 in [lo, hi) as TF: lo + (64 random bits % (hi - lo)).
struct UniformInt64Dist {
  static constexpr int kResultElementCount = 2;
  static constexpr bool kVariable = false;
  int64_t lo;
  uint64_t range;
  __device__ static int64_t SignedAdd(int64_t a, uint64_t b) {  // a + b where b may not fit int64
    const uint64_t half = b >> 1;
    return a + static_cast<int64_t>(half) + static_cast<int64_t>(b - half);
  }
  __device__ void operator()(DPhilox* gen, int64_t* out) const {
    const DPhilox::Result s = (*gen)();
    for (int i = 0; i < 2; i++) {
      const uint64_t bits = s[2 * i] | (static_cast<uint64_t>(s[2 * i + 1]) << 32);
      out[i] = SignedAdd(lo, bits % range);
    }
  }
};

constexpr int64_t kReservedSamplesPerOutput = 256;  // TF's, for variable-sample distributions

// TF's FillPhiloxRandom: group g of kResultElementCount outputs from (base + g), or for
// variable-sample distributions from its own window of samples.
template <typename Dist, typename Out>
__global__ void FillPhiloxKernel(DPhilox base, Out* __restrict__ data, int64_t size, Dist dist) {
  constexpr int kGroup = Dist::kResultElementCount;
  const int64_t groups = (size + kGroup - 1) / kGroup;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t g = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; g < groups; g += stride) {
    DPhilox gen = base;
    Out buf[kGroup];
    if constexpr (Dist::kVariable) {
      gen.Skip(static_cast<uint64_t>(g) * (kGroup * kReservedSamplesPerOutput / 4));
      SingleSample single(&gen);
      dist(&single, buf);
    } else {
      gen.Skip(static_cast<uint64_t>(g));
      dist(&gen, buf);
    }
    const int64_t n = min(static_cast<int64_t>(kGroup), size - g * kGroup);
    for (int64_t i = 0; i < n; i++) data[g * kGroup + i] = buf[i];
  }
}

template <typename Dist, typename Out>
void FillPhilox(cudaStream_t s, const DPhilox& base, Out* data, int64_t size, const Dist& dist) {
  const int64_t groups = (size + Dist::kResultElementCount - 1) / Dist::kResultElementCount;
  FillPhiloxKernel<Dist, Out><<<BlocksFor(groups), kThreadsPerBlock, 0, s>>>(base, data, size, dist);
  TG_CUDA_LAUNCH_CHECK();
}

// ---- generator state shared by a node's kernels within one session (as the CPU's) ----

struct GpuPhiloxState : public Resource {
  uint64_t seed = 0, seed2 = 0;
  std::atomic<uint64_t> position{0};  // 128-bit outputs handed out so far
};

uint64_t RandomSeed64() {
  try {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  } catch (...) {
    static std::atomic<uint64_t> salt{0x9E3779B97F4A7C15ull};
    uint64_t x = static_cast<uint64_t>(std::chrono::high_resolution_clock::now().time_since_epoch().count()) ^
                 salt.fetch_add(0x9E3779B97F4A7C15ull);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
  }
}

// The CPU kernels' container; a node runs on one device, so its state has one type.
constexpr const char* kStateContainer = "_tg_philox_state";

class GpuPhiloxOpKernel : public OpKernel {
 public:
  explicit GpuPhiloxOpKernel(const KernelConstruction& c)
      : OpKernel(c), seed_(c.node.AttrInt("seed", 0)), seed2_(c.node.AttrInt("seed2", 0)) {}

 protected:
  // A generator at the start of count * multiplier fresh 128-bit outputs (TF's ReserveRandomOutputs).
  DPhilox ReserveOutputs(OpKernelContext* ctx, int64_t count, int multiplier) const {
    const uint64_t samples = static_cast<uint64_t>(count) * multiplier;
    std::shared_ptr<GpuPhiloxState> state;
    auto create = [this] {
      auto s = std::make_shared<GpuPhiloxState>();
      if (seed_ == 0 && seed2_ == 0) {
        s->seed = RandomSeed64();
        s->seed2 = RandomSeed64();
      } else {
        s->seed = static_cast<uint64_t>(seed_);
        s->seed2 = static_cast<uint64_t>(seed2_);
      }
      return s;
    };
    if (ctx->resources()) {
      state = ctx->resources()->LookupOrCreate<GpuPhiloxState>(kStateContainer, name(), create);
    } else {
      std::call_once(local_once_, [&] { local_ = create(); });
      state = local_;
    }
    const uint64_t start = state->position.fetch_add(samples);
    DPhilox gen(state->seed, state->seed2);
    gen.Skip(start);
    return gen;
  }

 private:
  int64_t seed_, seed2_;
  mutable std::once_flag local_once_;
  mutable std::shared_ptr<GpuPhiloxState> local_;
};

// The output shape from a 1-D int32/int64 shape tensor in host memory (TF's MakeShape).
Shape ShapeFromTensor(OpKernelContext* ctx, const Tensor& t) {
  if (t.dims() != 1) {
    throw ctx->InvalidArg("shape must be a vector of {int32,int64}, got shape " + ShapeString(t.shape()));
  }
  Shape shape(static_cast<size_t>(t.num_elements()));
  for (int64_t i = 0; i < t.num_elements(); i++) {
    if (t.dtype() == DataType::DT_INT32) shape[i] = t.data<int32_t>()[i];
    else if (t.dtype() == DataType::DT_INT64) shape[i] = t.data<int64_t>()[i];
    else throw ctx->InvalidArg("shape must be a vector of {int32,int64}, got " + DataTypeName(t.dtype()));
  }
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw ctx->InvalidArg("Dimension " + std::to_string(d) + " must be >= 0");
    if (d > 0 && n > std::numeric_limits<int64_t>::max() / d) {
      throw ctx->InvalidArg("Shape " + ShapeString(shape) + " would have more than 2**63 - 1 elements");
    }
    n *= d;
  }
  return shape;
}

template <template <typename> class Dist, typename Out>
class GpuRandomFloatOp : public GpuPhiloxOpKernel {
 public:
  using GpuPhiloxOpKernel::GpuPhiloxOpKernel;
  void Compute(OpKernelContext* ctx) const override {
    Shape shape = ShapeFromTensor(ctx, ctx->input(0));
    GpuDevice* gpu = GpuOf(ctx);
    Tensor& out = ctx->allocate_output(0, DataTypeOf<Out>(), std::move(shape));
    const int64_t n = out.num_elements();
    const DPhilox gen = ReserveOutputs(ctx, n, 256);  // reserved even for empty outputs, as TF
    if (n == 0) return;
    FillPhilox(gpu->stream(), gen, out.data<Out>(), n, Dist<Out>());
  }
};

class GpuRandomUniformInt64Op : public GpuPhiloxOpKernel {
 public:
  using GpuPhiloxOpKernel::GpuPhiloxOpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& minval = ctx->input(1);
    const Tensor& maxval = ctx->input(2);
    if (minval.dims() != 0) throw ctx->InvalidArg("minval must be 0-D, got shape " + ShapeString(minval.shape()));
    if (maxval.dims() != 0) throw ctx->InvalidArg("maxval must be 0-D, got shape " + ShapeString(maxval.shape()));
    Shape shape = ShapeFromTensor(ctx, ctx->input(0));
    GpuDevice* gpu = GpuOf(ctx);
    Tensor& out = ctx->allocate_output(0, DataType::DT_INT64, std::move(shape));
    const int64_t n = out.num_elements();
    if (n == 0) return;  // nothing reserved, as the CPU kernel
    const int64_t lo = *minval.data<int64_t>();
    const int64_t hi = *maxval.data<int64_t>();
    if (!(lo < hi)) {
      throw ctx->InvalidArg("Need minval < maxval, got " + std::to_string(lo) + " >= " + std::to_string(hi));
    }
    UniformInt64Dist dist{lo, static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo)};
    FillPhilox(gpu->stream(), ReserveOutputs(ctx, n, 256), out.data<int64_t>(), n, dist);
  }
};

template <template <typename> class Dist>
void RegisterFloatRandom(const std::string& op) {
  // Input 0 (shape) in host memory.
  RegisterKernel(register_kernel::Name(op).Device(DEVICE_GPU).TypeConstraint<float>("dtype").HostMemoryInput(0),
                 FactoryOf<GpuRandomFloatOp<Dist, float>>());
  RegisterKernel(register_kernel::Name(op).Device(DEVICE_GPU).TypeConstraint<double>("dtype").HostMemoryInput(0),
                 FactoryOf<GpuRandomFloatOp<Dist, double>>());
}

const bool registered = [] {
  RegisterFloatRandom<UniformDist>("RandomUniform");
  RegisterFloatRandom<NormalDist>("RandomStandardNormal");
  RegisterFloatRandom<TruncatedNormalDist>("TruncatedNormal");
  // shape, minval, maxval in host memory (scalars read on the host).
  TG_REGISTER_KERNEL(Name("RandomUniformInt").Device(DEVICE_GPU).TypeConstraint("Tout", DataType::DT_INT64).HostMemoryInput(0).HostMemoryInput(1).HostMemoryInput(2), GpuRandomUniformInt64Op);
  return true;
}();

}  // namespace
}  // namespace tg
