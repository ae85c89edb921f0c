#include "runtime/session.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "runtime/graph_def.h"

namespace tg {

namespace {
std::mutex registry_mu;
std::set<Session*>& LiveSessions() {
  static auto* s = new std::set<Session*>();
  return *s;
}
}  // namespace

void ResetAllSessions(const std::vector<std::string>& containers) {
  std::lock_guard<std::mutex> lock(registry_mu);
  for (Session* s : LiveSessions()) s->ResetContainers(containers);
}

void CloseAllSessions() {
  std::lock_guard<std::mutex> lock(registry_mu);
  for (Session* s : LiveSessions()) s->Close();
}

Session::Session(const SessionOptions& options) : options_(options) {
  const int cores = ThreadPool::DefaultThreads();
  const int intra = intra_threads_ = options.intra_op_threads > 0 ? options.intra_op_threads : cores;
  inter_op_ = std::make_unique<ThreadPool>(options.inter_op_threads > 0 ? options.inter_op_threads : cores,
                                           [intra] { ThreadPool::LimitOpenMpTeam(intra); });
  intra_op_ = std::make_unique<ThreadPool>(intra);
  devices_ = std::make_unique<DeviceMgr>(options.num_cpus, options.num_gpus, options.gpu_options, intra_op_.get(),
                                         options.job, options.task, options.incarnation);
  if (ClusterEnv* cluster = options.cluster.get()) {
    devices_->set_remote_resolver([cluster](const ParsedDeviceName& req) { return cluster->ResolveDevices(req); });
  }
  resources_ = options.shared_resources ? options.shared_resources : std::make_shared<ResourceMgr>(options.job);
  placer_ = std::make_unique<Placer>(*devices_, options.allow_soft_placement, options.log_device_placement);
  placer_->set_graph(&graph_);
  std::lock_guard<std::mutex> lock(registry_mu);
  LiveSessions().insert(this);
}

Session::~Session() {
  {
    std::lock_guard<std::mutex> lock(registry_mu);
    LiveSessions().erase(this);
  }
  Close();
}

void Session::Extend(const uint8_t* data, size_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) throw Error(Code::kCancelled, "Session has been closed.");
  graph_.Extend(data, size);
}

int64_t Session::MakeCallable(const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                              const std::vector<std::string>& targets) {
  const std::string key = SignatureKey(feeds, fetches, targets);
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) throw Error(Code::kCancelled, "Session has been closed.");
  auto it = signature_to_handle_.find(key);
  if (it != signature_to_handle_.end()) return it->second;
  const PlaceFn place = [this](const Node& n) { return placer_->Place(n); };
  const PrunedGraph pruned = Prune(graph_, feeds, fetches, targets);
  std::unique_ptr<Executor> exec;
  std::unique_ptr<PartitionedExecutor> partitioned;
  const std::vector<Device*> used = DevicesOf(pruned, place);
  // A signature on another task's device runs partitioned even when that is its only device.
  if (used.size() > 1 || (used.size() == 1 && used[0]->remote)) {
    partitioned = std::make_unique<PartitionedExecutor>(graph_, pruned, place, devices_->cpu0(), resources_.get(), inter_op_.get(),
                                                        feeds, fetches, options_.cluster.get());
  } else {
    exec = std::make_unique<Executor>(graph_, place, resources_.get(), inter_op_.get(), feeds, fetches, targets);
  }
  callable_info_.push_back(std::make_unique<CallableInfo>());
  callable_info_.back()->never_waits = exec && exec->NeverWaits();
  callable_info_.back()->feeds = feeds;
  callable_info_.back()->fetches = fetches;
  callable_info_.back()->targets = targets;
  executors_.push_back(std::move(exec));
  partitioned_.push_back(std::move(partitioned));
  int64_t handle = static_cast<int64_t>(executors_.size()) - 1;
  signature_to_handle_[key] = handle;
  return handle;
}

std::vector<std::vector<uint8_t>> Session::PartitionGraphs(int64_t handle) {
  std::lock_guard<std::mutex> lock(mu_);
  if (handle < 0 || handle >= static_cast<int64_t>(executors_.size())) {
    throw Error(Code::kInvalidArgument, "No such callable handle: " + std::to_string(handle));
  }
  std::vector<std::vector<uint8_t>> out;
  if (const PartitionedExecutor* p = partitioned_[handle].get()) {
    for (const Partition& part : p->partitions()) out.push_back(SerializeGraph(*part.graph));
    return out;
  }
  // One device: its one partition, built only for this output (the executor runs the
  // session's graph directly).
  const CallableInfo& info = *callable_info_[handle];
  const PlaceFn place = [this](const Node& n) { return placer_->Place(n); };
  PartitionedGraph one = PartitionGraph(graph_, Prune(graph_, info.feeds, info.fetches, info.targets), place,
                                        devices_->cpu0(), info.feeds, info.fetches);
  for (const Partition& part : one.partitions) out.push_back(SerializeGraph(*part.graph));
  return out;
}

