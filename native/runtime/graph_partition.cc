#include "runtime/graph_partition.h"

#include <algorithm>
#include <functional>
#include <map>
#include <queue>
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

// While-loop frames of the pruned nodes, as the executor computes them (TF's
// BuildControlFlowInfo): a node runs in the frame of its first earlier producer; Enter opens a
// frame, Exit leaves it. Each frame also records its LoopCond, which drives the control loop
// that another device's share of the frame needs.
struct Frames {
  struct Frame {
    int parent = -1;
    std::string name;
    const Node* loop_cond = nullptr;
    int64_t parallel_iterations = 10;  // of its Enters, copied onto control loops' Enters
  };
  std::vector<Frame> frames{Frame{}};                        // 0 is the root
  std::unordered_map<const Node*, std::pair<int, int>> of;  // node -> (exec frame, output frame)

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
          Frame f;
          f.parent = frame;
          f.name = key.second;
          f.parallel_iterations = n->AttrInt("parallel_iterations", 10);
          frames.push_back(std::move(f));
        }
        out = it->second;
      } else if ((n->op == "Exit" || n->op == "RefExit") && frame != 0) {
        out = frames[frame].parent;
      } else if (n->op == "LoopCond" && frame != 0) {
        frames[frame].loop_cond = n;
      }
      of[n] = {frame, out};
    }
  }
};

bool IsNextIteration(const std::string& op) { return op == "NextIteration" || op == "RefNextIteration"; }
bool IsMerge(const std::string& op) { return op == "Merge" || op == "RefMerge"; }

