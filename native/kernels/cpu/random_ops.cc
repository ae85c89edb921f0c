// Stateful random kernels: RandomUniform, RandomStandardNormal, TruncatedNormal,
// RandomUniformInt, RandomShuffle, Multinomial.
//
// All draw from TensorFlow's Philox4x32-10 counter-based generator, seeded as TF's
// GuardedPhiloxRandom: key = seed, counter high words = seed2 (both 0: random seeds drawn
// once). Each run reserves a block of the counter space (TF's ReserveRandomOutputs), so
// successive runs give fresh values while a new session replays the same sequence. The
// generator position lives in the session's ResourceMgr, keyed by node name, so every
// executor of a session (one per fetch signature) advances one stream per node, as TF1's
// OpSegment shares stateful kernels between a session's executors.
//
// The element layout follows TF1's CPU FillPhiloxRandom: outputs come in groups of
// Distribution::kResultElementCount, group g using Philox output (counter + g); truncated
// normal gives each group its own window of 256 samples per element.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <random>
#include <type_traits>

#include "kernels/cpu/half.h"
#include "runtime/kernel.h"
#include "runtime/philox.h"
#include "runtime/threadpool.h"

namespace tg {
namespace {

constexpr DeviceType kCPU = DeviceType::kCPU;

// One 32-bit sample at a time (TF's SingleSampleAdapter).
class SingleSample {
 public:
  explicit SingleSample(Philox* gen) : gen_(gen) {}
  uint32_t operator()() {
    if (used_ == 4) {
      buf_ = (*gen_)();
      used_ = 0;
    }
    return buf_[used_++];
  }
  // A double in [0, 1) from two samples (TF's SimplePhilox::RandDouble).
  double RandDouble();

