// The runtime alone, without Node: graph import, pruning and feeds, variables, placement,
// errors, and concurrent runs.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "runtime/graph_def.h"
#include "runtime/session.h"
#include "tests/graph_builder.h"

namespace tg {
namespace {

Tensor Floats(std::vector<float> v, Shape shape) {
  Tensor t(DataType::DT_FLOAT, std::move(shape));
  std::memcpy(t.raw(), v.data(), v.size() * 4);
  return t;
}

std::vector<float> Values(const Tensor& t) { return std::vector<float>(t.data<float>(), t.data<float>() + t.num_elements()); }

TEST(Runtime, ConstAddMatMul) {
  Session s({});
  GraphBuilder g;
  g.Const("a", {1, 2, 3, 4}, {2, 2}).Const("b", {10, 20}, {2}).Binary("sum", "AddV2", "a", "b").Binary("prod", "MatMul", "a", "a");
  Extend(s, g);
  auto out = s.Run({}, {}, {"sum:0", "prod"}, {}, {});
  EXPECT_EQ(Values(out[0]), (std::vector<float>{11, 22, 13, 24}));
  EXPECT_EQ(out[1].shape(), (Shape{2, 2}));
  EXPECT_EQ(Values(out[1]), (std::vector<float>{7, 10, 15, 22}));
}

TEST(Runtime, FeedsCutTheGraphAndMissingFeedsNameThePlaceholder) {
  Session s({});
  GraphBuilder g;
  g.Placeholder("x").Const("two", {2}, {}).Binary("y", "Mul", "x", "two").Binary("z", "AddV2", "y", "two");
  Extend(s, g);
  auto out = s.Run({"x:0"}, {Floats({1, 2}, {2})}, {"z:0"}, {}, {});
  EXPECT_EQ(Values(out[0]), (std::vector<float>{4, 6}));
  // Feeding y: x is not needed, so no feed for it is required.
  out = s.Run({"y:0"}, {Floats({5}, {})}, {"z:0"}, {}, {});
  EXPECT_EQ(Values(out[0]), (std::vector<float>{7}));
  try {
    s.Run({}, {}, {"z:0"}, {}, {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInvalidArgument);
    EXPECT_EQ(e.node(), "x");
    EXPECT_NE(std::string(e.what()).find("You must feed a value for placeholder tensor 'x'"), std::string::npos);
  }
}

TEST(Runtime, AFedPlaceholderSatisfiesItsControlEdges) {
  Session s({});
  GraphBuilder g;
  g.Placeholder("p").Const("c", {3}, {}).Node("after", "Identity", {"c", "^p"}, {{"T", GraphBuilder::Type(DataType::DT_FLOAT)}});
  Extend(s, g);
  EXPECT_EQ(Values(s.Run({"p:0"}, {Floats({1}, {})}, {"after:0"}, {}, {})[0]), (std::vector<float>{3}));
  EXPECT_THROW(s.Run({}, {}, {"after:0"}, {}, {}), Error);  // not fed: the placeholder must run
}

// x = 1; while (x < limit) x = x * 2 — as tf.whileLoop builds it (the Merge names its
// NextIteration input before that node exists).
void WhileLoopGraph(GraphBuilder& g) {
  auto T = GraphBuilder::Type(DataType::DT_FLOAT);
  g.Const("x0", {1}, {}).Placeholder("limit")
      .Node("enter", "Enter", {"x0"}, {{"T", T}, {"frame_name", GraphBuilder::Str("loop")}})
      .Node("lim", "Enter", {"limit"}, {{"T", T}, {"frame_name", GraphBuilder::Str("loop")}, {"is_constant", GraphBuilder::Bool(true)}})
      .Node("merge", "Merge", {"enter", "next"}, {{"T", T}, {"N", GraphBuilder::Int(2)}})
      .Binary("less", "Less", "merge", "lim")
      .Node("cond", "LoopCond", {"less"})
      .Node("switch", "Switch", {"merge", "cond"}, {{"T", T}})
      .Node("exit", "Exit", {"switch:0"}, {{"T", T}})
      .Node("body", "Identity", {"switch:1"}, {{"T", T}})
      .Node("two", "Const", {"^body"}, {{"value", GraphBuilder::FloatTensor({2}, {})}, {"dtype", T}})
      .Binary("mul", "Mul", "body", "two")
      .Node("next", "NextIteration", {"mul"}, {{"T", T}});
}

TEST(Runtime, WhileLoopFramesIterateAndExit) {
  Session s({});
  GraphBuilder g;
  WhileLoopGraph(g);
  Extend(s, g);
  EXPECT_EQ(Values(s.Run({"limit:0"}, {Floats({100}, {})}, {"exit:0"}, {}, {})[0]), (std::vector<float>{128}));
  EXPECT_EQ(Values(s.Run({"limit:0"}, {Floats({0}, {})}, {"exit:0"}, {}, {})[0]), (std::vector<float>{1}));  // no iteration
  try {
    s.Run({"limit:0"}, {Floats({10}, {})}, {"mul:0"}, {}, {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("inside a while loop"), std::string::npos);
  }
}

TEST(Runtime, WhileLoopValuesMustEnterThroughEnter) {
  Session s({});
  GraphBuilder g;
  WhileLoopGraph(g);
  g.Binary("wrong", "Mul", "body", "x0");  // x0 lives outside the loop's frame
  Extend(s, g);
  try {
    s.Run({"limit:0"}, {Floats({10}, {})}, {}, {"wrong"}, {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInvalidArgument);
    EXPECT_EQ(e.node(), "wrong");
    EXPECT_NE(std::string(e.what()).find("must go through Enter/Exit"), std::string::npos);
  }
}

TEST(Runtime, LargeBuffersAreRecycledBySize) {
  void* first;
  {
    Tensor t(DataType::DT_FLOAT, {512, 512});  // 1 MiB
    first = t.raw();
    std::memset(first, 1, t.total_bytes());
  }
  Tensor again(DataType::DT_FLOAT, {1024, 256});  // the same size: the freed buffer comes back
  EXPECT_EQ(again.raw(), first);
  Tensor other(DataType::DT_FLOAT, {1024, 256});  // that one is taken now: a new buffer
  EXPECT_NE(other.raw(), first);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(other.raw()) % 64, 0u);
}

// Small sizes round up to powers of two and come back too, also when freed on another thread.
TEST(Runtime, SmallBuffersAreRecycledAcrossThreads) {
  void* first;
  {
    Tensor t(DataType::DT_FLOAT, {4000});  // 16000 bytes: the 16 KiB class
    first = t.raw();
    std::thread([t = std::move(t)]() mutable { t = Tensor(); }).join();  // freed (and the thread gone) elsewhere
  }
  Tensor again(DataType::DT_FLOAT, {3000});  // 12000 bytes: the same class
  EXPECT_EQ(again.raw(), first);
}

// Past the cache's cap (512 MiB), the sizes unused longest are freed, then what does not fit:
// after a phase of 1 MiB buffers left 400 of them cached, a burst of 48 freed 16 MiB buffers
// (as when the garbage collector drops many fetched values) still leaves the cache full of
// 16 MiB ones, rather than flushing everything whenever it overflows.
TEST(Runtime, RecyclingKeepsTheSizesInUseWhenFull) {
  {
    std::vector<Tensor> old;
    for (int i = 0; i < 400; i++) old.emplace_back(DataType::DT_FLOAT, Shape{1 << 18});  // 1 MiB each
  }
  {
    std::vector<Tensor> burst;
    for (int i = 0; i < 48; i++) burst.emplace_back(DataType::DT_FLOAT, Shape{1 << 22});  // 16 MiB each
  }
  AllocationCount count;
  {
    ScopedAllocationCount counting(&count);
    std::vector<Tensor> again;
    for (int i = 0; i < 32; i++) again.emplace_back(DataType::DT_FLOAT, Shape{1 << 22});
  }
  EXPECT_EQ(count.allocations, 32);
  EXPECT_EQ(count.system_allocations, 0);
}

const NodeStats& StatsOf(const std::vector<NodeStats>& stats, const std::string& node) {
  for (const NodeStats& s : stats) if (s.node == node) return s;
  throw std::runtime_error("no stats for " + node);
}

// The last reader of a value writes its output over the value's buffer when nobody else holds
// it (TF's forward_input); a value that is fed, fetched or still to be read is never written.
// Traced runs count each node's host allocations.
TEST(Runtime, ElementwiseOutputsReuseBuffersNobodyElseHolds) {
  Session s({});
  GraphBuilder g;
  const auto T = std::vector<std::pair<std::string, GraphBuilder::AttrFn>>{{"T", GraphBuilder::Type(DataType::DT_FLOAT)}};
  g.Placeholder("x").Node("neg", "Neg", {"x"}, T).Node("relu", "Relu", {"neg"}, T).Node("sq", "Square", {"neg"}, T);
  Extend(s, g);
  const std::vector<float> x{1, -2, 3, -4};
  RunOptions traced;
  traced.trace = true;

  // x -> neg -> relu: relu takes neg's buffer; neg may not take the fed x's.
  std::vector<NodeStats> stats;
  const int64_t h1 = s.MakeCallable({"x:0"}, {"relu:0"}, {});
  auto out = s.RunCallable(h1, {Floats(x, {4})}, traced, &stats);
  EXPECT_EQ(Values(out[0]), (std::vector<float>{0, 2, 0, 4}));
  EXPECT_EQ(StatsOf(stats, "neg").memory.allocations, 1);
  EXPECT_EQ(StatsOf(stats, "neg").memory.bytes, 16);
  EXPECT_EQ(StatsOf(stats, "relu").memory.allocations, 0);
  EXPECT_EQ(StatsOf(stats, "relu").memory.bytes, 0);

  // neg fetched too: relu needs a buffer of its own, and neg's value is intact.
  stats.clear();
  const int64_t h2 = s.MakeCallable({"x:0"}, {"neg:0", "relu:0"}, {});
  out = s.RunCallable(h2, {Floats(x, {4})}, traced, &stats);
  EXPECT_EQ(Values(out[0]), (std::vector<float>{-1, 2, -3, 4}));
  EXPECT_EQ(Values(out[1]), (std::vector<float>{0, 2, 0, 4}));
  EXPECT_EQ(StatsOf(stats, "relu").memory.allocations, 1);

  // neg read by two nodes: whichever runs first leaves it alone, so both see -x.
  for (int i = 0; i < 50; i++) {
    stats.clear();
    out = s.Run({"x:0"}, {Floats(x, {4})}, {"relu:0", "sq:0"}, {}, traced);
    ASSERT_EQ(Values(out[0]), (std::vector<float>{0, 2, 0, 4}));
    ASSERT_EQ(Values(out[1]), (std::vector<float>{1, 4, 9, 16}));
  }
}

// Once warm, a step's buffers all come from the recycled ones: no node's allocation reaches
// the C allocator.
TEST(Runtime, SteadyStateStepsTakeNoMemoryFromTheSystem) {
  Session s({});
  GraphBuilder g;
  g.Placeholder("x").Binary("h", "MatMul", "x", "x").Binary("y", "AddV2", "h", "x").Binary("z", "Mul", "y", "h");
  Extend(s, g);
  const int64_t h = s.MakeCallable({"x:0"}, {"z:0"}, {});
  RunOptions traced;
  traced.trace = true;
  for (int64_t n : {3, 40, 100}) {
    Tensor x(DataType::DT_FLOAT, {n, n});
    for (int64_t i = 0; i < n * n; i++) x.data<float>()[i] = static_cast<float>(i % 7) * 0.1f;
    for (int i = 0; i < 3; i++) s.RunCallable(h, {x}, traced, nullptr);
    std::vector<NodeStats> stats;
    s.RunCallable(h, {x}, traced, &stats);
    int64_t allocations = 0, system = 0;
    for (const NodeStats& st : stats) {
      allocations += st.memory.allocations;
      system += st.memory.system_allocations;
    }
    EXPECT_GE(allocations, 1) << n;  // h (MatMul) at least; y and z write over h / y
    EXPECT_EQ(system, 0) << n;
  }
}

TEST(Runtime, VariablesAssignReadAndUninitializedErrors) {
  Session s({});
  GraphBuilder g;
  g.Node("v", "VariableV2", {}, {{"dtype", GraphBuilder::Type(DataType::DT_FLOAT)}})
      .Const("init", {1, 2}, {2})
      .Binary("v/Assign", "Assign", "v", "init")
      .Node("v/read", "Identity", {"v"}, {{"T", GraphBuilder::Type(DataType::DT_FLOAT)}})
      .Binary("double", "AddV2", "v/read", "v/read")
      .Binary("update", "AssignAdd", "v", "double");
  Extend(s, g);
  try {
    s.Run({}, {}, {"double:0"}, {}, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kFailedPrecondition);
    EXPECT_NE(std::string(e.what()).find("uninitialized value v"), std::string::npos);
  }
  s.Run({}, {}, {}, {"v/Assign"}, {});
  auto before = s.Run({}, {}, {"v/read:0"}, {}, {});
  s.Run({}, {}, {}, {"update"}, {});
  auto after = s.Run({}, {}, {"v:0"}, {}, {});
  EXPECT_EQ(Values(before[0]), (std::vector<float>{1, 2}));  // a fetched value never changes afterwards
  EXPECT_EQ(Values(after[0]), (std::vector<float>{3, 6}));
  // Each session has its own variables.
  Session other({});
  GraphBuilder g2;
  g2.Node("v", "VariableV2", {}, {{"dtype", GraphBuilder::Type(DataType::DT_FLOAT)}});
  Extend(other, g2);
  EXPECT_THROW(other.Run({}, {}, {"v:0"}, {}, {}), Error);
  // Reset clears the default container.
  s.ResetContainers({});
  EXPECT_THROW(s.Run({}, {}, {"v:0"}, {}, {}), Error);
}

TEST(Runtime, GraphExtensionIsIncrementalAndValidated) {
  Session s({});
  GraphBuilder g;
  g.Const("a", {1}, {});
  Extend(s, g);
  g.Binary("b", "AddV2", "a", "a");
  Extend(s, g);
  EXPECT_EQ(Values(s.Run({}, {}, {"b:0"}, {}, {})[0]), (std::vector<float>{2}));
  g.Binary("c", "AddV2", "a", "missing");
  auto bad = g.Finish();
  EXPECT_THROW(s.Extend(bad.data(), bad.size()), Error);
  g.Const("a", {1}, {});
  auto dup = g.Finish();
  EXPECT_THROW(s.Extend(dup.data(), dup.size()), Error);
  std::vector<uint8_t> junk(64, 0xAB);
  EXPECT_THROW(s.Extend(junk.data(), junk.size()), Error);
}

TEST(Runtime, ExecutorsAreCachedPerSignature) {
  Session s({});
  GraphBuilder g;
  g.Placeholder("x").Binary("y", "AddV2", "x", "x");
  Extend(s, g);
  int64_t h1 = s.MakeCallable({"x:0"}, {"y:0"}, {});
  int64_t h2 = s.MakeCallable({"x:0"}, {"y:0"}, {});
  int64_t h3 = s.MakeCallable({"y:0"}, {"y:0"}, {});
  EXPECT_EQ(h1, h2);
  EXPECT_NE(h1, h3);
  EXPECT_EQ(Values(s.RunCallable(h1, {Floats({4}, {})}, {})[0]), (std::vector<float>{8}));
  EXPECT_EQ(Values(s.RunCallable(h3, {Floats({4}, {})}, {})[0]), (std::vector<float>{4}));
}

TEST(Runtime, PlacementPinsLogsAndSoftPlacement) {
  SessionOptions o;
  o.num_cpus = 2;
  o.log_device_placement = true;
  Session s(o);
  GraphBuilder g;
  g.Node("a", "Const", {}, {{"value", GraphBuilder::FloatTensor({1}, {})}, {"dtype", GraphBuilder::Type(DataType::DT_FLOAT)}},
         "/device:CPU:1")
      .Binary("b", "AddV2", "a", "a")
      .Node("c", "Const", {}, {{"value", GraphBuilder::FloatTensor({1}, {})}, {"dtype", GraphBuilder::Type(DataType::DT_FLOAT)}},
            "/device:GPU:0");
  Extend(s, g);
  s.Run({}, {}, {"b:0"}, {}, {});
  auto log = s.TakePlacementLog();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0], "a: /job:localhost/replica:0/task:0/device:CPU:1");
  EXPECT_EQ(log[1], "b: /job:localhost/replica:0/task:0/device:CPU:0");
  try {
    s.Run({}, {}, {"c:0"}, {}, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("Cannot assign a device for operation c"), std::string::npos);
  }
  o.allow_soft_placement = true;
  Session soft(o);
  GraphBuilder g2;
  g2.Node("c", "Const", {}, {{"value", GraphBuilder::FloatTensor({5}, {})}, {"dtype", GraphBuilder::Type(DataType::DT_FLOAT)}},
          "/device:GPU:0");
  Extend(soft, g2);
  EXPECT_EQ(Values(soft.Run({}, {}, {"c:0"}, {}, {})[0]), (std::vector<float>{5}));
  EXPECT_EQ(soft.TakePlacementLog()[0], "c: /job:localhost/replica:0/task:0/device:CPU:0");
}

TEST(Runtime, ConcurrentRunsOfOneExecutor) {
  SessionOptions o;
  o.inter_op_threads = 4;
  Session s(o);
  GraphBuilder g;
  g.Placeholder("x").Binary("y", "Mul", "x", "x").Binary("z", "AddV2", "y", "x");
  Extend(s, g);
  int64_t h = s.MakeCallable({"x:0"}, {"z:0"}, {});
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; i++) {
        float x = static_cast<float>(t * 1000 + i);
        auto out = s.RunCallable(h, {Floats({x}, {})}, {});
        if (out[0].data<float>()[0] != x * x + x) wrong++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

// An asynchronous run of a short step that never waits runs on the caller's thread; the
// first step (duration unknown) and large feeds do not.
TEST(Runtime, ShortStepsThatNeverWaitRunInline) {
  Session s({});
  GraphBuilder g;
  g.Placeholder("x").Binary("y", "Mul", "x", "x");
  Extend(s, g);
  const int64_t h = s.MakeCallable({"x:0"}, {"y:0"}, {});
  StepResult r;
  std::vector<Tensor> feeds{Floats({3}, {})};
  EXPECT_FALSE(s.TryRunCallableInline(h, feeds, {}, &r));
  EXPECT_EQ(feeds.size(), 1u);  // left to the caller
  bool ran = false;
  for (int i = 0; i < 100 && !ran; i++) {  // a busy machine may stretch one step past the limit
    s.RunCallable(h, {Floats({3}, {})}, {});
    std::vector<Tensor> f{Floats({3}, {})};
    ran = s.TryRunCallableInline(h, f, {}, &r);
  }
  ASSERT_TRUE(ran);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(Values(r.fetched[0]), (std::vector<float>{9}));
  std::vector<Tensor> big{Tensor(DataType::DT_FLOAT, {Session::kInlineFeedBytes / 4 + 1})};
  EXPECT_FALSE(s.TryRunCallableInline(h, big, {}, &r));
  EXPECT_EQ(big.size(), 1u);
}

TEST(Runtime, BroadcastErrorsNameTheNode) {
  Session s({});
  GraphBuilder g;
  g.Placeholder("x").Placeholder("y").Binary("sum", "AddV2", "x", "y");
  Extend(s, g);
  try {
    s.Run({"x:0", "y:0"}, {Floats({1, 2, 3}, {3}), Floats({1, 2}, {2})}, {"sum:0"}, {}, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.node(), "sum");
    EXPECT_NE(std::string(e.what()).find("Incompatible shapes: [3] vs. [2]"), std::string::npos);
  }
}

TEST(Runtime, ClosedSessionRejectsRuns) {
  Session s({});
  GraphBuilder g;
  g.Const("a", {1}, {});
  Extend(s, g);
  s.Close();
  try {
    s.Run({}, {}, {"a:0"}, {}, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kCancelled);
  }
}

}  // namespace
}  // namespace tg
