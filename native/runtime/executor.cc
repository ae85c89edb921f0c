#include "runtime/executor.h"
#include "runtime/remapper.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <tuple>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "runtime/graph_partition.h"
#include "runtime/op_def.h"
#include "runtime/placer.h"
#include "runtime/threadpool.h"
#include "runtime/timer.h"

namespace tg {

struct Executor::Item {
  const Node* node = nullptr;
  Device* device = nullptr;
  std::unique_ptr<OpKernel> kernel;
  int num_outputs = 0;                // from the op's record (the kernel must agree)
  std::vector<Edge> inputs;           // the node's data inputs, routed through copy nodes where memory differs
  std::vector<char> out_on_device;    // per output: in the device's memory (GPU kernels), empty when none is
  std::vector<int> input_slots;       // slot of each data input
  std::vector<bool> input_is_ref;     // the kernel takes input i by reference
  int output_base = 0;                // first slot of this node's outputs
  std::vector<int> control_items;     // items this one has a control edge from
  int initial_pending = 0;
  bool expensive = true;
  // While-loop bookkeeping (see ComputeFrames). A node runs in exec_frame and its outputs
  // land in out_frame: they differ for Enter (into the loop) and Exit (out of it).
  enum Kind : uint8_t { kNormal, kEnter, kExit, kNextIteration, kMerge } kind = kNormal;
  bool constant_enter = false;        // Enter with is_constant: its value reaches every iteration
  int exec_frame = 0, out_frame = 0;
  int exec_local = 0;                 // index among the items running in exec_frame
  int out_local = 0;                  // index among the items whose outputs land in out_frame
  int num_control = 0;                // control inputs (a Merge waits only for these and one live input)
  std::vector<std::pair<int, int>> out_edges;  // items to notify on completion: (successor, its input index or -1 for control)
  std::vector<int> input_items;       // producer item per data input, -1 when fed
};

// A while loop's frame (static): nested in `parent`, named by its Enter nodes' frame_name.
struct Executor::Frame {
  int parent = -1;
  std::string name;
  int num_slots = 0;               // output slots of the items whose outputs land here
  int num_out = 0;                 // items whose outputs land here (deadness per iteration)
  std::vector<int> exec_items;     // items running in this frame, by exec_local
  std::vector<int> exits;          // Exit items leaving this frame
  int num_enters = 0;              // Enter items entering it: a frame instance waits for all
};

// A value flowing along an edge: a tensor, or a variable for reference edges.
struct Value {
  Tensor tensor;
  std::shared_ptr<Var> ref;
  bool dead = false;  // on the untaken side of a tf.cond
};

namespace {

// Moves a value between host memory and a device's memory (TF's _Send/_Recv pair within a
// process, or its host<->device copies): inserted on every edge whose two ends expect
// different memory. `from`/`to` are the devices whose memory it leaves/enters (null: host).
class CopyKernel : public OpKernel {
 public:
  CopyKernel(const KernelConstruction& c, Device* from, Device* to) : OpKernel(c), from_(from), to_(to) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& in = ctx->input(0);
    Tensor host = from_ ? from_->CopyToHost(in) : in;
    ctx->set_output(0, to_ ? to_->CopyFromHost(host) : host);
  }

 private:
  Device* from_;
  Device* to_;
};

// Whose memory a value lives in: null for host memory, else the device.
using Space = Device*;

std::string SpaceName(Space s) { return s ? s->name : "host memory"; }

}  // namespace

