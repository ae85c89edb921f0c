// The common part of the reader resources (TF's ReaderBase): a reader produces records from
// a sequence of work items (file names) that it takes from a queue when its current item is
// exhausted. Reads are asynchronous: a read that needs a new file waits on the queue without
// holding a thread. Reads of one reader run one at a time, in arrival order (a FIFO of
// pending requests), so every record is produced exactly once.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/queue.h"
#include "runtime/resource_mgr.h"

namespace tg {

class ReaderBase : public Resource, public std::enable_shared_from_this<ReaderBase> {
 public:
  explicit ReaderBase(std::string name) : name_(std::move(name)) {}

  // One record (max_records < 0: ReaderReadV2, outputs key and value scalars) or up to
  // max_records records of one file (ReaderReadUpToV2, outputs keys and values vectors).
  // Sets ctx's outputs or status, then calls done.
  void Read(OpKernelContext* ctx, std::shared_ptr<QueueInterface> queue, int64_t max_records,
            AsyncOpKernel::DoneCallback done);

  int64_t NumRecordsProduced();
  int64_t NumWorkUnitsCompleted();
  void Reset();

  const std::string& name() const { return name_; }

 protected:
  // Hooks, called with the state lock held. Errors are thrown (tg::Error).
  // Opens the current work item.
  virtual void OnWorkStarted() = 0;
  virtual void OnWorkFinished() {}
  // Produces at most one record; sets *at_end when the work item has nothing more (possibly
  // together with a record). Returns whether a record was produced.
  virtual bool ReadRecord(std::string* key, std::string* value, bool* at_end) = 0;
  // Drops per-file state (Reset).
  virtual void ResetLocked() {}
  const std::string& current_work() const { return work_; }

 private:
  struct Request;
  void Start(std::shared_ptr<Request> r);
  void Run(std::shared_ptr<Request> r);
  bool Step(const std::shared_ptr<Request>& r);
  bool TakeWork(const std::shared_ptr<Request>& r);
  std::shared_ptr<Request> Finish(const std::shared_ptr<Request>& r);
  void CancelPending(const std::shared_ptr<Request>& r, const Error& reason);
  void Fail(const std::shared_ptr<Request>& r, const Error& e);

  const std::string name_;

  // Guards the request FIFO.
  std::mutex mu_;
  bool busy_ = false;
  std::deque<std::shared_ptr<Request>> pending_;

  // Guards the reading state; never held while waiting on the queue or calling callbacks.
  std::mutex state_mu_;
  std::string work_;
  int64_t work_started_ = 0;
  int64_t work_finished_ = 0;
  int64_t records_produced_ = 0;
};

}  // namespace tg
