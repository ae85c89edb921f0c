// The executor with asynchronous kernels: completion on another thread, deadlines, session
// close while a kernel is parked, a node error cancelling parked kernels, while loops over an
// async kernel, and many steps in flight at once. Three test-only ops are registered here.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <mutex>
#include <thread>

#include "runtime/op_def.h"
#include "runtime/session.h"
#include "tests/graph_builder.h"

namespace tg {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<int> g_parked{0};     // TestParkUntilCancelled calls that have registered
std::atomic<int> g_unparked{0};   // ... and were woken by cancellation
std::atomic<int> g_add_one_runs{0};
std::mutex g_thread_mu;
std::thread::id g_add_one_done_thread;  // the thread that called done last

// Parks until the step is cancelled, then fails with the cancellation's reason.
class ParkUntilCancelled : public AsyncOpKernel {
 public:
  using AsyncOpKernel::AsyncOpKernel;
  void ComputeAsync(OpKernelContext* ctx, DoneCallback done) const override {
    CancellationManager* cm = ctx->cancellation_manager();
    const auto token = cm->NewToken();
    const bool registered = cm->Register(token, [ctx, done](const Error& reason) {
      g_unparked++;
      ctx->SetStatus(reason);
      done();
    });
    if (!registered) {
      ctx->SetStatus(cm->reason());
      done();
      return;
    }
    g_parked++;
  }
};

// x + 1 (float scalar), computed on a new thread after a short delay.
class AsyncAddOne : public AsyncOpKernel {
 public:
  using AsyncOpKernel::AsyncOpKernel;
  void ComputeAsync(OpKernelContext* ctx, DoneCallback done) const override {
    const float x = *ctx->input(0).data<float>();
    std::thread([ctx, done, x] {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      ctx->set_output(0, Tensor::Scalar<float>(x + 1));
      g_add_one_runs++;
      {
        std::lock_guard<std::mutex> lock(g_thread_mu);
        g_add_one_done_thread = std::this_thread::get_id();
      }
      done();
    }).detach();
  }
};

// A synchronous kernel that fails once g_parked reached g_fail_after_parked (so that its
// siblings have parked first; at most 2 s), or at once when that is 0.
std::atomic<int> g_fail_after_parked{0};
class FailAfterParked : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (g_parked < g_fail_after_parked && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    throw Error(Code::kInvalidArgument, "boom", ctx->node().name);
  }
};

TG_REGISTER_KERNEL(Name("TestParkUntilCancelled").Device(DEVICE_CPU), ParkUntilCancelled);
TG_REGISTER_KERNEL(Name("TestAsyncAddOne").Device(DEVICE_CPU), AsyncAddOne);
TG_REGISTER_KERNEL(Name("TestFailAfterParked").Device(DEVICE_CPU), FailAfterParked);
// Their records: graph import needs one for every op.
TG_REGISTER_OP("TestParkUntilCancelled").Output("output: float");
TG_REGISTER_OP("TestAsyncAddOne").Input("x: float").Output("y: float");
TG_REGISTER_OP("TestFailAfterParked").Output("output: float");

Tensor F(float v) { return Tensor::Scalar<float>(v); }
float Val(const Tensor& t) { return *t.data<float>(); }

// p -> add1 -> times2 (= (p + 1) * 2) -> add1b (= (p + 1) * 2 + 1); park; fail.
void BasicGraph(GraphBuilder& g) {
  g.Placeholder("p")
      .Const("two", {2}, {})
      .Node("add1", "TestAsyncAddOne", {"p"})
      .Binary("times2", "Mul", "add1", "two")
      .Node("add1b", "TestAsyncAddOne", {"times2"})
      .Node("park", "TestParkUntilCancelled", {})
      .Node("park2", "TestParkUntilCancelled", {})
      .Node("fail", "TestFailAfterParked", {});
}