Executor::Executor(const Graph& graph, const PlaceFn& place, ResourceMgr* resources, ThreadPool* inter_op,
                   const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                   const std::vector<std::string>& targets)
    : resources_(resources), inter_op_(inter_op), fetch_names_(fetches) {
  // Fed tensors cut the graph: their producers run only if something else needs them.
  PrunedGraph pruned = Prune(graph, feeds, fetches, targets);
  const auto& fed = pruned.fed;
  auto is_fed = [&](const Edge& e) { return pruned.IsFed(e); };
  auto control_is_fed = [&](const Node* c) { return pruned.ControlIsFed(c); };
  // Placement and kernels, in graph order (which is topological: inputs precede users).
  std::vector<const Node*> order = std::move(pruned.order);
  // Fusions (runtime/remapper.h); a fused node stands for the nodes it replaced from here on.
  std::unordered_map<const Node*, FusedOutput> fused;
  {
    std::unordered_set<const Node*> keep;
    for (const auto& f : fetches) keep.insert(ResolveTensor(graph, f).node);
    for (const auto& t : targets) keep.insert(graph.Find(t));
    for (const auto& f : fed) keep.insert(f.first);
    FuseContractionBiasRelu(&order, keep, place, &fused_nodes_, &fused);
  }
  auto fused_edge = [&](const Edge& e) -> Edge {
    if (is_fed(e)) return e;  // a fed value stays the feed (the fused node may still run as a target)
    auto f = fused.find(e.node);
    return f == fused.end() ? e : Edge{f->second.node, f->second.first_output + e.index};
  };
  struct Planned {
    Device* device;
    const KernelDef* def;
    std::unique_ptr<OpKernel> kernel;
    std::vector<bool> by_ref;
    int num_outputs;
  };
  std::unordered_map<const Node*, Planned> plan;
  for (const Node* n : order) {
    Planned p;
    p.device = place(*n);
    p.def = KernelRegistry::Global().Find(*n, p.device->type);
    if (!p.def) throw Error(Code::kInvalidArgument, KernelRegistry::Global().NoKernelMessage(*n, p.device->type), n->name);
    p.kernel = p.def->factory(KernelConstruction{*n, p.device});
    // The record says how many outputs the node has; a kernel that disagrees is a defect
    // (its outputs would land in the wrong slots), not the user's error.
    p.num_outputs = NumOutputs(n->def ? *n->def : OpRegistry::Global().LookUp(*n), *n);
    if (p.kernel->num_outputs() != p.num_outputs) {
      throw Error(Code::kInternal, "The " + std::string(DeviceTypeName(p.device->type)) + " kernel of op " + n->op + " produces " +
                  std::to_string(p.kernel->num_outputs()) + " outputs for node " + n->name + ", its op's record says " +
                  std::to_string(p.num_outputs), n->name);
    }
    p.by_ref.assign(n->inputs.size(), false);
    for (int r : p.kernel->RefInputs()) if (r < static_cast<int>(n->inputs.size())) p.by_ref[r] = true;
    plan.emplace(n, std::move(p));
  }

  // Memory: a GPU kernel's arguments are in its device's memory unless it keeps them on the
  // host; feeds and fetches are host memory. Every edge whose ends differ goes through one
  // copy node per (value, destination memory), so a value crosses at most once per device.
  auto out_space = [&](const Edge& e) -> Space {
    if (is_fed(e)) return nullptr;
    const Planned& p = plan.at(e.node);
    return p.device->has_device_memory() && !p.def->OutputOnHost(e.index) ? p.device : nullptr;
  };
  std::map<std::tuple<const Node*, int, Space>, Node*> copy_of;
  std::unordered_map<const Node*, std::pair<Space, Space>> copy_ends;  // copy node -> (from, to)
  auto route = [&](const Edge& e, Space want, const std::string& consumer, bool by_ref) -> Edge {
    const Space have = out_space(e);
    if (have == want) return e;
    if (by_ref) {
      throw InvalidArgument("Node " + consumer + " (expecting " + SpaceName(want) + ") takes " + e.node->name +
                            " by reference, but it lives in " + SpaceName(have) +
                            ": a variable and the ops that update it must be placed on one device (colocate them)", consumer);
    }
    auto key = std::make_tuple(static_cast<const Node*>(e.node), e.index, want);
    auto found = copy_of.find(key);
    if (found != copy_of.end()) return {found->second, 0};
    auto c = std::make_unique<Node>();
    c->id = e.node->id;  // sorts right after its source
    c->op = have && want ? "_DeviceToDevice" : want ? "_HostToDevice" : "_DeviceToHost";
    c->name = e.node->name + "/" + c->op + "_" + std::to_string(e.index) + (want ? "_GPU" + std::to_string(want->index) : "");
    c->device = (want ? want : have)->name;
    c->inputs = {e};
    Node* raw = c.get();
    copy_nodes_.push_back(std::move(c));
    copy_of.emplace(key, raw);
    copy_ends[raw] = {have, want};
    return {raw, 0};
  };
  std::unordered_map<const Node*, std::vector<Edge>> routed;
  for (const Node* n : order) {
    const Planned& p = plan.at(n);
    std::vector<Edge>& ins = routed[n];
    for (size_t k = 0; k < n->inputs.size(); k++) {
      const Space want = p.device->has_device_memory() && !p.def->InputOnHost(static_cast<int>(k)) ? p.device : nullptr;
      ins.push_back(route(fused_edge(n->inputs[k]), want, n->name, p.by_ref[k]));
    }
  }
  std::vector<Edge> fetch_edges;
  for (const auto& f : fetches) fetch_edges.push_back(route(fused_edge(ResolveTensor(graph, f)), nullptr, f, false));

  std::vector<const Node*> all = order;
  for (const auto& c : copy_nodes_) all.push_back(c.get());
  std::stable_sort(all.begin(), all.end(), [&](const Node* a, const Node* b) {
    if (a->id != b->id) return a->id < b->id;
    return copy_ends.count(a) < copy_ends.count(b);  // a copy follows its source
  });
  std::unordered_map<const Node*, int> index;
  items_.resize(all.size());
  for (size_t i = 0; i < all.size(); i++) {
    const Node& n = *all[i];
    Item& item = items_[i];
    item.node = &n;
    index[&n] = static_cast<int>(i);
    auto ends = copy_ends.find(&n);
    if (ends != copy_ends.end()) {
      item.device = ends->second.second ? ends->second.second : ends->second.first;
      item.kernel = std::make_unique<CopyKernel>(KernelConstruction{n, item.device}, ends->second.first, ends->second.second);
      item.num_outputs = 1;
      item.inputs = n.inputs;
      item.input_is_ref.assign(1, false);
      item.out_on_device.assign(1, ends->second.second != nullptr);
      item.expensive = ends->second.second == nullptr;  // to host: waits for the device
      continue;
    }
    Planned& p = plan.at(&n);
    item.device = p.device;
    item.kernel = std::move(p.kernel);
    item.num_outputs = p.num_outputs;
    item.inputs = std::move(routed.at(&n));
    item.input_is_ref = p.by_ref;
    if (p.device->has_device_memory()) {
      for (int o = 0; o < item.num_outputs; o++) item.out_on_device.push_back(!p.def->OutputOnHost(o));
    }
    // A kernel on a device with its own memory only queues work on the device's stream:
    // cheap to run inline (TF counts no GPU kernel as expensive).
    item.expensive = item.kernel->IsExpensive() && !p.device->has_device_memory();
    const std::string& op = n.op;
    if (op == "Enter" || op == "RefEnter") {
      item.kind = Item::kEnter;
      item.constant_enter = n.AttrBool("is_constant", false);
      has_loops_ = true;
    } else if (op == "Exit" || op == "RefExit") {
      item.kind = Item::kExit;
    } else if (op == "NextIteration" || op == "RefNextIteration") {
      item.kind = Item::kNextIteration;
    } else if (op == "Merge" || op == "RefMerge") {
      item.kind = Item::kMerge;
    }
  }
  // Wire edges: producer -> consumer, with the consumer's input index (-1: control).
  for (Item& item : items_) {
    const int id = static_cast<int>(&item - items_.data());
    for (size_t k = 0; k < item.inputs.size(); k++) {
      const Edge& in = item.inputs[k];
      if (is_fed(in)) {
        item.input_items.push_back(-1);
        continue;
      }
      item.input_items.push_back(index.at(in.node));
      Item& src = items_[index.at(in.node)];
      src.out_edges.push_back({id, static_cast<int>(k)});
      item.initial_pending++;
    }
    for (const Node* c0 : item.node->control_inputs) {
      if (control_is_fed(c0)) continue;
      const auto f = fused.find(c0);  // a control edge on a replaced node waits for its fused node
      const Node* c = f == fused.end() ? c0 : f->second.node;
      Item& src = items_[index.at(c)];
      item.control_items.push_back(index.at(c));
      src.out_edges.push_back({id, -1});
      item.initial_pending++;
      item.num_control++;
    }
  }
  ComputeFrames();
  for (Item& item : items_) {
    for (size_t k = 0; k < item.inputs.size(); k++) {
      const Edge& in = item.inputs[k];
      if (!is_fed(in) && item.exec_frame != items_[index.at(in.node)].out_frame) {
        throw InvalidArgument("Node '" + item.node->name + "' (in while loop frame '" + frames_[item.exec_frame].name +
                              "') takes input " + std::to_string(k) + " from '" + in.node->name + "' in frame '" +
                              frames_[items_[index.at(in.node)].out_frame].name +
                              "': values crossing a while loop boundary must go through Enter/Exit", item.node->name);
      }
      if (is_fed(in) && item.exec_frame != 0) {
        throw InvalidArgument("Cannot feed " + in.node->name + ":" + std::to_string(in.index) +
                              ": it is used inside a while loop", item.node->name);
      }
    }
    for (int c : item.control_items) {
      if (item.exec_frame != items_[c].out_frame) {
        throw InvalidArgument("Node '" + item.node->name + "' has a control input from '" + items_[c].node->name +
                              "' in another while loop frame", item.node->name);
      }
    }
  }
  // Output slots are numbered per frame (an iteration holds its frame's slots); feeds live in
  // the root frame after its outputs. Without loops everything is frame 0, numbered in order.
  for (Item& item : items_) {
    Frame& f = frames_[item.out_frame];
    item.output_base = f.num_slots;
    f.num_slots += item.num_outputs;
  }
  int slot = frames_[0].num_slots;
  for (size_t i = 0; i < feeds.size(); i++) feed_slots_.push_back(slot++);
  frames_[0].num_slots = slot;
  num_slots_ = slot;

  auto slot_of = [&](const Edge& e) -> int {
    auto f = fed.find(e.node);
    if (f != fed.end()) {
      auto g = f->second.find(e.index);
      if (g != f->second.end()) return feed_slots_[g->second];
    }
    const Item& src = items_[index.at(e.node)];
    if (e.index >= src.num_outputs) {
      throw InvalidArgument("Node '" + e.node->name + "' has no output " + std::to_string(e.index), e.node->name);
    }
    return src.output_base + e.index;
  };
  for (Item& item : items_) {
    for (const Edge& in : item.inputs) item.input_slots.push_back(slot_of(in));
  }
  for (size_t i = 0; i < items_.size(); i++) if (items_[i].initial_pending == 0) roots_.push_back(static_cast<int>(i));
  // A value is dropped after its last reader ran, so its buffer can be reused (or updated in
  // place by an optimizer) within the step; fetched and fed values are kept. Loop frames
  // keep theirs until the frame ends (their slots are numbered per frame).
  slot_uses_.assign(num_slots_, 0);
  if (!has_loops_) for (const Item& item : items_) for (int s : item.input_slots) slot_uses_[s]++;
  for (int s : feed_slots_) slot_uses_[s]++;
  for (size_t i = 0; i < fetches.size(); i++) {
    const std::string& f = fetches[i];
    const Edge& e = fetch_edges[i];
    if (!is_fed(e) && items_[index.at(e.node)].out_frame != 0) {
      throw InvalidArgument("Cannot fetch " + f + ": it is inside a while loop (fetch the loop's results instead)", e.node->name);
    }
    fetch_slots_.push_back(slot_of(e));
    slot_uses_[fetch_slots_.back()]++;
  }
}

