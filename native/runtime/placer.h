// Placement: which device runs each node (TF1's simple placer). A node goes to its requested
// device if it has one, else with the node it is colocated with (`_class: loc:@x`), else with
// the producer of its first resource or reference input (TF's resource edges), else to the
// default device (CPU:0). With soft placement, a request for a missing device or one
// without a kernel falls back to a CPU. Decisions are made once per node and remembered, so
// every executor of a session agrees.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/device.h"
#include "runtime/graph.h"

namespace tg {

// Where a node runs: the session's Placer, or a partition's one device.
using PlaceFn = std::function<Device*(const Node&)>;

class Placer {
 public:
  Placer(const DeviceMgr& devices, bool allow_soft_placement, bool log_placement)
      : devices_(devices), soft_(allow_soft_placement), log_(log_placement) {}

  Device* Place(const Node& node);
  // "name: device" lines for nodes placed since the last call (when logging is on).
  std::vector<std::string> TakeLog();

 private:
  Device* PlaceLocked(const Node& node, int depth);
  const DeviceMgr& devices_;
  bool soft_;
  bool log_;
  std::mutex mu_;
  std::unordered_map<const Node*, Device*> placed_;
  std::vector<std::string> log_lines_;
  const Graph* graph_ = nullptr;

 public:
  void set_graph(const Graph* g) { graph_ = g; }
};

}  // namespace tg
