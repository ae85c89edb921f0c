#include "distributed/grpc_cluster.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "distributed/grpc_process.h"
#include "distributed/grpc_status.h"
#include "distributed/step_stats_coding.h"
#include "distributed/tensor_coding.h"
#include "runtime/device.h"
#include "runtime/graph.h"
#include "runtime/graph_def.h"
#include "runtime/graph_def_proto.h"
#include "runtime/timer.h"

namespace tg {

namespace {

std::chrono::system_clock::time_point DeadlineIn(int64_t ms) {
  return std::chrono::system_clock::now() + std::chrono::milliseconds(ms);
}

// The task of a device name ("/job:ps/replica:0/task:0/device:CPU:0" -> ps, 0).
void TaskOf(const std::string& device, std::string* job, int* task) {
  ParsedDeviceName n = ParsedDeviceName::ParseOrThrow(device);
  *job = n.has_job ? n.job : "localhost";
  *task = n.has_task ? n.task : 0;
}

// Calls that nobody waits for (CleanupGraph, DeregisterGraph, DeleteWorkerSession: a dead
// task must not stall a step or closing): their state lives until they end.
template <typename Req, typename Resp>
struct DetachedCall {
  grpc::ClientContext ctx;
  Req req;
  Resp resp;
  std::shared_ptr<WorkerChannels> keep;  // the stub outlives the call
};

// Sends `req` to `task` with the stub's asynchronous `method`, within 5 s, ignoring the answer.
using AsyncStub = tensorflow::WorkerService::StubInterface::async_interface;
template <typename Req, typename Resp>
void SendDetached(const std::shared_ptr<WorkerChannels>& channels, const std::string& job, int task, const Req& req,
                  void (AsyncStub::*method)(grpc::ClientContext*, const Req*, Resp*, std::function<void(grpc::Status)>)) {
  auto* call = new DetachedCall<Req, Resp>();
  call->keep = channels;
  call->req = req;
  call->ctx.set_deadline(DeadlineIn(5000));
  try {
    (channels->Stub(job, task)->async()->*method)(&call->ctx, &call->req, &call->resp, [call](grpc::Status) { delete call; });
  } catch (...) {
    delete call;
  }
}

}  // namespace

std::string TaskName(const std::string& job, int task) { return "/job:" + job + "/replica:0/task:" + std::to_string(task); }

std::string WorkerChannels::Address(const std::string& job, int task) const {
  for (const auto& j : cluster_.job()) {
    if (j.name() != job) continue;
    auto it = j.tasks().find(task);
    if (it != j.tasks().end()) return it->second;
  }
  throw InvalidArgument("Task " + TaskName(job, task) + " is not in the cluster");
}

WorkerChannels::Peer& WorkerChannels::PeerOf(const std::string& job, int task) {
  const std::string address = Address(job, task);
  Peer& peer = peers_[address];
  if (!peer.stub) {
    auto channel = NewChannel(address);
    peer.stub = tensorflow::WorkerService::NewStub(channel);
    peer.raw = std::make_unique<grpc::GenericStub>(channel);
  }
  return peer;
}

tensorflow::WorkerService::Stub* WorkerChannels::Stub(const std::string& job, int task) {
  std::lock_guard<std::mutex> lock(mu_);
  return PeerOf(job, task).stub.get();
}

grpc::GenericStub* WorkerChannels::RawStub(const std::string& job, int task) {
  std::lock_guard<std::mutex> lock(mu_);
  return PeerOf(job, task).raw.get();
}

struct RemoteRendezvous::Call {
  grpc::ClientContext ctx;
  grpc::ByteBuffer req;
  grpc::ByteBuffer resp;
};

void RemoteRendezvous::RecvAsync(const std::string& key, DoneCallback done) {
  std::string job;
  int task = 0;
  try {
    TaskOf(key.substr(0, key.find(';')), &job, &task);
  } catch (const Error& e) {
    done(Status(e), RendezvousValue());
    return;
  }
  if (channels_->IsLocal(job, task)) {
    RecvLocalAsync(key, std::move(done));
    return;
  }
  auto call = std::make_shared<Call>();
  grpc::GenericStub* stub;
  try {
    tensorflow::RecvTensorRequest req;
    req.set_step_id(step_id_);
    req.set_rendezvous_key(key);
    bool own = false;
    if (!grpc::SerializationTraits<tensorflow::RecvTensorRequest>::Serialize(req, &call->req, &own).ok()) {
      throw Error(Code::kInternal, "Could not encode the RecvTensorRequest for " + key);
    }
    stub = channels_->RawStub(job, task);
  } catch (const Error& e) {
    done(Status(e), RendezvousValue());
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (aborted_) {
      Error why = abort_status_;
      done(Status(why), RendezvousValue());
      return;
    }
    calls_.insert(call);
  }
  const std::string peer = TaskName(job, task);
  auto self = shared_from_this();
  stub->UnaryCall(&call->ctx, "/tensorflow.WorkerService/RecvTensor", grpc::StubOptions(), &call->req, &call->resp,
                  [self, call, peer, key, done = std::move(done)](grpc::Status s) {
                    {
                      std::lock_guard<std::mutex> lock(self->mu_);
                      self->calls_.erase(call);
                    }
                    RendezvousValue v;
                    Status status;
                    if (!s.ok()) {
                      status = Status(FromGrpcStatus(s, peer));
                    } else {
                      try {
                        v = DecodeRecvTensorResponse(&call->resp, "for " + key + " from " + peer);
                      } catch (const Error& e) {
                        status = Status(e);
                      }
                    }
                    done(status, std::move(v));
                  });
}

void RemoteRendezvous::StartAbort(const Error& status) {
  Rendezvous::StartAbort(status);
  std::set<std::shared_ptr<Call>> calls;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!aborted_) {
      aborted_ = true;
      abort_status_ = status;
    }
    calls = calls_;
  }
  for (const auto& c : calls) c->ctx.TryCancel();  // their callbacks report Cancelled
}