void Executor::ComputeFrames() {
  frames_.assign(1, Frame{});
  frames_[0].name = "(root)";
  std::map<std::pair<int, std::string>, int> child_frames;
  // Items are in graph order, where every input comes first except a loop Merge's back edge
  // from NextIteration: a node's frame is that of its first earlier producer.
  for (size_t i = 0; i < items_.size(); i++) {
    Item& item = items_[i];
    int frame = 0;
    bool known = false;
    for (int j : item.input_items) {
      if (j >= 0 && j < static_cast<int>(i)) {
        frame = items_[j].out_frame;
        known = true;
        break;
      }
    }
    if (!known) {
      for (int c : item.control_items) {
        if (c < static_cast<int>(i)) {
          frame = items_[c].out_frame;
          break;
        }
      }
    }
    item.exec_frame = frame;
    item.out_frame = frame;
    if (item.kind == Item::kEnter) {
      const std::string name = item.node->AttrString("frame_name", "");
      if (name.empty()) throw InvalidArgument("Enter node '" + item.node->name + "' has no frame_name", item.node->name);
      auto key = std::make_pair(frame, name);
      auto it = child_frames.find(key);
      if (it == child_frames.end()) {
        it = child_frames.emplace(key, static_cast<int>(frames_.size())).first;
        frames_.push_back(Frame{});
        frames_.back().parent = frame;
        frames_.back().name = name;
      }
      item.out_frame = it->second;
      frames_[item.out_frame].num_enters++;
    } else if (item.kind == Item::kExit) {
      if (frame == 0) throw InvalidArgument("Exit node '" + item.node->name + "' is not inside a while loop", item.node->name);
      item.out_frame = frames_[frame].parent;
      frames_[frame].exits.push_back(static_cast<int>(i));
    }
    item.exec_local = static_cast<int>(frames_[item.exec_frame].exec_items.size());
    frames_[item.exec_frame].exec_items.push_back(static_cast<int>(i));
    item.out_local = frames_[item.out_frame].num_out++;
  }
}

