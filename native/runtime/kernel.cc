#include "runtime/kernel.h"

#include <condition_variable>
#include <mutex>

namespace tg {

void AsyncOpKernel::Compute(OpKernelContext* ctx) const {
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  ComputeAsync(ctx, [&] {
    std::lock_guard<std::mutex> lock(mu);
    finished = true;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return finished; });
  ctx->status().Check();
}

KernelRegistry& KernelRegistry::Global() {
  static KernelRegistry* registry = new KernelRegistry();  // never destroyed: used by static registrars
  return *registry;
}

void KernelRegistry::Register(KernelDef def) { defs_.push_back(std::move(def)); }

const KernelDef* KernelRegistry::Find(const Node& node, DeviceType device) const {
  for (const KernelDef& d : defs_) {
    if (d.op != node.op || d.device != device) continue;
    if (d.type_attr.empty()) return &d;
    const AttrValue* a = node.FindAttr(d.type_attr);
    if (a && a->kind == fb::AttrKind::TYPE && a->type == d.dtype) return &d;
  }
  return nullptr;
}

bool KernelRegistry::HasOp(const std::string& op) const {
  for (const KernelDef& d : defs_) if (d.op == op) return true;
  return false;
}

std::string KernelRegistry::NoKernelMessage(const Node& node, DeviceType device) const {
  std::string attrs;
  for (const auto& [k, v] : node.attrs) {
    if (v.kind == fb::AttrKind::TYPE) attrs += (attrs.empty() ? "" : ", ") + k + "=DT_" + DataTypeName(v.type);
  }
  std::string msg = "No OpKernel was registered to support Op '" + node.op + "' used by node " + node.name +
                    " with these attrs: [" + attrs + "] on device type " + DeviceTypeName(device) + ".\nRegistered kernels:";
  bool any = false;
  for (const KernelDef& d : defs_) {
    if (d.op != node.op) continue;
    any = true;
    msg += std::string("\n  device='") + DeviceTypeName(d.device) + "'" +
           (d.type_attr.empty() ? "" : "; " + d.type_attr + " in [DT_" + DataTypeName(d.dtype) + "]");
  }
  if (!any) msg += " <no registered kernels>";
  return msg;
}

}  // namespace tg
