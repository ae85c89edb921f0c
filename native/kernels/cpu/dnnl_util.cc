#include "kernels/cpu/dnnl_util.h"

#include <algorithm>

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

void Reorder(const OpKernelContext* ctx, const dnnl::reorder& r, const dnnl::memory& from, const dnnl::memory& to) {
  Guard(ctx, [&] {
    r.execute(Stream(), const_cast<dnnl::memory&>(from), const_cast<dnnl::memory&>(to));
    Stream().wait();
  });
}

}  // namespace dnnl_util
}  // namespace tg