 private:
  Philox* gen_;
  Philox::Result buf_{};
  int used_ = 4;
};

// ---------------------------------------------------------------------------------------
// Conversions (random_distributions_utils.h).

inline float Uint32ToFloat(uint32_t x) {
  const uint32_t val = (127u << 23) | (x & 0x7fffffu);  // [1, 2)
  float f;
  std::memcpy(&f, &val, sizeof(f));
  return f - 1.0f;
}

inline double Uint64ToDouble(uint32_t x0, uint32_t x1) {
  const uint64_t man = (static_cast<uint64_t>(x0 & 0xfffffu) << 32) | x1;
  const uint64_t val = (1023ull << 52) | man;  // [1, 2)
  double d;
  std::memcpy(&d, &val, sizeof(d));
  return d - 1.0;
}

double SingleSample::RandDouble() {
  const uint32_t x0 = (*this)();
  const uint32_t x1 = (*this)();
  return Uint64ToDouble(x0, x1);
}

inline void BoxMullerFloat(uint32_t x0, uint32_t x1, float* f0, float* f1) {
  const float epsilon = 1.0e-7f;
  float u1 = Uint32ToFloat(x0);
  if (u1 < epsilon) u1 = epsilon;
  const float v1 = 2.0f * static_cast<float>(M_PI) * Uint32ToFloat(x1);
  const float u2 = std::sqrt(-2.0f * std::log(u1));
  *f0 = std::sin(v1) * u2;
  *f1 = std::cos(v1) * u2;
}

inline void BoxMullerDouble(uint32_t x0, uint32_t x1, uint32_t x2, uint32_t x3, double* d0, double* d1) {
  const double epsilon = 1.0e-7;
  double u1 = Uint64ToDouble(x0, x1);
  if (u1 < epsilon) u1 = epsilon;
  const double v1 = 2 * M_PI * Uint64ToDouble(x2, x3);
  const double u2 = std::sqrt(-2.0 * std::log(u1));
  *d0 = std::sin(v1) * u2;
  *d1 = std::cos(v1) * u2;
}

// Storage types of the output dtypes: float, double, and the 16-bit floats as raw bits.
struct HalfBits { uint16_t bits; };
struct Bf16Bits { uint16_t bits; };

template <typename Out> inline Out FromFloat(float f);
template <> inline float FromFloat<float>(float f) { return f; }
template <> inline HalfBits FromFloat<HalfBits>(float f) { return {FloatToHalf(f)}; }
template <> inline Bf16Bits FromFloat<Bf16Bits>(float f) { return {FloatToBfloat16(f)}; }

// ---------------------------------------------------------------------------------------
// Distributions: each call fills kResultElementCount outputs.

template <typename Out> struct UniformDist {
  // float, half, bfloat16: one element per 32-bit sample (16-bit floats keep only the low
  // 10 / 7 mantissa bits, as TF's Uint16ToHalf / Uint16ToBfloat16).
  static constexpr int kResultElementCount = 4;
  static constexpr int kCost = 3;
  void operator()(Philox* gen, Out* out) const {
    const Philox::Result s = (*gen)();
    for (int i = 0; i < 4; i++) {
      if constexpr (std::is_same_v<Out, float>) {
        out[i] = Uint32ToFloat(s[i]);
      } else if constexpr (std::is_same_v<Out, HalfBits>) {
        out[i] = FromFloat<Out>(static_cast<float>(s[i] & 0x3ffu) / 1024.0f);
      } else {
        out[i] = FromFloat<Out>(static_cast<float>(s[i] & 0x7fu) / 128.0f);
      }
    }
  }
};
template <> struct UniformDist<double> {
  static constexpr int kResultElementCount = 2;
  static constexpr int kCost = 3;
  void operator()(Philox* gen, double* out) const {
    const Philox::Result s = (*gen)();
    out[0] = Uint64ToDouble(s[0], s[1]);
    out[1] = Uint64ToDouble(s[2], s[3]);
  }
};

template <typename Out> struct NormalDist {
  static constexpr int kResultElementCount = 4;
  static constexpr int kCost = 70;
  void operator()(Philox* gen, Out* out) const {
    const Philox::Result s = (*gen)();
    for (int i = 0; i < 4; i += 2) {
      float f0, f1;
      BoxMullerFloat(s[i], s[i + 1], &f0, &f1);
      out[i] = FromFloat<Out>(f0);
      out[i + 1] = FromFloat<Out>(f1);
    }
  }
};
template <> struct NormalDist<double> {
  static constexpr int kResultElementCount = 2;
  static constexpr int kCost = 70;
  void operator()(Philox* gen, double* out) const {
    const Philox::Result s = (*gen)();
    BoxMullerDouble(s[0], s[1], s[2], s[3], &out[0], &out[1]);
  }
};

// Standard normal values with |x| < 2, resampling the rest. Draws a variable number of
// samples, so each group reads from its own window of the stream.
template <typename Out> struct TruncatedNormalDist {
  static constexpr int kResultElementCount = 4;
  static constexpr int kCost = 90;
  static constexpr bool kVariableSamples = true;
  void operator()(SingleSample* gen, Out* out) const {
    int index = 0;
    for (;;) {
      const uint32_t x0 = (*gen)();
      const uint32_t x1 = (*gen)();
      float f[2];
      BoxMullerFloat(x0, x1, &f[0], &f[1]);
      for (float v : f) {
        if (std::fabs(v) < 2.0f) {
          out[index++] = FromFloat<Out>(v);
          if (index >= kResultElementCount) return;
        }
      }
    }
  }
};
template <> struct TruncatedNormalDist<double> {
  static constexpr int kResultElementCount = 2;
  static constexpr int kCost = 90;
  static constexpr bool kVariableSamples = true;
  void operator()(SingleSample* gen, double* out) const {
    int index = 0;
    for (;;) {
      const uint32_t x0 = (*gen)(), x1 = (*gen)(), x2 = (*gen)(), x3 = (*gen)();
      double d[2];
      BoxMullerDouble(x0, x1, x2, x3, &d[0], &d[1]);
      for (double v : d) {
        if (std::fabs(v) < 2.0) {
          out[index++] = v;
          if (index >= kResultElementCount) return;
        }
      }
    }
  }
};

// Integers in [lo, hi) as TF: lo + (sample % (hi - lo)) (32 or 64 random bits).
template <typename Int> struct UniformIntDist {
  using U = std::make_unsigned_t<Int>;
  static constexpr int kResultElementCount = sizeof(Int) == 4 ? 4 : 2;
  static constexpr int kCost = 3;
  Int lo;
  U range;
  // a + b where b may not fit in Int (TF's SignedAdd).
  static Int SignedAdd(Int a, U b) {
    const U half = b >> 1;
    return a + static_cast<Int>(half) + static_cast<Int>(b - half);
  }
  void operator()(Philox* gen, Int* out) const {
    const Philox::Result s = (*gen)();
    if constexpr (sizeof(Int) == 4) {
      for (int i = 0; i < 4; i++) out[i] = SignedAdd(lo, s[i] % range);
    } else {
      for (int i = 0; i < 2; i++) {
        const uint64_t bits = s[2 * i] | (static_cast<uint64_t>(s[2 * i + 1]) << 32);
        out[i] = SignedAdd(lo, bits % range);
      }
    }
  }
};

template <typename D, typename = void> struct IsVariable : std::false_type {};
template <typename D> struct IsVariable<D, std::void_t<decltype(D::kVariableSamples)>> : std::true_type {};

// Samples reserved per output element of variable-sample distributions (TF's
// kReservedSamplesPerOutput).
constexpr int64_t kReservedSamplesPerOutput = 256;

// TF's FillPhiloxRandom on CPU: groups of kResultElementCount, split over the pool.
template <typename Dist, typename Out>
void FillPhilox(OpKernelContext* ctx, const Philox& base, Out* data, int64_t size, const Dist& dist) {
  constexpr int kGroup = Dist::kResultElementCount;
  const int64_t groups = (size + kGroup - 1) / kGroup;
  auto body = [&](int64_t start, int64_t limit) {
    Out buf[kGroup];
    for (int64_t g = start; g < limit; g++) {
      Philox gen = base;
      Out* dst = data + g * kGroup;
      const int64_t n = std::min<int64_t>(kGroup, size - g * kGroup);
      Out* target = n == kGroup ? dst : buf;
      if constexpr (IsVariable<Dist>::value) {
        gen.Skip(static_cast<uint64_t>(g) * (kGroup * kReservedSamplesPerOutput / 4));
        SingleSample single(&gen);
        dist(&single, target);
      } else {
        gen.Skip(static_cast<uint64_t>(g));
        dist(&gen, target);
      }
      if (target == buf) std::copy(buf, buf + n, dst);
    }
  };
  if (size >= 4096 && ctx->intra_op()) {
    ctx->intra_op()->ParallelFor(groups, static_cast<int64_t>(Dist::kCost) * kGroup, body);
  } else {
    body(0, groups);
  }
}

// ---------------------------------------------------------------------------------------
// Generator state shared by a node's kernels within one session.

struct PhiloxState : public Resource {
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

constexpr const char* kStateContainer = "_tg_philox_state";

class PhiloxOpKernel : public OpKernel {
 public:
  explicit PhiloxOpKernel(const KernelConstruction& c)
      : OpKernel(c), seed_(c.node.AttrInt("seed", 0)), seed2_(c.node.AttrInt("seed2", 0)) {}

