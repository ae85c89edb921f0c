// Partitioning a signature across devices (runtime/graph_partition.h) and running the
// partitions as one step (runtime/partitioned_executor.h) in a session with two CPU devices.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <set>
#include <thread>

#include "runtime/gpu_platform.h"
#include "runtime/graph_partition.h"
#include "runtime/op_def.h"
#include "runtime/session.h"
#include "tests/graph_builder.h"

namespace tg {
namespace {

const std::string kCpu0 = "/job:localhost/replica:0/task:0/device:CPU:0";
const std::string kCpu1 = "/job:localhost/replica:0/task:0/device:CPU:1";

// Parks until the step is cancelled (then fails with the reason).
class PartitionPark : public AsyncOpKernel {
 public:
  using AsyncOpKernel::AsyncOpKernel;
  void ComputeAsync(OpKernelContext* ctx, DoneCallback done) const override {
    CancellationManager* cm = ctx->cancellation_manager();
    if (!cm->Register(cm->NewToken(), [ctx, done](const Error& reason) {
          ctx->SetStatus(reason);
          done();
        })) {
      ctx->SetStatus(cm->reason());
      done();
    }
  }
};
class PartitionFail : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override { throw Error(Code::kInvalidArgument, "boom", ctx->node().name); }
};
TG_REGISTER_KERNEL(Name("TestPartitionPark").Device(DEVICE_CPU), PartitionPark);
TG_REGISTER_KERNEL(Name("TestPartitionFail").Device(DEVICE_CPU), PartitionFail);
TG_REGISTER_OP("TestPartitionPark").Output("output: float");
TG_REGISTER_OP("TestPartitionFail").Output("output: float");

GraphBuilder::AttrFn FloatT() { return GraphBuilder::Type(DataType::DT_FLOAT); }

struct Split {
  DeviceMgr devices{2, 0, GpuOptions{}, nullptr};
  Placer placer{devices, false, false};
  Graph graph;
  Split() { placer.set_graph(&graph); }
  void Add(GraphBuilder& g) {
    auto bytes = g.Finish();
    graph.Extend(bytes.data(), bytes.size());
  }
  PartitionedGraph Run(const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                       const std::vector<std::string>& targets = {}) {
    PlaceFn place = [this](const Node& n) { return placer.Place(n); };
    return PartitionGraph(graph, Prune(graph, feeds, fetches, targets), place, devices.cpu0(), feeds, fetches);
  }
  Device* cpu(int i) const { return devices.devices()[i].get(); }
};

const Partition& On(const PartitionedGraph& pg, const std::string& device) {
  for (const Partition& p : pg.partitions) if (p.device->name == device) return p;
  throw std::runtime_error("no partition on " + device);
}
std::vector<const Node*> OfOp(const Partition& p, const std::string& op) {
  std::vector<const Node*> out;
  for (size_t i = 0; i < p.graph->num_nodes(); i++) if (p.graph->node(i)->op == op) out.push_back(p.graph->node(i));
  return out;
}

TEST(GraphPartition, OneSendRecvPairPerValueAndDestination) {
  Split s;
  GraphBuilder g;
  g.Const("a", {2}, {})
      .Node("b", "Mul", {"a", "a"}, {{"T", FloatT()}}, "/device:CPU:1")
      .Node("c", "Add", {"a", "b"}, {{"T", FloatT()}}, "/device:CPU:1");
  s.Add(g);
  PartitionedGraph pg = s.Run({}, {"c:0"});
  ASSERT_EQ(pg.partitions.size(), 2u);
  const Partition& p0 = On(pg, kCpu0);
  const Partition& p1 = On(pg, kCpu1);
  // a is read three times on CPU:1 but crosses once.
  ASSERT_EQ(OfOp(p0, "_Send").size(), 1u);
  ASSERT_EQ(OfOp(p1, "_Recv").size(), 1u);
  const Node* send = OfOp(p0, "_Send")[0];
  const Node* recv = OfOp(p1, "_Recv")[0];
  EXPECT_EQ(send->inputs[0].node->name, "a");
  const std::string tensor_name = recv->AttrString("tensor_name");
  EXPECT_EQ(tensor_name.rfind("edge_", 0), 0u) << tensor_name;
  EXPECT_EQ(tensor_name.substr(tensor_name.size() - 2), "_a");
  EXPECT_EQ(send->AttrString("tensor_name"), tensor_name);
  for (const Node* n : {send, recv}) {
    EXPECT_EQ(n->AttrString("send_device"), kCpu0);
    EXPECT_EQ(n->AttrString("recv_device"), kCpu1);
    EXPECT_EQ(static_cast<uint64_t>(n->AttrInt("send_device_incarnation")), s.cpu(0)->incarnation);
    EXPECT_FALSE(n->AttrBool("client_terminated", true));
  }
  EXPECT_EQ(recv->AttrType("tensor_type"), DataType::DT_FLOAT);
  EXPECT_EQ(send->AttrType("T"), DataType::DT_FLOAT);
  const Node* b = p1.graph->Find("b");
  const Node* c = p1.graph->Find("c");
  EXPECT_EQ(b->inputs[0].node, recv);
  EXPECT_EQ(b->inputs[1].node, recv);
  EXPECT_EQ(c->inputs[0].node, recv);
  EXPECT_EQ(c->inputs[1].node, b);
  EXPECT_EQ(p0.graph->Find("b"), nullptr);
  // The fetch leaves CPU:1 through a client-terminated _Send to the client (CPU:0).
  const Node* fetch = p1.graph->Find("_send_c_0");
  ASSERT_NE(fetch, nullptr);
  EXPECT_TRUE(fetch->AttrBool("client_terminated", false));
  EXPECT_EQ(pg.fetch_keys[0], Rendezvous::CreateKey(kCpu1, s.cpu(1)->incarnation, kCpu0, "c:0", 0, 0));
  // Each partition runs from its sinks.
  EXPECT_EQ(p0.targets, std::vector<std::string>{send->name});
  EXPECT_EQ(p1.targets, std::vector<std::string>{"_send_c_0"});
  // Every node keeps the device it was placed on, in full.
  EXPECT_EQ(b->device, kCpu1);
  EXPECT_EQ(p0.graph->Find("a")->device, kCpu0);
}

TEST(GraphPartition, ControlEdgeSendsADummyConstAndWaitsOnAnIdentity) {
  Split s;
  GraphBuilder g;
  g.Const("x", {1}, {})
      .Node("y", "Const", {"^x"}, {{"value", GraphBuilder::FloatTensor({5}, {})}, {"dtype", FloatT()}}, "/device:CPU:1");
  s.Add(g);
  PartitionedGraph pg = s.Run({}, {"y:0"});
  const Partition& p0 = On(pg, kCpu0);
  const Partition& p1 = On(pg, kCpu1);
  auto consts = OfOp(p0, "Const");
  ASSERT_EQ(consts.size(), 2u);
  const Node* dummy = consts[0]->name == "x" ? consts[1] : consts[0];
  ASSERT_EQ(dummy->control_inputs.size(), 1u);
  EXPECT_EQ(dummy->control_inputs[0]->name, "x");
  EXPECT_EQ(dummy->AttrTensor("value").num_elements(), 0);
  ASSERT_EQ(OfOp(p0, "_Send").size(), 1u);
  EXPECT_EQ(OfOp(p0, "_Send")[0]->inputs[0].node, dummy);
  ASSERT_EQ(OfOp(p1, "_Recv").size(), 1u);
  auto ids = OfOp(p1, "Identity");
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0]->inputs[0].node, OfOp(p1, "_Recv")[0]);
  const Node* y = p1.graph->Find("y");
  ASSERT_EQ(y->control_inputs.size(), 1u);
  EXPECT_EQ(y->control_inputs[0], ids[0]);
}

