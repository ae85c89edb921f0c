#include "distributed/grpc_server.h"

#include <grpcpp/grpcpp.h>

#include <climits>
#include <cstdio>
#include <map>
#include <random>
#include <set>

#include "distributed/grpc_cluster.h"
#include "distributed/grpc_process.h"
#include "distributed/grpc_status.h"
#include "distributed/step_stats_coding.h"
#include "distributed/tensor_coding.h"
#include "runtime/device.h"
#include "runtime/executor.h"
#include "runtime/graph.h"
#include "runtime/threadpool.h"
#include "master_service.grpc.pb.h"
#include "runtime/graph_def_proto.h"
#include "runtime/resource_mgr.h"
#include "runtime/session.h"
#include "worker_service.grpc.pb.h"

namespace tg {

namespace {

std::string TaskPrefix(const std::string& job, int task) {
  return "/job:" + job + "/replica:0/task:" + std::to_string(task);
}

// Runs a handler body; its exceptions become the call's status (the server survives them).
template <typename F>
grpc::Status Handle(F&& body) {
  try {
    body();
    return grpc::Status::OK;
  } catch (...) {
    return StatusOfException(std::current_exception());
  }
}

uint64_t RandomU64() {
  static std::mutex mu;
  static std::mt19937_64 gen(std::random_device{}());
  std::lock_guard<std::mutex> lock(mu);
  return gen();
}

}  // namespace

// A step served on gRPC's callback API: it holds no server thread while it waits (a blocked
// dequeue), and a client that goes away (cancelled call, dropped connection) cancels it, as
// TF's master does, so it cannot take a value meant for a later step.
class StepReactor final : public grpc::ServerUnaryReactor {
 public:
  StepReactor() : cancellation_(std::make_shared<CancellationManager>()) {}
  const std::shared_ptr<CancellationManager>& cancellation() const { return cancellation_; }
  void OnCancel() override { cancellation_->StartCancel(Error(Code::kCancelled, "The client cancelled the step")); }
  void OnDone() override { delete this; }

 private:
  std::shared_ptr<CancellationManager> cancellation_;
};

using MasterServiceBase = tensorflow::MasterService::WithRawCallbackMethod_RunStep<
    tensorflow::MasterService::WithCallbackMethod_RunCallable<tensorflow::MasterService::Service>>;

// The master: one runtime Session per client session, on this task's devices, all sharing
// the server's resources unless the session's config isolates it.
class MasterServiceImpl final : public MasterServiceBase {
 public:
  MasterServiceImpl(std::string job, int task, const tensorflow::ClusterDef& cluster, const tensorflow::ConfigProto& defaults,
                    int64_t step_ttl_ms)
      : job_(std::move(job)), task_(task), cluster_(cluster), defaults_(defaults),
        resources_(std::make_shared<ResourceMgr>(job_)), incarnation_(RandomU64()),
        channels_(std::make_shared<WorkerChannels>(job_, task_, cluster)),
        steps_(std::make_shared<StepRendezvousMgr>(channels_, step_ttl_ms)) {}

  const std::string& job() const { return job_; }
  int task() const { return task_; }
  const tensorflow::ConfigProto& defaults() const { return defaults_; }
  const std::shared_ptr<ResourceMgr>& resources() const { return resources_; }
  StepRendezvousMgr& steps() { return *steps_; }
  uint64_t incarnation() const { return incarnation_; }  // its CPU:0's (GetStatus), CPU:i's is + i

  std::vector<tensorflow::DeviceAttributes> Devices() const {
    tensorflow::DeviceAttributes d;
    d.set_name(TaskPrefix(job_, task_) + "/device:CPU:0");
    d.set_device_type("CPU");
    d.set_memory_limit(int64_t{256} << 20);
    d.set_incarnation(incarnation_);
    return {d};
  }

  // Closes every session (server shutdown).
  void CloseAll() {
    std::map<std::string, std::shared_ptr<Entry>> sessions;
    {
      std::lock_guard<std::mutex> lock(mu_);
      sessions.swap(sessions_);
    }
    for (auto& [h, e] : sessions) e->session->Close();
  }

  grpc::Status CreateSession(grpc::ServerContext*, const tensorflow::CreateSessionRequest* req,
                             tensorflow::CreateSessionResponse* resp) override {
    return Handle([&] {
      char handle[17];
      std::snprintf(handle, sizeof(handle), "%016llx", static_cast<unsigned long long>(RandomU64()));
      auto entry = std::make_shared<Entry>();
      entry->session = std::make_shared<Session>(OptionsFor(req->config(), handle));
      if (req->graph_def().node_size() > 0) {
        std::vector<uint8_t> bytes = GraphDefFromProto(req->graph_def());
        entry->session->Extend(bytes.data(), bytes.size());
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        sessions_[handle] = entry;
      }
      resp->set_session_handle(handle);
      resp->set_graph_version(0);
    });
  }