 protected:
  // A generator at the start of `samples` fresh 128-bit outputs (TF's ReserveSamples128).
  Philox Reserve(OpKernelContext* ctx, uint64_t samples) const {
    std::shared_ptr<PhiloxState> state;
    auto create = [this] {
      auto s = std::make_shared<PhiloxState>();
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
      state = ctx->resources()->LookupOrCreate<PhiloxState>(kStateContainer, name(), create);
    } else {
      std::call_once(local_once_, [&] { local_ = create(); });
      state = local_;
    }
    const uint64_t start = state->position.fetch_add(samples);
    Philox gen(state->seed, state->seed2);
    gen.Skip(start);
    return gen;
  }
  // TF's ReserveRandomOutputs(count, multiplier).
  Philox ReserveOutputs(OpKernelContext* ctx, int64_t count, int multiplier) const {
    return Reserve(ctx, static_cast<uint64_t>(count) * multiplier);
  }

 private:
  int64_t seed_, seed2_;
  mutable std::once_flag local_once_;
  mutable std::shared_ptr<PhiloxState> local_;
};

// The output shape from a 1-D int32/int64 shape tensor (TF's MakeShape).
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

// ---------------------------------------------------------------------------------------
// RandomUniform / RandomStandardNormal / TruncatedNormal.

template <template <typename> class Dist, typename Out>
class RandomFloatOp : public PhiloxOpKernel {
 public:
  explicit RandomFloatOp(const KernelConstruction& c) : PhiloxOpKernel(c), dtype_(c.node.AttrType("dtype")) {}
  void Compute(OpKernelContext* ctx) const override {
    Shape shape = ShapeFromTensor(ctx, ctx->input(0));
    Tensor& out = ctx->allocate_output(0, dtype_, std::move(shape));
    const int64_t n = out.num_elements();
    // Reserved even for empty outputs, as TF.
    Philox gen = ReserveOutputs(ctx, n, 256);
    if (n == 0) return;
    FillPhilox(ctx, gen, out.data<Out>(), n, Dist<Out>());
  }

