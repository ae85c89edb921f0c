// Devices of a session: n CPU devices sharing the machine (deviceCount {CPU: n}) and the
// GPUs the CUDA platform provides (gpu_platform.h). A device owns where its tensors live
// (its allocator) and, for a GPU, the streams its kernels and copies run on.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/allocator.h"
#include "runtime/device_name.h"

namespace tg {

class Tensor;
class ThreadPool;

enum class DeviceType { kCPU, kGPU };

const char* DeviceTypeName(DeviceType t);  // "CPU", "GPU"

class Device {
 public:
  Device(std::string name, DeviceType type, int index, ThreadPool* intra_op)
      : name(std::move(name)), type(type), index(index), intra_op(intra_op) {}
  // A local device whose incarnation is given (a server's: the same for every session on it,
  // and the one its GetStatus reports, so rendezvous keys made anywhere name it alike).
  Device(std::string name, DeviceType type, int index, ThreadPool* intra_op, uint64_t incarnation)
      : name(std::move(name)), type(type), index(index), intra_op(intra_op), incarnation(incarnation) {}
  // A device of another task of the cluster (TF's RemoteDevice): placement and partitioning
  // only; its partitions run on its task's worker. The incarnation is the one its task reported.
  Device(std::string name, DeviceType type, int index, uint64_t incarnation)
      : name(std::move(name)), type(type), index(index), intra_op(nullptr), incarnation(incarnation), remote(true) {}
  virtual ~Device() = default;

  const std::string name;  // "/job:localhost/replica:0/task:0/device:CPU:0"
  const DeviceType type;
  const int index;
  ThreadPool* const intra_op;  // kernels split work here (host code of any device)
  // Random per device object, fixed for its life (TF's incarnation): a rendezvous key names it, so
  // values sent to an earlier instance of a device of the same name are never taken.
  const uint64_t incarnation = NewIncarnation();
  static uint64_t NewIncarnation();
  const bool remote = false;  // on another task

  // Where tensors in this device's memory come from; null for host memory (CPU devices).
  virtual Allocator* allocator() const { return nullptr; }
  bool has_device_memory() const { return allocator() != nullptr; }
  // Bytes of memory this device may use (TF's memory_limit in listDevices; TF reports
  // 256 MiB for a CPU).
  virtual int64_t memory_limit() const { return int64_t{256} << 20; }
  // "device: 0, name: NVIDIA H200, pci bus id: ..., compute capability: 9.0" (GPUs).
  virtual std::string description() const { return ""; }

  // Copies for the edges that cross between host and this device's memory (devices with
  // their own memory only). CopyFromHost may return before the copy finished (the device's
  // own kernels are ordered after it); CopyToHost returns once the host tensor is complete.
  virtual Tensor CopyFromHost(const Tensor& host);
  virtual Tensor CopyToHost(const Tensor& device_tensor);
  // Waits for all work queued on the device.
  virtual void Synchronize() {}
};

struct GpuOptions;

class DeviceMgr {
 public:
  // num_gpus: the most GPUs to use (TF's deviceCount.GPU; -1: all the platform has).
  // job/task: the task whose devices these are (a server's; "localhost", 0 in-process).
  // incarnation: a server's CPU:i has incarnation + i (0: a fresh random one per device).
  DeviceMgr(int num_cpus, int num_gpus, const GpuOptions& gpu_options, ThreadPool* intra_op,
            const std::string& job = "localhost", int task = 0, uint64_t incarnation = 0);
  ~DeviceMgr();
  const std::vector<std::unique_ptr<Device>>& devices() const { return devices_; }
  // The first device that the request names (TF's IsSpecification: every part it sets
  // equals the device's, types compared as written), or null.
  // A request naming another task of the cluster asks the resolver for that task's devices
  // (once per task); they are found from then on.
  Device* Find(const ParsedDeviceName& req) const;
  // The devices of the tasks a request names that are not this task (a server's master asks
  // them with GetStatus; throws Unavailable/DeadlineExceeded for a task that does not answer).
  using RemoteResolver = std::function<std::vector<std::unique_ptr<Device>>(const ParsedDeviceName& req)>;
  void set_remote_resolver(RemoteResolver r) { resolver_ = std::move(r); }
  Device* cpu0() const { return devices_[0].get(); }
  Device* gpu0() const;  // null when there is no GPU
  std::string ListNames() const;  // "[ /job:.../device:CPU:0, ... ]"

 private:
  std::vector<std::unique_ptr<Device>> devices_;
  RemoteResolver resolver_;
  mutable std::mutex remote_mu_;
  mutable std::vector<std::unique_ptr<Device>> remote_;  // other tasks' devices resolved so far
  std::string job_;
  int task_ = 0;
};

}  // namespace tg
