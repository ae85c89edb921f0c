#include "runtime/queue_base.h"

#include <algorithm>
#include <cstring>

namespace tg {

struct QueueBase::Attempt {
  enum class Kind { kEnqueue, kClose, kDequeue, kDequeueMany };
  Kind kind;
  uint64_t id = 0;
  OpKernelContext* ctx = nullptr;
  CancellationManager* cm = nullptr;
  CancellationManager::Token token = 0;
  // Enqueue: the elements still to add from `next` on (a whole EnqueueMany goes in progressively).
  std::vector<Tuple> elements;
  size_t next = 0;
  DoneCallback done;  // enqueue, close
  // Dequeue: what was asked for and what has been taken so far.
  int64_t requested = 0;  // as asked (for messages)
  int64_t wanted = 0;     // how many to take (UpTo on a closed queue: fewer)
  bool allow_small = false;
  std::vector<Tuple> taken;
  CallbackWithTuple done_tuple;

  bool is_dequeue() const { return kind == Kind::kDequeue || kind == Kind::kDequeueMany; }
};

QueueBase::QueueBase(int32_t capacity, std::vector<DataType> dtypes, std::vector<PartialShape> shapes, std::string name)
    : capacity_(capacity < 0 ? kUnbounded : capacity),
      dtypes_(std::move(dtypes)),
      shapes_(std::move(shapes)),
      name_(std::move(name)) {}

QueueBase::~QueueBase() = default;

bool QueueBase::is_closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

int32_t QueueBase::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int32_t>(StoredLocked());
}

// ---------------------------------------------------------------------------------------
// Validation

Status QueueBase::ValidateCommon(const Tuple& tuple, const std::string& node) const {
  if (tuple.size() != dtypes_.size()) {
    return Error(Code::kInvalidArgument, "Wrong number of components in tuple. Expected " + std::to_string(dtypes_.size()) +
                                             ", got " + std::to_string(tuple.size()), node);
  }
  for (size_t i = 0; i < tuple.size(); i++) {
    if (tuple[i].dtype() != dtypes_[i]) {
      return Error(Code::kInvalidArgument, "Type mismatch in tuple component " + std::to_string(i) + ". Expected " +
                                               DataTypeName(dtypes_[i]) + ", got " + DataTypeName(tuple[i].dtype()), node);
    }
    if (!queue_util::Copyable(tuple[i].dtype())) {
      return Error(Code::kUnimplemented, "Queues do not support tensors of type " + DataTypeName(tuple[i].dtype()), node);
    }
  }
  return Status::OK();
}

Status QueueBase::ValidateTuple(const Tuple& tuple, const std::string& node) const {
  Status s = ValidateCommon(tuple, node);
  if (!s.ok() || !specified_shapes()) return s;
  for (size_t i = 0; i < tuple.size(); i++) {
    if (!shapes_[i].IsCompatibleWith(tuple[i].shape())) {
      return Error(Code::kInvalidArgument, "Shape mismatch in tuple component " + std::to_string(i) + ". Expected " +
                                               shapes_[i].ToString() + ", got " + ShapeString(tuple[i].shape()), node);
    }
  }
  return Status::OK();
}

Status QueueBase::ValidateManyTuple(const Tuple& tuple, const std::string& node) const {
  Status s = ValidateCommon(tuple, node);
  if (!s.ok()) return s;
  for (size_t i = 0; i < tuple.size(); i++) {
    if (tuple[i].dims() == 0) {
      return Error(Code::kInvalidArgument, "EnqueueMany requires every component to have a batch dimension; component " +
                                               std::to_string(i) + " is a scalar", node);
    }
  }
  const int64_t batch = tuple[0].dim(0);
  for (size_t i = 0; i < tuple.size(); i++) {
    if (specified_shapes()) {
      PartialShape expected = shapes_[i];
      if (!expected.unknown_rank) expected.dims.insert(expected.dims.begin(), batch);
      if (!expected.IsCompatibleWith(tuple[i].shape())) {
        return Error(Code::kInvalidArgument, "Shape mismatch in tuple component " + std::to_string(i) + ". Expected " +
                                                 expected.ToString() + ", got " + ShapeString(tuple[i].shape()), node);
      }
    }
    if (tuple[i].dim(0) != batch) {
      return Error(Code::kInvalidArgument, "All input tensors must have the same size in the 0th dimension. Component " +
                                               std::to_string(i) + " has " + std::to_string(tuple[i].dim(0)) +
                                               ", and should have " + std::to_string(batch), node);
    }
  }
  return Status::OK();
}