  grpc::Status ExtendSession(grpc::ServerContext*, const tensorflow::ExtendSessionRequest* req,
                             tensorflow::ExtendSessionResponse* resp) override {
    return Handle([&] {
      auto entry = Find(req->session_handle());
      std::lock_guard<std::mutex> lock(entry->mu);
      if (req->current_graph_version() != entry->version) {
        throw Error(Code::kFailedPrecondition, "Current graph version " + std::to_string(req->current_graph_version()) +
                                                   " does not match the session's " + std::to_string(entry->version));
      }
      std::vector<uint8_t> bytes = GraphDefFromProto(req->graph_def());
      entry->session->Extend(bytes.data(), bytes.size());
      resp->set_new_graph_version(++entry->version);
    });
  }

  grpc::Status PartialRunSetup(grpc::ServerContext*, const tensorflow::PartialRunSetupRequest*,
                               tensorflow::PartialRunSetupResponse*) override {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "PartialRunSetup is not supported by tensorgraph servers");
  }

  // Raw bytes both ways, as RecvTensor: large feeds are parsed straight into tensors, and large
  // fetched tensors go out from their own memory (distributed/tensor_coding.h).
  grpc::ServerUnaryReactor* RunStep(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override {
    auto* reactor = new StepReactor();
    try {
      tensorflow::RunStepRequest req;
      std::vector<NamedTensor> fed;
      grpc::ByteBuffer bytes(*request);
      DecodeRunStepRequest(&bytes, "from the client", &req, &fed);
      if (!req.partial_run_handle().empty()) throw Error(Code::kUnimplemented, "Partial runs are not supported");
      auto entry = Find(req.session_handle());
      std::vector<std::string> feed_names;
      std::vector<Tensor> feeds;
      for (auto& [name, t] : fed) {
        feed_names.push_back(name);
        feeds.push_back(std::move(t));
      }
      std::vector<std::string> fetches(req.fetch().begin(), req.fetch().end());
      std::vector<std::string> targets(req.target().begin(), req.target().end());
      int64_t handle = entry->session->MakeCallable(feed_names, fetches, targets);
      LogPlacements(*entry->session);
      auto resp = std::make_shared<tensorflow::RunStepResponse>();
      StartRun(ctx, reactor, *entry, handle, std::move(feeds), req.options(), resp->mutable_metadata(),
               [resp, response, fetches](const std::vector<Tensor>& out) {
                 std::vector<NamedTensor> named;
                 for (size_t i = 0; i < out.size(); i++) named.emplace_back(fetches[i], out[i]);
                 *response = EncodeRunStepResponse(*resp, named);
               });
    } catch (...) {
      reactor->Finish(StatusOfException(std::current_exception()));
    }
    return reactor;
  }

  grpc::Status CloseSession(grpc::ServerContext*, const tensorflow::CloseSessionRequest* req,
                            tensorflow::CloseSessionResponse*) override {
    return Handle([&] {
      std::shared_ptr<Entry> entry = Find(req->session_handle());
      {
        std::lock_guard<std::mutex> lock(mu_);
        sessions_.erase(req->session_handle());
      }
      entry->session->Close();
    });
  }

  // This task's devices, then every other task's (asked with the worker service's
  // GetStatus; a task that does not answer is Unavailable, naming it).
  grpc::Status ListDevices(grpc::ServerContext* ctx, const tensorflow::ListDevicesRequest* req,
                           tensorflow::ListDevicesResponse* resp) override {
    return Handle([&] {
      if (!req->session_handle().empty()) Find(req->session_handle());
      for (const auto& d : Devices()) *resp->add_local_device() = d;
      ForEachOtherTask([&](const std::string& task, const std::string& address) {
        auto stub = tensorflow::WorkerService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
        grpc::ClientContext call;
        call.set_deadline(std::min(ctx->deadline(), std::chrono::system_clock::now() + std::chrono::seconds(10)));
        tensorflow::GetStatusResponse status;
        grpc::Status s = stub->GetStatus(&call, {}, &status);
        if (!s.ok()) {
          throw Error(static_cast<Code>(s.error_code()), "ListDevices: task " + task + " at " + address +
                                                             " did not answer: " + s.error_message());
        }
        for (const auto& d : status.device_attributes()) *resp->add_remote_device() = d;
      });
    });
  }

  // TF's Master::Reset: closes every session on this master and clears the containers on
  // every task of the cluster (here, then CleanupAll on the others; as TF, a task that does not
  // answer is logged, not an error).
  grpc::Status Reset(grpc::ServerContext*, const tensorflow::ResetRequest* req, tensorflow::ResetResponse*) override {
    return Handle([&] {
      CloseAll();
      std::vector<std::string> containers(req->container().begin(), req->container().end());
      ClearContainers(containers);
      tensorflow::CleanupAllRequest cleanup;
      for (const auto& c : containers) cleanup.add_container(c);
      ForEachOtherTask([&](const std::string& task, const std::string& address) {
        auto stub = tensorflow::WorkerService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
        grpc::ClientContext call;
        call.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        tensorflow::CleanupAllResponse resp;
        grpc::Status s = stub->CleanupAll(&call, cleanup, &resp);
        if (!s.ok()) std::fprintf(stderr, "Reset: could not clean up %s at %s: %s\n", task.c_str(), address.c_str(), s.error_message().c_str());
      });
    });
  }

  // Drops this task's containers (none named: the default container, the job name).
  void ClearContainers(const std::vector<std::string>& containers) {
    resources_->Clear(containers.empty() ? std::vector<std::string>{job_} : containers);
  }

  grpc::Status MakeCallable(grpc::ServerContext*, const tensorflow::MakeCallableRequest* req,
                            tensorflow::MakeCallableResponse* resp) override {
    return Handle([&] {
      auto entry = Find(req->session_handle());
      const auto& o = req->options();
      int64_t h = entry->session->MakeCallable({o.feed().begin(), o.feed().end()}, {o.fetch().begin(), o.fetch().end()},
                                               {o.target().begin(), o.target().end()});
      LogPlacements(*entry->session);
      std::lock_guard<std::mutex> lock(entry->mu);
      entry->callable_options[h] = o;
      resp->set_handle(h);
    });
  }

  grpc::ServerUnaryReactor* RunCallable(grpc::CallbackServerContext* ctx, const tensorflow::RunCallableRequest* req,
                                        tensorflow::RunCallableResponse* resp) override {
    auto* reactor = new StepReactor();
    try {
      auto entry = Find(req->session_handle());
      tensorflow::CallableOptions o;
      {
        std::lock_guard<std::mutex> lock(entry->mu);
        auto it = entry->callable_options.find(req->handle());
        if (it == entry->callable_options.end()) {
          throw InvalidArgument("No such callable handle: " + std::to_string(req->handle()));
        }
        o = it->second;
      }
      std::vector<Tensor> feeds;
      for (int i = 0; i < req->feed_size(); i++) feeds.push_back(TensorFromTfProto(req->feed(i), "fed to " + o.feed(i)));
      StartRun(ctx, reactor, *entry, req->handle(), std::move(feeds), o.run_options(), resp->mutable_metadata(),
               [resp](const std::vector<Tensor>& out) {
                 for (const Tensor& t : out) TensorToTfProto(t, resp->add_fetch());
               });
    } catch (...) {
      reactor->Finish(StatusOfException(std::current_exception()));
    }
    return reactor;
  }

  grpc::Status ReleaseCallable(grpc::ServerContext*, const tensorflow::ReleaseCallableRequest* req,
                               tensorflow::ReleaseCallableResponse*) override {
    return Handle([&] {
      auto entry = Find(req->session_handle());
      std::lock_guard<std::mutex> lock(entry->mu);
      // The runtime keeps the executor cached for its signature; only the handle goes.
      if (!entry->callable_options.erase(req->handle())) {
        throw InvalidArgument("No such callable handle: " + std::to_string(req->handle()));
      }
    });
  }

 private:
  struct Entry {
    std::shared_ptr<Session> session;
    std::mutex mu;  // guards version and callable_options
    int64_t version = 0;
    std::map<int64_t, tensorflow::CallableOptions> callable_options;
  };

  // Calls fn(task name, address) for every task of the cluster but this one, in job and task order.
  template <typename Fn>
  void ForEachOtherTask(const Fn& fn) const {
    for (const auto& job : cluster_.job()) {
      std::map<int, std::string> tasks(job.tasks().begin(), job.tasks().end());
      for (const auto& [index, address] : tasks) {
        if (job.name() != job_ || index != task_) fn(TaskPrefix(job.name(), index), address);
      }
    }
  }

  // logDevicePlacement: as TF's servers, the placements go to the server's log (stderr).
  static void LogPlacements(Session& session) {
    for (const std::string& line : session.TakePlacementLog()) std::fprintf(stderr, "%s\n", line.c_str());
  }

  std::shared_ptr<Entry> Find(const std::string& handle) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(handle);
    // TF's words: a client of a restarted (or reset) server learns its session is gone.
    if (it == sessions_.end()) throw Error(Code::kAborted, "Session " + handle + " is not found.");
    return it->second;
  }

