#include "runtime/device.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <random>

#include "runtime/gpu_platform.h"
#include "runtime/status.h"
#include "runtime/tensor.h"

namespace tg {

const char* DeviceTypeName(DeviceType t) { return t == DeviceType::kGPU ? "GPU" : "CPU"; }

uint64_t Device::NewIncarnation() {
  static std::mutex mu;
  static std::mt19937_64 rng(std::random_device{}() ^ static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::lock_guard<std::mutex> lock(mu);
  uint64_t v;
  do v = rng(); while (v == 0);  // 0 reads as "unset" in an attr
  return v;
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

DeviceMgr::DeviceMgr(int num_cpus, int num_gpus, const GpuOptions& gpu_options, ThreadPool* intra_op,
                     const std::string& job, int task, uint64_t incarnation)
    : job_(job), task_(task) {
  for (int i = 0; i < std::max(1, num_cpus); i++) {
    devices_.push_back(std::make_unique<Device>("/job:" + job + "/replica:0/task:" + std::to_string(task) + "/device:CPU:" + std::to_string(i),
                                                DeviceType::kCPU, i, intra_op,
                                                incarnation != 0 ? incarnation + i : Device::NewIncarnation()));
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

namespace {
Device* FindRemote(const std::vector<std::unique_ptr<Device>>& devices, const ParsedDeviceName& req) {
  for (const auto& d : devices) {
    ParsedDeviceName n;
    if (!ParsedDeviceName::Parse(d->name, &n)) continue;
    if ((req.has_job && req.job != n.job) || (req.has_replica && req.replica != n.replica) ||
        (req.has_task && req.task != n.task) || (req.has_type && req.type != n.type) || (req.has_id && req.id != n.id)) {
      continue;
    }
    return d.get();
  }
  return nullptr;
}
}  // namespace

Device* DeviceMgr::Find(const ParsedDeviceName& req) const {
  // A session's own devices belong to one task (/job:localhost/replica:0/task:0 in-process);
  // a server's master also knows the other tasks' devices.
  if ((req.has_job && req.job != job_) || (req.has_replica && req.replica != 0) || (req.has_task && req.task != task_)) {
    if (!resolver_) return nullptr;
    std::lock_guard<std::mutex> lock(remote_mu_);
    if (Device* d = FindRemote(remote_, req)) return d;
    for (auto& d : resolver_(req)) {
      if (!FindRemote(remote_, ParsedDeviceName::ParseOrThrow(d->name))) remote_.push_back(std::move(d));
    }
    return FindRemote(remote_, req);
  }
  for (const auto& d : devices_) {
    if (req.has_type && req.type != DeviceTypeName(d->type)) continue;
    if (req.has_id && d->index != req.id) continue;
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
