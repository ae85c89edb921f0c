// Element-wise kernels: functors, broadcasting, and the generic unary/binary kernel classes.
// Loops run over contiguous memory with fast paths for the common broadcasts (same shape,
// scalar on either side, row vector) so the compiler vectorises them; big tensors are split
// over the intra-op pool.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/threadpool.h"

namespace tg {

namespace cwise {
struct Add { template <typename T> static T Apply(T a, T b) { return a + b; } };
struct Sub { template <typename T> static T Apply(T a, T b) { return a - b; } };
struct Mul { template <typename T> static T Apply(T a, T b) { return a * b; } };
}  // namespace cwise

// How two shapes broadcast: the output shape and, per output dim, each input's stride
// (0 where that input is broadcast).
struct BroadcastPlan {
  Shape out;
  std::vector<int64_t> stride_a, stride_b;
};
// Throws InvalidArgument "Incompatible shapes: [2,3] vs. [4]" naming the node.
BroadcastPlan MakeBroadcastPlan(const Shape& a, const Shape& b, const std::string& node);

// The offsets into a and b of `index`, a row-major index over the first `ndims` dims of
// plan.out.
inline void BroadcastOffsets(const BroadcastPlan& plan, int ndims, int64_t index, int64_t* oa, int64_t* ob) {
  int64_t rem = index, a = 0, b = 0;
  for (int d = ndims - 1; d >= 0; d--) {
    const int64_t idx = rem % plan.out[d];
    rem /= plan.out[d];
    a += idx * plan.stride_a[d];
    b += idx * plan.stride_b[d];
  }
  *oa = a;
  *ob = b;
}

// Elements below this many run on the calling thread.
constexpr int64_t kParallelThreshold = 32768;

template <typename In, typename Out, typename F>
void BinaryLoop(OpKernelContext* ctx, const Tensor& a, const Tensor& b, Tensor* out, const BroadcastPlan& plan) {
  const In* pa = a.data<In>();
  const In* pb = b.data<In>();
  Out* po = out->data<Out>();
  const int64_t n = out->num_elements();
  auto run = [&](auto&& body) {
    if (n >= kParallelThreshold) ctx->intra_op()->ParallelFor(n, 4, body);
    else body(0, n);
  };
  if (a.num_elements() == n && b.num_elements() == n) {
    run([&](int64_t s, int64_t e) { for (int64_t i = s; i < e; i++) po[i] = F::Apply(pa[i], pb[i]); });
  } else if (b.num_elements() == 1) {
    const In y = pb[0];
    run([&](int64_t s, int64_t e) { for (int64_t i = s; i < e; i++) po[i] = F::Apply(pa[i], y); });
  } else if (a.num_elements() == 1) {
    const In x = pa[0];
    run([&](int64_t s, int64_t e) { for (int64_t i = s; i < e; i++) po[i] = F::Apply(x, pb[i]); });
  } else {
    // General case: loop over rows of the last dimension, computing each row's offsets.
    const int r = static_cast<int>(plan.out.size());
    const int64_t inner = plan.out[r - 1];
    const int64_t sa = plan.stride_a[r - 1], sb = plan.stride_b[r - 1];
    const int64_t rows = n / std::max<int64_t>(inner, 1);
    auto body = [&](int64_t s, int64_t e) {
      for (int64_t row = s; row < e; row++) {
        int64_t oa, ob;
        BroadcastOffsets(plan, r - 1, row, &oa, &ob);
        Out* o = po + row * inner;
        const In* xa = pa + oa;
        const In* xb = pb + ob;
        if (sa == 1 && sb == 1) for (int64_t i = 0; i < inner; i++) o[i] = F::Apply(xa[i], xb[i]);
        else if (sa == 1) for (int64_t i = 0; i < inner; i++) o[i] = F::Apply(xa[i], xb[0]);
        else if (sb == 1) for (int64_t i = 0; i < inner; i++) o[i] = F::Apply(xa[0], xb[i]);
        else for (int64_t i = 0; i < inner; i++) o[i] = F::Apply(xa[0], xb[0]);
      }
    };
    if (n >= kParallelThreshold) ctx->intra_op()->ParallelFor(rows, 4 * inner, body);
    else body(0, rows);
  }
}

struct NoInputCheck {
  void operator()(const Tensor&) const {}
};

// Output 0 = F(input 0, input 1) with numpy broadcasting. When the output is not empty,
// check(input 1) runs before any element is computed (a kernel's divisor / exponent checks).
template <typename In, typename Out, typename F, typename Check = NoInputCheck>
void ComputeBinary(OpKernelContext* ctx, Check check = Check()) {
  const Tensor& a = ctx->input(0);
  const Tensor& b = ctx->input(1);
  BroadcastPlan plan = MakeBroadcastPlan(a.shape(), b.shape(), ctx->node().name);
  Tensor& out = ctx->forward_input_or_allocate_output({0, 1}, 0, DataTypeOf<Out>(), plan.out);
  if (out.num_elements() == 0) return;
  check(b);
  BinaryLoop<In, Out, F>(ctx, a, b, &out, plan);
}

// z = F(x, y) with numpy broadcasting; Out is bool for comparisons.
template <typename In, typename Out, typename F>
class BinaryOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override { ComputeBinary<In, Out, F>(ctx); }
  bool IsExpensive() const override { return true; }
};

// y = F(x).
template <typename In, typename Out, typename F>
class UnaryOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& a = ctx->input(0);
    Tensor& out = ctx->forward_input_or_allocate_output({0}, 0, DataTypeOf<Out>(), a.shape());
    const In* pa = a.data<In>();
    Out* po = out.data<Out>();
    const int64_t n = a.num_elements();
    auto body = [&](int64_t s, int64_t e) { for (int64_t i = s; i < e; i++) po[i] = F::Apply(pa[i]); };
    if (n >= kParallelThreshold) ctx->intra_op()->ParallelFor(n, 8, body);
    else body(0, n);
  }
};

}  // namespace tg