// Puts a partition's nodes in graph order again (inputs first, but for a Merge's back edge
// from NextIteration), as the executor needs to find each node's frame: control loops and
// transfers are added as the edges needing them come up, not where they belong. Stable: a
// list already in order (any partition without loops) stays as it is.
std::vector<NodeSpec> InGraphOrder(std::vector<NodeSpec> list) {
  std::unordered_map<std::string, size_t> at;
  for (size_t i = 0; i < list.size(); i++) at[list[i].name] = i;
  std::vector<int> pending(list.size(), 0);
  std::vector<std::vector<size_t>> users(list.size());
  for (size_t i = 0; i < list.size(); i++) {
    for (const std::string& in : list[i].inputs) {
      auto it = at.find(ParseTensorName(in).node);
      if (it == at.end()) continue;
      if (IsMerge(list[i].op) && IsNextIteration(list[it->second].op)) continue;  // the back edge
      pending[i]++;
      users[it->second].push_back(i);
    }
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
  for (size_t i = 0; i < list.size(); i++) if (pending[i] == 0) ready.push(i);
  std::vector<NodeSpec> out;
  out.reserve(list.size());
  while (!ready.empty()) {
    const size_t i = ready.top();
    ready.pop();
    for (size_t u : users[i]) if (--pending[u] == 0) ready.push(u);
    out.push_back(std::move(list[i]));
  }
  if (out.size() != list.size()) throw Error(Code::kInternal, "a partition's nodes form a cycle outside while loops");
  return out;
}

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
  auto dtype_of = [](const Node* node, int index) {
    std::vector<DataType> types = OutputTypes(*node->def, *node);
    if (index >= static_cast<int>(types.size()) || types[index] == DataType::DT_INVALID) {
      throw InvalidArgument("Cannot send output " + std::to_string(index) + " of node " + node->name +
                            " between devices: its dtype is not known", node->name);
    }
    return types[index];
  };
  auto add_dummy = [&](const std::string& prefix, Device* d, std::vector<std::string> inputs) {
    NodeSpec dummy;
    dummy.name = new_name(prefix);
    dummy.op = "Const";
    dummy.device = d->name;
    dummy.inputs = std::move(inputs);
    dummy.attrs["dtype"] = AttrValue::Type(DataType::DT_FLOAT);
    dummy.attrs["value"] = AttrValue::OfTensor(Tensor(DataType::DT_FLOAT, Shape{0}));
    const std::string name = dummy.name;
    specs[d->name].push_back(std::move(dummy));
    return name;
  };
  // The control loop of `frame` on device d, by its Merge (defined below).
  std::function<std::string(int frame, Device* d)> control_loop;

  PartitionedGraph out;
  // A cross-device value: a _Send beside its source, a _Recv in the destination's partition,
  // once per (source output, destination). Inside a loop (frame != 0) the pair runs once per
  // iteration, its key carrying the frame and iteration; the _Recv waits on the Merge of the
  // destination's control loop, which is what runs it in each iteration there.
  std::map<std::tuple<const Node*, int, Device*>, std::string> recv_of;
  int edge_id = 0;
  auto send_pair = [&](const std::string& src, int index, DataType dtype, Device* from, Device* to, int frame) -> std::string {
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
    if (frame != 0) recv.inputs = {"^" + control_loop(frame, to)};
    const std::string name = recv.name;
    specs[to->name].push_back(std::move(recv));
    return name;
  };
  auto recv_for = [&](const Node* src, int index, Device* to) -> std::string {
    auto key = std::make_tuple(src, index, to);
    auto found = recv_of.find(key);
    if (found != recv_of.end()) return found->second;
    const std::string name = send_pair(src->name, index, dtype_of(src, index), dev.at(src), to, frames.of.at(src).second);
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
    const std::string dummy = add_dummy(c->name, from, {"^" + c->name});
    const std::string recv = send_pair(dummy, 0, DataType::DT_FLOAT, from, to, frames.of.at(c).second);
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
  // TF's AddControlLoop: a device that receives values inside a frame repeats the frame's
  // iterations itself, in step with the frame's LoopCond (received each iteration):
  //   Enter(dummy) -> Merge <- NextIteration <- Switch(Merge, LoopCond):1
  // Its Merge fires once per iteration, the last one (LoopCond false) included, as do the
  // frame's nodes on the LoopCond's device, so every _Send in the frame meets its _Recv. A
  // nested frame enters from its parent's control loop on the same device (made first), so
  // it is entered once per parent iteration, as the real inner loop is.
  std::map<std::pair<int, Device*>, std::string> control_merge;
  control_loop = [&](int frame, Device* d) -> std::string {
    auto found = control_merge.find({frame, d});
    if (found != control_merge.end()) return found->second;
    const Frames::Frame& f = frames.frames[frame];
    if (!f.loop_cond) {
      throw InvalidArgument("A cross-device loop must have a pivot predicate: frame '" + f.name +
                            "' has nodes on several devices but no LoopCond in this step");
    }
    const std::string prefix = "_cloop_" + f.name;
    const std::string into = f.parent == 0 ? add_dummy(prefix, d, {}) : control_loop(f.parent, d);
    const std::string enter = new_name(prefix), merge = new_name(prefix), sw = new_name(prefix), next = new_name(prefix);
    control_merge[{frame, d}] = merge;  // before the LoopCond's _Recv, which waits on it
    auto add = [&](const std::string& name, const std::string& op, std::vector<std::string> inputs,
                   std::map<std::string, AttrValue> attrs) {
      NodeSpec s;
      s.name = name;
      s.op = op;
      s.device = d->name;
      s.inputs = std::move(inputs);
      s.attrs = std::move(attrs);
      s.attrs["T"] = AttrValue::Type(DataType::DT_FLOAT);
      specs[d->name].push_back(std::move(s));
    };
    add(enter, "Enter", {into}, {{"frame_name", AttrValue::Str(f.name)}, {"is_constant", AttrValue::Bool(false)},
                                 {"parallel_iterations", AttrValue::Int(f.parallel_iterations)}});
    add(merge, "Merge", {enter, next}, {{"N", AttrValue::Int(2)}});
    const std::string pred = dev.at(f.loop_cond) == d ? f.loop_cond->name : recv_for(f.loop_cond, 0, d);
    add(sw, "Switch", {merge, pred}, {});
    add(next, "NextIteration", {sw + ":1"}, {});
    return merge;
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
    recv.attrs["tensor_type"] = AttrValue::Type(dtype_of(e.node, e.index));
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
        if (InputIsRef(*n, &e - n->inputs.data())) {
          throw InvalidArgument("Node " + n->name + " (on " + d->name + ") takes " + e.node->name + " by reference, but it lives on " +
                                dev.at(e.node)->name + ": a variable and the ops that update it must be placed on one device (colocate them)",
                                n->name);
        }
        s.inputs.push_back(recv_for(e.node, e.index, d));
      }
    }
    for (const Node* c : n->control_inputs) {
      if (pruned.ControlIsFed(c)) continue;
      if (dev.at(c) == d) {
        s.inputs.push_back("^" + c->name);
      } else {
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
    send.attrs["T"] = AttrValue::Type(dtype_of(e.node, e.index));
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
    p.graph->AddNodes(InGraphOrder(std::move(list)));
    out.partitions.push_back(std::move(p));
  }
  return out;
}

}  // namespace tg
