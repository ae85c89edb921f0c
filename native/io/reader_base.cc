#include "io/reader_base.h"

#include <algorithm>

namespace tg {

struct ReaderBase::Request {
  OpKernelContext* ctx;
  std::shared_ptr<QueueInterface> queue;
  int64_t max_records;  // < 0: a single Read
  AsyncOpKernel::DoneCallback done;
  std::vector<std::string> keys, values;
  CancellationManager::Token token = 0;
  bool registered = false;
  // A dequeued work item waiting to be taken (set by the queue's callback).
  std::mutex dq_mu;
  bool dq_returned = false, dq_got = false, has_tuple = false;
  QueueInterface::Tuple tuple;
};

void ReaderBase::Read(OpKernelContext* ctx, std::shared_ptr<QueueInterface> queue, int64_t max_records,
                      AsyncOpKernel::DoneCallback done) {
  auto r = std::make_shared<Request>();
  r->ctx = ctx;
  r->queue = std::move(queue);
  r->max_records = max_records;
  r->done = std::move(done);
  Start(std::move(r));
}

void ReaderBase::Start(std::shared_ptr<Request> r) {
  bool cancelled = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (busy_) {
      // Wait behind the running read; a cancelled step leaves the line.
      CancellationManager* cm = r->ctx->cancellation_manager();
      r->token = cm->NewToken();
      std::weak_ptr<ReaderBase> weak = shared_from_this();
      std::weak_ptr<Request> wr = r;
      r->registered = cm->Register(r->token, [weak, wr](const Error& reason) {
        auto self = weak.lock();
        auto req = wr.lock();
        if (self && req) self->CancelPending(req, reason);
      });
      if (r->registered) {
        pending_.push_back(std::move(r));
        return;
      }
      cancelled = true;  // the step is already cancelled
    } else {
      busy_ = true;
    }
  }
  if (cancelled) {
    r->ctx->SetStatus(r->ctx->cancellation_manager()->reason());
    r->done();
    return;
  }
  Run(std::move(r));
}

void ReaderBase::CancelPending(const std::shared_ptr<Request>& r, const Error& reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = std::find(pending_.begin(), pending_.end(), r);
    if (it == pending_.end()) return;  // already running or finished
    pending_.erase(it);
  }
  r->ctx->SetStatus(reason);
  r->done();
}

void ReaderBase::Run(std::shared_ptr<Request> r) {
  while (r) {
    if (!Step(r)) return;  // parked on the queue: its callback resumes here
    r = Finish(r);
  }
}

void ReaderBase::Fail(const std::shared_ptr<Request>& r, const Error& e) {
  r->ctx->SetStatus(Error(e.code(), e.what(), e.node().empty() ? r->ctx->node().name : e.node()));
}

// Takes the dequeued work item; false (status set) when the queue failed or gave no file name.
bool ReaderBase::TakeWork(const std::shared_ptr<Request>& r) {
  r->has_tuple = false;
  QueueInterface::Tuple tuple = std::move(r->tuple);
  if (!r->ctx->status().ok()) return false;  // the queue's error (closed: OutOfRange), unchanged
  const std::string& node = r->ctx->node().name;
  if (tuple.size() != 1) {
    r->ctx->SetStatus(Error(Code::kInvalidArgument, "Expected single component queue", node));
    return false;
  }
  if (tuple[0].dtype() != DataType::DT_STRING) {
    r->ctx->SetStatus(Error(Code::kInvalidArgument, "Expected queue with single string component", node));
    return false;
  }
  if (tuple[0].num_elements() != 1) {
    r->ctx->SetStatus(Error(Code::kInvalidArgument,
                            "Expected to dequeue a one-element string tensor, but got " + tuple[0].DebugString(), node));
    return false;
  }
  std::lock_guard<std::mutex> lock(state_mu_);
  work_ = tuple[0].strings()[0];
  try {
    OnWorkStarted();
  } catch (const Error& e) {
    // Not started: the next read takes the next file (as TF).
    work_.clear();
    Fail(r, e);
    return false;
  }
  work_started_++;
  return true;
}