TEST(GraphPartition, FeedsEnterEachPartitionThatReadsThem) {
  Split s;
  GraphBuilder g;
  g.Placeholder("p")
      .Binary("m", "Mul", "p", "p")
      .Node("n", "Add", {"p", "m"}, {{"T", FloatT()}}, "/device:CPU:1");
  s.Add(g);
  PartitionedGraph pg = s.Run({"p:0"}, {"n:0", "p:0"});
  ASSERT_EQ(pg.feed_keys.size(), 1u);
  std::vector<std::string> keys = pg.feed_keys[0];
  std::sort(keys.begin(), keys.end());
  std::vector<std::string> want = {Rendezvous::CreateKey(kCpu0, s.cpu(0)->incarnation, kCpu0, "p:0", 0, 0),
                                   Rendezvous::CreateKey(kCpu0, s.cpu(0)->incarnation, kCpu1, "p:0", 0, 0)};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(keys, want);
  EXPECT_EQ(On(pg, kCpu0).graph->Find("p"), nullptr);  // fed: it never runs
  EXPECT_NE(On(pg, kCpu1).graph->Find("_recv_p_0"), nullptr);
  EXPECT_EQ(pg.fetch_feed, (std::vector<int>{-1, 0}));
}

TEST(GraphPartition, ALoopAcrossDevicesWithoutALoopCondIsAnError) {
  Split s;
  GraphBuilder g;
  g.Const("a", {1}, {})
      .Node("e", "Enter", {"a"}, {{"T", FloatT()}, {"frame_name", GraphBuilder::Str("the_loop")}})
      .Node("i", "Identity", {"e"}, {{"T", FloatT()}}, "/device:CPU:1");
  s.Add(g);
  try {
    s.Run({}, {}, {"i"});
    FAIL() << "expected InvalidArgument";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("pivot predicate: frame 'the_loop'"), std::string::npos) << e.what();
  }
}

