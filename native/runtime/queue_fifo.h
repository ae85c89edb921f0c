// FIFOQueue (elements leave in the order they came) and PaddingFIFOQueue (a FIFOQueue whose
// shapes may have unknown dims; DequeueMany pads them to the batch maximum).
#pragma once

#include <deque>

#include "runtime/queue_base.h"

namespace tg {

class FIFOQueue : public QueueBase {
 public:
  using QueueBase::QueueBase;
  Status MatchesNode(const Node& node) const override;
  std::string kind() const override { return "FIFOQueue"; }

 protected:
  size_t StoredLocked() const override { return elements_.size(); }
  void PushLocked(Tuple element) override { elements_.push_back(std::move(element)); }
  Tuple TakeLocked() override;
  void PutBackLocked(std::vector<Tuple> elements) override;  // at the front, in order

 private:
  std::deque<Tuple> elements_;
};

class PaddingFIFOQueue : public FIFOQueue {
 public:
  // `shapes` must give every component a known rank (checked by the creating kernel).
  using FIFOQueue::FIFOQueue;
  std::string kind() const override { return "PaddingFIFOQueue"; }

 protected:
  std::string EnqueueClosedKind() const override { return "FIFOQueue"; }
  std::string DequeueKind(bool many) const override { return many ? "PaddingFIFOQueue" : "FIFOQueue"; }
  Tuple MakeBatch(const std::vector<Tuple>& elements) const override;
  bool CanDequeueMany() const override { return true; }
};

}  // namespace tg