Executor::~Executor() = default;

bool Executor::NeverWaits() const {
  if (has_loops_) return false;
  for (const Item& item : items_) {
    if ((item.device && item.device->has_device_memory()) || (item.kernel && item.kernel->AsAsync())) return false;
  }
  return true;
}

// ---- Running a step --------------------------------------------------------------------
// One scheduler for every graph (TF's executor model): the step is a tree of frame
// instances, the root frame with one iteration, each while loop a frame with numbered
// iterations, every iteration with its own slots and pending counts. Enter moves a value
// into iteration 0 of a child frame (a constant Enter into every iteration), NextIteration
// into the next iteration, Exit back to the parent frame; a Merge fires on its first live
// input. Kernels run outside the step's lock; the bookkeeping after each node (delivering
// outputs, counting down successors, frames starting and finishing) runs under it. A kernel
// that waits (AsyncOpKernel) returns at once and completes on whichever thread calls done.

struct Executor::Iteration {
  // Per item running in this iteration's frame (by exec_local).
  struct ItemState {
    int pending = 0;       // inputs still to come (a Merge: control inputs only)
    int merge_live = -1;   // a Merge: the input it takes, -1 while none is live
    int merge_dead = 0;    // a Merge: dead data inputs received
    bool fired = false;    // a Merge: already scheduled
  };
  std::vector<Value> slots;
  std::vector<ItemState> items;
  std::vector<char> dead;  // by out_local: the node was dead in this iteration
};

struct Executor::FrameInstance {
  int frame = 0;
  FrameInstance* parent = nullptr;
  int64_t parent_iter = 0;
  std::vector<std::unique_ptr<Iteration>> iterations;
  std::vector<std::pair<int, Value>> constants;  // loop-invariant Enter values: every iteration gets them
  int pending_enters = 0;   // Enter nodes that have not delivered yet
  int outstanding = 0;      // ready or running nodes plus live child frames
  std::vector<char> exit_fired;  // by index in Frame::exits
  std::map<std::pair<int, int64_t>, std::unique_ptr<FrameInstance>> children;  // (frame, our iteration)
};

struct Executor::Task {
  FrameInstance* frame;
  Iteration* it;
  int64_t iter;
  int item;
};

struct Executor::RunState {
  explicit RunState(std::shared_ptr<CancellationManager> cm) : step(std::move(cm)) {}
  std::mutex mu;                 // guards the frame tree, pending counts and deliveries
  FrameInstance root;
  int outstanding = 0;           // ready or running nodes of the whole step (under mu)
  std::unique_ptr<std::atomic<int>[]> slot_uses;  // root-frame reads still to come (graphs without loops)
  StepState step;
  std::atomic<bool> failed{false};
  Status status;                 // the first error (under mu)
  bool trace = false;
  std::chrono::steady_clock::time_point start;
  std::vector<NodeStats> stats;  // when tracing (under mu)
  int64_t timer = 0;             // the deadline's timer, 0 when none
  StepDone done;
};

uint64_t Executor::FrameId(const FrameInstance* f) const {
  // TF fingerprints the parent frame, its iteration and the frame's name; any value unique per
  // frame instance within the step will do in one process.
  uint64_t h = 0;
  for (; f && f->parent; f = f->parent) {
    h = h * 1000003u ^ std::hash<std::string>()(frames_[f->frame].name + ";" + std::to_string(f->parent_iter));
  }
  return h == 0 ? 1 : h;
}

// A running asynchronous kernel: what it reads and writes lives here until it calls done.
struct Executor::AsyncCall {
  Task task;
  std::vector<Tensor> inputs, outputs;
  std::vector<std::shared_ptr<Var>> refs, out_refs;
  std::vector<char> dead_in, dead_out;
  std::unique_ptr<OpKernelContext> ctx;
  std::chrono::steady_clock::time_point t0;
  AllocationCount memory;           // when tracing
  std::vector<Task> ready;          // successors made ready by its completion
  std::atomic<bool> second{false};  // done and the starting thread race: the second one goes on
};

namespace {

int64_t Micros(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::microseconds>(to - from).count();
}

Error WithNode(const Error& e, const std::string& node) {
  return e.node().empty() ? Error(e.code(), e.what(), node) : e;
}

}  // namespace