// x = 0; while (x < 5) x = x + 1, the addition on CPU:1.
void LoopWithBodyOnCpu1(GraphBuilder& g) {
  auto frame = GraphBuilder::Str("loop");
  g.Const("x0", {0}, {})
      .Const("five", {5}, {})
      .Node("enter_x", "Enter", {"x0"}, {{"T", FloatT()}, {"frame_name", frame}})
      .Node("lim", "Enter", {"five"}, {{"T", FloatT()}, {"frame_name", frame}, {"is_constant", GraphBuilder::Bool(true)}})
      .Node("merge_x", "Merge", {"enter_x", "next_x"}, {{"T", FloatT()}, {"N", GraphBuilder::Int(2)}})
      .Binary("less", "Less", "merge_x", "lim")
      .Node("cond", "LoopCond", {"less"})
      .Node("switch_x", "Switch", {"merge_x", "cond"}, {{"T", FloatT()}})
      .Node("exit_x", "Exit", {"switch_x:0"}, {{"T", FloatT()}})
      .Node("body_x", "Identity", {"switch_x:1"}, {{"T", FloatT()}})
      .Node("one", "Const", {"^body_x"}, {{"value", GraphBuilder::FloatTensor({1}, {})}, {"dtype", FloatT()}})
      .Node("inc", "Add", {"body_x", "one"}, {{"T", FloatT()}}, "/device:CPU:1")
      .Node("next_x", "NextIteration", {"inc"}, {{"T", FloatT()}});
}

TEST(GraphPartition, ALoopAcrossDevicesGetsAControlLoopPerDevice) {
  Split s;
  GraphBuilder g;
  LoopWithBodyOnCpu1(g);
  s.Add(g);
  PartitionedGraph pg = s.Run({}, {"exit_x:0"});
  ASSERT_EQ(pg.partitions.size(), 2u);
  const Partition& p1 = On(pg, kCpu1);
  // CPU:1's control loop: Enter(dummy) -> Merge <- NextIteration <- Switch(Merge, LoopCond):1.
  ASSERT_EQ(OfOp(p1, "Enter").size(), 1u);
  ASSERT_EQ(OfOp(p1, "Merge").size(), 1u);
  ASSERT_EQ(OfOp(p1, "Switch").size(), 1u);
  ASSERT_EQ(OfOp(p1, "NextIteration").size(), 1u);
  const Node* enter = OfOp(p1, "Enter")[0];
  const Node* merge = OfOp(p1, "Merge")[0];
  const Node* sw = OfOp(p1, "Switch")[0];
  EXPECT_EQ(enter->AttrString("frame_name"), "loop");
  EXPECT_EQ(enter->inputs[0].node->op, "Const");
  EXPECT_EQ(merge->inputs[0].node, enter);
  EXPECT_EQ(merge->inputs[1].node, OfOp(p1, "NextIteration")[0]);
  EXPECT_EQ(sw->inputs[0].node, merge);
  EXPECT_EQ(sw->inputs[1].node->op, "_Recv");  // the LoopCond, from CPU:0
  EXPECT_EQ(OfOp(p1, "NextIteration")[0]->inputs[0].node, sw);
  EXPECT_EQ(OfOp(p1, "NextIteration")[0]->inputs[0].index, 1);
  // Every _Recv in the frame waits on the control loop's Merge.
  for (const Node* r : OfOp(p1, "_Recv")) {
    ASSERT_EQ(r->control_inputs.size(), 1u) << r->name;
    EXPECT_EQ(r->control_inputs[0], merge);
  }
  // CPU:0 receives inc inside the frame too: its control loop switches on the LoopCond itself.
  const Partition& p0 = On(pg, kCpu0);
  ASSERT_EQ(OfOp(p0, "Switch").size(), 2u);
  int on_cond = 0;
  for (const Node* n : OfOp(p0, "Switch")) on_cond += n->inputs[1].node->name == "cond";
  EXPECT_EQ(on_cond, 2);
}

