// Executor: runs the part of the graph needed for one (feeds, fetches, targets) signature.
// Built once (pruning, placement, kernel creation, dependency counts) and cached by the
// session; each Run() only copies the pending counts and schedules ready nodes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/kernel.h"

namespace tg {

class Placer;
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
};

class Executor {
 public:
  // feeds/fetches are tensor names ("x:0" or "x"), targets node names.
  Executor(const Graph& graph, Placer& placer, ResourceMgr* resources, ThreadPool* inter_op,
           const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
           const std::vector<std::string>& targets);
  ~Executor();

  // Feed values in the order of `feeds`; returns fetched values in the order of `fetches`.
  // With options.trace, `stats` receives one entry per executed node.
  std::vector<Tensor> Run(const std::vector<Tensor>& feed_values, const RunOptions& options,
                          std::vector<NodeStats>* stats = nullptr);

  size_t num_nodes() const;

 private:
  struct Item;
  struct Frame;
  struct RunState;
  struct Iteration;
  struct FrameInstance;
  class LoopRun;
  void Process(RunState* rs, std::vector<int> ready) const;
  // Runs one node reading inputs from `in` and writing its outputs to `out`; `node_dead`
  // holds the deadness of control inputs (by out_local). Returns whether the node was dead.
  // Throws the node's error.
  bool RunNode(RunState* rs, int item, const Value* in, Value* out, const char* node_dead) const;
  // RunNode with its error recorded as the run's failure (returns false then).
  bool TryRunNode(RunState* rs, int item, const Value* in, Value* out, const char* node_dead, bool* dead) const;
  void Fail(RunState* rs, Error error) const;   // records the first error of a run
  void Schedule(RunState* rs, int item) const;
  void ComputeFrames();
  void RunLoops(RunState* rs) const;  // the frame-aware path, for graphs with while loops

  ResourceMgr* resources_;
  ThreadPool* inter_op_;
  std::vector<Item> items_;
  std::vector<int> roots_;        // items with no pending inputs
  std::vector<Frame> frames_;     // frames_[0] is the root; one per while loop (static)
  bool has_loops_ = false;
  int num_slots_ = 0;
  std::vector<int> slot_uses_;    // how many inputs read each slot (+1 for fetches and feeds)
  std::vector<int> feed_slots_;   // slot per feed
  std::vector<int> fetch_slots_;  // slot per fetch
  std::vector<std::string> fetch_names_;
  std::vector<DataType> feed_dtypes_;  // expected dtype per feed (from the fed node), DT_INVALID: any
};

}  // namespace tg
