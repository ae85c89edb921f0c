#include "runtime/kernel.h"

#include <algorithm>
#include <cctype>
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

void RegisterKernel(const register_kernel::Name& def, KernelFactory factory) {
  KernelDef d = def.def();
  d.factory = std::move(factory);
  KernelRegistry::Global().Register(std::move(d));
}

void KernelRegistry::Register(KernelDef def) {
  std::lock_guard<std::mutex> lock(mu_);
  defs_.push_back(std::move(def));
}

const KernelDef* KernelRegistry::Find(const Node& node, DeviceType device) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const KernelDef& d : defs_) {
    if (d.op != node.op || d.device != device) continue;
    if (d.type_attr.empty()) return &d;
    const AttrValue* a = node.FindAttr(d.type_attr);
    if (a && a->kind == fb::AttrKind::TYPE && a->type == d.dtype) return &d;
  }
  return nullptr;
}

void KernelRegistry::RegisterInt32CpuKernelsOnGpu() {
  std::vector<KernelDef> add;
  std::unique_lock<std::mutex> lock(mu_);
  for (const KernelDef& d : defs_) {
    if (d.device != DeviceType::kCPU || d.dtype != DataType::DT_INT32 || d.type_attr.empty()) continue;
    bool on_gpu = false;
    for (const KernelDef& g : defs_) {
      on_gpu |= g.device == DeviceType::kGPU && g.op == d.op && g.type_attr == d.type_attr && g.dtype == d.dtype;
    }
    if (on_gpu) continue;
    KernelDef g = d;
    g.device = DeviceType::kGPU;
    g.all_host = true;
    add.push_back(std::move(g));
  }
  lock.unlock();
  for (KernelDef& g : add) Register(std::move(g));
}

bool KernelDef::InputOnHost(int i) const {
  return device == DeviceType::kCPU || all_host || std::find(host_inputs.begin(), host_inputs.end(), i) != host_inputs.end();
}

bool KernelDef::OutputOnHost(int i) const {
  return device == DeviceType::kCPU || all_host || std::find(host_outputs.begin(), host_outputs.end(), i) != host_outputs.end();
}

Tensor OpKernelContext::AllocateOnDevice(DataType dtype, Shape shape) const {
  Allocator* a = device_->allocator();
  const size_t size = DataTypeSize(dtype);
  if (!a || size == 0) throw Error(Code::kInternal, "cannot allocate " + DataTypeName(dtype) + " in the memory of " + device_->name, node_.name);
  const size_t bytes = static_cast<size_t>(NumElements(shape)) * size;
  try {
    return Tensor(dtype, std::move(shape), a->AllocateBuffer(bytes));
  } catch (const Error& e) {
    throw e.node().empty() ? Error(e.code(), std::string(e.what()) + "\n\t [[node " + node_.name + " on " + device_->name + "]]", node_.name) : e;
  }
}

namespace {
// TF's enum spelling in messages: DT_FLOAT, DT_INT32.
std::string EnumName(DataType t) {
  std::string n = DataTypeName(t);
  for (char& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "DT_" + n;
}
}  // namespace

std::string KernelRegistry::RegisteredKernels(const std::string& op) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string msg = "Registered kernels:";
  bool any = false;
  for (const KernelDef& d : defs_) {
    if (d.op != op) continue;
    any = true;
    msg += std::string("\n  device='") + DeviceTypeName(d.device) + "'" +
           (d.type_attr.empty() ? "" : "; " + d.type_attr + " in [" + EnumName(d.dtype) + "]");
  }
  if (!any) msg += " <no registered kernels>";
  return msg;
}

std::vector<KernelDef> KernelRegistry::Defs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {defs_.begin(), defs_.end()};
}

std::string KernelRegistry::NoKernelMessage(const Node& node, DeviceType device) const {
  std::string attrs;
  for (const auto& [k, v] : node.attrs) {
    if (v.kind == fb::AttrKind::TYPE) attrs += (attrs.empty() ? "" : ", ") + k + "=" + EnumName(v.type);
  }
  return "No OpKernel was registered to support Op '" + node.op + "' used by node " + node.name + " with these attrs: [" +
         attrs + "] on device type " + DeviceTypeName(device) + ".\n" + RegisteredKernels(node.op);
}

std::vector<std::string> KernelRegistry::OpTypes() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> ops;
  for (const KernelDef& d : defs_) ops.push_back(d.op);
  std::sort(ops.begin(), ops.end());
  ops.erase(std::unique(ops.begin(), ops.end()), ops.end());
  return ops;
}

}  // namespace tg
