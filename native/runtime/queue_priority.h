// PriorityQueue: component 0 is an int64 scalar priority; the smallest leaves first (equal
// priorities in the order they came).
#pragma once

#include <vector>

#include "runtime/queue_base.h"

namespace tg {

class PriorityQueue : public QueueBase {
 public:
  // `dtypes` and `shapes` include the priority component (int64, []) first.
  using QueueBase::QueueBase;
  Status MatchesNode(const Node& node) const override;
  std::string kind() const override { return "PriorityQueue"; }
  // The component types and shapes a PriorityQueueV2 node asks for, priority included (its
  // shapes stay unspecified when the attr gives none for the other components).
  static std::vector<DataType> NodeTypes(const Node& node);
  static std::vector<PartialShape> NodeShapes(const Node& node);
  Status ValidateTuple(const Tuple& tuple, const std::string& node) const override;
  Status ValidateManyTuple(const Tuple& tuple, const std::string& node) const override;

 protected:
  size_t StoredLocked() const override { return heap_.size(); }
  void PushLocked(Tuple element) override;
  Tuple TakeLocked() override;
  void PutBackLocked(std::vector<Tuple> elements) override;

 private:
  struct Entry {
    int64_t priority;
    uint64_t seq;
    Tuple tuple;
  };
  struct Later {  // heap order: the top is the smallest (priority, seq)
    bool operator()(const Entry& a, const Entry& b) const {
      return a.priority != b.priority ? a.priority > b.priority : a.seq > b.seq;
    }
  };
  std::vector<Entry> heap_;
  uint64_t next_seq_ = 0;
};

}  // namespace tg
