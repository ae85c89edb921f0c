// GPU kernels of assorted element-wise ops, with the CPU kernels' semantics and messages:
// Cast (math_misc_ops.cc), Const (basic_kernels.cc), Fill / ZerosLike / OnesLike (shape_ops.cc),
// Select (array_ops.cc), the activations and their grads, BiasAdd, BiasAddGrad and L2Loss
// (nn_activation_ops.cc).
//
// Cast: keyed by SrcT. float/double/int64/bool sources run on the GPU for every numeric
// destination but half/bfloat16 (an int32 result stays in device memory, as in TF; the
// executor copies it to the host for int32 consumers). Other sources (int32 above all, which
// lives in host memory on GPU devices) run the CPU kernel on the host: the executor copies the
// result to the device for GPU consumers. So no kernel here ever reads device memory on the host.
#include <cuda_runtime.h>

#include <cmath>
#include <limits>
#include <mutex>
#include <type_traits>

#include "kernels/cpu/array_common.h"
#include "kernels/cuda/cwise_ops.h"

namespace tg {
namespace gpu {
namespace {

using array::IndexValues;
using array::IsScalar;
using array::IsVector;
using array::ShapeOf;

// ---------- Cast ----------

// Float -> integer as the CPU kernel (x86's conversion): truncation toward zero; NaN and
// out-of-range values give the lowest int32/int64; narrower types go through int32 and wrap.
template <typename D, typename S>
__device__ inline D FloatToInt(S x) {
  if constexpr (sizeof(D) == 8) {
    if (!(x >= S(-9223372036854775808.0) && x < S(9223372036854775808.0))) return static_cast<D>(INT64_MIN);
    return static_cast<D>(static_cast<int64_t>(x));
  } else {
    if (!(x >= S(-2147483648.0) && x < S(2147483648.0))) return static_cast<D>(INT32_MIN);
    return static_cast<D>(static_cast<int32_t>(x));
  }
}

template <typename S, typename D>
struct CastF {
  __device__ D operator()(S x) const {
    if constexpr (std::is_same_v<D, bool>) return x != S(0);
    else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) return FloatToInt<D>(x);
    else return static_cast<D>(x);
  }
};

template <typename S>
void CastFrom(cudaStream_t stream, const Tensor& in, Tensor* out, const std::string& node) {
  const S* p = in.data<S>();
  const int64_t n = in.num_elements();
  switch (out->dtype()) {
    case DataType::DT_FLOAT: return LaunchUnary(stream, p, out->data<float>(), n, CastF<S, float>());
    case DataType::DT_DOUBLE: return LaunchUnary(stream, p, out->data<double>(), n, CastF<S, double>());
    case DataType::DT_INT32: return LaunchUnary(stream, p, out->data<int32_t>(), n, CastF<S, int32_t>());
    case DataType::DT_INT64: return LaunchUnary(stream, p, out->data<int64_t>(), n, CastF<S, int64_t>());
    case DataType::DT_INT16: return LaunchUnary(stream, p, out->data<int16_t>(), n, CastF<S, int16_t>());
    case DataType::DT_INT8: return LaunchUnary(stream, p, out->data<int8_t>(), n, CastF<S, int8_t>());
    case DataType::DT_UINT8: return LaunchUnary(stream, p, out->data<uint8_t>(), n, CastF<S, uint8_t>());
    case DataType::DT_BOOL: return LaunchUnary(stream, p, out->data<bool>(), n, CastF<S, bool>());
    default:
      throw Error(Code::kUnimplemented,
                  "Cast " + DataTypeName(in.dtype()) + " to " + DataTypeName(out->dtype()) + " is not supported on GPU", node);
  }
}

bool GpuCastTarget(DataType d) {
  switch (d) {
    case DataType::DT_FLOAT: case DataType::DT_DOUBLE: case DataType::DT_INT32: case DataType::DT_INT64:
    case DataType::DT_INT16: case DataType::DT_INT8: case DataType::DT_UINT8: case DataType::DT_BOOL: return true;
    default: return false;
  }
}

template <typename S>
class GpuCastOp : public OpKernel {
 public:
  explicit GpuCastOp(const KernelConstruction& c)
      : OpKernel(c), src_(c.node.AttrType("SrcT")), dst_(c.node.AttrType("DstT")) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& in = ctx->input(0);
    if (src_ == dst_) {
      ctx->forward_input(0, 0);
      return;
    }
    if (!GpuCastTarget(dst_)) {
      throw Error(Code::kUnimplemented, "Cast " + DataTypeName(src_) + " to " + DataTypeName(dst_) + " is not supported on GPU",
                  ctx->node().name);
    }
    Tensor& out = ctx->allocate_output(0, dst_, in.shape());
    CastFrom<S>(StreamOf(ctx), in, &out, ctx->node().name);
  }

