// GPU versions of the optimizers' fused update kernels (native/kernels/cpu/training_ops.cc):
// ApplyGradientDescent, ApplyMomentum, ApplyAdagrad, ApplyAdadelta, ApplyRMSProp,
// ApplyCenteredRMSProp, ApplyAdam, ApplyAdaMax, ApplyFtrl, ApplyFtrlV2. The variable and its
// slots come in by reference; their tensors are in device memory and are updated in place by
// one element-wise kernel, under the variables' mutexes (locked in address order, always, as
// the CPU kernel does whatever use_locking says). A buffer a reader still shares is copied
// first (device to device). The hyper-parameters stay in device memory as in TF (the kernel
// reads them through pointers: host-memory scalars would cost a device-to-host copy, which waits
// for the whole compute stream, per scalar per step); only their shapes are checked on the host.
#include <cuda_runtime.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "kernels/cuda/cwise_ops.h"

namespace tg {
namespace gpu {
namespace {

constexpr int kMaxRefs = 4;
constexpr int kMaxScalars = 6;

template <typename T>
struct ApplyArgs {
  T* p[kMaxRefs];  // var, then the slots
  const T* g;
  const T* s[kMaxScalars];  // the scalars (device memory, one element each) in ArgSpec order
};

struct ArgSpec {
  std::vector<std::string> ref_names;
  std::vector<std::pair<int, std::string>> scalars;
  int grad;
};

template <typename T>
__device__ inline T SignOf(T x) {
  return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
}

// ---------- the update rules (element i; as the CPU functors, same operation order) ----------

template <typename T>
struct GradientDescentAlgo {
  explicit GradientDescentAlgo(const Node&) {}
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var"}, {{1, "alpha"}}, 2};
    return s;
  }
  __device__ void Update(const ApplyArgs<T>& a, int64_t i) const { a.p[0][i] -= a.g[i] * *a.s[0]; }
};

template <typename T>
struct MomentumAlgo {
  explicit MomentumAlgo(const Node& n) : nesterov(n.AttrBool("use_nesterov", false)) {}
  bool nesterov;
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var", "accum"}, {{2, "lr"}, {4, "momentum"}}, 3};
    return s;
  }
  __device__ void Update(const ApplyArgs<T>& a, int64_t i) const {
    T* var = a.p[0];
    T* accum = a.p[1];
    const T g = a.g[i], lr = *a.s[0], momentum = *a.s[1];
    accum[i] = accum[i] * momentum + g;
    if (nesterov) var[i] -= g * lr + accum[i] * momentum * lr;
    else var[i] -= accum[i] * lr;
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
  __device__ void Update(const ApplyArgs<T>& a, int64_t i) const {
    T* var = a.p[0];
    T* accum = a.p[1];
    const T g = a.g[i], lr = *a.s[0];
    if (update_slots) accum[i] += g * g;
    var[i] -= g * lr * (T(1) / sqrt(accum[i]));
  }
};

template <typename T>
struct AdadeltaAlgo {
  explicit AdadeltaAlgo(const Node&) {}
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var", "accum", "accum_update"}, {{3, "lr"}, {4, "rho"}, {5, "epsilon"}}, 6};
    return s;
  }
  __device__ void Update(const ApplyArgs<T>& a, int64_t i) const {
    T* var = a.p[0];
    T* accum = a.p[1];
    T* accum_update = a.p[2];
    const T g = a.g[i], lr = *a.s[0], rho = *a.s[1], epsilon = *a.s[2];
    accum[i] = accum[i] * rho + g * g * (T(1) - rho);
    const T update = sqrt(accum_update[i] + epsilon) * (T(1) / sqrt(accum[i] + epsilon)) * g;
    var[i] -= update * lr;
    accum_update[i] = accum_update[i] * rho + update * update * (T(1) - rho);
  }
};

template <typename T>
struct RMSPropAlgo {
  explicit RMSPropAlgo(const Node&) {}
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var", "ms", "mom"}, {{3, "lr"}, {4, "rho"}, {5, "momentum"}, {6, "epsilon"}}, 7};
    return s;
  }
  __device__ void Update(const ApplyArgs<T>& a, int64_t i) const {
    T* var = a.p[0];
    T* ms = a.p[1];
    T* mom = a.p[2];
    const T g = a.g[i], lr = *a.s[0], rho = *a.s[1], momentum = *a.s[2], epsilon = *a.s[3];
    ms[i] += (g * g - ms[i]) * (T(1) - rho);
    mom[i] = mom[i] * momentum + (g * lr) / sqrt(ms[i] + epsilon);
    var[i] -= mom[i];
  }
};

