// What a server's master needs from the cluster to run a signature whose partitions are on
// other tasks (implemented over gRPC in distributed/; the runtime knows only this interface).
// A task's partitions are registered once (TF's RegisterGraph) and run per step (RunGraph);
// every task keeps one rendezvous per step id, which other tasks read with RecvTensor.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/cancellation.h"
#include "runtime/device_name.h"
#include "runtime/executor.h"  // NodeStats
#include "runtime/rendezvous.h"

namespace tg {

class Device;
class Graph;

// A partition registered on another task's worker; deregistered when destroyed.
class RemotePartition {
 public:
  using Done = std::function<void(const Status& status, std::vector<std::pair<std::string, RendezvousValue>> received,
                                  std::vector<NodeStats> stats)>;
  virtual ~RemotePartition() = default;
  // Runs it as step `step_id` (TF's RunGraph); `done` gets the values of `recv_keys` (the
  // partition's client-terminated sends) and, when `trace`, the partition's node times.
  // Cancelling `cancellation` cancels the call.
  virtual void RunAsync(int64_t step_id, const std::vector<std::string>& recv_keys, int64_t timeout_ms, bool trace,
                        const std::shared_ptr<CancellationManager>& cancellation, Done done) = 0;
};

class ClusterEnv {
 public:
  virtual ~ClusterEnv() = default;
  // Other tasks' devices a request names (DeviceMgr::RemoteResolver).
  virtual std::vector<std::unique_ptr<Device>> ResolveDevices(const ParsedDeviceName& request) = 0;
  // Registers a partition placed on `device` (a remote device) with its task's worker.
  virtual std::unique_ptr<RemotePartition> Register(const Device& device, const Graph& partition) = 0;
  // This task's rendezvous for the step (created on demand: a RecvTensor may come first).
  virtual std::shared_ptr<Rendezvous> StepRendezvous(int64_t step_id) = 0;
  // After the step: drops this task's rendezvous and asks `devices`' tasks to drop theirs
  // (TF's CleanupGraph).
  virtual void EndStep(int64_t step_id, const std::vector<const Device*>& devices) = 0;
  virtual int64_t NewStepId() = 0;
  // The master session closed (its steps have ended): the other tasks drop its state (TF's
  // DeleteWorkerSession).
  virtual void Close() {}
};

}  // namespace tg