void Executor::RunAsync(std::vector<Tensor> feed_values, const RunOptions& options,
                        std::shared_ptr<CancellationManager> cancellation, StepDone done, bool caller_runs,
                        std::shared_ptr<Rendezvous> rendezvous) {
  if (feed_values.size() != feed_slots_.size()) throw InvalidArgument("wrong number of feed values");
  auto* rs = new RunState(std::move(cancellation));
  rs->step.rendezvous = std::move(rendezvous);
  rs->done = std::move(done);
  rs->trace = options.trace;
  if (rs->trace) rs->start = std::chrono::steady_clock::now();
  if (!has_loops_) {
    rs->slot_uses.reset(new std::atomic<int>[num_slots_]);
    for (int i = 0; i < num_slots_; i++) rs->slot_uses[i].store(slot_uses_[i], std::memory_order_relaxed);
  }
  // The root frame: one iteration holding the feeds.
  FrameInstance& root = rs->root;
  Iteration* it = Ensure(&root, 0);
  for (size_t i = 0; i < feed_values.size(); i++) it->slots[feed_slots_[i]].tensor = std::move(feed_values[i]);

  std::vector<Task> ready;
  for (int r : roots_) ready.push_back({&root, it, 0, r});
  rs->outstanding = static_cast<int>(ready.size());
  root.outstanding = rs->outstanding;
  if (ready.empty()) {
    Finish(rs);
    return;
  }
  if (options.timeout_ms > 0) {
    rs->step.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.timeout_ms);
    // The timer holds the cancellation manager, not the step: a step that ended is left alone.
    std::weak_ptr<CancellationManager> cm = rs->step.cancellation;
    rs->timer = Timer::Global().Schedule(rs->step.deadline, [cm] {
      if (auto c = cm.lock()) c->StartCancel(Error(Code::kDeadlineExceeded, "Timed out waiting for notification"));
    });
  }
  if (caller_runs) {
    Process(rs, std::move(ready));
  } else {
    ScheduleAll(rs, &ready);
  }
}

void Executor::ScheduleAll(RunState* rs, std::vector<Task>* ready) const {
  for (const Task& t : *ready) inter_op_->Schedule([this, rs, t] { Process(rs, {t}); });
  ready->clear();
}

void Executor::Fail(RunState* rs, const Error& error) const {
  {
    std::lock_guard<std::mutex> lock(rs->mu);
    if (rs->failed.exchange(true)) return;
    rs->status = error;
  }
  // Wakes this step's parked kernels: they fail and the step can end.
  rs->step.cancellation->StartCancel(error);
}

bool Executor::Aborted(RunState* rs) const {
  return rs->failed.load(std::memory_order_acquire) || rs->step.cancellation->IsCancelled();
}

void Executor::Finish(RunState* rs) const {
  if (rs->timer) Timer::Global().Cancel(rs->timer);
  StepResult result;
  result.status = rs->status;
  // Cancelled from outside (session close, deadline): a parked kernel reports its own
  // CancelledError; a deadline is DeadlineExceeded whatever the woken kernel said.
  const CancellationManager& cm = *rs->step.cancellation;
  if (cm.IsCancelled() && (result.status.ok() || cm.reason().code() == Code::kDeadlineExceeded)) {
    result.status = cm.reason();
  }
  if (result.status.ok()) {
    std::vector<Value>& slots = rs->root.iterations[0]->slots;
    try {
      for (size_t i = 0; i < fetch_slots_.size(); i++) {
        Value& v = slots[fetch_slots_[i]];
        if (v.dead) {
          throw Error(Code::kInvalidArgument, "Retrieved a dead tensor: " + fetch_names_[i] +
                      " is on the branch of a conditional that was not taken");
        }
        if (!v.ref && !v.tensor.initialized()) {
          throw Error(Code::kInternal, "The step ended without computing " + fetch_names_[i] +
                      " (a while loop in the graph never produced it)");
        }
        result.fetched.push_back(v.ref ? v.ref->Read() : v.tensor);
      }
    } catch (const Error& e) {
      result.status = e;
      result.fetched.clear();
    }
  }
  result.stats = std::move(rs->stats);
  StepDone done = std::move(rs->done);
  delete rs;
  done(std::move(result));
}

namespace {
// How many node chains fill the cores left to us: each chain's kernels fan out to their
// device's intra-op threads (1 chain on 2 cores with the default config; 2 with intra-op 1).
int ChainsThatFit(const Device* d) {
  const int intra = d && d->intra_op ? d->intra_op->num_threads() : 1;
  return std::max(1, ThreadPool::CoresFree() / std::max(1, intra));
}
}  // namespace