template <typename T>
struct CenteredRMSPropAlgo {
  explicit CenteredRMSPropAlgo(const Node&) {}
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var", "mg", "ms", "mom"}, {{4, "lr"}, {5, "rho"}, {6, "momentum"}, {7, "epsilon"}}, 8};
    return s;
  }
  __device__ void Update(const ApplyArgs<T>& a, int64_t i) const {
    T* var = a.p[0];
    T* mg = a.p[1];
    T* ms = a.p[2];
    T* mom = a.p[3];
    const T g = a.g[i], lr = *a.s[0], rho = *a.s[1], momentum = *a.s[2], epsilon = *a.s[3];
    const T one_minus_rho = T(1) - rho;
    mg[i] += (g - mg[i]) * one_minus_rho;
    ms[i] += (g * g - ms[i]) * one_minus_rho;
    const T denom = (ms[i] - mg[i] * mg[i]) + epsilon;
    mom[i] = mom[i] * momentum + (g * lr) / sqrt(denom);
    var[i] -= mom[i];
  }
};

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
  __device__ void Update(const ApplyArgs<T>& a, int64_t i) const {
    T* var = a.p[0];
    T* m = a.p[1];
    T* v = a.p[2];
    const T beta1_power = *a.s[0], beta2_power = *a.s[1], lr = *a.s[2];
    // sqrt and division are correctly rounded here as on the CPU: the same alpha.
    const T alpha = lr * sqrt(T(1) - beta2_power) / (T(1) - beta1_power);
    const T g = a.g[i], beta1 = *a.s[3], beta2 = *a.s[4], epsilon = *a.s[5];
    m[i] += (g - m[i]) * (T(1) - beta1);
    v[i] += (g * g - v[i]) * (T(1) - beta2);
    if (nesterov) var[i] -= ((g * (T(1) - beta1) + beta1 * m[i]) * alpha) / (sqrt(v[i]) + epsilon);
    else var[i] -= (m[i] * alpha) / (sqrt(v[i]) + epsilon);
  }
};

template <typename T>
struct AdaMaxAlgo {
  explicit AdaMaxAlgo(const Node&) {}
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var", "m", "v"}, {{3, "beta1_power"}, {4, "lr"}, {5, "beta1"}, {6, "beta2"}, {7, "epsilon"}}, 8};
    return s;
  }
  __device__ void Update(const ApplyArgs<T>& a, int64_t i) const {
    T* var = a.p[0];
    T* m = a.p[1];
    T* v = a.p[2];
    const T g = a.g[i], beta1_power = *a.s[0], lr = *a.s[1], beta1 = *a.s[2], beta2 = *a.s[3], epsilon = *a.s[4];
    m[i] += (g - m[i]) * (T(1) - beta1);
    const T bv = beta2 * v[i], ag = fabs(g);
    v[i] = bv < ag ? ag : bv;  // std::max(beta2 * v, |g|)
    var[i] -= lr / (T(1) - beta1_power) * (m[i] / (v[i] + epsilon));
  }
};

