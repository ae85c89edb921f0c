// Queue kernels (TF1's V2 queue ops): the four queue-creating ops output a DT_RESOURCE
// handle to a per-session queue, named by shared_name or else the node name, so every
// executor of a session finds the same queue. Enqueue, dequeue and close are async: an op
// that must wait is parked in the queue and holds no thread.
#include <memory>

#include "runtime/kernel.h"
#include "runtime/queue_fifo.h"
#include "runtime/queue_priority.h"
#include "runtime/queue_random_shuffle.h"

namespace tg {
namespace {

constexpr DeviceType kCPU = DeviceType::kCPU;

enum class QueueKind { kFIFO, kPaddingFIFO, kRandomShuffle, kPriority };

// FIFOQueueV2, PaddingFIFOQueueV2, RandomShuffleQueueV2, PriorityQueueV2.
template <QueueKind K>
class QueueOp : public OpKernel {
 public:
  explicit QueueOp(const KernelConstruction& c)
      : OpKernel(c),
        container_(c.node.AttrString("container", "")),
        shared_name_(c.node.AttrString("shared_name", "")) {
    // Attrs are checked here and reported by Compute, so creating the queue cannot fail.
    try {
      const Node& n = c.node;
      const AttrValue* types = n.FindAttr("component_types");
      const AttrValue* shapes = n.FindAttr("shapes");
      dtypes_ = types ? types->list_type : std::vector<DataType>{};
      shapes_ = shapes ? shapes->list_shape : std::vector<PartialShape>{};
      const int64_t capacity = n.AttrInt("capacity", -1);
      capacity_ = capacity < 0 || capacity > QueueBase::kUnbounded ? -1 : static_cast<int32_t>(capacity);
      if (K != QueueKind::kPriority && dtypes_.empty()) {
        throw InvalidArgument("Attr component_types of " + n.op + " must hold at least one type", n.name);
      }
      if (K == QueueKind::kPaddingFIFO) {
        if (shapes_.size() != dtypes_.size()) {
          throw InvalidArgument("Shapes must be provided for all components, but received " + std::to_string(dtypes_.size()) +
                                " dtypes and " + std::to_string(shapes_.size()) + " shapes.", n.name);
        }
        for (const PartialShape& s : shapes_) {
          if (s.unknown_rank) throw InvalidArgument("PaddingFIFOQueue needs every component shape to have a known rank", n.name);
        }
      } else if (!shapes_.empty() && shapes_.size() != dtypes_.size()) {
        throw InvalidArgument("Different number of component types.  Types: " + queue_util::TypeList(dtypes_) +
                              ", shapes: " + queue_util::ShapeList(shapes_), n.name);
      }
      for (DataType t : dtypes_) {
        if (!queue_util::Copyable(t)) throw Error(Code::kUnimplemented, "Queues do not support tensors of type " + DataTypeName(t), n.name);
      }
      if (K == QueueKind::kRandomShuffle) {
        min_after_dequeue_ = static_cast<int32_t>(n.AttrInt("min_after_dequeue", 0));
        seed_ = n.AttrInt("seed", 0);
        seed2_ = n.AttrInt("seed2", 0);
      }
      if (K == QueueKind::kPriority) {
        shapes_ = PriorityQueue::NodeShapes(n);
        dtypes_ = PriorityQueue::NodeTypes(n);
      }
    } catch (const Error& e) {
      error_ = e;
    }
  }

  void Compute(OpKernelContext* ctx) const override {
    error_.Check();
    const std::string& name = shared_name_.empty() ? ctx->node().name : shared_name_;
    auto queue = ctx->resources()->LookupOrCreate<QueueBase>(container_, name, [&]() -> std::shared_ptr<QueueBase> {
      switch (K) {
        case QueueKind::kFIFO: return std::make_shared<FIFOQueue>(capacity_, dtypes_, shapes_, name);
        case QueueKind::kPaddingFIFO: return std::make_shared<PaddingFIFOQueue>(capacity_, dtypes_, shapes_, name);
        case QueueKind::kRandomShuffle:
          return std::make_shared<RandomShuffleQueue>(capacity_, min_after_dequeue_, seed_, seed2_, dtypes_, shapes_, name);
        case QueueKind::kPriority: return std::make_shared<PriorityQueue>(capacity_, dtypes_, shapes_, name);
      }
      return nullptr;
    });
    queue->MatchesNode(ctx->node()).Check();
    ctx->set_output(0, MakeResourceHandle(container_, name));
  }
  bool IsExpensive() const override { return false; }

