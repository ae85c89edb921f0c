#include "runtime/placer.h"

#include "runtime/kernel.h"
#include "runtime/op_def.h"
#include "runtime/status.h"

namespace tg {

Device* Placer::Place(const Node& node) {
  std::lock_guard<std::mutex> lock(mu_);
  return PlaceLocked(node, 0);
}

std::vector<std::string> Placer::TakeLog() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  out.swap(log_lines_);
  return out;
}

Device* Placer::PlaceLocked(const Node& node, int depth) {
  auto it = placed_.find(&node);
  if (it != placed_.end()) return it->second;
  const KernelRegistry& kernels = KernelRegistry::Global();
  Device* device = nullptr;

  std::string requested = node.device;
  // Colocation: follow the first `loc:@name` group to its node's placement.
  if (requested.empty() && depth < 64) {
    if (const AttrValue* cls = node.FindAttr("_class"); cls && cls->kind == fb::AttrKind::LIST_S) {
      for (const std::string& g : cls->list_s) {
        if (g.rfind("loc:@", 0) != 0) continue;
        Node* other = graph_ ? graph_->Find(g.substr(5)) : nullptr;
        if (other && other != &node) device = PlaceLocked(*other, depth + 1);
        break;
      }
    }
    // A colocated node without a kernel for its group's device (an int64 update of a GPU
    // variable, say) can only run on a CPU, which soft placement allows.
    if (device && !kernels.Find(node, device->type) && kernels.Find(node, DeviceType::kCPU)) {
      if (!soft_) {
        throw InvalidArgument("Cannot assign a device for operation " + node.name + ": it is colocated with a node on " +
                              device->name + " but no supported kernel for " + DeviceTypeName(device->type) +
                              " devices is available.\n" + kernels.RegisteredKernels(node.op), node.name);
      }
      device = devices_.cpu0();
    }
    // TF's resource and reference edges: a node taking a queue, accumulator or variable
    // handle runs where the handle was made (handles cannot cross processes), unless it
    // has no kernel for that device.
    if (!device && node.def) {
      for (size_t i = 0; i < node.inputs.size(); i++) {
        if (!IsRefOrResourceInput(*node.def, node, static_cast<int>(i))) continue;
        Device* producer = PlaceLocked(*node.inputs[i].node, depth + 1);
        if (kernels.Find(node, producer->type)) device = producer;
        break;
      }
    }
  }
  if (!device && !requested.empty()) {
    const ParsedDeviceName req = ParsedDeviceName::ParseOrThrow(requested);
    device = devices_.Find(req);
    if (!device && !soft_) {
      throw InvalidArgument("Cannot assign a device for operation " + node.name + ": Operation was explicitly assigned to " +
                            requested + " but available devices are " + devices_.ListNames() +
                            ". Make sure the device specification refers to a valid device.", node.name);
    }
    if (device && !kernels.Find(node, device->type) && kernels.Find(node, DeviceType::kCPU)) {
      if (!soft_) {
        throw InvalidArgument("Cannot assign a device for operation " + node.name + ": Could not satisfy explicit device specification '" +
                              requested + "' because no supported kernel for " + DeviceTypeName(device->type) +
                              " devices is available.\n" + kernels.RegisteredKernels(node.op), node.name);
      }
      device = nullptr;
    }
    if (!device && req.has_type && req.type == DeviceTypeName(DeviceType::kCPU)) {
      // Soft placement keeps a CPU request on some CPU.
      ParsedDeviceName any_cpu;
      any_cpu.has_type = true;
      any_cpu.type = DeviceTypeName(DeviceType::kCPU);
      device = devices_.Find(any_cpu);
    }
  }
  // TF's default: the first GPU when the op has a kernel for it (int32 kernels keep their
  // tensors in host memory there), else the first CPU.
  if (!device && requested.empty()) {
    Device* gpu = devices_.gpu0();
    if (gpu && kernels.Find(node, DeviceType::kGPU)) device = gpu;
  }
  if (!device) device = devices_.cpu0();
  placed_[&node] = device;
  if (log_) log_lines_.push_back(node.name + ": " + device->name);
  return device;
}

}  // namespace tg
