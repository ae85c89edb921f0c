// What the binding drives: the local Session (session.h) and the gRPC client session
// (distributed/grpc_session.h) both implement it, so callers switch only on the target.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/executor.h"

namespace tg {

// One device as TF's DeviceAttributes describes it (listDevices).
struct DeviceInfo {
  std::string name;  // "/job:ps/replica:0/task:0/device:CPU:0"
  std::string type;  // "CPU", "GPU"
  int64_t memory_limit = 0;
  std::string description;
};

// The key sessions cache a signature's callable handle under (feeds, fetches and targets in
// order: a different order is a different callable, as in TF).
inline std::string SignatureKey(const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                                const std::vector<std::string>& targets) {
  std::string key;
  for (const auto& f : feeds) key += f + ',';
  key += '|';
  for (const auto& f : fetches) key += f + ',';
  key += '|';
  for (const auto& t : targets) key += t + ',';
  return key;
}

class SessionInterface {
 public:
  virtual ~SessionInterface() = default;
  // Adds nodes (a FlatBuffers GraphDef delta) to the session's graph.
  virtual void Extend(const uint8_t* data, size_t size) = 0;
  // A handle for the signature (feeds/fetches tensor names, targets node names).
  virtual int64_t MakeCallable(const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                               const std::vector<std::string>& targets) = 0;
  // Runs a step and waits for it; throws its Error.
  virtual std::vector<Tensor> RunCallable(int64_t handle, const std::vector<Tensor>& feeds, const RunOptions& options,
                                          std::vector<NodeStats>* stats = nullptr) = 0;
  // Starts a step and returns at once; `done` gets its result on another thread. Throws
  // (without calling done) when the step cannot start.
  virtual void RunCallableAsync(int64_t handle, std::vector<Tensor> feeds, const RunOptions& options, StepDone done) = 0;
  // Runs a short step on the calling thread when that is cheaper (see Session); false: not run.
  virtual bool TryRunCallableInline(int64_t handle, std::vector<Tensor>& feeds, const RunOptions& options,
                                    StepResult* result) {
    return false;
  }
  virtual void Close() = 0;
  // Whether Close() was called (queue runner threads end quietly once it was).
  virtual bool closed() const = 0;
  virtual std::vector<DeviceInfo> ListDevices() = 0;
  // Placement lines of logDevicePlacement since the last call.
  virtual std::vector<std::string> TakePlacementLog() { return {}; }
  // The callable's graphs as run, one serialised GraphDef per device (TF's
  // RunMetadata.partition_graphs).
  virtual std::vector<std::vector<uint8_t>> PartitionGraphs(int64_t handle) {
    throw Error(Code::kUnimplemented, "partition graphs are not reported by this session");
  }
};

}  // namespace tg