void Executor::Process(RunState* rs, std::vector<Task> local) const {
  // Scratch kept per thread: no allocation per node once warm (Process never re-enters
  // itself on one thread: async completions hand their successors back or to the pool).
  thread_local std::vector<Value> outs;
  thread_local std::vector<Task> ready;
  ThreadPool::Running running;  // threads in Process, over every executor of the process
  while (!local.empty()) {
    Task t = local.back();
    local.pop_back();
    const Item& item = items_[t.item];
    bool dead = false, ran = false;
    ready.clear();
    if (!Aborted(rs)) {
      outs.assign(item.num_outputs, Value());
      if (!Start(rs, t, &outs, &dead, &ready)) {
        // An async kernel: it completes through its done (which may already have run: then
        // its successors are in `ready`).
        for (const Task& r : ready) local.push_back(r);
        continue;
      }
      ran = true;
    }
    bool finished;
    {
      std::lock_guard<std::mutex> lock(rs->mu);
      Complete(rs, t, &outs, dead, ran, &ready);
      finished = --rs->outstanding == 0;
    }
    outs.clear();
    if (finished) {
      Finish(rs);
      return;  // no other work of this step is left anywhere
    }
    // Newly ready successors: cheap ones run here; of the expensive ones this thread keeps
    // one when it has nothing else to do (a chain never changes threads), the rest go to
    // the pool (TF's inline_ready rule) while the cores have room for another chain. When
    // they have none, another thread could only wait for them: a hand-off then costs a
    // wake-up and cold caches per node (17% of bench/train.ts's CNN step on 2 cores, 13% of
    // MLP b128's).
    for (const Task& r : ready) {
      const Item& next = items_[r.item];
      if (next.expensive && !local.empty() && inter_op_->num_threads() > 1 &&
          ThreadPool::Running::Count() < ChainsThatFit(next.device)) {
        inter_op_->Schedule([this, rs, r] { Process(rs, {r}); });
      } else {
        local.push_back(r);
      }
    }
  }
}