 private:
  DataType src_, dst_;
};

// ---------- Const: the value is copied to the device once, on first use ----------

class GpuConstOp : public OpKernel {
 public:
  explicit GpuConstOp(const KernelConstruction& c) : OpKernel(c), host_(c.node.AttrTensor("value")) {}
  void Compute(OpKernelContext* ctx) const override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!device_.initialized()) {
      // Construction has no stream: the copy is queued on the first run's stream. Later runs
      // are ordered after it on the same stream. The host value stays alive in host_.
      Tensor d = ctx->allocate_temp(host_.dtype(), host_.shape());
      const size_t bytes = static_cast<size_t>(host_.num_elements()) * DataTypeSize(host_.dtype());
      if (bytes > 0) TG_CUDA_CHECK(cudaMemcpyAsync(d.raw(), host_.raw(), bytes, cudaMemcpyHostToDevice, StreamOf(ctx)));
      device_ = d;
    }
    ctx->set_output(0, device_);  // shared, never written (updates copy a shared buffer first)
  }
  bool IsExpensive() const override { return false; }

 private:
  Tensor host_;
  mutable std::mutex mu_;
  mutable Tensor device_;
};

// ---------- Fill (dims in host memory), ZerosLike, OnesLike ----------

class GpuFillOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& dims = ctx->input(0);
    const Tensor& value = ctx->input(1);
    if (!IsVector(dims)) throw ctx->InvalidArg("dims must be a vector, got shape " + ShapeOf(dims));
    if (!IsScalar(value)) throw ctx->InvalidArg("value must be a scalar, got shape " + ShapeOf(value));
    Shape shape = IndexValues(dims);
    for (size_t i = 0; i < shape.size(); i++) {
      if (shape[i] < 0) throw ctx->InvalidArg("Dimension " + std::to_string(shape[i]) + " must be >= 0");
    }
    Tensor& out = ctx->allocate_output(0, value.dtype(), std::move(shape));
    // The value stays in device memory (TF's HostMemory is only on dims): read by the kernel.
    LaunchFillFrom(StreamOf(ctx), out.raw(), out.num_elements(), static_cast<int>(DataTypeSize(value.dtype())), value.raw());
  }
};

class GpuZerosLikeOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& x = ctx->input(0);
    Tensor& out = ctx->allocate_output(0, x.dtype(), x.shape());
    const size_t bytes = static_cast<size_t>(out.num_elements()) * DataTypeSize(x.dtype());
    if (bytes > 0) TG_CUDA_CHECK(cudaMemsetAsync(out.raw(), 0, bytes, StreamOf(ctx)));  // zero bits = 0 in every dtype
  }
};

class GpuOnesLikeOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& x = ctx->input(0);
    Tensor& out = ctx->allocate_output(0, x.dtype(), x.shape());
    uint64_t bits;
    switch (x.dtype()) {
      case DataType::DT_FLOAT: bits = BitsOf(1.0f); break;
      case DataType::DT_DOUBLE: bits = BitsOf(1.0); break;
      case DataType::DT_INT64: bits = BitsOf<int64_t>(1); break;
      case DataType::DT_INT16: bits = BitsOf<int16_t>(1); break;
      case DataType::DT_INT8: bits = BitsOf<int8_t>(1); break;
      case DataType::DT_UINT8: bits = BitsOf<uint8_t>(1); break;
      case DataType::DT_BOOL: bits = BitsOf(true); break;
      case DataType::DT_HALF: bits = 0x3C00; break;      // 1.0 in IEEE half
      case DataType::DT_BFLOAT16: bits = 0x3F80; break;  // 1.0 in bfloat16
      default: throw ctx->InvalidArg("OnesLike does not support " + DataTypeName(x.dtype()));
    }
    LaunchFillBits(StreamOf(ctx), out.raw(), out.num_elements(), static_cast<int>(DataTypeSize(x.dtype())), bits);
  }
};