bool ReaderBase::Step(const std::shared_ptr<Request>& r) {
  const size_t want = r->max_records < 0 ? 1 : static_cast<size_t>(r->max_records);
  while (true) {
    if (r->has_tuple && !TakeWork(r)) return true;
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      try {
        while (r->keys.size() < want && work_finished_ < work_started_) {
          std::string key, value;
          bool at_end = false;
          const bool produced = ReadRecord(&key, &value, &at_end);
          if (produced) {
            r->keys.push_back(std::move(key));
            r->values.push_back(std::move(value));
            records_produced_++;
          } else if (!at_end) {
            throw Error(Code::kInternal, "reader " + name_ + " produced no record and is not at the end");
          }
          if (at_end) {
            OnWorkFinished();
            work_finished_ = work_started_;
            work_.clear();
            // ReadUpTo never crosses into a new file once it has a record.
            if (r->max_records >= 0 && !r->keys.empty()) return true;
          }
        }
      } catch (const Error& e) {
        Fail(r, e);
        return true;
      }
      if (r->keys.size() >= want) return true;
    }
    // The current file is exhausted: take the next work item from the queue.
    {
      std::lock_guard<std::mutex> lock(r->dq_mu);
      r->dq_returned = r->dq_got = false;
    }
    std::shared_ptr<ReaderBase> self = shared_from_this();
    r->queue->TryDequeue(r->ctx, [self, r](const QueueInterface::Tuple& t) {
      bool resume;
      {
        std::lock_guard<std::mutex> lock(r->dq_mu);
        r->tuple = t;
        r->has_tuple = true;
        r->dq_got = true;
        resume = r->dq_returned;
      }
      if (resume) self->Run(r);  // completed later, on the thread that made progress
    });
    {
      std::lock_guard<std::mutex> lock(r->dq_mu);
      r->dq_returned = true;
      if (!r->dq_got) return false;  // parked
    }
  }
}

std::shared_ptr<ReaderBase::Request> ReaderBase::Finish(const std::shared_ptr<Request>& r) {
  OpKernelContext* ctx = r->ctx;
  if (ctx->status().ok()) {
    const int64_t n = static_cast<int64_t>(r->keys.size());
    Tensor& k = ctx->allocate_output(0, DataType::DT_STRING, r->max_records < 0 ? Shape{} : Shape{n});
    Tensor& v = ctx->allocate_output(1, DataType::DT_STRING, r->max_records < 0 ? Shape{} : Shape{n});
    for (int64_t i = 0; i < n; i++) {
      k.strings()[i] = r->keys[i];
      v.strings()[i] = std::move(r->values[i]);
    }
    ctx->step()->RecordKeys(v, std::move(r->keys));  // parse errors name "<file>:<line>"
  }
  std::shared_ptr<Request> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_.empty()) {
      busy_ = false;
    } else {
      next = std::move(pending_.front());
      pending_.pop_front();
    }
  }
  // A false Deregister means its cancel callback runs now; it will not find the request.
  if (next && next->registered) next->ctx->cancellation_manager()->Deregister(next->token);
  auto done = std::move(r->done);
  done();
  return next;
}

int64_t ReaderBase::NumRecordsProduced() {
  std::lock_guard<std::mutex> lock(state_mu_);
  return records_produced_;
}

int64_t ReaderBase::NumWorkUnitsCompleted() {
  std::lock_guard<std::mutex> lock(state_mu_);
  return work_finished_;
}

void ReaderBase::Reset() {
  std::lock_guard<std::mutex> lock(state_mu_);
  work_started_ = work_finished_ = records_produced_ = 0;
  work_.clear();
  ResetLocked();
}

}  // namespace tg
