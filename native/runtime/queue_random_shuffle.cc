#include "runtime/queue_random_shuffle.h"

#include <chrono>
#include <random>

namespace tg {

namespace {
uint64_t RandomSeed64() {
  try {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  } catch (...) {  // no entropy source: the clock, mixed
    uint64_t x = static_cast<uint64_t>(std::chrono::high_resolution_clock::now().time_since_epoch().count());
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    return x ^ (x >> 33);
  }
}
}  // namespace

RandomShuffleQueue::RandomShuffleQueue(int32_t capacity, int32_t min_after_dequeue, int64_t seed, int64_t seed2,
                                       std::vector<DataType> dtypes, std::vector<PartialShape> shapes, std::string name)
    : QueueBase(capacity, std::move(dtypes), std::move(shapes), std::move(name)),
      min_after_dequeue_(min_after_dequeue),
      original_seed_(seed),
      original_seed2_(seed2) {
  uint64_t s = static_cast<uint64_t>(seed), s2 = static_cast<uint64_t>(seed2);
  if (seed == 0 && seed2 == 0) {
    s = RandomSeed64();
    s2 = RandomSeed64();
  }
  gen_ = Philox(s, s2);  // as TF's PhiloxRandom(seed_lo = seed, seed_hi = seed2)
}

uint32_t RandomShuffleQueue::NextSample() {
  if (used_ == 4) {
    buffer_ = gen_();
    used_ = 0;
  }
  return buffer_[used_++];
}

bool RandomShuffleQueue::CanTakeLocked() const {
  if (closed_) return !elements_.empty();
  return elements_.size() > static_cast<size_t>(std::max<int32_t>(min_after_dequeue_, 0));
}

QueueInterface::Tuple RandomShuffleQueue::TakeLocked() {
  // As TF: a uniform index; the last element fills its place.
  const size_t index = NextSample() % elements_.size();
  Tuple t = std::move(elements_[index]);
  if (index + 1 != elements_.size()) elements_[index] = std::move(elements_.back());
  elements_.pop_back();
  return t;
}

void RandomShuffleQueue::PutBackLocked(std::vector<Tuple> elements) {
  for (Tuple& t : elements) elements_.push_back(std::move(t));
}

Status RandomShuffleQueue::MatchesNode(const Node& node) const {
  Status s = MatchesOp(node, "RandomShuffleQueue");
  if (s.ok()) s = MatchesCapacity(node);
  if (s.ok()) {
    const int64_t min_after = node.AttrInt("min_after_dequeue", 0);
    if (min_after != min_after_dequeue_) {
      s = Error(Code::kInvalidArgument, "Shared queue '" + name_ + "' has min_after_dequeue " + std::to_string(min_after_dequeue_) +
                                            " but requested min_after_dequeue was " + std::to_string(min_after), node.name);
    }
  }
  if (s.ok()) {
    const int64_t seed = node.AttrInt("seed", 0), seed2 = node.AttrInt("seed2", 0);
    if ((seed != 0 || seed2 != 0) && (seed != original_seed_ || seed2 != original_seed2_)) {
      s = Error(Code::kInvalidArgument, "Shared queue '" + name_ + "' has random seeds (" + std::to_string(original_seed_) + ", " +
                                            std::to_string(original_seed2_) + ") but requested seeds are (" + std::to_string(seed) +
                                            ", " + std::to_string(seed2) + ")", node.name);
    }
  }
  if (s.ok()) s = MatchesTypes(node, node.AttrTypes("component_types"));
  if (s.ok()) {
    const AttrValue* a = node.FindAttr("shapes");
    s = MatchesShapes(node, a ? a->list_shape : std::vector<PartialShape>{});
  }
  return s;
}

}  // namespace tg