  // `handle` names the session's worker sessions on the other tasks.
  SessionOptions OptionsFor(const tensorflow::ConfigProto& requested, const std::string& handle) const {
    tensorflow::ConfigProto c = defaults_;
    c.MergeFrom(requested);  // set fields of the client's config win
    SessionOptions o;
    auto cpu = c.device_count().find("CPU");
    o.num_cpus = cpu != c.device_count().end() ? cpu->second : 1;
    o.num_gpus = 0;  // servers are CPU-only so far
    o.inter_op_threads = c.inter_op_parallelism_threads();
    o.intra_op_threads = c.intra_op_parallelism_threads();
    o.allow_soft_placement = c.allow_soft_placement();
    o.log_device_placement = c.log_device_placement();
    o.operation_timeout_ms = c.operation_timeout_in_ms();
    o.job = job_;
    o.task = task_;
    o.incarnation = incarnation_;
    // Isolated (TF's isolate_session_state): the session's own resources here (Session makes
    // them, default container the job name, dropped at Close) and in its worker sessions.
    o.isolate_session_state = c.isolate_session_state();
    if (!o.isolate_session_state) o.shared_resources = resources_;
    o.cluster = std::make_shared<GrpcClusterEnv>(channels_, steps_, o.operation_timeout_ms, handle, incarnation_,
                                                 o.isolate_session_state);
    return o;
  }