bool QueueBase::CanDequeueMany() const {
  if (!specified_shapes()) return false;
  for (const PartialShape& s : shapes_) {
    if (s.unknown_rank) return false;
    for (int64_t d : s.dims) if (d < 0) return false;
  }
  return true;
}

Status QueueBase::MatchesOp(const Node& node, const std::string& kind_name) const {
  if (node.op != kind_name && node.op != kind_name + "V2") {
    return Error(Code::kInvalidArgument, "Expected " + kind_name + ", found " + node.op, node.name);
  }
  return Status::OK();
}

Status QueueBase::MatchesCapacity(const Node& node) const {
  int64_t requested = node.AttrInt("capacity", -1);
  if (requested < 0) requested = kUnbounded;
  if (requested != capacity_) {
    return Error(Code::kInvalidArgument, "Shared queue '" + name_ + "' has capacity " + std::to_string(capacity_) +
                                             " but requested capacity was " + std::to_string(requested), node.name);
  }
  return Status::OK();
}

Status QueueBase::MatchesTypes(const Node& node, const std::vector<DataType>& requested) const {
  if (requested != dtypes_) {
    return Error(Code::kInvalidArgument, "Shared queue '" + name_ + "' has component types " + queue_util::TypeList(dtypes_) +
                                             " but requested component types were " + queue_util::TypeList(requested), node.name);
  }
  return Status::OK();
}