TEST(GraphPartition, PartitionsWithoutLoopsGetNoControlLoops) {
  Split s;
  GraphBuilder g;
  g.Const("a", {2}, {}).Node("b", "Neg", {"a"}, {{"T", FloatT()}}, "/device:CPU:1").Binary("c", "Add", "a", "b");
  s.Add(g);
  PartitionedGraph pg = s.Run({}, {"c:0"});
  auto ops = [](const Partition& p) {
    std::vector<std::string> out;
    for (size_t i = 0; i < p.graph->num_nodes(); i++) out.push_back(p.graph->node(i)->op);
    return out;
  };
  EXPECT_EQ(ops(On(pg, kCpu0)), (std::vector<std::string>{"Const", "_Send", "_Recv", "Add", "_Send"}));
  EXPECT_EQ(ops(On(pg, kCpu1)), (std::vector<std::string>{"_Recv", "Neg", "_Send"}));
}

// ---- Running partitions in a session -----------------------------------------------------

template <typename Fn>
void WithinOrDie(int ms, const char* what, Fn fn) {
  auto fut = std::async(std::launch::async, fn);
  if (fut.wait_for(std::chrono::milliseconds(ms)) != std::future_status::ready) {
    std::fprintf(stderr, "HANG: %s did not return within %d ms\n", what, ms);
    std::_Exit(3);
  }
  fut.get();
}

SessionOptions TwoCpus() {
  SessionOptions o;
  o.num_cpus = 2;
  o.inter_op_threads = 2;
  return o;
}
float Val(const Tensor& t) { return *t.data<float>(); }

TEST(PartitionedSession, ValuesCrossDevicesAndStatsCoverBoth) {
  Session s(TwoCpus());
  GraphBuilder g;
  g.Placeholder("p")
      .Const("two", {2}, {})
      .Node("m", "Mul", {"p", "two"}, {{"T", FloatT()}}, "/device:CPU:1")
      .Binary("sum", "Add", "m", "p");
  Extend(s, g);
  RunOptions ro;
  ro.trace = true;
  std::vector<NodeStats> stats;
  auto out = s.RunCallable(s.MakeCallable({"p:0"}, {"sum:0", "m:0", "p:0"}, {}), {Tensor::Scalar<float>(3)}, ro, &stats);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(Val(out[0]), 9.0f);  // 3 * 2 + 3
  EXPECT_EQ(Val(out[1]), 6.0f);
  EXPECT_EQ(Val(out[2]), 3.0f);
  bool m_on_cpu1 = false, sum_on_cpu0 = false;
  int transfers = 0;
  for (const NodeStats& st : stats) {
    m_on_cpu1 |= st.node == "m" && st.device == kCpu1;
    sum_on_cpu0 |= st.node == "sum" && st.device == kCpu0;
    transfers += st.node.find("/_") != std::string::npos;
  }
  EXPECT_TRUE(m_on_cpu1);
  EXPECT_TRUE(sum_on_cpu0);
  EXPECT_GE(transfers, 4);  // two to CPU:1 (p, two), one back (m), each a _Send and a _Recv
  // Again (a cached callable, a fresh rendezvous).
  EXPECT_EQ(Val(s.Run({"p:0"}, {Tensor::Scalar<float>(-1)}, {"sum:0"}, {}, {})[0]), -3.0f);
}

