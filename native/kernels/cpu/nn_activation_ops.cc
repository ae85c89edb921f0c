// Activation kernels of tf.nn (Relu, Relu6, Elu, Selu, LeakyRelu, Softplus, Softsign and their
// *Grad ops, as TF's relu_op.h / softplus_op.h / softsign_op.h compute them), plus BiasAdd,
// BiasAddGrad and L2Loss. Element-wise loops over contiguous memory; big tensors are split
// over the intra-op pool.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/threadpool.h"

namespace tg {
namespace {

constexpr int64_t kParallelMin = 32768;

// Runs body(begin, end) over [0, n), in parallel when n is big.
template <typename F>
void ForRange(OpKernelContext* ctx, int64_t n, int64_t cost, F&& body) {
  if (n >= kParallelMin) ctx->intra_op()->ParallelFor(n, cost, body);
  else body(0, n);
}

// ---------- functors: y = Fwd(x, alpha); dx = Bwd(dy, x_or_y, alpha) ----------

constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;

struct Relu {
  template <typename T> static T Fwd(T x, T) { return x > T(0) ? x : T(0); }
  // ReluGrad(gradients, features): the gradient where features > 0.
  template <typename T> static T Bwd(T g, T x, T) { return x > T(0) ? g : T(0); }
};
struct Relu6 {
  template <typename T> static T Fwd(T x, T) { return x > T(0) ? (x < T(6) ? x : T(6)) : T(0); }
  template <typename T> static T Bwd(T g, T x, T) { return (x > T(0) && x < T(6)) ? g : T(0); }
};
struct Elu {
  template <typename T> static T Fwd(T x, T) { return x < T(0) ? std::expm1(x) : x; }
  // EluGrad(gradients, outputs): exp(x) = y + 1 where y < 0.
  template <typename T> static T Bwd(T g, T y, T) { return y < T(0) ? g * (y + T(1)) : g; }
};
struct Selu {
  template <typename T> static T Fwd(T x, T) {
    return x < T(0) ? T(kSeluScale * kSeluAlpha) * std::expm1(x) : T(kSeluScale) * x;
  }
  // SeluGrad(gradients, outputs).
  template <typename T> static T Bwd(T g, T y, T) {
    return y < T(0) ? g * (y + T(kSeluScale * kSeluAlpha)) : g * T(kSeluScale);
  }
};
struct LeakyRelu {
  template <typename T> static T Fwd(T x, T alpha) { return x > T(0) ? x : x * alpha; }
  // LeakyReluGrad(gradients, features).
  template <typename T> static T Bwd(T g, T x, T alpha) { return x > T(0) ? g : g * alpha; }
};
struct Softplus {
  // TF's thresholds: log(epsilon) + 2, beyond which softplus(x) is x (or exp(x)) to precision.
  template <typename T> static T Fwd(T x, T) {
    static const T threshold = std::log(std::numeric_limits<T>::epsilon()) + T(2);
    if (x > -threshold) return x;
    const T e = std::exp(x);
    if (x < threshold) return e;
    return std::log1p(e);
  }
  // SoftplusGrad(gradients, features) = g * sigmoid(x).
  template <typename T> static T Bwd(T g, T x, T) { return g / (T(1) + std::exp(-x)); }
};
struct Softsign {
  template <typename T> static T Fwd(T x, T) { return x / (T(1) + std::fabs(x)); }
  template <typename T> static T Bwd(T g, T x, T) {
    const T d = T(1) + std::fabs(x);
    return g / (d * d);
  }
};

// alpha for LeakyRelu(Grad); unused (0) for the others.
template <typename T> T AlphaOf(const Node& node) {
  const AttrValue* a = node.FindAttr("alpha");
  return a ? static_cast<T>(a->f) : T(0);
}

template <typename T, typename F>
class ActivationOp : public OpKernel {
 public:
  explicit ActivationOp(const KernelConstruction& c) : OpKernel(c), alpha_(AlphaOf<T>(c.node)) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& x = ctx->input(0);
    Tensor& y = ctx->forward_input_or_allocate_output({0}, 0, x.dtype(), x.shape());
    const T* px = x.data<T>();
    T* py = y.data<T>();
    const T alpha = alpha_;
    ForRange(ctx, x.num_elements(), 8, [=](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; i++) py[i] = F::Fwd(px[i], alpha);
    });
  }

