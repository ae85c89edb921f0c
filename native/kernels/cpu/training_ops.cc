// The optimizers' fused update kernels (TF's core/kernels/training_ops.cc): ApplyGradientDescent,
// ApplyMomentum, ApplyAdagrad, ApplyAdadelta, ApplyRMSProp, ApplyCenteredRMSProp, ApplyAdam,
// ApplyAdaMax, ApplyFtrl, ApplyFtrlV2. The variable and its slots come in by reference (the
// leading inputs); they are updated in place under their mutexes, copying first when a reader
// still shares a buffer (as AssignAdd does), and the output is the variable's reference.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "kernels/cpu/cwise.h"
#include "runtime/kernel.h"
#include "runtime/threadpool.h"

namespace tg {
namespace {

constexpr DeviceType kCPU = DeviceType::kCPU;

// Which inputs an Apply op has: `ref_names` are its leading reference inputs (var first), then
// the named scalars (hyper-parameters) and the gradient at their input indices.
struct ArgSpec {
  std::vector<std::string> ref_names;
  std::vector<std::pair<int, std::string>> scalars;
  int grad;
};

template <typename T>
T Sign(T x) {
  return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
}

// One kernel class for all Apply ops; `Algo<T>` supplies the ArgSpec and the element-wise
// update `Update(slots, grad, scalars, begin, end)` over raw pointers (slots[0] is var).
template <typename T, template <typename> class Algo>
class ApplyKernel : public OpKernel {
 public:
  explicit ApplyKernel(const KernelConstruction& c) : OpKernel(c), algo_(c.node) {}

  std::vector<int> RefInputs() const override {
    std::vector<int> refs;
    for (size_t i = 0; i < Algo<T>::Spec().ref_names.size(); i++) refs.push_back(static_cast<int>(i));
    return refs;
  }

  void Compute(OpKernelContext* ctx) const override {
    const ArgSpec& spec = Algo<T>::Spec();
    const size_t nrefs = spec.ref_names.size();
    std::vector<Var*> vars(nrefs);
    for (size_t i = 0; i < nrefs; i++) vars[i] = ctx->ref_input(static_cast<int>(i));

    // Lock each distinct variable once, in address order (no deadlock with other updaters).
    std::vector<Var*> order(vars);
    std::sort(order.begin(), order.end());
    order.erase(std::unique(order.begin(), order.end()), order.end());
    std::vector<std::unique_lock<std::mutex>> locks;
    locks.reserve(order.size());
    for (Var* v : order) locks.emplace_back(v->mu);

    for (size_t i = 0; i < nrefs; i++) {
      if (!vars[i]->tensor.initialized()) {
        throw Error(Code::kFailedPrecondition, "Attempting to use uninitialized value " + vars[i]->name, ctx->node().name);
      }
    }
    std::vector<T> scalars(spec.scalars.size());
    for (size_t k = 0; k < spec.scalars.size(); k++) {
      const Tensor& s = ctx->input(spec.scalars[k].first);
      if (s.dims() != 0) throw ctx->InvalidArg(spec.scalars[k].second + " is not a scalar: " + ShapeString(s.shape()));
      scalars[k] = *s.data<T>();
    }
    const Shape& shape = vars[0]->tensor.shape();
    for (size_t i = 1; i < nrefs; i++) {
      if (vars[i]->tensor.shape() != shape) {
        throw ctx->InvalidArg("var and " + spec.ref_names[i] + " do not have the same shape" + ShapeString(shape) + " " +
                              ShapeString(vars[i]->tensor.shape()));
      }
    }
    const Tensor& grad = ctx->input(spec.grad);
    if (grad.shape() != shape) {
      throw ctx->InvalidArg("var and grad do not have the same shape" + ShapeString(shape) + " " + ShapeString(grad.shape()));
    }

    // Copy-on-write: a buffer a reader still holds is never changed under it.
    for (Var* v : order) {
      if (!v->tensor.RefCountIsOne()) v->tensor = v->tensor.Clone();
    }
    std::vector<T*> ptrs(nrefs);
    for (size_t i = 0; i < nrefs; i++) ptrs[i] = vars[i]->tensor.template data<T>();
    const T* g = grad.data<T>();
    const T* sc = scalars.data();
    const int64_t n = grad.num_elements();
    T* const* p = ptrs.data();
    auto body = [&](int64_t b, int64_t e) { algo_.Update(p, g, sc, b, e); };
    if (n >= kParallelThreshold) ctx->intra_op()->ParallelFor(n, 16, body);
    else body(0, n);

    locks.clear();
    ctx->set_ref_output(0, ctx->ref_input_ptr(0));
  }