std::shared_ptr<Rendezvous> StepRendezvousMgr::Find(int64_t step_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return FindLocked(step_id, 0);
}

std::shared_ptr<Rendezvous> StepRendezvousMgr::Hold(int64_t step_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return FindLocked(step_id, 1);
}

std::shared_ptr<RemoteRendezvous> StepRendezvousMgr::FindLocked(int64_t step_id, int hold) {
  auto it = steps_.find(step_id);
  if (it == steps_.end()) {
    auto r = std::make_shared<RemoteRendezvous>(channels_, step_id);
    if (done_.count(step_id)) {
      r->StartAbort(Error(Code::kAborted, "Step " + std::to_string(step_id) + " has already been cleaned up"));
      return r;
    }
    it = steps_.emplace(step_id, Step{r, 0, {}}).first;
    ScheduleSweepLocked();
  }
  it->second.holds += hold;
  it->second.touched = Clock::now();
  return it->second.rendezvous;
}

void StepRendezvousMgr::Release(int64_t step_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = steps_.find(step_id);
  if (it == steps_.end()) return;  // cleaned up already
  it->second.holds--;
  it->second.touched = Clock::now();
}

void StepRendezvousMgr::Cleanup(int64_t step_id) {
  Abort(step_id, Error(Code::kAborted, "Step " + std::to_string(step_id) + " was cleaned up"));
}

void StepRendezvousMgr::Abort(int64_t step_id, const Error& reason) {
  std::shared_ptr<RemoteRendezvous> r;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = steps_.find(step_id);
    if (it != steps_.end()) {
      r = std::move(it->second.rendezvous);
      steps_.erase(it);
    }
    MarkDoneLocked(step_id);
  }
  // Anything still waiting in it belongs to a step that has ended.
  if (r) r->StartAbort(reason);
}