 private:
  T alpha_;
};

template <typename T, typename F>
class ActivationGradOp : public OpKernel {
 public:
  explicit ActivationGradOp(const KernelConstruction& c) : OpKernel(c), alpha_(AlphaOf<T>(c.node)) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& g = ctx->input(0);
    const Tensor& x = ctx->input(1);
    if (g.shape() != x.shape()) {
      throw ctx->InvalidArg("g and a must be the same size: " + ShapeString(g.shape()) + " vs. " + ShapeString(x.shape()));
    }
    Tensor& dx = ctx->forward_input_or_allocate_output({0, 1}, 0, x.dtype(), x.shape());
    const T* pg = g.data<T>();
    const T* px = x.data<T>();
    T* pd = dx.data<T>();
    const T alpha = alpha_;
    ForRange(ctx, x.num_elements(), 8, [=](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; i++) pd[i] = F::Bwd(pg[i], px[i], alpha);
    });
  }

 private:
  T alpha_;
};

#define TG_ACT(Name)                                                    \
  template <typename T> using Name##K = ActivationOp<T, Name>;          \
  template <typename T> using Name##GradK = ActivationGradOp<T, Name>;
TG_ACT(Relu) TG_ACT(Relu6) TG_ACT(Elu) TG_ACT(Selu) TG_ACT(LeakyRelu) TG_ACT(Softplus) TG_ACT(Softsign)
#undef TG_ACT

// ---------- BiasAdd / BiasAddGrad ----------

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
class BiasAddOp : public OpKernel {
 public:
  explicit BiasAddOp(const KernelConstruction& c) : OpKernel(c), nchw_(IsNCHW(c.node)) {}
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
    Tensor& y = ctx->forward_input_or_allocate_output({0}, 0, x.dtype(), x.shape());
    const T* px = x.data<T>();
    const T* pb = b.data<T>();
    T* py = y.data<T>();
    const int64_t C = l.channels, inner = l.inner;
    if (inner == 1) {
      // NHWC (channels last): each of the `outer` rows adds the whole bias vector, a loop the
      // compiler vectorizes (a per-element `% C` would cost more than the add).
      auto body = [=](int64_t s, int64_t e) {
        for (int64_t r = s; r < e; r++) {
          const T* xr = px + r * C;
          T* yr = py + r * C;
          for (int64_t c = 0; c < C; c++) yr[c] = xr[c] + pb[c];
        }
      };
      if (x.num_elements() >= kParallelMin) ctx->intra_op()->ParallelFor(l.outer, 2 * C, body);
      else body(0, l.outer);
      return;
    }
    // One "row" = one (outer, channel) pair of `inner` elements sharing a bias.
    const int64_t rows = l.outer * C;
    auto body = [=](int64_t s, int64_t e) {
      for (int64_t r = s; r < e; r++) {
        const T bias = pb[r % C];
        const T* xi = px + r * inner;
        T* yi = py + r * inner;
        for (int64_t i = 0; i < inner; i++) yi[i] = xi[i] + bias;
      }
    };
    if (x.num_elements() >= kParallelMin) ctx->intra_op()->ParallelFor(rows, 2 * inner, body);
    else body(0, rows);
  }

 private:
  bool nchw_;
};

