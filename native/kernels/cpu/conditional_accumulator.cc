#include "kernels/cpu/conditional_accumulator.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/cpu/half.h"

namespace tg {

ConditionalAccumulator::ConditionalAccumulator(DataType dtype, PartialShape shape, std::string name, bool mean)
    : dtype_(dtype), shape_(std::move(shape)), name_(std::move(name)), mean_(mean) {}

Status ConditionalAccumulator::MatchesNode(const Node& node) const {
  const DataType requested = node.AttrType("dtype");
  if (requested != dtype_) {
    return Error(Code::kInvalidArgument, "Shared accumulator '" + name_ + "' has dtype " + DataTypeName(dtype_) +
                                             " but requested dtype was " + DataTypeName(requested), node.name);
  }
  const AttrValue* s = node.FindAttr("shape");
  const PartialShape requested_shape = s ? s->shape : PartialShape{};
  if (requested_shape.unknown_rank != shape_.unknown_rank || requested_shape.dims != shape_.dims) {
    return Error(Code::kInvalidArgument, "Shared accumulator '" + name_ + "' has shape " + shape_.ToString() +
                                             " but requested shape was " + requested_shape.ToString(), node.name);
  }
  return Status::OK();
}

namespace {

template <typename T>
void AddInto(Tensor* accum, const Tensor& grad) {
  T* a = accum->data<T>();
  const T* g = grad.data<T>();
  for (int64_t i = 0, n = grad.num_elements(); i < n; i++) a[i] += g[i];
}

template <>
void AddInto<uint16_t>(Tensor* accum, const Tensor& grad) {  // half, added in float and rounded (Eigen::half)
  uint16_t* a = accum->data<uint16_t>();
  const uint16_t* g = grad.data<uint16_t>();
  for (int64_t i = 0, n = grad.num_elements(); i < n; i++) a[i] = FloatToHalf(HalfToFloat(a[i]) + HalfToFloat(g[i]));
}

template <typename T>
void DivideBy(Tensor* accum, int64_t count) {
  T* a = accum->data<T>();
  const T c = static_cast<T>(count);
  for (int64_t i = 0, n = accum->num_elements(); i < n; i++) a[i] /= c;
}

template <>
void DivideBy<uint16_t>(Tensor* accum, int64_t count) {
  uint16_t* a = accum->data<uint16_t>();
  const float c = HalfToFloat(FloatToHalf(static_cast<float>(count)));
  for (int64_t i = 0, n = accum->num_elements(); i < n; i++) a[i] = FloatToHalf(HalfToFloat(a[i]) / c);
}

}  // namespace

void ConditionalAccumulator::AccumulateLocked(const Tensor& grad) {
  if (counter_ == 0) {
    // A fresh buffer: the previous average may still be held by its consumers.
    accum_ = Tensor(dtype_, grad.shape());
    if (grad.num_elements() > 0) std::memcpy(accum_.raw(), grad.raw(), static_cast<size_t>(grad.num_elements()) * DataTypeSize(dtype_));
    return;
  }
  switch (dtype_) {
    case DataType::DT_FLOAT: AddInto<float>(&accum_, grad); break;
    case DataType::DT_DOUBLE: AddInto<double>(&accum_, grad); break;
    case DataType::DT_HALF: AddInto<uint16_t>(&accum_, grad); break;
    default: throw Error(Code::kUnimplemented, "ConditionalAccumulator does not support " + DataTypeName(dtype_));
  }
}

Tensor ConditionalAccumulator::TakeLocked() {
  if (mean_) {
    switch (dtype_) {
      case DataType::DT_FLOAT: DivideBy<float>(&accum_, counter_); break;
      case DataType::DT_DOUBLE: DivideBy<double>(&accum_, counter_); break;
      case DataType::DT_HALF: DivideBy<uint16_t>(&accum_, counter_); break;
      default: break;
    }
  }
  Tensor out = std::move(accum_);
  accum_ = Tensor();
  counter_ = 0;
  global_step_++;  // TF advances the accumulator's step with each take
  return out;
}

void ConditionalAccumulator::TryApplyGrad(int64_t local_step, const Tensor& grad, const std::string& node) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (local_step < global_step_) return;  // stale: dropped, as TF (no error)
    if (grad.dtype() != dtype_) {
      throw Error(Code::kInvalidArgument, "Accumulator '" + name_ + "' holds " + DataTypeName(dtype_) + " gradients, got " +
                                              DataTypeName(grad.dtype()), node);
    }
    if (counter_ > 0 && accum_.shape() != grad.shape()) {
      throw Error(Code::kInvalidArgument, "Shape mismatch: expected " + ShapeString(accum_.shape()) + ", got " + ShapeString(grad.shape()), node);
    }
    if (!shape_.IsCompatibleWith(grad.shape())) {
      throw Error(Code::kInvalidArgument, "Shape mismatch: expected " + shape_.ToString() + ", got " + ShapeString(grad.shape()), node);
    }
    AccumulateLocked(grad);
    counter_++;
  }
  Flush();
}

