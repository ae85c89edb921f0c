// Executor: runs the part of the graph needed for one (feeds, fetches, targets) signature.
// Built once (pruning, placement, kernel creation, dependency counts) and cached by the
// session; each Run() only copies the pending counts and schedules ready nodes.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/placer.h"

namespace tg {

class ThreadPool;
struct Value;  // a value on an edge (executor.cc)

struct RunOptions {
  int64_t timeout_ms = 0;  // 0: no deadline
  bool trace = false;      // record per-node timings (RunMetadata.stepStats)
};

// One node's execution in a traced run (TF's NodeExecStats).
struct NodeStats {
  std::string node;
  std::string device;
  int64_t start_us = 0;  // since the run started
  int64_t end_us = 0;
  uint64_t thread = 0;   // which thread ran it
  std::string label;     // TF's timeline_label, "name = Op(input, ...)": names the op a fusion ran
  AllocationCount memory;  // host buffers its kernel allocated (an output over an input's buffer is none)
};

// What a finished step hands back: its status, the fetched values (in the order of the
// fetches) and, when traced, one NodeStats per executed node.
struct StepResult {
  Status status;
  std::vector<Tensor> fetched;
  std::vector<NodeStats> stats;
};
using StepDone = std::function<void(StepResult)>;

class Executor {
 public:
  // feeds/fetches are tensor names ("x:0" or "x"), targets node names.
  // `place` says where each node runs (the session's placer; a partition's one device).
  Executor(const Graph& graph, const PlaceFn& place, ResourceMgr* resources, ThreadPool* inter_op,
           const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
           const std::vector<std::string>& targets);
  ~Executor();

  // Runs one step. Nodes run on the inter-op pool (and, with caller_runs, first on the calling
  // thread); kernels that wait hold no thread. `done` is called exactly once, from whichever
  // thread finishes the step. `cancellation` cancels the step (session close); the step also
  // cancels it itself on its first error or when options.timeout_ms passes. Steps of
  // several partitions share `cancellation` and `rendezvous` (their _Send/_Recv meet there).
  void RunAsync(std::vector<Tensor> feed_values, const RunOptions& options,
                std::shared_ptr<CancellationManager> cancellation, StepDone done, bool caller_runs = false,
                std::shared_ptr<Rendezvous> rendezvous = nullptr);

  // Whether a step may run entirely on the caller's thread without ever waiting: no kernel
  // that waits (AsyncOpKernel: queues, readers), no while loop, only host devices.
  bool NeverWaits() const;

 private:
  struct Item;
  struct Frame;
  struct RunState;
  struct Iteration;
  struct FrameInstance;
  struct Task;
  struct AsyncCall;
  // Runs ready nodes on this thread: cheap successors join `local`, expensive ones may go to the pool.
  void Process(RunState* rs, std::vector<Task> local) const;
  void ScheduleAll(RunState* rs, std::vector<Task>* ready) const;
  // Starts one node: returns true when it completed synchronously, with its outputs in `outs`.
  // An async kernel returns false and completes later through Complete.
  bool Start(RunState* rs, const Task& t, std::vector<Value>* outs, bool* dead, std::vector<Task>* ready) const;
  // Bookkeeping after a node finished (under the step's lock): delivers its outputs, counts
  // down successors and appends the newly ready ones to `ready`.
  void Complete(RunState* rs, const Task& t, std::vector<Value>* outs, bool dead, bool ran, std::vector<Task>* ready) const;
  // Loop bookkeeping under the step's lock (see executor.cc).
  Iteration* Ensure(FrameInstance* f, int64_t n) const;
  FrameInstance* Child(FrameInstance* f, int64_t iter, int frame) const;
  void Deliver(FrameInstance* f, int64_t iter, int id, const Value* outs, bool dead, std::vector<Task>* ready) const;
  void MaybeFinish(RunState* rs, FrameInstance* f, std::vector<Task>* ready) const;
  bool Aborted(RunState* rs) const;  // failed or cancelled: start no more nodes
  void Fail(RunState* rs, const Error& error) const;   // records the first error and cancels the step
  void Finish(RunState* rs) const;                     // the step is over: hand back its result
  void ComputeFrames();
  uint64_t FrameId(const FrameInstance* f) const;  // names a loop frame instance in rendezvous keys

  ResourceMgr* resources_;
  ThreadPool* inter_op_;
  std::vector<Item> items_;
  std::vector<std::unique_ptr<Node>> copy_nodes_;  // host<->device copies inserted on crossing edges
  std::vector<std::unique_ptr<Node>> fused_nodes_;  // the remapper's fusions (runtime/remapper.h)
  std::vector<int> roots_;        // items with no pending inputs
  std::vector<Frame> frames_;     // frames_[0] is the root; one per while loop (static)
  bool has_loops_ = false;
  int num_slots_ = 0;
  std::vector<int> slot_uses_;    // how many inputs read each slot (+1 for fetches and feeds)
  std::vector<int> feed_slots_;   // slot per feed
  std::vector<int> fetch_slots_;  // slot per fetch
  std::vector<std::string> fetch_names_;
};

}  // namespace tg
