#include "distributed/grpc_cluster.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <random>

#include "distributed/grpc_status.h"
#include "distributed/step_stats_coding.h"
#include "distributed/tensor_coding.h"
#include "runtime/device.h"
#include "runtime/graph.h"
#include "runtime/graph_def.h"
#include "runtime/graph_def_proto.h"

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

// Calls that nobody waits for (CleanupGraph, DeregisterGraph): their state lives until they end.
template <typename Req, typename Resp>
struct DetachedCall {
  grpc::ClientContext ctx;
  Req req;
  Resp resp;
  std::shared_ptr<WorkerChannels> keep;  // the stub outlives the call
};

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
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(-1);  // tensors over gRPC's 4 MiB default
    args.SetMaxSendMessageSize(-1);
    // A dead peer is found out quickly (a killed task's step fails fast, not after minutes).
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
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
  auto it = steps_.find(step_id);
  if (it != steps_.end()) return it->second;
  auto r = std::make_shared<RemoteRendezvous>(channels_, step_id);
  if (done_.count(step_id)) {
    r->StartAbort(Error(Code::kAborted, "Step " + std::to_string(step_id) + " has already been cleaned up"));
    return r;
  }
  steps_[step_id] = r;
  return r;
}

void StepRendezvousMgr::Cleanup(int64_t step_id) {
  std::shared_ptr<RemoteRendezvous> r;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = steps_.find(step_id);
    if (it != steps_.end()) {
      r = std::move(it->second);
      steps_.erase(it);
    }
    if (done_.insert(step_id).second) {
      done_order_.push_back(step_id);
      if (done_order_.size() > 4096) {
        done_.erase(done_order_.front());
        done_order_.pop_front();
      }
    }
  }
  // Anything still waiting in it belongs to a step that has ended.
  if (r) r->StartAbort(Error(Code::kAborted, "Step " + std::to_string(step_id) + " was cleaned up"));
}

void StepRendezvousMgr::AbortAll(const Error& reason) {
  std::unordered_map<int64_t, std::shared_ptr<RemoteRendezvous>> steps;
  {
    std::lock_guard<std::mutex> lock(mu_);
    steps.swap(steps_);
  }
  for (auto& [id, r] : steps) r->StartAbort(reason);
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
        if (!resolved_.insert(name).second) continue;
      }
      grpc::ClientContext ctx;
      ctx.set_deadline(DeadlineIn(timeout_ms_));
      // Wait for a task that is still starting, within the deadline (TF waits for its workers).
      ctx.set_wait_for_ready(true);
      tensorflow::GetStatusResponse resp;
      grpc::Status s = channels_->Stub(job.name(), task)->GetStatus(&ctx, {}, &resp);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        resolved_.erase(name);  // asked again next time
        throw Error(static_cast<Code>(s.error_code()), "Task " + name + " at " + address +
                                                           " did not answer (GetStatus): " + s.error_message());
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

namespace {

class GrpcRemotePartition final : public RemotePartition {
 public:
  GrpcRemotePartition(std::shared_ptr<WorkerChannels> channels, std::string job, int task, std::string handle)
      : channels_(std::move(channels)), job_(std::move(job)), task_(task), handle_(std::move(handle)) {}

  ~GrpcRemotePartition() override {
    // TF's DeregisterGraph; nobody waits for it (a dead task must not stall closing).
    auto* call = new DetachedCall<tensorflow::DeregisterGraphRequest, tensorflow::DeregisterGraphResponse>();
    call->keep = channels_;
    call->req.set_graph_handle(handle_);
    call->ctx.set_deadline(DeadlineIn(5000));
    try {
      channels_->Stub(job_, task_)->async()->DeregisterGraph(&call->ctx, &call->req, &call->resp,
                                                             [call](grpc::Status) { delete call; });
    } catch (...) {
      delete call;
    }
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
  const std::string handle_;
};

}  // namespace

std::unique_ptr<RemotePartition> GrpcClusterEnv::Register(const Device& device, const Graph& partition) {
  std::string job;
  int task = 0;
  TaskOf(device.name, &job, &task);
  tensorflow::RegisterGraphRequest req;
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
  return std::make_unique<GrpcRemotePartition>(channels_, job, task, resp.graph_handle());
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
  for (const auto& [job, task] : tasks) {
    auto* call = new DetachedCall<tensorflow::CleanupGraphRequest, tensorflow::CleanupGraphResponse>();
    call->keep = channels_;
    call->req.set_step_id(step_id);
    call->ctx.set_deadline(DeadlineIn(5000));
    try {
      channels_->Stub(job, task)->async()->CleanupGraph(&call->ctx, &call->req, &call->resp,
                                                        [call](grpc::Status) { delete call; });
    } catch (...) {
      delete call;
    }
  }
}

int64_t GrpcClusterEnv::NewStepId() {
  static std::mutex mu;
  static std::mt19937_64 gen(std::random_device{}());
  std::lock_guard<std::mutex> lock(mu);
  return static_cast<int64_t>(gen() >> 1);
}

}  // namespace tg