// Sums the gradient over every dimension but the channel one.
template <typename T>
class BiasAddGradOp : public OpKernel {
 public:
  explicit BiasAddGradOp(const KernelConstruction& c) : OpKernel(c), nchw_(IsNCHW(c.node)) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& g = ctx->input(0);
    if (g.dims() < 2) throw ctx->InvalidArg("Input tensor must be at least 2D: " + ShapeString(g.shape()));
    const BiasLayout l = LayoutOf(g.shape(), nchw_);
    Tensor& out = ctx->allocate_output(0, g.dtype(), {l.channels});
    using Acc = std::conditional_t<std::is_floating_point_v<T>, double, T>;
    const int64_t C = l.channels, inner = l.inner, row_size = C * inner;
    // Rows are summed in blocks of a fixed size (never depending on the thread count, so the
    // result is the same however many threads run), the blocks in parallel, then the block
    // sums in order. One block when small: the plain sequential sum.
    constexpr int64_t kBlockElems = 1 << 16;
    const int64_t rows_per_block = std::max<int64_t>(1, kBlockElems / std::max<int64_t>(1, row_size));
    const int64_t blocks = l.outer == 0 ? 0 : (l.outer + rows_per_block - 1) / rows_per_block;
    std::vector<Acc> partial(static_cast<size_t>(std::max<int64_t>(blocks, 1) * C), Acc(0));
    const T* pg = g.data<T>();
    auto body = [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; b++) {
        Acc* acc = partial.data() + b * C;
        const int64_t end = std::min(l.outer, (b + 1) * rows_per_block);
        for (int64_t o = b * rows_per_block; o < end; o++) {
          const T* row = pg + o * row_size;
          if (inner == 1) {
            for (int64_t c = 0; c < C; c++) acc[c] += row[c];
          } else {
            for (int64_t c = 0; c < C; c++) {
              Acc s = 0;
              const T* p = row + c * inner;
              for (int64_t i = 0; i < inner; i++) s += p[i];
              acc[c] += s;
            }
          }
        }
      }
    };
    if (blocks > 1) ctx->intra_op()->ParallelFor(blocks, rows_per_block * row_size, body);
    else body(0, blocks);
    T* po = out.data<T>();
    for (int64_t c = 0; c < C; c++) {
      Acc s = partial[c];
      for (int64_t b = 1; b < blocks; b++) s += partial[b * C + c];
      po[c] = static_cast<T>(s);
    }
  }

 private:
  bool nchw_;
};

// ---------- L2Loss: sum(t^2) / 2 ----------

template <typename T>
class L2LossOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& x = ctx->input(0);
    const T* p = x.data<T>();
    double s = 0;  // double accumulation keeps float sums of big tensors precise
    for (int64_t i = 0; i < x.num_elements(); i++) s += static_cast<double>(p[i]) * static_cast<double>(p[i]);
    Tensor& out = ctx->allocate_output(0, x.dtype(), {});
    *out.data<T>() = static_cast<T>(s * 0.5);
  }
};

// TF registers Relu/Relu6 (and their grads) for all real number types, the rest for floats.
TG_REGISTER_KERNEL_FOR_TYPES(Name("Relu").Device(DEVICE_CPU), "T", ReluK, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("ReluGrad").Device(DEVICE_CPU), "T", ReluGradK, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Relu6").Device(DEVICE_CPU), "T", Relu6K, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Relu6Grad").Device(DEVICE_CPU), "T", Relu6GradK, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Elu").Device(DEVICE_CPU), "T", EluK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("EluGrad").Device(DEVICE_CPU), "T", EluGradK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Selu").Device(DEVICE_CPU), "T", SeluK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("SeluGrad").Device(DEVICE_CPU), "T", SeluGradK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("LeakyRelu").Device(DEVICE_CPU), "T", LeakyReluK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("LeakyReluGrad").Device(DEVICE_CPU), "T", LeakyReluGradK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Softplus").Device(DEVICE_CPU), "T", SoftplusK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("SoftplusGrad").Device(DEVICE_CPU), "T", SoftplusGradK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("Softsign").Device(DEVICE_CPU), "T", SoftsignK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("SoftsignGrad").Device(DEVICE_CPU), "T", SoftsignGradK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("BiasAdd").Device(DEVICE_CPU), "T", BiasAddOp, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("BiasAddGrad").Device(DEVICE_CPU), "T", BiasAddGradOp, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t);
TG_REGISTER_KERNEL_FOR_TYPES(Name("L2Loss").Device(DEVICE_CPU), "T", L2LossOp, float, double);

}  // namespace
}  // namespace tg