Status QueueBase::MatchesShapes(const Node& node, const std::vector<PartialShape>& requested) const {
  bool same = requested.size() == shapes_.size();
  for (size_t i = 0; same && i < requested.size(); i++) {
    same = requested[i].unknown_rank == shapes_[i].unknown_rank && requested[i].dims == shapes_[i].dims;
  }
  if (!same) {
    return Error(Code::kInvalidArgument, "Shared queue '" + name_ + "' has component shapes " + queue_util::ShapeList(shapes_) +
                                             " but requested component shapes were " + queue_util::ShapeList(requested), node.name);
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// Operations

void QueueBase::TryEnqueue(const Tuple& tuple, OpKernelContext* ctx, DoneCallback callback) {
  Status s = ValidateTuple(tuple, ctx->node().name);
  if (!s.ok()) {
    ctx->SetStatus(s);
    callback();
    return;
  }
  auto a = std::make_unique<Attempt>();
  a->kind = Attempt::Kind::kEnqueue;
  a->ctx = ctx;
  a->elements.push_back(tuple);
  a->done = std::move(callback);
  Park(std::move(a), true);
}

void QueueBase::TryEnqueueMany(const Tuple& tuple, OpKernelContext* ctx, DoneCallback callback) {
  Status s = ValidateManyTuple(tuple, ctx->node().name);
  if (!s.ok()) {
    ctx->SetStatus(s);
    callback();
    return;
  }
  const int64_t batch = tuple[0].dim(0);
  if (batch == 0) {  // nothing to add, even on a closed queue (as TF)
    callback();
    return;
  }
  auto a = std::make_unique<Attempt>();
  a->kind = Attempt::Kind::kEnqueue;
  a->ctx = ctx;
  a->elements.resize(static_cast<size_t>(batch));
  for (int64_t r = 0; r < batch; r++) {
    for (const Tensor& t : tuple) a->elements[r].push_back(queue_util::CopyRow(t, r));
  }
  a->done = std::move(callback);
  Park(std::move(a), true);
}

void QueueBase::TryDequeue(OpKernelContext* ctx, CallbackWithTuple callback) {
  auto a = std::make_unique<Attempt>();
  a->kind = Attempt::Kind::kDequeue;
  a->ctx = ctx;
  a->requested = a->wanted = 1;
  a->done_tuple = std::move(callback);
  Park(std::move(a), false);
}

void QueueBase::TryDequeueMany(int num_elements, OpKernelContext* ctx, bool allow_small_batch, CallbackWithTuple callback) {
  if (!CanDequeueMany()) {
    ctx->SetStatus(Error(Code::kInvalidArgument, kind() + "'s DequeueMany and DequeueUpTo require the components to have specified shapes.",
                         ctx->node().name));
    callback(Tuple());
    return;
  }
  if (num_elements < 0) {
    ctx->SetStatus(Error(Code::kInvalidArgument, std::string(allow_small_batch ? "DequeueUpToOp" : "DequeueManyOp") + " requested " +
                                                     std::to_string(num_elements) + " < 0 elements", ctx->node().name));
    callback(Tuple());
    return;
  }
  if (num_elements == 0) {  // an empty batch at once, closed or not (as TF)
    callback(MakeBatch({}));
    return;
  }
  auto a = std::make_unique<Attempt>();
  a->kind = Attempt::Kind::kDequeueMany;
  a->ctx = ctx;
  a->requested = a->wanted = num_elements;
  a->allow_small = allow_small_batch;
  a->done_tuple = std::move(callback);
  Park(std::move(a), false);
}

void QueueBase::Close(OpKernelContext* ctx, bool cancel_pending_enqueues, DoneCallback callback) {
  if (!cancel_pending_enqueues) {
    // Waits behind the pending enqueues, which are honoured first.
    auto a = std::make_unique<Attempt>();
    a->kind = Attempt::Kind::kClose;
    a->ctx = ctx;
    a->done = std::move(callback);
    Park(std::move(a), true);
    return;
  }
  std::vector<Finished> finished;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    for (auto& a : enqueue_attempts_) {
      if (a->kind == Attempt::Kind::kEnqueue) {
        a->ctx->SetStatus(Error(Code::kCancelled, "Enqueue operation was cancelled", a->ctx->node().name));
      }
      // A pending plain close is satisfied: the queue is closed now.
      finished.push_back({a->cm, a->token, std::move(a->done)});
    }
    enqueue_attempts_.clear();
  }
  RunFinished(&finished);
  Flush();  // blocked dequeues now see the queue closed
  callback();
}

// ---------------------------------------------------------------------------------------
// Attempts

void QueueBase::Park(std::unique_ptr<Attempt> a, bool enqueue_side) {
  CancellationManager* cm = a->ctx->cancellation_manager();
  std::function<void()> fail;
  {
    std::lock_guard<std::mutex> lock(mu_);
    a->id = next_id_++;
    a->cm = cm;
    bool registered = false;
    if (cm) {
      a->token = cm->NewToken();
      std::weak_ptr<QueueBase> weak = weak_from_this();
      const uint64_t id = a->id;
      registered = cm->Register(a->token, [weak, id](const Error& reason) {
        if (auto self = weak.lock()) self->Cancel(id, reason);
      });
      if (!registered) {
        a->cm = nullptr;
        Error reason = cm->reason();
        a->ctx->SetStatus(reason.code() == Code::kCancelled && a->kind != Attempt::Kind::kClose
                              ? Error(Code::kCancelled, a->is_dequeue() ? "Dequeue operation was cancelled" : "Enqueue operation was cancelled",
                                      a->ctx->node().name)
                              : Error(reason.code(), reason.what(), a->ctx->node().name));
        fail = FailureLocked(a.get());
      }
    }
    if (!fail) (enqueue_side ? enqueue_attempts_ : dequeue_attempts_).push_back(std::move(a));
  }
  if (fail) {
    fail();
    return;
  }
  Flush();
}

std::function<void()> QueueBase::FailureLocked(Attempt* a) {
  if (a->kind == Attempt::Kind::kDequeueMany && !a->taken.empty()) {
    PutBackLocked(std::move(a->taken));  // stricter than TF: nothing taken is lost
    a->taken.clear();
  }
  if (a->is_dequeue()) {
    return [cb = std::move(a->done_tuple)] { cb(Tuple()); };
  }
  return std::move(a->done);
}

void QueueBase::Flush() {
  std::vector<Finished> finished;
  {
    std::lock_guard<std::mutex> lock(mu_);
    bool changed;
    do {
      changed = TryAttemptsLocked(&enqueue_attempts_, &finished);
      changed = TryAttemptsLocked(&dequeue_attempts_, &finished) || changed;
    } while (changed);
  }
  RunFinished(&finished);
}

bool QueueBase::TryAttemptsLocked(std::deque<std::unique_ptr<Attempt>>* attempts, std::vector<Finished>* finished) {
  bool progress = false;
  while (!attempts->empty()) {
    Attempt* a = attempts->front().get();
    std::function<void()> fn;
    const RunResult r = RunLocked(a, &fn);
    if (r == RunResult::kNoProgress) break;
    progress = true;
    if (r == RunResult::kProgress) break;  // the front attempt still waits: later ones wait behind it
    finished->push_back({a->cm, a->token, std::move(fn)});
    attempts->pop_front();
  }
  return progress;
}

QueueBase::RunResult QueueBase::RunLocked(Attempt* a, std::function<void()>* finish) {
  const std::string& node = a->ctx->node().name;
  switch (a->kind) {
    case Attempt::Kind::kClose:
      if (closed_) {
        a->ctx->SetStatus(Error(Code::kCancelled, "Queue '" + name_ + "' is already closed.", node));
      } else {
        closed_ = true;
      }
      *finish = std::move(a->done);
      return RunResult::kComplete;

    case Attempt::Kind::kEnqueue: {
      if (closed_) {
        a->ctx->SetStatus(Error(Code::kCancelled, EnqueueClosedKind() + " '" + name_ + "' is closed.", node));
        *finish = std::move(a->done);
        return RunResult::kComplete;
      }
      RunResult r = RunResult::kNoProgress;
      while (a->next < a->elements.size() && StoredLocked() < static_cast<size_t>(capacity_)) {
        PushLocked(std::move(a->elements[a->next++]));
        r = RunResult::kProgress;
      }
      if (a->next < a->elements.size()) return r;
      *finish = std::move(a->done);
      return RunResult::kComplete;
    }

    case Attempt::Kind::kDequeue: {
      if (CanTakeLocked()) {
        *finish = [cb = std::move(a->done_tuple), t = TakeLocked()] { cb(t); };
        return RunResult::kComplete;
      }
      if (closed_) {
        a->ctx->SetStatus(Error(Code::kOutOfRange, DequeueKind(false) + " '" + name_ + "' is closed and has insufficient elements (requested 1, current size " +
                                                       std::to_string(StoredLocked()) + ")", node));
        *finish = FailureLocked(a);
        return RunResult::kComplete;
      }
      return RunResult::kNoProgress;
    }

    case Attempt::Kind::kDequeueMany: {
      const int64_t missing = a->wanted - static_cast<int64_t>(a->taken.size());
      if (closed_ && static_cast<int64_t>(StoredLocked()) < missing) {
        // Never enough now: give back what was taken, then UpTo takes whatever is left.
        if (!a->taken.empty()) PutBackLocked(std::move(a->taken));
        a->taken.clear();
        const size_t left = StoredLocked();
        if (a->allow_small && left > 0) {
          a->wanted = static_cast<int64_t>(left);
        } else {
          a->ctx->SetStatus(Error(Code::kOutOfRange, DequeueKind(true) + " '" + name_ + "' is closed and has insufficient elements (requested " +
                                                         std::to_string(a->requested) + ", current size " + std::to_string(left) + ")", node));
          *finish = FailureLocked(a);
          return RunResult::kComplete;
        }
      }
      RunResult r = RunResult::kNoProgress;
      while (static_cast<int64_t>(a->taken.size()) < a->wanted && CanTakeLocked()) {
        a->taken.push_back(TakeLocked());
        r = RunResult::kProgress;
      }
      if (static_cast<int64_t>(a->taken.size()) < a->wanted) return r;
      // Runs inside a call on this queue (whose caller holds it).
      *finish = [self = this, ctx = a->ctx, cb = std::move(a->done_tuple), taken = std::move(a->taken)] {
        Tuple batch;
        try {
          batch = self->MakeBatch(taken);
        } catch (const Error& e) {
          ctx->SetStatus(Error(e.code(), e.what(), ctx->node().name));
        }
        cb(batch);
      };
      return RunResult::kComplete;
    }
  }
  return RunResult::kNoProgress;
}

void QueueBase::Cancel(uint64_t id, const Error& reason) {
  std::function<void()> fn;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto* list : {&enqueue_attempts_, &dequeue_attempts_}) {
      auto it = std::find_if(list->begin(), list->end(), [id](const std::unique_ptr<Attempt>& a) { return a->id == id; });
      if (it == list->end()) continue;
      Attempt* a = it->get();
      const std::string& node = a->ctx->node().name;
      // TF's texts for a cancelled step; other reasons (a deadline) keep their code.
      if (reason.code() == Code::kCancelled && a->kind != Attempt::Kind::kClose) {
        a->ctx->SetStatus(Error(Code::kCancelled, a->is_dequeue() ? "Dequeue operation was cancelled" : "Enqueue operation was cancelled", node));
      } else if (reason.code() == Code::kDeadlineExceeded) {
        a->ctx->SetStatus(Error(Code::kDeadlineExceeded, "Timed out waiting for notification", node));
      } else {
        a->ctx->SetStatus(Error(reason.code(), reason.what(), node));
      }
      fn = FailureLocked(a);
      std::unique_ptr<Attempt> owned = std::move(*it);
      list->erase(it);
      break;
    }
  }
  if (!fn) return;  // already finished by someone else
  fn();
  Flush();  // elements put back, or a removed enqueue, may let others proceed
}

