// RandomShuffleQueue: a dequeue takes a uniformly random element, and only while more than
// min_after_dequeue elements remain (the limit is ignored once the queue is closed).
#pragma once

#include <vector>

#include "runtime/philox.h"
#include "runtime/queue_base.h"

namespace tg {

class RandomShuffleQueue : public QueueBase {
 public:
  // seed == seed2 == 0: seeded nondeterministically; otherwise the same seeds and the same
  // enqueues give the same dequeue order in every session.
  RandomShuffleQueue(int32_t capacity, int32_t min_after_dequeue, int64_t seed, int64_t seed2,
                     std::vector<DataType> dtypes, std::vector<PartialShape> shapes, std::string name);
  Status MatchesNode(const Node& node) const override;
  std::string kind() const override { return "RandomShuffleQueue"; }

 protected:
  size_t StoredLocked() const override { return elements_.size(); }
  void PushLocked(Tuple element) override { elements_.push_back(std::move(element)); }
  bool CanTakeLocked() const override;
  Tuple TakeLocked() override;
  void PutBackLocked(std::vector<Tuple> elements) override;

 private:
  // TF's PhiloxRandom (Philox4x32-10) behind a one-sample-at-a-time adapter.
  uint32_t NextSample();

  const int32_t min_after_dequeue_;
  const int64_t original_seed_, original_seed2_;  // as given (0, 0: random)
  std::vector<Tuple> elements_;
  Philox gen_;
  Philox::Result buffer_{};
  int used_ = 4;
};

}  // namespace tg