TEST(PartitionedSession, HandleConsumersWithoutADeviceRunWhereTheHandleIsMade) {
  // TF's resource and reference edges: the queue's ops and the variable's Assign follow
  // them to CPU:1; a read of the variable's value stays on the default device.
  SessionOptions o = TwoCpus();
  o.log_device_placement = true;
  Session s(o);
  const auto types = GraphBuilder::Types({DataType::DT_FLOAT});
  GraphBuilder g;
  g.Node("q", "FIFOQueueV2", {}, {{"component_types", types}, {"shapes", GraphBuilder::Shapes({{}})}, {"capacity", GraphBuilder::Int(2)}},
         "/device:CPU:1")
      .Const("one", {1}, {})
      .Node("put", "QueueEnqueueV2", {"q", "one"}, {{"Tcomponents", types}})
      .Node("take", "QueueDequeueV2", {"q"}, {{"component_types", types}})
      .Node("v", "VariableV2", {}, {{"dtype", FloatT()}}, "/device:CPU:1")
      .Node("set", "Assign", {"v", "one"}, {{"T", FloatT()}})
      .Node("read", "Identity", {"v"}, {{"T", FloatT()}});
  Extend(s, g);
  s.Run({}, {}, {}, {"put"}, {});
  EXPECT_EQ(Val(s.Run({}, {}, {"take:0"}, {}, {})[0]), 1.0f);
  s.Run({}, {}, {}, {"set"}, {});  // on CPU:0 it would take v by reference across devices
  EXPECT_EQ(Val(s.Run({}, {}, {"read:0"}, {}, {})[0]), 1.0f);
  std::set<std::string> log;
  for (const auto& line : s.TakePlacementLog()) log.insert(line);
  for (const char* n : {"put", "take", "set"}) EXPECT_TRUE(log.count(std::string(n) + ": " + kCpu1)) << n;
  EXPECT_TRUE(log.count("read: " + kCpu0));
}

TEST(PartitionedSession, DeadnessCrossesSendAndRecv) {
  Session s(TwoCpus());
  GraphBuilder g;
  g.Node("pred", "Placeholder", {}, {{"dtype", GraphBuilder::Type(DataType::DT_BOOL)}})
      .Const("d", {5}, {})
      .Node("sw", "Switch", {"d", "pred"}, {{"T", FloatT()}})
      .Node("t", "Neg", {"sw:1"}, {{"T", FloatT()}}, "/device:CPU:1")
      .Node("f", "Identity", {"sw:0"}, {{"T", FloatT()}})
      .Node("mg", "Merge", {"t", "f"}, {{"T", FloatT()}, {"N", GraphBuilder::Int(2)}});
  Extend(s, g);
  auto run = [&](bool pred, const std::vector<std::string>& fetches) {
    return s.Run({"pred:0"}, {Tensor::Scalar<bool>(pred)}, fetches, {}, {});
  };
  auto out = run(false, {"mg:0", "mg:1"});
  EXPECT_EQ(Val(out[0]), 5.0f);
  EXPECT_EQ(*out[1].data<int32_t>(), 1);
  out = run(true, {"mg:0", "mg:1"});
  EXPECT_EQ(Val(out[0]), -5.0f);  // the branch on CPU:1
  EXPECT_EQ(*out[1].data<int32_t>(), 0);
  try {
    run(false, {"t:0"});
    FAIL() << "expected a dead tensor";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("Retrieved a dead tensor"), std::string::npos) << e.what();
  }
}

TEST(PartitionedSession, ALoopAcrossDevicesRunsEveryIterationOnBoth) {
  Session s(TwoCpus());
  GraphBuilder g;
  LoopWithBodyOnCpu1(g);
  Extend(s, g);
  for (int run = 0; run < 3; run++) EXPECT_EQ(Val(s.Run({}, {}, {"exit_x:0"}, {}, {})[0]), 5.0f);
}

// park (CPU:1) -> wait (CPU:0) and fail (CPU:0): the failure must end the parked partition
// and the _Recv on CPU:0 waiting for it.
void ParkGraph(GraphBuilder& g) {
  g.Node("park", "TestPartitionPark", {}, {}, "/device:CPU:1")
      .Node("wait", "Identity", {"park"}, {{"T", FloatT()}})
      .Node("fail", "TestPartitionFail", {});
}

TEST(PartitionedSession, AnErrorFailsTheStepNamingItsNode) {
  Session s(TwoCpus());
  GraphBuilder g;
  ParkGraph(g);
  Extend(s, g);
  WithinOrDie(5000, "a partitioned step with a failing node", [&] {
    try {
      s.Run({}, {}, {"wait:0", "fail:0"}, {}, {});
      ADD_FAILURE() << "expected boom";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Code::kInvalidArgument) << e.what();
      EXPECT_EQ(std::string(e.what()), "boom");
      EXPECT_EQ(e.node(), "fail");
    }
  });
}

