#include "distributed/step_stats_coding.h"

#include <map>
#include <string>

namespace tg {

void StatsToProto(const std::vector<NodeStats>& stats, tensorflow::StepStats* out) {
  std::map<std::string, tensorflow::DeviceStepStats*> by_device;
  for (const NodeStats& s : stats) {
    auto*& dev = by_device[s.device];
    if (!dev) {
      dev = out->add_dev_stats();
      dev->set_device(s.device);
    }
    auto* n = dev->add_node_stats();
    n->set_node_name(s.node);
    n->set_all_start_micros(s.start_us);
    n->set_all_end_rel_micros(s.end_us - s.start_us);
    n->set_op_end_rel_micros(s.end_us - s.start_us);
    n->set_thread_id(static_cast<uint32_t>(s.thread % 1000003));
    n->set_timeline_label(s.label);
    auto* m = n->add_memory();
    m->set_allocator_name("cpu");
    m->set_total_bytes(s.memory.bytes);
  }
}

std::vector<NodeStats> StatsFromProto(const tensorflow::StepStats& in) {
  std::vector<NodeStats> out;
  for (const auto& dev : in.dev_stats()) {
    for (const auto& n : dev.node_stats()) {
      NodeStats s;
      s.node = n.node_name();
      s.device = dev.device();
      s.start_us = n.all_start_micros();
      s.end_us = n.all_start_micros() + n.all_end_rel_micros();
      s.thread = n.thread_id();
      s.label = n.timeline_label();
      for (const auto& m : n.memory()) s.memory.bytes += m.total_bytes();
      s.memory.allocations = -1;  // not sent: TF's proto has totals only
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace tg