bool Executor::Start(RunState* rs, const Task& t, std::vector<Value>* outs, bool* dead, std::vector<Task>* ready) const {
  const Item& item = items_[t.item];
  std::vector<Value>& in = t.it->slots;
  if (item.kind == Item::kMerge) {  // no kernel: pass the live input on
    const int live = t.it->items[item.exec_local].merge_live;
    *dead = live < 0;
    if (!*dead) {
      (*outs)[0] = in[item.input_slots[live]];
      (*outs)[1].tensor = Tensor::Scalar<int32_t>(live);
    }
    return true;
  }
  const AsyncOpKernel* async = item.kernel->AsAsync();
  try {
    if (std::chrono::steady_clock::now() > rs->step.deadline) {
      throw Error(Code::kDeadlineExceeded, "Timed out waiting for notification", item.node->name);
    }
    // A node fed a dead input (or with a dead control input) is dead: it does not run and
    // its outputs are dead; a kernel that accepts dead inputs runs unless all are dead.
    const size_t n_in = item.input_slots.size();
    bool any_dead = false, all_dead = n_in > 0;
    for (size_t i = 0; i < n_in; i++) {
      const bool d = in[item.input_slots[i]].dead;
      any_dead |= d;
      all_dead &= d;
    }
    for (int c : item.control_items) any_dead |= t.it->dead[items_[c].out_local] != 0;
    *dead = item.kernel->AcceptsDeadInputs() ? all_dead : any_dead;
    // A transfer kernel runs dead too: _Send passes the deadness to its _Recv.
    const bool node_dead = *dead;
    if (*dead && !item.kernel->IsTransfer()) return true;
    *dead = false;  // a transfer kernel marks its outputs dead itself

    // Per-thread scratch vectors for synchronous kernels: no allocation per node once warm.
    thread_local std::vector<Tensor> s_inputs, s_outputs;
    thread_local std::vector<std::shared_ptr<Var>> s_refs, s_out_refs;
    thread_local std::vector<char> s_dead_in, s_dead_out;
    std::unique_ptr<AsyncCall> call;
    if (async) {
      call = std::make_unique<AsyncCall>();
      call->task = t;
    }
    auto& inputs = async ? call->inputs : s_inputs;
    auto& outputs = async ? call->outputs : s_outputs;
    auto& refs = async ? call->refs : s_refs;
    auto& out_refs = async ? call->out_refs : s_out_refs;
    auto& dead_in = async ? call->dead_in : s_dead_in;
    auto& dead_out = async ? call->dead_out : s_dead_out;
    const int n_out = item.num_outputs;
    inputs.assign(n_in, Tensor());
    refs.assign(n_in, nullptr);
    dead_in.assign(n_in, 0);
    for (size_t i = 0; i < n_in; i++) {
      const int s = item.input_slots[i];
      Value& v = in[s];
      dead_in[i] = v.dead;
      if (v.dead) continue;
      if (item.input_is_ref[i]) {
        if (!v.ref) throw InvalidArgument("Input " + std::to_string(i) + " of node " + item.node->name + " must be a variable reference", item.node->name);
        refs[i] = v.ref;
      } else if (v.ref) {
        inputs[i] = v.ref->Read();
      } else if (rs->slot_uses && rs->slot_uses[s].load(std::memory_order_acquire) == 1) {
        // The value's last reader (every other one completed; fed and fetched values count
        // one use more, so never get here) takes it: the kernel may write over its buffer.
        inputs[i] = std::move(v.tensor);
      } else {
        inputs[i] = v.tensor;
      }
    }
    outputs.assign(n_out, Tensor());
    out_refs.assign(n_out, nullptr);
    dead_out.assign(n_out, 0);
    const Item* ip = &item;
    auto collect = [ip](std::vector<Tensor>& outputs, std::vector<std::shared_ptr<Var>>& out_refs,
                                 std::vector<char>& dead_out, std::vector<Value>* outs) {
      for (size_t o = 0; o < outputs.size(); o++) {
        Value& dst = (*outs)[o];
        if (dead_out[o]) {
          dst.dead = true;
        } else if (out_refs[o]) {
          dst.ref = std::move(out_refs[o]);
        } else {
          if (!outputs[o].initialized()) throw Error(Code::kInternal, "kernel for " + ip->node->op + " did not set output " + std::to_string(o), ip->node->name);
          dst.tensor = std::move(outputs[o]);
        }
      }
    };
    const auto t0 = rs->trace ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    auto record = [rs, ip](std::chrono::steady_clock::time_point t0, const AllocationCount& memory) {
      if (!rs->trace) return;
      const int64_t end = Micros(rs->start, std::chrono::steady_clock::now());
      std::string label = ip->node->name + " = " + ip->node->op + "(";
      for (size_t k = 0; k < ip->inputs.size(); k++) {
        const Edge& in = ip->inputs[k];
        label += (k ? ", " : "") + in.node->name + (in.index ? ":" + std::to_string(in.index) : "");
      }
      label += ")";
      NodeStats st{ip->node->name, ip->device->name, Micros(rs->start, t0), end,
                   std::hash<std::thread::id>()(std::this_thread::get_id()), std::move(label), memory};
      std::lock_guard<std::mutex> lock(rs->mu);
      rs->stats.push_back(std::move(st));
    };
    if (!async) {
      OpKernelContext ctx(*item.node, item.device, resources_, &rs->step, &inputs, &refs, &outputs, &out_refs);
      ctx.set_dead_state(&dead_in, &dead_out);
      if (node_dead) ctx.set_node_dead(true);
      if (t.frame != &rs->root) ctx.set_frame_iter(FrameId(t.frame), t.iter);
      if (!item.out_on_device.empty()) ctx.set_output_memory(&item.out_on_device);
      AllocationCount memory;
      {
        std::optional<ScopedAllocationCount> counting;
        if (rs->trace) counting.emplace(&memory);
        item.kernel->Compute(&ctx);
      }
      record(t0, memory);
      collect(outputs, out_refs, dead_out, outs);
      inputs.clear();  // drop references to this step's tensors now, not at the next node
      refs.clear();
      return true;
    }

    AsyncCall* c = call.get();
    c->t0 = t0;
    c->ctx = std::make_unique<OpKernelContext>(*item.node, item.device, resources_, &rs->step, &c->inputs, &c->refs,
                                               &c->outputs, &c->out_refs);
    c->ctx->set_dead_state(&c->dead_in, &c->dead_out);
    if (node_dead) c->ctx->set_node_dead(true);
    if (t.frame != &rs->root) c->ctx->set_frame_iter(FrameId(t.frame), t.iter);
    if (!item.out_on_device.empty()) c->ctx->set_output_memory(&item.out_on_device);
    auto on_done = [this, rs, c, record, collect]() mutable {
      std::vector<Value> outs(c->outputs.size());
      bool ok = c->ctx->status().ok();
      if (ok) {
        try {
          collect(c->outputs, c->out_refs, c->dead_out, &outs);
        } catch (const Error& e) {
          c->ctx->SetStatus(e);
          ok = false;
        }
      }
      if (!ok) Fail(rs, WithNode(c->ctx->status().error(), items_[c->task.item].node->name));
      record(c->t0, c->memory);
      bool finished;
      {
        std::lock_guard<std::mutex> lock(rs->mu);
        Complete(rs, c->task, &outs, false, ok, &c->ready);
        finished = --rs->outstanding == 0;
      }
      c->inputs.clear();
      c->refs.clear();
      if (finished) {
        // Nothing is left to run; the starting thread may still be inside Start (then it frees c).
        if (c->second.exchange(true)) delete c;
        Finish(rs);
        return;
      }
      // The starting thread (if still inside Start) takes the successors; else the pool.
      if (c->second.exchange(true)) {
        ScheduleAll(rs, &c->ready);
        delete c;
      }
    };
    call.release();
    try {
      // Counts what the kernel allocates before it returns (not what a later `done` does).
      std::optional<ScopedAllocationCount> counting;
      if (rs->trace) counting.emplace(&c->memory);
      async->ComputeAsync(c->ctx.get(), on_done);
    } catch (...) {
      // Thrown before done was handed on: the kernel will not call it.
      call.reset(c);
      throw;
    }
    if (c->second.exchange(true)) {  // done already ran on this or another thread
      *ready = std::move(c->ready);
      delete c;
    }
    return false;
  } catch (const Error& e) {
    Fail(rs, WithNode(e, item.node->name));
  } catch (const std::bad_alloc&) {
    Fail(rs, Error(Code::kResourceExhausted, "OOM while running " + item.node->name, item.node->name));
  } catch (const std::exception& e) {
    Fail(rs, Error(Code::kInternal, std::string(e.what()) + " (in " + item.node->name + ")", item.node->name));
  }
  *dead = false;
  return true;  // failed: completes as a node that did not run
}

// ---- Bookkeeping (under the step's lock) ------------------------------------------------

Executor::Iteration* Executor::Ensure(FrameInstance* f, int64_t n) const {
  while (static_cast<int64_t>(f->iterations.size()) <= n) {
    const Frame& fr = frames_[f->frame];
    auto it = std::make_unique<Iteration>();
    it->slots.resize(fr.num_slots);
    it->items.resize(fr.exec_items.size());
    for (size_t l = 0; l < fr.exec_items.size(); l++) {
      const Item& item = items_[fr.exec_items[l]];
      it->items[l].pending = item.kind == Item::kMerge ? item.num_control : item.initial_pending;
    }
    it->dead.assign(fr.num_out, 0);
    f->iterations.push_back(std::move(it));
  }
  return f->iterations[n].get();
}