  // Starts the step; when it ends, `fill` writes its fetched tensors into the response and
  // the reactor finishes the call (on whichever thread ended the step).
  void StartRun(grpc::CallbackServerContext* ctx, StepReactor* reactor, Entry& entry, int64_t handle,
                std::vector<Tensor> feeds, const tensorflow::RunOptions& ro, tensorflow::RunMetadata* metadata,
                std::function<void(const std::vector<Tensor>&)> fill) {
    RunOptions opts;
    opts.timeout_ms = ro.timeout_in_ms();
    // A client deadline bounds the step too (its waits end when the client gave up).
    if (ctx->deadline() != std::chrono::system_clock::time_point::max()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(ctx->deadline() - std::chrono::system_clock::now()).count();
      left = std::max<int64_t>(1, left);
      if (opts.timeout_ms <= 0 || left < opts.timeout_ms) opts.timeout_ms = left;
    }
    opts.trace = ro.trace_level() > tensorflow::RunOptions::NO_TRACE;
    const bool trace = opts.trace;
    StepDone done = [reactor, metadata, trace, fill = std::move(fill)](StepResult r) {
      if (!r.status.ok()) {
        reactor->Finish(ToGrpcStatus(r.status.error()));
        return;
      }
      try {
        if (trace) StatsToProto(r.stats, metadata->mutable_step_stats());
        fill(r.fetched);  // after the metadata: it may encode the whole response
        reactor->Finish(grpc::Status::OK);
      } catch (...) {
        reactor->Finish(StatusOfException(std::current_exception()));
      }
    };
    entry.session->RunCallableAsync(handle, std::move(feeds), opts, std::move(done), reactor->cancellation());
  }

  const std::string job_;
  const int task_;
  const tensorflow::ClusterDef cluster_;
  const tensorflow::ConfigProto defaults_;
  std::shared_ptr<ResourceMgr> resources_;
  const uint64_t incarnation_;
  std::shared_ptr<WorkerChannels> channels_;
  std::shared_ptr<StepRendezvousMgr> steps_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>> sessions_;
};

