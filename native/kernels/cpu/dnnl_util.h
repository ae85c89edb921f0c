// Helpers for the kernels that run on oneDNN (convolution, pooling, LRN, batch norm): the CPU
// engine, a stream per thread, memory descriptors for TF layouts, TF's window/padding arithmetic,
// execution with a per-call scratchpad, and a small per-kernel cache of primitives keyed by shape.
#pragma once

#include <dnnl.hpp>
#include <omp.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kernels/window.h"
#include "runtime/kernel.h"
#include "runtime/threadpool.h"

namespace tg {
namespace dnnl_util {

using dims = dnnl::memory::dims;
using tag = dnnl::memory::format_tag;

// The one CPU engine (engines are thread-safe) and this thread's in-order stream.
dnnl::engine& Engine();
dnnl::stream& Stream();

// A float32 memory descriptor with a plain layout, and a memory object over `data` (not owned).
dnnl::memory::desc Desc(const dims& d, tag t);
dnnl::memory Mem(const dnnl::memory::desc& md, const void* data);

// Attributes every cached primitive is created with: a user-managed scratchpad, so concurrent
// runs of one primitive never share scratch memory.
dnnl::primitive_attr Attr();

// Runs `prim` (created with Attr()) on this thread's stream and waits; `pd` gives the scratchpad
// size. oneDNN failures become tg::Error(kInternal) naming the node.
void Execute(const OpKernelContext* ctx, const dnnl::primitive& prim, const dnnl::primitive_desc_base& pd,
             std::unordered_map<int, dnnl::memory> args);

// oneDNN's sgemm on row-major matrices, c = op(a) * op(b) with op a transpose when ta/tb, and
// leading dimensions lda, ldb, ldc (0: the packed ones); k == 0 fills c with zeros. Holds a
// ThreadPool::TeamClaim, as Execute and Reorder do; a failure names the node.
void Sgemm(const OpKernelContext* ctx, bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, const float* b,
           float* c, int64_t lda = 0, int64_t ldb = 0, int64_t ldc = 0);

// The fused_ops of the remapper's _FusedMatMul/_FusedConv2D: true for [BiasAdd, Relu], false for
// [BiasAdd]; anything else is Unimplemented, and num_args must be 1 (the bias).
bool FusedRelu(const KernelConstruction& c);

// Copies `from` into `to` (layouts may differ) with a reorder primitive.
void Reorder(const OpKernelContext* ctx, const dnnl::reorder& r, const dnnl::memory& from, const dnnl::memory& to);

// Runs `fn`, turning dnnl::error into tg::Error(kInternal) naming the node.
template <typename F>
auto Guard(const OpKernelContext* ctx, F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const dnnl::error& e) {
    throw Error(Code::kInternal, std::string("oneDNN error: ") + e.what(), ctx->node().name);
  }
}

// TF's formats, windows and padding: kernels/window.h, shared by the CPU and GPU kernels.
using namespace window;  // NOLINT
inline tag DataTag(Format f) { return f == Format::kNHWC ? tag::nhwc : tag::nchw; }

// ---------- per-kernel cache of primitives ----------

// A small map from a shape key to an entry of primitives (created once, reused by every run).
// Kernels hold one as a `mutable` member: Compute is const and may run concurrently.
template <typename Entry>
class PrimitiveCache {
 public:
  using Key = std::vector<int64_t>;

  template <typename Make>
  std::shared_ptr<const Entry> Get(const Key& key, Make&& make) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = map_.find(key);
      if (it != map_.end()) return it->second;
    }
    std::shared_ptr<const Entry> e = make();  // outside the lock: primitive creation is slow
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, inserted] = map_.emplace(key, e);
    if (!inserted) return it->second;  // another run made one first
    order_.push_back(key);
    if (order_.size() > kMaxEntries) {  // oldest first out: shapes rarely vary much
      map_.erase(order_.front());
      order_.pop_front();
    }
    return e;
  }

 private:
  static constexpr size_t kMaxEntries = 16;
  std::mutex mu_;
  std::map<Key, std::shared_ptr<const Entry>> map_;
  std::deque<Key> order_;
};

// Concatenates shapes (and extra ints) into a cache key, and the OpenMP team a primitive made
// now would have: oneDNN fixes a primitive's thread count when it is made (its parallel regions
// ask for that many, whatever omp_set_num_threads says later), so a kernel takes its TeamClaim
// before the lookup and gets a primitive for that team (CoresFree() narrows it under load).
inline std::vector<int64_t> Key(std::initializer_list<const Shape*> shapes, std::initializer_list<int64_t> extra = {}) {
  std::vector<int64_t> k;
  for (const Shape* s : shapes) {
    k.push_back(static_cast<int64_t>(s->size()));
    k.insert(k.end(), s->begin(), s->end());
  }
  k.insert(k.end(), extra.begin(), extra.end());
  k.push_back(omp_get_max_threads());
  return k;
}

}  // namespace dnnl_util
}  // namespace tg
