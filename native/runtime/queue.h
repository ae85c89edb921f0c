// The interface every queue resource implements (TF's QueueInterface): FIFOQueue,
// RandomShuffleQueue, PaddingFIFOQueue and PriorityQueue. Readers use it too, to take their
// next file name. Operations complete through callbacks: one that must wait is parked in
// the queue's waiter list (holding no thread) and completed by whichever thread later makes
// progress (an enqueue, a dequeue, close, or the step's cancellation).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/resource_mgr.h"

namespace tg {

class QueueInterface : public Resource {
 public:
  using Tuple = std::vector<Tensor>;  // one tensor per component
  using DoneCallback = AsyncOpKernel::DoneCallback;
  using CallbackWithTuple = std::function<void(const Tuple&)>;

  // Errors are reported through ctx->SetStatus(...) before the callback runs (the tuple is
  // then empty). Callbacks never run while the queue's lock is held; they may run inside
  // the call (when no wait is needed) or later on another thread.
  virtual void TryEnqueue(const Tuple& tuple, OpKernelContext* ctx, DoneCallback callback) = 0;
  // Each component's dim 0 is the batch of elements to enqueue.
  virtual void TryEnqueueMany(const Tuple& tuple, OpKernelContext* ctx, DoneCallback callback) = 0;
  virtual void TryDequeue(OpKernelContext* ctx, CallbackWithTuple callback) = 0;
  // allow_small_batch: DequeueUpTo (a closed queue returns what is left).
  virtual void TryDequeueMany(int num_elements, OpKernelContext* ctx, bool allow_small_batch,
                              CallbackWithTuple callback) = 0;
  virtual void Close(OpKernelContext* ctx, bool cancel_pending_enqueues, DoneCallback callback) = 0;

  virtual bool is_closed() const = 0;
  virtual int32_t size() const = 0;
  virtual const std::vector<DataType>& component_dtypes() const = 0;
  virtual std::string name() const = 0;
};

}  // namespace tg