 private:
  std::string container_, shared_name_;
  std::vector<DataType> dtypes_;
  std::vector<PartialShape> shapes_;
  int32_t capacity_ = -1;
  int32_t min_after_dequeue_ = 0;
  int64_t seed_ = 0, seed2_ = 0;
  Status error_;
};
TG_REGISTER_KERNEL(Name("FIFOQueueV2").Device(DEVICE_CPU), QueueOp<QueueKind::kFIFO>);
TG_REGISTER_KERNEL(Name("PaddingFIFOQueueV2").Device(DEVICE_CPU), QueueOp<QueueKind::kPaddingFIFO>);
TG_REGISTER_KERNEL(Name("RandomShuffleQueueV2").Device(DEVICE_CPU), QueueOp<QueueKind::kRandomShuffle>);
TG_REGISTER_KERNEL(Name("PriorityQueueV2").Device(DEVICE_CPU), QueueOp<QueueKind::kPriority>);

// The queue behind input 0 (a resource handle).
std::shared_ptr<QueueBase> GetQueue(OpKernelContext* ctx) {
  const ResourceHandle h = GetResourceHandle(ctx->input(0), ctx->node().name);
  try {
    return ctx->resources()->Lookup<QueueBase>(h.container, h.name);
  } catch (const Error& e) {
    throw Error(e.code(), e.what(), ctx->node().name);
  }
}

// QueueEnqueueV2 (many = false) and QueueEnqueueManyV2.
template <bool kMany>
class EnqueueOp : public AsyncOpKernel {
 public:
  explicit EnqueueOp(const KernelConstruction& c) : AsyncOpKernel(c, 0) {}
  void ComputeAsync(OpKernelContext* ctx, DoneCallback done) const override {
    auto queue = GetQueue(ctx);
    QueueInterface::Tuple tuple;
    for (int i = 1; i < ctx->num_inputs(); i++) tuple.push_back(ctx->input(i));
    // The callback keeps the queue alive while the op is parked in it.
    auto callback = [queue, done = std::move(done)] { done(); };
    if (kMany) {
      queue->TryEnqueueMany(tuple, ctx, std::move(callback));
    } else {
      queue->TryEnqueue(tuple, ctx, std::move(callback));
    }
  }
};
TG_REGISTER_KERNEL(Name("QueueEnqueueV2").Device(DEVICE_CPU), EnqueueOp<false>);
TG_REGISTER_KERNEL(Name("QueueEnqueueManyV2").Device(DEVICE_CPU), EnqueueOp<true>);

// The dequeue ops' declared output types must be the queue's component types.
void CheckOutputTypes(OpKernelContext* ctx, const QueueBase& queue) {
  const AttrValue* a = ctx->node().FindAttr("component_types");
  const std::vector<DataType> declared = a ? a->list_type : std::vector<DataType>{};
  if (declared != queue.component_dtypes()) {
    throw InvalidArgument("Queue '" + queue.name() + "' has component types " + queue_util::TypeList(queue.component_dtypes()) +
                          " but the op expects " + queue_util::TypeList(declared), ctx->node().name);
  }
}

int NumComponents(const KernelConstruction& c) {
  const AttrValue* a = c.node.FindAttr("component_types");
  return a ? static_cast<int>(a->list_type.size()) : 0;
}

class DequeueOp : public AsyncOpKernel {
 public:
  explicit DequeueOp(const KernelConstruction& c) : AsyncOpKernel(c, NumComponents(c)) {}
  void ComputeAsync(OpKernelContext* ctx, DoneCallback done) const override {
    auto queue = GetQueue(ctx);
    CheckOutputTypes(ctx, *queue);
    queue->TryDequeue(ctx, [ctx, queue, done = std::move(done)](const QueueInterface::Tuple& tuple) {
      if (ctx->status().ok()) {
        for (size_t i = 0; i < tuple.size(); i++) ctx->set_output(static_cast<int>(i), tuple[i]);
      }
      done();
    });
  }
};
TG_REGISTER_KERNEL(Name("QueueDequeueV2").Device(DEVICE_CPU), DequeueOp);

// QueueDequeueManyV2 (up_to = false) and QueueDequeueUpToV2.
template <bool kUpTo>
class DequeueManyOp : public AsyncOpKernel {
 public:
  explicit DequeueManyOp(const KernelConstruction& c) : AsyncOpKernel(c, NumComponents(c)) {}
  void ComputeAsync(OpKernelContext* ctx, DoneCallback done) const override {
    auto queue = GetQueue(ctx);
    CheckOutputTypes(ctx, *queue);
    const Tensor& n = ctx->input(1);
    if (n.dtype() != DataType::DT_INT32 || n.num_elements() != 1) {
      throw ctx->InvalidArg("n must be an int32 scalar, got " + n.DebugString());
    }
    queue->TryDequeueMany(*n.data<int32_t>(), ctx, kUpTo, [ctx, queue, done = std::move(done)](const QueueInterface::Tuple& tuple) {
      if (ctx->status().ok()) {
        for (size_t i = 0; i < tuple.size(); i++) ctx->set_output(static_cast<int>(i), tuple[i]);
      }
      done();
    });
  }
};
TG_REGISTER_KERNEL(Name("QueueDequeueManyV2").Device(DEVICE_CPU), DequeueManyOp<false>);
TG_REGISTER_KERNEL(Name("QueueDequeueUpToV2").Device(DEVICE_CPU), DequeueManyOp<true>);

class CloseOp : public AsyncOpKernel {
 public:
  explicit CloseOp(const KernelConstruction& c)
      : AsyncOpKernel(c, 0), cancel_pending_enqueues_(c.node.AttrBool("cancel_pending_enqueues", false)) {}
  void ComputeAsync(OpKernelContext* ctx, DoneCallback done) const override {
    auto queue = GetQueue(ctx);
    queue->Close(ctx, cancel_pending_enqueues_, [queue, done = std::move(done)] { done(); });
  }

 private:
  bool cancel_pending_enqueues_;
};
TG_REGISTER_KERNEL(Name("QueueCloseV2").Device(DEVICE_CPU), CloseOp);

class SizeOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override { ctx->set_output(0, Tensor::Scalar<int32_t>(GetQueue(ctx)->size())); }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("QueueSizeV2").Device(DEVICE_CPU), SizeOp);

class IsClosedOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override { ctx->set_output(0, Tensor::Scalar<bool>(GetQueue(ctx)->is_closed())); }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("QueueIsClosedV2").Device(DEVICE_CPU), IsClosedOp);

}  // namespace
}  // namespace tg
