// What the four queue kinds share (TF's QueueBase): validation of enqueued tuples, the
// FIFO lists of parked enqueue and dequeue attempts, closing, and cancellation. A kind
// supplies its storage (which element a dequeue takes, where a cancelled DequeueMany puts
// its elements back) and its batching (stacking, or padding for PaddingFIFOQueue).
//
// Every operation becomes an attempt appended to its list; Flush() runs the attempts at
// the front of both lists until none makes progress. An attempt that cannot finish stays
// parked (no thread waits) and is finished by whichever thread later calls Flush(): an
// enqueue, a dequeue, a close, or a cancellation callback. Completion callbacks are
// collected under the lock and run after it is released.
#pragma once

#include <climits>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/graph.h"
#include "runtime/queue.h"

namespace tg {

class QueueBase : public QueueInterface, public std::enable_shared_from_this<QueueBase> {
 public:
  static constexpr int32_t kUnbounded = INT32_MAX;

  // `shapes` is empty (unspecified) or one shape per component. capacity < 0: unbounded.
  QueueBase(int32_t capacity, std::vector<DataType> dtypes, std::vector<PartialShape> shapes, std::string name);
  ~QueueBase() override;

  void TryEnqueue(const Tuple& tuple, OpKernelContext* ctx, DoneCallback callback) override;
  void TryEnqueueMany(const Tuple& tuple, OpKernelContext* ctx, DoneCallback callback) override;
  void TryDequeue(OpKernelContext* ctx, CallbackWithTuple callback) override;
  void TryDequeueMany(int num_elements, OpKernelContext* ctx, bool allow_small_batch,
                      CallbackWithTuple callback) override;
  void Close(OpKernelContext* ctx, bool cancel_pending_enqueues, DoneCallback callback) override;

  bool is_closed() const override;
  int32_t size() const override;
  const std::vector<DataType>& component_dtypes() const override { return dtypes_; }
  std::string name() const override { return name_; }
  int32_t capacity() const { return capacity_; }
  const std::vector<PartialShape>& component_shapes() const { return shapes_; }
  bool specified_shapes() const { return !shapes_.empty(); }
  int num_components() const { return static_cast<int>(dtypes_.size()); }

  // The checks an enqueue makes (TF's ValidateTuple / ValidateManyTuple): OK, or an
  // InvalidArgument naming `node`.
  virtual Status ValidateTuple(const Tuple& tuple, const std::string& node) const;
  virtual Status ValidateManyTuple(const Tuple& tuple, const std::string& node) const;

  // Whether this queue may serve the queue-creating `node` that found it under its name
  // (TF's MatchesNodeDef): same kind, capacity, component types and shapes.
  virtual Status MatchesNode(const Node& node) const = 0;

  // The kind as TF names it in messages ("FIFOQueue", "RandomShuffleQueue", ...).
  virtual std::string kind() const = 0;

 protected:
  // Storage, all called with mu_ held.
  virtual size_t StoredLocked() const = 0;
  virtual void PushLocked(Tuple element) = 0;
  // Whether a dequeue may take an element now (RandomShuffleQueue keeps min_after_dequeue).
  virtual bool CanTakeLocked() const { return StoredLocked() > 0; }
  virtual Tuple TakeLocked() = 0;
  // Returns elements a cancelled or failed DequeueMany had taken, given in the order taken.
  virtual void PutBackLocked(std::vector<Tuple> elements) = 0;

  // The kind named in "<kind> '<name>' is closed." (enqueue) and in the OutOfRange of a
  // dequeue (`many` for DequeueMany/UpTo): TF's PaddingFIFOQueue says "FIFOQueue" except
  // in its own DequeueMany.
  virtual std::string EnqueueClosedKind() const { return kind(); }
  virtual std::string DequeueKind(bool many) const { return kind(); }
  // The batch of a DequeueMany/UpTo from its elements in dequeue order (stacked).
  virtual Tuple MakeBatch(const std::vector<Tuple>& elements) const;
  // DequeueMany needs fully defined shapes (PaddingFIFOQueue pads instead).
  virtual bool CanDequeueMany() const;

  // Shared parts of MatchesNode.
  Status MatchesOp(const Node& node, const std::string& kind_name) const;
  Status MatchesCapacity(const Node& node) const;
  Status MatchesTypes(const Node& node, const std::vector<DataType>& requested) const;
  Status MatchesShapes(const Node& node, const std::vector<PartialShape>& requested) const;

  Status ValidateCommon(const Tuple& tuple, const std::string& node) const;

  const int32_t capacity_;
  const std::vector<DataType> dtypes_;
  const std::vector<PartialShape> shapes_;
  const std::string name_;

  mutable std::mutex mu_;
  bool closed_ = false;  // guarded by mu_

 private:
  struct Attempt;
  enum class RunResult { kNoProgress, kProgress, kComplete };
  struct Finished {
    CancellationManager* cm;
    int64_t token;
    std::function<void()> fn;
  };

  // Registers `a` with its step's cancellation manager and parks it; when the step is
  // already cancelled, fails it at once instead. Then flushes.
  void Park(std::unique_ptr<Attempt> a, bool enqueue_side);
  void Flush();
  bool TryAttemptsLocked(std::deque<std::unique_ptr<Attempt>>* attempts, std::vector<Finished>* finished);
  RunResult RunLocked(Attempt* a, std::function<void()>* finish);
  // The cancellation callback of one parked attempt.
  void Cancel(uint64_t id, const Error& reason);
  // The completion of a failed attempt (its status already set).
  std::function<void()> FailureLocked(Attempt* a);
  static void RunFinished(std::vector<Finished>* finished);

  uint64_t next_id_ = 0;  // guarded by mu_
  std::deque<std::unique_ptr<Attempt>> enqueue_attempts_;  // enqueues and closes, FIFO
  std::deque<std::unique_ptr<Attempt>> dequeue_attempts_;
};

// Tensor helpers shared by the queue kinds.
namespace queue_util {
// Row `row` of `batch` (dim 0) as a new tensor.
Tensor CopyRow(const Tensor& batch, int64_t row);
// Stacks equally shaped elements of one component into [n, ...element].
Tensor Stack(DataType dtype, const Shape& element_shape, const std::vector<const Tensor*>& elements);
// Stacks elements of one rank into [n, max dims...], padding with 0 / "" / false.
Tensor PadStack(DataType dtype, const PartialShape& shape, const std::vector<const Tensor*>& elements);
// Whether a queue can hold tensors of this dtype (it must copy rows of them).
bool Copyable(DataType dtype);
std::string TypeList(const std::vector<DataType>& types);     // "float, int32" (TF's DataTypeSliceString)
std::string ShapeList(const std::vector<PartialShape>& shapes);  // "[[2,3], [?]]"
}  // namespace queue_util

}  // namespace tg
