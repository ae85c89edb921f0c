// A session: the runtime's graph, devices, variables and cached executors. The binding
// (and C++ tests) drive it; it knows nothing of JavaScript.
#pragma once

#include <atomic>

#include <cstdint>
#include <map>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/cluster.h"
#include "runtime/device.h"
#include "runtime/executor.h"
#include "runtime/partitioned_executor.h"
#include "runtime/gpu_platform.h"
#include "runtime/graph.h"
#include "runtime/placer.h"
#include "runtime/resource_mgr.h"
#include "runtime/session_interface.h"
#include "runtime/threadpool.h"

namespace tg {

struct SessionOptions {
  int num_cpus = 1;
  int num_gpus = -1;  // TF's deviceCount.GPU: the most GPUs to use; -1: all there are
  GpuOptions gpu_options;
  int inter_op_threads = 0;  // 0: number of cores
  int intra_op_threads = 0;  // 0: number of cores
  bool allow_soft_placement = false;
  bool log_device_placement = false;
  int64_t operation_timeout_ms = 0;
  // The task whose devices the session has ("/job:<job>/replica:0/task:<task>/...").
  std::string job = "localhost";
  int task = 0;
  // A server's device incarnation (its CPU:0's; DeviceMgr); 0: fresh ones for this session.
  uint64_t incarnation = 0;
  // Resources shared with other sessions (a server's: they outlive each session and
  // Close leaves them); null: the session's own, whose default container is the job name
  // ("localhost" in-process, as TF's devices).
  std::shared_ptr<ResourceMgr> shared_resources;
  // TF's ConfigProto.isolate_session_state, for a grpc:// session's server: its sessions get
  // resources of their own on every task instead of the server's. An in-process session's
  // resources are always its own (as TF's DirectSession).
  bool isolate_session_state = false;
  // The other tasks of the cluster (a server's master): nodes may be placed on their devices,
  // and their partitions run there. Null: this task's devices only.
  std::shared_ptr<ClusterEnv> cluster;
};

class Session : public SessionInterface {
 public:
  explicit Session(const SessionOptions& options);
  ~Session() override;

  // Adds nodes (a GraphDef delta) to the session's graph.
  void Extend(const uint8_t* data, size_t size) override;

  // An executor for the signature, built on first use and cached; the handle stays valid
  // until Close(). Returns the handle.
  int64_t MakeCallable(const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                       const std::vector<std::string>& targets) override;
  // Runs a step on the calling thread (and the inter-op pool) and waits for it.
  std::vector<Tensor> RunCallable(int64_t handle, const std::vector<Tensor>& feeds, const RunOptions& options,
                                  std::vector<NodeStats>* stats = nullptr) override;
  // Starts a step on the inter-op pool and returns at once; `done` gets its result on
  // whichever thread finishes it. Throws (without calling done) when the session is closed.
  void RunCallableAsync(int64_t handle, std::vector<Tensor> feeds, const RunOptions& options, StepDone done) override;
  // The same with the step's cancellation given by the caller (a server cancels the step of
  // a client that went away).
  void RunCallableAsync(int64_t handle, std::vector<Tensor> feeds, const RunOptions& options, StepDone done,
                        std::shared_ptr<CancellationManager> cancellation);
  // An asynchronous run of a step known to be short: when the callable never waits (see
  // Executor::NeverWaits), its feeds are small and its last step took under kInlineMicros,
  // runs it on the calling thread into *result and returns true (a thread hop each way costs
  // more than such a step); otherwise returns false and does nothing. Throws as RunCallableAsync.
  bool TryRunCallableInline(int64_t handle, std::vector<Tensor>& feeds, const RunOptions& options,
                            StepResult* result) override;
  static constexpr int64_t kInlineMicros = 50;
  static constexpr size_t kInlineFeedBytes = 64 << 10;

  // Convenience: MakeCallable + RunCallable.
  std::vector<Tensor> Run(const std::vector<std::string>& feed_names, const std::vector<Tensor>& feeds,
                          const std::vector<std::string>& fetches, const std::vector<std::string>& targets,
                          const RunOptions& options);

  // Cancels the steps in flight (a blocked dequeue fails with CancelledError), waits for
  // them to end, and releases the session's resources. Later runs fail with CancelledError.
  void Close() override;
  bool closed() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }
  // Clears the session's own containers (shared ones belong to their server, and a server's
  // isolated session answers only its server's Reset, as in TF).
  void ResetContainers(const std::vector<std::string>& containers) {
    if (!options_.shared_resources && !options_.cluster) resources_->Clear(containers);
  }
  const DeviceMgr& devices() const { return *devices_; }
  std::vector<std::string> TakePlacementLog() override { return placer_->TakeLog(); }
  std::vector<DeviceInfo> ListDevices() override;
  // With their _Send/_Recv nodes; feeds and fetches as client-terminated transfers.
  std::vector<std::vector<uint8_t>> PartitionGraphs(int64_t handle) override;

 private:
  void EndStep(const CancellationManager* step);  // removes a finished (or rejected) step
  void StartStep(int64_t handle, std::vector<Tensor> feeds, const RunOptions& options, StepDone done, bool caller_runs,
                 std::shared_ptr<CancellationManager> cancellation = nullptr);
  // Runs a step on the calling thread (and the inter-op pool) and waits for its result.
  StepResult RunStep(int64_t handle, std::vector<Tensor> feeds, const RunOptions& options);

  SessionOptions options_;
  int intra_threads_ = 1;  // resolved once (counting cores reads sysfs)
  std::unique_ptr<ThreadPool> inter_op_;
  std::unique_ptr<ThreadPool> intra_op_;
  std::unique_ptr<DeviceMgr> devices_;
  std::unique_ptr<Placer> placer_;
  std::shared_ptr<ResourceMgr> resources_;
  Graph graph_;
  mutable std::mutex mu_;  // guards graph extension, the cache, closed_ and in_flight_
  std::map<std::string, int64_t> signature_to_handle_;
  // By handle: the executor of a signature on one device, or (null there) the partitions of
  // one that spans devices.
  std::vector<std::unique_ptr<Executor>> executors_;
  std::vector<std::unique_ptr<PartitionedExecutor>> partitioned_;
  // By handle: whether the executor never waits, and its last step's duration (-1: none yet).
  struct CallableInfo {
    std::vector<std::string> feeds, fetches, targets;
    bool never_waits = false;
    std::atomic<int64_t> last_step_us{-1};
  };
  std::vector<std::unique_ptr<CallableInfo>> callable_info_;
  bool closed_ = false;
  std::vector<std::shared_ptr<CancellationManager>> in_flight_;  // one per running step
  std::condition_variable idle_cv_;                           // in_flight_ became empty
};

// All live sessions (tf.Session.reset clears containers in each).
void ResetAllSessions(const std::vector<std::string>& containers);
// Closes every live session (process exit: no step may outlive the runtime).
void CloseAllSessions();

}  // namespace tg