// The worker: partitions that masters (this task's or another's) register, run per step on
// this task's devices with the server's resources; RecvTensor answers other tasks from this
// task's per-step rendezvous. Graphs belong to a worker session (TF's SessionMgr): one per
// master session, made by CreateWorkerSession and dropped by DeleteWorkerSession, or the
// legacy session (an empty handle, or a master that did not call CreateWorkerSession), which
// lives as long as the server. A worker session's graphs use the server's resources, or, when
// CreateWorkerSession asked isolate_session_state, resources of its own that go with it (TF's
// SessionMgr gives such a session devices with their own resource managers).
class WorkerServiceImpl final
    : public tensorflow::WorkerService::WithCallbackMethod_RunGraph<
          tensorflow::WorkerService::WithRawCallbackMethod_RecvTensor<tensorflow::WorkerService::Service>> {
 public:
  explicit WorkerServiceImpl(MasterServiceImpl& master) : master_(master), legacy_(std::make_shared<WorkerSession>()) {
    legacy_->resources = master.resources();
    const tensorflow::ConfigProto& c = master.defaults();
    const int inter = c.inter_op_parallelism_threads() > 0 ? c.inter_op_parallelism_threads() : ThreadPool::DefaultThreads();
    const int intra = c.intra_op_parallelism_threads() > 0 ? c.intra_op_parallelism_threads() : ThreadPool::DefaultThreads();
    intra_op_ = std::make_unique<ThreadPool>(intra);
    inter_op_ = std::make_unique<ThreadPool>(inter, [intra] { ThreadPool::LimitOpenMpTeam(intra); });
    auto cpu = c.device_count().find("CPU");
    devices_ = std::make_unique<DeviceMgr>(cpu != c.device_count().end() ? cpu->second : 1, 0, GpuOptions(),
                                           intra_op_.get(), master.job(), master.task(), master.incarnation());
  }

  grpc::Status GetStatus(grpc::ServerContext*, const tensorflow::GetStatusRequest*,
                         tensorflow::GetStatusResponse* resp) override {
    for (const auto& d : master_.Devices()) *resp->add_device_attributes() = d;
    return grpc::Status::OK;
  }

  // A master session's state here. As TF's SessionMgr, a master that restarted (same task, new
  // incarnation) drops the sessions of its earlier life.
  grpc::Status CreateWorkerSession(grpc::ServerContext*, const tensorflow::CreateWorkerSessionRequest* req,
                                   tensorflow::CreateWorkerSessionResponse*) override {
    return Handle([&] {
      if (req->session_handle().empty()) throw InvalidArgument("CreateWorkerSession: expected a session_handle, got an empty one");
      std::vector<std::shared_ptr<WorkerSession>> stale;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (sessions_.count(req->session_handle())) {
          throw Error(Code::kAlreadyExists, "Worker session " + req->session_handle() + " already exists");
        }
        if (req->master_incarnation() != 0) {
          for (auto it = sessions_.begin(); it != sessions_.end();) {
            const WorkerSession& w = *it->second;
            if (w.master_task == req->master_task() && w.master_incarnation != req->master_incarnation()) {
              stale.push_back(it->second);
              it = sessions_.erase(it);
            } else {
              ++it;
            }
          }
        }
        auto w = std::make_shared<WorkerSession>();
        w->handle = req->session_handle();
        w->master_task = req->master_task();
        w->master_incarnation = req->master_incarnation();
        w->resources = req->isolate_session_state() ? std::make_shared<ResourceMgr>(master_.job()) : master_.resources();
        sessions_[w->handle] = w;
      }
      for (auto& w : stale) EndSession(*w, "its master " + w->master_task + " restarted");
    });
  }

  // Drops the session's graphs (and its own resources, when isolated) and ends its steps in
  // flight. An unknown handle is not an error (TF's: the session may be gone already).
  grpc::Status DeleteWorkerSession(grpc::ServerContext*, const tensorflow::DeleteWorkerSessionRequest* req,
                                   tensorflow::DeleteWorkerSessionResponse*) override {
    return Handle([&] {
      std::shared_ptr<WorkerSession> w;
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = sessions_.find(req->session_handle());
        if (it == sessions_.end()) return;
        w = it->second;
        sessions_.erase(it);
      }
      EndSession(*w, "its worker session was deleted");
    });
  }

  // A master's Reset reaching this task: the server's containers go (sessions on this task
  // stay, and isolated ones keep theirs, as TF's CleanupAll clears only the server's devices).
  grpc::Status CleanupAll(grpc::ServerContext*, const tensorflow::CleanupAllRequest* req,
                          tensorflow::CleanupAllResponse*) override {
    master_.ClearContainers({req->container().begin(), req->container().end()});
    return grpc::Status::OK;
  }

  grpc::Status RegisterGraph(grpc::ServerContext*, const tensorflow::RegisterGraphRequest* req,
                             tensorflow::RegisterGraphResponse* resp) override {
    return Handle([&] {
      std::shared_ptr<WorkerSession> session = SessionFor(req->session_handle(), req->create_worker_session_called());
      auto g = std::make_shared<Registered>();
      g->graph = std::make_unique<Graph>();
      std::vector<uint8_t> bytes = GraphDefFromProto(req->graph_def());
      g->graph->Extend(bytes.data(), bytes.size());
      // A partition is one device's: its nodes name it.
      Device* device = devices_->cpu0();
      std::vector<std::string> targets;
      for (size_t i = 0; i < g->graph->num_nodes(); i++) {
        const Node& n = *g->graph->node(i);
        targets.push_back(n.name);
        if (!n.device.empty()) {
          device = devices_->Find(ParsedDeviceName::ParseOrThrow(n.device));
          if (!device) throw InvalidArgument("RegisterGraph: node " + n.name + " is placed on " + n.device +
                                             ", which is not a device of this task", n.name);
        }
      }
      g->resources = session->resources;
      g->executor = std::make_unique<Executor>(*g->graph, [device](const Node&) { return device; },
                                               g->resources.get(), inter_op_.get(), std::vector<std::string>{},
                                               std::vector<std::string>{}, targets);
      char handle[17];
      std::snprintf(handle, sizeof(handle), "%016llx", static_cast<unsigned long long>(RandomU64()));
      std::lock_guard<std::mutex> lock(mu_);
      if (session->deleted) throw SessionNotFound(req->session_handle());  // deleted meanwhile
      session->graphs[handle] = std::move(g);
      resp->set_graph_handle(handle);
    });
  }

  grpc::Status DeregisterGraph(grpc::ServerContext*, const tensorflow::DeregisterGraphRequest* req,
                               tensorflow::DeregisterGraphResponse*) override {
    return Handle([&] {
      std::shared_ptr<WorkerSession> session = SessionFor(req->session_handle(), req->create_worker_session_called());
      std::lock_guard<std::mutex> lock(mu_);
      // Steps in flight hold their own reference.
      if (!session->graphs.erase(req->graph_handle())) throw InvalidArgument("Graph handle is not found: " + req->graph_handle());
    });
  }

  grpc::ServerUnaryReactor* RunGraph(grpc::CallbackServerContext* ctx, const tensorflow::RunGraphRequest* req,
                                     tensorflow::RunGraphResponse* resp) override {
    auto* reactor = new StepReactor();
    bool held = false;  // the step's rendezvous, until the partition ends
    try {
      if (req->is_partial()) throw Error(Code::kUnimplemented, "Partial runs are not supported");
      std::shared_ptr<WorkerSession> session = SessionFor(req->session_handle(), req->create_worker_session_called());
      std::shared_ptr<Registered> g;
      const int64_t step_id = req->step_id();
      std::shared_ptr<CancellationManager> cm = reactor->cancellation();
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = session->graphs.find(req->graph_handle());
        // TF's words: the master learns this worker lost its graphs (it restarted).
        if (it == session->graphs.end()) {
          throw Error(Code::kAborted, "Graph handle is not found: " + req->graph_handle() + ". Possibly, this worker (\"" +
                                          TaskPrefix(master_.job(), master_.task()) + "\") just restarted.");
        }
        g = it->second;
      }
      // Held while the partition runs (it does not expire meanwhile; a dead master's RunGraph is
      // cancelled by gRPC).
      std::shared_ptr<Rendezvous> rendezvous = master_.steps().Hold(step_id);
      held = true;
      for (const auto& s : req->send()) {
        rendezvous->Send(s.name(), RendezvousValue{TensorFromTfProto(s.tensor(), "sent as " + s.name()), false, nullptr});
      }
      // The step's failure (here or the master's cancel) aborts this task's rendezvous for it.
      const CancellationManager::Token token = cm->NewToken();
      std::weak_ptr<Rendezvous> weak = rendezvous;
      if (!cm->Register(token, [weak](const Error& reason) {
            if (auto r = weak.lock()) r->StartAbort(reason);
          })) {
        rendezvous->StartAbort(cm->reason());
      }
      RunOptions opts;
      if (ctx->deadline() != std::chrono::system_clock::time_point::max()) {
        opts.timeout_ms = std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                   ctx->deadline() - std::chrono::system_clock::now()).count());
      }
      // The master traces the step (TF's ExecutorOpts): this partition's node times go back.
      opts.trace = req->exec_opts().record_timeline() || req->exec_opts().record_costs();
      std::vector<std::string> recv_keys(req->recv_key().begin(), req->recv_key().end());
      for (const auto& k : recv_keys) CheckSource(k, "RunGraph", true);
      {
        // Tracked until it ends: DeleteWorkerSession and server shutdown cancel it.
        std::lock_guard<std::mutex> lock(mu_);
        if (session->deleted) throw SessionNotFound(req->session_handle());
        session->running.insert(cm);
        session->steps.insert(step_id);
      }
      g->executor->RunAsync({}, opts, cm,
                            [this, g, session, reactor, resp, rendezvous, cm, token, recv_keys, step_id, trace = opts.trace](StepResult r) {
                              cm->Deregister(token);
                              {
                                std::lock_guard<std::mutex> lock(mu_);
                                session->running.erase(cm);
                              }
                              master_.steps().Release(step_id);
                              Status status = r.status;
                              if (!status.ok() && cm->IsCancelled()) status = cm->reason();
                              for (size_t i = 0; status.ok() && i < recv_keys.size(); i++) {
                                bool got = false;
                                rendezvous->RecvLocalAsync(recv_keys[i], [&](const Status& s, RendezvousValue v) {
                                  got = true;
                                  if (!s.ok()) {
                                    status = s;
                                  } else if (v.is_dead) {
                                    status = Error(Code::kInvalidArgument, "Retrieved a dead tensor: " + recv_keys[i] +
                                                                               " is on the branch of a conditional that was not taken");
                                  } else {
                                    auto* named = resp->add_recv();
                                    named->set_name(recv_keys[i]);
                                    TensorToTfProto(v.tensor, named->mutable_tensor());
                                  }
                                });
                                if (!got) status = Error(Code::kInternal, "The partition ended without sending " + recv_keys[i]);
                              }
                              if (status.ok() && trace) StatsToProto(r.stats, resp->mutable_step_stats());
                              reactor->Finish(status.ok() ? grpc::Status::OK : ToGrpcStatus(status.error()));
                            },
                            false, rendezvous);
    } catch (...) {
      if (held) master_.steps().Release(req->step_id());
      reactor->Finish(StatusOfException(std::current_exception()));
    }
    return reactor;
  }

  grpc::Status CleanupGraph(grpc::ServerContext*, const tensorflow::CleanupGraphRequest* req,
                            tensorflow::CleanupGraphResponse*) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      legacy_->steps.erase(req->step_id());
      for (auto& [h, w] : sessions_) w->steps.erase(req->step_id());
    }
    master_.steps().Cleanup(req->step_id());
    return grpc::Status::OK;
  }

  // Answered once the value is sent to this task's rendezvous for the step (created here when
  // the RecvTensor comes before the step's RunGraph). Raw bytes both ways: a large tensor goes
  // out from its own buffer (tensor_coding.h).
  grpc::ServerUnaryReactor* RecvTensor(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    tensorflow::RecvTensorRequest req;
    grpc::ByteBuffer copy(*request);  // Deserialize consumes its buffer
    if (!grpc::SerializationTraits<tensorflow::RecvTensorRequest>::Deserialize(&copy, &req).ok()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "Could not parse the RecvTensorRequest"));
      return reactor;
    }
    try {
      CheckSource(req.rendezvous_key(), "RecvTensor");
    } catch (...) {
      reactor->Finish(StatusOfException(std::current_exception()));
      return reactor;
    }
    master_.steps().Find(req.step_id())->RecvLocalAsync(req.rendezvous_key(), [reactor, response](const Status& s, RendezvousValue v) {
      if (!s.ok()) {
        reactor->Finish(ToGrpcStatus(s.error()));
        return;
      }
      try {
        if (!v.is_dead && v.tensor.on_device()) v.tensor = v.memory->CopyToHost(v.tensor);
        *response = EncodeRecvTensorResponse(v);
        reactor->Finish(grpc::Status::OK);
      } catch (...) {
        reactor->Finish(StatusOfException(std::current_exception()));
      }
    });
    return reactor;
  }

  // Server shutdown: every step running here is cancelled.
  void CancelAll() {
    std::vector<std::shared_ptr<CancellationManager>> steps;
    {
      std::lock_guard<std::mutex> lock(mu_);
      steps.assign(legacy_->running.begin(), legacy_->running.end());
      for (auto& [h, w] : sessions_) steps.insert(steps.end(), w->running.begin(), w->running.end());
    }
    for (auto& c : steps) c->StartCancel(Error(Code::kAborted, "The server is shutting down"));
  }

 private:
  struct Registered {
    std::unique_ptr<Graph> graph;
    std::shared_ptr<ResourceMgr> resources;  // its session's, kept while a step of it runs
    std::unique_ptr<Executor> executor;
  };
  // One master session's state on this task (guarded by mu_).
  struct WorkerSession {
    std::string handle;  // "": the legacy session
    std::string master_task;
    int64_t master_incarnation = 0;
    // The server's, or (isolate_session_state) the session's own, dropped with it. Set before
    // the session is shared, never changed (read without mu_).
    std::shared_ptr<ResourceMgr> resources;
    std::map<std::string, std::shared_ptr<Registered>> graphs;
    std::set<int64_t> steps;  // run here and not cleaned up yet
    std::set<std::shared_ptr<CancellationManager>> running;
    bool deleted = false;
  };

  // TF's words: a master whose worker session is gone learns this worker restarted (or the
  // session was deleted).
  Error SessionNotFound(const std::string& handle) const {
    return Error(Code::kAborted, "Session handle is not found: " + handle + ". Possibly, this worker (\"" +
                                     TaskPrefix(master_.job(), master_.task()) + "\") just restarted.");
  }

  // A key whose value this task sends (RecvTensor, RunGraph's recv_key) must name one of its
  // devices, and this life of it: a key made with an earlier incarnation comes from a master
  // that knew this task before it restarted (TF's GrpcWorker::RecvTensorAsync check). A
  // RunGraph's recv_key is received here too, so its receiver must be local as well (TF's
  // "Invalid rendezvous key (dst)").
  void CheckSource(const std::string& key, const char* call, bool local_receiver = false) const {
    Rendezvous::ParsedKey k;
    if (!Rendezvous::ParseKey(key, &k)) throw InvalidArgument(std::string(call) + ": '" + key + "' is not a rendezvous key");
    ParsedDeviceName name;
    Device* device = ParsedDeviceName::Parse(k.src_device, &name) ? devices_->Find(name) : nullptr;
    if (!device) {
      throw InvalidArgument(std::string(call) + ": the key's source device " + k.src_device + " is not a device of " +
                            TaskPrefix(master_.job(), master_.task()) + " (key " + key + ")");
    }
    if (device->incarnation != k.src_incarnation) {
      char want[17], got[17];
      std::snprintf(want, sizeof want, "%016llx", static_cast<unsigned long long>(device->incarnation));
      std::snprintf(got, sizeof got, "%016llx", static_cast<unsigned long long>(k.src_incarnation));
      throw Error(Code::kAborted, std::string(call) + " expects a different device incarnation: " + got + " vs. " + want +
                                      " for " + device->name + ". The task (\"" + TaskPrefix(master_.job(), master_.task()) +
                                      "\") was probably restarted since the step's master learned its devices.");
    }
    ParsedDeviceName dst;
    if (local_receiver && !(ParsedDeviceName::Parse(k.dst_device, &dst) && devices_->Find(dst))) {
      throw InvalidArgument(std::string(call) + ": Invalid rendezvous key (dst): " + key + " @ " +
                            TaskPrefix(master_.job(), master_.task()) + " (the receiver must be a device of this task)");
    }
  }

  // The session a call names: the legacy one when the master did not call CreateWorkerSession
  // or names none (TF's rule); an unknown handle is Aborted.
  std::shared_ptr<WorkerSession> SessionFor(const std::string& handle, bool create_worker_session_called) {
    if (!create_worker_session_called || handle.empty()) return legacy_;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(handle);
    if (it == sessions_.end()) throw SessionNotFound(handle);
    return it->second;
  }

  // A session removed from sessions_: its graphs go, its running steps are cancelled and its
  // steps' rendezvous aborted (their RecvTensors answered).
  void EndSession(WorkerSession& w, const std::string& why) {
    std::vector<std::shared_ptr<CancellationManager>> running;
    std::set<int64_t> steps;
    {
      std::lock_guard<std::mutex> lock(mu_);
      w.deleted = true;
      w.graphs.clear();
      running.assign(w.running.begin(), w.running.end());
      steps.swap(w.steps);
    }
    const Error reason(Code::kAborted, "Step aborted on " + TaskPrefix(master_.job(), master_.task()) + ": " + why);
    for (auto& c : running) c->StartCancel(reason);
    for (int64_t id : steps) master_.steps().Abort(id, reason);
  }

  MasterServiceImpl& master_;
  std::unique_ptr<ThreadPool> intra_op_;
  std::unique_ptr<ThreadPool> inter_op_;
  std::unique_ptr<DeviceMgr> devices_;
  std::mutex mu_;
  const std::shared_ptr<WorkerSession> legacy_;
  std::map<std::string, std::shared_ptr<WorkerSession>> sessions_;  // by handle
};