 private:
  DataType dtype_;
};

template <template <typename> class Dist>
void RegisterFloatRandom(const std::string& op) {
  auto reg = [&](DataType dt, KernelFactory f) { RegisterKernel(register_kernel::Name(op).Device(DEVICE_CPU).TypeConstraint("dtype", dt), std::move(f)); };
  reg(DataType::DT_FLOAT, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new RandomFloatOp<Dist, float>(c)); });
  reg(DataType::DT_DOUBLE, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new RandomFloatOp<Dist, double>(c)); });
  reg(DataType::DT_HALF, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new RandomFloatOp<Dist, HalfBits>(c)); });
  reg(DataType::DT_BFLOAT16, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new RandomFloatOp<Dist, Bf16Bits>(c)); });
}

// ---------------------------------------------------------------------------------------
// RandomUniformInt: [minval, maxval).

template <typename Int>
class RandomUniformIntOp : public PhiloxOpKernel {
 public:
  using PhiloxOpKernel::PhiloxOpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& minval = ctx->input(1);
    const Tensor& maxval = ctx->input(2);
    if (minval.dims() != 0) throw ctx->InvalidArg("minval must be 0-D, got shape " + ShapeString(minval.shape()));
    if (maxval.dims() != 0) throw ctx->InvalidArg("maxval must be 0-D, got shape " + ShapeString(maxval.shape()));
    Shape shape = ShapeFromTensor(ctx, ctx->input(0));
    Tensor& out = ctx->allocate_output(0, DataTypeOf<Int>(), std::move(shape));
    const int64_t n = out.num_elements();
    if (n == 0) return;  // zero impossible things are fine (TF checks lo < hi after this)
    const Int lo = *minval.data<Int>();
    const Int hi = *maxval.data<Int>();
    if (!(lo < hi)) {
      throw ctx->InvalidArg("Need minval < maxval, got " + std::to_string(lo) + " >= " + std::to_string(hi));
    }
    using U = std::make_unsigned_t<Int>;
    UniformIntDist<Int> dist{lo, static_cast<U>(static_cast<U>(hi) - static_cast<U>(lo))};
    FillPhilox(ctx, ReserveOutputs(ctx, n, 256), out.data<Int>(), n, dist);
  }
};

// ---------------------------------------------------------------------------------------
// RandomShuffle: a Fisher-Yates permutation of dim 0 (TF's RandomShuffle with
// uniform(n) = sample % n), applied to rows of any dtype.

