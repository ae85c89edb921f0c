#include "runtime/queue_priority.h"

#include <algorithm>

namespace tg {

Status PriorityQueue::ValidateTuple(const Tuple& tuple, const std::string& node) const {
  Status s = QueueBase::ValidateTuple(tuple, node);
  if (s.ok() && tuple[0].dims() != 0) {
    return Error(Code::kInvalidArgument, "Expected the priority element to be a scalar, but received shape: " + ShapeString(tuple[0].shape()), node);
  }
  return s;
}

Status PriorityQueue::ValidateManyTuple(const Tuple& tuple, const std::string& node) const {
  Status s = QueueBase::ValidateManyTuple(tuple, node);
  if (s.ok() && tuple[0].dims() != 1) {
    return Error(Code::kInvalidArgument, "Expected the priority element to be a vector, but received shape: " + ShapeString(tuple[0].shape()), node);
  }
  return s;
}

void PriorityQueue::PushLocked(Tuple element) {
  const int64_t priority = *element[0].data<int64_t>();
  heap_.push_back({priority, next_seq_++, std::move(element)});
  std::push_heap(heap_.begin(), heap_.end(), Later());
}

QueueInterface::Tuple PriorityQueue::TakeLocked() {
  std::pop_heap(heap_.begin(), heap_.end(), Later());
  Tuple t = std::move(heap_.back().tuple);
  heap_.pop_back();
  return t;
}

void PriorityQueue::PutBackLocked(std::vector<Tuple> elements) {
  for (Tuple& t : elements) PushLocked(std::move(t));
}

Status PriorityQueue::MatchesNode(const Node& node) const {
  Status s = MatchesOp(node, "PriorityQueue");
  if (s.ok()) s = MatchesCapacity(node);
  if (s.ok()) s = MatchesTypes(node, NodeTypes(node));
  if (s.ok()) s = MatchesShapes(node, NodeShapes(node));
  return s;
}

std::vector<DataType> PriorityQueue::NodeTypes(const Node& node) {
  std::vector<DataType> types{DataType::DT_INT64};
  const AttrValue* a = node.FindAttr("component_types");
  if (a) types.insert(types.end(), a->list_type.begin(), a->list_type.end());
  return types;
}

std::vector<PartialShape> PriorityQueue::NodeShapes(const Node& node) {
  const AttrValue* t = node.FindAttr("component_types");
  const AttrValue* a = node.FindAttr("shapes");
  const size_t n = t ? t->list_type.size() : 0;
  const size_t given = a ? a->list_shape.size() : 0;
  if (given != n) return {};
  std::vector<PartialShape> shapes{PartialShape{false, {}}};
  if (a) shapes.insert(shapes.end(), a->list_shape.begin(), a->list_shape.end());
  return shapes;
}

}  // namespace tg