// FTRL-Proximal; V2 adds the l2 shrinkage term to the gradient used for `linear`.
template <typename T, bool kV2>
__device__ void FtrlUpdate(const ApplyArgs<T>& a, int64_t i, T lr, T l1, T l2, T l2_shrinkage, T lr_power) {
  T* var = a.p[0];
  T* accum = a.p[1];
  T* linear = a.p[2];
  const bool half = lr_power == T(-0.5);
  const T two_l2 = T(2) * l2;
  const T two_shrink = T(2) * l2_shrinkage;
  const T gi = a.g[i];
  const T gs = kV2 ? gi + two_shrink * var[i] : gi;
  const T ac = accum[i];
  const T na = ac + gi * gi;
  const T pa = half ? sqrt(na) : pow(na, -lr_power);
  const T po = half ? sqrt(ac) : pow(ac, -lr_power);
  const T lin = linear[i] + (gs - (pa - po) / lr * var[i]);
  linear[i] = lin;
  const T x = l1 * SignOf(lin) - lin;
  const T y = pa / lr + two_l2;
  var[i] = fabs(lin) > l1 ? x / y : T(0);
  accum[i] = na;
}

template <typename T>
struct FtrlAlgo {
  explicit FtrlAlgo(const Node&) {}
  static const ArgSpec& Spec() {
    static const ArgSpec s{{"var", "accum", "linear"}, {{4, "lr"}, {5, "l1"}, {6, "l2"}, {7, "lr_power"}}, 3};
    return s;
  }
  __device__ void Update(const ApplyArgs<T>& a, int64_t i) const {
    FtrlUpdate<T, false>(a, i, *a.s[0], *a.s[1], *a.s[2], T(0), *a.s[3]);
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
  __device__ void Update(const ApplyArgs<T>& a, int64_t i) const {
    FtrlUpdate<T, true>(a, i, *a.s[0], *a.s[1], *a.s[2], *a.s[3], *a.s[4]);
  }
};

template <typename T, typename A>
__global__ void ApplyUpdateKernel(ApplyArgs<T> args, int64_t n, A algo) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    algo.Update(args, i);
  }
}

template <typename T, template <typename> class Algo>
class GpuApplyKernel : public OpKernel {
 public:
  explicit GpuApplyKernel(const KernelConstruction& c) : OpKernel(c), algo_(c.node) {}

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
    ApplyArgs<T> args{};
    for (size_t k = 0; k < spec.scalars.size(); k++) {
      const Tensor& s = ctx->input(spec.scalars[k].first);  // device memory: only its shape is read here
      if (s.dims() != 0) throw ctx->InvalidArg(spec.scalars[k].second + " is not a scalar: " + ShapeString(s.shape()));
      args.s[k] = s.data<T>();
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

    // Device memory, never shared with a reader (copy-on-write).
    for (Var* v : order) {
      if (!v->tensor.on_device()) v->tensor = ToDevice(ctx, v->tensor);
      else if (!v->tensor.RefCountIsOne()) v->tensor = DeviceClone(ctx, v->tensor);
    }
    for (size_t i = 0; i < nrefs; i++) args.p[i] = vars[i]->tensor.template data<T>();
    args.g = grad.data<T>();
    const int64_t n = grad.num_elements();
    if (n > 0) {
      ApplyUpdateKernel<T, Algo<T>><<<BlocksFor(n), kThreadsPerBlock, 0, StreamOf(ctx)>>>(args, n, algo_);
      TG_CUDA_LAUNCH_CHECK();
    }
    locks.clear();
    ctx->set_ref_output(0, ctx->ref_input_ptr(0));
  }

 private:
  Algo<T> algo_;
};

template <template <typename> class Algo>
void RegisterApply(const char* op) {
  RegisterKernel(register_kernel::Name(op).Device(DEVICE_GPU).TypeConstraint("T", DataTypeOf<float>()), FactoryOf<GpuApplyKernel<float, Algo>>());
  RegisterKernel(register_kernel::Name(op).Device(DEVICE_GPU).TypeConstraint("T", DataTypeOf<double>()), FactoryOf<GpuApplyKernel<double, Algo>>());
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
}  // namespace gpu
}  // namespace tg
