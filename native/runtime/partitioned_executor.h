// A signature whose nodes are placed on several devices: one Executor per partition
// (runtime/graph_partition.h), run together as one step. The partitions share the step's
// rendezvous and cancellation: the first error (or session close, or the deadline) cancels
// the step, which aborts the rendezvous, so every partition ends and no _Recv waits forever.
// On a server's master, partitions on other tasks' devices are registered with their workers
// and run there (ClusterEnv); the step then has a random step id and this task's rendezvous
// for it, which the other tasks read with RecvTensor.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/cluster.h"
#include "runtime/executor.h"
#include "runtime/graph_partition.h"

namespace tg {

class PartitionedExecutor {
 public:
  // `client`: the device feeds come from and fetches go to (the session's CPU:0).
  PartitionedExecutor(const Graph& graph, const PrunedGraph& pruned, const PlaceFn& place, Device* client,
                      ResourceMgr* resources, ThreadPool* inter_op, const std::vector<std::string>& feeds,
                      const std::vector<std::string>& fetches, ClusterEnv* cluster = nullptr);
  ~PartitionedExecutor();

  // As Executor::RunAsync: `done` gets the step's status (the first error, naming its node),
  // the fetches in order and every partition's node stats.
  void RunAsync(std::vector<Tensor> feed_values, const RunOptions& options,
                std::shared_ptr<CancellationManager> cancellation, StepDone done, bool caller_runs = false);

  const std::vector<Partition>& partitions() const { return graph_.partitions; }

 private:
  struct Step;
  void Finish(const std::shared_ptr<Step>& step) const;

  PartitionedGraph graph_;
  std::vector<std::unique_ptr<Executor>> executors_;  // by partition (null: a remote one)
  std::vector<std::unique_ptr<RemotePartition>> remote_;  // by partition (null: a local one)
  std::vector<std::vector<std::string>> recv_keys_;        // by partition: fetch keys it sends
  std::vector<const Device*> remote_devices_;
  std::vector<std::string> fetch_names_;
  ClusterEnv* cluster_;
};

}  // namespace tg
