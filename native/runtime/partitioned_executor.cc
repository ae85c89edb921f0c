#include "runtime/partitioned_executor.h"

#include <map>
#include <mutex>

#include "runtime/rendezvous.h"

namespace tg {

struct PartitionedExecutor::Step {
  std::mutex mu;
  int remaining = 0;  // partitions still running
  Status status;      // the first error a partition reported
  std::vector<NodeStats> stats;
  std::vector<Tensor> feeds;  // kept for fetches of fed tensors
  std::shared_ptr<Rendezvous> rendezvous;
  std::shared_ptr<CancellationManager> cancellation;
  CancellationManager::Token token = 0;
  int64_t step_id = 0;
  StepDone done;
};

PartitionedExecutor::PartitionedExecutor(const Graph& graph, const PrunedGraph& pruned, const PlaceFn& place, Device* client,
                                         ResourceMgr* resources, ThreadPool* inter_op,
                                         const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                                         ClusterEnv* cluster)
    : graph_(PartitionGraph(graph, pruned, place, client, feeds, fetches)), fetch_names_(fetches), cluster_(cluster) {
  for (const Partition& p : graph_.partitions) {
    Device* device = p.device;
    std::vector<std::string> recv_keys;
    for (const std::string& key : graph_.fetch_keys) {
      if (!key.empty() && key.compare(0, device->name.size() + 1, device->name + ";") == 0) recv_keys.push_back(key);
    }
    recv_keys_.push_back(std::move(recv_keys));
    if (device->remote) {
      if (!cluster) throw Error(Code::kInternal, "a partition on " + device->name + " without a cluster");
      remote_.push_back(cluster->Register(*device, *p.graph));
      remote_devices_.push_back(device);
      executors_.push_back(nullptr);
      continue;
    }
    remote_.push_back(nullptr);
    executors_.push_back(std::make_unique<Executor>(*p.graph, [device](const Node&) { return device; }, resources,
                                                    inter_op, std::vector<std::string>{}, std::vector<std::string>{},
                                                    p.targets));
  }
}

PartitionedExecutor::~PartitionedExecutor() = default;

void PartitionedExecutor::RunAsync(std::vector<Tensor> feed_values, const RunOptions& options,
                                   std::shared_ptr<CancellationManager> cancellation, StepDone done, bool caller_runs) {
  if (feed_values.size() != graph_.feed_keys.size()) throw InvalidArgument("wrong number of feed values");
  auto step = std::make_shared<Step>();
  if (cluster_) {
    step->step_id = cluster_->NewStepId();
    step->rendezvous = cluster_->StepRendezvous(step->step_id);
  } else {
    step->rendezvous = std::make_shared<Rendezvous>();
  }
  step->cancellation = cancellation;
  step->done = std::move(done);
  // The step's cancellation (a failed node, session close, the deadline) aborts the
  // rendezvous: every waiting _Recv ends with the reason.
  step->token = cancellation->NewToken();
  std::weak_ptr<Rendezvous> weak = step->rendezvous;
  if (!cancellation->Register(step->token, [weak](const Error& reason) {
        if (auto r = weak.lock()) r->StartAbort(reason);
      })) {
    step->rendezvous->StartAbort(cancellation->reason());
  }
  // Feeds are sent as a client would (TF's client-terminated _Recv): once per partition reading them.
  for (size_t i = 0; i < feed_values.size(); i++) {
    for (const std::string& key : graph_.feed_keys[i]) {
      try {
        step->rendezvous->Send(key, RendezvousValue{feed_values[i], false, nullptr});
      } catch (const Error&) {
        // Aborted: the step was cancelled before it started; its partitions report why.
      }
    }
  }
  step->feeds = std::move(feed_values);
  step->remaining = static_cast<int>(executors_.size());
  for (size_t p = 0; p < executors_.size(); p++) {
    auto partition_done = [this, step](StepResult r) {
      bool last;
      {
        std::lock_guard<std::mutex> lock(step->mu);
        if (!r.status.ok() && step->status.ok()) step->status = r.status;
        for (NodeStats& s : r.stats) step->stats.push_back(std::move(s));
        last = --step->remaining == 0;
      }
      // The first error cancels the other partitions (the executor already did; a no-op then).
      if (!r.status.ok()) step->cancellation->StartCancel(r.status.error());
      if (last) Finish(step);
    };
    if (remote_[p]) {
      std::weak_ptr<Rendezvous> into = step->rendezvous;
      remote_[p]->RunAsync(step->step_id, recv_keys_[p], options.timeout_ms, options.trace, cancellation,
                           [into, partition_done](const Status& s, std::vector<std::pair<std::string, RendezvousValue>> recv,
                                                  std::vector<NodeStats> stats) {
                             StepResult r;
                             r.status = s;
                             r.stats = std::move(stats);  // the worker's times, from its own step start
                             if (auto rv = into.lock(); rv && s.ok()) {
                               try {
                                 for (auto& [key, value] : recv) rv->Send(key, std::move(value));
                               } catch (const Error& e) {
                                 r.status = e;
                               }
                             }
                             partition_done(std::move(r));
                           });
      continue;
    }
    // Only the last partition may run on the caller's thread: it returns once that partition
    // waits or ends, after the others were handed to the pool.
    executors_[p]->RunAsync({}, options, cancellation, std::move(partition_done),
                            caller_runs && p + 1 == executors_.size(), step->rendezvous);
  }
}

void PartitionedExecutor::Finish(const std::shared_ptr<Step>& step) const {
  CancellationManager& cm = *step->cancellation;
  cm.Deregister(step->token);
  StepResult result;
  result.stats = std::move(step->stats);
  result.status = step->status;
  // The root cause: a partition woken by another's failure reports what woke it.
  if (!result.status.ok() && cm.IsCancelled()) result.status = cm.reason();
  if (result.status.ok()) {
    Rendezvous& r = *step->rendezvous;
    std::map<std::string, RendezvousValue> received;
    try {
      for (size_t i = 0; i < graph_.fetch_keys.size(); i++) {
        if (graph_.fetch_feed[i] >= 0) {
          result.fetched.push_back(step->feeds[graph_.fetch_feed[i]]);
          continue;
        }
        const std::string& key = graph_.fetch_keys[i];
        if (!received.count(key)) {
          bool got = false;
          Status status;
          r.RecvLocalAsync(key, [&](const Status& s, RendezvousValue v) {
            got = true;
            status = s;
            received[key] = std::move(v);
          });
          if (!got) {  // every partition ended: its _Send should have run
            r.StartAbort(Error(Code::kInternal, "The step ended without computing " + fetch_names_[i]));
          }
          status.Check();
        }
        const RendezvousValue& v = received.at(key);
        if (v.is_dead) {
          throw Error(Code::kInvalidArgument, "Retrieved a dead tensor: " + fetch_names_[i] +
                      " is on the branch of a conditional that was not taken");
        }
        result.fetched.push_back(v.tensor.on_device() ? v.memory->CopyToHost(v.tensor) : v.tensor);
      }
    } catch (const Error& e) {
      result.status = e;
      result.fetched.clear();
    }
  }
  StepDone done = std::move(step->done);
  step->rendezvous.reset();
  if (cluster_) cluster_->EndStep(step->step_id, remote_devices_);
  done(std::move(result));
}

}  // namespace tg