void Session::StartStep(int64_t handle, std::vector<Tensor> feeds, const RunOptions& options, StepDone done,
                        bool caller_runs, std::shared_ptr<CancellationManager> cancellation) {
  Executor* executor;
  PartitionedExecutor* partitioned;
  CallableInfo* info;
  if (!cancellation) cancellation = std::make_shared<CancellationManager>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) throw Error(Code::kCancelled, "Session has been closed.");
    if (handle < 0 || handle >= static_cast<int64_t>(executors_.size())) {
      throw Error(Code::kInvalidArgument, "No such callable handle: " + std::to_string(handle));
    }
    executor = executors_[handle].get();
    partitioned = partitioned_[handle].get();
    info = callable_info_[handle].get();
    in_flight_.push_back(cancellation);
  }
  RunOptions opts = options;
  if (opts.timeout_ms <= 0) opts.timeout_ms = options_.operation_timeout_ms;
  CancellationManager* step = cancellation.get();
  const auto start = std::chrono::steady_clock::now();
  auto step_done = [this, step, info, start, done = std::move(done)](StepResult result) {
    info->last_step_us.store(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count(),
        std::memory_order_relaxed);
    EndStep(step);
    done(std::move(result));  // the session may be gone from here on
  };
  try {
    if (partitioned) {
      partitioned->RunAsync(std::move(feeds), opts, std::move(cancellation), std::move(step_done), caller_runs);
    } else {
      executor->RunAsync(std::move(feeds), opts, std::move(cancellation), std::move(step_done), caller_runs);
    }
  } catch (...) {  // rejected before it started (wrong feeds): done will not be called
    EndStep(step);
    throw;
  }
}

void Session::EndStep(const CancellationManager* step) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::find_if(in_flight_.begin(), in_flight_.end(), [step](const auto& c) { return c.get() == step; });
  if (it != in_flight_.end()) {
    std::swap(*it, in_flight_.back());
    in_flight_.pop_back();
  }
  if (in_flight_.empty()) idle_cv_.notify_all();
}

StepResult Session::RunStep(int64_t handle, std::vector<Tensor> feeds, const RunOptions& options) {
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  StepResult result;
  // The caller runs nodes too: its oneDNN calls get the same team bound as the pool's.
  ThreadPool::LimitOpenMpTeam(intra_threads_);
  StartStep(handle, std::move(feeds), options, [&](StepResult r) {
    std::lock_guard<std::mutex> lock(mu);
    result = std::move(r);
    finished = true;
    cv.notify_all();
  }, /*caller_runs=*/true);
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return finished; });
  return result;
}

std::vector<Tensor> Session::RunCallable(int64_t handle, const std::vector<Tensor>& feeds, const RunOptions& options,
                                         std::vector<NodeStats>* stats) {
  RunOptions opts = options;
  opts.trace = options.trace && stats != nullptr;
  StepResult result = RunStep(handle, feeds, opts);
  result.status.Check();
  if (stats) *stats = std::move(result.stats);
  return std::move(result.fetched);
}

bool Session::TryRunCallableInline(int64_t handle, std::vector<Tensor>& feeds, const RunOptions& options,
                                   StepResult* result) {
  size_t bytes = 0;
  for (const Tensor& t : feeds) {
    if (HoldsStrings(t.dtype())) return false;
    bytes += t.total_bytes();
  }
  if (bytes > kInlineFeedBytes) return false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || handle < 0 || handle >= static_cast<int64_t>(callable_info_.size())) return false;  // StartStep reports it
    const CallableInfo& info = *callable_info_[handle];
    const int64_t last = info.last_step_us.load(std::memory_order_relaxed);
    if (!info.never_waits || last < 0 || last > kInlineMicros) return false;
  }
  *result = RunStep(handle, std::move(feeds), options);
  return true;
}

void Session::RunCallableAsync(int64_t handle, std::vector<Tensor> feeds, const RunOptions& options, StepDone done) {
  StartStep(handle, std::move(feeds), options, std::move(done), /*caller_runs=*/false);
}

void Session::RunCallableAsync(int64_t handle, std::vector<Tensor> feeds, const RunOptions& options, StepDone done,
                               std::shared_ptr<CancellationManager> cancellation) {
  StartStep(handle, std::move(feeds), options, std::move(done), /*caller_runs=*/false, std::move(cancellation));
}

std::vector<Tensor> Session::Run(const std::vector<std::string>& feed_names, const std::vector<Tensor>& feeds,
                                 const std::vector<std::string>& fetches, const std::vector<std::string>& targets,
                                 const RunOptions& options) {
  return RunCallable(MakeCallable(feed_names, fetches, targets), feeds, options);
}

void Session::Close() {
  std::vector<std::shared_ptr<CancellationManager>> steps;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    steps.assign(in_flight_.begin(), in_flight_.end());
  }
  for (auto& c : steps) c->StartCancel(Error(Code::kCancelled, "Session has been closed."));
  {
    std::unique_lock<std::mutex> lock(mu_);
    idle_cv_.wait(lock, [this] { return in_flight_.empty(); });
  }
  if (options_.cluster) options_.cluster->Close();
  // Executors stay (a caller may still hold a handle); queues, readers and variables go
  // (unless they are a server's, shared by its sessions).
  if (!options_.shared_resources) resources_->Clear({});
}

std::vector<DeviceInfo> Session::ListDevices() {
  std::vector<DeviceInfo> out;
  for (const auto& d : devices_->devices()) {
    out.push_back({d->name, DeviceTypeName(d->type), d->memory_limit(), d->description()});
  }
  return out;
}

}  // namespace tg
