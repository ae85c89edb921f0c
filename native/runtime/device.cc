#include "runtime/device.h"

#include <algorithm>
#include <cctype>

#include "runtime/gpu_platform.h"
#include "runtime/status.h"
#include "runtime/tensor.h"

namespace tg {

const char* DeviceTypeName(DeviceType t) { return t == DeviceType::kGPU ? "GPU" : "CPU"; }

namespace {
std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

DeviceRequest DeviceRequest::Parse(const std::string& spec) {
  DeviceRequest r;
  size_t pos = 0;
  auto bad = [&] { return InvalidArgument("Malformed device specification '" + spec + "'"); };
  while (pos < spec.size()) {
    if (spec[pos] != '/') throw bad();
    size_t next = spec.find('/', pos + 1);
    std::string part = spec.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
    pos = next == std::string::npos ? spec.size() : next;
    std::vector<std::string> f;
    size_t s = 0;
    for (size_t c; (c = part.find(':', s)) != std::string::npos; s = c + 1) f.push_back(part.substr(s, c - s));
    f.push_back(part.substr(s));
    std::string key = Upper(f[0]);
    std::string type, index;
    if (key == "JOB" && f.size() == 2) { r.job = f[1]; continue; }
    if ((key == "REPLICA" || key == "TASK") && f.size() == 2) continue;
    if ((key == "CPU" || key == "GPU") && f.size() == 2) { type = key; index = f[1]; }
    else if (key == "DEVICE" && f.size() == 3) { type = Upper(f[1]); index = f[2]; }
    else if (key == "DEVICE" && f.size() == 2) { type = Upper(f[1]); index = "*"; }
    else throw bad();
    if (type != "CPU" && type != "GPU") throw InvalidArgument("Unknown device type '" + type + "' in '" + spec + "'");
    r.has_type = true;
    r.type = type == "GPU" ? DeviceType::kGPU : DeviceType::kCPU;
    if (index == "*") r.index = -1;
    else if (!index.empty() && index.find_first_not_of("0123456789") == std::string::npos) r.index = std::stoi(index);
    else throw bad();
  }
  return r;
}

Tensor Device::CopyFromHost(const Tensor&) {
  throw Error(Code::kInternal, "device " + name + " has no memory of its own to copy into");
}

Tensor Device::CopyToHost(const Tensor&) {
  throw Error(Code::kInternal, "device " + name + " has no memory of its own to copy from");
}

namespace {

// TF's visible_device_list: "1,0" -> physical GPUs in TF index order; "" -> all of them.
std::vector<int> VisibleGpus(const std::string& list, int physical) {
  std::vector<int> out;
  if (list.empty()) {
    for (int i = 0; i < physical; i++) out.push_back(i);
    return out;
  }
  size_t s = 0;
  while (s <= list.size()) {
    size_t c = list.find(',', s);
    std::string id = list.substr(s, c == std::string::npos ? std::string::npos : c - s);
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
      throw InvalidArgument("Could not parse entry in 'visible_device_list': '" + id + "'. visible_device_list = " + list);
    }
    int g = std::stoi(id);
    if (g >= physical) {
      throw InvalidArgument("'visible_device_list' listed an invalid GPU id '" + id + "' but visible device count is " +
                            std::to_string(physical));
    }
    if (std::find(out.begin(), out.end(), g) != out.end()) {
      throw InvalidArgument("visible_device_list contained a duplicate entry: " + list);
    }
    out.push_back(g);
    if (c == std::string::npos) break;
    s = c + 1;
  }
  return out;
}

}  // namespace

DeviceMgr::DeviceMgr(int num_cpus, int num_gpus, const GpuOptions& gpu_options, ThreadPool* intra_op) {
  for (int i = 0; i < std::max(1, num_cpus); i++) {
    devices_.push_back(std::make_unique<Device>("/job:localhost/replica:0/task:0/device:CPU:" + std::to_string(i),
                                                DeviceType::kCPU, i, intra_op));
  }
  if (num_gpus == 0) return;
  GpuPlatform* platform = GetGpuPlatform();
  const int physical = platform ? platform->PhysicalDeviceCount() : 0;
  if (gpu_options.per_process_gpu_memory_fraction < 0 || gpu_options.per_process_gpu_memory_fraction > 1e6) {
    throw InvalidArgument("gpuOptions.perProcessGpuMemoryFraction must be >= 0, got " +
                          std::to_string(gpu_options.per_process_gpu_memory_fraction));
  }
  if (physical == 0) return;  // TF: a GPU count above what the machine has is not an error
  std::vector<int> visible = VisibleGpus(gpu_options.visible_device_list, physical);
  const int n = num_gpus < 0 ? static_cast<int>(visible.size()) : std::min<int>(num_gpus, visible.size());
  for (int i = 0; i < n; i++) devices_.push_back(platform->CreateDevice(i, visible[i], gpu_options, intra_op));
}

DeviceMgr::~DeviceMgr() = default;

Device* DeviceMgr::gpu0() const {
  for (const auto& d : devices_) if (d->type == DeviceType::kGPU) return d.get();
  return nullptr;
}

Device* DeviceMgr::Find(const DeviceRequest& req) const {
  if (!req.job.empty() && req.job != "localhost") return nullptr;
  for (const auto& d : devices_) {
    if (req.has_type && d->type != req.type) continue;
    if (req.index >= 0 && d->index != req.index) continue;
    return d.get();
  }
  return nullptr;
}

std::string DeviceMgr::ListNames() const {
  std::string s = "[";
  for (size_t i = 0; i < devices_.size(); i++) s += (i ? ", " : " ") + devices_[i]->name;
  return s + " ]";
}

}  // namespace tg
