// TF1's ConditionalAccumulator resource: sums the gradients applied at the current global
// step (stale ones, computed at an older local step, are dropped) and hands out their
// average once enough arrived. SyncReplicasOptimizer keeps one per variable. A TakeGrad
// that must wait is parked in the accumulator (holding no thread) and completed by the
// ApplyGrad that brings the count up, or failed by its step's cancellation.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "runtime/kernel.h"
#include "runtime/resource_mgr.h"

namespace tg {

class ConditionalAccumulator : public Resource, public std::enable_shared_from_this<ConditionalAccumulator> {
 public:
  using DoneCallback = AsyncOpKernel::DoneCallback;

  // `mean`: reduction_type MEAN (divide the sum by the count) rather than SUM.
  ConditionalAccumulator(DataType dtype, PartialShape shape, std::string name, bool mean);

  // Adds `grad` when local_step >= the global step; a stale gradient is dropped silently
  // (not even checked). InvalidArgument (naming `node`) for a wrong shape.
  void TryApplyGrad(int64_t local_step, const Tensor& grad, const std::string& node);
  // Sets output 0 of ctx to the average once num_required gradients were added, then calls
  // done; the count restarts at 0 and the global step advances by one. Errors go to
  // ctx->SetStatus before done.
  void TryTakeGrad(int64_t num_required, OpKernelContext* ctx, DoneCallback done);
  // Sets the global step (gradients from older local steps are dropped from now on).
  void SetGlobalStep(int64_t step);
  int32_t num_accumulated() const;
  int64_t global_step() const;

  DataType dtype() const { return dtype_; }
  // Whether this accumulator may serve the ConditionalAccumulator `node` that found it
  // under its name: same dtype and shape.
  Status MatchesNode(const Node& node) const;

 private:
  struct Attempt {
    int64_t required;
    OpKernelContext* ctx;
    DoneCallback done;
    CancellationManager* cm;
    CancellationManager::Token token;
    uint64_t id;
  };
  struct Finished {
    CancellationManager* cm;
    CancellationManager::Token token;
    DoneCallback done;
  };

  // Completes the parked takes that can be completed now (FIFO), then runs their callbacks
  // outside the lock.
  void Flush();
  void Cancel(uint64_t id, const Error& reason);
  // Adds accum_ += grad (or starts accum_ as a copy of grad); mu_ held.
  void AccumulateLocked(const Tensor& grad);
  // The average (or sum) of what was accumulated; counter_ > 0, mu_ held.
  Tensor TakeLocked();

  const DataType dtype_;
  const PartialShape shape_;
  const std::string name_;
  const bool mean_;

  mutable std::mutex mu_;
  int64_t counter_ = 0;
  int64_t global_step_ = 0;
  Tensor accum_;
  uint64_t next_id_ = 0;
  std::deque<Attempt> attempts_;
};

// The handle a ConditionalAccumulator op outputs: TF's Ref(string) tensor [container, name],
// naming the container itself (never empty: the kernel resolves the default).
Tensor MakeAccumulatorHandle(const std::string& container, const std::string& name);
// The accumulator behind input 0 of ctx (such a handle); typed errors naming the node.
std::shared_ptr<ConditionalAccumulator> GetAccumulator(OpKernelContext* ctx);

}  // namespace tg