 private:
  Algo<T> algo_;
};

// ---------- the update rules (element-wise, as TF's CPU functors) ----------

template <typename T>
struct GradientDescentAlgo {
  explicit GradientDescentAlgo(const Node&) {}
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var"}, {{1, "alpha"}}, 2};
    return s;
  }
  void Update(T* const* p, const T* g, const T* s, int64_t b, int64_t e) const {
    T* var = p[0];
    const T alpha = s[0];
    for (int64_t i = b; i < e; i++) var[i] -= g[i] * alpha;
  }
};

template <typename T>
struct MomentumAlgo {
  explicit MomentumAlgo(const Node& n) : nesterov(n.AttrBool("use_nesterov", false)) {}
  bool nesterov;
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var", "accum"}, {{2, "lr"}, {4, "momentum"}}, 3};
    return s;
  }
  void Update(T* const* p, const T* g, const T* s, int64_t b, int64_t e) const {
    T* var = p[0];
    T* accum = p[1];
    const T lr = s[0], momentum = s[1];
    for (int64_t i = b; i < e; i++) {
      accum[i] = accum[i] * momentum + g[i];
      if (nesterov) var[i] -= g[i] * lr + accum[i] * momentum * lr;
      else var[i] -= accum[i] * lr;
    }
  }
};

template <typename T>
struct AdagradAlgo {
  explicit AdagradAlgo(const Node& n) : update_slots(n.AttrBool("update_slots", true)) {}
  bool update_slots;
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var", "accum"}, {{2, "lr"}}, 3};
    return s;
  }
  void Update(T* const* p, const T* g, const T* s, int64_t b, int64_t e) const {
    T* var = p[0];
    T* accum = p[1];
    const T lr = s[0];
    for (int64_t i = b; i < e; i++) {
      if (update_slots) accum[i] += g[i] * g[i];
      var[i] -= g[i] * lr * (T(1) / std::sqrt(accum[i]));
    }
  }
};

template <typename T>
struct AdadeltaAlgo {
  explicit AdadeltaAlgo(const Node&) {}
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var", "accum", "accum_update"}, {{3, "lr"}, {4, "rho"}, {5, "epsilon"}}, 6};
    return s;
  }
  void Update(T* const* p, const T* g, const T* s, int64_t b, int64_t e) const {
    T* var = p[0];
    T* accum = p[1];
    T* accum_update = p[2];
    const T lr = s[0], rho = s[1], epsilon = s[2];
    for (int64_t i = b; i < e; i++) {
      accum[i] = accum[i] * rho + g[i] * g[i] * (T(1) - rho);
      const T update = std::sqrt(accum_update[i] + epsilon) * (T(1) / std::sqrt(accum[i] + epsilon)) * g[i];
      var[i] -= update * lr;
      accum_update[i] = accum_update[i] * rho + update * update * (T(1) - rho);
    }
  }
};

template <typename T>
struct RMSPropAlgo {
  explicit RMSPropAlgo(const Node&) {}
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var", "ms", "mom"}, {{3, "lr"}, {4, "rho"}, {5, "momentum"}, {6, "epsilon"}}, 7};
    return s;
  }
  void Update(T* const* p, const T* g, const T* s, int64_t b, int64_t e) const {
    T* var = p[0];
    T* ms = p[1];
    T* mom = p[2];
    const T lr = s[0], rho = s[1], momentum = s[2], epsilon = s[3];
    for (int64_t i = b; i < e; i++) {
      ms[i] += (g[i] * g[i] - ms[i]) * (T(1) - rho);
      mom[i] = mom[i] * momentum + (g[i] * lr) / std::sqrt(ms[i] + epsilon);
      var[i] -= mom[i];
    }
  }
};