// Waits (bounded) until pred holds.
template <typename Pred>
bool WaitFor(Pred pred, int ms = 5000) {
  const auto end = Clock::now() + std::chrono::milliseconds(ms);
  while (!pred()) {
    if (Clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Runs fn on another thread; a hang past `ms` ends the test binary (a hang cannot be failed).
template <typename Fn>
void WithinOrDie(int ms, const char* what, Fn fn) {
  auto fut = std::async(std::launch::async, fn);
  if (fut.wait_for(std::chrono::milliseconds(ms)) != std::future_status::ready) {
    std::fprintf(stderr, "HANG: %s did not return within %d ms\n", what, ms);
    std::_Exit(3);
  }
  fut.get();
}

TEST(ExecutorAsync, CompletionOnAnotherThreadFeedsSuccessors) {
  SessionOptions o;
  o.inter_op_threads = 2;
  Session s(o);
  GraphBuilder g;
  BasicGraph(g);
  Extend(s, g);
  const int before = g_add_one_runs;
  auto out = s.Run({"p:0"}, {F(3)}, {"add1:0", "times2:0", "add1b:0"}, {}, {});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(Val(out[0]), 4.0f);   // 3 + 1
  EXPECT_EQ(Val(out[1]), 8.0f);   // (3 + 1) * 2
  EXPECT_EQ(Val(out[2]), 9.0f);   // (3 + 1) * 2 + 1
  EXPECT_EQ(g_add_one_runs - before, 2);
  std::lock_guard<std::mutex> lock(g_thread_mu);
  EXPECT_NE(g_add_one_done_thread, std::this_thread::get_id());
}

TEST(ExecutorAsync, DeadlineEndsAParkedStepAndTheSessionStaysUsable) {
  SessionOptions o;
  o.inter_op_threads = 2;
  Session s(o);
  GraphBuilder g;
  BasicGraph(g);
  Extend(s, g);
  RunOptions ro;
  ro.timeout_ms = 100;
  const int unparked = g_unparked;
  WithinOrDie(5000, "a run with timeout_ms", [&] {
    const auto t0 = Clock::now();
    try {
      s.Run({}, {}, {"park:0"}, {}, ro);
      ADD_FAILURE() << "expected DeadlineExceeded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Code::kDeadlineExceeded) << e.what();
      EXPECT_EQ(std::string(e.what()), "Timed out waiting for notification");
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    EXPECT_GE(ms, 100);
    EXPECT_LT(ms, 3000);
  });
  EXPECT_EQ(g_unparked - unparked, 1);
  // The same executor and another one still run.
  EXPECT_EQ(Val(s.Run({"p:0"}, {F(10)}, {"times2:0"}, {}, {})[0]), 22.0f);
  try {
    s.Run({}, {}, {"park:0"}, {}, ro);
    FAIL() << "expected DeadlineExceeded again";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kDeadlineExceeded);
  }
}

TEST(ExecutorAsync, SessionOperationTimeoutAppliesWhenTheRunHasNone) {
  SessionOptions o;
  o.inter_op_threads = 2;
  o.operation_timeout_ms = 80;
  Session s(o);
  GraphBuilder g;
  BasicGraph(g);
  Extend(s, g);
  WithinOrDie(5000, "a run under operation_timeout_ms", [&] {
    try {
      s.Run({}, {}, {"park:0"}, {}, {});
      ADD_FAILURE() << "expected DeadlineExceeded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Code::kDeadlineExceeded) << e.what();
    }
  });
  EXPECT_EQ(Val(s.Run({"p:0"}, {F(0)}, {"add1:0"}, {}, {})[0]), 1.0f);
}

TEST(ExecutorAsync, CloseCancelsAParkedStepAndReturns) {
  SessionOptions o;
  o.inter_op_threads = 2;
  Session s(o);
  GraphBuilder g;
  BasicGraph(g);
  Extend(s, g);
  const int parked = g_parked;
  std::atomic<bool> got_error{false};
  Error err(Code::kOk, "");
  std::thread runner([&] {
    try {
      s.Run({}, {}, {"park:0", "park2:0"}, {}, {});
    } catch (const Error& e) {
      err = e;
      got_error = true;
    }
  });
  ASSERT_TRUE(WaitFor([&] { return g_parked - parked == 2; }));
  WithinOrDie(5000, "Session::Close with a parked step", [&] { s.Close(); });
  runner.join();
  ASSERT_TRUE(got_error);
  EXPECT_EQ(err.code(), Code::kCancelled) << err.what();
  EXPECT_EQ(std::string(err.what()), "Session has been closed.");
  EXPECT_TRUE(s.closed());
  try {
    s.Run({"p:0"}, {F(1)}, {"add1:0"}, {}, {});
    FAIL() << "a closed session ran a step";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kCancelled);
  }
}

TEST(ExecutorAsync, CloseCancelsManyAsyncParkedSteps) {
  SessionOptions o;
  o.inter_op_threads = 1;
  Session s(o);
  GraphBuilder g;
  BasicGraph(g);
  Extend(s, g);
  const int64_t h = s.MakeCallable({}, {"park:0"}, {});
  const int parked = g_parked;
  std::mutex mu;
  int done = 0, cancelled = 0;
  constexpr int kSteps = 10;
  for (int i = 0; i < kSteps; i++) {
    s.RunCallableAsync(h, {}, {}, [&](StepResult r) {
      std::lock_guard<std::mutex> lock(mu);
      done++;
      if (!r.status.ok() && r.status.code() == Code::kCancelled) cancelled++;
    });
  }
  // One inter-op thread: parked kernels hold none, so all ten park.
  ASSERT_TRUE(WaitFor([&] { return g_parked - parked == kSteps; }));
  WithinOrDie(5000, "Session::Close with ten parked async steps", [&] { s.Close(); });
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(done, kSteps);  // Close waits for the steps to end
  EXPECT_EQ(cancelled, kSteps);
}

TEST(ExecutorAsync, ANodeErrorCancelsTheStepsParkedKernels) {
  SessionOptions o;
  o.inter_op_threads = 2;
  Session s(o);
  GraphBuilder g;
  BasicGraph(g);
  Extend(s, g);
  const int64_t h = s.MakeCallable({}, {"park:0", "park2:0"}, {"fail"});
  const int unparked = g_unparked;
  g_fail_after_parked = g_parked + 2;  // fail only once both parks registered
  // Async: the roots go to the pool, so the parks start while fail waits for them.
  std::promise<StepResult> result;
  s.RunCallableAsync(h, {}, {}, [&](StepResult r) { result.set_value(std::move(r)); });
  auto fut = result.get_future();
  ASSERT_EQ(fut.wait_for(std::chrono::seconds(5)), std::future_status::ready) << "the step hung";
  g_fail_after_parked = 0;
  StepResult r = fut.get();
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.code(), Code::kInvalidArgument) << r.status.error().what();
  EXPECT_EQ(std::string(r.status.error().what()), "boom");
  EXPECT_EQ(r.status.error().node(), "fail");
  EXPECT_EQ(g_unparked - unparked, 2);
  EXPECT_EQ(Val(s.Run({"p:0"}, {F(2)}, {"add1b:0"}, {}, {})[0]), 7.0f);  // (2 + 1) * 2 + 1
}

TEST(ExecutorAsync, ANodeErrorInASyncRunEndsItWithThatError) {
  SessionOptions o;
  o.inter_op_threads = 2;
  Session s(o);
  GraphBuilder g;
  BasicGraph(g);
  Extend(s, g);
  g_fail_after_parked = 0;
  // Whichever order the caller thread takes the roots in, the step ends with fail's error.
  WithinOrDie(5000, "a run whose node fails beside parked kernels", [&] {
    try {
      s.Run({}, {}, {"park:0", "park2:0"}, {"fail"}, {});
      ADD_FAILURE() << "expected the node's error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Code::kInvalidArgument) << e.what();
      EXPECT_EQ(std::string(e.what()), "boom");
      EXPECT_EQ(e.node(), "fail");
    }
  });
}

// x = 0; while (x < limit) x = AsyncAddOne(x) * 1; and a second value carried along:
// y = 1; y = y * 2 each iteration (so y = 2^iterations).
void AsyncWhileGraph(GraphBuilder& g) {
  auto T = GraphBuilder::Type(DataType::DT_FLOAT);
  auto frame = GraphBuilder::Str("loop");
  g.Const("x0", {0}, {}).Const("y0", {1}, {}).Placeholder("limit")
      .Node("enter_x", "Enter", {"x0"}, {{"T", T}, {"frame_name", frame}})
      .Node("enter_y", "Enter", {"y0"}, {{"T", T}, {"frame_name", frame}})
      .Node("lim", "Enter", {"limit"}, {{"T", T}, {"frame_name", frame}, {"is_constant", GraphBuilder::Bool(true)}})
      .Node("merge_x", "Merge", {"enter_x", "next_x"}, {{"T", T}, {"N", GraphBuilder::Int(2)}})
      .Node("merge_y", "Merge", {"enter_y", "next_y"}, {{"T", T}, {"N", GraphBuilder::Int(2)}})
      .Binary("less", "Less", "merge_x", "lim")
      .Node("cond", "LoopCond", {"less"})
      .Node("switch_x", "Switch", {"merge_x", "cond"}, {{"T", T}})
      .Node("switch_y", "Switch", {"merge_y", "cond"}, {{"T", T}})
      .Node("exit_x", "Exit", {"switch_x:0"}, {{"T", T}})
      .Node("exit_y", "Exit", {"switch_y:0"}, {{"T", T}})
      .Node("body_x", "Identity", {"switch_x:1"}, {{"T", T}})
      .Node("body_y", "Identity", {"switch_y:1"}, {{"T", T}})
      .Node("inc", "TestAsyncAddOne", {"body_x"})
      .Node("two", "Const", {"^body_y"}, {{"value", GraphBuilder::FloatTensor({2}, {})}, {"dtype", T}})
      .Binary("dbl", "Mul", "body_y", "two")
      .Node("next_x", "NextIteration", {"inc"}, {{"T", T}})
      .Node("next_y", "NextIteration", {"dbl"}, {{"T", T}});
}

TEST(ExecutorAsync, WhileLoopWithAnAsyncKernelInItsBody) {
  SessionOptions o;
  o.inter_op_threads = 2;
  Session s(o);
  GraphBuilder g;
  AsyncWhileGraph(g);
  Extend(s, g);
  auto out = s.Run({"limit:0"}, {F(10)}, {"exit_x:0", "exit_y:0"}, {}, {});
  EXPECT_EQ(Val(out[0]), 10.0f);
  EXPECT_EQ(Val(out[1]), 1024.0f);  // 2^10
  out = s.Run({"limit:0"}, {F(0)}, {"exit_x:0", "exit_y:0"}, {}, {});  // no iteration
  EXPECT_EQ(Val(out[0]), 0.0f);
  EXPECT_EQ(Val(out[1]), 1.0f);
  out = s.Run({"limit:0"}, {F(2.5f)}, {"exit_x:0", "exit_y:0"}, {}, {});  // 0,1,2 < 2.5: three
  EXPECT_EQ(Val(out[0]), 3.0f);
  EXPECT_EQ(Val(out[1]), 8.0f);
}

TEST(ExecutorAsync, WhileLoopsWithAsyncKernelsInConcurrentSteps) {
  SessionOptions o;
  o.inter_op_threads = 2;
  Session s(o);
  GraphBuilder g;
  AsyncWhileGraph(g);
  Extend(s, g);
  const int64_t h = s.MakeCallable({"limit:0"}, {"exit_x:0", "exit_y:0"}, {});
  constexpr int kSteps = 8;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0;
  std::vector<float> xs(kSteps, -1), ys(kSteps, -1);
  std::vector<std::string> errors;
  for (int i = 0; i < kSteps; i++) {
    s.RunCallableAsync(h, {F(static_cast<float>(i))}, {}, [&, i](StepResult r) {
      std::lock_guard<std::mutex> lock(mu);
      if (r.status.ok()) {
        xs[i] = Val(r.fetched[0]);
        ys[i] = Val(r.fetched[1]);
      } else {
        errors.push_back(r.status.error().what());
      }
      done++;
      cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return done == kSteps; }));
  EXPECT_TRUE(errors.empty()) << errors[0];
  for (int i = 0; i < kSteps; i++) {
    EXPECT_EQ(xs[i], static_cast<float>(i)) << i;
    EXPECT_EQ(ys[i], static_cast<float>(1 << i)) << i;
  }
}

TEST(ExecutorAsync, FiftyConcurrentAsyncStepsAllComplete) {
  SessionOptions o;
  o.inter_op_threads = 2;
  Session s(o);
  GraphBuilder g;
  BasicGraph(g);
  Extend(s, g);
  const int64_t h = s.MakeCallable({"p:0"}, {"add1b:0"}, {});
  constexpr int kSteps = 50;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, failed = 0;
  std::vector<float> got(kSteps, -1);
  for (int i = 0; i < kSteps; i++) {
    s.RunCallableAsync(h, {F(static_cast<float>(i))}, {}, [&, i](StepResult r) {
      std::lock_guard<std::mutex> lock(mu);
      if (r.status.ok()) {
        got[i] = Val(r.fetched[0]);
      } else {
        failed++;
      }
      done++;
      cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return done == kSteps; }));
  EXPECT_EQ(failed, 0);
  for (int i = 0; i < kSteps; i++) EXPECT_EQ(got[i], (i + 1) * 2.0f + 1) << i;
}

TEST(ExecutorAsync, ParkedStepsDoNotHoldTheOnlyInterOpThread) {
  SessionOptions o;
  o.inter_op_threads = 1;
  Session s(o);
  GraphBuilder g;
  BasicGraph(g);
  Extend(s, g);
  const int64_t park = s.MakeCallable({}, {"park:0"}, {});
  const int parked = g_parked;
  std::atomic<int> cancelled{0};
  for (int i = 0; i < 4; i++) {
    s.RunCallableAsync(park, {}, {}, [&](StepResult r) {
      if (r.status.code() == Code::kCancelled) cancelled++;
    });
  }
  ASSERT_TRUE(WaitFor([&] { return g_parked - parked == 4; }));
  WithinOrDie(5000, "a run beside four parked steps on one inter-op thread", [&] {
    EXPECT_EQ(Val(s.Run({"p:0"}, {F(5)}, {"add1b:0"}, {}, {})[0]), 13.0f);  // (5 + 1) * 2 + 1
  });
  WithinOrDie(5000, "Session::Close", [&] { s.Close(); });
  EXPECT_EQ(cancelled, 4);
}

}  // namespace
}  // namespace tg
