#include "runtime/queue_fifo.h"

namespace tg {

QueueInterface::Tuple FIFOQueue::TakeLocked() {
  Tuple t = std::move(elements_.front());
  elements_.pop_front();
  return t;
}

void FIFOQueue::PutBackLocked(std::vector<Tuple> elements) {
  for (auto it = elements.rbegin(); it != elements.rend(); ++it) elements_.push_front(std::move(*it));
}

// Also PaddingFIFOQueue's: the same attrs, its own kind.
Status FIFOQueue::MatchesNode(const Node& node) const {
  Status s = MatchesOp(node, kind());
  if (s.ok()) s = MatchesCapacity(node);
  if (s.ok()) s = MatchesTypes(node, node.AttrTypes("component_types"));
  if (s.ok()) {
    const AttrValue* a = node.FindAttr("shapes");
    s = MatchesShapes(node, a ? a->list_shape : std::vector<PartialShape>{});
  }
  return s;
}

QueueInterface::Tuple PaddingFIFOQueue::MakeBatch(const std::vector<Tuple>& elements) const {
  Tuple batch;
  for (int c = 0; c < num_components(); c++) {
    std::vector<const Tensor*> parts;
    for (const Tuple& e : elements) parts.push_back(&e[c]);
    batch.push_back(queue_util::PadStack(dtypes_[c], shapes_[c], parts));
  }
  return batch;
}

}  // namespace tg