Executor::FrameInstance* Executor::Child(FrameInstance* f, int64_t iter, int frame) const {
  auto key = std::make_pair(frame, iter);
  auto found = f->children.find(key);
  if (found != f->children.end()) return found->second.get();
  auto child = std::make_unique<FrameInstance>();
  child->frame = frame;
  child->parent = f;
  child->parent_iter = iter;
  child->pending_enters = frames_[frame].num_enters;
  child->exit_fired.assign(frames_[frame].exits.size(), 0);
  FrameInstance* c = child.get();
  f->children.emplace(key, std::move(child));
  f->outstanding++;
  Ensure(c, 0);
  return c;
}

// Puts an item's outputs into iteration `iter` of f and counts them down at the consumers.
void Executor::Deliver(FrameInstance* f, int64_t iter, int id, const Value* outs, bool dead, std::vector<Task>* ready) const {
  const bool new_iteration = static_cast<int64_t>(f->iterations.size()) <= iter;
  Iteration& it = *Ensure(f, iter);
  if (new_iteration) {
    for (const auto& c : f->constants) Deliver(f, iter, c.first, &c.second, false, ready);
  }
  const Item& item = items_[id];
  it.dead[item.out_local] = dead;
  const int n_out = item.num_outputs;
  for (int o = 0; o < n_out; o++) {
    Value& dst = it.slots[item.output_base + o];
    if (dead) {
      dst = Value();
      dst.dead = true;
    } else {
      dst = outs[o];
    }
  }
  auto push = [&](int s) {
    f->outstanding++;
    ready->push_back({f, &it, iter, s});
  };
  for (const auto& [s, input] : item.out_edges) {
    const Item& succ = items_[s];
    const int l = succ.exec_local;
    if (succ.kind != Item::kMerge) {
      if (--it.items[l].pending == 0) push(s);
      continue;
    }
    Iteration::ItemState& m = it.items[l];
    if (m.fired) continue;
    // A live Switch has a dead output: the value, not the node, says whether a Merge input is dead.
    if (input < 0) m.pending--;
    else if (it.slots[succ.input_slots[input]].dead) m.merge_dead++;
    else if (m.merge_live < 0) m.merge_live = input;
    // A dead Enter makes its Merge dead at once (TF's rule; the back edge never comes): a loop
    // entered dead runs one dead iteration, so its _Sends still meet the _Recvs of the
    // control loops its frame has on other devices (runtime/graph_partition.h).
    const bool dead_enter = input >= 0 && item.kind == Item::kEnter && dead;
    const bool all_dead = dead_enter || m.merge_dead == static_cast<int>(succ.input_slots.size());
    if (m.pending == 0 && (m.merge_live >= 0 || all_dead)) {
      m.fired = true;
      push(s);
    }
  }
}

void Executor::Complete(RunState* rs, const Task& t, std::vector<Value>* outs_vec, bool dead, bool ran,
                        std::vector<Task>* ready) const {
  const Item& item = items_[t.item];
  FrameInstance* f = t.frame;
  const size_t before = ready->size();
  // A value is dropped after its last reader ran (graphs without loops), so its buffer can be
  // reused or updated in place later in the step.
  if (rs->slot_uses) {
    for (int s : item.input_slots) {
      if (rs->slot_uses[s].fetch_sub(1, std::memory_order_acq_rel) == 1) t.it->slots[s] = Value();
    }
  }
  if (ran && !rs->failed.load(std::memory_order_acquire)) {
    const Value* outs = outs_vec->data();
    switch (item.kind) {
      case Item::kEnter: {
        FrameInstance* child = Child(f, t.iter, item.out_frame);
        child->pending_enters--;
        if (item.constant_enter && !dead) {
          child->constants.push_back({t.item, outs[0]});
          for (size_t n = 0; n < child->iterations.size(); n++) Deliver(child, static_cast<int64_t>(n), t.item, outs, false, ready);
        } else {
          Deliver(child, 0, t.item, outs, dead, ready);
        }
        MaybeFinish(rs, child, ready);
        break;
      }
      case Item::kExit:
        // A dead Exit (the loop goes on) delivers nothing; one that never fires live is
        // delivered dead when its frame finishes (a loop on an untaken cond branch).
        if (!dead) {
          const auto& exits = frames_[f->frame].exits;
          f->exit_fired[std::find(exits.begin(), exits.end(), t.item) - exits.begin()] = 1;
          Deliver(f->parent, f->parent_iter, t.item, outs, false, ready);
        }
        break;
      case Item::kNextIteration:
        if (!dead) Deliver(f, t.iter + 1, t.item, outs, false, ready);
        break;
      default:
        Deliver(f, t.iter, t.item, outs, dead, ready);
    }
  }
  f->outstanding--;
  if (!rs->failed.load(std::memory_order_acquire)) MaybeFinish(rs, f, ready);
  rs->outstanding += static_cast<int>(ready->size() - before);
}

// A frame instance is finished once all its Enters delivered and nothing in it is queued.
void Executor::MaybeFinish(RunState* rs, FrameInstance* f, std::vector<Task>* ready) const {
  if (f == &rs->root || f->pending_enters > 0 || f->outstanding > 0) return;
  const Frame& fr = frames_[f->frame];
  FrameInstance* parent = f->parent;
  const int64_t parent_iter = f->parent_iter;
  for (size_t e = 0; e < fr.exits.size(); e++) {
    if (!f->exit_fired[e]) Deliver(parent, parent_iter, fr.exits[e], nullptr, true, ready);
  }
  parent->children.erase({f->frame, parent_iter});  // destroys f
  parent->outstanding--;
  MaybeFinish(rs, parent, ready);
}

}  // namespace tg