template <typename T>
struct CenteredRMSPropAlgo {
  explicit CenteredRMSPropAlgo(const Node&) {}
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var", "mg", "ms", "mom"}, {{4, "lr"}, {5, "rho"}, {6, "momentum"}, {7, "epsilon"}}, 8};
    return s;
  }
  void Update(T* const* p, const T* g, const T* s, int64_t b, int64_t e) const {
    T* var = p[0];
    T* mg = p[1];
    T* ms = p[2];
    T* mom = p[3];
    const T lr = s[0], rho = s[1], momentum = s[2], epsilon = s[3];
    const T one_minus_rho = T(1) - rho;
    for (int64_t i = b; i < e; i++) {
      mg[i] += (g[i] - mg[i]) * one_minus_rho;
      ms[i] += (g[i] * g[i] - ms[i]) * one_minus_rho;
      const T denom = (ms[i] - mg[i] * mg[i]) + epsilon;
      mom[i] = mom[i] * momentum + (g[i] * lr) / std::sqrt(denom);
      var[i] -= mom[i];
    }
  }
};

#if defined(__SSE2__)
// Adam's float update 4 elements at a time, the same operations in the same order as the
// scalar loop (so the same results): GCC leaves that loop scalar because std::sqrt may set
// errno, and the square root and division dominate it. Returns where the scalar tail starts.
int64_t AdamSse(float* var, float* m, float* v, const float* g, int64_t b, int64_t e, float beta1, float beta2,
                float alpha, float epsilon) {
  const __m128 one_b1 = _mm_set1_ps(1.0f - beta1), one_b2 = _mm_set1_ps(1.0f - beta2);
  const __m128 a = _mm_set1_ps(alpha), eps = _mm_set1_ps(epsilon);
  int64_t i = b;
  for (; i + 4 <= e; i += 4) {
    const __m128 gi = _mm_loadu_ps(g + i);
    __m128 mi = _mm_loadu_ps(m + i), vi = _mm_loadu_ps(v + i);
    mi = _mm_add_ps(mi, _mm_mul_ps(_mm_sub_ps(gi, mi), one_b1));                  // m += (g - m) * (1 - beta1)
    vi = _mm_add_ps(vi, _mm_mul_ps(_mm_sub_ps(_mm_mul_ps(gi, gi), vi), one_b2));  // v += (g*g - v) * (1 - beta2)
    const __m128 step = _mm_div_ps(_mm_mul_ps(mi, a), _mm_add_ps(_mm_sqrt_ps(vi), eps));
    _mm_storeu_ps(m + i, mi);
    _mm_storeu_ps(v + i, vi);
    _mm_storeu_ps(var + i, _mm_sub_ps(_mm_loadu_ps(var + i), step));              // var -= m*alpha / (sqrt(v) + eps)
  }
  return i;
}
#endif

template <typename T>
struct AdamAlgo {
  explicit AdamAlgo(const Node& n) : nesterov(n.AttrBool("use_nesterov", false)) {}
  bool nesterov;
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var", "m", "v"},
                           {{3, "beta1_power"}, {4, "beta2_power"}, {5, "lr"}, {6, "beta1"}, {7, "beta2"}, {8, "epsilon"}},
                           9};
    return s;
  }
  void Update(T* const* p, const T* g, const T* s, int64_t b, int64_t e) const {
    T* var = p[0];
    T* m = p[1];
    T* v = p[2];
    const T beta1_power = s[0], beta2_power = s[1], lr = s[2], beta1 = s[3], beta2 = s[4], epsilon = s[5];
    const T alpha = lr * std::sqrt(T(1) - beta2_power) / (T(1) - beta1_power);
#if defined(__SSE2__)
    if constexpr (std::is_same_v<T, float>) {
      if (!nesterov) b = AdamSse(var, m, v, g, b, e, beta1, beta2, alpha, epsilon);
    }
#endif
    for (int64_t i = b; i < e; i++) {
      m[i] += (g[i] - m[i]) * (T(1) - beta1);
      v[i] += (g[i] * g[i] - v[i]) * (T(1) - beta2);
      if (nesterov) var[i] -= ((g[i] * (T(1) - beta1) + beta1 * m[i]) * alpha) / (std::sqrt(v[i]) + epsilon);
      else var[i] -= (m[i] * alpha) / (std::sqrt(v[i]) + epsilon);
    }
  }
};

