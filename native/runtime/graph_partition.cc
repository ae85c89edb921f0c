#include "runtime/graph_partition.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_set>

#include "runtime/device.h"
#include "runtime/op_def.h"
#include "runtime/rendezvous.h"
#include "runtime/status.h"

namespace tg {

Edge ResolveTensor(const Graph& graph, const std::string& name) {
  TensorId id = ParseTensorName(name);
  Node* n = graph.Find(id.node);
  if (!n) throw Error(Code::kNotFound, "Tensor " + name + ", specified in either feed_devices or fetch_devices was not found in the Graph");
  return {n, id.index < 0 ? 0 : id.index};
}

bool PrunedGraph::IsFed(const Edge& e) const {
  auto it = fed.find(e.node);
  return it != fed.end() && it->second.count(e.index);
}

PrunedGraph Prune(const Graph& graph, const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                  const std::vector<std::string>& targets) {
  PrunedGraph p;
  for (size_t i = 0; i < feeds.size(); i++) {
    Edge e = ResolveTensor(graph, feeds[i]);
    if (p.fed[e.node].count(e.index)) throw InvalidArgument(feeds[i] + " is fed more than once");
    p.fed[e.node][e.index] = static_cast<int>(i);
  }
  std::vector<const Node*> stack;
  for (const auto& f : fetches) {
    Edge e = ResolveTensor(graph, f);
    if (!p.IsFed(e)) stack.push_back(e.node);
  }
  for (const auto& t : targets) {
    Node* n = graph.Find(t);
    if (!n) throw Error(Code::kNotFound, "Target " + t + " was not found in the Graph");
    stack.push_back(n);
  }
  std::unordered_set<const Node*> needed;
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    if (!needed.insert(n).second) continue;
    for (const Edge& in : n->inputs) if (!p.IsFed(in)) stack.push_back(in.node);
    for (const Node* c : n->control_inputs) if (!p.ControlIsFed(c)) stack.push_back(c);
  }
  p.order.assign(needed.begin(), needed.end());
  std::sort(p.order.begin(), p.order.end(), [](const Node* a, const Node* b) { return a->id < b->id; });
  return p;
}

std::vector<Device*> DevicesOf(const PrunedGraph& pruned, const PlaceFn& place) {
  std::vector<Device*> out;
  for (const Node* n : pruned.order) {
    Device* d = place(*n);
    if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  }
  return out;
}

namespace {

std::string InputName(const std::string& node, int index) {
  return index == 0 ? node : node + ":" + std::to_string(index);
}

// "x:0" -> "x_0" (TF's names of client-terminated transfer nodes: _recv_x_0, _send_y_0).
std::string Flat(const std::string& tensor) {
  TensorId id = ParseTensorName(tensor);
  return id.node + "_" + std::to_string(id.index < 0 ? 0 : id.index);
}

// While-loop frames of the pruned nodes, as the executor computes them (a node runs in the
// frame of its first earlier producer; Enter opens a frame, Exit leaves it): only to refuse
// edges between devices inside loops.
struct Frames {
  std::vector<std::pair<int, std::string>> frames{{-1, ""}};  // (parent, frame_name); 0 is the root
  std::unordered_map<const Node*, std::pair<int, int>> of;     // node -> (exec frame, output frame)

  explicit Frames(const PrunedGraph& p) {
    std::map<std::pair<int, std::string>, int> child;
    for (const Node* n : p.order) {
      int frame = 0;
      bool known = false;
      for (const Edge& e : n->inputs) {
        auto it = of.find(e.node);
        if (!p.IsFed(e) && it != of.end()) {
          frame = it->second.second;
          known = true;
          break;
        }
      }
      if (!known) {
        for (const Node* c : n->control_inputs) {
          auto it = of.find(c);
          if (it != of.end()) {
            frame = it->second.second;
            break;
          }
        }
      }
      int out = frame;
      if (n->op == "Enter" || n->op == "RefEnter") {
        auto key = std::make_pair(frame, n->AttrString("frame_name", ""));
        auto it = child.find(key);
        if (it == child.end()) {
          it = child.emplace(key, static_cast<int>(frames.size())).first;
          frames.push_back({frame, key.second});
        }
        out = it->second;
      } else if ((n->op == "Exit" || n->op == "RefExit") && frame != 0) {
        out = frames[frame].first;
      }
      of[n] = {frame, out};
    }
  }
};

// Whether input k of n is taken by reference (a Ref(T) argument of its op's record).
bool InputIsRef(const Node& n, size_t k) {
  if (!n.def) return false;
  size_t first = 0;
  for (const ArgDef& arg : n.def->input_arg) {
    const size_t count = static_cast<size_t>(ArgCount(*n.def, arg, n));
    if (k < first + count) return arg.is_ref;
    first += count;
  }
  return false;
}

}  // namespace