GrpcServer::GrpcServer(const tensorflow::ServerDef& def, const GrpcServerOptions& options) {
  if (options.step_ttl_ms <= 0) {
    throw InvalidArgument("The step TTL must be a positive number of milliseconds, got " + std::to_string(options.step_ttl_ms));
  }
  if (!def.protocol().empty() && def.protocol() != "grpc") {
    throw InvalidArgument("Server protocol '" + def.protocol() + "' is not supported; only 'grpc'");
  }
  std::string address;
  for (const auto& job : def.cluster().job()) {
    if (job.name() != def.job_name()) continue;
    auto it = job.tasks().find(def.task_index());
    if (it != job.tasks().end()) address = it->second;
  }
  if (address.empty()) {
    throw InvalidArgument("Task " + std::to_string(def.task_index()) + " of job '" + def.job_name() +
                          "' is not in the cluster");
  }
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) throw InvalidArgument("Task address '" + address + "' has no port");
  const std::string host = address.substr(0, colon);
  master_ = std::make_unique<MasterServiceImpl>(def.job_name(), def.task_index(), def.cluster(), def.default_session_config(),
                                                options.step_ttl_ms);
  worker_ = std::make_unique<WorkerServiceImpl>(*master_);
  PrepareProcessForGrpc();
  grpc::ServerBuilder builder;
  // Only the address the cluster gives (tests bind 127.0.0.1); no credentials (unsecure build).
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port_);
  builder.SetMaxReceiveMessageSize(INT_MAX);  // tensors over gRPC's 4 MiB default
  builder.SetMaxSendMessageSize(INT_MAX);
  // A bound port in use is an error, not a second listener sharing it.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(master_.get());
  builder.RegisterService(worker_.get());
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) {
    server_.reset();
    throw Error(Code::kUnknown, "Could not start gRPC server: cannot listen on " + address +
                                    " (address in use or not available)");
  }
  target_ = "grpc://" + host + ":" + std::to_string(port_);
}

GrpcServer::~GrpcServer() { Stop(); }

void GrpcServer::Join() {
  std::unique_lock<std::mutex> lock(mu_);
  stopped_cv_.wait(lock, [this] { return stopped_; });
}

void GrpcServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  // Cancel steps in flight first, so shutdown does not wait on a blocked dequeue.
  master_->CloseAll();
  worker_->CancelAll();
  master_->steps().AbortAll(Error(Code::kAborted, "The server is shutting down"));
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    server_->Wait();
  }
  stopped_cv_.notify_all();
}

}  // namespace tg
