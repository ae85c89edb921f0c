#include "kernels/cpu/dnnl_util.h"

#include <algorithm>

#include "runtime/threadpool.h"

namespace tg {
namespace dnnl_util {

dnnl::engine& Engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& Stream() {
  thread_local dnnl::stream stream(Engine());
  return stream;
}

dnnl::memory::desc Desc(const dims& d, tag t) { return dnnl::memory::desc(d, dnnl::memory::data_type::f32, t); }

dnnl::memory Mem(const dnnl::memory::desc& md, const void* data) {
  return dnnl::memory(md, Engine(), const_cast<void*>(data));
}

dnnl::primitive_attr Attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

void Execute(const OpKernelContext* ctx, const dnnl::primitive& prim, const dnnl::primitive_desc_base& pd,
             std::unordered_map<int, dnnl::memory> args) {
  ThreadPool::TeamClaim team;
  Guard(ctx, [&] {
    dnnl::memory::desc sd = pd.scratchpad_desc();
    dnnl::memory scratch;
    if (sd.get_size() > 0) {
      scratch = dnnl::memory(sd, Engine());  // owned by oneDNN, freed with the object
      args.emplace(DNNL_ARG_SCRATCHPAD, scratch);
    }
    prim.execute(Stream(), args);
    Stream().wait();
  });
}

void Sgemm(const OpKernelContext* ctx, bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, const float* b,
           float* c, int64_t lda, int64_t ldb, int64_t ldc) {
  if (k == 0) {
    for (int64_t i = 0; i < m; i++) std::fill(c + i * (ldc ? ldc : n), c + i * (ldc ? ldc : n) + n, 0.0f);
    return;
  }
  ThreadPool::TeamClaim team(2 * m * n * k);
  const dnnl_status_t st = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, a, lda ? lda : (ta ? m : k), b,
                                      ldb ? ldb : (tb ? k : n), 0.0f, c, ldc ? ldc : n);
  if (st != dnnl_success) throw Error(Code::kInternal, "oneDNN sgemm failed with status " + std::to_string(st), ctx->node().name);
}

bool FusedRelu(const KernelConstruction& c) {
  const std::vector<std::string>& ops = c.node.AttrStrings("fused_ops");
  const bool relu = ops.size() == 2 && ops[0] == "BiasAdd" && ops[1] == "Relu";
  if (!relu && !(ops.size() == 1 && ops[0] == "BiasAdd")) {
    throw Error(Code::kUnimplemented, c.node.op + " supports fused_ops [BiasAdd] and [BiasAdd, Relu]", c.node.name);
  }
  if (c.node.AttrInt("num_args", 0) != 1) throw Error(Code::kInvalidArgument, c.node.op + " with BiasAdd takes one argument (the bias)", c.node.name);
  return relu;
}

void Reorder(const OpKernelContext* ctx, const dnnl::reorder& r, const dnnl::memory& from, const dnnl::memory& to) {
  ThreadPool::TeamClaim team;
  Guard(ctx, [&] {
    r.execute(Stream(), const_cast<dnnl::memory&>(from), const_cast<dnnl::memory&>(to));
    Stream().wait();
  });
}

}  // namespace dnnl_util
}  // namespace tg