template <typename T>
struct AdaMaxAlgo {
  explicit AdaMaxAlgo(const Node&) {}
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var", "m", "v"}, {{3, "beta1_power"}, {4, "lr"}, {5, "beta1"}, {6, "beta2"}, {7, "epsilon"}}, 8};
    return s;
  }
  void Update(T* const* p, const T* g, const T* s, int64_t b, int64_t e) const {
    T* var = p[0];
    T* m = p[1];
    T* v = p[2];
    const T beta1_power = s[0], lr = s[1], beta1 = s[2], beta2 = s[3], epsilon = s[4];
    for (int64_t i = b; i < e; i++) {
      m[i] += (g[i] - m[i]) * (T(1) - beta1);
      v[i] = std::max(beta2 * v[i], std::abs(g[i]));
      var[i] -= lr / (T(1) - beta1_power) * (m[i] / (v[i] + epsilon));
    }
  }
};

// FTRL-Proximal; V2 adds the l2 shrinkage term to the gradient used for `linear`.
template <typename T, bool kV2>
void FtrlUpdate(T* const* p, const T* g, T lr, T l1, T l2, T l2_shrinkage, T lr_power, int64_t b, int64_t e) {
  T* var = p[0];
  T* accum = p[1];
  T* linear = p[2];
  const bool half = lr_power == T(-0.5);
  const T two_l2 = T(2) * l2;
  const T two_shrink = T(2) * l2_shrinkage;
  for (int64_t i = b; i < e; i++) {
    const T gi = g[i];
    const T gs = kV2 ? gi + two_shrink * var[i] : gi;
    const T a = accum[i];
    const T na = a + gi * gi;
    const T pa = half ? std::sqrt(na) : std::pow(na, -lr_power);
    const T po = half ? std::sqrt(a) : std::pow(a, -lr_power);
    const T lin = linear[i] + (gs - (pa - po) / lr * var[i]);
    linear[i] = lin;
    const T x = l1 * Sign(lin) - lin;
    const T y = pa / lr + two_l2;
    var[i] = std::abs(lin) > l1 ? x / y : T(0);
    accum[i] = na;
  }
}

template <typename T>
struct FtrlAlgo {
  explicit FtrlAlgo(const Node&) {}
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var", "accum", "linear"}, {{4, "lr"}, {5, "l1"}, {6, "l2"}, {7, "lr_power"}}, 3};
    return s;
  }
  void Update(T* const* p, const T* g, const T* s, int64_t b, int64_t e) const {
    FtrlUpdate<T, false>(p, g, s[0], s[1], s[2], T(0), s[3], b, e);
  }
};

template <typename T>
struct FtrlV2Algo {
  explicit FtrlV2Algo(const Node&) {}
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var", "accum", "linear"},
                           {{4, "lr"}, {5, "l1"}, {6, "l2"}, {7, "l2_shrinkage"}, {8, "lr_power"}},
                           3};
    return s;
  }
  void Update(T* const* p, const T* g, const T* s, int64_t b, int64_t e) const {
    FtrlUpdate<T, true>(p, g, s[0], s[1], s[2], s[3], s[4], b, e);
  }
};

template <template <typename> class Algo>
void RegisterApply(const char* op) {
  RegisterKernel(register_kernel::Name(op).Device(DEVICE_CPU).TypeConstraint("T", DataTypeOf<float>()), FactoryOf<ApplyKernel<float, Algo>>());
  RegisterKernel(register_kernel::Name(op).Device(DEVICE_CPU).TypeConstraint("T", DataTypeOf<double>()), FactoryOf<ApplyKernel<double, Algo>>());
}

const bool registered = (RegisterApply<GradientDescentAlgo>("ApplyGradientDescent"),
                         RegisterApply<MomentumAlgo>("ApplyMomentum"),
                         RegisterApply<AdagradAlgo>("ApplyAdagrad"),
                         RegisterApply<AdadeltaAlgo>("ApplyAdadelta"),
                         RegisterApply<RMSPropAlgo>("ApplyRMSProp"),
                         RegisterApply<CenteredRMSPropAlgo>("ApplyCenteredRMSProp"),
                         RegisterApply<AdamAlgo>("ApplyAdam"),
                         RegisterApply<AdaMaxAlgo>("ApplyAdaMax"),
                         RegisterApply<FtrlAlgo>("ApplyFtrl"),
                         RegisterApply<FtrlV2Algo>("ApplyFtrlV2"),
                         true);

}  // namespace
}  // namespace tg