void QueueBase::RunFinished(std::vector<Finished>* finished) {
  for (Finished& f : *finished) {
    // The mutex made this completion the only one; a cancellation running concurrently
    // finds the attempt gone and does nothing.
    if (f.cm) f.cm->Deregister(f.token);
    if (f.fn) f.fn();
  }
}

QueueInterface::Tuple QueueBase::MakeBatch(const std::vector<Tuple>& elements) const {
  Tuple batch;
  for (int c = 0; c < num_components(); c++) {
    std::vector<const Tensor*> parts;
    for (const Tuple& e : elements) parts.push_back(&e[c]);
    batch.push_back(queue_util::Stack(dtypes_[c], Shape(shapes_[c].dims), parts));
  }
  return batch;
}

// ---------------------------------------------------------------------------------------
// Tensor helpers

namespace queue_util {

bool Copyable(DataType dtype) { return HoldsStrings(dtype) || DataTypeSize(dtype) > 0; }

Tensor CopyRow(const Tensor& batch, int64_t row) {
  Shape shape(batch.shape().begin() + 1, batch.shape().end());
  Tensor out(batch.dtype(), shape);
  const int64_t n = NumElements(shape);
  if (HoldsStrings(batch.dtype())) {
    for (int64_t i = 0; i < n; i++) out.strings()[i] = batch.strings()[row * n + i];
  } else if (n > 0) {
    const size_t bytes = static_cast<size_t>(n) * DataTypeSize(batch.dtype());
    std::memcpy(out.raw(), static_cast<const char*>(batch.raw()) + row * bytes, bytes);
  }
  return out;
}

Tensor Stack(DataType dtype, const Shape& element_shape, const std::vector<const Tensor*>& elements) {
  Shape shape{static_cast<int64_t>(elements.size())};
  shape.insert(shape.end(), element_shape.begin(), element_shape.end());
  Tensor out(dtype, shape);
  const int64_t n = NumElements(element_shape);
  for (size_t r = 0; r < elements.size(); r++) {
    const Tensor& e = *elements[r];
    if (HoldsStrings(dtype)) {
      for (int64_t i = 0; i < n; i++) out.strings()[r * n + i] = e.strings()[i];
    } else if (n > 0) {
      const size_t bytes = static_cast<size_t>(n) * DataTypeSize(dtype);
      std::memcpy(static_cast<char*>(out.raw()) + r * bytes, e.raw(), bytes);
    }
  }
  return out;
}

namespace {
// Copies `e` into the leading corner of a slot shaped `slot` (same rank, every dim >= e's).
void CopyIntoCorner(const Tensor& e, const Shape& slot, char* dst_base, std::string* dst_strings, int64_t slot_offset) {
  const int rank = e.dims();
  const size_t esize = DataTypeSize(e.dtype());
  if (e.num_elements() == 0) return;
  if (rank == 0) {
    if (dst_strings) dst_strings[slot_offset] = e.strings()[0];
    else std::memcpy(dst_base + slot_offset * esize, e.raw(), esize);
    return;
  }
  // Walk every row (all dims but the last) of e; copy it into the matching row of the slot.
  const int64_t row_len = e.dim(rank - 1);
  const int64_t rows = e.num_elements() / row_len;
  std::vector<int64_t> idx(static_cast<size_t>(rank - 1), 0);
  for (int64_t r = 0; r < rows; r++) {
    int64_t dst = 0;
    for (int d = 0; d < rank - 1; d++) dst = dst * slot[d] + idx[d];
    dst = slot_offset + dst * slot[rank - 1];
    const int64_t src = r * row_len;
    if (dst_strings) {
      for (int64_t i = 0; i < row_len; i++) dst_strings[dst + i] = e.strings()[src + i];
    } else {
      std::memcpy(dst_base + dst * esize, static_cast<const char*>(e.raw()) + src * esize, static_cast<size_t>(row_len) * esize);
    }
    for (int d = rank - 2; d >= 0; d--) {
      if (++idx[d] < e.dim(d)) break;
      idx[d] = 0;
    }
  }
}
}  // namespace

Tensor PadStack(DataType dtype, const PartialShape& shape, const std::vector<const Tensor*>& elements) {
  Shape slot(shape.dims.size(), 0);
  for (size_t d = 0; d < slot.size(); d++) {
    if (shape.dims[d] >= 0) {
      slot[d] = shape.dims[d];
      continue;
    }
    for (const Tensor* e : elements) slot[d] = std::max(slot[d], e->dim(static_cast<int>(d)));
  }
  Shape out_shape{static_cast<int64_t>(elements.size())};
  out_shape.insert(out_shape.end(), slot.begin(), slot.end());
  Tensor out(dtype, out_shape);
  std::string* strings = HoldsStrings(dtype) ? out.strings() : nullptr;  // already ""
  if (!strings && out.total_bytes() > 0) std::memset(out.raw(), 0, out.total_bytes());  // 0 and false
  const int64_t slot_elems = NumElements(slot);
  for (size_t r = 0; r < elements.size(); r++) {
    CopyIntoCorner(*elements[r], slot, static_cast<char*>(out.raw()), strings, static_cast<int64_t>(r) * slot_elems);
  }
  return out;
}

std::string TypeList(const std::vector<DataType>& types) {
  std::string s;
  for (size_t i = 0; i < types.size(); i++) s += (i ? ", " : "") + DataTypeName(types[i]);
  return s;
}

std::string ShapeList(const std::vector<PartialShape>& shapes) {
  std::string s = "[";
  for (size_t i = 0; i < shapes.size(); i++) s += (i ? ", " : "") + shapes[i].ToString();
  return s + "]";
}

}  // namespace queue_util

}  // namespace tg