void StepRendezvousMgr::MarkDoneLocked(int64_t step_id) {
  if (!done_.insert(step_id).second) return;
  done_order_.push_back(step_id);
  if (done_order_.size() > 4096) {
    done_.erase(done_order_.front());
    done_order_.pop_front();
  }
}

void StepRendezvousMgr::AbortAll(const Error& reason) {
  std::unordered_map<int64_t, Step> steps;
  {
    std::lock_guard<std::mutex> lock(mu_);
    steps.swap(steps_);
  }
  for (auto& [id, s] : steps) s.rendezvous->StartAbort(reason);
}

// A sweep every quarter TTL while there are steps: a step expires between 1 and 1.25 TTLs
// after its last call.
void StepRendezvousMgr::ScheduleSweepLocked() {
  if (sweep_scheduled_) return;
  sweep_scheduled_ = true;
  std::weak_ptr<StepRendezvousMgr> weak = weak_from_this();
  Timer::Global().Schedule(Clock::now() + std::max<Clock::duration>(ttl_ / 4, std::chrono::milliseconds(1)), [weak] {
    if (auto self = weak.lock()) self->Sweep();
  });
}

void StepRendezvousMgr::Sweep() {
  std::vector<std::pair<int64_t, std::shared_ptr<RemoteRendezvous>>> expired;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sweep_scheduled_ = false;
    const Clock::time_point now = Clock::now();
    for (auto it = steps_.begin(); it != steps_.end();) {
      if (it->second.holds <= 0 && now - it->second.touched >= ttl_) {
        expired.emplace_back(it->first, std::move(it->second.rendezvous));
        MarkDoneLocked(it->first);
        it = steps_.erase(it);
      } else {
        ++it;
      }
    }
    if (!steps_.empty()) ScheduleSweepLocked();
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(ttl_).count();
  for (auto& [id, r] : expired) {
    r->StartAbort(Error(Code::kAborted, "Step " + std::to_string(id) + " expired on " + TaskName(channels_->job(), channels_->task()) +
                                            ": nothing ran it or named it for " + std::to_string(ms) +
                                            " ms (its master may have died before CleanupGraph)"));
  }
}

std::vector<std::unique_ptr<Device>> GrpcClusterEnv::ResolveDevices(const ParsedDeviceName& req) {
  std::vector<std::unique_ptr<Device>> out;
  for (const auto& job : channels_->cluster().job()) {
    if (req.has_job && req.job != job.name()) continue;
    std::map<int, std::string> tasks(job.tasks().begin(), job.tasks().end());
    for (const auto& [task, address] : tasks) {
      if ((req.has_task && req.task != task) || channels_->IsLocal(job.name(), task)) continue;
      const std::string name = TaskName(job.name(), task);
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!tasks_.emplace(std::make_pair(job.name(), task), TaskSession()).second) continue;
      }
      // The task's devices with their incarnations (the rendezvous keys of this session name
      // them: a restarted task is found out), then this session's state there.
      tensorflow::GetStatusResponse resp;
      TaskSession session;
      try {
        grpc::ClientContext ctx;
        ctx.set_deadline(DeadlineIn(timeout_ms_));
        // Wait for a task that is still starting, within the deadline (TF waits for its workers).
        ctx.set_wait_for_ready(true);
        grpc::Status s = channels_->Stub(job.name(), task)->GetStatus(&ctx, {}, &resp);
        if (!s.ok()) {
          throw Error(static_cast<Code>(s.error_code()), "Task " + name + " at " + address +
                                                             " did not answer (GetStatus): " + s.error_message());
        }
        session = CreateWorkerSession(job.name(), task, resp);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu_);
        tasks_.erase({job.name(), task});  // asked again next time
        throw;
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        session.ready = true;
        tasks_[{job.name(), task}] = session;
      }
      for (const auto& d : resp.device_attributes()) {
        ParsedDeviceName n = ParsedDeviceName::ParseOrThrow(d.name());
        out.push_back(std::make_unique<Device>(d.name(), d.device_type() == "GPU" ? DeviceType::kGPU : DeviceType::kCPU,
                                               n.has_id ? n.id : 0, static_cast<uint64_t>(d.incarnation())));
      }
    }
  }
  return out;
}