// ---------- Select: out[i] = cond[i / row] ? then[i] : else[i] ----------

template <typename U>
__global__ void SelectKernel(const bool* __restrict__ c, const U* __restrict__ t, const U* __restrict__ e, U* __restrict__ o,
                             int64_t n, int64_t row) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    o[i] = c[i / row] ? t[i] : e[i];
  }
}

template <typename U>
void LaunchSelect(cudaStream_t s, const bool* c, const void* t, const void* e, void* o, int64_t n, int64_t row) {
  SelectKernel<U><<<BlocksFor(n), kThreadsPerBlock, 0, s>>>(c, static_cast<const U*>(t), static_cast<const U*>(e),
                                                            static_cast<U*>(o), n, row);
  TG_CUDA_LAUNCH_CHECK();
}

class GpuSelectOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& cond = ctx->input(0);
    const Tensor& then_t = ctx->input(1);
    const Tensor& else_t = ctx->input(2);
    auto same_size = [&]() {
      if (then_t.shape() != else_t.shape()) {
        throw ctx->InvalidArg("'then' and 'else' must have the same size.  but received: " + ShapeOf(then_t) + " vs. " +
                              ShapeOf(else_t));
      }
    };
    // The condition is in device memory: a scalar one selects per element (the CPU forwards).
    const bool broadcasting = IsVector(cond) && !IsVector(then_t);
    if (IsScalar(cond)) {
      same_size();
    } else if (broadcasting) {
      if (then_t.dims() < 1) throw ctx->InvalidArg("'then' must be at least a vector, but saw shape: " + ShapeOf(then_t));
      if (then_t.dim(0) != cond.num_elements()) {
        throw ctx->InvalidArg("Number of batches of 'then' must match size of 'cond', but saw: " +
                              std::to_string(then_t.dim(0)) + " vs. " + std::to_string(cond.num_elements()));
      }
      same_size();
    } else {
      for (int i = 1; i <= 2; i++) {
        if (ctx->input(i).shape() != cond.shape()) {
          throw ctx->InvalidArg("Inputs to operation " + name() + " of type Select must have the same size and shape.  Input 0: " +
                                ShapeOf(cond) + " != input " + std::to_string(i) + ": " + ShapeOf(ctx->input(i)));
        }
      }
    }
    Tensor& out = ctx->allocate_output(0, then_t.dtype(), then_t.shape());
    const int64_t n = out.num_elements();
    if (n == 0) return;
    const int64_t row = IsScalar(cond) ? n : broadcasting ? n / cond.num_elements() : 1;
    const bool* c = cond.data<bool>();
    cudaStream_t s = StreamOf(ctx);
    switch (DataTypeSize(then_t.dtype())) {
      case 1: return LaunchSelect<uint8_t>(s, c, then_t.raw(), else_t.raw(), out.raw(), n, row);
      case 2: return LaunchSelect<uint16_t>(s, c, then_t.raw(), else_t.raw(), out.raw(), n, row);
      case 4: return LaunchSelect<uint32_t>(s, c, then_t.raw(), else_t.raw(), out.raw(), n, row);
      case 8: return LaunchSelect<uint64_t>(s, c, then_t.raw(), else_t.raw(), out.raw(), n, row);
      default: throw ctx->InvalidArg("Select: unsupported dtype " + DataTypeName(then_t.dtype()) + " on GPU");
    }
  }
};

// ---------- activations: y = Fwd(x, alpha); dx = Bwd(dy, x_or_y, alpha) ----------

constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;