PartitionedGraph PartitionGraph(const Graph& graph, const PrunedGraph& pruned, const PlaceFn& place, Device* client,
                                const std::vector<std::string>& feeds, const std::vector<std::string>& fetches) {
  std::unordered_map<const Node*, Device*> dev;
  for (const Node* n : pruned.order) dev[n] = place(*n);
  const Frames frames(pruned);

  std::map<std::string, std::vector<NodeSpec>> specs;  // by device name
  std::map<std::string, Device*> devices;
  int counter = 0;
  auto new_name = [&](const std::string& prefix) { return prefix + "/_" + std::to_string(counter++); };
  auto transfer_attrs = [](NodeSpec* s, const std::string& tensor_name, Device* from, Device* to, bool client_terminated) {
    s->attrs["tensor_name"] = AttrValue::Str(tensor_name);
    s->attrs["send_device"] = AttrValue::Str(from->name);
    s->attrs["send_device_incarnation"] = AttrValue::Int(static_cast<int64_t>(from->incarnation));
    s->attrs["recv_device"] = AttrValue::Str(to->name);
    s->attrs["client_terminated"] = AttrValue::Bool(client_terminated);
  };
  auto dtype_of = [](const Edge& e) {
    std::vector<DataType> types = OutputTypes(*e.node->def, *e.node);
    if (e.index >= static_cast<int>(types.size()) || types[e.index] == DataType::DT_INVALID) {
      throw InvalidArgument("Cannot send output " + std::to_string(e.index) + " of node " + e.node->name +
                            " between devices: its dtype is not known", e.node->name);
    }
    return types[e.index];
  };
  auto loop_check = [&](const Node* src, const Node* dst) {
    const int in_loop = frames.of.at(src).second != 0 ? frames.of.at(src).second : frames.of.at(dst).first;
    if (in_loop == 0) return;
    throw Error(Code::kUnimplemented,
                "While loop '" + frames.frames[in_loop].second + "' spans devices: node " + dst->name + " on " +
                    dev.at(dst)->name + " depends on " + src->name + " on " + dev.at(src)->name +
                    ". Loops across devices are not supported yet; place all of the loop's nodes on one device",
                dst->name);
  };

  PartitionedGraph out;
  // A cross-device value: a _Send beside its source, a _Recv in the destination's partition,
  // once per (source output, destination).
  std::map<std::tuple<const Node*, int, Device*>, std::string> recv_of;
  int edge_id = 0;
  auto send_pair = [&](const std::string& src, int index, DataType dtype, Device* from, Device* to) -> std::string {
    const std::string tensor_name = "edge_" + std::to_string(edge_id++) + "_" + src;
    NodeSpec send;
    send.name = new_name(src);
    send.op = "_Send";
    send.device = from->name;
    send.inputs = {InputName(src, index)};
    send.attrs["T"] = AttrValue::Type(dtype);
    transfer_attrs(&send, tensor_name, from, to, false);
    specs[from->name].push_back(std::move(send));
    NodeSpec recv;
    recv.name = new_name(src);
    recv.op = "_Recv";
    recv.device = to->name;
    recv.attrs["tensor_type"] = AttrValue::Type(dtype);
    transfer_attrs(&recv, tensor_name, from, to, false);
    const std::string name = recv.name;
    specs[to->name].push_back(std::move(recv));
    return name;
  };
  auto recv_for = [&](const Edge& e, Device* to) -> std::string {
    auto key = std::make_tuple(static_cast<const Node*>(e.node), e.index, to);
    auto found = recv_of.find(key);
    if (found != recv_of.end()) return found->second;
    const std::string name = send_pair(e.node->name, e.index, dtype_of(e), dev.at(e.node), to);
    recv_of.emplace(key, name);
    return name;
  };
  // A control edge across devices: the source triggers a dummy Const whose (maybe dead)
  // value crosses; an Identity of it is the destination's control input.
  auto control_for = [&](const Node* c, Device* to) -> std::string {
    auto key = std::make_tuple(c, -1, to);
    auto found = recv_of.find(key);
    if (found != recv_of.end()) return found->second;
    Device* from = dev.at(c);
    NodeSpec dummy;
    dummy.name = new_name(c->name);
    dummy.op = "Const";
    dummy.device = from->name;
    dummy.inputs = {"^" + c->name};
    dummy.attrs["dtype"] = AttrValue::Type(DataType::DT_FLOAT);
    dummy.attrs["value"] = AttrValue::OfTensor(Tensor(DataType::DT_FLOAT, Shape{0}));
    const std::string dummy_name = dummy.name;
    specs[from->name].push_back(std::move(dummy));
    const std::string recv = send_pair(dummy_name, 0, DataType::DT_FLOAT, from, to);
    NodeSpec identity;
    identity.name = new_name(c->name);
    identity.op = "Identity";
    identity.device = to->name;
    identity.inputs = {recv};
    identity.attrs["T"] = AttrValue::Type(DataType::DT_FLOAT);
    const std::string name = identity.name;
    specs[to->name].push_back(std::move(identity));
    recv_of.emplace(key, name);
    return name;
  };
  // A fed value enters each partition that reads it through a client-terminated _Recv.
  out.feed_keys.resize(feeds.size());
  std::map<std::pair<int, Device*>, std::string> feed_recv;
  auto feed_for = [&](int feed, const Node* consumer) -> std::string {
    Device* to = dev.at(consumer);
    auto found = feed_recv.find({feed, to});
    if (found != feed_recv.end()) return found->second;
    if (frames.of.at(consumer).first != 0) {
      throw InvalidArgument("Cannot feed " + feeds[feed] + ": it is used inside a while loop", consumer->name);
    }
    const Edge e = ResolveTensor(graph, feeds[feed]);
    NodeSpec recv;
    recv.name = "_recv_" + Flat(feeds[feed]);
    recv.op = "_Recv";
    recv.device = to->name;
    recv.attrs["tensor_type"] = AttrValue::Type(dtype_of(e));
    transfer_attrs(&recv, feeds[feed], client, to, true);
    out.feed_keys[feed].push_back(Rendezvous::CreateKey(client->name, client->incarnation, to->name, feeds[feed], 0, 0));
    const std::string name = recv.name;
    specs[to->name].push_back(std::move(recv));
    feed_recv.emplace(std::make_pair(feed, to), name);
    return name;
  };

  for (const Node* n : pruned.order) {
    Device* d = dev.at(n);
    devices[d->name] = d;
    NodeSpec s;
    s.name = n->name;
    s.op = n->op;
    s.device = d->name;
    s.attrs = n->attrs;
    for (const Edge& e : n->inputs) {
      if (pruned.IsFed(e)) {
        s.inputs.push_back(feed_for(pruned.fed.at(e.node).at(e.index), n));
      } else if (dev.at(e.node) == d) {
        s.inputs.push_back(InputName(e.node->name, e.index));
      } else {
        loop_check(e.node, n);
        if (InputIsRef(*n, &e - n->inputs.data())) {
          throw InvalidArgument("Node " + n->name + " (on " + d->name + ") takes " + e.node->name + " by reference, but it lives on " +
                                dev.at(e.node)->name + ": a variable and the ops that update it must be placed on one device (colocate them)",
                                n->name);
        }
        s.inputs.push_back(recv_for(e, d));
      }
    }
    for (const Node* c : n->control_inputs) {
      if (pruned.ControlIsFed(c)) continue;
      if (dev.at(c) == d) {
        s.inputs.push_back("^" + c->name);
      } else {
        loop_check(c, n);
        s.inputs.push_back("^" + control_for(c, d));
      }
    }
    specs[d->name].push_back(std::move(s));
  }
  // Fetches leave through client-terminated _Sends (one per fetched tensor). On another task's
  // device the key names the sending device as the receiver too: it is a RunGraph recv_key,
  // which must be local to the worker that answers it (TF's workers refuse others: "Invalid
  // rendezvous key (dst)").
  std::map<std::string, std::string> fetch_key_of;
  for (const std::string& f : fetches) {
    const Edge e = ResolveTensor(graph, f);
    if (pruned.IsFed(e)) {
      out.fetch_keys.push_back("");
      out.fetch_feed.push_back(pruned.fed.at(e.node).at(e.index));
      continue;
    }
    out.fetch_feed.push_back(-1);
    if (frames.of.at(e.node).second != 0) {
      throw InvalidArgument("Cannot fetch " + f + ": it is inside a while loop (fetch the loop's results instead)", e.node->name);
    }
    const std::string tensor = e.node->name + ":" + std::to_string(e.index);
    auto found = fetch_key_of.find(tensor);
    if (found != fetch_key_of.end()) {
      out.fetch_keys.push_back(found->second);
      continue;
    }
    Device* from = dev.at(e.node);
    NodeSpec send;
    send.name = "_send_" + Flat(tensor);
    send.op = "_Send";
    send.device = from->name;
    send.inputs = {InputName(e.node->name, e.index)};
    send.attrs["T"] = AttrValue::Type(dtype_of(e));
    Device* to = from->remote ? from : client;
    transfer_attrs(&send, tensor, from, to, true);
    specs[from->name].push_back(std::move(send));
    const std::string key = Rendezvous::CreateKey(from->name, from->incarnation, to->name, tensor, 0, 0);
    fetch_key_of[tensor] = key;
    out.fetch_keys.push_back(key);
  }

  for (auto& [name, list] : specs) {
    Partition p;
    p.device = devices.at(name);
    // Sinks: nodes nothing in the partition reads. Running them runs everything else.
    std::unordered_set<std::string> used;
    for (const NodeSpec& s : list) {
      for (const std::string& in : s.inputs) used.insert(ParseTensorName(in).node);
    }
    for (const NodeSpec& s : list) if (!used.count(s.name)) p.targets.push_back(s.name);
    p.graph = std::make_unique<Graph>();
    p.graph->AddNodes(std::move(list));
    out.partitions.push_back(std::move(p));
  }
  return out;
}

}  // namespace tg