GrpcClusterEnv::TaskSession GrpcClusterEnv::CreateWorkerSession(const std::string& job, int task,
                                                                const tensorflow::GetStatusResponse& status) {
  tensorflow::CreateWorkerSessionRequest req;
  req.set_session_handle(session_handle_);
  req.set_isolate_session_state(isolate_session_state_);
  tensorflow::ServerDef* def = req.mutable_server_def();
  *def->mutable_cluster() = channels_->cluster();
  def->set_job_name(job);
  def->set_task_index(task);
  def->set_protocol("grpc");
  *req.mutable_cluster_device_attributes() = status.device_attributes();
  req.set_master_task(TaskName(channels_->job(), channels_->task()));
  req.set_master_incarnation(static_cast<int64_t>(master_incarnation_));
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(timeout_ms_));
  tensorflow::CreateWorkerSessionResponse resp;
  grpc::Status s = channels_->Stub(job, task)->CreateWorkerSession(&ctx, req, &resp);
  TaskSession out;
  if (s.error_code() == grpc::StatusCode::UNIMPLEMENTED) return out;  // TF's fallback: the legacy session
  if (!s.ok()) {
    Error e = FromGrpcStatus(s, TaskName(job, task) + " at " + channels_->Address(job, task));
    throw Error(e.code(), "CreateWorkerSession on " + TaskName(job, task) + " failed: " + e.what());
  }
  out.created = true;
  out.handle = session_handle_;
  return out;
}

void GrpcClusterEnv::Close() {
  std::map<std::pair<std::string, int>, TaskSession> tasks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    tasks.swap(tasks_);
  }
  for (const auto& [task, session] : tasks) {
    if (!session.created) continue;
    tensorflow::DeleteWorkerSessionRequest req;
    req.set_session_handle(session.handle);
    SendDetached<tensorflow::DeleteWorkerSessionRequest, tensorflow::DeleteWorkerSessionResponse>(
        channels_, task.first, task.second, req, &AsyncStub::DeleteWorkerSession);
  }
}

namespace {

class GrpcRemotePartition final : public RemotePartition {
 public:
  GrpcRemotePartition(std::shared_ptr<WorkerChannels> channels, std::string job, int task, std::string session,
                      bool session_created, std::string handle)
      : channels_(std::move(channels)), job_(std::move(job)), task_(task), session_(std::move(session)),
        session_created_(session_created), handle_(std::move(handle)) {}

  ~GrpcRemotePartition() override {
    // TF's DeregisterGraph (after its session closed, the worker session has taken it already).
    tensorflow::DeregisterGraphRequest req;
    req.set_graph_handle(handle_);
    req.set_session_handle(session_);
    req.set_create_worker_session_called(session_created_);
    SendDetached<tensorflow::DeregisterGraphRequest, tensorflow::DeregisterGraphResponse>(
        channels_, job_, task_, req, &AsyncStub::DeregisterGraph);
  }