TEST(PartitionedSession, DeadlineEndsAllPartitions) {
  Session s(TwoCpus());
  GraphBuilder g;
  ParkGraph(g);
  Extend(s, g);
  RunOptions ro;
  ro.timeout_ms = 50;
  WithinOrDie(5000, "a partitioned step with a deadline", [&] {
    try {
      s.Run({}, {}, {"wait:0"}, {}, ro);
      ADD_FAILURE() << "expected DeadlineExceeded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Code::kDeadlineExceeded) << e.what();
    }
  });
}

TEST(PartitionedSession, CloseEndsAStepWaitingAcrossPartitions) {
  Session s(TwoCpus());
  GraphBuilder g;
  ParkGraph(g);
  Extend(s, g);
  const int64_t h = s.MakeCallable({}, {"wait:0"}, {});
  std::promise<StepResult> result;
  s.RunCallableAsync(h, {}, {}, [&](StepResult r) { result.set_value(std::move(r)); });
  auto fut = result.get_future();
  WithinOrDie(5000, "close with a partitioned step in flight", [&] { s.Close(); });
  ASSERT_EQ(fut.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(fut.get().status.code(), Code::kCancelled);
}

}  // namespace
}  // namespace tg

namespace tg {
namespace {

TEST(GraphPartition, AReferenceEdgeAcrossDevicesIsAnError) {
  Split s;
  GraphBuilder g;
  g.Node("v", "VariableV2", {}, {{"dtype", FloatT()}})
      .Const("one", {1}, {})
      .Node("set", "Assign", {"v", "one"}, {{"T", FloatT()}}, "/device:CPU:1");
  s.Add(g);
  try {
    s.Run({}, {}, {"set"});
    FAIL() << "expected InvalidArgument";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("takes v by reference"), std::string::npos) << e.what();
    EXPECT_EQ(e.node(), "set");
  }
}

}  // namespace
}  // namespace tg

#include "runtime/graph_def.h"

namespace tg {
namespace {

TEST(GraphPartition, APartitionSerialisesAndImportsAsItStands) {
  Split s;
  GraphBuilder g;
  g.Const("a", {2}, {})
      .Node("b", "Mul", {"a", "a"}, {{"T", FloatT()}}, "/device:CPU:1")
      .Node("c", "Const", {"^a"}, {{"value", GraphBuilder::FloatTensor({5}, {})}, {"dtype", FloatT()}}, "/device:CPU:1");
  s.Add(g);
  PartitionedGraph pg = s.Run({}, {"b:0", "c:0"});
  for (const Partition& p : pg.partitions) {
    std::vector<uint8_t> bytes = SerializeGraph(*p.graph);
    Graph back;
    back.Extend(bytes.data(), bytes.size());
    ASSERT_EQ(back.num_nodes(), p.graph->num_nodes());
    for (size_t i = 0; i < back.num_nodes(); i++) {
      const Node& x = *p.graph->node(i);
      const Node& y = *back.node(i);
      EXPECT_EQ(y.name, x.name);
      EXPECT_EQ(y.op, x.op);
      EXPECT_EQ(y.device, x.device);
      ASSERT_EQ(y.inputs.size(), x.inputs.size());
      for (size_t k = 0; k < x.inputs.size(); k++) {
        EXPECT_EQ(y.inputs[k].node->name, x.inputs[k].node->name);
        EXPECT_EQ(y.inputs[k].index, x.inputs[k].index);
      }
      ASSERT_EQ(y.control_inputs.size(), x.control_inputs.size());
      EXPECT_EQ(y.attrs.size(), x.attrs.size());
      if (x.op == "_Recv") {
        EXPECT_EQ(y.AttrString("tensor_name"), x.AttrString("tensor_name"));
        EXPECT_EQ(y.AttrInt("send_device_incarnation"), x.AttrInt("send_device_incarnation"));
      }
      if (x.op == "Const") {
        EXPECT_EQ(y.AttrTensor("value").num_elements(), x.AttrTensor("value").num_elements());
      }
    }
  }
}

}  // namespace
}  // namespace tg