class RandomShuffleOp : public PhiloxOpKernel {
 public:
  using PhiloxOpKernel::PhiloxOpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& in = ctx->input(0);
    if (in.num_elements() <= 1 || in.dims() == 0 || in.dim(0) <= 1) {
      ctx->forward_input(0, 0);
      return;
    }
    const int64_t size = in.dim(0);
    const int64_t samples = size - 1;
    Philox gen = Reserve(ctx, static_cast<uint64_t>((samples + 3) / 4));
    SingleSample single(&gen);
    std::vector<int64_t> perm(static_cast<size_t>(size));
    for (int64_t i = 0; i < size; i++) perm[i] = i;
    for (int64_t i = 0; i < size - 1; i++) {
      const uint64_t range = static_cast<uint64_t>(size - i);
      uint64_t r;
      if (range <= 0xffffffffull) {
        r = single() % static_cast<uint32_t>(range);
      } else {
        const uint64_t lo = single();
        r = ((static_cast<uint64_t>(single()) << 32) | lo) % range;
      }
      std::swap(perm[i], perm[i + static_cast<int64_t>(r)]);
    }

    const int64_t row = in.num_elements() / size;
    if (in.dtype() == DataType::DT_STRING) {
      Tensor& out = ctx->allocate_output(0, in.dtype(), in.shape());
      const std::string* src = in.strings();
      std::string* dst = out.strings();
      for (int64_t i = 0; i < size; i++) {
        for (int64_t j = 0; j < row; j++) dst[i * row + j] = src[perm[i] * row + j];
      }
      return;
    }
    const size_t esize = DataTypeSize(in.dtype());
    if (esize == 0) throw ctx->InvalidArg("RandomShuffle does not support tensors of type " + DataTypeName(in.dtype()));
    Tensor& out = ctx->allocate_output(0, in.dtype(), in.shape());
    const size_t row_bytes = static_cast<size_t>(row) * esize;
    const char* src = static_cast<const char*>(in.raw());
    char* dst = static_cast<char*>(out.raw());
    for (int64_t i = 0; i < size; i++) std::memcpy(dst + i * row_bytes, src + perm[i] * row_bytes, row_bytes);
  }
};

// ---------------------------------------------------------------------------------------
// Multinomial: per batch row, samples from softmax(logits) by inverting the (unnormalised)
// CDF, skipping non-finite logits as TF.

template <typename T> inline double LogitToDouble(T v) { return static_cast<double>(v); }
template <> inline double LogitToDouble<HalfBits>(HalfBits v) { return HalfToFloat(v.bits); }
template <> inline double LogitToDouble<Bf16Bits>(Bf16Bits v) { return Bfloat16ToFloat(v.bits); }

template <typename T>
class MultinomialOp : public PhiloxOpKernel {
 public:
  explicit MultinomialOp(const KernelConstruction& c) : PhiloxOpKernel(c), out_dtype_(OutputType(c.node)) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& logits = ctx->input(0);
    const Tensor& num_samples_t = ctx->input(1);
    if (logits.dims() != 2) throw ctx->InvalidArg("logits should be a matrix, got shape " + ShapeString(logits.shape()));
    if (num_samples_t.dims() != 0) {
      throw ctx->InvalidArg("num_samples should be a scalar, got shape " + ShapeString(num_samples_t.shape()));
    }
    const int64_t num_samples = *num_samples_t.data<int32_t>();
    if (num_samples < 0) throw ctx->InvalidArg("num_samples should be nonnegative, got " + std::to_string(num_samples));
    const int64_t batch = logits.dim(0);
    const int64_t classes = logits.dim(1);
    if (batch > std::numeric_limits<int32_t>::max() || classes > std::numeric_limits<int32_t>::max()) {
      throw ctx->InvalidArg("logits.shape = " + ShapeString(logits.shape()) + " too large for int");
    }
    if (classes <= 0) throw ctx->InvalidArg("num_classes should be positive, got " + std::to_string(classes));
    Tensor& out = ctx->allocate_output(0, out_dtype_, {batch, num_samples});
    if (out.num_elements() == 0) return;