struct Relu {
  template <typename T> __device__ static T Fwd(T x, T) { return x > T(0) ? x : T(0); }
  template <typename T> __device__ static T Bwd(T g, T x, T) { return x > T(0) ? g : T(0); }
};
struct Relu6 {
  template <typename T> __device__ static T Fwd(T x, T) { return x > T(0) ? (x < T(6) ? x : T(6)) : T(0); }
  template <typename T> __device__ static T Bwd(T g, T x, T) { return (x > T(0) && x < T(6)) ? g : T(0); }
};
struct Elu {
  template <typename T> __device__ static T Fwd(T x, T) { return x < T(0) ? expm1(x) : x; }
  template <typename T> __device__ static T Bwd(T g, T y, T) { return y < T(0) ? g * (y + T(1)) : g; }
};
struct Selu {
  template <typename T> __device__ static T Fwd(T x, T) {
    return x < T(0) ? T(kSeluScale * kSeluAlpha) * expm1(x) : T(kSeluScale) * x;
  }
  template <typename T> __device__ static T Bwd(T g, T y, T) {
    return y < T(0) ? g * (y + T(kSeluScale * kSeluAlpha)) : g * T(kSeluScale);
  }
};
struct LeakyRelu {
  template <typename T> __device__ static T Fwd(T x, T alpha) { return x > T(0) ? x : x * alpha; }
  template <typename T> __device__ static T Bwd(T g, T x, T alpha) { return x > T(0) ? g : g * alpha; }
};
struct Softplus {
  // `threshold` (passed as alpha) = log(epsilon) + 2, computed on the host as the CPU does.
  template <typename T> __device__ static T Fwd(T x, T threshold) {
    if (x > -threshold) return x;
    const T e = exp(x);
    if (x < threshold) return e;
    return log1p(e);
  }
  template <typename T> __device__ static T Bwd(T g, T x, T) { return g / (T(1) + exp(-x)); }
};
struct Softsign {
  template <typename T> __device__ static T Fwd(T x, T) { return x / (T(1) + fabs(x)); }
  template <typename T> __device__ static T Bwd(T g, T x, T) {
    const T d = T(1) + fabs(x);
    return g / (d * d);
  }
};

template <typename T, typename F>
struct FwdF {
  T alpha;
  __device__ T operator()(T x) const { return F::Fwd(x, alpha); }
};
template <typename T, typename F>
struct BwdF {
  T alpha;
  __device__ T operator()(T g, T x) const { return F::Bwd(g, x, alpha); }
};

template <typename T, typename F>
T ParamOf(const Node& node) {
  if constexpr (std::is_same_v<F, Softplus>) {
    if constexpr (std::is_floating_point_v<T>) return std::log(std::numeric_limits<T>::epsilon()) + T(2);
    else return T(0);
  } else {
    const AttrValue* a = node.FindAttr("alpha");
    return a ? static_cast<T>(a->f) : T(0);
  }
}

template <typename T, typename F>
class GpuActivationOp : public OpKernel {
 public:
  explicit GpuActivationOp(const KernelConstruction& c) : OpKernel(c), alpha_(ParamOf<T, F>(c.node)) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& x = ctx->input(0);
    Tensor& y = ctx->allocate_output(0, x.dtype(), x.shape());
    LaunchUnary(StreamOf(ctx), x.data<T>(), y.data<T>(), x.num_elements(), FwdF<T, F>{alpha_});
  }

 private:
  T alpha_;
};

template <typename T, typename F>
class GpuActivationGradOp : public OpKernel {
 public:
  explicit GpuActivationGradOp(const KernelConstruction& c) : OpKernel(c), alpha_(ParamOf<T, F>(c.node)) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& g = ctx->input(0);
    const Tensor& x = ctx->input(1);
    if (g.shape() != x.shape()) {
      throw ctx->InvalidArg("g and a must be the same size: " + ShapeString(g.shape()) + " vs. " + ShapeString(x.shape()));
    }
    Tensor& dx = ctx->allocate_output(0, x.dtype(), x.shape());
    if (x.num_elements() == 0) return;
    BcastPlan plan;  // same shapes: the plan is unused by the same-shape kernel
    plan.out = x.shape();
    LaunchBinary<T, T>(StreamOf(ctx), g, x, &dx, plan, BwdF<T, F>{alpha_});
  }

 private:
  T alpha_;
};

