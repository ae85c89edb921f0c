// Softmax and LogSoftmax over the last dimension. float32 runs oneDNN's softmax / logsoftmax
// forward primitives on the tensor seen as [rows, classes] (created once per shape and cached
// in the kernel); float64 runs a max-shifted loop per row. The gradients are built in the
// graph from these outputs (nn_grad.ts), as TF1 does.
#include <dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "runtime/kernel.h"
#include "runtime/threadpool.h"

namespace tg {
namespace {

dnnl::engine& Engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// One row: out = softmax(in) or log_softmax(in), shifted by the max for stability.
template <typename T>
void SoftmaxRow(const T* in, T* out, int64_t n, bool log) {
  T mx = in[0];
  for (int64_t i = 1; i < n; i++) mx = std::max(mx, in[i]);
  T sum = 0;
  if (log) {
    for (int64_t i = 0; i < n; i++) sum += std::exp(in[i] - mx);
    const T lse = std::log(sum);
    for (int64_t i = 0; i < n; i++) out[i] = in[i] - mx - lse;
  } else {
    for (int64_t i = 0; i < n; i++) sum += (out[i] = std::exp(in[i] - mx));
    const T inv = T(1) / sum;
    for (int64_t i = 0; i < n; i++) out[i] *= inv;
  }
}

// A cached oneDNN primitive for one [rows, classes] shape.
struct SoftmaxPrim {
  dnnl::memory::desc md;
  dnnl::primitive prim;
  dnnl::memory::desc scratch;
};

template <typename T>
class SoftmaxOp : public OpKernel {
 public:
  SoftmaxOp(const KernelConstruction& c, bool log) : OpKernel(c), log_(log) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& x = ctx->input(0);
    if (x.dims() < 1) throw ctx->InvalidArg("logits must have >= 1 dimension, got " + ShapeString(x.shape()));
    Tensor& y = ctx->allocate_output(0, x.dtype(), x.shape());
    const int64_t cols = x.dim(x.dims() - 1);
    if (x.num_elements() == 0) return;
    const int64_t rows = x.num_elements() / cols;
    if constexpr (std::is_same_v<T, float>) {
      RunDnnl(ctx, x.data<float>(), y.data<float>(), rows, cols);
    } else {
      const T* px = x.data<T>();
      T* py = y.data<T>();
      const bool log = log_;
      auto body = [=](int64_t s, int64_t e) {
        for (int64_t r = s; r < e; r++) SoftmaxRow(px + r * cols, py + r * cols, cols, log);
      };
      if (x.num_elements() >= 32768) ctx->intra_op()->ParallelFor(rows, 20 * cols, body);
      else body(0, rows);
    }
  }

 private:
  std::shared_ptr<const SoftmaxPrim> Prim(int64_t rows, int64_t cols) const {
    const std::pair<int64_t, int64_t> key{rows, cols};
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = cache_.find(key);
      if (it != cache_.end()) return it->second;
    }
    auto p = std::make_shared<SoftmaxPrim>();
    p->md = dnnl::memory::desc({rows, cols}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::ab);
    // A user scratchpad: concurrent runs of the one primitive must not share scratch memory.
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (log_) {
      dnnl::logsoftmax_forward::primitive_desc pd({dnnl::prop_kind::forward_inference, p->md, 1}, attr, Engine());
      p->prim = dnnl::logsoftmax_forward(pd);
      p->scratch = pd.scratchpad_desc();
    } else {
      dnnl::softmax_forward::primitive_desc pd({dnnl::prop_kind::forward_inference, p->md, 1}, attr, Engine());
      p->prim = dnnl::softmax_forward(pd);
      p->scratch = pd.scratchpad_desc();
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (cache_.size() >= 16) cache_.clear();  // shapes rarely vary much; keep the map small
    return cache_.emplace(key, p).first->second;
  }

  void RunDnnl(OpKernelContext* ctx, const float* in, float* out, int64_t rows, int64_t cols) const {
    try {
      auto p = Prim(rows, cols);
      dnnl::stream stream(Engine());
      std::unordered_map<int, dnnl::memory> args{
          {DNNL_ARG_SRC, dnnl::memory(p->md, Engine(), const_cast<float*>(in))},
          {DNNL_ARG_DST, dnnl::memory(p->md, Engine(), out)}};
      if (p->scratch.get_size() > 0) args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(p->scratch, Engine()));
      ThreadPool::TeamClaim team(10 * rows * cols);  // ~10 flops per element
      p->prim.execute(stream, args);
      stream.wait();
    } catch (const dnnl::error& e) {
      throw Error(Code::kInternal, std::string("oneDNN softmax failed: ") + e.what(), ctx->node().name);
    }
  }

  bool log_;
  mutable std::mutex mu_;
  mutable std::map<std::pair<int64_t, int64_t>, std::shared_ptr<const SoftmaxPrim>> cache_;
};

template <typename T> struct SoftmaxK : SoftmaxOp<T> {
  explicit SoftmaxK(const KernelConstruction& c) : SoftmaxOp<T>(c, false) {}
};
template <typename T> struct LogSoftmaxK : SoftmaxOp<T> {
  explicit LogSoftmaxK(const KernelConstruction& c) : SoftmaxOp<T>(c, true) {}
};

TG_REGISTER_KERNEL_FOR_TYPES(Name("Softmax").Device(DEVICE_CPU), "T", SoftmaxK, float, double);
TG_REGISTER_KERNEL_FOR_TYPES(Name("LogSoftmax").Device(DEVICE_CPU), "T", LogSoftmaxK, float, double);

}  // namespace
}  // namespace tg
