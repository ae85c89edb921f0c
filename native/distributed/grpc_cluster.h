// The cluster as a server's master and worker see it over gRPC (TF's WorkerCacheInterface,
// RpcRendezvousMgr and the master's remote partitions): channels to the other tasks, this
// task's per-step rendezvous (a _Recv whose sender is on another task asks that task with
// RecvTensor), and the ClusterEnv a master session places and runs partitions through.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <grpcpp/generic/generic_stub.h>

#include "runtime/cluster.h"
#include "worker_service.grpc.pb.h"

namespace tg {

// "/job:<job>/replica:0/task:<task>"
std::string TaskName(const std::string& job, int task);

// One channel and stub per task of the cluster, made on first use.
class WorkerChannels {
 public:
  WorkerChannels(std::string job, int task, const tensorflow::ClusterDef& cluster)
      : job_(std::move(job)), task_(task), cluster_(cluster) {}
  bool IsLocal(const std::string& job, int task) const { return job == job_ && task == task_; }
  const std::string& job() const { return job_; }
  int task() const { return task_; }
  const tensorflow::ClusterDef& cluster() const { return cluster_; }
  // InvalidArgument when the cluster has no such task.
  std::string Address(const std::string& job, int task) const;
  tensorflow::WorkerService::Stub* Stub(const std::string& job, int task);
  // The same channel for calls whose messages this side encodes itself (RecvTensor).
  grpc::GenericStub* RawStub(const std::string& job, int task);

 private:
  const std::string job_;
  const int task_;
  const tensorflow::ClusterDef cluster_;
  std::mutex mu_;
  struct Peer {
    std::unique_ptr<tensorflow::WorkerService::Stub> stub;
    std::unique_ptr<grpc::GenericStub> raw;
  };
  Peer& PeerOf(const std::string& job, int task);  // with mu_ held
  std::map<std::string, Peer> peers_;  // by address
};

// A step's rendezvous on a server: receives of values sent on another task are RecvTensor
// calls to it (asynchronous; aborting the rendezvous cancels them).
class RemoteRendezvous final : public Rendezvous, public std::enable_shared_from_this<RemoteRendezvous> {
 public:
  RemoteRendezvous(std::shared_ptr<WorkerChannels> channels, int64_t step_id)
      : channels_(std::move(channels)), step_id_(step_id) {}
  void RecvAsync(const std::string& key, DoneCallback done) override;
  void StartAbort(const Error& status) override;

 private:
  struct Call;
  std::shared_ptr<WorkerChannels> channels_;
  const int64_t step_id_;
  std::mutex mu_;
  bool aborted_ = false;
  Error abort_status_{Code::kAborted, "aborted"};
  std::set<std::shared_ptr<Call>> calls_;
};

// This task's rendezvous by step id, shared by its master's local partitions, RunGraph and
// RecvTensor. A step is created on demand and dropped by CleanupGraph; a step cleaned up
// recently is not created again (a late RecvTensor fails instead of waiting forever).
// A step that nothing runs here (its master's step, a RunGraph: they Hold it) and that sees no
// call for `ttl_ms` is dropped too, Aborted: its master died before CleanupGraph (TF's "workers
// should clean up step state by a TTL in case of master restarts").
class StepRendezvousMgr : public std::enable_shared_from_this<StepRendezvousMgr> {
 public:
  static constexpr int64_t kDefaultTtlMs = 60000;
  StepRendezvousMgr(std::shared_ptr<WorkerChannels> channels, int64_t ttl_ms = kDefaultTtlMs)
      : channels_(std::move(channels)), ttl_(std::chrono::milliseconds(ttl_ms > 0 ? ttl_ms : kDefaultTtlMs)) {}
  std::shared_ptr<Rendezvous> Find(int64_t step_id);
  // Find, and the step does not expire until the matching Release (it runs here meanwhile).
  std::shared_ptr<Rendezvous> Hold(int64_t step_id);
  void Release(int64_t step_id);
  // Drops the step (CleanupGraph): anything still waiting in it is Aborted.
  void Cleanup(int64_t step_id);
  // Drops the step, failing what waits in it with `reason`; it is not created again.
  void Abort(int64_t step_id, const Error& reason);
  void AbortAll(const Error& reason);

 private:
  using Clock = std::chrono::steady_clock;
  struct Step {
    std::shared_ptr<RemoteRendezvous> rendezvous;
    int holds = 0;
    Clock::time_point touched;  // the last call that named it
  };
  std::shared_ptr<RemoteRendezvous> FindLocked(int64_t step_id, int hold);  // with mu_ held
  void MarkDoneLocked(int64_t step_id);
  void ScheduleSweepLocked();
  void Sweep();  // on the timer thread: drops the expired steps

  std::shared_ptr<WorkerChannels> channels_;
  const Clock::duration ttl_;
  std::mutex mu_;
  std::unordered_map<int64_t, Step> steps_;
  std::unordered_set<int64_t> done_;
  std::deque<int64_t> done_order_;  // the most recent cleaned-up ids, oldest first
  bool sweep_scheduled_ = false;
};

// A master session's view of the cluster (one per session: its operation timeout bounds
// GetStatus, CreateWorkerSession and RegisterGraph). As TF's MasterSession, it has a worker
// session (CreateWorkerSession, named by the master session's handle) on each task it uses,
// made when the graph first needs that task, and deletes them when the session closes. With
// `isolate_session_state` those worker sessions have resources of their own (TF's flag of the
// same name in CreateWorkerSession).
class GrpcClusterEnv final : public ClusterEnv {
 public:
  GrpcClusterEnv(std::shared_ptr<WorkerChannels> channels, std::shared_ptr<StepRendezvousMgr> steps, int64_t timeout_ms,
                 std::string session_handle, uint64_t master_incarnation, bool isolate_session_state)
      : channels_(std::move(channels)), steps_(std::move(steps)), timeout_ms_(timeout_ms > 0 ? timeout_ms : kDefaultTimeoutMs),
        session_handle_(std::move(session_handle)), master_incarnation_(master_incarnation),
        isolate_session_state_(isolate_session_state) {}
  static constexpr int64_t kDefaultTimeoutMs = 10000;

  std::vector<std::unique_ptr<Device>> ResolveDevices(const ParsedDeviceName& request) override;
  std::unique_ptr<RemotePartition> Register(const Device& device, const Graph& partition) override;
  // Held until EndStep: the step runs here.
  std::shared_ptr<Rendezvous> StepRendezvous(int64_t step_id) override { return steps_->Hold(step_id); }
  void EndStep(int64_t step_id, const std::vector<const Device*>& devices) override;
  int64_t NewStepId() override;
  void Close() override;

 private:
  // This session on one task: the handle its calls name ("" with created false: TF's legacy
  // session, for a worker without CreateWorkerSession).
  struct TaskSession {
    bool ready = false;  // false while GetStatus/CreateWorkerSession are in flight
    bool created = false;
    std::string handle;
  };
  // CreateWorkerSession on `task`; UNIMPLEMENTED (an older worker) falls back to the legacy session.
  TaskSession CreateWorkerSession(const std::string& job, int task, const tensorflow::GetStatusResponse& status);

  std::shared_ptr<WorkerChannels> channels_;
  std::shared_ptr<StepRendezvousMgr> steps_;
  const int64_t timeout_ms_;
  const std::string session_handle_;
  const uint64_t master_incarnation_;
  const bool isolate_session_state_;
  std::mutex mu_;
  std::map<std::pair<std::string, int>, TaskSession> tasks_;  // tasks whose devices were asked
};

}  // namespace tg