#define TG_ACT(Name)                                                       \
  template <typename T> using Name##K = GpuActivationOp<T, Name>;          \
  template <typename T> using Name##GradK = GpuActivationGradOp<T, Name>;
TG_ACT(Relu) TG_ACT(Relu6) TG_ACT(Elu) TG_ACT(Selu) TG_ACT(LeakyRelu) TG_ACT(Softplus) TG_ACT(Softsign)
#undef TG_ACT

// ---------- BiasAdd / BiasAddGrad / L2Loss ----------

bool IsNCHW(const Node& node) {
  const std::string f = node.AttrString("data_format", "NHWC");
  if (f != "NHWC" && f != "NCHW") throw InvalidArgument("Invalid data format: " + f, node.name);
  return f == "NCHW";
}

// The value seen as [outer, channels, inner]: NHWC has inner = 1, NCHW has outer = N.
struct BiasLayout {
  int64_t outer = 1, channels = 1, inner = 1;
};
BiasLayout LayoutOf(const Shape& s, bool nchw) {
  BiasLayout l;
  const int c = nchw ? 1 : static_cast<int>(s.size()) - 1;
  l.channels = s[c];
  for (int i = 0; i < c; i++) l.outer *= s[i];
  for (size_t i = c + 1; i < s.size(); i++) l.inner *= s[i];
  return l;
}

template <typename T>
__global__ void BiasAddKernel(const T* __restrict__ x, const T* __restrict__ b, T* __restrict__ y, int64_t n, int64_t channels,
                              int64_t inner) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    y[i] = x[i] + b[(i / inner) % channels];
  }
}

template <typename T>
class GpuBiasAddOp : public OpKernel {
 public:
  explicit GpuBiasAddOp(const KernelConstruction& c) : OpKernel(c), nchw_(IsNCHW(c.node)) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& x = ctx->input(0);
    const Tensor& b = ctx->input(1);
    if (x.dims() < 2) throw ctx->InvalidArg("Input tensor must be at least 2D: " + ShapeString(x.shape()));
    if (b.dims() != 1) throw ctx->InvalidArg("Biases must be 1D: " + ShapeString(b.shape()));
    const BiasLayout l = LayoutOf(x.shape(), nchw_);
    if (b.dim(0) != l.channels) {
      throw ctx->InvalidArg(std::string("Must provide as many biases as the ") + (nchw_ ? "channel" : "last") +
                            " dimension of the input tensor: " + ShapeString(b.shape()) + " vs. " + ShapeString(x.shape()));
    }
    Tensor& y = ctx->allocate_output(0, x.dtype(), x.shape());
    const int64_t n = x.num_elements();
    if (n == 0) return;
    BiasAddKernel<T><<<BlocksFor(n), kThreadsPerBlock, 0, StreamOf(ctx)>>>(x.data<T>(), b.data<T>(), y.data<T>(), n,
                                                                           l.channels, l.inner);
    TG_CUDA_LAUNCH_CHECK();
  }

 private:
  bool nchw_;
};

template <typename T>
class GpuBiasAddGradOp : public OpKernel {
 public:
  explicit GpuBiasAddGradOp(const KernelConstruction& c) : OpKernel(c), nchw_(IsNCHW(c.node)) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& g = ctx->input(0);
    if (g.dims() < 2) throw ctx->InvalidArg("Input tensor must be at least 2D: " + ShapeString(g.shape()));
    const BiasLayout l = LayoutOf(g.shape(), nchw_);
    Tensor& out = ctx->allocate_output(0, g.dtype(), {l.channels});
    LaunchChannelSum<T>(ctx, StreamOf(ctx), g.data<T>(), out.data<T>(), l.outer, l.channels, l.inner);
  }

 private:
  bool nchw_;
};