    // Two 32-bit samples per draw; each row reads its own window of the reservation.
    const int64_t per_row = (2 * num_samples + 3) / 4;
    const int64_t ceil4 = (num_samples + 3) / 4 * 4 * 2;
    const Philox base = ReserveOutputs(ctx, batch * ceil4, 256);
    const T* lg = logits.data<T>();
    const bool out64 = out_dtype_ == DataType::DT_INT64;
    void* out_data = out.raw();
    auto body = [&](int64_t start, int64_t limit) {
      std::vector<double> cdf(static_cast<size_t>(classes));
      for (int64_t b = start; b < limit; b++) {
        Philox gen = base;
        gen.Skip(static_cast<uint64_t>(b * per_row));
        SingleSample single(&gen);
        const T* row = lg + b * classes;
        double max_logit = -std::numeric_limits<double>::max();
        for (int64_t j = 0; j < classes; j++) {
          const double v = LogitToDouble(row[j]);
          if (std::isfinite(v)) max_logit = std::max(max_logit, v);
        }
        double total = 0;
        for (int64_t j = 0; j < classes; j++) {
          const double v = LogitToDouble(row[j]);
          if (std::isfinite(v)) total += std::exp(v - max_logit);
          cdf[j] = total;
        }
        for (int64_t j = 0; j < num_samples; j++) {
          const double to_find = single.RandDouble() * total;
          int64_t k = std::upper_bound(cdf.begin(), cdf.end(), to_find) - cdf.begin();
          // All logits non-finite (or -inf): TF would return num_classes; stay in range.
          if (k >= classes) k = classes - 1;
          if (out64) static_cast<int64_t*>(out_data)[b * num_samples + j] = k;
          else static_cast<int32_t*>(out_data)[b * num_samples + j] = static_cast<int32_t>(k);
        }
      }
    };
    const int64_t cost = 50 * (num_samples * static_cast<int64_t>(std::log2(static_cast<double>(classes)) + 1) + classes);
    if (ctx->intra_op() && batch > 1) ctx->intra_op()->ParallelFor(batch, cost, body);
    else body(0, batch);
  }

 private:
  static DataType OutputType(const Node& n) {
    const AttrValue* a = n.FindAttr("output_dtype");
    return a ? n.AttrType("output_dtype") : DataType::DT_INT64;
  }
  DataType out_dtype_;
};

// ---------------------------------------------------------------------------------------
// Registrations.

struct Registrations {
  Registrations() {
    RegisterFloatRandom<UniformDist>("RandomUniform");
    RegisterFloatRandom<NormalDist>("RandomStandardNormal");
    RegisterFloatRandom<TruncatedNormalDist>("TruncatedNormal");

    TG_REGISTER_KERNEL_FOR_TYPES(Name("RandomUniformInt").Device(DEVICE_CPU), "Tout", RandomUniformIntOp, int32_t, int64_t);

    TG_REGISTER_KERNEL(Name("RandomShuffle").Device(DEVICE_CPU), RandomShuffleOp);

    auto multinomial = [&](DataType dt, KernelFactory f) {
      RegisterKernel(register_kernel::Name("Multinomial").Device(DEVICE_CPU).TypeConstraint("T", dt), std::move(f));
    };
    multinomial(DataType::DT_FLOAT, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MultinomialOp<float>(c)); });
    multinomial(DataType::DT_DOUBLE, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MultinomialOp<double>(c)); });
    multinomial(DataType::DT_HALF, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MultinomialOp<HalfBits>(c)); });
    multinomial(DataType::DT_BFLOAT16, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MultinomialOp<Bf16Bits>(c)); });
    multinomial(DataType::DT_INT32, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MultinomialOp<int32_t>(c)); });
    multinomial(DataType::DT_INT64, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MultinomialOp<int64_t>(c)); });
    multinomial(DataType::DT_INT16, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MultinomialOp<int16_t>(c)); });
    multinomial(DataType::DT_INT8, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MultinomialOp<int8_t>(c)); });
    multinomial(DataType::DT_UINT8, [](const KernelConstruction& c) { return std::unique_ptr<OpKernel>(new MultinomialOp<uint8_t>(c)); });
  }
};
const Registrations registrations;

}  // namespace
}  // namespace tg