void ConditionalAccumulator::TryTakeGrad(int64_t num_required, OpKernelContext* ctx, DoneCallback done) {
  if (num_required <= 0) {
    ctx->SetStatus(Error(Code::kInvalidArgument, "Argument num_required must be positive, but was " + std::to_string(num_required),
                         ctx->node().name));
    done();
    return;
  }
  CancellationManager* cm = ctx->cancellation_manager();
  bool registered = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Attempt a{num_required, ctx, std::move(done), cm, 0, next_id_++};
    if (cm) {
      a.token = cm->NewToken();
      std::weak_ptr<ConditionalAccumulator> weak = weak_from_this();
      const uint64_t id = a.id;
      registered = cm->Register(a.token, [weak, id](const Error& reason) {
        if (auto self = weak.lock()) self->Cancel(id, reason);
      });
    }
    if (registered) {
      attempts_.push_back(std::move(a));
    } else {
      done = std::move(a.done);
    }
  }
  if (!registered) {
    const Error reason = cm->reason();
    ctx->SetStatus(reason.code() == Code::kCancelled ? Error(Code::kCancelled, "TakeGrad operation was cancelled", ctx->node().name)
                                                     : Error(reason.code(), reason.what(), ctx->node().name));
    done();
    return;
  }
  Flush();
}

void ConditionalAccumulator::Flush() {
  std::vector<Finished> finished;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Takes are served in arrival order: a later one never overtakes a waiting one.
    while (!attempts_.empty() && counter_ >= attempts_.front().required) {
      Attempt& a = attempts_.front();
      a.ctx->set_output(0, TakeLocked());
      finished.push_back({a.cm, a.token, std::move(a.done)});
      attempts_.pop_front();
    }
  }
  for (Finished& f : finished) {
    // The lock made this completion the only one; a concurrent cancellation finds nothing.
    if (f.cm) f.cm->Deregister(f.token);
    f.done();
  }
}

void ConditionalAccumulator::Cancel(uint64_t id, const Error& reason) {
  DoneCallback done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = std::find_if(attempts_.begin(), attempts_.end(), [id](const Attempt& a) { return a.id == id; });
    if (it == attempts_.end()) return;  // already completed
    const std::string& node = it->ctx->node().name;
    if (reason.code() == Code::kCancelled) {
      it->ctx->SetStatus(Error(Code::kCancelled, "TakeGrad operation was cancelled", node));
    } else if (reason.code() == Code::kDeadlineExceeded) {
      it->ctx->SetStatus(Error(Code::kDeadlineExceeded, "Timed out waiting for notification", node));
    } else {
      it->ctx->SetStatus(Error(reason.code(), reason.what(), node));
    }
    done = std::move(it->done);
    attempts_.erase(it);
  }
  done();
  Flush();  // the attempts behind it may be served now
}

void ConditionalAccumulator::SetGlobalStep(int64_t step) {
  std::lock_guard<std::mutex> lock(mu_);
  global_step_ = step;  // TF only warns when the step goes back
}

int32_t ConditionalAccumulator::num_accumulated() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int32_t>(counter_);
}

int64_t ConditionalAccumulator::global_step() const {
  std::lock_guard<std::mutex> lock(mu_);
  return global_step_;
}

Tensor MakeAccumulatorHandle(const std::string& container, const std::string& name) {
  Tensor t(DataType::DT_STRING, {2});
  t.strings()[0] = container;
  t.strings()[1] = name;
  return t;
}

std::shared_ptr<ConditionalAccumulator> GetAccumulator(OpKernelContext* ctx) {
  const Tensor& h = ctx->input(0);
  if (h.dtype() != DataType::DT_STRING || h.num_elements() != 2) {
    throw ctx->InvalidArg("expected an accumulator handle (a string vector [container, name]), got " + h.DebugString());
  }
  try {
    return ctx->resources()->Lookup<ConditionalAccumulator>(h.strings()[0], h.strings()[1]);
  } catch (const Error& e) {
    throw Error(e.code(), e.what(), ctx->node().name);
  }
}

}  // namespace tg