template <typename T>
class GpuL2LossOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& x = ctx->input(0);
    Tensor& out = ctx->allocate_output(0, x.dtype(), {});
    LaunchChannelSum<T>(ctx, StreamOf(ctx), x.data<T>(), out.data<T>(), 1, 1, x.num_elements(), /*square=*/true, 0.5);
  }
};

void RegisterGpu(const std::string& op, const std::string& type_attr, const std::vector<DataType>& dtypes,
                 const KernelFactory& f, std::vector<int> host_inputs = {}, std::vector<int> host_outputs = {}) {
  for (DataType dt : dtypes) {
    register_kernel::Name def(op);
    def.Device(DEVICE_GPU).TypeConstraint(type_attr, dt);
    for (int i : host_inputs) def.HostMemoryInput(i);
    for (int i : host_outputs) def.HostMemoryOutput(i);
    RegisterKernel(def, f);
  }
}

const bool registered = [] {
  using DT = DataType;
  // Cast by source type: device sources on the GPU, the rest (int32 above all) on the host.
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Cast").Device(DEVICE_GPU), "SrcT", GpuCastOp, float, double, int64_t, bool);
  RegisterHostOnGpu("Cast", "SrcT",
                    {DT::DT_INT32, DT::DT_INT16, DT::DT_INT8, DT::DT_UINT8, DT::DT_HALF, DT::DT_BFLOAT16},
                    CpuAnyKernelFactory("Cast"));
  // Const: int32 and string constants stay in host memory (TF's HostMemory), others on device.
  RegisterHostOnGpu("Const", "dtype", {DT::DT_INT32, DT::DT_STRING}, CpuAnyKernelFactory("Const"));
  RegisterKernel(register_kernel::Name("Const").Device(DEVICE_GPU), FactoryOf<GpuConstOp>());
  const std::vector<DataType> pod = {DT::DT_FLOAT, DT::DT_DOUBLE, DT::DT_INT64, DT::DT_INT8,  DT::DT_INT16,
                                     DT::DT_UINT8, DT::DT_BOOL,   DT::DT_HALF,  DT::DT_BFLOAT16};
  // (int32 versions of these are the CPU kernels on the host, registered by the platform loader.)
  RegisterGpu("Fill", "T", pod, FactoryOf<GpuFillOp>(), {0});
  RegisterGpu("ZerosLike", "T", pod, FactoryOf<GpuZerosLikeOp>());
  RegisterGpu("OnesLike", "T", pod, FactoryOf<GpuOnesLikeOp>());
  RegisterGpu("Select", "T", pod, FactoryOf<GpuSelectOp>());
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Relu").Device(DEVICE_GPU), "T", ReluK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("ReluGrad").Device(DEVICE_GPU), "T", ReluGradK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Relu6").Device(DEVICE_GPU), "T", Relu6K, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Relu6Grad").Device(DEVICE_GPU), "T", Relu6GradK, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Elu").Device(DEVICE_GPU), "T", EluK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("EluGrad").Device(DEVICE_GPU), "T", EluGradK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Selu").Device(DEVICE_GPU), "T", SeluK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("SeluGrad").Device(DEVICE_GPU), "T", SeluGradK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("LeakyRelu").Device(DEVICE_GPU), "T", LeakyReluK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("LeakyReluGrad").Device(DEVICE_GPU), "T", LeakyReluGradK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Softplus").Device(DEVICE_GPU), "T", SoftplusK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("SoftplusGrad").Device(DEVICE_GPU), "T", SoftplusGradK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("Softsign").Device(DEVICE_GPU), "T", SoftsignK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("SoftsignGrad").Device(DEVICE_GPU), "T", SoftsignGradK, float, double);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("BiasAdd").Device(DEVICE_GPU), "T", GpuBiasAddOp, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("BiasAddGrad").Device(DEVICE_GPU), "T", GpuBiasAddGradOp, float, double, int64_t);
  TG_REGISTER_KERNEL_FOR_TYPES(Name("L2Loss").Device(DEVICE_GPU), "T", GpuL2LossOp, float, double);
  return true;
}();

}  // namespace
}  // namespace gpu
}  // namespace tg