  void RunAsync(int64_t step_id, const std::vector<std::string>& recv_keys, int64_t timeout_ms, bool trace,
                const std::shared_ptr<CancellationManager>& cancellation, Done done) override {
    struct Call {
      grpc::ClientContext ctx;
      tensorflow::RunGraphRequest req;
      tensorflow::RunGraphResponse resp;
    };
    auto call = std::make_shared<Call>();
    call->req.set_graph_handle(handle_);
    call->req.set_session_handle(session_);
    call->req.set_create_worker_session_called(session_created_);
    call->req.set_step_id(step_id);
    for (const auto& k : recv_keys) call->req.add_recv_key(k);
    call->req.mutable_exec_opts()->set_record_timeline(trace);
    if (timeout_ms > 0) call->ctx.set_deadline(DeadlineIn(timeout_ms));
    const CancellationManager::Token token = cancellation->NewToken();
    if (!cancellation->Register(token, [call](const Error&) { call->ctx.TryCancel(); })) {
      done(Status(cancellation->reason()), {}, {});
      return;
    }
    const std::string peer = TaskName(job_, task_);
    tensorflow::WorkerService::Stub* stub;
    try {
      stub = channels_->Stub(job_, task_);
    } catch (const Error& e) {
      cancellation->Deregister(token);
      done(Status(e), {}, {});
      return;
    }
    stub->async()->RunGraph(&call->ctx, &call->req, &call->resp,
                            [call, cancellation, token, peer, done = std::move(done)](grpc::Status s) {
                              cancellation->Deregister(token);
                              std::vector<std::pair<std::string, RendezvousValue>> received;
                              std::vector<NodeStats> stats;
                              Status status;
                              if (!s.ok()) {
                                status = Status(FromGrpcStatus(s, peer));
                              } else {
                                try {
                                  for (const auto& r : call->resp.recv()) {
                                    RendezvousValue v;
                                    v.tensor = TensorFromTfProto(r.tensor(), "received from " + peer);
                                    received.emplace_back(r.name(), std::move(v));
                                  }
                                  stats = StatsFromProto(call->resp.step_stats());
                                } catch (const Error& e) {
                                  status = Status(e);
                                }
                              }
                              done(status, std::move(received), std::move(stats));
                            });
  }

 private:
  std::shared_ptr<WorkerChannels> channels_;
  const std::string job_;
  const int task_;
  const std::string session_;  // the worker session (TaskSession)
  const bool session_created_;
  const std::string handle_;
};

}  // namespace

std::unique_ptr<RemotePartition> GrpcClusterEnv::Register(const Device& device, const Graph& partition) {
  std::string job;
  int task = 0;
  TaskOf(device.name, &job, &task);
  TaskSession session;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tasks_.find({job, task});
    // The device came from ResolveDevices, which made the session (unless it closed since).
    if (it == tasks_.end() || !it->second.ready) {
      throw Error(Code::kAborted, "RegisterGraph: the session has no worker session on " + TaskName(job, task));
    }
    session = it->second;
  }
  tensorflow::RegisterGraphRequest req;
  req.set_session_handle(session.handle);
  req.set_create_worker_session_called(session.created);
  const std::vector<uint8_t> bytes = SerializeGraph(partition);
  GraphDefToProto(bytes.data(), bytes.size(), req.mutable_graph_def());
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(timeout_ms_));
  tensorflow::RegisterGraphResponse resp;
  grpc::Status s = channels_->Stub(job, task)->RegisterGraph(&ctx, req, &resp);
  if (!s.ok()) {
    Error e = FromGrpcStatus(s, TaskName(job, task) + " at " + channels_->Address(job, task));
    throw Error(e.code(), "RegisterGraph on " + TaskName(job, task) + " failed: " + e.what(), e.node());
  }
  return std::make_unique<GrpcRemotePartition>(channels_, job, task, session.handle, session.created, resp.graph_handle());
}

void GrpcClusterEnv::EndStep(int64_t step_id, const std::vector<const Device*>& devices) {
  steps_->Cleanup(step_id);
  std::set<std::pair<std::string, int>> tasks;
  for (const Device* d : devices) {
    std::string job;
    int task = 0;
    TaskOf(d->name, &job, &task);
    tasks.insert({job, task});
  }
  tensorflow::CleanupGraphRequest req;
  req.set_step_id(step_id);
  for (const auto& [job, task] : tasks) {
    SendDetached<tensorflow::CleanupGraphRequest, tensorflow::CleanupGraphResponse>(
        channels_, job, task, req, &AsyncStub::CleanupGraph);
  }
}

int64_t GrpcClusterEnv::NewStepId() {
  static std::mutex mu;
  static std::mt19937_64 gen(std::random_device{}());
  std::lock_guard<std::mutex> lock(mu);
  return static_cast<int64_t>(gen() >> 1);
}

}  // namespace tg
